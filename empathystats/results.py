"""The base of every result object: a tidy table that shows, says and exports itself.

Each analysis returns a subclass of :class:`Result`. The contract (DESIGN.md,
"Results"; STYLE.md habits 3, 4 and 6):

* ``.table`` / ``to_frame()``: a tidy, full-precision :class:`pandas.DataFrame`;
* ``str(result)`` and ``result._repr_html_()``: the table rounded for reading,
  with a header (what was run, on what) and a footer (what was dropped and why,
  the seed, the reference);
* ``.dropped``: a DataFrame ``reason, count, detail`` of everything excluded;
* ``.params``: the parameters that produced the result;
* ``text()``: sentences built from the table's numbers;
* ``plot(ax=None)``: draws the result (subclasses), returns the Axes;
* ``to_csv(path)`` / ``to_excel(path)``.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Result", "escape_formulas", "format_p", "dropped_frame"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """Return a copy where text cells that a spreadsheet would run as a formula are made inert.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return gets a
    leading apostrophe (OWASP, "CSV Injection"). Numbers stay numbers.
    """
    out = df.copy()

    def esc(v: Any) -> Any:
        return "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v

    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(esc)
    out.columns = [esc(str(c)) for c in out.columns]
    return out


def format_p(p: float) -> str:
    """p-values for reading: ``<0.001`` for tiny values, 3 decimals otherwise."""
    if p is None or not np.isfinite(p):
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def dropped_frame(rows: list[tuple[str, int, str]] | None = None) -> pd.DataFrame:
    """A ``reason, count, detail`` table of exclusions."""
    return pd.DataFrame(rows or [], columns=["reason", "count", "detail"]).astype({"count": "int64"})


class Result:
    """Base class of every empathystats result.

    Parameters
    ----------
    table : DataFrame
        The tidy, full-precision result table.
    title : str
        What was run, shown as the header.
    params : mapping
        Parameters that produced the result (seed included where random).
    dropped : DataFrame, optional
        ``reason, count, detail`` rows for everything excluded.
    reference : str
        Method reference(s), shown in the footer.
    notes : list of str
        Extra footer lines.

    Attributes
    ----------
    table : DataFrame
        The result table at full precision (``to_frame()`` returns a copy).
    title : str
        First header line.
    params : dict
        Second header line (data frames and arrays are not shown).
    dropped : DataFrame
        ``reason, count, detail``; each row becomes a "Dropped:" footer line
        ("Dropped: nothing." when empty).
    reference : str
        Last footer line.
    notes : list of str
        Footer lines between the exclusions and the reference.
    digits : int
        Decimals shown on screen (class attribute, 3).
    max_display_rows : int
        Rows shown on screen (class attribute, 60); the footer says when rows are hidden.

    Examples
    --------
    >>> import pandas as pd
    >>> from empathystats.results import Result, dropped_frame
    >>> res = Result(pd.DataFrame({"outcome": ["turnover"], "estimate": [0.123456]}), title="Demo",
    ...              dropped=dropped_frame([("units below the threshold", 2, "")]), reference="Author (2020)")
    >>> print(res)
    Demo
    ------------------
     outcome  estimate
    turnover     0.123
    ------------------
    Dropped: 2 units below the threshold
    Reference: Author (2020)
    >>> float(res.table["estimate"].iloc[0])  # full precision inside
    0.123456

    References
    ----------
    The layout (full-precision table, rounded display with a header and footer) follows
    lifelines' summaries: Davidson-Pilon, C. (2019). lifelines: survival analysis in Python.
    *Journal of Open Source Software*, 4(40), 1317.
    """

    #: decimals shown on screen (the table keeps full precision)
    digits: int = 3
    #: rows shown by ``str()`` / ``_repr_html_()``; ``.table`` always holds every row
    max_display_rows: int = 60

    def __init__(
        self,
        table: pd.DataFrame,
        *,
        title: str,
        params: Mapping[str, Any] | None = None,
        dropped: pd.DataFrame | None = None,
        reference: str = "",
        notes: list[str] | None = None,
    ) -> None:
        self.table = table
        self.title = title
        self.params = dict(params or {})
        self.dropped = dropped if dropped is not None else dropped_frame()
        self.reference = reference
        self.notes = list(notes or [])

    # -- data -------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """A copy of the tidy result table."""
        return self.table.copy()

    def to_csv(self, path: str | Path, **kwargs: Any) -> Path:
        """Write the table to CSV (full precision; formula-like text escaped)."""
        path = Path(path)
        escape_formulas(self.table).to_csv(path, index=False, **kwargs)
        return path

    def to_excel(self, path: str | Path, *, sheet_name: str = "result") -> Path:
        """Write the table (and the dropped table) to an Excel workbook; needs ``empathystats[excel]``."""
        from ._optional import require

        require("openpyxl", extra="excel", purpose="write Excel files")
        path = Path(path)
        with pd.ExcelWriter(path, engine="openpyxl") as xl:
            escape_formulas(self.table).to_excel(xl, sheet_name=sheet_name[:31], index=False)
            if len(self.dropped):
                escape_formulas(self.dropped).to_excel(xl, sheet_name="dropped", index=False)
        return path

    # -- words ------------------------------------------------------------
    def text(self) -> str:
        """Sentences describing the result, built from the table (subclasses override)."""
        return ""

    def header_lines(self) -> list[str]:
        shown = {k: v for k, v in self.params.items() if not isinstance(v, (pd.DataFrame, np.ndarray))}
        lines = [self.title]
        if shown:
            lines.append(", ".join(f"{k}={v!r}" for k, v in shown.items()))
        return lines

    def footer_lines(self) -> list[str]:
        lines = []
        if len(self.table) > self.max_display_rows:
            lines.append(f"Showing {self.max_display_rows} of {len(self.table):,} rows; .table holds them all.")
        if len(self.dropped):
            for r in self.dropped.itertuples(index=False):
                lines.append(f"Dropped: {r.count} {r.reason}" + (f" ({r.detail})" if r.detail else ""))
        else:
            lines.append("Dropped: nothing.")
        lines.extend(self.notes)
        if self.reference:
            lines.append(f"Reference: {self.reference}")
        return lines

    def display_table(self) -> pd.DataFrame:
        """The table rounded for reading (never used for computation)."""
        shown = self.table.copy()
        for col in shown.columns:
            if col in ("p_value", "q_p_value") or col.endswith("p_value"):
                shown[col] = shown[col].map(format_p)
            elif pd.api.types.is_float_dtype(shown[col]):
                shown[col] = shown[col].round(self.digits)
        return shown.head(self.max_display_rows)

    def __str__(self) -> str:
        with pd.option_context("display.max_columns", 50, "display.width", 200, "display.max_rows", 200):
            body = self.display_table().to_string(index=False)
        rule = "-" * min(100, max(len(line) for line in body.splitlines()) if body else 20)
        return "\n".join([*self.header_lines(), rule, body, rule, *self.footer_lines()])

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.title} ({len(self.table)} rows)>"

    def _repr_html_(self) -> str:
        head = "".join(
            f"<div style='font-weight:{'bold' if i == 0 else 'normal'}'>{html.escape(line)}</div>"
            for i, line in enumerate(self.header_lines())
        )
        body = self.display_table().to_html(index=False, border=0, classes="empathystats-table", na_rep="")
        foot = "".join(
            f"<div style='color:#555;font-size:90%'>{html.escape(line)}</div>" for line in self.footer_lines()
        )
        return f"<div class='empathystats-result'>{head}{body}{foot}</div>"

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:  # pragma: no cover - overridden
        """Draw the result on ``ax`` (a new figure when ``None``) and return the Axes."""
        raise NotImplementedError(f"{type(self).__name__} has no plot.")
