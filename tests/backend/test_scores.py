"""Scores and attestations: verified facts + on-chain history -> stored score; EIP-712 attestation
with chain nonce and block time; a missing model is a 503; resolved loans export for retraining."""

import json

import pytest
from sqlalchemy import select

from backend.attest import MAX_LIFETIME_SECONDS, ScoreAttestation, recover_signer
from backend.chain import decode_named, history_signals
from backend.db import session
from backend.db.models import Attestation, LoanOutcome, ScoreRecord, VerifiedFact
from tests.backend.conftest import ALICE, BLOCK_TIME, REGISTRY, SIGNER_KEY
from tests.backend.test_app import assert_error

OLD_ABI = [{"type": "function", "name": "historyOf", "outputs": [{"type": "tuple", "name": "", "components": [
    {"name": "loansRepaid", "type": "uint32"}, {"name": "lateInstalments", "type": "uint32"},
    {"name": "defaults", "type": "uint32"}]}]}]
NEW_ABI = [{"type": "function", "name": "historyOf", "outputs": [{"type": "tuple", "name": "", "components": [
    {"name": "loansRepaid", "type": "uint32"}, {"name": "lateInstalments", "type": "uint32"},
    {"name": "defaults", "type": "uint32"}, {"name": "onTimeInstalments", "type": "uint32"}]}]}]


def test_history_is_decoded_by_name_in_both_struct_forms():
    assert history_signals(decode_named(OLD_ABI, "historyOf", (2, 1, 0))) == {
        "prior_loans_repaid": 2, "prior_late_payments": 1, "prior_defaults": 0}
    assert history_signals(decode_named(NEW_ABI, "historyOf", (2, 1, 0, 17)))["prior_on_time_payments"] == 17


@pytest.fixture
def scored_app(config, scorer):
    from backend import create_app

    return create_app({**config, "SCORER": scorer})


def add_facts(app, **values):
    with app.app_context():
        for signal, value in values.items():
            session().add(VerifiedFact(wallet=ALICE.address, signal=signal, value=value, source="test"))
        session().commit()


def test_missing_or_corrupt_model_is_a_503(client, alice, config, tmp_path):
    error = assert_error(client.get("/me/score", headers=alice), 503, "model_unavailable")
    assert "ensure-default" in error["message"]
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "metadata.json").write_text(json.dumps({"model_id": "00" * 32}))
    (tmp_path / "bad" / "model.pkl").write_bytes(b"not a pickle")
    from backend import create_app

    bad = create_app({**config, "SCORING_MODEL_DIR": str(tmp_path / "bad")}).test_client()
    from tests.backend.conftest import bearer, sign_in

    assert_error(bad.get("/me/score", headers=bearer(sign_in(bad, ALICE))), 503, "model_unavailable")


def test_score_uses_verified_facts_and_chain_history_and_is_stored(scored_app, chain):
    client = scored_app.test_client()
    from tests.backend.conftest import bearer, sign_in

    headers = bearer(sign_in(client, ALICE))
    add_facts(scored_app, email_verified=True, monthly_income=4000.0)
    chain.history[ALICE.address] = {"prior_loans_repaid": 2, "prior_late_payments": 0, "prior_defaults": 0}
    response = client.get("/me/score", query_string={"loan_amount": 5000, "term_months": 36}, headers=headers)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert 0 < body["pd"] < 1 and 1 <= body["grade_code"] <= 9 and 0 <= body["score"] <= 100
    assert body["model_id"] == scored_app.config["SCORER"].model_id and body["warnings"] == []
    signals = body["signals"]
    assert signals["email_verified"] is True and signals["identity_verified"] is False
    assert signals["prior_loans_repaid"] == 2 and signals["loan_amount"] == 5000
    assert "social_accounts" not in signals and "checking_balance" not in signals  # unknown stays missing
    if body["next_verification"] is not None:
        assert body["next_verification"]["how"]
    with scored_app.app_context():
        stored = session().scalars(select(ScoreRecord)).one()
        assert stored.signals == signals and stored.pd_bps == body["pd_bps"]


def test_score_with_the_chain_down_leaves_history_missing(scored_app, chain):
    client = scored_app.test_client()
    from tests.backend.conftest import bearer, sign_in

    headers = bearer(sign_in(client, ALICE))
    chain.down = True
    body = client.get("/me/score", headers=headers).get_json()
    assert "prior_loans_repaid" not in body["signals"] and "history unknown" in body["warnings"][0]
    assert_error(client.get("/me/score", query_string={"term_months": "many"}, headers=headers), 422)
    assert_error(client.get("/me/score", query_string={"purpose": "yacht"}, headers=headers), 422)


