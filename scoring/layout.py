"""Where each signal lives in a fitted pipeline's model matrix, and fast encoding of a few rows.

The fitted ColumnTransformer (scoring.features) is the reference encoder. For one profile its
pandas machinery costs milliseconds, so serving encodes records directly from this layout; the
result is checked against the ColumnTransformer whenever a layout is built (see `Layout.verify`).
Counterfactuals for reason codes ("this signal at its reference value") are also written here,
in matrix space, so they cost no re-encoding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer

from scoring.schema import COLUMNS, SPECS, Kind, is_missing


@dataclass(frozen=True)
class Layout:
    """Column positions of a fitted feature transformer's output."""

    width: int
    numeric: dict[str, int]  # flag or number signal -> its column
    categories: dict[str, tuple[int, tuple[str, ...]]]  # category signal -> (first column, values)

    @classmethod
    def of(cls, features: ColumnTransformer) -> "Layout":
        fitted = {name: columns for name, _, columns in features.transformers_}
        numeric = {name: i for i, name in enumerate(fitted["signals"])}
        categories = {}
        start = len(numeric)
        encoder = features.named_transformers_["categories"]
        for name, values in zip(fitted["categories"], getattr(encoder, "categories_", [])):
            categories[name] = (start, tuple(str(v) for v in values))
            start += len(values)
        layout = cls(start, numeric, categories)
        expected = list(numeric) + [f"{n}_{v}" for n, (_, vs) in categories.items() for v in vs]
        if list(features.get_feature_names_out()) != expected:
            raise ValueError("unexpected feature transformer layout; rebuild the model with scoring.features")
        return layout

    @property
    def signals(self) -> list[str]:
        """Signals the model uses, in schema order."""
        return [name for name in COLUMNS if name in self.numeric or name in self.categories]

    def encode(self, rows: list[Mapping[str, Any]]) -> np.ndarray:
        """Model matrix for canonical rows (flags/numbers as floats or NaN, categories as str)."""
        matrix = np.zeros((len(rows), self.width))
        for i, row in enumerate(rows):
            for name, column in self.numeric.items():
                value = row.get(name)
                matrix[i, column] = np.nan if is_missing(value) else float(value)
            for name, (start, values) in self.categories.items():
                value = row.get(name)
                if not is_missing(value) and value in values:
                    matrix[i, start + values.index(value)] = 1.0
        return matrix

    def encode_frame(self, signals: pd.DataFrame) -> np.ndarray:
        """Model matrix for a canonical frame, column by column (what `encode` does row by row;
        several times faster than the ColumnTransformer on large batches)."""
        matrix = np.zeros((len(signals), self.width), order="F")  # column-major: filled and read by column
        for name, column in self.numeric.items():
            matrix[:, column] = signals[name].to_numpy(dtype=np.float64)
        for name, (start, values) in self.categories.items():
            cells = signals[name].to_numpy(dtype=object)
            for offset, value in enumerate(values):
                matrix[:, start + offset] = cells == value
        return matrix

    def with_value(self, matrix: np.ndarray, signal: str, value: Any) -> np.ndarray:
        """Copy of `matrix` with `signal` set to `value` (canonical form) in every row."""
        columns, cells = self.assignments({signal: value})
        out = matrix.copy()
        out[:, columns] = cells
        return out

    def assignments(self, values: Mapping[str, Any]) -> tuple[list[int], list[float]]:
        """The matrix columns, and the cells written there, that set each signal in `values` to its
        value (canonical form); a category writes its whole block of 0/1 columns."""
        columns: list[int] = []
        cells: list[float] = []
        for signal, value in values.items():
            if signal in self.numeric:
                columns.append(self.numeric[signal])
                cells.append(np.nan if is_missing(value) else float(value))
                continue
            start, categories = self.categories[signal]
            columns += range(start, start + len(categories))
            cells += [float(not is_missing(value) and value == category) for category in categories]
        return columns, cells

    def verify(self, features: ColumnTransformer, signals: pd.DataFrame) -> bool:
        """True if `encode` and `encode_frame` reproduce the transformer exactly on the canonical frame `signals`."""
        expected = features.transform(signals)
        return bool(np.array_equal(self.encode(signals.to_dict("records")), expected, equal_nan=True)
                    and np.array_equal(self.encode_frame(signals), expected, equal_nan=True))


def canonical_value(signal: str, value: Any) -> Any:
    """A record value in canonical frame form: flags and numbers as float, categories as str."""
    if is_missing(value):
        return np.nan
    return value if SPECS[signal].kind is Kind.CATEGORY else float(value)
