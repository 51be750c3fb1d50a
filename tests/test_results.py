"""Result base: rounding only on screen, header/footer, formula escaping, exports."""

from __future__ import annotations

import pandas as pd
import pytest

import empathystats as es
from empathystats.results import Result, dropped_frame, escape_formulas, format_p


def _result():
    table = pd.DataFrame({"outcome": ["=cmd|' /C calc'!A0", "turnover"], "estimate": [0.123456789, -2.5],
                          "p_value": [0.0000123, 0.2]})
    return Result(table, title="Test result", params={"seed": 1},
                  dropped=dropped_frame([("companies with too few units", 2, "fewer than 8")]),
                  reference="Someone (2020)")


def test_full_precision_inside_rounded_on_screen():
    r = _result()
    assert r.table["estimate"].iloc[0] == 0.123456789
    text = str(r)
    assert "0.123" in text and "0.1234" not in text
    assert "<0.001" in text
    assert "Dropped: 2 companies with too few units (fewer than 8)" in text
    assert "seed=1" in text and "Reference: Someone (2020)" in text


def test_formula_like_text_is_escaped():
    out = escape_formulas(pd.DataFrame({"a": ["=1+1", "+x", "-y", "@z", "ok"], "n": [1, 2, 3, 4, 5]}))
    assert list(out["a"]) == ["'=1+1", "'+x", "'-y", "'@z", "ok"]
    assert out["n"].dtype.kind == "i"  # numbers stay numbers


def test_csv_and_excel_exports(tmp_path):
    pytest.importorskip("openpyxl")
    import openpyxl

    r = _result()
    r.to_csv(tmp_path / "r.csv")
    back = pd.read_csv(tmp_path / "r.csv")
    assert back["outcome"].iloc[0].startswith("'=")
    r.to_excel(tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    cell = wb["result"]["A2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")
    assert isinstance(wb["result"]["B2"].value, float)
    assert wb["dropped"]["B2"].value == 2


def test_format_p():
    assert format_p(0.0004) == "<0.001"
    assert format_p(0.0312) == "0.031"
    assert format_p(float("nan")) == ""


def test_outcome_spec_validation():
    with pytest.raises(es.ParameterError, match="'better'.*'higher' or 'lower'"):
        es.OutcomeSpec("x", better="up")
    with pytest.raises(es.ParameterError, match="'kind'"):
        es.OutcomeSpec("x", kind="ratio")
    with pytest.raises(es.ParameterError, match="reliability"):
        es.OutcomeSpec("x", reliability=1.5)
    assert es.OutcomeSpec("lost_time", better="lower").sign == -1
