"""The app shell: factory, one error format, OpenAPI = routes, health."""

import re

import pytest
from sqlalchemy import select

from backend import create_app
from backend.api import web
from backend.db import session
from backend.db.models import IndexerCheckpoint


WEB_BLUEPRINT = web.blp.name  # "web": `/` and `/assets/...`, the single-page app, not part of the API


def assert_error(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_factory_connects_to_nothing():
    app = create_app({"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none", "RPC_URL": "http://127.0.0.1:1",
                      "SCORING_MODEL_DIR": "/nonexistent"})
    assert "lendchain.chain" not in app.extensions and "lendchain.scorer" not in app.extensions
    assert app.extensions["lendchain.db"]._engine is None


def test_config_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("OPERATOR_ADDRESSES", "0xAbC0000000000000000000000000000000000001, 0x02")
    monkeypatch.setenv("CHAIN_ID", "31337")
    app = create_app()
    assert app.config["CHAIN_ID"] == 31337
    assert app.config["OPERATOR_ADDRESSES"] == {"0xabc0000000000000000000000000000000000001", "0x02"}


def test_openapi_documents_exactly_the_routes(app, client):
    spec = client.get("/openapi.json").get_json()
    documented = {(path, method.upper()) for path, item in spec["paths"].items() for method in item
                  if method in {"get", "post", "put", "patch", "delete"}}
    routed, web = set(), set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in {"static", "api-docs.openapi_json"}:
            continue
        if rule.endpoint.partition(".")[0] == WEB_BLUEPRINT:  # the UI's static files, deliberately undocumented
            web.add(rule.rule)
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        routed |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == documented
    assert len(routed) >= 17
    assert web == {"/", "/assets/<path:filename>"}  # only the web UI's own routes are left out
    assert not any(path == "/" or path.startswith("/assets") for path, _ in documented)


@pytest.mark.parametrize("method, path, status, code", [
    ("get", "/nowhere", 404, "not_found"),
    ("delete", "/healthz", 405, "method_not_allowed"),
])
def test_http_errors_share_the_format(client, method, path, status, code):
    assert_error(getattr(client, method)(path), status, code)


def test_malformed_wrongly_typed_huge_and_non_json_bodies(client, app):
    assert_error(client.post("/auth/login", data="{not json", content_type="application/json"), 400, "bad_request")
    error = assert_error(client.post("/auth/login", json={"message": 5, "signature": "0x"}), 422, "validation_failed")
    assert set(error["details"]["fields"]["json"]) == {"message", "signature"}
    assert_error(client.post("/auth/login", json={"message": "m", "signature": "0x" + "1" * 130, "extra": 1}), 422)
    assert_error(client.post("/auth/login", json=[1, 2]), 422)
    huge = '{"message": "' + "x" * (app.config["JSON_MAX_BYTES"] + 1) + '"}'
    assert_error(client.post("/auth/login", data=huge, content_type="application/json"), 413, "payload_too_large")
    assert_error(client.post("/auth/login", data="message=x", content_type="application/x-www-form-urlencoded"),
                 415, "unsupported_media_type")


def test_crash_is_a_json_500(config):
    app = create_app(config)

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret detail")

    error = assert_error(app.test_client().get("/boom"), 500, "internal_error")
    assert "secret" not in error["message"]


def test_health_reports_every_dependency(client, chain):
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True, "error": None}
    assert body["chain"]["head"] == chain.block.number and body["chain"]["chain_id"] == 1337
    assert body["indexer"] == {"checkpoint": None, "lag": None}
    assert body["model"]["id"] is None and body["model"]["loaded"] is False


def test_health_survives_a_dead_chain_and_reports_indexer_lag(app, client, chain):
    with app.app_context():
        session().add(IndexerCheckpoint(name="loanbook", chain_id=1337, block_number=1200))
        session().commit()
    chain.down = True
    body = client.get("/healthz").get_json()
    assert body["status"] == "degraded" and "ConnectionError" in body["chain"]["error"]
    assert body["indexer"] == {"checkpoint": 1200, "lag": None}
    chain.down = False
    assert client.get("/healthz").get_json()["indexer"] == {"checkpoint": 1200, "lag": 34}
    with app.app_context():
        assert session().scalars(select(IndexerCheckpoint)).one().block_number == 1200


def test_health_with_a_real_web3_client_and_no_rpc(config, tmp_path):
    import json

    (tmp_path / "1337.json").write_text(json.dumps({"chainId": 1337, "contracts": {}}))
    app = create_app({**config, "CHAIN": None, "DEPLOYMENTS_DIR": str(tmp_path), "RPC_URL": "http://127.0.0.1:1"})
    body = app.test_client().get("/healthz").get_json()
    assert body["status"] == "degraded" and "127.0.0.1:1" in body["chain"]["error"]
    assert body["database"]["ok"] is True
