"""Quality measures of predicted PDs against observed defaults (pure functions of arrays).

- AUC: probability that a random defaulter gets a higher PD than a random repayer.
- KS: largest gap between the PD distributions of defaulters and repayers (max TPR - FPR).
- Brier score: mean squared error of the PD against the 0/1 outcome.
- ECE (expected calibration error): rows split into `bins` groups of equal size by PD; the
  row-weighted mean of |mean PD - observed default rate| over the groups.
- ECE noise floor: the ECE that perfectly calibrated PDs would still show on the same number of
  loans (outcomes drawn from the PDs themselves); on a small set it is not zero, and an ECE
  target below it cannot be told apart from noise.
- Calibration by grade: per grade, the number of loans, mean PD and observed default rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve

from scoring.grades import GRADES, grade_for_pd_bps, pd_to_bps_up


@dataclass(frozen=True)
class GradeRow:
    grade: str
    loans: int
    mean_pd: float
    default_rate: float


def auc(defaulted: np.ndarray, risk: np.ndarray) -> float:
    """AUC of a risk score (higher = riskier); rows with a missing score are left out."""
    keep = ~np.isnan(risk)
    return float(roc_auc_score(defaulted[keep], risk[keep]))


def ks(defaulted: np.ndarray, risk: np.ndarray) -> float:
    fpr, tpr, _ = roc_curve(defaulted, risk)
    return float(np.max(tpr - fpr))


def brier(defaulted: np.ndarray, pd: np.ndarray) -> float:
    return float(brier_score_loss(defaulted, pd))


def expected_calibration_error(defaulted: np.ndarray, pd: np.ndarray, bins: int = 10) -> float:
    order = np.argsort(pd, kind="stable")
    groups = np.array_split(order, bins)
    total = len(pd)
    return float(sum(len(g) / total * abs(pd[g].mean() - defaulted[g].mean()) for g in groups if len(g)))


def ece_noise_floor(pd: np.ndarray, draws: int = 200, seed: int = 0) -> float:
    """Mean ECE of `pd` against outcomes drawn from `pd` itself (a perfectly calibrated model)."""
    rng = np.random.default_rng(seed)
    return float(np.mean([expected_calibration_error((rng.random(len(pd)) < pd).astype(np.int8), pd)
                          for _ in range(draws)]))


def grades_of(pd: np.ndarray) -> np.ndarray:
    return np.array([grade_for_pd_bps(pd_to_bps_up(float(p))) for p in pd], dtype=object)


def calibration_by_grade(defaulted: np.ndarray, pd: np.ndarray) -> list[GradeRow]:
    """One row per grade that has loans, best grade first."""
    grades = grades_of(pd)
    rows = []
    for grade in GRADES:
        mask = grades == grade
        if mask.any():
            rows.append(GradeRow(grade, int(mask.sum()), float(pd[mask].mean()), float(defaulted[mask].mean())))
    return rows


def monotone_default_rate(rows: list[GradeRow], min_loans: int = 50) -> bool:
    """True if the observed default rate never falls from a better grade to a worse one.

    Grades with fewer than `min_loans` loans are left out: their rates are mostly noise.
    """
    rates = [row.default_rate for row in rows if row.loans >= min_loans]
    return all(a <= b for a, b in zip(rates, rates[1:]))
