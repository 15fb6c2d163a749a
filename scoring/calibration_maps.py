"""Monotone maps from a model's PD to a recalibrated PD, and the calibrator that applies one.

Recalibration keeps a model's trees and changes only what its PDs mean (scoring.recalibrate).
Both maps are non-decreasing in the PD, so the ranking of borrowers, and therefore the AUC and
the order of grades, are kept:

- `PlattMap`: logistic regression on the logit of the PD, PD' = sigmoid(a * logit(PD) + b),
  fitted by maximum likelihood with a >= 0 (a map that reverses the model's ranking is not a
  recalibration). With a > 0 it is strictly increasing, so the AUC is kept exactly; two
  parameters, so it needs few loans. a = 0 means the model does not rank these loans at all
  (every PD becomes the observed default rate): scoring.recalibrate refuses to ship that.
- `IsotonicMap`: the best non-decreasing step function (pool-adjacent-violators). Follows any
  shape of miscalibration but needs many loans, and its flat steps tie borrowers the model had
  ranked apart, which can cost a little AUC.

`MappedCalibrator` stands in for the fitted calibrator inside the pipeline's
CalibratedClassifierCV: it has the same `predict(raw log-odds) -> probability` contract, so the
pipeline, the Scorer's fast path and the artifact format stay as they are.

`calibration_function` gives the Scorer the same computation without scikit-learn's per-call
input validation (most of the cost of scoring one profile); the Scorer checks that it agrees
with `predict` bit for bit before using it.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from sklearn.isotonic import IsotonicRegression

from scoring.model import PD_FLOOR, floor_pd

# Logit inputs are clipped here: a PD of exactly 0 or 1 has no logit.
LOGIT_EPSILON = 1e-9


def logit(pd: np.ndarray) -> np.ndarray:
    clipped = np.clip(np.asarray(pd, dtype=float), LOGIT_EPSILON, 1.0 - LOGIT_EPSILON)
    return np.log(clipped / (1.0 - clipped))


class PlattMap:
    """PD' = sigmoid(a * logit(PD) + b), maximum likelihood with the slope a >= 0, unpenalised."""

    name = "platt"

    def fit(self, pd: np.ndarray, defaulted: np.ndarray) -> "PlattMap":
        x, y = logit(pd), np.asarray(defaulted, dtype=float)

        def loss_and_gradient(params: np.ndarray) -> tuple[float, np.ndarray]:
            z = params[0] * x + params[1]
            residual = expit(z) - y  # d(log loss)/dz
            return float(np.sum(np.logaddexp(0.0, z) - y * z)), np.array([residual @ x, residual.sum()])

        rate = np.clip(y.mean(), LOGIT_EPSILON, 1 - LOGIT_EPSILON)
        start = np.array([1.0, 0.0]) if 0 < y.mean() < 1 else np.array([0.0, np.log(rate / (1 - rate))])
        result = minimize(loss_and_gradient, start, jac=True, method="L-BFGS-B", bounds=[(0.0, None), (None, None)])
        self.slope_, self.intercept_ = float(result.x[0]), float(result.x[1])
        return self

    def predict(self, pd: np.ndarray) -> np.ndarray:
        return expit(self.slope_ * logit(pd) + self.intercept_)

    def describe(self) -> dict:
        return {"method": self.name, "slope": self.slope_, "intercept": self.intercept_}


class IsotonicMap:
    """Non-decreasing step function of the PD, flat beyond the fitted range."""

    name = "isotonic"

    def fit(self, pd: np.ndarray, defaulted: np.ndarray) -> "IsotonicMap":
        self.regression_ = IsotonicRegression(y_min=PD_FLOOR, y_max=1.0, increasing=True, out_of_bounds="clip")
        self.regression_.fit(np.asarray(pd, dtype=float), defaulted)
        return self

    def predict(self, pd: np.ndarray) -> np.ndarray:
        return self.regression_.predict(np.asarray(pd, dtype=float))

    def describe(self) -> dict:
        return {"method": self.name, "steps": int(len(self.regression_.X_thresholds_))}


class MappedCalibrator:
    """A fitted calibrator followed by a monotone map of its (floored) PD."""

    def __init__(self, base, pd_map):
        self.base = base
        self.pd_map = pd_map

    def predict(self, raw: np.ndarray) -> np.ndarray:
        return self.pd_map.predict(floor_pd(self.base.predict(raw)))


def calibration_function(calibrator) -> Callable[[np.ndarray], np.ndarray]:
    """raw log-odds -> probability, as `calibrator.predict` computes it, in plain numpy where the
    calibrator's form is known (Platt's sigmoid, a mapped calibrator); its own predict otherwise."""
    if isinstance(calibrator, MappedCalibrator):
        base, pd_map = calibration_function(calibrator.base), calibrator.pd_map
        return lambda raw: pd_map.predict(floor_pd(base(raw)))
    if type(calibrator).__name__ == "_SigmoidCalibration":  # scikit-learn's: expit(-(a * raw + b))
        slope, intercept = calibrator.a_, calibrator.b_
        return lambda raw: expit(-(slope * raw + intercept))
    return calibrator.predict
