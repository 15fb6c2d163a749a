"""The whole credit flow on chain: the shipped model scores a profile, the scoring service signs
the attestation with the production signer, and the borrower lists with it."""

import pytest
from brownie import chain

from backend.attest import issue_attestation, sign_attestation
from scoring.schema import SignalRecord
from scoring.serving import Scorer
from scoring.train import ensure_default_model
from tests.contracts.helpers import DAY, USDC, terms

PROFILE = SignalRecord(
    identity_verified=True, phone_verified=True, income_verified=True, monthly_income=5_200.0,
    employment_status="full_time", employment_months=40, homeowner=True, loan_amount=1_000.0,
    term_months=12, purpose="debt_consolidation",
)


@pytest.fixture(scope="module")
def scorer():
    model, _ = ensure_default_model()
    return Scorer(model)


def test_model_score_lists_a_loan_with_its_grade(lens, book, registry, usdc, borrower, signer, scorer):
    result = scorer.score_record(PROFILE)
    attestation = issue_attestation(
        str(borrower), result.pd_bps, result.model_id, nonce=registry.nonces(borrower),
        issued_at=chain.time() - 60, lifetime_seconds=30 * DAY,
    )
    signature = sign_attestation(attestation, signer.private_key, chain.id, registry.address)
    tx = book.requestLoan(terms(usdc, principal=1_000 * USDC, apr_bps=1_000), attestation.to_abi_tuple(), signature,
                          {"from": borrower})
    loan = lens.loan(tx.return_value)
    assert loan["grade"] == result.grade_code == attestation.grade
    score = registry.validScore(borrower)
    assert score["pdBps"] == result.pd_bps
    assert score["modelId"] == "0x" + result.model_id.removeprefix("0x")
