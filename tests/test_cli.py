"""The command line: describe on demo data and on files, the error path, --version, the registry.

Expected counts come from the files the tests write (designed numbers) or, for the demo
data, from an independent pandas count on the bundled csv following the documented rules
(a respondent is scored with at least ceil(2/3 x 12) = 8 answers; a unit x period with fewer
than 5 scored respondents is suppressed).
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from empathystats import cli

ROOT = Path(__file__).resolve().parents[1]
ITEMS = [f"Q{i:02d}" for i in range(1, 13)]


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys):
    version = importlib.metadata.version("empathystats")  # from the installed metadata (pyproject.toml)
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and out.strip() == f"empathystats {version}"


def test_python_m_empathystats():
    out = subprocess.run([sys.executable, "-m", "empathystats", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("empathystats ")


def test_no_command_prints_help(capsys):
    code, _, err = run([], capsys)
    assert code == 2 and "describe" in err


@pytest.fixture
def files(tmp_path):
    """Company C1: unit U1 (6 respondents), U2 (3: under the threshold); C2: U3 (5). Outcomes also for U4."""
    rows = []
    rid = 0
    for company, unit, n in [("C1", "U1", 6), ("C1", "U2-small", 3), ("C2", "U3", 5)]:
        for _ in range(n):
            rid += 1
            rows.append({"company": company, "unit_id": unit, "period": 2024, "respondent_id": f"R-SECRET-{rid}",
                         **{q: 4 for q in ITEMS}})
    survey = pd.DataFrame(rows)
    survey.loc[0, ["Q01", "Q02", "Q03"]] = None  # 6 blank answers of 14 x 12 = 168 (3.6%), Q01 worst 2/14
    survey.loc[1, ["Q01", "Q04", "Q05"]] = None
    survey_path = tmp_path / "survey.csv"
    survey.to_csv(survey_path, index=False)
    outcomes = pd.DataFrame({"unit_id": ["U1", "U2-small", "U3", "U4"], "period": 2024,
                             "turnover": [2, 1, None, 3], "headcount": [20, 10, 12, 30],
                             "profitability": [0.1, 0.05, 0.08, 0.02]})
    outcomes_path = tmp_path / "outcomes.csv"
    outcomes.to_csv(outcomes_path, index=False)
    return survey_path, outcomes_path


def line(out: str, key: str) -> str:
    found = [ln for ln in out.splitlines() if ln.strip().startswith(key)]
    assert found, f"no line starting with {key!r} in:\n{out}"
    return found[0]


def test_describe_files(files, capsys):
    survey, outcomes = files
    code, out, err = run(["describe", "--survey", str(survey), "--outcomes", str(outcomes)], capsys)
    assert code == 0, err
    assert line(out, "respondents:").split()[-1] == "14"
    assert line(out, "companies:").split()[-1] == "2"
    assert "3 (3 unit-periods)" in line(out, "units:")
    assert "1 (2024)" in line(out, "periods:")
    assert "3.6% of item answers" in line(out, "missing answers:") and "Q01 (14.3%)" in out
    assert "1 unit-periods with fewer than 5 respondents (3 respondents)" in line(out, "confidentiality:")
    turnover = line(out, "turnover")
    assert turnover.split()[3:5] == ["3", "25.0%"] and "turnover / headcount" in turnover
    assert line(out, "profitability").split()[3:5] == ["4", "0.0%"]
    assert line(out, "linked:").split()[1] == "2"
    assert "2 outcome rows have no scored unit (1 of them belong to suppressed units)" in out
    # counts only: no respondent id, no id of a unit under the threshold
    assert "R-SECRET" not in out and "U2-small" not in out


def test_min_respondents_option(files, capsys):
    survey, outcomes = files
    code, out, _ = run(["describe", "--survey", str(survey), "--min-respondents", "3"], capsys)
    assert code == 0
    assert "0 unit-periods with fewer than 3 respondents" in out
    code, _, err = run(["describe", "--survey", str(survey), "--min-respondents", "0"], capsys)
    assert code == 2 and "--min-respondents" in err


def test_describe_units_file(tmp_path, capsys):
    path = tmp_path / "units.csv"
    path.write_text("unit_id,period,engagement,n_respondents,turnover\nA,1,60%,12,10%\nB,1,70%,4,\nC,1,,9,5%\n")
    code, _, err = run(["describe", "--units", str(path)], capsys)
    assert code == 2 and "column 'engagement'" in err and "pass --percent" in err
    code, out, err = run(["describe", "--units", str(path), "--percent"], capsys)
    assert code == 0, err
    assert "mean 0.65" in line(out, "engagement:") and "1 missing (33.3%)" in out
    assert "1 unit-periods with fewer than 5 respondents" in out
    assert line(out, "turnover").split()[3:5] == ["2", "33.3%"]


def test_describe_demo(capsys):
    code, out, err = run(["describe", "--demo", "multi"], capsys)
    assert code == 0, err
    raw = pd.read_csv(ROOT / "empathystats" / "data" / "multi_survey.csv", dtype={"unit_id": str, "company": str})
    scored = raw[raw[ITEMS].notna().sum(axis=1) >= 8]
    sizes = scored.groupby(["company", "unit_id", "period"]).size()
    assert line(out, "respondents:").split()[-1] == f"{len(raw):,}"
    assert line(out, "companies:").split()[-1] == str(raw["company"].nunique())
    assert f"fewer than 5 respondents ({int(sizes[sizes < 5].sum()):,} respondents)" in out
    assert f"{int((sizes < 5).sum()):,} unit-periods with fewer than 5" in out
    assert "outcomes found:     9" in out
    code, out, _ = run(["describe", "--demo", "retail"], capsys)
    assert code == 0 and line(out, "companies:").split()[-1] == "1"


def test_data_error_is_one_paragraph_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("unit_id," + ",".join(ITEMS) + "\nA," + ",".join(["7"] * 12) + "\n")
    code, out, err = run(["describe", "--survey", str(bad)], capsys)
    assert code == 2 and out == ""
    assert str(bad) in err and "column 'Q01'" in err and "row 2: 7" in err and "Fix:" in err
    assert "pass --scale LOW,HIGH" in err  # the fix names the command-line option
    assert "Traceback" not in err and len(err.strip().splitlines()) == 2  # the paragraph + the --debug hint
    code, _, err = run(["describe", "--debug", "--survey", str(bad)], capsys)
    assert code == 2 and "Traceback" in err and "DataError" in err


def test_usage_errors(tmp_path, capsys):
    code, _, err = run(["describe"], capsys)
    assert code == 2 and "--demo" in err
    code, _, err = run(["describe", "--demo", "--survey", "x.csv"], capsys)
    assert code == 2 and "either --demo" in err
    code, _, err = run(["describe", "--survey", str(tmp_path / "missing.csv")], capsys)
    assert code == 2 and "file not found" in err
    code, _, _ = run(["describe", "--demo", "nope"], capsys)  # argparse rejects the choice
    assert code == 2


def test_register_a_subcommand(capsys, monkeypatch):
    monkeypatch.setattr(cli, "SUBCOMMANDS", list(cli.SUBCOMMANDS))
    seen = {}

    def add(parser):
        parser.add_argument("--out", required=True)
        cli.add_input_arguments(parser)

    def go(args):
        seen["out"] = args.out
        seen["demo"] = args.demo
        return 0

    cli.register("hello", "say hello", add, go)
    code, _, _ = run(["hello", "--out", "dir", "--demo"], capsys)
    assert code == 0 and seen == {"out": "dir", "demo": "multi"}
    assert [c.name for c in cli.SUBCOMMANDS].count("hello") == 1
