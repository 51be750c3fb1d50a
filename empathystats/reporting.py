"""One-command client impact reports: a parameterised notebook run by papermill, exported for readers.

:func:`report` runs the report notebook (``empathystats/templates/report.ipynb``,
the same notebook as ``notebooks/05_client_impact_report.ipynb``) on a study and
writes, into ``out/``:

* ``report.html``: a self-contained page (figures embedded as base64, no script
  or font fetched from the network), code hidden, for the client executive;
* ``report.ipynb``: the executed notebook, for the analyst;
* ``tables.xlsx``: one sheet per table, numbers as numbers, formula-like text
  escaped (:func:`empathystats.results.escape_formulas`);
* ``figures/*.png``: every chart at slide resolution (10 x 5.6 in, 200 dpi);
* ``report.pdf``: printed by headless Chromium when it is installed; otherwise
  skipped with a note (nothing is downloaded at run time).

The notebook runs in a kernel bound to the *current* interpreter
(``sys.executable``), so a virtual environment never meets ``NoSuchKernel``.
A data problem raised inside the notebook (:class:`~empathystats.errors.DataError`,
:class:`~empathystats.errors.ParameterError`) comes back as the same error class
with its one-paragraph message; anything else becomes a :class:`ReportError`
that points at the failed notebook.

The notebook itself uses the small helpers of this module
(:func:`load_report_inputs`, :class:`ReportCollector`, :func:`styled`) so that
its visible code stays short.
"""

from __future__ import annotations

import html
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._checks import check_number
from ._optional import require
from ._progress import progress_enabled
from .errors import DataError, EmpathyStatsError, MissingDependencyError, ParameterError
from .results import Result, escape_formulas

__all__ = [
    "report",
    "ReportResult",
    "ReportError",
    "ReportCollector",
    "ReportInputs",
    "load_report_inputs",
    "styled",
    "template_path",
    "find_chromium",
    "FORMATS",
    "DEMOS",
]

FORMATS = ("html", "xlsx", "png", "ipynb", "pdf")
DEMOS = ("multi", "retail")
#: slide-sized figures: 10 x 5.6 inches (16:9) at 200 dpi = 2000 x 1120 pixels
FIGSIZE = (10.0, 5.6)
DPI = 200
_KERNEL_NAME = "empathystats-report-python"
_TEMPLATES = Path(__file__).resolve().parent / "templates"


class ReportError(EmpathyStatsError):
    """The report notebook failed for a reason that is not a data or parameter problem."""


def template_path() -> Path:
    """Path of the report notebook shipped inside the package."""
    return _TEMPLATES / "report.ipynb"


# ---------------------------------------------------------------------------
# inputs: what the caller gives -> files in a temporary directory -> notebook parameters
# ---------------------------------------------------------------------------
@dataclass
class ReportInputs:
    """What the report notebook analyses (built by :func:`load_report_inputs`)."""

    name: str
    survey: pd.DataFrame | None = None
    outcomes: pd.DataFrame | None = None
    units: pd.DataFrame | None = None
    costs: pd.DataFrame | Mapping[str, float] | None = None
    study: Any = None
    sources: dict[str, str] = field(default_factory=dict)


