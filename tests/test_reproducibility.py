"""Reproducibility (DESIGN.md: same data + seed -> identical numbers).

* Same data and seed: byte-identical CSV exports of every result table, run twice in this
  process and once in a fresh interpreter with another hash seed (set/dict ordering cannot leak
  into the numbers).
* Another seed: bootstrap intervals move, point estimates do not.
* Row order is not information: shuffled survey and outcome rows (with a scrambled index) give
  the same tables, once sorted, for score_units, compare_quartiles (point estimates),
  fit_outcome_models and meta_analysis.

Nothing asserted here is a number from the code under test: only equality between runs.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import empathystats as es
from empathystats.results import Result

SEED = 20240611
FEW = ["customer_loyalty", "turnover", "safety_incidents", "absenteeism"]
COSTS = {"turnover": 12_000.0, "absenteeism": 250.0}


@pytest.fixture(scope="module")
def demo() -> Any:
    return es.load_demo("multi")


@pytest.fixture(scope="module")
def study(demo) -> es.Study:
    return es.Study.from_survey(demo.survey, demo.outcomes)


def _meta_input(study: es.Study) -> pd.DataFrame:
    per = study.data.groupby("company", observed=True)
    return pd.DataFrame(
        {
            "r": per[["engagement", "turnover"]].corr().xs("engagement", level=1)["turnover"],
            "n": per.size(),
            "industry": per["industry"].first(),
        }
    ).reset_index()


def _analyses(demo: Any, study: es.Study) -> dict[str, Callable[[], Any]]:
    survey = demo.survey
    meta = _meta_input(study)
    return {
        "score_units": lambda: es.score_units(survey),
        "Study": lambda: es.Study.from_survey(survey, demo.outcomes),
        "compare_quartiles": lambda: es.compare_quartiles(study, outcomes=FEW, n_boot=100, seed=SEED),
        "compare_quartiles_pooled": lambda: es.compare_quartiles(
            study, outcomes=FEW, n_boot=100, seed=SEED, summary="pooled", resample="company"
        ),
        "compare_quartiles_perm": lambda: es.compare_quartiles(
            study, outcomes=FEW, n_boot=0, n_perm=100, seed=SEED, summary="pooled"
        ),
        "impact": lambda: es.impact(es.compare_quartiles(study, outcomes=FEW, n_boot=100, seed=SEED), costs=COSTS),
        "fit_outcome_models": lambda: es.fit_outcome_models(study, outcomes=FEW),
        "cross_lagged": lambda: es.cross_lagged(study, "customer_loyalty"),
        "fit_model": lambda: es.fit_model(study, "customer_loyalty ~ engagement"),
        "meta_analysis": lambda: es.meta_analysis(study, outcome="turnover"),
        "meta_analysis_re": lambda: es.meta_analysis(study, outcome="turnover", method="random-effects"),
        "meta_analysis_all": lambda: es.meta_analysis_all(study, outcomes=FEW),
        "hunter_schmidt": lambda: es.hunter_schmidt(meta),
        "random_effects": lambda: es.random_effects(meta),
        "subgroup_analysis": lambda: es.subgroup_analysis(meta, by="industry"),
        "rwg": lambda: es.rwg(survey),
        "icc": lambda: es.icc(survey),
        "cronbach_alpha": lambda: es.cronbach_alpha(survey),
        "quartile_difference": lambda: es.quartile_difference(0.2, mean=0.3, sd=0.1, better="lower"),
        "simulate_study": lambda: es.simulate_study(n_companies=4, units_per_company=10, seed=SEED),
    }


def _frames(obj: Any) -> dict[str, pd.DataFrame]:
    """Every table a result holds (its .table first), by attribute name."""
    if isinstance(obj, es.Study):
        return {"data": obj.data, "dropped": obj.dropped, "unmatched": obj.unmatched}
    out: dict[str, pd.DataFrame] = {}
    for key, value in vars(obj).items():
        if isinstance(value, pd.DataFrame):
            out[key] = value
    return out


def _digests(obj: Any, tmp: Path) -> dict[str, str]:
    """SHA-256 of the CSV export of every table (``to_csv`` for the main table)."""
    out = {}
    if isinstance(obj, Result):
        out["to_csv"] = hashlib.sha256(obj.to_csv(tmp / "t.csv").read_bytes()).hexdigest()
    for key, frame in _frames(obj).items():
        out[key] = hashlib.sha256(frame.to_csv(index=False).encode()).hexdigest()
    return out


ANALYSES = [
    "score_units", "Study", "compare_quartiles", "compare_quartiles_pooled", "compare_quartiles_perm", "impact", "fit_outcome_models",
    "cross_lagged", "fit_model", "meta_analysis", "meta_analysis_re", "meta_analysis_all", "hunter_schmidt",
    "random_effects", "subgroup_analysis", "rwg", "icc", "cronbach_alpha", "quartile_difference", "simulate_study",
]  # fmt: skip


def test_every_analysis_is_listed(demo, study):
    assert sorted(_analyses(demo, study)) == sorted(ANALYSES)


@pytest.mark.parametrize("name", ANALYSES)
def test_same_data_and_seed_give_byte_identical_csv(name, demo, study, tmp_path):
    run = _analyses(demo, study)[name]
    first = _digests(run(), tmp_path)
    second = _digests(run(), tmp_path)
    assert first, f"{name} exported no table"
    assert first == second


# Run in a fresh interpreter with another hash seed; the same digests must come out.
CHILD = textwrap.dedent(
    """
    import json, sys, tempfile
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    import empathystats as es
    import test_reproducibility as t
    demo = es.load_demo("multi")
    study = es.Study.from_survey(demo.survey, demo.outcomes)
    runs = t._analyses(demo, study)
    with tempfile.TemporaryDirectory() as tmp:
        out = {{name: t._digests(runs[name](), Path(tmp)) for name in {names!r}}}
    print(json.dumps(out))
    """
)
CROSS_PROCESS = ["score_units", "Study", "compare_quartiles", "meta_analysis", "simulate_study", "impact"]


def test_same_digests_in_a_fresh_interpreter_with_another_hash_seed(demo, study, tmp_path):
    import json

    runs = _analyses(demo, study)
    here = {name: _digests(runs[name](), tmp_path) for name in CROSS_PROCESS}
    env = {**os.environ, "PYTHONHASHSEED": "4242", "MPLBACKEND": "Agg"}
    code = CHILD.format(tests=str(Path(__file__).parent), names=CROSS_PROCESS)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    there = json.loads(proc.stdout.strip().splitlines()[-1])
    assert there == here


# ---------------------------------------------------------------------------------------------
# Seeds move intervals, not estimates

POINT = ["outcome", "group", "better", "n_units_top", "n_units_bottom", "n_companies", "top", "bottom",
         "difference", "pct_difference", "label"]  # fmt: skip
INTERVALS = ["ci_low", "ci_high", "diff_ci_low", "diff_ci_high"]


@pytest.mark.parametrize("resample", ["units", "company"])
def test_another_seed_moves_bootstrap_intervals_not_estimates(study, resample):
    a = es.compare_quartiles(study, outcomes=FEW, n_boot=100, seed=1, resample=resample).table
    b = es.compare_quartiles(study, outcomes=FEW, n_boot=100, seed=2, resample=resample).table
    pd.testing.assert_frame_equal(a[POINT], b[POINT], check_exact=True)
    ia, ib = a[INTERVALS].to_numpy(float), b[INTERVALS].to_numpy(float)
    assert np.isfinite(ia).all() and np.isfinite(ib).all()
    assert (ia != ib).mean() > 0.5, "bootstrap intervals should change with the seed"


def test_another_seed_moves_permutation_p_values_not_estimates(study):
    a = es.compare_quartiles(study, outcomes=FEW, n_boot=0, n_perm=100, seed=1, summary="pooled").table
    b = es.compare_quartiles(study, outcomes=FEW, n_boot=0, n_perm=100, seed=2, summary="pooled").table
    pd.testing.assert_frame_equal(a[POINT], b[POINT], check_exact=True)
    pa, pb = a["p_value"].to_numpy(float), b["p_value"].to_numpy(float)
    assert np.isfinite(pa).all() and np.isfinite(pb).all()
    assert not np.array_equal(pa, pb)


def test_another_seed_gives_another_simulated_study():
    a = es.simulate_study(n_companies=4, units_per_company=10, seed=1).survey
    b = es.simulate_study(n_companies=4, units_per_company=10, seed=2).survey
    assert not a.equals(b)


def test_report_style_seeded_study_matches_itself(study):
    """The seed is recorded, so the footer says how to reproduce the intervals."""
    res = es.compare_quartiles(study, outcomes=FEW, n_boot=100, seed=SEED)
    assert res.params.get("seed") == SEED
    assert str(SEED) in str(res)


# ---------------------------------------------------------------------------------------------
# Row order is not information


def _shuffle(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(frame))
    out = frame.iloc[order].copy()
    out.index = rng.permutation(len(frame)) + 10_000  # scrambled, non-default index
    return out


@pytest.fixture(scope="module")
def shuffled(demo) -> tuple[pd.DataFrame, pd.DataFrame, es.Study]:
    survey = _shuffle(demo.survey, 1)
    outcomes = _shuffle(demo.outcomes, 2)
    return survey, outcomes, es.Study.from_survey(survey, outcomes)


def _same_sorted(a: pd.DataFrame, b: pd.DataFrame, keys: list[str], *, rtol: float = 1e-9) -> None:
    a = a.sort_values(keys, kind="stable").reset_index(drop=True)
    b = b.sort_values(keys, kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=rtol, atol=1e-12)


def test_shuffled_rows_score_units(demo, shuffled):
    a = es.score_units(demo.survey)
    b = es.score_units(shuffled[0])
    _same_sorted(a.table, b.table, ["unit_id", "period"])
    _same_sorted(a.suppressed, b.suppressed, ["unit_id", "period"])
    pd.testing.assert_frame_equal(a.dropped, b.dropped)


def test_shuffled_rows_study(study, shuffled):
    _same_sorted(study.data, shuffled[2].data, ["unit_id", "period"])
    pd.testing.assert_frame_equal(study.dropped, shuffled[2].dropped)


@pytest.mark.parametrize("summary", ["median_of_companies", "pooled"])
def test_shuffled_rows_compare_quartiles_point_estimates(study, shuffled, summary):
    a = es.compare_quartiles(study, outcomes=FEW, n_boot=50, seed=SEED, summary=summary)
    b = es.compare_quartiles(shuffled[2], outcomes=FEW, n_boot=50, seed=SEED, summary=summary)
    _same_sorted(a.table[POINT], b.table[POINT], ["outcome", "group"])
    _same_sorted(a.companies, b.companies, ["outcome", "group", "company"])


def test_shuffled_rows_same_seed_give_the_same_intervals_too(study, shuffled):
    """Stronger than point estimates: the Study sorts its rows, so the bootstrap draws match as well,
    also when the analysis gets a shuffled unit-level DataFrame instead of a Study."""
    a = es.compare_quartiles(study, outcomes=FEW, n_boot=50, seed=SEED, resample="company")
    b = es.compare_quartiles(shuffled[2], outcomes=FEW, n_boot=50, seed=SEED, resample="company")
    units = _shuffle(study.data, 3)
    c = es.compare_quartiles(units, outcomes=FEW, n_boot=50, seed=SEED, resample="company")
    _same_sorted(a.table, b.table, ["outcome", "group"])
    _same_sorted(a.table, c.table, ["outcome", "group"])


def test_shuffled_rows_fit_outcome_models(study, shuffled):
    a = es.fit_outcome_models(study, outcomes=FEW)
    b = es.fit_outcome_models(shuffled[2], outcomes=FEW)
    # iterative fits (IRLS, negative binomial theta) on reordered rows agree to their convergence tolerance
    _same_sorted(a.table, b.table, ["outcome", "term"], rtol=1e-6)
    _same_sorted(a.contrasts, b.contrasts, ["outcome"], rtol=1e-6)


@pytest.mark.parametrize("method", ["hunter-schmidt", "random-effects"])
def test_shuffled_rows_meta_analysis(study, shuffled, method):
    a = es.meta_analysis(study, outcome="turnover", method=method)
    b = es.meta_analysis(shuffled[2], outcome="turnover", method=method)
    _same_sorted(a.table, b.table, ["outcome"])
    if hasattr(a, "studies"):
        key = [c for c in ("company", "study") if c in a.studies.columns][:1]
        _same_sorted(a.studies, b.studies, key)
