"""What every adapter returns: canonical signals, outcomes and the source's own benchmark scores."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from scoring.schema import COLUMNS
from scoring.validation import validate_frame


@dataclass(frozen=True)
class LabelledData:
    """Resolved loans in the signal schema.

    `signals` is a canonical frame (see scoring.validation), `defaulted` is 1 for a loan that
    defaulted or was charged off and 0 for one repaid. `benchmarks` holds other risk scores for
    the same rows, oriented so that higher means riskier (e.g. the negated ProsperScore), for
    comparison only: they are never model inputs. `source` holds one name per row (useful when
    sets are pooled).
    """

    name: str
    signals: pd.DataFrame
    defaulted: np.ndarray
    description: str
    benchmarks: dict[str, np.ndarray] = field(default_factory=dict)
    source: np.ndarray | None = None

    def __post_init__(self) -> None:
        if list(self.signals.columns) != list(COLUMNS):
            raise ValueError(f"{self.name}: signals must be a canonical frame with the schema columns")
        if len(self.signals) != len(self.defaulted):
            raise ValueError(f"{self.name}: {len(self.signals)} rows of signals but {len(self.defaulted)} outcomes")
        if self.source is None:
            object.__setattr__(self, "source", np.full(len(self.signals), self.name, dtype=object))

    @property
    def rows(self) -> int:
        return len(self.signals)

    @property
    def default_rate(self) -> float:
        return float(self.defaulted.mean())

    def observed_signals(self) -> list[str]:
        """Schema columns with at least one non-missing value."""
        return [name for name in COLUMNS if self.signals[name].notna().any()]

    def fingerprint(self) -> str:
        """sha256 of the rows and outcomes, so a model's metadata says exactly what it saw."""
        digest = hashlib.sha256()
        digest.update(pd.util.hash_pandas_object(self.signals, index=False).to_numpy().tobytes())
        digest.update(np.asarray(self.defaulted, dtype=np.int8).tobytes())
        return digest.hexdigest()

    def subset(self, index: np.ndarray) -> "LabelledData":
        return LabelledData(
            name=self.name,
            signals=self.signals.iloc[index].reset_index(drop=True),
            defaulted=self.defaulted[index],
            description=self.description,
            benchmarks={key: values[index] for key, values in self.benchmarks.items()},
            source=self.source[index],
        )


def labelled(name: str, raw_signals: pd.DataFrame, defaulted: np.ndarray, description: str,
             benchmarks: dict[str, np.ndarray] | None = None) -> LabelledData:
    """Validate an adapter's mapped columns and wrap them; a mapping bug fails loudly here."""
    return LabelledData(
        name=name,
        signals=validate_frame(raw_signals),
        defaulted=np.asarray(defaulted, dtype=np.int8),
        description=description,
        benchmarks=benchmarks or {},
    )


def pooled(parts: list[LabelledData], name: str) -> LabelledData:
    """Several sources as one training set; benchmarks are dropped (they cover single sources)."""
    return LabelledData(
        name=name,
        signals=pd.concat([part.signals for part in parts], ignore_index=True),
        defaulted=np.concatenate([part.defaulted for part in parts]),
        description=" + ".join(part.name for part in parts),
        source=np.concatenate([part.source for part in parts]),
    )


def map_codes(values: pd.Series, mapping: dict, what: str, missing: tuple = ()) -> pd.Series:
    """Map source codes to schema values; codes in `missing` become NaN, any other unknown code fails."""
    unknown = set(values.dropna().unique()) - set(mapping) - set(missing)
    if unknown:
        raise ValueError(f"{what}: no mapping for {sorted(map(str, unknown))}")
    return values.map(mapping)
