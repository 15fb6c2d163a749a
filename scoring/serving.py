"""Score profiles with a trained artifact: PD, pdBps, grade, score, reasons, verification hint.

Two paths give identical numbers (checked when a Scorer is built):
- a few rows (one profile and its counterfactuals): records are encoded from the matrix layout
  and the trees evaluated with numpy (scoring.layout, scoring.trees): under a millisecond;
- many rows: frames encoded column by column from the layout, and scikit-learn's binned predict
  (the matrix mapped once to the booster's bins, then every tree in compiled code, no per-row
  Python; `threads` OpenMP threads, 1 by default so that web workers and other processes
  sharing the machine are not oversubscribed; rows are independent, so the thread count never
  changes a number).
If the layout does not reproduce the fitted ColumnTransformer exactly, frames go through the
transformer; if the numpy trees or the binned predict do not reproduce scikit-learn's
decision_function exactly, that path uses decision_function itself (`Scorer.fast_path` says
whether the numpy trees are used).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from scoring import explain
from scoring.artifact import ModelArtifact
from scoring.calibration_maps import calibration_function
from scoring.grades import BPS, grade_code, grade_for_pd_bps, score_for_pd_bps
from scoring.layout import Layout, canonical_value
from scoring.model import floor_pd
from scoring.schema import CATEGORY_COLUMNS, COLUMNS, SignalRecord
from scoring.trees import CompiledTrees
from scoring.validation import records_to_frame

FAST_PATH_MAX_ROWS = 256
PROBE_ROWS = 512

# bps -> grade code / score, built from the pure functions, so vectorised scoring agrees exactly.
_GRADE_CODE_OF_BPS = np.array([grade_code(grade_for_pd_bps(b)) for b in range(BPS + 1)], dtype=np.int8)
_SCORE_OF_BPS = np.array([score_for_pd_bps(b) for b in range(BPS + 1)], dtype=np.int16)


@dataclass(frozen=True)
class ScoreResult:
    pd: float
    pd_bps: int  # rounded up, as attested on chain
    grade: str
    grade_code: int  # 1 (A+) .. 9 (E)
    score: int  # 0..100
    reasons: tuple[explain.Reason, ...]
    next_verification: explain.Verification | None
    bank_link: explain.Verification | None  # what linking a bank account would do (None: linked already)
    model_id: str


def pd_bps_array(pd: np.ndarray) -> np.ndarray:
    """Vectorised `grades.pd_to_bps_up`."""
    return np.minimum(BPS, np.ceil(np.round(pd * BPS, 9))).astype(np.int64)


class Scorer:
    """Scores canonical frames or records with one artifact."""

    def __init__(self, artifact: ModelArtifact, threads: int | None = 1):
        self.artifact = artifact
        self.threads = threads
        self.model_id = artifact.model_id
        self.references = dict(artifact.references)
        features = artifact.pipeline.named_steps["features"]
        calibrated = artifact.pipeline.named_steps["model"]
        if len(calibrated.calibrated_classifiers_) != 1:
            raise ValueError("expected one calibrated classifier (ensemble=False)")
        self._features = features
        self._booster = calibrated.calibrated_classifiers_[0].estimator
        self._calibrator = calibrated.calibrated_classifiers_[0].calibrators[0]
        self._calibrate = self._fast_calibration()
        self.layout = Layout.of(features)
        self.counterfactuals = explain.Counterfactuals.plan(self.layout, self.references, artifact.link_profile)
        self._layout_verified = self.layout.verify(features, self._probe_frame())
        probe = self._probe_matrix()
        with threadpool_limits(limits=self.threads):
            expected = self._booster.decision_function(probe)
            binned_exact = np.array_equal(self._binned_raw(probe), expected)
        self._batch_raw = self._binned_raw if binned_exact else self._booster.decision_function
        self._trees = self._compile_trees(probe, expected) if self._layout_verified else None
        self.fast_path = self._trees is not None

    @property
    def tree_count(self) -> int:
        """Trees in the booster (one per boosting iteration)."""
        return len(self._booster._predictors) if self._trees is None else self._trees.n_trees_

    # -- PDs ---------------------------------------------------------------------------------

    def pd_of_matrix(self, matrix: np.ndarray) -> np.ndarray:
        if self._trees is not None and len(matrix) <= FAST_PATH_MAX_ROWS:
            raw = self._trees.raw(matrix)
        else:
            with threadpool_limits(limits=self.threads):
                raw = self._batch_raw(matrix)
        return floor_pd(self._calibrate(raw))

    def pd_of_frame(self, signals: pd.DataFrame) -> np.ndarray:
        """PD for each row of a canonical frame."""
        return self.pd_of_matrix(self._matrix_of_frame(signals))

    # -- scoring -----------------------------------------------------------------------------

    def score_record(self, record: SignalRecord, explain_score: bool = True) -> ScoreResult:
        """One profile, on the fast path (no pandas)."""
        values = {name: canonical_value(name, getattr(record, name)) for name in COLUMNS}
        return self._score_rows([values], self.layout.encode([values]), explain_score)[0]

    def score_records(self, records: Iterable[SignalRecord], explain_score: bool = True) -> list[ScoreResult]:
        return self.score_frame(records_to_frame(records), explain_score)

    def score_frame(self, signals: pd.DataFrame, explain_score: bool = True) -> list[ScoreResult]:
        """Every row of a canonical frame (see scoring.validation.validate_frame)."""
        rows = signals[list(COLUMNS)].to_dict("records")
        return self._score_rows(rows, self._matrix_of_frame(signals), explain_score)

    def score_arrays(self, signals: pd.DataFrame) -> dict[str, np.ndarray]:
        """Vectorised pd, pd_bps, grade_code and score for many rows (no reasons)."""
        pd_values = self.pd_of_frame(signals)
        bps = pd_bps_array(pd_values)
        return {"pd": pd_values, "pd_bps": bps, "grade_code": _GRADE_CODE_OF_BPS[bps], "score": _SCORE_OF_BPS[bps]}

    # -- internals ---------------------------------------------------------------------------

    def _matrix_of_frame(self, signals: pd.DataFrame) -> np.ndarray:
        return self.layout.encode_frame(signals) if self._layout_verified else self._features.transform(signals)

    def _score_rows(self, rows: list[Mapping[str, Any]], matrix: np.ndarray, explain_score: bool
                    ) -> list[ScoreResult]:
        plan = self.counterfactuals
        if explain_score:  # the rows and their counterfactuals in one pass through the trees
            all_pd = self.pd_of_matrix(np.concatenate([matrix, plan.matrix(matrix)]))
            pd_values = all_pd[:len(rows)]
            changed_bps = pd_bps_array(all_pd[len(rows):]).reshape(len(plan.edits), len(rows))
        else:
            pd_values = self.pd_of_matrix(matrix)
        base_bps = pd_bps_array(pd_values)
        results = []
        for i, values in enumerate(rows):
            bps = int(base_bps[i])
            reasons: tuple[explain.Reason, ...] = ()
            hint = link = None
            if explain_score:
                reference_bps = {s: int(changed_bps[k, i]) for s, k in plan.at_reference.items()}
                verified_bps = {s: int(changed_bps[k, i]) for s, k in plan.verified.items()}
                reasons = explain.reasons_for(values, bps, self.references, reference_bps)
                hint = explain.best_verification(values, bps, verified_bps)
                link = explain.bank_link_effect(values, verified_bps)
            grade = grade_for_pd_bps(bps)
            results.append(ScoreResult(float(pd_values[i]), bps, grade, grade_code(grade), score_for_pd_bps(bps),
                                       reasons, hint, link, self.model_id))
        return results

    def _fast_calibration(self) -> Callable[[np.ndarray], np.ndarray]:
        """The calibrator without scikit-learn's input checks, if it agrees exactly on a spread of raw log-odds."""
        fast = calibration_function(self._calibrator)
        probe = np.concatenate([np.linspace(-12.0, 12.0, 481), [-40.0, 40.0, 0.0]])
        return fast if np.array_equal(fast(probe), self._calibrator.predict(probe)) else self._calibrator.predict

    def _binned_raw(self, matrix: np.ndarray) -> np.ndarray:
        """Raw log-odds of many rows by scikit-learn's own binned prediction (what it uses during
        fit): the matrix is mapped once to the booster's small-integer bins and every tree compares
        bins instead of floats, summed onto the baseline as `decision_function` does; about 1.4
        times faster. Used only if it agrees exactly on the probe rows."""
        booster = self._booster
        raw = np.zeros((len(matrix), 1), order="F")
        raw += booster._baseline_prediction
        booster._predict_iterations(booster._bin_mapper.transform(matrix), booster._predictors, raw,
                                    is_binned=True, n_threads=self.threads or os.cpu_count())
        return raw[:, 0]

    def _compile_trees(self, probe: np.ndarray, expected: np.ndarray) -> CompiledTrees | None:
        """The numpy evaluator, if it reproduces the booster's raw log-odds `expected` exactly on `probe`."""
        try:
            trees = CompiledTrees.compile(self._booster)
        except (AttributeError, KeyError, ValueError, TypeError):
            return None
        return trees if np.array_equal(trees.raw(probe), expected) else None

    def _probe_frame(self) -> pd.DataFrame:
        """Canonical rows exercising every used column: all missing, the references, each category
        value, and a distinct number in every numeric column (to catch a column mix-up)."""
        rows: list[dict[str, Any]] = [{}, dict(self.references)]
        for signal, (_, values) in self.layout.categories.items():
            rows += [{signal: value} for value in values]
        rows.append({signal: k + 0.5 for k, signal in enumerate(self.layout.numeric)})
        frame = pd.DataFrame(rows, columns=list(COLUMNS))
        for name in COLUMNS:
            frame[name] = frame[name].astype(object if name in CATEGORY_COLUMNS else np.float64)
        return frame

    def _probe_matrix(self) -> np.ndarray:
        """Rows that reach many branches: values at, just around and far from every split threshold, and NaN."""
        rng = np.random.default_rng(0)
        nodes = np.concatenate([tree.nodes for trees in self._booster._predictors for tree in trees])
        splits = nodes[nodes["is_leaf"] == 0]
        probe = np.empty((PROBE_ROWS, self.layout.width))
        for column in range(self.layout.width):
            used = splits["num_threshold"][splits["feature_idx"] == column]
            pool = np.concatenate([used, np.nextafter(used, np.inf), np.nextafter(used, -np.inf),
                                   [np.nan, -1e12, 1e12, 0.0, 1.0]])
            probe[:, column] = rng.choice(pool, PROBE_ROWS)
        return probe
