"""CSV files at the edge: read signal files strictly, write scored files.

A signal CSV has a header of schema column names (any subset, any order) and one row per
borrower; an empty cell is a missing signal. Every cell is read as text and then checked by
`scoring.validation`, so a typo never turns into a number. Rows in messages are data rows
counted from 1 (file line = row + 1).
"""

from __future__ import annotations

import csv
from pathlib import Path
import pandas as pd

from scoring.validation import Issue, SignalError, validate_frame


def read_text_table(path: str | Path) -> pd.DataFrame:
    """All cells of a CSV file as text, after checking its shape (header, field counts)."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    while rows and not rows[-1]:  # trailing blank lines (a row of empty cells is a profile with no signals)
        rows.pop()
    if not rows:
        raise SignalError([Issue(None, None, f"{path} is empty (expected a header of signal names)")])
    header = [name.strip() for name in rows[0]]
    issues = []
    if any(not name for name in header):
        issues.append(Issue(None, None, "the header has an empty column name"))
    duplicates = sorted({name for name in header if header.count(name) > 1})
    issues += [Issue(None, name, "column appears more than once in the header") for name in duplicates]
    for number, row in enumerate(rows[1:], start=1):
        if len(row) != len(header):
            issues.append(Issue(number, None, f"has {len(row)} fields but the header has {len(header)}"))
    if len(rows) == 1:
        issues.append(Issue(None, None, f"{path} has a header but no data rows"))
    if issues:
        raise SignalError(issues)
    return pd.DataFrame(rows[1:], columns=header, dtype=object)


def read_signals(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(text table as read, canonical frame) for a signal CSV; `SignalError` names bad cells."""
    text = read_text_table(path)
    return text, validate_frame(text)


def write_table(frame: pd.DataFrame, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
