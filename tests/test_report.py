"""The one-command client report: runs, confidentiality, formula escaping, reproducibility, errors.

Each papermill run starts a kernel and costs seconds, so the runs are shared by
module-scoped fixtures: one run of a minimal study written by the test (one
company, 12 reported units, 2 suppressed units, a unit named like a spreadsheet
formula) through the CLI, a second run of the same files through Python with the
same seed (reproducibility), one bad-input run, and one run of the retail demo.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

import empathystats as es
from empathystats import reporting
from empathystats.cli import main
from empathystats.errors import DataError, ParameterError

ROOT = Path(__file__).resolve().parents[1]
FORMULA_UNIT = '=HYPERLINK("http://example.com","x")'
SMALL_UNITS = ["tiny-unit-QX7", "tiny-unit-ZK4"]  # 3 and 4 respondents: below the threshold of 5
ITEMS = [f"Q{i:02d}" for i in range(1, 13)]


def _minimal_study(seed: int = 11) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One company, one period, 12 reportable units (8-15 respondents) + 2 units under the threshold.

    Engagement drives customer loyalty and turnover, so the analyses have something to find,
    but the numbers asserted below are counts and identities fixed by construction.
    """
    rng = np.random.default_rng(seed)
    units = [f"store-{i:02d}" for i in range(1, 12)] + [FORMULA_UNIT] + SMALL_UNITS
    sizes = np.r_[rng.integers(8, 16, 12), 3, 4]
    unit_col = np.repeat(units, sizes)
    latent = np.repeat(rng.normal(0, 0.6, len(units)), sizes) + rng.normal(0, 0.8, sizes.sum())
    answers = np.clip(np.rint(3.6 + latent[:, None] + rng.normal(0, 0.7, (sizes.sum(), 12))), 1, 5).astype(int)
    survey = pd.DataFrame(answers, columns=ITEMS)
    survey.insert(0, "respondent_id", [f"resp-{rng.integers(10**6, 10**7)}-{i:04d}" for i in range(sizes.sum())])
    survey.insert(1, "unit_id", unit_col)
    survey.insert(2, "company", "Acme Test Stores")
    survey.insert(3, "period", 1)
    unit_eng = pd.Series(latent).groupby(unit_col).mean().reindex(units).to_numpy()
    headcount = rng.integers(20, 60, len(units))
    outcomes = pd.DataFrame(
        {
            "unit_id": units,
            "period": 1,
            "headcount": headcount,
            "turnover": rng.binomial(headcount, 1 / (1 + np.exp(0.6 + 0.8 * unit_eng))),
            "customer_loyalty": np.round(70 + 8 * unit_eng + rng.normal(0, 3, len(units)), 1),
            "productivity": np.round(100 + 15 * unit_eng + rng.normal(0, 8, len(units)), 2),
        }
    )
    return survey, outcomes


@pytest.fixture(scope="module")
def minimal_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("minimal")
    survey, outcomes = _minimal_study()
    paths = {"survey": d / "survey.csv", "outcomes": d / "outcomes.csv"}
    survey.to_csv(paths["survey"], index=False)
    outcomes.to_csv(paths["outcomes"], index=False)
    return paths


@pytest.fixture(scope="module")
def cli_report(minimal_files: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "client-report"
    code = main([
        "report", "--survey", str(minimal_files["survey"]), "--outcomes", str(minimal_files["outcomes"]),
        "--out", str(out), "--seed", "3", "--format", "html,xlsx,png,ipynb", "--no-progress",
    ])
    assert code == 0
    return out


def test_template_in_package_is_notebook_05() -> None:
    """The report template shipped in the wheel and notebooks/05 have the same cells (sources and tags)."""
    shipped = nbformat.read(str(reporting.template_path()), as_version=4)
    series = nbformat.read(str(ROOT / "notebooks" / "05_client_impact_report.ipynb"), as_version=4)

    def cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, list[str]]]:
        return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]

    assert cells(shipped) == cells(series)
    assert sum("parameters" in tags for _, _, tags in cells(shipped)) == 1
    assert shipped.metadata.kernelspec.name == "python3"


def test_cli_report_writes_every_artifact(cli_report: Path) -> None:
    for name in ("report.html", "report.ipynb", "tables.xlsx"):
        assert (cli_report / name).is_file(), name
    figures = sorted(p.name for p in (cli_report / "figures").glob("*.png"))
    assert "quartile_comparison.png" in figures and "engagement_distribution.png" in figures
    from PIL import Image

    with Image.open(cli_report / "figures" / "quartile_comparison.png") as im:
        # slide resolution: 10 x 5.6 in at 200 dpi
        assert im.size == (2000, 1120)
    assert not (cli_report / "report-failed.ipynb").exists()