def _save_frame(df: Any, work: Path, name: str) -> str:
    path = work / f"{name}.pkl"
    with open(path, "wb") as fh:
        pickle.dump(df, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return str(path)


def _as_path(value: Any, what: str) -> str:
    path = Path(value).expanduser()
    if not path.is_file():
        raise DataError(
            f"{what} file {str(value)!r}: not found. Fix: check the path (it is read relative to the current "
            f"directory {os.getcwd()!r})."
        )
    return str(path.resolve())


def _input_param(value: Any, work: Path, name: str, what: str) -> str:
    if value is None:
        return ""
    if isinstance(value, pd.DataFrame):
        return _save_frame(value, work, name)
    if isinstance(value, (str, os.PathLike)):
        return _as_path(value, what)
    if name == "costs" and isinstance(value, Mapping):
        return _save_frame(dict(value), work, name)
    raise ParameterError(
        f"The {what} input of report must be a path or a pandas DataFrame; got {type(value).__name__} instead."
    )


def _prepare(study_or_paths: Any, costs: Any, work: Path) -> dict[str, Any]:
    """Turn the caller's input into notebook parameters (file paths, demo name, column names)."""
    from .study import Study

    p: dict[str, Any] = {
        "demo": "",
        "survey_path": "",
        "outcomes_path": "",
        "units_path": "",
        "study_path": "",
        "costs_path": "",
    }
    obj = study_or_paths
    if isinstance(obj, str) and obj.removeprefix("demo:") in DEMOS and not Path(obj).exists():
        p["demo"] = obj.removeprefix("demo:")
    elif isinstance(obj, Study):
        p["study_path"] = _save_frame(obj, work, "study")
    elif isinstance(obj, Mapping):
        unknown = set(obj) - {"survey", "outcomes", "units", "costs", "demo"}
        if unknown:
            raise ParameterError(
                "The 'study_or_paths' parameter of report, when a dict, takes the keys 'survey', 'outcomes', "
                f"'units', 'costs' or 'demo'; got unknown key(s) {sorted(unknown)} instead."
            )
        if obj.get("demo"):
            return _prepare(str(obj["demo"]), costs if costs is not None else obj.get("costs"), work)
        if obj.get("survey") is None and obj.get("units") is None:
            raise ParameterError(
                "The 'study_or_paths' parameter of report needs a 'survey' (respondent answers) or a 'units' "
                "(unit engagement) entry; got neither."
            )
        p["survey_path"] = _input_param(obj.get("survey"), work, "survey", "survey")
        p["outcomes_path"] = _input_param(obj.get("outcomes"), work, "outcomes", "outcomes")
        p["units_path"] = _input_param(obj.get("units"), work, "units", "units")
        if costs is None:
            costs = obj.get("costs")
    elif isinstance(obj, tuple) and len(obj) == 2:
        return _prepare({"survey": obj[0], "outcomes": obj[1]}, costs, work)
    elif hasattr(obj, "survey") and hasattr(obj, "outcomes"):  # a Demo or SimulatedStudy
        demo_costs = getattr(obj, "costs", None)
        return _prepare(
            {"survey": obj.survey, "outcomes": obj.outcomes},
            costs if costs is not None else demo_costs,
            work,
        )
    else:
        raise ParameterError(
            "The 'study_or_paths' parameter of report must be a Study, a demo name ('multi' or 'retail'), "
            "a (survey, outcomes) pair or a dict with 'survey' and 'outcomes' (paths or DataFrames); "
            f"got {type(obj).__name__} {str(obj)[:60]!r} instead."
        )
    p["costs_path"] = _input_param(costs, work, "costs", "costs")
    return p


def _read_any(path: str, *, kind: str) -> Any:
    if not path:
        return None
    if path.endswith(".pkl"):
        with open(path, "rb") as fh:
            return pickle.load(fh)  # noqa: S301 - written by report() itself into its own temporary directory
    from . import io

    if kind == "survey":
        return io.read_survey(path)
    if kind == "outcomes":
        return io.read_outcomes(path)
    if kind == "units" and hasattr(io, "read_units"):
        return io.read_units(path)
    return _read_table(path, kind)


def _read_table(path: str, kind: str) -> pd.DataFrame:
    suffix = Path(path).suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return pd.read_csv(path, sep="\t" if suffix == ".tsv" else ",", encoding="utf-8-sig")
    if suffix == ".parquet":
        return pd.read_parquet(path)
    if suffix in (".xlsx", ".xlsm"):
        require("openpyxl", extra="excel", purpose="read Excel files")
        return pd.read_excel(path)
    raise DataError(
        f"{kind} file {path!r}: unknown file type {suffix!r}. Fix: save it as .csv, .xlsx or .parquet."
    )


def _read_costs(path: str) -> pd.DataFrame | dict[str, float] | None:
    if not path:
        return None
    if path.endswith(".pkl"):
        return _read_any(path, kind="costs")
    return _read_table(path, "costs")


def load_report_inputs(
    *,
    demo: str = "",
    survey_path: str = "",
    outcomes_path: str = "",
    units_path: str = "",
    study_path: str = "",
    costs_path: str = "",
) -> ReportInputs:
    """Load what the report analyses from its notebook parameters (a demo name or file paths).

    Files are read with :func:`empathystats.read_survey` / :func:`empathystats.read_outcomes`,
    so a bad file raises their :class:`~empathystats.errors.DataError` naming the file,
    the column, the rows and the fix.
    """
    if demo:
        from .datasets import load_demo

        d = load_demo(demo)
        costs = getattr(d, "costs", None)
        if costs_path:
            costs = _read_costs(costs_path)
        return ReportInputs(
            name=f"demo data '{demo}'",
            survey=d.survey,
            outcomes=d.outcomes,
            costs=costs,
            sources={"survey": f"bundled demo '{demo}'", "outcomes": f"bundled demo '{demo}'"},
        )
    if study_path:
        return ReportInputs(
            name="study", study=_read_any(study_path, kind="study"), costs=_read_costs(costs_path),
            sources={"study": "a Study passed from Python"},
        )
    if not (survey_path or units_path):
        raise ParameterError("The report needs a demo name, a survey file or a unit file; got none of them.")
    sources = {}
    for key, value in (("survey", survey_path), ("outcomes", outcomes_path), ("units", units_path)):
        if value:
            sources[key] = "data passed from Python" if value.endswith(".pkl") else Path(value).name
    return ReportInputs(
        name=Path(survey_path or units_path).stem if not (survey_path or units_path).endswith(".pkl") else "your data",
        survey=_read_any(survey_path, kind="survey"),
        outcomes=_read_any(outcomes_path, kind="outcomes"),
        units=_read_any(units_path, kind="units"),
        costs=_read_costs(costs_path),
        sources=sources,
    )


# ---------------------------------------------------------------------------
# in-notebook helpers: tables and figures collected for xlsx / png
# ---------------------------------------------------------------------------
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(name: str, taken: Iterable[str]) -> str:
    base = _SHEET_BAD.sub("_", name)[:31] or "table"
    out, i = base, 2
    taken = {t.lower() for t in taken}
    while out.lower() in taken:
        suffix = f"_{i}"
        out, i = base[: 31 - len(suffix)] + suffix, i + 1
    return out


def _frame_of(obj: Any) -> pd.DataFrame:
    if isinstance(obj, Result):
        return obj.to_frame()
    if isinstance(obj, pd.DataFrame):
        return obj.copy()
    if hasattr(obj, "table") and isinstance(obj.table, pd.DataFrame):
        return obj.table.copy()
    raise ParameterError(f"A report table must be a DataFrame or an empathystats Result; got {type(obj).__name__}.")


def styled(df: pd.DataFrame, *, digits: int = 3, percent: Sequence[str] = (), caption: str | None = None) -> Any:
    """A pandas Styler for reading: rounded numbers, thousands separators, p-values as ``<0.001``, no index."""
    from .results import format_p

    fmt: dict[str, Any] = {}
    for col in df.columns:
        s = df[col]
        if col in percent:
            fmt[col] = "{:.1%}".format
        elif str(col).endswith("p_value") or col == "p":
            fmt[col] = format_p
        elif pd.api.types.is_integer_dtype(s):
            fmt[col] = "{:,}".format
        elif pd.api.types.is_float_dtype(s):
            fmt[col] = f"{{:,.{digits}f}}"
    sty = df.style.format(fmt, na_rep="", escape="html").hide(axis="index")  # client text never becomes markup
    text_cols = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    long_cols = [c for c in text_cols if df[c].astype(str).str.len().max() > 40]
    short_cols = [c for c in df.columns if c not in long_cols]
    if short_cols:
        sty = sty.set_properties(subset=short_cols, **{"white-space": "nowrap"})
    if text_cols:
        sty = sty.set_properties(subset=text_cols, **{"text-align": "left"})
        sty = sty.set_table_styles(
            [{"selector": f"th.col{list(df.columns).index(c)}", "props": [("text-align", "left")]} for c in text_cols]
        )
    if caption:
        sty = sty.set_caption(caption)
    return sty


class ReportCollector:
    """Collect the report's tables and figures, and write them as ``tables.xlsx`` and ``figures/*.png``.

    Used inside the report notebook. With ``output_dir=""`` (the notebook opened
    by hand) nothing is written: tables and figures only display.

    Parameters
    ----------
    output_dir : str
        Where ``tables.xlsx`` and ``figures/`` go; ``""`` writes nothing.
    formats : sequence of str
        ``"xlsx"`` writes the workbook, ``"png"`` the figures.
    """

    def __init__(self, output_dir: str = "", formats: Sequence[str] = ("xlsx", "png")) -> None:
        self.output_dir = Path(output_dir) if output_dir else None
        self.formats = tuple(formats)
        # figures are drawn on screen only when someone will read them (html, pdf, notebook, or opened by hand)
        self.show_figures = self.output_dir is None or bool({"html", "pdf", "ipynb"} & set(self.formats))
        self.tables: dict[str, pd.DataFrame] = {}
        self.figures: list[str] = []
        if self.output_dir is not None and "png" in self.formats:
            (self.output_dir / "figures").mkdir(parents=True, exist_ok=True)

    def table(self, name: str, obj: Any, *, show: bool = True, **style: Any) -> Any:
        """Keep ``obj`` (a Result or DataFrame) as sheet ``name``; return what the notebook should display."""
        self.tables[_sheet_name(name, [k for k in self.tables if k != name])] = _frame_of(obj)
        if not show:
            return None
        if isinstance(obj, pd.DataFrame):
            return styled(obj, **style)
        return obj

    def figure(self, name: str, fig_or_ax: Any) -> None:
        """Resize a figure to slide format and save it as ``figures/<name>.png``.

        Returns nothing: the notebook's inline backend shows the figure once, at the end of the cell.
        """
        fig = fig_or_ax.get_figure() if hasattr(fig_or_ax, "get_figure") else fig_or_ax
        if isinstance(fig_or_ax, np.ndarray):
            fig = fig_or_ax.flat[0].get_figure()
        while hasattr(fig, "get_figure") and fig.get_figure() is not fig and fig.get_figure() is not None:
            fig = fig.get_figure()
        fig.set_size_inches(*FIGSIZE)
        if self.output_dir is not None and "png" in self.formats:
            safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
            path = self.output_dir / "figures" / f"{safe}.png"
            fig.savefig(path, dpi=DPI, metadata={"Software": None})
            self.figures.append(path.name)
        if not self.show_figures:
            import matplotlib.pyplot as plt

            plt.close(fig)

    def finish(self) -> list[str]:
        """Write ``tables.xlsx`` (one sheet per table) when asked; return the sheet names."""
        if self.output_dir is not None and "xlsx" in self.formats and self.tables:
            write_tables(self.tables, self.output_dir / "tables.xlsx")
        return list(self.tables)


def write_tables(tables: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write tables to one workbook, one sheet each: numbers as numbers, formula-like text escaped."""
    require("openpyxl", extra="excel", purpose="write Excel files")
    path = Path(path)
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, df in tables.items():
            out = escape_formulas(df.reset_index(drop=True))
            out.to_excel(xl, sheet_name=name[:31], index=False)
            ws = xl.sheets[name[:31]]
            for i, col in enumerate(out.columns, start=1):
                width = max([len(str(col))] + [len(str(v)) for v in out[col].head(200)]) + 2
                ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(60, max(8, width))
            ws.freeze_panes = "A2"
    return path


# ---------------------------------------------------------------------------
# in-notebook helpers: the report's sections, written from the result objects
# ---------------------------------------------------------------------------
@dataclass
class Overview:
    """What the report covers: counts, outcome coverage and exclusions (tables for the data section)."""

    n_rows: int | None
    n_respondents: int | None
    n_units: int
    n_unit_periods: int
    n_companies: int
    periods: list[Any]
    n_suppressed: int
    min_respondents: int
    counts: pd.DataFrame
    outcomes: pd.DataFrame
    dropped: pd.DataFrame


def _n_suppressed(dropped: pd.DataFrame) -> int:
    rows = dropped.loc[dropped["reason"].str.contains("confidentiality", case=False, na=False), "count"]
    return int(rows.max()) if len(rows) else 0


def data_overview(study: Any, *, survey: pd.DataFrame | None = None) -> Overview:
    """Counts of respondents, units, companies, periods and what was excluded (never an identifier)."""
    scores = getattr(study, "scores", None)
    dropped = study.dropped
    if scores is not None and len(scores.dropped):
        dropped = pd.concat([scores.dropped, study.dropped], ignore_index=True)
        dropped = dropped.drop_duplicates(subset=["reason"], keep="first").reset_index(drop=True)
    n_resp = int(scores.n_scored) if scores is not None else None
    if n_resp is None and "n_respondents" in study.data.columns:
        n_resp = int(study.data["n_respondents"].sum())
    periods = study.periods
    counts = [
        ("survey responses received", len(survey) if survey is not None else np.nan),
        ("respondents in reported units", n_resp if n_resp is not None else np.nan),
        ("units reported", study.n_units),
        ("unit-periods reported (units x survey periods)", len(study.data)),
        ("companies", study.n_companies),
        ("survey periods", len(periods)),
        ("outcomes analysed", len(study.outcomes)),
        (f"units suppressed (fewer than {study.min_respondents} respondents)", _n_suppressed(dropped)),
    ]
    counts_df = pd.DataFrame(counts, columns=["what", "count"])
    counts_df = counts_df.dropna().astype({"count": "int64"}).reset_index(drop=True)
    summary = study.summary()
    out = pd.DataFrame(
        {
            "outcome": [_label(study, o) for o in summary["outcome"]],
            "better": summary["better"],
            "measured as": summary["unit_label"],
            "unit-periods with a value": summary["n_units"].astype("int64"),
            "missing": summary["n_missing"].astype("int64"),
            "mean": summary["mean"],
            "sd": summary["sd"],
        }
    )
    return Overview(
        n_rows=len(survey) if survey is not None else None,
        n_respondents=n_resp,
        n_units=study.n_units,
        n_unit_periods=len(study.data),
        n_companies=study.n_companies,
        periods=list(periods),
        n_suppressed=_n_suppressed(dropped),
        min_respondents=study.min_respondents,
        counts=counts_df,
        outcomes=out,
        dropped=dropped.reset_index(drop=True),
    )


@dataclass
class Reliability:
    """Reliability of the engagement measure: a ``measure, estimate, reading`` table and the results behind it."""

    table: pd.DataFrame
    alpha: Any = None
    icc: Any = None
    period: Any = None
    from_units: bool = False


def _first(result: Any, column: str) -> float:
    t = getattr(result, "table", None)
    if t is None or column not in t.columns or not len(t):
        return float("nan")
    return float(t[column].iloc[0])


def score_options(items: str = "", scale: str = "") -> dict[str, Any]:
    """Scoring options from the notebook's text parameters (``"Q1,Q2,..."``, ``"1,7"``)."""
    out: dict[str, Any] = {}
    if items:
        out["items"] = [t.strip() for t in items.split(",") if t.strip()]
    if scale:
        low, high = (float(t) for t in scale.split(","))
        out["scale"] = (low, high)
    return out


def reliability(study: Any, *, survey: pd.DataFrame | None = None, items: Sequence[str] | None = None) -> Reliability:
    """Cronbach's alpha of the items and ICC(1)/ICC(2) of unit engagement, in the latest survey period.

    Only respondents of reported units enter (suppressed units are left out here too).
    Without respondent data, ICC(1)/ICC(2) come from the unit summaries
    (:func:`empathystats.psychometrics.icc_from_units`) and alpha is not available.
    """
    from . import psychometrics

    rows: list[tuple[str, float, str]] = []
    alpha = icc_res = None
    period = study.periods[-1] if study.periods else None
    if survey is not None:
        s = survey
        if study.period in s.columns and period is not None:
            s = s.loc[s[study.period].astype(str) == str(period)]
        if study.unit in s.columns:
            s = s.loc[s[study.unit].astype(str).isin(set(study.data[study.unit].astype(str)))]
        alpha = psychometrics.cronbach_alpha(s, items=items)
        icc_res = psychometrics.icc(s, unit=study.unit, items=items)
    elif {"n_respondents", "engagement_sd"} <= set(study.data.columns):
        d = study.data
        if period is not None:
            d = d.loc[d[study.period] == period]
        icc_res = psychometrics.icc_from_units(d)
    a = _first(alpha, "alpha")
    if np.isfinite(a):
        k = len(items) if items else 12
        rows.append((f"Cronbach's alpha ({k} items)", a, "good (>= .80)" if a >= 0.8 else "acceptable (>= .70)" if a >= 0.7 else "low (< .70)"))
    i1, i2 = _first(icc_res, "icc1"), _first(icc_res, "icc2")
    if np.isfinite(i1):
        rows.append(("ICC(1): share of variance between units", i1, "units differ" if i1 >= 0.05 else "units differ little"))
    if np.isfinite(i2):
        rows.append(("ICC(2): reliability of a unit's mean", i2, "reliable (>= .70)" if i2 >= 0.7 else "modest (< .70)"))
    table = pd.DataFrame(rows, columns=["measure", "estimate", "reading"])
    return Reliability(table=table, alpha=alpha, icc=icc_res, period=period, from_units=survey is None)


def reliability_text(rel: Reliability, scores: Any = None) -> str:
    """Plain-words paragraph on the engagement distribution and its reliability."""
    parts = []
    if scores is not None:
        parts.append(scores.text())
    for res in (rel.alpha, rel.icc):
        if res is not None and res.text():
            parts.append(res.text())
    if not parts:
        return "_Reliability could not be computed: the data hold neither respondent answers nor unit SDs._"
    when = f" (survey period {rel.period})" if rel.period is not None else ""
    basis = ("from the unit summaries (respondents, mean and SD per unit; no respondent answers were given, so "
             "Cronbach's alpha is not available)" if rel.from_units else "on the respondents of reported units only")
    return " ".join(parts) + f"\n\n<span class='es-meta'>Reliability is computed on the latest survey period{when}, " \
        f"{basis}.</span>"


@dataclass
class SectionResult:
    """An optional section: its result (or table), its sentences, and why it is absent when it is."""

    result: Any = None
    table: pd.DataFrame | None = None
    text: str = ""
    reason: str = ""


def lagged_models(study: Any, *, outcomes: Sequence[str] | None = None) -> SectionResult:
    """Cross-lagged paths for each outcome when the data have two or more periods.

    One company or one period is a property of the data, said in words; an outcome whose
    units cannot be paired across periods is named with the reason.
    """
    from .regression import cross_lagged

    if len(study.periods) < 2:
        return SectionResult(reason="The data hold one survey period, so the direction of the link cannot be "
                             "examined: lagged models need the same units surveyed in two or more periods.")
    tables, texts, skipped = [], [], []
    for name in outcomes or study.outcomes:
        try:
            res = cross_lagged(study, name)
        except DataError as exc:
            skipped.append(f"{name.replace('_', ' ')} ({exc})")
            continue
        tables.append(res.table)
        texts.append(res.text())
    if not tables:
        return SectionResult(reason="No outcome had units matched across consecutive periods: " + "; ".join(skipped))
    table = pd.concat(tables, ignore_index=True)
    reason = ("Not estimated for: " + "; ".join(skipped)) if skipped else ""
    return SectionResult(result=None, table=table, text=" ".join(texts), reason=reason)


def _paths(lagged: SectionResult) -> tuple[pd.DataFrame, pd.DataFrame]:
    t = lagged.table
    fwd = t.loc[t["path"].str.startswith("engagement")].set_index("outcome")
    rev = t.loc[~t["path"].str.startswith("engagement")].set_index("outcome")
    return fwd, rev.reindex(fwd.index)


def lagged_table(lagged: SectionResult) -> pd.DataFrame | None:
    """Both paths side by side per outcome: standardised estimate with its 95% CI, and the stronger one."""
    if lagged.table is None:
        return None
    fwd, rev = _paths(lagged)

    def fmt(row: pd.Series) -> str:
        if not np.isfinite(row["estimate"]):
            return ""
        star = " *" if row["p_value"] < 0.05 else ""
        return f"{row['estimate']:+.2f} ({row['ci_low']:+.2f} to {row['ci_high']:+.2f}){star}"

    stronger = np.where(fwd["estimate"].abs().to_numpy() >= rev["estimate"].abs().fillna(0).to_numpy(),
                        "engagement → outcome", "outcome → engagement")
    return pd.DataFrame({
        "outcome": [o.replace("_", " ") for o in fwd.index],
        "engagement → later outcome": [fmt(r) for _, r in fwd.iterrows()],
        "outcome → later engagement": [fmt(r) for _, r in rev.iterrows()],
        "larger path": stronger,
        "unit pairs": fwd["n_pairs"].to_numpy() if "n_pairs" in fwd.columns else fwd["n_units"].to_numpy(),
    })


def lagged_text(lagged: SectionResult) -> str:
    """What the lagged paths say, in words (the table is :func:`lagged_table`)."""
    if lagged.table is None:
        return f"<div class='es-note'>{html.escape(lagged.reason)}</div>"
    fwd, rev = _paths(lagged)
    n_fwd_sig = int((fwd["p_value"] < 0.05).sum())
    n_rev_sig = int((rev["p_value"] < 0.05).sum())
    k = len(fwd)
    head = (
        f"Across {k} outcomes, engagement predicted the *next* period's outcome clearly (p < .05, marked *) for "
        f"{n_fwd_sig}, and the outcome predicted the next period's engagement for {n_rev_sig}. Paths are "
        "standardised (SD change per SD), with 95% CIs; each holds the earlier value of the predicted variable fixed."
    )
    lines: list[str] = []
    extra = f"\n\n<span class='es-meta'>{html.escape(lagged.reason)}</span>" if lagged.reason else ""
    return head + "\n".join(lines) + extra


def meta_across_companies(study: Any) -> SectionResult:
    """Hunter-Schmidt meta-analysis of every outcome across companies, when there are several."""
    if study.n_companies < 2:
        return SectionResult(reason="The data hold one company, so there is nothing to pool across companies: "
                             "the meta-analysis section applies when several organisations take part.")
    from .meta import meta_analysis_all

    try:
        res = meta_analysis_all(study)
    except DataError as exc:
        return SectionResult(reason=f"No meta-analysis: {exc}")
    return SectionResult(result=res, table=res.table, text=res.text())


def _better_side(t: pd.DataFrame, low: str, high: str) -> pd.Series:
    """True where the interval [low, high] lies wholly on the better side of zero for the outcome."""
    higher = t["better"].eq("higher")
    return (higher & (t[low] > 0)) | (~higher & (t[high] < 0))


def meta_summary(meta: SectionResult) -> str:
    """One sentence: for how many outcomes the corrected correlation is clear and generalises."""
    t = meta.result.table
    k = len(t)
    clear = _better_side(t, "ci_low", "ci_high")
    cv_ok = (t["better"].eq("higher") & (t["cv90"] > 0)) | (t["better"].eq("lower") & (t["cv90"] < 0))
    nice = lambda xs: ", ".join(str(x).replace("_", " ") for x in xs)  # noqa: E731
    s = (
        f"Pooled across {int(t['n_companies'].max())} organisations (Hunter–Schmidt, corrected for the reliability "
        f"of unit engagement), the true correlation with engagement pointed clearly in the better direction for "
        f"{int(clear.sum())} of {k} outcomes"
        + (f" ({nice(t.loc[clear, 'outcome'])})" if clear.any() else "")
        + f"; for {int((cv_ok & clear).sum())} of them 90% of organisations are expected to see a link in the better direction "
        "(90% credibility value)."
    )
    return s


def meta_table(meta: SectionResult) -> pd.DataFrame | None:
    """The client's meta-analysis table: observed and corrected correlation, intervals, variance explained."""
    if meta.result is None:
        return None
    t = meta.result.table
    level = float(t["ci_level"].iloc[0]) if len(t) else 0.95
    cr = float(t["cr_level"].iloc[0]) if len(t) else 0.8
    return pd.DataFrame({
        "outcome": [str(o).replace("_", " ") for o in t["outcome"]],
        "better": t["better"].to_numpy(),
        "companies": t["n_companies"].astype("int64").to_numpy(),
        "units": t["n_units"].astype("int64").to_numpy(),
        "mean r (observed)": t["mean_r"].to_numpy(),
        "rho (corrected)": t["rho"].to_numpy(),
        f"{level:.0%} CI": [f"{a:+.2f} to {b:+.2f}" for a, b in zip(t["ci_low"], t["ci_high"], strict=True)],
        f"{cr:.0%} credibility interval": [f"{a:+.2f} to {b:+.2f}" for a, b in zip(t["cr_low"], t["cr_high"], strict=True)],
        "% variance from sampling error": t["pct_var_artifacts"].to_numpy(),
    })


def meta_text(meta: SectionResult) -> str:
    """The meta-analysis section in words (or why it is absent)."""
    if meta.result is None:
        return f"<div class='es-note'>{html.escape(meta.reason)}</div>"
    return (
        html.escape(meta_summary(meta), quote=False)
        + " Correlations keep their raw sign: negative is better for outcomes where lower is better. When sampling "
        "error explains 100% or more of the spread between organisations, the true correlation is estimated to be "
        "the same everywhere (SD of rho = 0)."
    )


def money_table(money: Any) -> pd.DataFrame:
    """The client's money table: change per period, cost per unit of outcome, value and its CI."""
    t = money.table
    cur = t["currency"].astype(str).to_numpy() if "currency" in t.columns else np.array([""] * len(t))
    return pd.DataFrame({
        "outcome": [str(o).replace("_", " ") for o in t["outcome"]],
        "change per period": t["change"].to_numpy(),
        "counted in": t["unit_name"].to_numpy(),
        "cost each": t["cost"].round(0).astype("int64").to_numpy()
        if np.allclose(t["cost"], t["cost"].round(0)) else t["cost"].to_numpy(),
        "value per period": t["value"].round(0).astype("int64").to_numpy(),
        "95% CI": [f"{c} {a:,.0f} to {b:,.0f}" for c, a, b in zip(cur, t["value_low"], t["value_high"], strict=True)],
        "currency": cur,
    })


def money_text(money: Any, costs: Any) -> str:
    """The money section in words (or how to add it)."""
    if money is None:
        return ("<div class='es-note'>No costs were given, so the quartile gaps are not priced. Pass a costs "
                "file (<code>--costs costs.csv</code>: columns <code>outcome, cost</code>, the cost of one leaver, one "
                "day absent, one incident...) to add this section.</div>")
    notes = "".join(f"<p class='es-meta'>{html.escape(n)}</p>" for n in money.notes)
    return bullets(money.text()) + "\n\n" + notes


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def bullets(text: str | Sequence[str]) -> str:
    """Markdown bullet list of sentences (a result's ``text()`` split at sentence ends)."""
    if isinstance(text, str):
        items = [s.strip() for s in (text.splitlines() if "\n" in text.strip() else _SENTENCE.split(text))]
    else:
        items = [str(s).strip() for s in text]
    items = [s for s in items if s]
    return "\n".join(f"- {html.escape(s, quote=False)}" for s in items) if items else "_Nothing to report._"


def default_title(inputs: ReportInputs, study: Any) -> str:
    """"Engagement and business outcomes: <organisation>" (the company when there is one, else the data)."""
    companies = study.data[study.company].astype(str).unique() if len(study.data) else []
    if len(companies) == 1 and companies[0] != "all":
        return f"Engagement and business outcomes: {companies[0]}"
    if study.n_companies > 1:
        return f"Engagement and business outcomes across {study.n_companies} organisations"
    return f"Engagement and business outcomes: {inputs.name}"


def title_block(title: str, overview: Overview, *, seed: int, min_respondents: int) -> str:
    """The report's title and one line saying what it covers."""
    import datetime as _dt

    from . import __version__

    periods = ", ".join(map(str, overview.periods))
    resp = f"{overview.n_respondents:,} respondents in " if overview.n_respondents is not None else ""
    return (
        f"# {html.escape(title)}\n\n"
        f"<div class='es-meta'>{resp}{overview.n_units:,} units, {overview.n_companies:,} "
        f"{'company' if overview.n_companies == 1 else 'companies'}, survey period(s) {html.escape(periods)} · "
        f"confidentiality threshold {min_respondents} respondents · seed {seed} · empathystats {__version__} · "
        f"{_dt.date.today().isoformat()}</div>"
    )


def _clear(t: pd.DataFrame, *, better: bool) -> pd.Series:
    """Rows whose difference is clear in one direction: the CI excludes zero *and* the permutation p < .05."""
    side = (t["ci_low"] > 0) if better else (t["ci_high"] < 0)
    return side & (t["p_value"] < 0.05)


def _headline(quartiles: Any, k: int = 3) -> list[str]:
    """The quartile sentences of the clearest, largest better-direction differences."""
    t = quartiles.table.reset_index(drop=True)
    if "group" in t.columns:
        t = t.loc[t["group"].eq("all")]
    sentences = _SENTENCE.split(quartiles.text())
    if len(sentences) != len(quartiles.table):
        return sentences[:k]
    by_row = dict(zip(quartiles.table.index, sentences, strict=False))
    clear = t.loc[_clear(t, better=True) & np.isfinite(t["pct_difference"])]
    pick = clear.sort_values("pct_difference", ascending=False).head(k)
    return [by_row[i] for i in pick.index]


def executive_summary(
    overview: Overview,
    *,
    quartiles: Any,
    models: Any = None,
    lagged: SectionResult | None = None,
    meta: SectionResult | None = None,
    money: Any = None,
    reliability: Reliability | None = None,
) -> str:
    """The executive summary (HTML): a short paragraph and bullets, every number taken from the results."""
    t = quartiles.table
    if "group" in t.columns:
        t = t.loc[t["group"].eq("all")]
    better = t.loc[_clear(t, better=True), "outcome"].tolist()
    worse = t.loc[_clear(t, better=False), "outcome"].tolist()
    unclear = [o for o in t["outcome"] if o not in better and o not in worse]
    nice = lambda xs: ", ".join(x.replace("_", " ") for x in xs)  # noqa: E731
    within = quartiles.params.get("within") == "company" and overview.n_companies > 1
    where = (f"{overview.n_units:,} units of one organisation" if overview.n_companies == 1
             else f"{overview.n_units:,} units in {overview.n_companies:,} organisations")
    quarter = "the most engaged quarter of units" + (" within each organisation" if within else "")
    if better:
        lead = (f"Across {where}, {quarter} did measurably better than the least engaged "
                f"quarter on {len(better)} of {len(t)} outcomes ({nice(better)}).")
    else:
        lead = (f"Across {where}, {quarter} did not do clearly better than the least "
                f"engaged quarter on any of the {len(t)} outcomes.")
    if worse:
        lead += f" On {nice(worse)} they did measurably worse."
    if unclear:
        lead += (f" For {nice(unclear)} the difference is not clear (its confidence interval includes no difference, "
                 "or chance alone could produce it: p ≥ .05).")
    items = _headline(quartiles)
    n_q = int(min(t["n_units_top"].min(), t["n_units_bottom"].min())) if len(t) else 0
    if 0 < n_q < 10:
        items.append(
            f"Caution: some quartiles hold only {n_q} units, so these comparisons rest on few units and can move "
            "a lot with one more period of data."
        )
    if money is not None and money.text():
        sentences = _SENTENCE.split(money.text())
        total = [x for x in sentences if x.startswith("In total")]
        items.append("Value of closing the quartile gap: " + (total[0] if total else sentences[0]))
    if meta is not None and meta.result is not None:
        items.append(meta_summary(meta))
    if lagged is not None and lagged.table is not None:
        tb = lagged.table
        fwd = tb.loc[tb["path"].str.startswith("engagement")]
        rev = tb.loc[~tb["path"].str.startswith("engagement")]
        items.append(
            f"Timing: engagement predicted the next period's outcome (p < .05) for {int((fwd['p_value'] < 0.05).sum())} "
            f"of {len(fwd)} outcomes; the outcome predicted the next period's engagement for "
            f"{int((rev['p_value'] < 0.05).sum())} of {len(rev)}. This is evidence about direction, not proof of cause."
        )
    if reliability is not None and len(reliability.table):
        low = reliability.table.loc[reliability.table["reading"].str.contains("low|modest|little")]
        if len(low):
            items.append(
                "Caution: " + "; ".join(f"{m} is {v:.2f} ({r})" for m, v, r in low.itertuples(index=False))
                + ", so unit scores are noisy and the differences above are likely understated."
            )
    body = "".join(f"<li>{html.escape(s)}</li>" for s in items)
    sup = (
        f"<p class='es-meta'>{overview.n_suppressed:,} units with fewer than {overview.min_respondents} "
        "respondents are excluded from every figure to protect confidentiality.</p>"
        if overview.n_suppressed else ""
    )
    return f"<div class='es-callout'><p>{html.escape(lead)}</p><ul>{body}</ul></div>{sup}"


def overview_text(overview: Overview) -> str:
    """The data section in words."""
    periods = ", ".join(map(str, overview.periods))
    resp = (f"{overview.n_rows:,} survey responses were received; {overview.n_respondents:,} respondents belong "
            "to the units reported. " if overview.n_rows is not None and overview.n_respondents is not None else "")
    s = (
        f"{resp}The report covers {overview.n_units:,} units ({overview.n_unit_periods:,} unit-periods) in "
        f"{overview.n_companies:,} {'company' if overview.n_companies == 1 else 'companies'} and "
        f"{len(overview.periods)} survey period(s) ({html.escape(periods)})."
    )
    if overview.n_suppressed:
        s += (f" {overview.n_suppressed:,} units had fewer than {overview.min_respondents} respondents and are "
              "suppressed: they appear in no table, chart or file, only in the count below.")
    other = overview.dropped.loc[~overview.dropped["reason"].str.contains("confidentiality", case=False, na=False)]
    if len(other):
        s += " Other exclusions: " + "; ".join(f"{r.count:,} {r.reason}" for r in other.itertuples(index=False)) + "."
    return s


def quartile_profiles(study: Any, *, outcomes: Sequence[str] | None = None) -> Any:
    """Small multiples: each outcome's mean by engagement quartile (Q1 least ... Q4 most engaged).

    Quartiles as in :func:`empathystats.compare_quartiles` (within company), from
    :func:`empathystats.quartiles.quartile_profile`; an outcome with too few units is left out.
    """
    import matplotlib.pyplot as plt

    from .plotting import QUARTILE_COLOURS, finish
    from .quartiles import quartile_profile

    profiles = {}
    for name in outcomes or study.outcomes:
        try:
            profiles[name] = quartile_profile(study, name)
        except DataError:
            continue
    n = max(1, len(profiles))
    ncols = n if n <= 4 else int(np.ceil(n / 2)) if n <= 10 else 5
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=FIGSIZE, layout="constrained", squeeze=False)
    for ax, (name, prof) in zip(axes.flat, profiles.items(), strict=False):
        spec = study.specs[name]
        means = prof["mean"].to_numpy(dtype=float)
        ax.bar(np.arange(4), means, color=QUARTILE_COLOURS, width=0.72)
        for xi, m in enumerate(means):
            if np.isfinite(m):
                ax.annotate(f"{m:.3g}", (xi, m), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=7.5)
        ax.set_xticks(np.arange(4), ["Q1", "Q2", "Q3", "Q4"], fontsize=8)
        ax.tick_params(axis="y", labelsize=7.5)
        ax.margins(y=0.15)
        finish(ax)
        sub = textwrap.fill(f"{spec.unit_label}; {spec.better} is better" if spec.unit_label
                            else f"{spec.better} is better", width=max(18, 118 // ncols))
        ax.set_title(f"{spec.label.capitalize()}\n{sub}", loc="left", fontsize=8.5)
    for ax in list(axes.flat)[len(profiles):]:
        ax.set_visible(False)
    fig.suptitle("Outcome mean by engagement quartile (Q1 = least engaged units, Q4 = most engaged)",
                 x=0.01, ha="left", fontsize=11)
    return fig


def _label(study: Any, name: str) -> str:
    spec = getattr(study, "specs", {}).get(name)
    return spec.label if spec is not None else str(name).replace("_", " ")


def _whole(x: float) -> int:
    """Round to a whole number without printing "-0"."""
    return int(round(x)) + 0


def quartile_table(quartiles: Any) -> pd.DataFrame:
    """The client's quartile table: outcome, top and bottom quartile values, the difference in words, CI, p."""
    t = quartiles.table
    level = float(t["ci_level"].iloc[0]) if len(t) else 0.95
    name = [quartiles._row_name(r) for r in t.itertuples(index=False)] if hasattr(quartiles, "_row_name") else t["outcome"]
    return pd.DataFrame({
        "outcome": name,
        "measured as": t.get("unit_label", pd.Series([""] * len(t))).to_numpy(),
        "top quartile": t["top"].to_numpy(),
        "bottom quartile": t["bottom"].to_numpy(),
        "top vs bottom": t["label"].to_numpy(),
        f"{level:.0%} CI (% better)": [
            f"{_whole(lo)}% to {_whole(hi)}%" if np.isfinite(lo) and np.isfinite(hi) else ""
            for lo, hi in zip(t["ci_low"], t["ci_high"], strict=True)
        ],
        "p": t["p_value"].to_numpy(),
        "units (top / bottom)": [f"{a:,} / {b:,}" for a, b in zip(t["n_units_top"], t["n_units_bottom"], strict=True)],
    })


def regression_summary(models: Any) -> str:
    """One paragraph: which outcomes move clearly (p < .05) in the better direction per SD of engagement."""
    t = models.table.loc[models.table["term"] == "engagement"]
    specs = getattr(models, "specs", {}) or {}
    better_dir = t["outcome"].map(lambda o: specs[o].better if o in specs else "higher")
    good = ((t["estimate"] > 0) == better_dir.eq("higher")) & (t["p_value"] < 0.05)
    bad = ((t["estimate"] > 0) != better_dir.eq("higher")) & (t["p_value"] < 0.05)
    names = lambda m: ", ".join(str(o).replace("_", " ") for o in t.loc[m, "outcome"])  # noqa: E731
    s = (f"Per standard deviation more engagement, {int(good.sum())} of {len(t)} outcomes moved clearly (p < .05) "
         "in the better direction" + (f" ({names(good)})" if good.any() else "") + ".")
    if bad.any():
        s += f" {int(bad.sum())} moved clearly in the worse direction ({names(bad)})."
    return html.escape(s, quote=False) + " The table gives each effect in the outcome's own terms."


def regression_table(models: Any) -> pd.DataFrame:
    """The client's regression table: outcome, model, the per-SD effect in words, CI, p, units."""
    t = models.table.loc[models.table["term"] == "engagement"]
    ratio = t["family"].ne("gaussian")
    ci = [
        (f"{a:.2f} to {b:.2f}" if r else f"{c:.3g} to {d:.3g}")
        for r, a, b, c, d in zip(ratio, t["effect_ci_low"], t["effect_ci_high"], t["ci_low"], t["ci_high"], strict=True)
    ]
    label = [str(x).replace("each SD of engagement (within company) goes with ", "").replace(
        "each SD of engagement goes with ", "") for x in t["effect_label"]]
    return pd.DataFrame({
        "outcome": [str(o).replace("_", " ") for o in t["outcome"]],
        "model": t["family"].to_numpy(),
        "per 1 SD more engagement": label,
        "95% CI": ci,
        "p": t["p_value"].to_numpy(),
        "units": t["n_units"].to_numpy(),
    })


def methods_text(quartiles: Any, models: Any, *, seed: int) -> str:
    """The parameters actually used, from the results (so the methods never drift from the numbers)."""
    lines = ["**Settings used** (from the results themselves):", ""]
    lines.append(f"- Seed of every random step: {seed}; confidentiality threshold: see the data section.")
    lines += [f"- {n}" for n in quartiles.notes]
    if models is not None:
        fam = getattr(models, "families", None)
        if fam is not None and len(fam):
            lines.append("- Regression families: " + "; ".join(
                f"{r.outcome.replace('_', ' ')}: {r.family} ({r.reason})" for r in fam.itertuples(index=False)) + ".")
        lines += [f"- {n}" for n in models.notes if "period fixed effects" not in n]
        refs = [quartiles.reference, models.reference]
    else:
        refs = [quartiles.reference]
    lines += [f"- Reference: {r}" for r in refs if r]
    return "\n".join(lines)


def appendix_text(caught: Sequence[Any], collector: ReportCollector, output_dir: str) -> str:
    """What the analyst needs to check the report: files written and warnings raised."""
    out = []
    if output_dir:
        sheets = ", ".join(collector.tables) or "none"
        out.append(f"`tables.xlsx` holds every table at full precision, one sheet each ({sheets}, and `units`: "
                   "one row per reported unit-period). Figures are in `figures/` at slide size. `report.ipynb` is this "
                   "report with its code.")
    msgs = []
    for w in caught:
        m = f"{getattr(w.category, '__name__', 'Warning')}: {w.message}"
        if m not in msgs:
            msgs.append(m)
    if msgs:
        out.append("Warnings raised by the analyses:\n\n" + "\n".join(f"- {html.escape(m)}" for m in msgs[:20]))
    else:
        out.append("No warnings were raised by the analyses.")
    return "\n\n".join(out)


def unit_table(study: Any) -> pd.DataFrame:
    """One row per reported unit-period: keys, respondents, engagement and analysed outcome values.

    Built from the Study, which never holds a unit below the confidentiality threshold
    nor a respondent-level row.
    """
    d = study.data
    keep = [c for c in (study.company, study.unit, study.period, "n_respondents", study.engagement) if c in d.columns]
    out = d[keep].copy()
    for name in study.outcomes:
        out[name] = study.values(name).to_numpy()
    return out.sort_values(keep[:3]).reset_index(drop=True)


def outcome_definitions(study: Any) -> pd.DataFrame:
    """How each outcome is read: direction, kind, exposure, scale."""
    rows = []
    for name, spec in study.specs.items():
        from .outcomes import uses_exposure

        exp = spec.exposure if uses_exposure(study.data, spec) else ""
        rows.append({
            "outcome": name,
            "better": spec.better,
            "kind": spec.kind,
            "analysed value": (f"{name} / {exp}" + (f" x {spec.per:,.0f}" if spec.per != 1 else "")) if exp else name,
            "measured as": spec.unit_label,
        })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------
# running the notebook
# ---------------------------------------------------------------------------
def _kernel_manager_class(work: Path) -> Any:
    """A kernel manager class whose kernel is this very interpreter (no NoSuchKernel in a venv).

    The kernelspec lives in ``work`` (a temporary directory) and points at ``sys.executable``;
    nbclient creates, owns and shuts down the kernel. On POSIX the kernel talks over local
    IPC sockets, so nothing listens on the network.
    """
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager

    kdir = work / "kernels" / _KERNEL_NAME
    kdir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (empathystats report)",
        "language": "python",
        "env": {
            "MPLBACKEND": "module://matplotlib_inline.backend_inline",
            "PYDEVD_DISABLE_FILE_VALIDATION": "1",
            "EMPATHYSTATS_PROGRESS": "0",  # the analyses' own bars would land in the report; papermill shows one
        },
    }
    (kdir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    kernel_dirs = [str(work / "kernels")]
    transport = "ipc" if os.name == "posix" else "tcp"
    ip = str(work / "kernel-ipc") if transport == "ipc" else "127.0.0.1"

    class ReportKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            kwargs["kernel_name"] = _KERNEL_NAME
            kwargs["kernel_spec_manager"] = KernelSpecManager(kernel_dirs=kernel_dirs)
            kwargs["transport"] = transport
            kwargs["ip"] = ip
            super().__init__(**kwargs)

    return ReportKernelManager


_USER_ERRORS = {
    "DataError": DataError,
    "ParameterError": ParameterError,
    "MissingDependencyError": MissingDependencyError,
}


def _translate(exc: Any, nb_path: Path | None) -> EmpathyStatsError:
    """Turn papermill's execution error into the empathystats error raised inside the notebook."""
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = str(getattr(exc, "evalue", exc)).strip()
    cls = _USER_ERRORS.get(ename)
    if cls is not None:
        err: EmpathyStatsError = cls(evalue)
    else:
        where = f" The partly run notebook is {nb_path}." if nb_path else ""
        tb = "\n".join(getattr(exc, "traceback", []) or [])
        tb = re.sub(r"\x1b\[[0-9;]*m", "", tb)
        err = ReportError(
            f"The report notebook failed with {ename}: {evalue}.{where} "
            "Fix: check the input files; if they look right, rerun with --debug (CLI) and report the traceback."
        )
        err.notebook_traceback = tb  # type: ignore[attr-defined]
    return err


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable able to print PDF headlessly, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _html_exporter() -> Any:
    nbconvert = require("nbconvert", extra="notebooks", purpose="write the HTML report")
    from nbconvert.preprocessors import TagRemovePreprocessor

    exporter = nbconvert.HTMLExporter(
        template_name="lab",
        extra_template_paths=[str(_TEMPLATES)],
        template_file="report_html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    remove = TagRemovePreprocessor(remove_cell_tags={"remove_cell", "injected-parameters"}, enabled=True)
    remove.remove_all_outputs_tags = {"remove_output"}
    exporter.register_preprocessor(remove, enabled=True)
    return exporter


def _strip_volatile(nb: Any) -> None:
    """Remove papermill timing metadata so two runs of the same data give the same notebook."""
    nb.metadata.get("papermill", {}).pop("start_time", None)
    nb.metadata.get("papermill", {}).pop("end_time", None)
    nb.metadata.get("papermill", {}).pop("duration", None)
    nb.metadata.get("papermill", {}).pop("input_path", None)
    nb.metadata.get("papermill", {}).pop("output_path", None)
    nb.metadata.get("papermill", {}).pop("parameters", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        pm = cell.metadata.get("papermill")
        if pm:
            for key in ("start_time", "end_time", "duration"):
                pm.pop(key, None)


def _report_title(nb: Any) -> str | None:
    """The report's H1 as generated in the executed notebook (for the HTML page title)."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/markdown", "")
            if isinstance(text, str) and text.startswith("# "):
                return html.unescape(text.splitlines()[0][2:].strip())
    return None


def _print_pdf(chromium: str, html_path: Path, pdf_path: Path) -> str | None:
    """Print the HTML page to PDF with headless Chromium; return a note when it fails."""
    with tempfile.TemporaryDirectory(prefix="es-chromium-") as profile:
        cmd = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf_path}",
            html_path.resolve().as_uri(),
        ]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        except (subprocess.SubprocessError, OSError) as exc:
            return f"PDF not written: Chromium failed ({type(exc).__name__})."
    if not pdf_path.is_file():
        return "PDF not written: Chromium produced no file."
    return None


class ReportResult(Result):
    """What :func:`report` wrote: one row per file (``artifact, path, bytes``) and notes on what was skipped.

    Attributes
    ----------
    out : Path
        The output directory.
    paths : dict
        ``artifact -> Path`` for every file written (``figures`` maps to the figure folder).

    Examples
    --------
    >>> import empathystats as es
    >>> written = es.report("retail", out="client-report", formats=("html", "xlsx"))  # doctest: +SKIP
    >>> written["html"].name  # doctest: +SKIP
    'report.html'

    References
    ----------
    The report runs the notebook ``notebooks/05_client_impact_report.ipynb`` with papermill
    (nteract, 2017-); spreadsheet escaping follows OWASP, "CSV Injection".
    """

    def __init__(self, table: pd.DataFrame, *, out: Path, paths: dict[str, Path], **kw: Any) -> None:
        super().__init__(table, **kw)
        self.out = out
        self.paths = paths

    def __getitem__(self, key: str) -> Path:
        return self.paths[key]

    def footer_lines(self) -> list[str]:
        return list(self.notes)

    def text(self) -> str:
        files = ", ".join(f"{a} ({p.name})" for a, p in self.paths.items())
        return f"The report was written to {self.out}: {files}." + (" " + " ".join(self.notes) if self.notes else "")

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<li><a href='{html.escape(p.as_uri())}'>{html.escape(a)}</a>: {html.escape(str(p))}</li>"
            for a, p in self.paths.items()
        )
        notes = "".join(f"<div style='color:#555'>{html.escape(n)}</div>" for n in self.notes)
        return f"<div><b>{html.escape(self.title)}</b><ul>{rows}</ul>{notes}</div>"


def _check_formats(formats: Any) -> tuple[str, ...]:
    if isinstance(formats, str):
        formats = (formats,)
    formats = tuple(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ParameterError(
            f"The 'formats' parameter of report must be a non-empty selection of {', '.join(map(repr, FORMATS))}; "
            f"got {formats!r} instead."
        )
    return formats


def report(
    study_or_paths: Any,
    *,
    out: str | Path,
    costs: Any = None,
    title: str | None = None,
    min_respondents: int = 5,
    seed: int = 0,
    formats: Sequence[str] = FORMATS,
    progress: bool | None = None,
    items: Sequence[str] | None = None,
    scale: tuple[float, float] | None = None,
    timeout: float | None = 600,
) -> ReportResult:
    """Run the client impact report on a study and write HTML, notebook, Excel, PNG (and PDF) into ``out``.

    The report notebook (``notebooks/05_client_impact_report.ipynb``, shipped as
    ``empathystats/templates/report.ipynb``) is executed with papermill in a kernel
    bound to this interpreter. It scores the survey (:func:`empathystats.score_units`,
    reliability with :func:`empathystats.cronbach_alpha` and :func:`empathystats.icc`),
    compares top- and bottom-quartile units (:func:`empathystats.compare_quartiles`),
    fits one regression per outcome and the lagged models
    (:func:`empathystats.fit_outcome_models`, :func:`empathystats.cross_lagged`),
    meta-analyses across companies when there are several
    (:func:`empathystats.meta_analysis_all`) and prices the difference when costs
    are given (:func:`empathystats.impact`). Every sentence of the executive summary
    is generated from those results' ``text()``.

    Parameters
    ----------
    study_or_paths : Study, str, tuple, dict or Demo
        What to report on: a :class:`~empathystats.Study`; a demo name (``"multi"``,
        ``"retail"``); a ``(survey, outcomes)`` pair of paths or DataFrames; a dict with
        keys ``survey``, ``outcomes`` (and optionally ``units``, ``costs``); or a demo
        object from :func:`empathystats.load_demo` (its ``.costs`` are used).
    out : str or Path
        Output directory (created when missing; files in it are overwritten).
    costs : DataFrame, dict or path, optional
        Cost per unit of each outcome for the money impact (see :func:`empathystats.impact`).
    title : str, optional
        Report title; default "Engagement and business outcomes: <data name>".
    min_respondents : int
        Confidentiality threshold: units with fewer respondents appear nowhere in the report.
    seed : int
        Seed of every random step (bootstrap, permutation tests); same data + seed -> same numbers.
    formats : sequence of str
        Any of ``"html", "xlsx", "png", "ipynb", "pdf"``. PDF is printed by headless
        Chromium when installed, otherwise skipped with a note.
    progress : bool, optional
        Show a progress bar (one step per notebook cell); default: when stderr is a terminal or in
        Jupyter, unless the environment variable ``EMPATHYSTATS_PROGRESS`` is ``0`` (``1`` forces it on).
    items : list of str, optional
        Survey item columns (default ``Q01`` ... ``Q12``), passed to :func:`empathystats.score_units`.
    scale : (low, high), optional
        Answer scale of the items (default 1-5).
    timeout : float, optional
        Seconds allowed per notebook cell.

    Returns
    -------
    ReportResult
        ``.table``: ``artifact, path, bytes`` of every file written; ``.paths``;
        ``.notes`` (e.g. why the PDF was skipped).

    Raises
    ------
    DataError, ParameterError
        A problem with the data or the arguments, with the message raised inside the notebook.
    ReportError
        Any other failure of the notebook (``.notebook_traceback`` holds its traceback).

    Examples
    --------
    >>> import empathystats as es
    >>> res = es.report("retail", out="client-report", formats=("html", "xlsx"))  # doctest: +SKIP
    >>> res.paths["html"].name  # doctest: +SKIP
    'report.html'

    References
    ----------
    Harter, J. K., Schmidt, F. L., Agrawal, S., Blue, A., Plowman, S. K., Josh, P., & Asplund, J. (2020).
    The relationship between engagement at work and organizational outcomes: 2020 Q12 meta-analysis
    (10th ed.). Gallup.
    """
    check_number(min_respondents, name="min_respondents", func="report", low=1, integer=True)
    check_number(seed, name="seed", func="report", low=0, integer=True)
    formats = _check_formats(formats)
    if title is not None and not isinstance(title, str):
        raise ParameterError(f"The 'title' parameter of report must be a string; got {type(title).__name__} instead.")
    papermill = require("papermill", extra="notebooks", purpose="run the report notebook")
    require("ipykernel", extra="notebooks", purpose="run the report notebook")
    progress = progress_enabled(progress)  # EMPATHYSTATS_PROGRESS, then a terminal or Jupyter

    out = Path(out).expanduser().resolve()
    if out.exists() and not out.is_dir():
        raise ParameterError(f"The 'out' parameter of report must be a directory; {str(out)!r} is a file.")
    out.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="empathystats-report-") as tmp:
        work = Path(tmp)
        params = _prepare(study_or_paths, costs, work)
        params.update(
            title=title or "",
            min_respondents=int(min_respondents),
            seed=int(seed),
            output_dir=str(out),
            formats=",".join(formats),
            items=",".join(items) if items else "",
            scale=",".join(str(v) for v in scale) if scale else "",
        )
        if (out / "figures").is_dir():
            for old in (out / "figures").glob("*.png"):
                old.unlink()
        executed = work / "report.ipynb"
        try:
            papermill.execute_notebook(
                str(template_path()),
                str(executed),
                parameters=params,
                kernel_name="python3",
                kernel_manager_class=_kernel_manager_class(work),
                progress_bar=progress,
                request_save_on_cell_execute=False,
                cwd=str(work),
                execution_timeout=timeout,
                log_output=False,
                shutdown_kernel="immediate",
            )
        except papermill.PapermillExecutionError as exc:
            failed = None
            if executed.is_file():
                failed = out / "report-failed.ipynb"
                shutil.copyfile(executed, failed)
            raise _translate(exc, failed) from None
        nbformat = require("nbformat", extra="notebooks", purpose="read the executed report")
        nb = nbformat.read(str(executed), as_version=4)
    _strip_volatile(nb)
    stale = out / "report-failed.ipynb"
    if stale.exists():
        stale.unlink()
    paths: dict[str, Path] = {}
    if "ipynb" in formats:
        paths["ipynb"] = out / "report.ipynb"
        nbformat.write(nb, str(paths["ipynb"]))
    if "html" in formats or "pdf" in formats:
        exporter = _html_exporter()
        nb.metadata["title"] = _report_title(nb) or title or "Engagement and business outcomes"
        body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": "report"}})
        html_path = out / "report.html"
        html_path.write_text(body, encoding="utf-8")
        if "html" in formats:
            paths["html"] = html_path
        if "pdf" in formats:
            chromium = find_chromium()
            if chromium is None:
                notes.append(
                    "PDF skipped: no Chromium/Chrome found (install it, e.g. apt-get install chromium, "
                    "or print report.html from a browser)."
                )
            else:
                problem = _print_pdf(chromium, html_path, out / "report.pdf")
                if problem:
                    notes.append(problem)
                else:
                    paths["pdf"] = out / "report.pdf"
            if "html" not in formats:
                html_path.unlink()
    if "xlsx" in formats and (out / "tables.xlsx").is_file():
        paths["xlsx"] = out / "tables.xlsx"
    if "png" in formats and (out / "figures").is_dir():
        paths["figures"] = out / "figures"
    rows = []
    for artifact, path in paths.items():
        size = sum(f.stat().st_size for f in path.glob("*.png")) if path.is_dir() else path.stat().st_size
        rows.append({"artifact": artifact, "path": str(path), "bytes": int(size)})
    table = pd.DataFrame(rows, columns=["artifact", "path", "bytes"])
    return ReportResult(
        table,
        out=out,
        paths=paths,
        title=f"Client impact report written to {out}",
        params={"min_respondents": min_respondents, "seed": seed, "formats": formats},
        notes=notes,
    )

