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

from scoring.validation import Issue, SignalError, validate_rows


def read_text_table(path: str | Path) -> pd.DataFrame:
    """All cells of a CSV file as text, after checking its shape (header, field counts)."""
    table, row_issues = split_text_table(path)
    if row_issues:
        raise SignalError(row_issues)
    return table.reset_index(drop=True)


def split_text_table(path: str | Path) -> tuple[pd.DataFrame, list[Issue]]:
    """(rows with as many fields as the header, indexed by data row number; issues of the others).

    Problems with the file as a whole (empty, no header names, duplicate names, no data rows)
    raise `SignalError`.
    """
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
    if len(rows) == 1:
        issues.append(Issue(None, None, f"{path} has a header but no data rows"))
    if issues:
        raise SignalError(issues)
    numbered = list(enumerate(rows[1:], start=1))
    row_issues = [Issue(number, None, f"has {len(row)} fields but the header has {len(header)}")
                  for number, row in numbered if len(row) != len(header)]
    good = [(number, row) for number, row in numbered if len(row) == len(header)]
    table = pd.DataFrame([row for _, row in good], columns=header, dtype=object,
                         index=pd.Index([number for number, _ in good], name="row"))
    return table, row_issues


def read_signals(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(text table as read, canonical frame) for a signal CSV; `SignalError` names every bad row and cell."""
    text, canonical, issues = read_valid_signals(path)
    if issues:
        raise SignalError(issues)
    return text, canonical


def read_valid_signals(path: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, list[Issue]]:
    """(text of the valid rows, their canonical frame, issues of every rejected row), for skipping
    bad rows; problems with the file as a whole still raise `SignalError`."""
    table, shape_issues = split_text_table(path)
    canonical, cell_issues = validate_rows(table, table.index.to_numpy())
    rejected = {issue.row for issue in cell_issues}
    text = table.loc[[number not in rejected for number in table.index]].reset_index(drop=True)
    return text, canonical, sorted(shape_issues + cell_issues, key=lambda issue: issue.row)


def write_table(frame: pd.DataFrame, path: str | Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False)
