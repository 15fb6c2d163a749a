"""The web UI on the API's origin: the single-page app built into frontend/dist
(`toolchain/frontend_setup.sh`; the source and its README are in frontend/).

- `/` is the app's index.html and `/assets/...` its hashed, immutable bundles.
- A browser navigation (GET asking for HTML) to a path no API route answers also gets index.html,
  so a bookmarked page of the app survives a reload; API clients keep the JSON 404.
- Nothing here is part of the API: the routes are left out of /openapi.json.
"""

from __future__ import annotations

from pathlib import Path

import flask
from flask import current_app, jsonify, request, send_from_directory
from flask_smorest import Blueprint
from werkzeug.exceptions import NotFound

from backend.errors import Unavailable, error_body

DIST = Path(__file__).resolve().parents[2] / "frontend" / "dist"
YEAR = 365 * 24 * 3600

blp = Blueprint("web", __name__, description="The web UI (static files, not part of the API)")


def dist() -> Path:
    return Path(current_app.config.get("FRONTEND_DIST") or DIST)


def index():
    """The app's shell; never cached, so a new build is picked up at once."""
    if not (dist() / "index.html").is_file():
        raise Unavailable("the web UI is not built: run toolchain/frontend_setup.sh", code="ui_not_built")
    response = send_from_directory(dist(), "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


def asset(filename: str):
    """A built bundle (content-hashed name, so cached for a year)."""
    return send_from_directory(dist() / "assets", filename, max_age=YEAR)


def wants_app() -> bool:
    return (request.method == "GET" and request.url_rule is None
            and request.accept_mimetypes.accept_html and not request.path.startswith("/assets/"))


@blp.app_errorhandler(NotFound)
def not_found(error: NotFound):
    """Unmatched browser navigations get the app; everything else the API's JSON 404."""
    if wants_app() and (dist() / "index.html").is_file():
        return index()
    return jsonify(error_body("not_found", error.description)), 404


# Plain Flask rules (flask-smorest's own add_url_rule would document them in /openapi.json).
flask.Blueprint.add_url_rule(blp, "/", "index", index, methods=["GET"])
flask.Blueprint.add_url_rule(blp, "/assets/<path:filename>", "asset", asset, methods=["GET"])
