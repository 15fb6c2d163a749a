"""A fitted HistGradientBoostingClassifier's trees as flat arrays, evaluated with numpy.

scikit-learn's predict walks each of the ensemble's trees in its own OpenMP region, which costs
milliseconds for a single row. For the few rows of one profile (plus its counterfactuals) this
evaluator walks all trees at once, level by level, with numpy indexing (well under a
millisecond). It reads the booster's internal `_predictors` node arrays, which are not public
API, so `CompiledTrees.compile` refuses anything unexpected (categorical splits, several
outputs) and the caller verifies the result against `decision_function` bit for bit before
using it; otherwise serving falls back to scikit-learn's own predict.
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier


class CompiledTrees:
    """Sum of leaf values of every tree plus the baseline: the booster's raw log-odds."""

    def __init__(self, baseline: float, feature: np.ndarray, threshold: np.ndarray, missing_left: np.ndarray,
                 left: np.ndarray, right: np.ndarray, is_leaf: np.ndarray, value: np.ndarray, depth: int):
        self.baseline_ = baseline
        self.n_trees_ = feature.shape[0]
        width = feature.shape[1]
        # Flat arrays indexed by tree * width + node; child pointers already include the tree offset.
        # A leaf (and a padding node) is its own left, right and missing child, so walking `depth`
        # levels from every root ends on every tree's leaf with no test for leaves.
        offset = (np.arange(self.n_trees_) * width)[:, None]
        node = np.arange(width)[None, :] + offset
        left = np.where(is_leaf, node, left + offset)
        right = np.where(is_leaf, node, right + offset)
        self.feature_ = np.where(is_leaf, 0, feature).ravel()
        self.threshold_ = threshold.ravel()
        self.left_ = left.ravel()
        self.right_ = right.ravel()
        self.missing_ = np.where(missing_left, left, right).ravel()
        self.value_ = value.ravel()
        self.roots_ = offset.ravel()
        self.depth_ = depth

    @classmethod
    def compile(cls, booster: HistGradientBoostingClassifier) -> "CompiledTrees":
        predictors = getattr(booster, "_predictors", None)
        baseline = np.asarray(getattr(booster, "_baseline_prediction", np.nan)).ravel()
        if not predictors or baseline.size != 1 or any(len(p) != 1 for p in predictors):
            raise ValueError("only single-output (binary) boosters can be compiled")
        nodes = [p[0].nodes for p in predictors]
        if any(n["is_categorical"].any() for n in nodes):
            raise ValueError("categorical splits are not supported (the pipeline one-hot encodes categories)")
        width = max(len(n) for n in nodes)
        shape = (len(nodes), width)
        feature = np.zeros(shape, dtype=np.intp)
        threshold = np.zeros(shape)
        missing_left = np.zeros(shape, dtype=bool)
        left = np.zeros(shape, dtype=np.intp)
        right = np.zeros(shape, dtype=np.intp)
        is_leaf = np.ones(shape, dtype=bool)  # padding nodes are never reached
        value = np.zeros(shape)
        for t, n in enumerate(nodes):
            k = len(n)
            feature[t, :k] = n["feature_idx"]
            threshold[t, :k] = n["num_threshold"]
            missing_left[t, :k] = n["missing_go_to_left"].astype(bool)
            left[t, :k] = n["left"]
            right[t, :k] = n["right"]
            is_leaf[t, :k] = n["is_leaf"].astype(bool)
            value[t, :k] = n["value"]
        depth = int(max(n["depth"].max() for n in nodes))
        return cls(float(baseline[0]), feature, threshold, missing_left, left, right, is_leaf, value, depth)

    def raw(self, matrix: np.ndarray) -> np.ndarray:
        """Raw log-odds for each row of the model matrix, summed in the booster's order."""
        rows = matrix.shape[0]
        node = np.tile(self.roots_, (rows, 1))
        row_base = (np.arange(rows) * matrix.shape[1])[:, None]
        flat = matrix.ravel()
        for _ in range(self.depth_):
            x = flat[row_base + self.feature_[node]]
            child = np.where(x <= self.threshold_[node], self.left_[node], self.right_[node])
            node = np.where(np.isnan(x), self.missing_[node], child)
        leaves = self.value_[node]
        # scikit-learn adds tree by tree onto the baseline; cumsum adds in the same order, so the
        # result is identical to the last bit (a pairwise sum would not be).
        terms = np.concatenate([np.full((rows, 1), self.baseline_), leaves], axis=1)
        return np.cumsum(terms, axis=1)[:, -1]
