"""The Flask application factory: `create_app(config)` wires config, database, API, errors and CLI.

Nothing connects at import time or in the factory: the database engine, the chain client, the
scoring model and the verification providers are all created on first use.
"""

from __future__ import annotations

from typing import Any, Mapping

from flask import Flask, request
from flask_smorest import Api

from backend import config as config_module
from backend import db, errors

API_DEFAULTS = {
    "API_TITLE": "Lendchain API",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/",
    "OPENAPI_JSON_PATH": "openapi.json",
}
JSON_METHODS = {"POST", "PUT", "PATCH"}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(config_module.from_env())
    app.config.update(API_DEFAULTS)
    app.config.update(config or {})
    # Uploads are the largest bodies; JSON bodies have their own, smaller cap (check_body below).
    app.config["MAX_CONTENT_LENGTH"] = app.config["UPLOAD_MAX_BYTES"] + 64 * 1024
    db.init_app(app)
    api = Api(app, spec_kwargs={"components": {"securitySchemes": {
        "bearer": {"type": "http", "scheme": "bearer", "description": "token from POST /auth/login"}}}})
    errors.init_app(app)
    from backend.api import register_blueprints
    register_blueprints(api)
    app.before_request(check_body)
    from backend.cli import register_commands
    register_commands(app)
    return app


def check_body() -> None:
    """Bodies are JSON (at most JSON_MAX_BYTES) except on upload endpoints, which take multipart."""
    if request.method not in JSON_METHODS or not request.content_length:
        return
    view = request.url_rule and getattr(request.url_rule, "endpoint", None)
    from flask import current_app

    function = current_app.view_functions.get(view) if view else None
    if getattr(function, "accepts_multipart", False):
        if request.mimetype != "multipart/form-data":
            raise errors.ApiError("this endpoint takes a multipart/form-data upload", code="unsupported_media_type",
                                  status=415)
        return
    if not request.is_json:
        raise errors.ApiError(f"request bodies must be application/json, got {request.mimetype or 'none'!r}",
                              code="unsupported_media_type", status=415)
    limit = current_app.config["JSON_MAX_BYTES"]
    if request.content_length > limit:
        raise errors.ApiError(f"JSON body of {request.content_length} bytes exceeds the {limit}-byte limit",
                              code="payload_too_large", status=413)
