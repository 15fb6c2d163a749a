"""Reason codes and the verification hint: pure functions tested directly, then through a model
trained on synthetic profiles whose true effects are known."""

import numpy as np

from scoring.explain import Reason, Verification, bank_link_effect, best_verification, reasons_for, state_of
from scoring.grades import pd_to_bps_up
from scoring.schema import SignalRecord
from scoring.serving import Scorer
from scoring.validation import records_to_frame

REFERENCES = {"income_verified": 1.0, "bureau_score": 780.0, "purpose": "vehicle", "loan_amount": 1000.0}


def test_reasons_are_signals_that_cost_pd_largest_first():
    values = {"income_verified": 0.0, "bureau_score": np.nan, "purpose": "business", "loan_amount": 1000.0}
    reference_bps = {"income_verified": 1500, "bureau_score": 1200, "purpose": 1990, "loan_amount": 2000}
    reasons = reasons_for(values, 2000, REFERENCES, reference_bps)
    assert reasons == (Reason("bureau_score", "missing", 800), Reason("income_verified", "no", 500),
                       Reason("purpose", "business", 10))  # loan_amount is at its reference: no reason


def test_signals_at_or_better_than_reference_are_not_reasons():
    values = {"income_verified": 1.0, "bureau_score": 800.0, "purpose": "vehicle", "loan_amount": 1000.0}
    reference_bps = {"income_verified": 900, "bureau_score": 905, "purpose": 900, "loan_amount": 900}
    assert reasons_for(values, 900, REFERENCES, reference_bps) == ()


def test_reason_code_format():
    assert Reason("bureau_score", "low", 812).code() == "bureau_score:low:+812bps"


def test_state_words():
    assert state_of("bureau_score", 600.0, 780.0) == "low"
    assert state_of("loan_amount", 9000.0, 1000.0) == "high"
    assert state_of("income_verified", 0.0, 1.0) == "no"
    assert state_of("purpose", "business", "vehicle") == "business"
    assert state_of("homeowner", np.nan, 1.0) == "missing"


def test_best_verification_picks_the_largest_drop_and_skips_done_ones():
    values = {"phone_verified": 0.0, "income_verified": np.nan, "identity_verified": 1.0}
    hint = best_verification(values, 2000, {"phone_verified": 1900, "income_verified": 1500,
                                            "identity_verified": 100})
    assert hint == Verification("income_verified", 1500, "C+")


def test_no_hint_when_nothing_lowers_the_pd():
    assert best_verification({"phone_verified": 0.0}, 700, {"phone_verified": 700}) is None


# -- through a model -------------------------------------------------------------------------

def test_unverified_income_is_a_reason_and_the_best_verification(synthetic_scorer):
    result = synthetic_scorer.score_record(SignalRecord(
        income_verified=False, phone_verified=False, bureau_score=690, monthly_income=4000,
        debt_to_income=0.3, purpose="vehicle"))
    assert "income_verified" in [r.signal for r in result.reasons]
    assert result.next_verification is not None and result.next_verification.signal == "income_verified"
    assert result.next_verification.pd_bps < result.pd_bps


def test_verified_profile_does_not_list_income_verification(synthetic_scorer):
    result = synthetic_scorer.score_record(SignalRecord(
        income_verified=True, phone_verified=True, bureau_score=690, monthly_income=4000, debt_to_income=0.3))
    assert "income_verified" not in [r.signal for r in result.reasons]
    assert result.next_verification is None  # identity/email have no data; phone has no effect


def test_reasons_reflect_the_true_drivers(synthetic_scorer):
    result = synthetic_scorer.score_record(SignalRecord(
        income_verified=True, bureau_score=560, monthly_income=1500, debt_to_income=0.55, purpose="business"))
    top = [r.signal for r in result.reasons[:3]]
    assert set(top) == {"bureau_score", "monthly_income", "debt_to_income"}
    states = {r.signal: r.state for r in result.reasons}
    assert states["bureau_score"] == "low" and states["debt_to_income"] == "high"


def test_missing_bureau_score_is_a_reason(synthetic_scorer):
    result = synthetic_scorer.score_record(SignalRecord(income_verified=True, monthly_income=4000,
                                                        debt_to_income=0.3))
    assert any(r.signal == "bureau_score" and r.state == "missing" for r in result.reasons)


def test_signals_without_data_never_appear(synthetic_scorer):
    result = synthetic_scorer.score_record(SignalRecord(prior_defaults=5, identity_verified=False,
                                                        wallet_age_days=1))
    assert not {r.signal for r in result.reasons} & {"prior_defaults", "identity_verified", "wallet_age_days"}
    assert result.next_verification is None or result.next_verification.signal != "identity_verified"


def test_every_score_has_reasons_unless_at_the_best_values(synthetic_scorer, synthetic_data):
    results = synthetic_scorer.score_frame(synthetic_data.signals.iloc[:300])
    with_reasons = sum(1 for r in results if r.reasons)
    assert with_reasons >= 295
    for r in results:
        assert all(reason.pd_bps > 0 for reason in r.reasons)
        assert [x.pd_bps for x in r.reasons] == sorted((x.pd_bps for x in r.reasons), reverse=True)


def test_bank_link_effect_is_reported_only_without_a_link():
    assert bank_link_effect({"bank_account_verified": 0.0}, {"bank_account_verified": 900}) == Verification(
        "bank_account_verified", 900, "B")
    assert bank_link_effect({"bank_account_verified": 1.0}, {"bank_account_verified": 900}) is None
    assert bank_link_effect({}, {"phone_verified": 900}) is None  # the model has no bank link


def test_a_borrower_without_a_bank_link_is_told_what_linking_would_do(german_model):
    """German credit: no checking account is the riskiest band, so a typical linked account
    (the training median, 80 USD) lowers the PD; the hint and the CSV say by how much."""
    trained = german_model[0]
    assert trained.link_profile["bank_account_verified"] == 1.0
    assert trained.link_profile["checking_balance"] == 80.0
    scorer = Scorer(trained)
    unlinked = scorer.score_record(SignalRecord(bank_account_verified=False, loan_amount=3000, term_months=24))
    assert unlinked.bank_link is not None and unlinked.bank_link.pd_bps < unlinked.pd_bps
    linked_pd = scorer.pd_of_frame(records_to_frame([SignalRecord(
        loan_amount=3000, term_months=24, **{k: v for k, v in trained.link_profile.items()})]))[0]
    assert unlinked.bank_link.pd_bps == pd_to_bps_up(float(linked_pd))  # the model's own PD for that profile
    assert unlinked.next_verification == unlinked.bank_link  # phone verification helps less here
    linked = scorer.score_record(SignalRecord(bank_account_verified=True, checking_balance=-40.0,
                                              loan_amount=3000, term_months=24))
    assert linked.bank_link is None
    assert "checking_balance" in [r.signal for r in linked.reasons]  # overdrawn costs PD
