"""The platform's own resolved loans: the signals each borrower had when scored, and the outcome.

Input is either rows (mappings, e.g. from the backend's database: schema signal names plus
`defaulted`) or a CSV export with the same columns. `defaulted` is true/1 for a loan that
defaulted and false/0 for one repaid, nothing else (an empty cell, "yes" or "1.0" is refused
with its row number: a guessed outcome would teach the model something that never happened);
loans still running must not be passed. Signals are
checked exactly like prediction input (unknown columns and bad values are errors).

This is how the signals that no public data set labels (identity, phone and email checks,
social accounts, wallet activity, on-platform history) get learned: retrain with
`python -m scoring train --dataset platform --data loans.csv`, or pooled with the public sets
(`--dataset platform,registry`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from scoring.adapters.base import LabelledData
from scoring.csvio import read_text_table
from scoring.validation import Issue, SignalError, validate_frame

OUTCOME_COLUMN = "defaulted"
TRUE_WORDS = {"true", "1"}
FALSE_WORDS = {"false", "0"}


def load(path: str | Path) -> LabelledData:
    """Resolved loans from a CSV export (schema columns + `defaulted`)."""
    return from_table(read_text_table(path), f"platform loans from {path}")


def from_rows(rows: Iterable[Mapping[str, Any]]) -> LabelledData:
    """Resolved loans from database rows (mappings of signal name -> value, plus `defaulted`)."""
    return from_table(pd.DataFrame(list(rows), dtype=object), "platform loans from the database")


def from_table(table: pd.DataFrame, description: str) -> LabelledData:
    if OUTCOME_COLUMN not in table.columns:
        raise SignalError([Issue(None, OUTCOME_COLUMN, "missing outcome column (true = defaulted, false = repaid)")])
    outcome = [_outcome(value, row) for row, value in enumerate(table[OUTCOME_COLUMN].tolist(), start=1)]
    bad = [issue for issue in outcome if isinstance(issue, Issue)]
    if bad:
        raise SignalError(bad)
    signals = validate_frame(table.drop(columns=[OUTCOME_COLUMN]))
    return LabelledData("platform", signals, np.asarray(outcome, dtype=np.int8), description)


def _outcome(value: Any, row: int) -> int | Issue:
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return int(value)
    word = value.strip().lower() if isinstance(value, str) else None
    if word in TRUE_WORDS:
        return 1
    if word in FALSE_WORDS:
        return 0
    return Issue(row, OUTCOME_COLUMN, f"outcome must be true/false (or 1/0); got {value!r}")
