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

The verification hint sets each not-yet-completed verification (identity, phone, email, income,
bank link) to done, one at a time, and returns the one that lowers the PD most, with the grade it
would give. A bank link reports balances as well as the flag, and what they will be is unknown
before linking, so its counterfactual is a *typical linked account*: the flag set and each bank
figure at its median over the training rows that had a link (`fit_link_profile`). A borrower
without a link is always told what linking would do (`ScoreResult.bank_link`), even when it
would not change the grade. Signals the training data never observed are not in the model, so
they can neither be reasons nor hints until the platform's own outcomes label them.

`reasons_for` and `best_verification` are pure functions of the PDs; the model is only asked for
PDs (see `Counterfactuals` and scoring.serving).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from scoring.grades import grade_for_pd_bps
from scoring.layout import Layout
from scoring.schema import BANK_COLUMNS, SPECS, VERIFICATION_COLUMNS, Kind, is_missing

REFERENCE_QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
REFERENCE_SAMPLE_ROWS = 2_000
REASONS_IN_CSV = 4
BANK_LINK = BANK_COLUMNS[0]  # the flag a bank-account link sets; the hint is named after it


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


def fit_link_profile(signals: pd.DataFrame, used: Sequence[str]) -> dict[str, float]:
    """The bank signals of a typical linked account in the training rows (empty if the model has
    no bank link): the flag set, and each bank figure the model uses at its median (an observed
    value) over the rows with a link."""
    if BANK_LINK not in used:
        return {}
    linked = signals[signals[BANK_LINK] == 1.0]
    profile = {BANK_LINK: 1.0}
    for name in BANK_COLUMNS[1:]:
        values = linked[name].dropna().to_numpy(dtype=float)
        if name in used and len(values):
            profile[name] = float(np.quantile(values, 0.5, method="inverted_cdf"))
    return profile


@dataclass(frozen=True)
class Counterfactuals:
    """Which rows to score for one borrower's reasons and hints: one block per edit, fixed order.

    `edits[k]` is the set of signal values block k gives the borrower; `at_reference[s]` is the
    block with only signal s at its reference, `verified[v]` the block with verification v done.
    The edits are also kept as matrix writes (block, column, cell), so all blocks are written at once.
    """

    edits: tuple[dict[str, Any], ...]
    at_reference: dict[str, int]
    verified: dict[str, int]
    block: np.ndarray
    column: np.ndarray
    cell: np.ndarray

    @classmethod
    def plan(cls, layout: Layout, references: Mapping[str, Any], link_profile: Mapping[str, float]
             ) -> "Counterfactuals":
        edits: list[dict[str, Any]] = []
        at_reference = {}
        for signal, value in references.items():
            at_reference[signal] = len(edits)
            edits.append({signal: value})
        verified = {}
        for signal in VERIFICATION_COLUMNS:
            if signal not in layout.numeric:
                continue
            if references.get(signal) == 1.0:
                verified[signal] = at_reference[signal]
            else:
                verified[signal] = len(edits)
                edits.append({signal: 1.0})
        if link_profile:
            verified[BANK_LINK] = len(edits)
            edits.append(dict(link_profile))
        block, column, cell = [], [], []
        for k, edit in enumerate(edits):
            columns, cells = layout.assignments(edit)
            block += [k] * len(columns)
            column += columns
            cell += cells
        return cls(tuple(edits), at_reference, verified, np.array(block, dtype=np.intp),
                   np.array(column, dtype=np.intp), np.array(cell, dtype=np.float64))

    def matrix(self, row_matrix: np.ndarray) -> np.ndarray:
        """The stacked rows, (len(edits) * rows, width): block k is `row_matrix` with edit k written."""
        rows = len(row_matrix)
        out = np.tile(row_matrix, (len(self.edits), 1))
        out[self.block[:, None] * rows + np.arange(rows), self.column[:, None]] = self.cell[:, None]
        return out


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
    """The not-yet-completed verification that lowers the PD most, or None if none lowers it.

    `verified_pd_bps[v]` is the PD with verification v done; ties go to the first in that order.
    """
    best: Verification | None = None
    for signal, after in verified_pd_bps.items():
        if values.get(signal) == 1.0:
            continue
        if after < pd_bps and (best is None or after < best.pd_bps):
            best = Verification(signal, after, grade_for_pd_bps(after))
    return best


def bank_link_effect(values: Mapping[str, Any], verified_pd_bps: Mapping[str, int]) -> Verification | None:
    """What linking a bank account would make the PD and grade, for a borrower without a link
    (None if they have one, or the model has no bank link)."""
    if BANK_LINK not in verified_pd_bps or values.get(BANK_LINK) == 1.0:
        return None
    after = verified_pd_bps[BANK_LINK]
    return Verification(BANK_LINK, after, grade_for_pd_bps(after))


def _same(value: Any, reference: Any) -> bool:
    if isinstance(reference, str):
        return value == reference
    return float(value) == float(reference)
