"""Quality measures on hand-checkable inputs."""

import numpy as np
import pytest

from scoring import metrics
from scoring.metrics import GradeRow


def test_auc_and_ks_of_perfect_and_reversed_scores():
    y = np.array([0, 0, 1, 1])
    assert metrics.auc(y, np.array([0.1, 0.2, 0.8, 0.9])) == 1.0
    assert metrics.auc(y, np.array([0.9, 0.8, 0.2, 0.1])) == 0.0
    assert metrics.ks(y, np.array([0.1, 0.2, 0.8, 0.9])) == 1.0


def test_auc_ignores_missing_scores():
    y = np.array([0, 1, 1])
    assert metrics.auc(y, np.array([0.1, np.nan, 0.9])) == 1.0


def test_brier_and_ece():
    y = np.array([0, 1] * 50)
    pd = np.full(100, 0.5)
    assert metrics.brier(y, pd) == pytest.approx(0.25)
    assert metrics.expected_calibration_error(y, pd) == pytest.approx(0.0)
    assert metrics.expected_calibration_error(y, np.full(100, 0.8)) == pytest.approx(0.3)


def test_calibration_by_grade_groups_by_pd_band():
    pd = np.array([0.01, 0.01, 0.2, 0.2, 0.2, 0.9])
    y = np.array([0, 0, 0, 1, 0, 1])
    rows = metrics.calibration_by_grade(y, pd)
    assert [(r.grade, r.loans) for r in rows] == [("A+", 2), ("C", 3), ("E", 1)]
    assert rows[1].default_rate == pytest.approx(1 / 3) and rows[1].mean_pd == pytest.approx(0.2)


def test_monotone_check_ignores_tiny_grades():
    rows = [GradeRow("A", 100, 0.02, 0.02), GradeRow("B", 5, 0.08, 0.0), GradeRow("C", 100, 0.25, 0.2)]
    assert metrics.monotone_default_rate(rows, min_loans=50)
    assert not metrics.monotone_default_rate(rows, min_loans=1)


def test_ece_noise_floor_shrinks_with_more_loans():
    """Perfectly calibrated PDs still show an ECE on a finite sample, about 1/sqrt(loans per bin)."""
    import numpy as np

    from scoring.metrics import ece_noise_floor

    pd_values = np.random.default_rng(1).uniform(0.1, 0.5, 10_000)
    small, large = ece_noise_floor(pd_values[:1_000], draws=50), ece_noise_floor(pd_values, draws=50)
    assert 0.02 < small < 0.05 and large < small / 2.5
