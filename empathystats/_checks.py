"""Parameter validation with one message template.

"The 'x' parameter of f must be ...; got ... instead." (after scikit-learn's
``_param_validation``). Internal: public functions call these first, before
any work, so a bad argument fails fast and clearly.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from .errors import ParameterError, data_error


def _fail(name: str, func: str, must: str, got: Any) -> ParameterError:
    return ParameterError(f"The {name!r} parameter of {func} must be {must}; got {got!r} instead.")


def check_choice(value: Any, choices: Collection[Any], *, name: str, func: str) -> Any:
    """Value must be one of ``choices``."""
    if value not in choices:
        shown = ", ".join(repr(c) for c in choices)
        raise _fail(name, func, f"one of {shown}", value)
    return value


def check_number(
    value: Any,
    *,
    name: str,
    func: str,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    integer: bool = False,
) -> Any:
    """Value must be a real number (or integer) within [low, high] (open ends optional)."""
    kind = "an integer" if integer else "a number"
    ok_type = isinstance(value, (int, np.integer)) if integer else isinstance(
        value, (int, float, np.integer, np.floating)
    )
    if isinstance(value, bool) or not ok_type or (not integer and not np.isfinite(value)):
        raise _fail(name, func, kind, value)
    lo_ok = low is None or (value > low if low_open else value >= low)
    hi_ok = high is None or (value < high if high_open else value <= high)
    if not (lo_ok and hi_ok):
        lo = "" if low is None else ("(" if low_open else "[") + f"{low}"
        hi = "" if high is None else f"{high}" + (")" if high_open else "]")
        if low is None:
            rng = f"<{'' if high_open else '='} {high}"
        elif high is None:
            rng = f">{'' if low_open else '='} {low}"
        else:
            rng = f"in {lo}, {hi}"
        raise _fail(name, func, f"{kind} {rng}", value)
    return value


def check_columns(
    df: pd.DataFrame, columns: Collection[str], *, source: str | None = None, fix: str | None = None
) -> None:
    """Every column must be present; name the missing ones and the columns that exist."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        have = ", ".join(map(str, list(df.columns)[:20]))
        raise data_error(
            f"missing required column(s) {', '.join(map(repr, missing))}; the columns present are: {have}",
            source=source,
            fix=fix
            or "rename the column in your file, or pass its name as the matching keyword "
            "argument (e.g. unit='store_id').",
        )


def check_dataframe(obj: Any, *, name: str, func: str) -> pd.DataFrame:
    """Argument must be a pandas DataFrame."""
    if not isinstance(obj, pd.DataFrame):
        raise _fail(name, func, "a pandas DataFrame", type(obj).__name__)
    return obj


def check_not_empty(df: pd.DataFrame, *, source: str | None = None, what: str = "table", fix: str) -> None:
    """The table must have at least one row (an empty table is bad input, not an empty result)."""
    if len(df) == 0:
        raise data_error(f"the {what} has no rows", source=source, fix=fix)


def check_scale(scale: Any, *, func: str) -> tuple[float, float]:
    """A response scale must be a ``(low, high)`` pair of numbers with ``low < high``."""
    if (
        not isinstance(scale, (tuple, list))
        or len(scale) != 2
        or not all(isinstance(v, (int, float, np.integer, np.floating)) for v in scale)
        or scale[0] >= scale[1]
    ):
        raise _fail("scale", func, "a (low, high) pair with low < high", scale)
    return scale[0], scale[1]
