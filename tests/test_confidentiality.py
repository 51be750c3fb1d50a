"""Confidentiality across every analysis (DESIGN.md: no unit below the threshold in any output,
no respondent-level row in any result).

The multi demo is made harder on purpose: respondent ids become strings that cannot collide with
any other number or word ("rsp000123q"), and a few units keep only two respondents per period, so
they are below the threshold in every period and pooled over periods. Which units and unit x
period cells are below the threshold is computed here with a plain pandas ``groupby`` on the raw
survey, independently of ``score_units``.

Every result's ``.table`` and other DataFrame attributes, ``str()``, ``_repr_html_()``, ``text()``,
``to_csv`` and ``to_excel`` output is searched, at the default threshold (5) and at 10.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import empathystats as es
from empathystats.results import Result

UNIT, PERIOD, RESPONDENT = "unit_id", "period", "respondent_id"
RESPONDENT_TOKEN = re.compile(r"rsp\d{6}q")
# units cut down to two respondents per period (so 4 over the two demo periods: below 5 and 10)
TINY_UNITS = ["C01-U003", "C05-U010", "C12-U002", "C20-U015", "C33-U007", "C40-U004"]


@pytest.fixture(scope="module")
def raw() -> tuple[pd.DataFrame, pd.DataFrame]:
    demo = es.load_demo("multi")
    survey = demo.survey.copy()
    survey[RESPONDENT] = [f"rsp{i:06d}q" for i in range(len(survey))]
    assert set(TINY_UNITS) <= set(survey[UNIT])
    tiny = survey[UNIT].isin(TINY_UNITS)
    keep = ~tiny | (survey.groupby([UNIT, PERIOD]).cumcount() < 2)
    return survey[keep].reset_index(drop=True), demo.outcomes


def _suppressed(survey: pd.DataFrame, threshold: int) -> tuple[set[str], set[tuple[str, Any]]]:
    """Units below the threshold in every period and pooled; unit x period cells below it."""
    cells = survey.groupby([UNIT, PERIOD]).size()
    small_cells = set(cells[cells < threshold].index)
    totals = survey.groupby(UNIT).size()
    small_units = set(totals[totals < threshold].index)
    return small_units, small_cells


# Attributes that list what was excluded (unit keys and counts, no scores), by design.
DIAGNOSTICS = (".suppressed", ".unmatched", ".scores.suppressed")


def _frames(obj: Any, name: str = "") -> list[tuple[str, pd.DataFrame]]:
    """Every DataFrame a result holds (attributes, and inside dicts/tuples of them)."""
    found: list[tuple[str, pd.DataFrame]] = []
    if isinstance(obj, pd.DataFrame):
        return [(name, obj)]
    if isinstance(obj, dict):
        for k, v in obj.items():
            found += _frames(v, f"{name}[{k!r}]")
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            found += _frames(v, f"{name}[{i}]")
    elif isinstance(obj, (Result, es.Study)):
        for k, v in vars(obj).items():
            if k in ("models", "scores"):  # fitted statsmodels objects; the Study's own scores are checked apart
                continue
            found += _frames(v, f"{name}.{k}")
    return found


def _texts(result: Any, tmp_path: Path, tag: str) -> dict[str, str]:
    out = {"str": str(result), "html": result._repr_html_()}
    if hasattr(result, "text"):
        out["text"] = result.text()
    if hasattr(result, "to_csv"):
        out["csv"] = result.to_csv(tmp_path / f"{tag}.csv").read_text()
    if hasattr(result, "to_excel"):
        path = tmp_path / f"{tag}.xlsx"
        result.to_excel(path)
        sheets = pd.read_excel(path, sheet_name=None, dtype=str)
        out["xlsx"] = "\n".join(df.to_csv(index=False) for df in sheets.values())
    return out


@pytest.fixture(scope="module", params=[5, 10], ids=lambda t: f"min_respondents={t}")
def analysed(request, raw, tmp_path_factory) -> dict[str, Any]:
    threshold = request.param
    survey, outcomes = raw
    study = es.Study.from_survey(survey, outcomes, min_respondents=threshold)
    comparison = es.compare_quartiles(study, n_boot=50, seed=3)
    few = ["customer_loyalty", "turnover", "safety_incidents"]
    results = {
        "score_units": es.score_units(survey, min_respondents=threshold),
        "Study": study,
        "compare_quartiles": comparison,
        "fit_outcome_models": es.fit_outcome_models(study, outcomes=few),
        "cross_lagged": es.cross_lagged(study, "customer_loyalty"),
        "meta_analysis": es.meta_analysis(study, outcome="turnover"),
        "meta_analysis_all": es.meta_analysis_all(study, outcomes=few),
        "rwg": es.rwg(survey, min_respondents=threshold),
        "rwg_by_period": es.rwg(survey, period=PERIOD, min_respondents=threshold),
        "icc": es.icc(survey),
        "cronbach_alpha": es.cronbach_alpha(survey),
        "impact": es.impact(comparison, costs={"turnover": 12_000.0, "absenteeism": 250.0}),
    }
    tmp = tmp_path_factory.mktemp(f"conf{threshold}")
    texts = {name: _texts(res, tmp, name) for name, res in results.items()}
    small_units, small_cells = _suppressed(survey, threshold)
    return {
        "threshold": threshold,
        "survey": survey,
        "results": results,
        "texts": texts,
        "small_units": small_units,
        "small_cells": small_cells,
    }


def test_the_fixture_has_units_to_hide(analysed):
    """The test would pass vacuously without suppressed units and cells."""
    assert set(TINY_UNITS) <= analysed["small_units"]
    assert len(analysed["small_cells"]) > len(TINY_UNITS)


def _unit_pattern(hidden: set[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, sorted(hidden))) + r")(?![\w-])")


def test_detectors_find_a_leak(analysed):
    """Positive control: the searches below do find respondents and small units in the raw survey."""
    text = analysed["survey"].to_csv(index=False)
    assert len(RESPONDENT_TOKEN.findall(text)) == len(analysed["survey"])
    assert set(_unit_pattern(analysed["small_units"]).findall(text)) == analysed["small_units"]
    assert _unit_pattern({"C01-U003"}).search("C01-U0031,C01-U003x") is None


NAMES = [
    "score_units", "Study", "compare_quartiles", "fit_outcome_models", "cross_lagged", "meta_analysis",
    "meta_analysis_all", "rwg", "rwg_by_period", "icc", "cronbach_alpha", "impact",
]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_no_respondent_id_anywhere(name, analysed):
    result = analysed["results"][name]
    for where, frame in _frames(result, name):
        assert RESPONDENT not in frame.columns, where
        assert RESPONDENT_TOKEN.search(frame.to_csv(index=False)) is None, where
        assert len(frame) < len(analysed["survey"]) / 5, f"{where}: as many rows as respondents?"
    for kind, text in analysed["texts"][name].items():
        assert RESPONDENT_TOKEN.search(text) is None, f"{name} {kind}"


@pytest.mark.parametrize("name", NAMES)
def test_no_suppressed_unit_in_any_output(name, analysed):
    hidden = analysed["small_units"]
    pattern = _unit_pattern(hidden)
    result = analysed["results"][name]
    for where, frame in _frames(result, name):
        if where.endswith(DIAGNOSTICS):  # lists of what was left out (checked below)
            continue
        leaked = sorted(set(pattern.findall(frame.to_csv(index=False))))
        assert leaked == [], f"{where} shows suppressed units {leaked[:5]}"
    for kind, text in analysed["texts"][name].items():
        leaked = sorted(set(pattern.findall(text)))
        assert leaked == [], f"{name} {kind} shows suppressed units {leaked[:5]}"


@pytest.mark.parametrize("name", NAMES)
def test_no_unit_period_cell_below_threshold(name, analysed):
    """Per-period unit tables hold no unit x period cell with fewer respondents than the threshold."""
    small = analysed["small_cells"]
    result = analysed["results"][name]
    for where, frame in _frames(result, name):
        if where.endswith(DIAGNOSTICS) or UNIT not in frame.columns:
            continue
        if PERIOD in frame.columns:
            keys = set(zip(frame[UNIT], frame[PERIOD], strict=True))
            assert not keys & small, f"{where}: {sorted(keys & small)[:5]}"
        if "n_respondents" in frame.columns:
            assert (frame["n_respondents"] >= analysed["threshold"]).all(), where


def test_exclusion_lists_hold_keys_and_counts_only(analysed):
    """``UnitScores.suppressed`` and ``Study.unmatched`` name what was left out (for the analyst, never
    shown by str/html/csv/xlsx, checked above): keys and respondent counts, never a score."""
    suppressed = analysed["results"]["score_units"].suppressed
    assert set(suppressed.columns) <= {UNIT, PERIOD, "company", "n_respondents"}
    assert (suppressed["n_respondents"] < analysed["threshold"]).all()
    unmatched = analysed["results"]["Study"].unmatched
    assert set(unmatched.columns) <= {"side", UNIT, PERIOD}


def test_unit_scores_count_what_they_suppressed(analysed):
    """Every suppressed cell is counted (nothing vanishes in silence), with the same count as pandas."""
    scores = analysed["results"]["score_units"]
    dropped = scores.dropped
    row = dropped[dropped["reason"].str.contains("threshold")]
    assert int(row["count"].sum()) == len(analysed["small_cells"])
    assert len(scores.table) + len(analysed["small_cells"]) == analysed["survey"].groupby([UNIT, PERIOD]).ngroups


# ---------------------------------------------------------------------------------------------
# The unit-level path: a client's unit table (engagement already scored, n_respondents given)


@pytest.fixture(scope="module")
def unit_table(raw) -> pd.DataFrame:
    """Every unit x period scored (no threshold), outcomes joined: the small cells are still in it."""
    survey, outcomes = raw
    scores = es.score_units(survey, min_respondents=1).table
    return scores.merge(outcomes, on=[UNIT, PERIOD], how="inner")


@pytest.mark.parametrize("threshold", [5, 10])
def test_unit_table_path_suppresses_and_counts_small_units(unit_table, threshold, tmp_path):
    small = unit_table["n_respondents"] < threshold  # computed here, independently
    assert small.sum() > 0
    hidden_cells = set(zip(unit_table.loc[small, UNIT], unit_table.loc[small, PERIOD], strict=True))
    study = es.Study(unit_table, min_respondents=threshold)
    row = study.dropped[study.dropped["reason"].str.contains("threshold")]
    assert int(row["count"].sum()) == int(small.sum())
    results = {
        "Study": study,
        "compare_quartiles": es.compare_quartiles(unit_table, n_boot=20, seed=1, min_units_per_company=8),
        "fit_outcome_models": es.fit_outcome_models(study, outcomes=["customer_loyalty"]),
        "meta_analysis": es.meta_analysis(study, outcome="customer_loyalty"),
    }
    # compare_quartiles got the raw table: it must apply the default threshold (5) itself
    if threshold == 5:
        cq_dropped = results["compare_quartiles"].dropped
        assert int(cq_dropped.loc[cq_dropped["reason"].str.contains("threshold"), "count"].sum()) == int(small.sum())
    for name, result in results.items():
        for where, frame in _frames(result, name):
            if UNIT in frame.columns and PERIOD in frame.columns and not where.endswith(DIAGNOSTICS):
                keys = set(zip(frame[UNIT], frame[PERIOD], strict=True))
                if name != "compare_quartiles" or threshold == 5:
                    assert not keys & hidden_cells, where
        for kind, text in _texts(result, tmp_path, name).items():
            assert RESPONDENT_TOKEN.search(text) is None, f"{name} {kind}"


def test_unit_table_without_counts_says_the_threshold_was_not_checked(unit_table):
    study = es.Study(unit_table.drop(columns="n_respondents"))
    assert any("n_respondents" in note or "threshold" in note for note in study.notes)


# ---------------------------------------------------------------------------------------------
# Client-safe exports: names a spreadsheet would run as formulas are written inert everywhere

FORMULA_NAMES = {"C01": "=1+1", "C02": "+C02", "C03": "@C03", "C04": "-C04"}


@pytest.fixture(scope="module")
def formula_results(raw) -> dict[str, Any]:
    survey, outcomes = (f.copy() for f in raw)
    survey["company"] = survey["company"].replace(FORMULA_NAMES)
    survey["industry"] = survey["industry"].where(survey["company"] != "=1+1", '=HYPERLINK("http://x")')
    for frame in (survey, outcomes):
        hit = frame[UNIT].str.startswith("C05-U00")
        frame.loc[hit, UNIT] = "=" + frame.loc[hit, UNIT]
    study = es.Study.from_survey(survey, outcomes)
    assert set(FORMULA_NAMES.values()) <= set(study.data["company"])
    comparison = es.compare_quartiles(study, outcomes=["turnover", "absenteeism"], n_boot=20, seed=1)
    # the base Result.to_csv/to_excel (the only other override is AlphaResult.to_excel, with its items)
    return {
        "score_units": es.score_units(survey),
        "compare_quartiles": comparison,
        "meta_analysis": es.meta_analysis(study, outcome="turnover", moderators="industry"),
        "cronbach_alpha": es.cronbach_alpha(survey),
    }


FORMULA_START = re.compile(r"^(?:[=+@\t\r]|-(?![\d.]))")  # a leading '-' is fine on a number


@pytest.mark.parametrize(
    "name",
    ["score_units", "compare_quartiles", "meta_analysis", "cronbach_alpha"],
)
def test_exports_never_hold_a_live_formula(name, formula_results, tmp_path):
    import csv

    import openpyxl

    result = formula_results[name]
    with open(result.to_csv(tmp_path / "t.csv"), newline="") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert [c for c in cells if FORMULA_START.match(c)] == []
    if name == "score_units":  # positive control: the names are there, made inert
        assert {"'=1+1", "'+C02", "'@C03", "'-C04", "'=C05-U001"} <= set(cells)
    path = tmp_path / "t.xlsx"
    result.to_excel(path)
    book = openpyxl.load_workbook(path)
    live = [(ws.title, c.coordinate) for ws in book for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert live == []
