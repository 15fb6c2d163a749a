"""Population drift: do recent applicants' signals still look like the model's training data?

A model's PDs are trustworthy for borrowers like those it learned from. `fit_reference` records,
at training time, how each signal the model uses was distributed (stored in the artifact's
metadata); `population_stability` compares recent applicants with it, signal by signal, with
the population stability index

    PSI = sum over bins of (recent share - training share) * ln(recent share / training share)

over fixed bins: deciles of the training values for numbers (edges at observed values), each
value for flags and categories, and one bin for "missing" in every signal (a signal that stops
being reported is drift too). Shares are floored at `SHARE_FLOOR` so an empty bin counts as
large but finite. The usual reading: below 0.1 stable, 0.1 to 0.25 a moderate shift worth a
look, above 0.25 a major shift (recalibrate or retrain). `python -m scoring drift` exits
non-zero above its threshold, so a scheduled job can alert on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np
import pandas as pd

from scoring.schema import SPECS, Kind

SHARE_FLOOR = 1e-4
DECILES = tuple(q / 10 for q in range(1, 10))
MODERATE = 0.1
MAJOR = 0.25


@dataclass(frozen=True)
class SignalDrift:
    signal: str
    psi: float
    recent_missing: float  # share of recent rows without the signal
    training_missing: float

    @property
    def status(self) -> str:
        return "major" if self.psi > MAJOR else "moderate" if self.psi > MODERATE else "stable"


def fit_reference(signals: pd.DataFrame, used: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Bins and training shares of each signal in `used` (JSON-ready, for the artifact's metadata)."""
    reference = {}
    for name in used:
        column = signals[name]
        if SPECS[name].kind in (Kind.FLAG, Kind.CATEGORY):
            values = sorted({_key(v) for v in column.dropna()})
            reference[name] = {"values": values}
        else:
            observed = column.dropna().to_numpy(dtype=float)
            edges = sorted({float(e) for e in np.quantile(observed, DECILES, method="inverted_cdf")})
            reference[name] = {"edges": edges}
        reference[name]["shares"] = shares(reference[name], column).tolist()
    return reference


def shares(bins: dict[str, Any], column: pd.Series) -> np.ndarray:
    """Share of rows in each bin, the missing bin last (unseen categories count as their own bin)."""
    missing = column.isna().to_numpy()
    present = column[~missing]
    if "values" in bins:
        keys = [_key(v) for v in present]
        counts = [sum(k == value for k in keys) for value in bins["values"]]
        counts.append(len(keys) - sum(counts))  # values the training data never had
    else:
        counts = np.bincount(np.searchsorted(bins["edges"], present.to_numpy(dtype=float), side="left"),
                             minlength=len(bins["edges"]) + 1).tolist()
    counts.append(int(missing.sum()))
    return np.asarray(counts, dtype=float) / max(len(column), 1)


def psi(expected: np.ndarray, actual: np.ndarray) -> float:
    """Population stability index of two share vectors over the same bins."""
    e = np.maximum(np.asarray(expected, dtype=float), SHARE_FLOOR)
    a = np.maximum(np.asarray(actual, dtype=float), SHARE_FLOOR)
    return float(np.sum((a - e) * np.log(a / e)))


def population_stability(reference: dict[str, dict[str, Any]], recent: pd.DataFrame,
                         reported: Sequence[str]) -> list[SignalDrift]:
    """One entry per reference signal in `reported`, largest PSI first; `recent` is a canonical frame.

    `reported` names the columns the recent data actually carries (a CSV's header): a column left
    out of an export says nothing about applicants, while empty cells in a column are measured.
    """
    report = []
    for name, bins in reference.items():
        if name not in reported:
            continue
        expected = np.asarray(bins["shares"], dtype=float)
        actual = shares(bins, recent[name])
        report.append(SignalDrift(name, psi(expected, actual), float(actual[-1]), float(expected[-1])))
    return sorted(report, key=lambda d: -d.psi)


def _key(value: Any) -> Any:
    """Flags and categories as JSON-stable bin keys (1.0 -> 1.0, 'vehicle' -> 'vehicle')."""
    return value if isinstance(value, str) else float(value)
