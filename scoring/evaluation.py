"""Held-out evaluation: cross-validated PDs, transfer between data sets, reference baselines.

Every number here is measured on rows the model did not see: k-fold out-of-fold predictions
within a data set (the calibrator's own inner folds stay inside each training fold), or a
model trained on one data set and applied to another (transfer).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from scoring import metrics
from scoring.adapters.base import LabelledData
from scoring.model import TrainConfig, fit_pipeline, predict_pd

FOLDS = 5


@dataclass(frozen=True)
class Quality:
    """Discrimination and calibration of PDs on held-out rows."""

    loans: int
    default_rate: float
    mean_pd: float
    auc: float
    ks: float
    brier: float
    ece: float
    by_grade: tuple[metrics.GradeRow, ...]
    monotone: bool

    def to_dict(self) -> dict:
        return asdict(self)


def quality(defaulted: np.ndarray, pd: np.ndarray) -> Quality:
    rows = metrics.calibration_by_grade(defaulted, pd)
    return Quality(
        loans=len(pd),
        default_rate=float(defaulted.mean()),
        mean_pd=float(pd.mean()),
        auc=metrics.auc(defaulted, pd),
        ks=metrics.ks(defaulted, pd),
        brier=metrics.brier(defaulted, pd),
        ece=metrics.expected_calibration_error(defaulted, pd),
        by_grade=tuple(rows),
        monotone=metrics.monotone_default_rate(rows),
    )


def folds(data: LabelledData, seed: int, k: int = FOLDS) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified by outcome and by source, so pooled sets keep their mix in every fold."""
    strata = np.char.add(data.source.astype(str), data.defaulted.astype(str))
    return list(StratifiedKFold(k, shuffle=True, random_state=seed).split(data.signals, strata))


def cross_validated_pd(data: LabelledData, config: TrainConfig = TrainConfig(), k: int = FOLDS) -> np.ndarray:
    """Out-of-fold PD for every row (each row predicted by a model fitted without it)."""
    pd_out = np.empty(data.rows)
    for train, test in folds(data, config.seed, k):
        part = data.subset(train)
        pipeline = fit_pipeline(part.signals, part.defaulted, config)
        pd_out[test] = predict_pd(pipeline, data.signals.iloc[test])
    return pd_out


def transfer_pd(train: LabelledData, test: LabelledData, config: TrainConfig = TrainConfig()) -> np.ndarray:
    """PD for `test` from a model fitted on all of `train`."""
    return predict_pd(fit_pipeline(train.signals, train.defaulted, config), test.signals)


def logistic_baseline_pd(data: LabelledData, seed: int = 0, k: int = FOLDS) -> np.ndarray:
    """Out-of-fold PD of a plain logistic regression on the same schema signals (a reference)."""
    observed = data.observed_signals()
    numeric = [c for c in observed if data.signals[c].dtype != object]
    categorical = [c for c in observed if data.signals[c].dtype == object]
    transformer = ColumnTransformer([
        ("numeric", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), numeric),
        ("categories", make_pipeline(SimpleImputer(strategy="constant", fill_value="missing"),
                                     OneHotEncoder(handle_unknown="ignore")), categorical),
    ])
    model = Pipeline([("features", transformer), ("model", LogisticRegression(max_iter=2000))])
    splits = folds(data, seed, k)
    return cross_val_predict(model, data.signals, data.defaulted, cv=splits, method="predict_proba")[:, 1]


def logistic_on_frame_auc(frame: pd.DataFrame, defaulted: np.ndarray, seed: int = 0, k: int = FOLDS) -> float:
    """Cross-validated AUC of a plain logistic regression on every column of an arbitrary frame.

    Used only to show what a source's full, out-of-schema columns would give (German credit).
    """
    categorical = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    numeric = [c for c in frame.columns if c not in categorical]
    transformer = ColumnTransformer([
        ("numeric", StandardScaler(), numeric),
        ("categories", OneHotEncoder(handle_unknown="ignore"), categorical),
    ])
    model = Pipeline([("features", transformer), ("model", LogisticRegression(max_iter=2000))])
    cv = StratifiedKFold(k, shuffle=True, random_state=seed)
    pd_out = cross_val_predict(model, frame.astype({c: str for c in categorical}), defaulted, cv=cv,
                               method="predict_proba")[:, 1]
    return metrics.auc(defaulted, pd_out)


def booster_auc_with(data: LabelledData, extra: pd.DataFrame | None, config: TrainConfig = TrainConfig(),
                     k: int = FOLDS) -> float:
    """Cross-validated AUC of the same boosted trees (uncalibrated, unconstrained) on the observed
    signals plus `extra` columns: a diagnostic of what columns outside the schema would add."""
    frame = data.signals[data.observed_signals()].copy()
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].astype("category")
    if extra is not None:
        frame = pd.concat([frame, extra.reset_index(drop=True)], axis=1)
    booster = HistGradientBoostingClassifier(
        learning_rate=config.learning_rate, max_iter=config.max_iter, max_leaf_nodes=config.max_leaf_nodes,
        min_samples_leaf=config.min_samples_leaf, l2_regularization=config.l2_regularization,
        categorical_features="from_dtype", early_stopping=False, random_state=config.seed,
    )
    with threadpool_limits(limits=1):
        pd_out = cross_val_predict(booster, frame, data.defaulted, cv=folds(data, config.seed, k),
                                   method="predict_proba")[:, 1]
    return metrics.auc(data.defaulted, pd_out)
