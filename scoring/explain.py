"""Reason codes and "the verification that would improve your grade most", computed by the model.

Method (counterfactual, per signal). At training time each signal the model uses gets a
*reference value*: among the signal's observed values (its 1st..99th percentiles for numbers,
each value for flags and categories) the one with the lowest average PD over training rows
when every row is given it (a partial-dependence minimum). A signal's reason weight for one
borrower is then

    weight = pd_bps(borrower) - pd_bps(borrower with only that signal set to its reference)

i.e. how many basis points of PD the signal costs this borrower compared with its most
favourable value (the "points below the maximum" convention of adverse-action notices, applied
to a non-additive model). Signals with weight > 0 are the reasons, largest first; a missing
signal is a reason too ("missing") when providing a good value would lower the PD.

The verification hint sets each not-yet-completed verification (identity, phone, email, income)
to true, one at a time, and returns the one that lowers the PD most, with the grade it would
give. Signals the training data never observed are not in the model, so they can neither be
reasons nor hints until the platform's own outcomes label them.

`reasons_for` and `best_verification` are pure functions of the PDs; the model is only asked for
PDs (see `counterfactual_matrix` and scoring.serving).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from scoring.grades import grade_for_pd_bps
from scoring.layout import Layout
from scoring.schema import SPECS, VERIFICATION_COLUMNS, Kind, is_missing

REFERENCE_QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
REFERENCE_SAMPLE_ROWS = 2_000
REASONS_IN_CSV = 4


@dataclass(frozen=True)
class Reason:
    """A signal that raises this borrower's PD by `pd_bps` compared with its reference value."""

    signal: str
    state: str  # "missing", "no", "low", "high", or the category value
    pd_bps: int

    def code(self) -> str:
        return f"{self.signal}:{self.state}:+{self.pd_bps}bps"


@dataclass(frozen=True)
class Verification:
    """Completing `signal` would bring the PD to `pd_bps` and the grade to `grade`."""

    signal: str
    pd_bps: int
    grade: str


def fit_references(layout: Layout, pd_of_matrix: Callable[[np.ndarray], np.ndarray], matrix: np.ndarray,
                   observed: Mapping[str, np.ndarray], seed: int) -> dict[str, Any]:
    """Reference (most favourable) value of every signal the model uses.

    `matrix` is the training rows' model matrix, `observed` maps each signal to its observed
    values in canonical form (NaN dropped).
    """
    rng = np.random.default_rng(seed)
    if len(matrix) > REFERENCE_SAMPLE_ROWS:
        matrix = matrix[np.sort(rng.choice(len(matrix), REFERENCE_SAMPLE_ROWS, replace=False))]
    references: dict[str, Any] = {}
    for signal in layout.signals:
        candidates = _candidates(signal, observed[signal])
        if not candidates:
            continue
        variants = np.concatenate([layout.with_value(matrix, signal, value) for value in candidates])
        mean_pd = pd_of_matrix(variants).reshape(len(candidates), len(matrix)).mean(axis=1)
        references[signal] = candidates[int(np.argmin(mean_pd))]  # first minimum: deterministic
    return references


def _candidates(signal: str, values: np.ndarray) -> list[Any]:
    kind = SPECS[signal].kind
    if len(values) == 0:
        return []
    if kind is Kind.CATEGORY:
        return sorted({str(v) for v in values}, key=SPECS[signal].categories.index)
    if kind is Kind.FLAG:
        return sorted({float(v) for v in values})
    quantiles = np.quantile(values.astype(float), REFERENCE_QUANTILES, method="inverted_cdf")
    return sorted({float(q) for q in quantiles})


def counterfactual_matrix(layout: Layout, row_matrix: np.ndarray, references: Mapping[str, Any]
                          ) -> tuple[np.ndarray, list[tuple[str, Any]]]:
    """Rows to score for reasons and hints: one block per (signal, value) change, in a fixed order.

    Returns the stacked matrix (len(changes) * rows, width) and the list of changes.
    """
    changes: list[tuple[str, Any]] = [(signal, value) for signal, value in references.items()]
    for signal in VERIFICATION_COLUMNS:
        if signal in layout.numeric and (signal, 1.0) not in changes:
            changes.append((signal, 1.0))
    if not changes:
        return np.empty((0, layout.width)), changes
    return np.concatenate([layout.with_value(row_matrix, s, v) for s, v in changes]), changes


def state_of(signal: str, value: Any, reference: Any) -> str:
    """How a borrower's value differs from the reference, in one word."""
    if is_missing(value):
        return "missing"
    kind = SPECS[signal].kind
    if kind is Kind.FLAG:
        return "yes" if value else "no"
    if kind is Kind.CATEGORY:
        return str(value)
    return "low" if float(value) < float(reference) else "high"


def reasons_for(values: Mapping[str, Any], pd_bps: int, references: Mapping[str, Any],
                reference_pd_bps: Mapping[str, int]) -> tuple[Reason, ...]:
    """Reasons for one borrower, largest PD cost first (ties in schema order).

    `values` are the borrower's canonical signal values, `reference_pd_bps[s]` the PD with only
    signal `s` set to `references[s]`.
    """
    reasons = []
    for signal, reference in references.items():
        value = values.get(signal)
        if not is_missing(value) and _same(value, reference):
            continue
        cost = pd_bps - reference_pd_bps[signal]
        if cost > 0:
            reasons.append(Reason(signal, state_of(signal, value, reference), cost))
    order = list(SPECS)
    return tuple(sorted(reasons, key=lambda r: (-r.pd_bps, order.index(r.signal))))


def best_verification(values: Mapping[str, Any], pd_bps: int, verified_pd_bps: Mapping[str, int]
                      ) -> Verification | None:
    """The not-yet-completed verification that lowers the PD most, or None if none lowers it."""
    best: Verification | None = None
    for signal in VERIFICATION_COLUMNS:
        if signal not in verified_pd_bps or values.get(signal) == 1.0:
            continue
        after = verified_pd_bps[signal]
        if after < pd_bps and (best is None or after < best.pd_bps):
            best = Verification(signal, after, grade_for_pd_bps(after))
    return best


def _same(value: Any, reference: Any) -> bool:
    if isinstance(reference, str):
        return value == reference
    return float(value) == float(reference)
