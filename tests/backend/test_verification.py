"""Verification: codes (hashed, expiring, rate-limited), social accounts, documents, bank link, audit."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from backend.db import session
from backend.db.models import AuditEvent, BankLink, Challenge, Document, SocialAccount, VerifiedFact
from backend.db.types import utcnow
from backend.verification.base import ProviderError
from backend.verification.console import DevOpenBanking
from tests.backend.conftest import ALICE, BOB, bearer, sign_in
from tests.backend.test_app import assert_error

PDF = b"%PDF-1.7\n" + b"0" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def facts(app, wallet=ALICE.address):
    with app.app_context():
        return {f.signal: f.value for f in session().scalars(select(VerifiedFact).where(VerifiedFact.wallet == wallet))}


def rows(app, model, **where):
    with app.app_context():
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        found = session().scalars(query).all()
        session().expunge_all()  # keep the loaded values after the session closes
        return found


def audit_actions(app):
    return [(e.action, e.outcome) for e in rows(app, AuditEvent) if e.action != "auth.login"]


# -- codes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("channel, target, stored", [("email", "Alice@Example.COM", "alice@example.com"),
                                                     ("phone", "+447700900123", "+447700900123")])
def test_code_verification_sets_the_fact_and_stores_only_a_hash(client, app, alice, providers, channel, target,
                                                                stored):
    response = client.post(f"/me/verifications/{channel}/start", json={"target": target}, headers=alice)
    assert response.status_code == 201 and response.get_json()["target"] == stored
    code = getattr(providers, channel).last_code(stored)
    (challenge,) = rows(app, Challenge)
    assert code not in challenge.code_hash and len(challenge.code_hash) == 64
    response = client.post(f"/me/verifications/{channel}/confirm", json={"code": code}, headers=alice)
    assert response.status_code == 200 and response.get_json()["verified"] is True
    assert facts(app) == {f"{channel}_verified": True}
    assert client.get("/me", headers=alice).get_json()[channel] == stored
    assert audit_actions(app) == [(f"verification.{channel}.send", "sent"),
                                  (f"verification.{channel}.confirm", "verified")]
    assert_error(client.post(f"/me/verifications/{channel}/confirm", json={"code": code}, headers=alice), 404,
                 "no_pending_code")


def test_wrong_codes_are_counted_then_the_challenge_closes(client, app, alice, providers):
    client.post("/me/verifications/email/start", json={"target": "a@example.com"}, headers=alice)
    code = providers.email.last_code("a@example.com")
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        error = assert_error(client.post("/me/verifications/email/confirm", json={"code": wrong}, headers=alice),
                             422, "wrong_code")
        assert f"{left} attempt" in error["message"]
    assert_error(client.post("/me/verifications/email/confirm", json={"code": wrong}, headers=alice), 429,
                 "too_many_attempts")
    assert_error(client.post("/me/verifications/email/confirm", json={"code": code}, headers=alice), 404)
    assert facts(app) == {}


def test_expired_codes_are_refused(client, app, alice, providers):
    client.post("/me/verifications/phone/start", json={"target": "+15555550100"}, headers=alice)
    with app.app_context():
        session().scalars(select(Challenge)).one().expires_at = utcnow() - timedelta(seconds=1)
        session().commit()
    code = providers.phone.last_code("+15555550100")
    assert_error(client.post("/me/verifications/phone/confirm", json={"code": code}, headers=alice), 410,
                 "code_expired")
    assert facts(app) == {}


def test_sending_codes_is_rate_limited(client, app, alice):
    for _ in range(5):
        assert client.post("/me/verifications/email/start", json={"target": "a@example.com"},
                           headers=alice).status_code == 201
    assert_error(client.post("/me/verifications/email/start", json={"target": "a@example.com"}, headers=alice), 429,
                 "rate_limited")
    assert len(rows(app, Challenge)) == 5
    assert sum(c.closed is False for c in rows(app, Challenge)) == 1  # a new code supersedes the old ones


@pytest.mark.parametrize("channel, target, status", [("email", "not-an-email", 422), ("phone", "0123", 422),
                                                     ("fax", "+15555550100", 404)])
def test_bad_targets_write_nothing(client, app, alice, channel, target, status):
    assert_error(client.post(f"/me/verifications/{channel}/start", json={"target": target}, headers=alice), status)
    assert rows(app, Challenge) == []


def test_a_failed_delivery_leaves_no_challenge(client, app, alice, providers, monkeypatch):
    def fail(target, code):
        raise ProviderError("SMTP delivery failed: ConnectionRefusedError")

    monkeypatch.setattr(providers.email, "send", fail)
    assert_error(client.post("/me/verifications/email/start", json={"target": "a@example.com"}, headers=alice), 502,
                 "provider_failed")
    assert rows(app, Challenge) == [] and audit_actions(app) == []


def test_codes_need_a_session(client):
    assert_error(client.post("/me/verifications/email/start", json={"target": "a@example.com"}), 401)


# -- social accounts -----------------------------------------------------------------------------

def test_social_account_link_records_count_and_oldest_age(client, app, alice):
    start = client.post("/me/social/start", headers=alice).get_json()
    assert start["authorize_url"].startswith("http://lendchain.test/social/callback?")
    response = client.get("/social/callback", query_string={"state": start["state"], "code": "fake-one-36"})
    assert response.status_code == 200 and response.get_json()["social_accounts"] == 1
    second = client.post("/me/social/start", headers=alice).get_json()["state"]
    client.get("/social/callback", query_string={"state": second, "code": "fake-two-12"})
    assert facts(app) == {"social_accounts": 2, "social_account_age_months": pytest.approx(36, abs=0.2)}
    assert_error(client.get("/social/callback", query_string={"state": second, "code": "fake-two-12"}), 409,
                 "state_used")


def test_social_account_cannot_serve_two_wallets_and_bad_states_fail(client, app, alice):
    state = client.post("/me/social/start", headers=alice).get_json()["state"]
    client.get("/social/callback", query_string={"state": state, "code": "fake-shared-12"})
    bob = bearer(sign_in(client, BOB))
    state = client.post("/me/social/start", headers=bob).get_json()["state"]
    assert_error(client.get("/social/callback", query_string={"state": state, "code": "fake-shared-12"}), 409,
                 "account_taken")
    assert facts(app, BOB.address) == {}
    assert_error(client.get("/social/callback", query_string={"state": "unknown-state", "code": "x"}), 404)
    assert_error(client.get("/social/callback", query_string={"state": "unknown-state"}), 422)
    assert len(rows(app, SocialAccount)) == 1


# -- documents -----------------------------------------------------------------------------------

def upload(client, headers, kind="income", content=PDF, content_type="application/pdf", name="payslip.pdf"):
    return client.post("/me/documents", headers=headers, content_type="multipart/form-data",
                       data={"kind": kind, "file": (io.BytesIO(content), name, content_type)})


def test_income_document_approved_by_an_operator_becomes_facts(client, app, alice, operator):
    document = upload(client, alice).get_json()
    assert document["status"] == "pending" and document["size_bytes"] == len(PDF)
    queue = client.get("/operator/documents", headers=operator).get_json()
    assert [d["id"] for d in queue] == [document["id"]]
    assert_error(client.get("/operator/documents", headers=alice), 403, "not_operator")
    assert_error(client.post(f"/operator/documents/{document['id']}/review", json={"decision": "approve"},
                             headers=operator), 422)
    response = client.post(f"/operator/documents/{document['id']}/review", headers=operator,
                           json={"decision": "approve", "monthly_income_usd": 5200.0})
    assert response.status_code == 200 and response.get_json()["status"] == "approved"
    assert facts(app) == {"income_verified": True, "monthly_income": 5200.0}
    assert_error(client.post(f"/operator/documents/{document['id']}/review", json={"decision": "reject"},
                             headers=operator), 409, "already_reviewed")
    assert ("verification.income.review", "approved") in audit_actions(app)


def test_identity_document_rejected_and_approved(client, app, alice, operator):
    first = upload(client, alice, kind="identity", content=PNG, content_type="image/png", name="id.png").get_json()
    client.post(f"/operator/documents/{first['id']}/review", json={"decision": "reject", "note": "blurry"},
                headers=operator)
    assert facts(app) == {}
    second = upload(client, alice, kind="identity", content=PNG, content_type="image/png").get_json()
    assert_error(client.post(f"/operator/documents/{second['id']}/review", headers=operator,
                             json={"decision": "approve", "monthly_income_usd": 10.0}), 422)
    client.post(f"/operator/documents/{second['id']}/review", json={"decision": "approve"}, headers=operator)
    assert facts(app) == {"identity_verified": True}
    assert_error(client.post("/operator/documents/999999/review", json={"decision": "reject"}, headers=operator), 404)
    assert [d["status"] for d in client.get("/me/documents", headers=alice).get_json()] == ["rejected", "approved"]


def test_bad_uploads_are_refused_and_stored_nowhere(client, app, alice):
    assert_error(upload(client, alice, content=b"%PDF-" + b"0" * 5000), 413)
    assert_error(upload(client, alice, content=b"MZ\x90\x00", content_type="application/x-msdownload"), 415)
    assert_error(upload(client, alice, content=b"GIF89a", content_type="application/pdf"), 415)
    assert_error(upload(client, alice, content=b""), 422)
    assert_error(upload(client, alice, kind="selfie"), 422)
    assert_error(client.post("/me/documents", json={"kind": "income"}, headers=alice), 415)
    assert rows(app, Document) == []


# -- bank link -----------------------------------------------------------------------------------

def test_bank_link_gives_the_cash_flow_signals(client, app, alice):
    response = client.post("/me/bank-link", json={"public_token": "dev-sandbox"}, headers=alice)
    assert response.status_code == 201
    link = response.get_json()
    expected = DevOpenBanking().link(ALICE.address, "dev-sandbox")
    assert link["checking_balance"] == expected.checking_balance
    want = {"bank_account_verified": True, "checking_balance": expected.checking_balance,
            "overdrafts_12m": expected.overdrafts_12m}
    if expected.savings_balance is not None:
        want["savings_balance"] = expected.savings_balance
    assert facts(app) == want
    assert_error(client.post("/me/bank-link", json={"public_token": "prod-token"}, headers=alice), 502)
    assert_error(client.post("/me/bank-link", json={"public_token": 12}, headers=alice), 422)
    assert len(rows(app, BankLink)) == 1


def test_dev_bank_is_deterministic_and_in_range():
    bank = DevOpenBanking()
    for token in ("dev-a", "dev-b", "dev-c", "dev-d", "dev-e", "dev-f"):
        summary = bank.link(ALICE.address, token)
        assert summary == bank.link(ALICE.address, token)
        assert -500 <= summary.checking_balance < 8000 and 0 <= summary.overdrafts_12m <= 6
        assert summary.savings_balance is None or summary.savings_balance >= 0


def test_real_mode_without_settings_is_a_503(config, database_url):
    from backend import create_app

    app = create_app({**config, "VERIFICATION_PROVIDERS": None, "VERIFICATION_MODE": "real", "SMTP_HOST": ""})
    client = app.test_client()
    headers = bearer(sign_in(client, ALICE))
    assert_error(client.post("/me/verifications/email/start", json={"target": "a@example.com"}, headers=headers), 503,
                 "provider_not_configured")
    assert rows(app, Challenge) == []
    with app.app_context():
        assert session().scalar(select(func.count()).select_from(Challenge)) == 0
