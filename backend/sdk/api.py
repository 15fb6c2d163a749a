"""A small HTTP client over the backend's API (described at /openapi.json)."""

from __future__ import annotations

from typing import Any, Iterator

import requests


class ApiError(RuntimeError):
    """The API answered with its error format {"error": {code, message, details}}."""

    def __init__(self, status: int, body: dict):
        error = body.get("error", {}) if isinstance(body, dict) else {}
        super().__init__(f"{status} {error.get('code', 'error')}: {error.get('message', body)}")
        self.status = status
        self.code = error.get("code")


class LendchainApi:
    def __init__(self, base_url: str, token: str | None = None, timeout: float = 10):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.timeout = timeout
        if token:
            self.session.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **params) -> Any:
        response = self.session.get(f"{self.base_url}{path}", params=params, timeout=self.timeout)
        if response.status_code >= 400:
            raise ApiError(response.status_code, response.json())
        return response.json()

    def loans(self, **filters) -> dict:
        """One page of GET /loans (filters as in the API: status, grade, min_apr_bps, page, per_page, ...)."""
        return self.get("/loans", **filters)

    def iter_loans(self, per_page: int = 100, **filters) -> Iterator[dict]:
        """Every loan matching `filters`, page by page."""
        page = 1
        while True:
            body = self.loans(page=page, per_page=per_page, **filters)
            yield from body["items"]
            if page * per_page >= body.get("total", 0) or not body["items"]:
                return
            page += 1

    def loan(self, loan_id: int) -> dict:
        return self.get(f"/loans/{loan_id}")
