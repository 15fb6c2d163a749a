"""The one error format of the API, for every failure (ours, Werkzeug's, webargs', and crashes):

    {"error": {"code": "not_found", "message": "a sentence for people", "details": {...}}}

Services raise `ApiError` subclasses; views never build error responses themselves.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 410: "gone", 413: "payload_too_large", 415: "unsupported_media_type",
    422: "validation_failed", 429: "rate_limited", 500: "internal_error", 503: "unavailable",
}


class ApiError(Exception):
    """A request the API refuses; `status` and `code` say why in machine terms, `message` in words."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None,
                 status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.code
        self.status = status or self.status
        self.details = details or {}


class BadRequest(ApiError):
    status, code = 400, "bad_request"


class Unauthorized(ApiError):
    status, code = 401, "unauthorized"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Conflict(ApiError):
    status, code = 409, "conflict"


class Gone(ApiError):
    status, code = 410, "gone"


class Unprocessable(ApiError):
    status, code = 422, "validation_failed"


class RateLimited(ApiError):
    status, code = 429, "rate_limited"


class Unavailable(ApiError):
    status, code = 503, "unavailable"


def error_body(code: str, message: str, details: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _api_error(error: ApiError):
    return jsonify(error_body(error.code, error.message, error.details)), error.status


def _http_error(error: HTTPException):
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    details = {}
    message = error.description or error.name
    if "messages" in data:  # webargs / marshmallow validation
        details = {"fields": data["messages"]}
        if status == 400:
            message = "the request body is not valid JSON"
        else:
            message = "the request does not match the expected schema: see details.fields"
    elif "message" in data:
        message = data["message"]
    response = jsonify(error_body(HTTP_CODES.get(status, "http_error"), message, details))
    response.status_code = status
    if status == 405 and error.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response


def _crash(error: Exception):
    log.exception("unhandled error", exc_info=error)
    return jsonify(error_body("internal_error", "internal server error; the request was not applied")), 500


def init_app(app: Flask) -> None:
    """Register the handlers (after flask-smorest's Api, whose own HTTPException handler this replaces)."""
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _crash)
