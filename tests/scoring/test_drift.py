"""Population stability: zero for the training data itself, large for a shifted sample."""

import numpy as np
import pandas as pd
import pytest

from scoring.drift import SignalDrift, fit_reference, population_stability, psi, shares

USED = ["loan_amount", "term_months", "checking_balance", "purpose", "phone_verified"]


@pytest.fixture(scope="module")
def reference(german_data):
    return fit_reference(german_data.signals, USED)


def test_psi_formula():
    assert psi(np.array([0.5, 0.5]), np.array([0.5, 0.5])) == 0.0
    expected = (0.8 - 0.5) * np.log(0.8 / 0.5) + (0.2 - 0.5) * np.log(0.2 / 0.5)
    assert psi(np.array([0.5, 0.5]), np.array([0.8, 0.2])) == pytest.approx(expected)


def test_training_data_has_no_drift(reference, german_data):
    report = population_stability(reference, german_data.signals, USED)
    assert {d.signal for d in report} == set(USED)
    assert all(d.psi == pytest.approx(0.0, abs=1e-12) and d.status == "stable" for d in report)


def test_a_shifted_sample_is_major_drift_in_the_shifted_signals_only(reference, german_data):
    signals = german_data.signals
    shifted = signals.assign(loan_amount=signals["loan_amount"] * 2.5,
                             checking_balance=np.where(signals["checking_balance"].notna(), -40.0, np.nan))
    by_signal = {d.signal: d for d in population_stability(reference, shifted, USED)}
    assert by_signal["loan_amount"].status == "major" and by_signal["checking_balance"].status == "major"
    assert by_signal["term_months"].psi == pytest.approx(0.0, abs=1e-12)


def test_a_signal_that_stops_being_reported_is_drift(reference, german_data):
    gone = german_data.signals.assign(phone_verified=np.nan)
    drift = {d.signal: d for d in population_stability(reference, gone, USED)}["phone_verified"]
    assert drift.recent_missing == 1.0 and drift.training_missing == 0.0 and drift.status == "major"


def test_columns_not_in_the_file_are_not_measured(reference, german_data):
    report = population_stability(reference, german_data.signals, ["loan_amount"])
    assert [d.signal for d in report] == ["loan_amount"]


def test_unseen_category_has_its_own_bin(reference):
    bins = reference["purpose"]
    column = pd.Series(["vehicle", "a-new-purpose", None], dtype=object)
    counts = shares(bins, column) * 3
    assert counts[bins["values"].index("vehicle")] == 1 and counts[-2] == 1 and counts[-1] == 1


def test_status_thresholds():
    assert [SignalDrift("x", v, 0, 0).status for v in (0.05, 0.1, 0.2, 0.26)] == [
        "stable", "stable", "moderate", "major"]
