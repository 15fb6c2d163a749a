"""Check raw signal values and convert them into the canonical model frame.

Input is a DataFrame whose columns are signal names (any subset) and whose cells are either
text (from a CSV file) or already typed values (from an adapter or a record). Output is the
canonical frame: every schema column in schema order, flags and numbers as float64 (1.0/0.0
for flags), categories as str objects, missing as NaN.

Nothing is coerced silently: an unknown column, a value of the wrong type, a negative amount
or a value outside the signal's range is reported as an `Issue` naming the row and column,
and `SignalError` carries all of them. Rows are numbered from 1 (the first data row).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from scoring.schema import COLUMNS, SPECS, Kind, SignalRecord, SignalSpec

MAX_ISSUES_IN_MESSAGE = 10
TRUE_WORDS = frozenset({"true", "1", "yes", "1.0"})
FALSE_WORDS = frozenset({"false", "0", "no", "0.0"})


@dataclass(frozen=True)
class Issue:
    """One bad value. `row` is None for problems with the file or header as a whole."""

    row: int | None
    column: str | None
    problem: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where) or 'input'}: {self.problem}"


class SignalError(ValueError):
    """Signals that cannot be scored. `issues` lists every problem found, in row order."""

    def __init__(self, issues: Sequence[Issue]):
        self.issues = tuple(issues)
        shown = "; ".join(str(issue) for issue in self.issues[:MAX_ISSUES_IN_MESSAGE])
        more = len(self.issues) - MAX_ISSUES_IN_MESSAGE
        super().__init__(shown + (f"; and {more} more" if more > 0 else ""))


def validate_frame(raw: pd.DataFrame, first_row: int = 1) -> pd.DataFrame:
    """The canonical frame for `raw`, or `SignalError` listing every bad cell.

    `first_row` is the number reported for raw's first row (e.g. to count from a file's start).
    """
    if len(raw) == 0:
        raise SignalError([Issue(None, None, "no data rows")] + _table_issues(raw))
    canonical, issues = _canonical(raw, first_row)
    if issues:
        raise SignalError(issues)
    return canonical


def validate_rows(raw: pd.DataFrame, row_numbers: Sequence[int]) -> tuple[pd.DataFrame, list[Issue]]:
    """(canonical frame of the valid rows, issues of the rejected ones), for skipping bad rows.

    `row_numbers[i]` is the number reported for raw's row i. Problems with the table as a whole
    (unknown or duplicate columns) still raise `SignalError`: no row can be scored then.
    """
    canonical, issues = _canonical(raw, 1)
    numbers = np.asarray(row_numbers)
    issues = [Issue(int(numbers[issue.row - 1]), issue.column, issue.problem) for issue in issues]
    bad_positions = {issue.row for issue in issues}
    keep = np.array([number not in bad_positions for number in numbers], dtype=bool)
    return canonical[keep].reset_index(drop=True), issues


def _canonical(raw: pd.DataFrame, first_row: int) -> tuple[pd.DataFrame, list[Issue]]:
    """Canonical frame of every row (bad cells NaN) and the cell issues in row order; table issues raise."""
    issues = _table_issues(raw)
    if issues:
        raise SignalError(issues)

    canonical: dict[str, pd.Series] = {}
    for name in COLUMNS:
        spec = SPECS[name]
        if name not in raw.columns:
            canonical[name] = _all_missing(spec, len(raw))
            continue
        column, column_issues = _convert(spec, raw[name].reset_index(drop=True), first_row)
        canonical[name] = column
        issues.extend(column_issues)
    return pd.DataFrame(canonical), sorted(issues, key=lambda i: (i.row or 0, COLUMNS.index(i.column)))


def _table_issues(raw: pd.DataFrame) -> list[Issue]:
    issues = [Issue(None, str(column), f"unknown column (schema columns: {', '.join(COLUMNS)})")
              for column in raw.columns if column not in SPECS]
    if len(set(raw.columns)) != len(raw.columns):
        issues.append(Issue(None, None, "duplicate column names"))
    return issues


def records_to_frame(records: Iterable[SignalRecord]) -> pd.DataFrame:
    """Canonical frame for typed records (validated like any other input)."""
    rows = [record.to_dict() for record in records]
    return validate_frame(pd.DataFrame(rows, columns=list(COLUMNS), dtype=object))


def frame_to_records(frame: pd.DataFrame) -> list[SignalRecord]:
    """Typed records for a canonical frame (flags back to bool, counts back to int)."""
    records = []
    for row in frame[list(COLUMNS)].itertuples(index=False):
        values = {}
        for name, value in zip(COLUMNS, row):
            kind = SPECS[name].kind
            if _missing_scalar(value):
                values[name] = None
            elif kind is Kind.FLAG:
                values[name] = bool(value)
            elif kind is Kind.COUNT:
                values[name] = int(value)
            elif kind is Kind.NUMBER:
                values[name] = float(value)
            else:
                values[name] = str(value)
        records.append(SignalRecord(**values))
    return records


def _all_missing(spec: SignalSpec, length: int) -> pd.Series:
    if spec.kind is Kind.CATEGORY:
        return pd.Series([np.nan] * length, dtype=object)
    return pd.Series(np.full(length, np.nan), dtype=np.float64)


def _missing_scalar(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    return isinstance(value, str) and value.strip() == ""


def _convert(spec: SignalSpec, column: pd.Series, first_row: int) -> tuple[pd.Series, list[Issue]]:
    if spec.kind is Kind.CATEGORY:
        return _convert_category(spec, column.to_numpy(dtype=object), first_row)
    if spec.kind is Kind.FLAG:
        converted, bad = _parse_flags(column)
        problem = "not a yes/no value (use true/false, 1/0 or yes/no; leave empty if unknown)"
    else:
        converted, bad = _parse_numbers(column)
        problem = "not a finite number (leave empty if unknown)"
    values = column.to_numpy(dtype=object)
    issues = [Issue(first_row + i, spec.name, f"{problem}; got {values[i]!r}") for i in np.flatnonzero(bad)]
    if spec.kind in (Kind.NUMBER, Kind.COUNT):
        issues.extend(_range_issues(spec, converted, first_row))
    return pd.Series(converted, dtype=np.float64), issues


def _text_or_value(values: np.ndarray) -> np.ndarray:
    """Object array with strings stripped and empty strings / NA markers turned into None."""
    return np.array([None if _missing_scalar(v) else (v.strip() if isinstance(v, str) else v) for v in values],
                    dtype=object)


def _parse_flags(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    if pd.api.types.is_bool_dtype(column.dtype):  # bool or nullable boolean: only missing can be absent
        return column.to_numpy(dtype=np.float64, na_value=np.nan), np.zeros(len(column), dtype=bool)
    values = _text_or_value(column.to_numpy(dtype=object))
    out = np.full(len(values), np.nan)
    bad = np.zeros(len(values), dtype=bool)
    for i, value in enumerate(values):
        if value is None:
            continue
        if isinstance(value, (bool, np.bool_)) or (isinstance(value, (int, float, np.number)) and value in (0, 1)):
            out[i] = float(value)
            continue
        word = str(value).lower()
        if word in TRUE_WORDS:
            out[i] = 1.0
        elif word in FALSE_WORDS:
            out[i] = 0.0
        else:
            bad[i] = True
    return out, bad


def _parse_numbers(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    dtype = column.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        out = column.to_numpy(dtype=np.float64, na_value=np.nan, copy=True)
        bad = np.isinf(out)
        out[bad] = np.nan
        return out, bad
    values = _text_or_value(column.to_numpy(dtype=object))
    is_bool = np.fromiter((isinstance(v, (bool, np.bool_)) for v in values), dtype=bool, count=len(values))
    is_missing = np.fromiter((v is None for v in values), dtype=bool, count=len(values))
    candidates = np.where(is_bool, None, values)  # True is not the number 1 here
    out = pd.to_numeric(pd.Series(candidates, dtype=object), errors="coerce").to_numpy(dtype=np.float64, copy=True)
    bad = ~is_missing & (~np.isfinite(out) | is_bool)
    out[bad] = np.nan
    return out, bad


def _range_issues(spec: SignalSpec, numbers: np.ndarray, first_row: int) -> list[Issue]:
    issues = []
    present = ~np.isnan(numbers)
    for i in np.flatnonzero(present & (numbers < spec.low)):
        kind = "negative" if numbers[i] < 0 <= spec.low else "below the minimum"
        issues.append(Issue(first_row + i, spec.name, f"{numbers[i]:g} is {kind} (must be >= {spec.low:g})"))
    for i in np.flatnonzero(present & (numbers > spec.high)):
        issues.append(Issue(first_row + i, spec.name, f"{numbers[i]:g} is above the maximum {spec.high:g}"))
    if spec.kind is Kind.COUNT:
        for i in np.flatnonzero(present & (np.floor(numbers) != numbers)):
            issues.append(Issue(first_row + i, spec.name, f"{numbers[i]:g} is not a whole number"))
    return issues


def _convert_category(spec: SignalSpec, values: np.ndarray, first_row: int) -> tuple[pd.Series, list[Issue]]:
    out = np.full(len(values), np.nan, dtype=object)
    issues = []
    allowed = set(spec.categories)
    for i, value in enumerate(values):
        if _missing_scalar(value):
            continue
        word = value.strip().lower() if isinstance(value, str) else None
        if word in allowed:
            out[i] = word
        else:
            issues.append(Issue(first_row + i, spec.name,
                                f"unknown category {value!r} (allowed: {', '.join(spec.categories)})"))
    return pd.Series(out, dtype=object), issues
