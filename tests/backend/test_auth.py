"""Sign-In with Ethereum: single-use nonces with expiry, domain and chain checks, sessions, operators."""

from datetime import timedelta

from sqlalchemy import func, select

from backend.db import session
from backend.db.models import AuthSession, SiweNonce
from backend.db.types import utcnow
from tests.backend.conftest import ALICE, BOB, OPERATOR, bearer, later, sign, sign_in, siwe_message
from tests.backend.test_app import assert_error


def login(client, message, signature):
    return client.post("/auth/login", json={"message": message, "signature": signature})


def count(app, model):
    with app.app_context():
        return session().scalar(select(func.count()).select_from(model))


def test_sign_in_gives_a_session_for_the_signing_wallet(client, app):
    nonce = client.post("/auth/nonce").get_json()
    assert nonce["domain"] == "lendchain.test" and nonce["chain_id"] == 1337 and len(nonce["nonce"]) >= 8
    message = siwe_message(ALICE, nonce["nonce"])
    body = login(client, message, sign(ALICE, message)).get_json()
    assert body["wallet"] == ALICE.address and body["operator"] is False
    me = client.get("/auth/session", headers=bearer(body["token"])).get_json()
    assert me["wallet"] == ALICE.address
    with app.app_context():
        assert session().get(SiweNonce, nonce["nonce"]).used_by == ALICE.address
        assert session().scalars(select(AuthSession)).one().token_hash != body["token"]  # only the hash is stored


def test_a_replayed_message_is_refused(client, app):
    nonce = client.post("/auth/nonce").get_json()["nonce"]
    message = siwe_message(ALICE, nonce)
    assert login(client, message, sign(ALICE, message)).status_code == 200
    error = assert_error(login(client, message, sign(ALICE, message)), 409, "nonce_used")
    assert "already used" in error["message"]
    assert count(app, AuthSession) == 1


def test_unknown_and_expired_nonces_are_refused(client, app):
    message = siwe_message(ALICE, "madeUpNonce123")
    assert_error(login(client, message, sign(ALICE, message)), 401, "unknown_nonce")
    nonce = client.post("/auth/nonce").get_json()["nonce"]
    with app.app_context():
        session().get(SiweNonce, nonce).expires_at = utcnow() - timedelta(seconds=1)
        session().commit()
    message = siwe_message(ALICE, nonce)
    assert_error(login(client, message, sign(ALICE, message)), 401, "nonce_expired")
    assert count(app, AuthSession) == 0


def test_other_domain_or_chain_is_refused_and_the_nonce_survives(client, app):
    nonce = client.post("/auth/nonce").get_json()["nonce"]
    for options, code in (({"domain": "evil.example"}, "wrong_domain"), ({"chain_id": 1}, "wrong_chain")):
        message = siwe_message(ALICE, nonce, **options)
        error = assert_error(login(client, message, sign(ALICE, message)), 401, code)
        assert "evil.example" in error["message"] or "chain 1," in error["message"]
    message = siwe_message(ALICE, nonce)
    assert login(client, message, sign(ALICE, message)).status_code == 200


def test_signature_by_another_wallet_expired_and_malformed_messages(client, app):
    nonce = client.post("/auth/nonce").get_json()["nonce"]
    message = siwe_message(ALICE, nonce)
    assert_error(login(client, message, sign(BOB, message)), 401, "bad_signature")
    expired = siwe_message(ALICE, nonce, expiration=later(-60).strftime("%Y-%m-%dT%H:%M:%SZ"))
    assert_error(login(client, expired, sign(ALICE, expired)), 401, "message_expired")
    assert_error(login(client, "hello", sign(ALICE, "hello")), 400, "malformed_siwe_message")
    assert count(app, AuthSession) == 0
    with app.app_context():
        assert session().get(SiweNonce, nonce).used_at is None


def test_sessions_need_a_valid_token_and_end_at_logout(client):
    assert_error(client.get("/auth/session"), 401, "not_signed_in")
    assert_error(client.get("/auth/session", headers=bearer("forged")), 401, "bad_session")
    token = sign_in(client, ALICE)
    assert client.post("/auth/logout", headers=bearer(token)).status_code == 204
    assert_error(client.get("/auth/session", headers=bearer(token)), 401, "bad_session")


def test_expired_session(client, app):
    token = sign_in(client, ALICE)
    with app.app_context():
        session().scalars(select(AuthSession)).one().expires_at = utcnow() - timedelta(seconds=1)
        session().commit()
    assert_error(client.get("/me", headers=bearer(token)), 401, "session_expired")


def test_operator_role_comes_from_configuration(client):
    token = sign_in(client, OPERATOR)
    assert client.get("/auth/session", headers=bearer(token)).get_json()["operator"] is True