def _stored(app):
    from backend.db.models import AuditEvent

    with app.app_context():
        return (sorted(session().scalars(select(ScoreRecord.id))),
                session().scalars(select(AuditEvent.id).where(AuditEvent.action == "score.issue")).all())


def test_an_unchanged_snapshot_reuses_the_latest_score_and_writes_nothing(scored_app, chain):
    """A score is a function of its snapshot and model: asking again returns the stored score
    (same id, created_at) without a new score or audit row, while any change of the verified facts,
    the chain history or the loan terms, another model, an old score or SCORE_REUSE_SECONDS=0
    issues (and stores) a new one."""
    client = scored_app.test_client()
    from tests.backend.conftest import bearer, sign_in

    headers = bearer(sign_in(client, ALICE))
    add_facts(scored_app, email_verified=True)
    ask = lambda **query: client.get("/me/score", query_string=query, headers=headers).get_json()  # noqa: E731
    first = ask(loan_amount=5000)
    again = ask(loan_amount=5000)
    assert again == first
    assert _stored(scored_app)[0] == [first["id"]] and len(_stored(scored_app)[1]) == 1
    other_terms = ask(loan_amount=6000)  # other loan terms: another snapshot
    assert other_terms["id"] != first["id"] and other_terms["signals"]["loan_amount"] == 6000
    assert ask(loan_amount=6000)["id"] == other_terms["id"]
    add_facts(scored_app, phone_verified=True)  # a new verified fact
    with_phone = ask(loan_amount=6000)
    assert with_phone["id"] != other_terms["id"] and with_phone["signals"]["phone_verified"] is True
    chain.history[ALICE.address] = {"prior_loans_repaid": 1, "prior_late_payments": 0, "prior_defaults": 0}
    with_history = ask(loan_amount=6000)  # the chain history changed (read on every request)
    assert with_history["id"] != with_phone["id"] and with_history["signals"]["prior_loans_repaid"] == 1
    assert ask(loan_amount=6000)["id"] == with_history["id"]
    with scored_app.app_context():  # the stored score is from another model
        row = session().get(ScoreRecord, with_history["id"])
        row.model_id = "00" * 32
        session().commit()
    other_model = ask(loan_amount=6000)
    assert other_model["id"] != with_history["id"] and other_model["model_id"] == scored_app.config["SCORER"].model_id
    with scored_app.app_context():  # an old score
        from datetime import timedelta

        row = session().get(ScoreRecord, other_model["id"])
        row.created_at = row.created_at - timedelta(seconds=scored_app.config["SCORE_REUSE_SECONDS"])
        session().commit()
    renewed = ask(loan_amount=6000)
    assert renewed["id"] != other_model["id"] and renewed["pd_bps"] == other_model["pd_bps"]
    scored_app.config["SCORE_REUSE_SECONDS"] = 0
    assert ask(loan_amount=6000)["id"] != renewed["id"]
    ids, audited = _stored(scored_app)
    assert len(ids) == 7 and len(audited) == 7  # every score issued is stored and audited


def test_an_attestation_is_signed_over_a_fresh_score(scored_app, chain):
    client = scored_app.test_client()
    from tests.backend.conftest import bearer, sign_in

    headers = bearer(sign_in(client, ALICE))
    scored = client.get("/me/score", query_string={"loan_amount": 2000}, headers=headers).get_json()
    response = client.post("/me/attestation", json={"loan_amount": 2000}, headers=headers)
    assert response.status_code == 201, response.get_json()
    attested = response.get_json()["score"]
    assert attested["id"] != scored["id"] and attested["signals"] == scored["signals"]
    with scored_app.app_context():
        assert session().scalars(select(Attestation)).one().score_id == attested["id"]
    assert _stored(scored_app)[0] == [scored["id"], attested["id"]]