def test_html_is_self_contained_and_hides_code(cli_report: Path) -> None:
    page = (cli_report / "report.html").read_text(encoding="utf-8")
    assert "<script src" not in page and "<link " not in page  # nothing fetched from the network
    assert not re.search(r"""(src|href)=["']https?://""", page)
    assert "data:image/png;base64," in page  # figures embedded
    assert "rp.load_report_inputs" not in page and "import empathystats" not in page  # code hidden
    assert "Executive summary" in page and "Methods and caveats" in page
    # one company and one period: the absent sections say why, in words
    assert "one company" in page and "one survey period" in page


def test_report_shows_no_respondent_and_no_suppressed_unit(cli_report: Path, minimal_files: dict[str, Path]) -> None:
    survey = pd.read_csv(minimal_files["survey"])
    page = (cli_report / "report.html").read_text(encoding="utf-8")
    notebook = (cli_report / "report.ipynb").read_text(encoding="utf-8")
    sheets = pd.read_excel(cli_report / "tables.xlsx", sheet_name=None, header=None)
    cells = {str(v) for df in sheets.values() for v in df.to_numpy().ravel()}
    for rid in survey["respondent_id"]:
        assert rid not in page and rid not in notebook
        assert rid not in cells
    for unit in SMALL_UNITS:
        assert unit not in page and unit not in notebook
        assert not any(unit in c for c in cells)
    # the suppressed units are counted, not named
    overview = sheets["data_overview"]
    assert ["units suppressed (fewer than 5 respondents)", 2] in overview.iloc[1:].values.tolist()
    assert ["units reported", 12] in overview.iloc[1:].values.tolist()


