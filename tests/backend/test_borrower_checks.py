"""GET /loans/{id}/borrower: the borrower's verified checks as yes/no only, and the reasons of the
stored score whose grade and PD the loan was listed with."""

from backend.db import database
from backend.db.models import ScoreRecord, VerifiedFact
from tests.backend.test_app import assert_error
from tests.backend.test_indexer import BORROWER, checksum
from tests.backend.test_loans_api import indexed  # noqa: F401 - the fixture: loan 1 by BORROWER, grade 3, 4.5%

REASONS = [{"signal": "income_verified", "state": "no", "pd_bps": 210}]


def store(app, *rows) -> None:
    with database(app).session() as db:
        db.add_all(rows)
        db.commit()


def score(grade_code: int, pd_bps: int, reasons: list, score_value: int) -> ScoreRecord:
    return ScoreRecord(wallet=checksum(BORROWER), model_id="m" * 64, pd=pd_bps / 10_000, pd_bps=pd_bps, grade="B+",
                       grade_code=grade_code, score=score_value, signals={}, reasons=reasons, next_verification=None)


def test_checks_are_yes_or_no_and_reasons_come_from_the_listing_score(app, client, indexed):  # noqa: F811
    wallet = checksum(BORROWER)
    store(app, VerifiedFact(wallet=wallet, signal="identity_verified", value=True, source="operator"),
          VerifiedFact(wallet=wallet, signal="income_verified", value=False, source="operator"),
          VerifiedFact(wallet=wallet, signal="social_accounts", value=2, source="oauth:console"),
          VerifiedFact(wallet=wallet, signal="monthly_income", value=5_000, source="document"),
          score(3, 450, REASONS, 71),
          score(4, 900, [{"signal": "phone_verified", "state": "no", "pd_bps": 5}], 60))  # a later, other score
    body = client.get("/loans/1/borrower").json
    assert body["borrower"] == wallet and body["social_accounts"] == 2
    assert {c["signal"]: c["verified"] for c in body["checks"]} == {
        "identity_verified": True, "phone_verified": False, "email_verified": False, "income_verified": False,
        "bank_account_verified": False}
    assert body["score"] == 71 and body["reasons"] == REASONS
    assert "5000" not in str(body) and "monthly_income" not in str(body)  # amounts behind a check stay private


def test_a_loan_scored_elsewhere_has_no_reasons_and_unknown_loans_are_404(client, indexed):  # noqa: F811
    body = client.get("/loans/1/borrower").json
    assert body["reasons"] == [] and body["score"] is None and body["scored_at"] is None
    assert_error(client.get("/loans/99/borrower"), 404, "unknown_loan")
    assert_error(client.get(f"/loans/{2**70}/borrower"), 404, "unknown_loan")
