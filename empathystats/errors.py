"""Errors that say what went wrong and how to fix it.

Every data problem raises :class:`DataError` and every bad argument raises
:class:`ParameterError`; both are also ``ValueError`` so generic handlers still
catch them. Messages name the file, the column, up to five offending rows and
the fix (STYLE.md, habit 5).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "EmpathyStatsError",
    "DataError",
    "ParameterError",
    "MissingDependencyError",
    "EmpathyStatsWarning",
    "data_error",
    "format_examples",
]

MAX_EXAMPLES = 5


class EmpathyStatsError(Exception):
    """Base class of every error raised by empathystats."""


class DataError(EmpathyStatsError, ValueError):
    """The data cannot be used as given (missing column, bad value, duplicate key...)."""


class ParameterError(EmpathyStatsError, ValueError):
    """A function was called with an argument outside what it accepts."""


class MissingDependencyError(EmpathyStatsError, ImportError):
    """An optional extra is needed; the message says which ``pip install`` fixes it."""


class EmpathyStatsWarning(UserWarning):
    """Warnings raised by empathystats (e.g. a corrected correlation above 1)."""


def format_examples(rows: Iterable[tuple[Any, Any]], *, limit: int = MAX_EXAMPLES) -> str:
    """Format ``(row label, value)`` pairs as "row 3: 7, row 9: 0 (and 4 more)".

    Row labels are shown as given; callers pass 1-based file row numbers
    (counting the header as row 1, as a spreadsheet shows them) when the data
    came from a file.
    """
    rows = list(rows)
    shown = ", ".join(f"row {r}: {v!r}" for r, v in rows[:limit])
    extra = len(rows) - limit
    return shown + (f" (and {extra} more)" if extra > 0 else "")


def data_error(
    problem: str,
    *,
    fix: str,
    source: str | None = None,
    column: str | None = None,
    rows: Sequence[tuple[Any, Any]] | None = None,
) -> DataError:
    """Build a :class:`DataError` with the standard message layout.

    ``<source>: column '<column>': <problem>. Offending rows: <rows>. Fix: <fix>``
    """
    parts = []
    where = source or "data"
    if column is not None:
        where += f", column {column!r}"
    parts.append(f"{where}: {problem}.")
    if rows:
        parts.append(f"Offending rows: {format_examples(rows)}.")
    parts.append(f"Fix: {fix}")
    return DataError(" ".join(parts))
