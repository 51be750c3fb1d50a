"""Bundled demo data: what load_demo returns, and that the files regenerate byte for byte."""

from __future__ import annotations

import hashlib
import importlib.util
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import empathystats as es
from empathystats.errors import ParameterError
from empathystats.simulate import DEFAULT_RHO

ROOT = Path(__file__).resolve().parents[1]
ITEMS = [f"Q{i:02d}" for i in range(1, 13)]


def _script():
    spec = importlib.util.spec_from_file_location("make_demo_data", ROOT / "scripts" / "make_demo_data.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_demo_files_regenerate_byte_for_byte(tmp_path):
    written = _script().write(tmp_path)
    shipped = resources.files("empathystats").joinpath("data")
    names = sorted(p.name for p in written)
    assert names == sorted(
        f"{d}_{t}.csv" for d, ts in {"multi": ["survey", "outcomes", "truth"],
                                     "retail": ["survey", "outcomes", "truth", "costs"]}.items() for t in ts
    )
    for p in written:
        with resources.as_file(shipped.joinpath(p.name)) as orig:
            assert _sha(p) == _sha(Path(orig)), f"{p.name} differs from the shipped file: run scripts/make_demo_data.py"


def test_shipped_files_are_small():
    shipped = resources.files("empathystats").joinpath("data")
    for name in ["multi_survey.csv", "multi_outcomes.csv", "retail_survey.csv", "retail_outcomes.csv"]:
        with resources.as_file(shipped.joinpath(name)) as p:
            assert Path(p).stat().st_size < 4_000_000


def test_multi_demo():
    d = es.load_demo("multi")
    assert d.name == "multi" and "synthetic" in d.description.lower() and d.costs is None
    s, o = d.survey, d.outcomes
    assert list(s.columns) == ["respondent_id", "unit_id", "company", "period", "industry", "region", *ITEMS]
    assert all(str(s[q].dtype) == "Int8" for q in ITEMS)
    assert s["company"].nunique() == 40 and sorted(s["period"].unique()) == [1, 2]
    assert 10_000 < len(s) < 100_000
    assert s["industry"].nunique() >= 4
    assert not o.duplicated(["unit_id", "period"]).any()
    for name in es.STANDARD_OUTCOMES:
        assert name in o.columns
    # some unit x periods fall under the confidentiality threshold of 5
    n = s.groupby(["unit_id", "period"]).size()
    assert 0 < (n < 5).sum() < 0.1 * len(n)
    # truth: the default correlations were used
    t = d.truth.set_index("outcome")
    assert t["rho"].to_dict() == DEFAULT_RHO


def test_retail_demo_and_costs():
    d = es.load_demo("retail")
    s, o = d.survey, d.outcomes
    assert s["company"].unique().tolist() == ["Northwind Retail"]
    assert s["unit_id"].nunique() == 150 and o["unit_id"].nunique() == 150
    assert set(s["industry"]) == {"retail"} and sorted(o["period"].unique()) == [1, 2]
    assert "patient_safety_incidents" not in o.columns and "quality_defects" not in o.columns
    assert o[["sales", "shrinkage"]].notna().all().all()
    c = d.costs
    assert list(c.columns) == ["outcome", "cost", "per", "currency", "note"]
    assert set(c["outcome"]) == {"turnover", "absenteeism", "safety_incidents", "shrinkage"}
    assert (c["cost"] > 0).all()
    assert "retail" in repr(d)


def test_load_demo_equals_a_fresh_simulation():
    """The csv round trip keeps values and dtypes: the files are simulate_study's output."""
    mod = _script()
    for name in ["multi", "retail"]:
        d = es.load_demo(name)
        built = mod.build(name)
        pd.testing.assert_frame_equal(d.survey, built["survey"])
        pd.testing.assert_frame_equal(d.outcomes, built["outcomes"])


@pytest.mark.parametrize("name", ["multi", "retail"])
def test_demo_passes_io_validation_and_links(name):
    d = es.load_demo(name)
    survey = es.read_survey(d.survey)
    outcomes = es.read_outcomes(d.outcomes)
    assert len(survey) == len(d.survey) and len(outcomes) == len(d.outcomes)
    study = es.Study.from_survey(survey, outcomes)
    n = d.survey.groupby(["unit_id", "period"]).size()
    assert len(study.data) == int((n >= 5).sum())
    assert study.dropped["count"].sum() > 0  # the small units are counted, not silently lost


def test_retail_effects_have_the_true_sign():
    """A consultant's demo should show what it was built to show: within-sample r has the sign of rho."""
    d = es.load_demo("retail")
    t = d.truth.set_index("outcome")
    assert np.sign(t["realised_observed"]).equals(np.sign(t["rho"]))


def test_load_demo_bad_name():
    with pytest.raises(ParameterError, match="'name' parameter of load_demo"):
        es.load_demo("gallup")
