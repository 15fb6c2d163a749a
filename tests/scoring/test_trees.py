"""The numpy tree evaluator reproduces scikit-learn's decision_function bit for bit."""

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from scoring.trees import CompiledTrees


@pytest.fixture(scope="module")
def booster_and_data():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3000, 6))
    X[rng.random(X.shape) < 0.15] = np.nan
    y = (np.nan_to_num(X[:, 0]) + 0.5 * np.nan_to_num(X[:, 1]) + rng.normal(size=3000) > 0.3).astype(int)
    booster = HistGradientBoostingClassifier(max_iter=60, max_leaf_nodes=8, random_state=0).fit(X, y)
    return booster, X


def test_identical_raw_predictions(booster_and_data):
    booster, X = booster_and_data
    trees = CompiledTrees.compile(booster)
    assert np.array_equal(trees.raw(X[:200]), booster.decision_function(X[:200]))
    assert np.array_equal(trees.raw(X[:1]), booster.decision_function(X[:1]))


def test_missing_values_follow_the_learned_direction(booster_and_data):
    booster, _ = booster_and_data
    all_missing = np.full((1, 6), np.nan)
    assert np.array_equal(CompiledTrees.compile(booster).raw(all_missing), booster.decision_function(all_missing))


def test_categorical_boosters_are_refused():
    rng = np.random.default_rng(2)
    X = np.column_stack([rng.integers(0, 4, 500), rng.normal(size=500)])
    y = (X[:, 0] == 2).astype(int)
    booster = HistGradientBoostingClassifier(max_iter=5, categorical_features=[0], random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="categorical"):
        CompiledTrees.compile(booster)
