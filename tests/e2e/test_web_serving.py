"""Flask serves the built UI on the API's origin (backend/api/web.py); no browser needed."""

from pathlib import Path

import pytest

from backend import create_app

DIST = Path(__file__).resolve().parents[2] / "frontend" / "dist"


@pytest.fixture
def client(tmp_path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>Lendchain</title>")
    (tmp_path / "assets" / "app-1234.js").write_text("console.log(1)")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "FRONTEND_DIST": str(tmp_path)})
    return app.test_client()


def test_index_and_assets(client):
    index = client.get("/")
    assert index.status_code == 200 and b"Lendchain" in index.data
    assert index.headers["Cache-Control"] == "no-cache"
    asset = client.get("/assets/app-1234.js")
    assert asset.status_code == 200 and "max-age=31536000" in asset.headers["Cache-Control"]


def test_browser_navigation_falls_back_to_the_app(client):
    page = client.get("/portfolio", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 200 and b"Lendchain" in page.data


def test_api_clients_keep_json_404s(client):
    for path in ("/no-such-endpoint", "/assets/missing.js"):
        response = client.get(path, headers={"Accept": "application/json"})
        assert response.status_code == 404
        assert response.json["error"]["code"] == "not_found"
    assert client.get("/assets/missing.js", headers={"Accept": "text/html"}).status_code == 404


def test_ui_routes_are_not_in_the_api_description(client):
    paths = client.get("/openapi.json").json["paths"]
    assert "/" not in paths and not any(p.startswith("/assets") for p in paths)


def test_unbuilt_ui_says_how_to_build(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "FRONTEND_DIST": str(tmp_path / "none")})
    response = app.test_client().get("/")
    assert response.status_code == 503 and "frontend_setup.sh" in response.json["error"]["message"]