def test_attestation_is_signed_with_chain_nonce_and_block_time(scored_app, chain):
    client = scored_app.test_client()
    from tests.backend.conftest import bearer, sign_in

    headers = bearer(sign_in(client, ALICE))
    chain.nonces[ALICE.address] = 3
    response = client.post("/me/attestation", json={"loan_amount": 2000}, headers=headers)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    a = body["attestation"]
    assert a["issuedAt"] == BLOCK_TIME and 0 < a["expiresAt"] - a["issuedAt"] <= MAX_LIFETIME_SECONDS
    assert a["nonce"] == "3" and a["borrower"] == ALICE.address and a["pdBps"] == body["score"]["pd_bps"]
    attestation = ScoreAttestation(a["borrower"], a["grade"], a["pdBps"], a["issuedAt"], a["expiresAt"], 3,
                                   a["modelId"])
    from eth_account import Account

    assert recover_signer(attestation, bytes.fromhex(body["signature"][2:]), 1337, REGISTRY) == \
        Account.from_key(SIGNER_KEY).address
    with scored_app.app_context():
        stored = session().scalars(select(Attestation)).one()
        assert stored.nonce == "3" and stored.score_id == body["score"]["id"] and stored.issued_at == BLOCK_TIME


def test_attestation_without_key_or_chain_writes_nothing(scored_app, chain):
    client = scored_app.test_client()
    from tests.backend.conftest import bearer, sign_in

    headers = bearer(sign_in(client, ALICE))
    chain.down = True
    assert_error(client.post("/me/attestation", headers=headers), 503, "chain_unavailable")
    chain.down = False
    scored_app.config["SCORE_SIGNER_KEY"] = ""
    assert_error(client.post("/me/attestation", headers=headers), 503, "signer_unavailable")
    assert_error(client.post("/me/attestation", json={"loan_amount": "lots"}, headers=headers), 422)
    with scored_app.app_context():
        assert session().scalars(select(ScoreRecord)).all() == []
        assert session().scalars(select(Attestation)).all() == []


def test_export_outcomes_writes_the_platform_format(scored_app, tmp_path):
    from scoring.adapters import platform

    with scored_app.app_context():
        db = session()
        score = ScoreRecord(wallet=ALICE.address, model_id="ab" * 32, pd=0.05, pd_bps=500, grade="B", grade_code=4,
                            score=70, reasons=[], next_verification=None,
                            signals={"email_verified": True, "identity_verified": False, "monthly_income": 4000.0,
                                     "prior_loans_repaid": 1})
        db.add(score)
        db.flush()
        db.add_all([
            LoanOutcome(chain_id=1337, loan_id=1, borrower=ALICE.address, score_id=score.id, outcome="repaid",
                        loan_amount_usd=2000.0, term_months=12, purpose="education"),
            LoanOutcome(chain_id=1337, loan_id=2, borrower=ALICE.address, score_id=score.id, outcome="defaulted",
                        loan_amount_usd=3000.0, term_months=24),
            LoanOutcome(chain_id=1337, loan_id=3, borrower=ALICE.address, score_id=None, outcome="active"),
        ])
        db.commit()
    output = tmp_path / "loans.csv"
    result = scored_app.test_cli_runner().invoke(args=["scoring", "export-outcomes", "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert "2 resolved loans" in result.output
    data = platform.load(output)
    assert list(data.defaulted) == [0, 1]
    assert list(data.signals["loan_amount"]) == [2000.0, 3000.0]
    assert [bool(v) for v in data.signals["email_verified"]] == [True, True]
    assert [bool(v) for v in data.signals["identity_verified"]] == [False, False]


def test_demo_import_stores_facts_and_the_listing_score_the_seed_signed(scored_app, scorer, tmp_path):
    from scoring.schema import SignalRecord

    from backend.demo import import_profiles

    profile = {"identity_verified": True, "income_verified": True, "monthly_income": 4000.0, "bureau_score": 700,
               "prior_loans_repaid": 2, "loan_amount": 1000.0, "term_months": 12, "purpose": "debt_consolidation"}
    path = tmp_path / "demo-accounts.json"
    path.write_text(json.dumps({"profiles": {ALICE.address: profile}}))
    with scored_app.app_context():
        assert import_profiles(session(), path) == 1
        stored = {f.signal: f.value for f in session().scalars(select(VerifiedFact))}
        [row] = session().scalars(select(ScoreRecord)).all()
        row = (row.wallet, row.pd_bps, row.grade_code, row.signals, [r["signal"] for r in row.reasons])
    assert stored == {"identity_verified": True, "income_verified": True, "monthly_income": 4000.0,
                      "bureau_score": 700}  # loan terms and on-chain history are not verified facts
    expected = scorer.score_record(SignalRecord.from_mapping(profile))
    assert row == (ALICE.address, expected.pd_bps, expected.grade_code, profile, [r.signal for r in expected.reasons])