def test_xlsx_numbers_are_numbers_and_formulas_are_text(cli_report: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(cli_report / "tables.xlsx")
    assert {"quartiles", "regression", "units", "data_overview"} <= set(wb.sheetnames)
    ws = wb["units"]
    header = [c.value for c in ws[1]]
    unit_col = header.index("unit_id")
    values = [row[unit_col] for row in ws.iter_rows(min_row=2)]
    formula_cells = [c for c in values if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert len(formula_cells) == 1
    cell = formula_cells[0]
    assert cell.data_type == "s"  # a string, never a formula
    assert cell.value == "'" + FORMULA_UNIT
    eng = [row[header.index("engagement")].value for row in ws.iter_rows(min_row=2)]
    assert all(isinstance(v, float) for v in eng)
    assert len(eng) == 12  # every reported unit, no suppressed one
    for name in wb.sheetnames:
        assert not any(c.data_type == "f" for row in wb[name].iter_rows() for c in row), name


def test_same_seed_same_tables(
    cli_report: Path, minimal_files: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second run (Python API, same files, same seed) writes identical sheet values.

    The same run checks the PDF fallback: with no Chromium found, the PDF is skipped with a note.
    """
    monkeypatch.setattr(reporting, "find_chromium", lambda: None)
    res = es.report(
        {"survey": str(minimal_files["survey"]), "outcomes": str(minimal_files["outcomes"])},
        out=tmp_path / "again",
        seed=3,
        formats=("xlsx", "pdf"),
        progress=False,
    )
    assert set(res.paths) == {"xlsx"}
    assert any("PDF skipped" in n for n in res.notes)
    assert not (tmp_path / "again" / "report.pdf").exists() and not (tmp_path / "again" / "report.html").exists()
    first = pd.read_excel(cli_report / "tables.xlsx", sheet_name=None)
    second = pd.read_excel(res.paths["xlsx"], sheet_name=None)
    assert list(first) == list(second)
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name], check_exact=True, obj=name)


def test_bad_file_fails_cleanly_from_the_cli(minimal_files: dict[str, Path], tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad_survey.csv"
    survey = pd.read_csv(minimal_files["survey"])
    survey.loc[4, "Q03"] = 9  # outside the 1-5 scale
    survey.to_csv(bad, index=False)
    code = main(["report", "--survey", str(bad), "--outcomes", str(minimal_files["outcomes"]),
                 "--out", str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert code != 0
    assert "bad_survey.csv" in err and "Q03" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2  # one paragraph + the --debug hint


def test_data_error_inside_the_notebook_surfaces_as_data_error(minimal_files: dict[str, Path], tmp_path: Path) -> None:
    """A problem only the notebook sees (answers out of scale, passed as a DataFrame) comes back as DataError."""
    survey = pd.read_csv(minimal_files["survey"])
    survey.loc[[2, 7], "Q05"] = 7
    before = survey.copy()
    with pytest.raises(DataError, match=r"Q05") as info:
        es.report({"survey": survey, "outcomes": pd.read_csv(minimal_files["outcomes"])},
                  out=tmp_path / "out", formats=("html",), progress=False)
    assert "Traceback" not in str(info.value)
    assert (tmp_path / "out" / "report-failed.ipynb").is_file()  # for the analyst
    pd.testing.assert_frame_equal(survey, before)  # the caller's frame is untouched


def test_debug_shows_the_traceback(minimal_files: dict[str, Path], tmp_path: Path, capsys) -> None:
    code = main(["report", "--survey", str(tmp_path / "nope.csv"), "--outcomes", str(minimal_files["outcomes"]),
                 "--out", str(tmp_path / "out"), "--debug"])
    assert code != 0
    assert "Traceback" in capsys.readouterr().err


def test_notebook_errors_are_translated() -> None:
    """Errors raised in the kernel come back by name: user errors keep their class, others become ReportError."""

    class Fake(Exception):
        def __init__(self, ename: str, evalue: str) -> None:
            self.ename, self.evalue, self.traceback = ename, evalue, ["\x1b[31mline 1\x1b[0m"]

    err = reporting._translate(Fake("ParameterError", "The 'seed' parameter ..."), None)
    assert isinstance(err, ParameterError) and str(err) == "The 'seed' parameter ..."
    err = reporting._translate(Fake("ZeroDivisionError", "division by zero"), Path("x/report-failed.ipynb"))
    assert isinstance(err, reporting.ReportError)
    assert "ZeroDivisionError" in str(err) and "report-failed.ipynb" in str(err)
    assert err.notebook_traceback == "line 1"


def test_bad_parameters_fail_before_running(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="formats"):
        es.report("retail", out=tmp_path, formats=("docx",))
    with pytest.raises(ParameterError, match="min_respondents"):
        es.report("retail", out=tmp_path, min_respondents=0)
    with pytest.raises(ParameterError, match="study_or_paths"):
        es.report(42, out=tmp_path)
    with pytest.raises(DataError, match="not found"):
        es.report({"survey": tmp_path / "missing.csv", "outcomes": tmp_path / "missing2.csv"}, out=tmp_path)


def test_kernel_is_this_interpreter(tmp_path: Path) -> None:
    import sys

    cls = reporting._kernel_manager_class(tmp_path)
    km = cls()
    assert km.kernel_spec.argv[0] == sys.executable


def test_retail_demo_report(tmp_path: Path) -> None:
    """The bundled retail demo end to end (one retailer, costs given: the money section is filled)."""
    res = es.report("retail", out=tmp_path / "retail", formats=("html", "xlsx"), progress=False)
    page = res.paths["html"].read_text(encoding="utf-8")
    assert "Northwind Retail" in page
    assert "No costs were given" not in page
    sheets = pd.read_excel(res.paths["xlsx"], sheet_name=None)
    assert "money_impact" in sheets
    demo = es.load_demo("retail")
    q = sheets["quartiles"]
    assert set(q["outcome"]) <= set(demo.outcomes.columns)
    units = sheets["units"]
    assert units["n_respondents"].min() >= 5
    counts = demo.survey.groupby(["unit_id", "period"]).size()
    small = {(str(u), int(p)) for (u, p), n in counts.items() if n < 5}
    assert small  # the demo has units under the threshold; none may appear
    shown = set(zip(units["unit_id"].astype(str), units["period"].astype(int), strict=True))
    assert not shown & small
    assert res.table["artifact"].tolist() == ["html", "xlsx"]


class _Stop(Exception):
    pass


@pytest.mark.parametrize(("env", "expected"), [("0", False), ("1", True)])
def test_report_progress_default_follows_empathystats_progress(monkeypatch, tmp_path, env, expected):
    """progress=None asks empathystats._progress.progress_enabled (EMPATHYSTATS_PROGRESS, then tty/Jupyter)."""
    papermill = pytest.importorskip("papermill")
    seen = {}

    def fake_execute(*args, **kwargs):
        seen["progress_bar"] = kwargs["progress_bar"]
        raise _Stop

    monkeypatch.setenv("EMPATHYSTATS_PROGRESS", env)
    monkeypatch.setattr(papermill, "execute_notebook", fake_execute)
    with pytest.raises(_Stop):
        es.report("retail", out=tmp_path / "out", formats=("html",))
    assert seen["progress_bar"] is expected
