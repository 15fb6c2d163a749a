"""The pipeline: one Pipeline over named columns, deterministic, calibrated on held-out data."""

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline

from scoring import metrics
from scoring.evaluation import cross_validated_pd, quality
from scoring.model import PD_FLOOR, TrainConfig, fit_pipeline, predict_pd
from scoring.serving import Scorer
from scoring.train import train


def test_one_pipeline_with_a_column_transformer_over_named_columns(german_model):
    pipeline = german_model[0].pipeline
    assert isinstance(pipeline, Pipeline) and list(pipeline.named_steps) == ["features", "model"]
    features = pipeline.named_steps["features"]
    assert isinstance(features, ColumnTransformer)
    named = {name: list(columns) for name, _, columns in features.transformers_ if name != "remainder"}
    assert named == {
        "signals": ["phone_verified", "homeowner", "bank_account_verified", "employment_months", "checking_balance",
                    "savings_balance", "loan_amount", "term_months"],
        "categories": ["employment_status", "purpose"],
    }


def test_same_data_gives_the_same_model_id_and_predictions(german_data, german_model):
    again, payload = train(german_data)
    first, first_payload = german_model
    assert again.model_id == first.model_id and payload == first_payload
    assert np.array_equal(predict_pd(again.pipeline, german_data.signals),
                          predict_pd(first.pipeline, german_data.signals))


def test_different_data_gives_a_different_model_id(german_data, german_model):
    fewer = german_data.subset(np.arange(900))
    assert train(fewer)[0].model_id != german_model[0].model_id


def test_pd_is_a_probability_with_a_floor(german_model, german_data):
    pd_values = predict_pd(german_model[0].pipeline, german_data.signals)
    assert pd_values.min() >= PD_FLOOR and pd_values.max() <= 1.0


def test_all_missing_signals_still_score(registry_scorer):
    empty = pd.DataFrame({name: [np.nan] for name in registry_scorer.layout.signals})
    from scoring.validation import validate_frame
    pd_value = registry_scorer.pd_of_frame(validate_frame(empty))[0]
    assert 0 < pd_value < 1


def test_calibrated_on_held_out_data(credit_data_set):
    """Train on 75 %, check calibration on the other 25 %: ECE small, mean PD near the default rate."""
    train_idx, test_idx = train_test_split(np.arange(credit_data_set.rows), test_size=0.25, random_state=3,
                                           stratify=credit_data_set.defaulted)
    part = credit_data_set.subset(train_idx)
    held = credit_data_set.subset(test_idx)
    pd_values = predict_pd(fit_pipeline(part.signals, part.defaulted, TrainConfig()), held.signals)
    assert metrics.expected_calibration_error(held.defaulted, pd_values) < 0.04
    assert abs(pd_values.mean() - held.default_rate) < 0.03
    assert metrics.auc(held.defaulted, pd_values) > 0.68


def test_default_rate_rises_with_grade_on_held_out_data(credit_data_set):
    q = quality(credit_data_set.defaulted, cross_validated_pd(credit_data_set))
    assert q.monotone
    rates = [row.default_rate for row in q.by_grade if row.loans >= 50]
    assert rates[-1] - rates[0] > 0.4  # the grades spread risk, not just order it
    assert q.ece < 0.03


def test_prosper_targets_on_held_out_data(prosper_data):
    """Prosper (skipped without the file): calibration and monotone grades on a 25 % hold-out, and
    better ranking than ProsperScore on the same loans."""
    train_idx, test_idx = train_test_split(np.arange(prosper_data.rows), test_size=0.25, random_state=11,
                                           stratify=prosper_data.defaulted)
    part, held = prosper_data.subset(train_idx), prosper_data.subset(test_idx)
    pd_values = predict_pd(fit_pipeline(part.signals, part.defaulted, TrainConfig()), held.signals)
    q = quality(held.defaulted, pd_values)
    assert q.ece <= 0.02
    assert q.monotone
    assert q.auc > metrics.auc(held.defaulted, held.benchmarks["ProsperScore"]) + 0.03
    assert q.auc > 0.69


def test_verification_never_raises_the_pd(registry_scorer, registry_data):
    """Monotone constraints: for any profile, completing a verification cannot make the PD worse."""
    sample = registry_data.signals.sample(500, random_state=5).reset_index(drop=True)
    for signal in ("phone_verified", "income_verified"):
        before = registry_scorer.pd_of_frame(sample.assign(**{signal: 0.0}))
        after = registry_scorer.pd_of_frame(sample.assign(**{signal: 1.0}))
        assert np.all(after <= before), signal


def test_needs_both_outcomes(german_data):
    with pytest.raises(ValueError, match="both"):
        fit_pipeline(german_data.signals, np.zeros(german_data.rows, dtype=np.int8), TrainConfig())


def test_signals_without_training_data_are_not_used(registry_model):
    metadata = registry_model[0].metadata
    assert "identity_verified" in metadata["signals_without_data"]
    assert "prior_defaults" in metadata["signals_without_data"]
    assert set(metadata["signals_used"]).isdisjoint(metadata["signals_without_data"])
    scorer = Scorer(registry_model[0])
    assert "identity_verified" not in scorer.layout.signals
