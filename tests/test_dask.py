"""score_units on a Dask DataFrame gives the pandas path's unit table (empathystats/_dask.py).

The reference for every number here is the pandas path of ``score_units`` on the
same rows, itself checked by hand and against R in tests/test_scoring.py; the
Dask path sums per partition in another order, so floats agree to 1e-12
relative, counts exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import empathystats as es
from empathystats._dask import is_dask

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

FLOAT_COLS = ["engagement", "engagement_sd", "pct_engaged", "pct_not_engaged", "pct_actively_disengaged"]


@pytest.fixture(scope="module")
def survey() -> pd.DataFrame:
    sim = es.simulate_study(n_companies=5, units_per_company=(8, 15), respondents_per_unit=(3, 20), periods=2, seed=11)
    return sim.survey


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Key/text columns as Python objects: Dask turns text into pyarrow strings, pandas keeps its own."""
    out = df.copy()
    for c in out.columns:
        if not pd.api.types.is_numeric_dtype(out[c]):
            out[c] = out[c].astype(object)
    return out


def assert_same(a: es.UnitScores, b: es.UnitScores) -> None:
    pd.testing.assert_frame_equal(_plain(a.table), _plain(b.table), check_dtype=False, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(a.table["n_respondents"].to_numpy(), b.table["n_respondents"].to_numpy())
    pd.testing.assert_frame_equal(_plain(a.suppressed), _plain(b.suppressed), check_dtype=False)
    pd.testing.assert_frame_equal(a.dropped, b.dropped)
    assert a.n_scored == b.n_scored
    assert a.params == b.params
    assert a.notes == b.notes
    assert a.title == b.title


@pytest.mark.parametrize("npartitions", [1, 3, 17])
def test_dask_equals_pandas(survey: pd.DataFrame, npartitions: int) -> None:
    ref = es.score_units(survey)
    assert len(ref.table) > 50 and len(ref.suppressed) > 0  # the data exercises suppression
    with dask.config.set(scheduler="synchronous"):
        got = es.score_units(dd.from_pandas(survey, npartitions=npartitions, sort=False))
    assert isinstance(got, es.UnitScores)
    assert_same(ref, got)


def test_threads_scheduler_and_unsorted_rows(survey: pd.DataFrame) -> None:
    # units split across partitions in any order: shuffle the rows
    shuffled = survey.sample(frac=1.0, random_state=3).reset_index(drop=True)
    ref = es.score_units(shuffled)
    with dask.config.set(scheduler="threads"):
        got = es.score_units(dd.from_pandas(shuffled, npartitions=6, sort=False))
    assert_same(ref, got)
    # and the same as the unshuffled data (order of rows does not matter)
    assert_same(es.score_units(survey), got)


def test_missing_keys_too_few_answers_and_options(survey: pd.DataFrame) -> None:
    df = survey.copy()
    items = [f"Q{i:02d}" for i in range(1, 13)]
    df.loc[df.index[::97], "unit_id"] = None
    df.loc[df.index[5::53], items[:6]] = pd.NA
    df["shift"] = np.arange(len(df)) % 2  # varies within units: not carried, noted
    opts = {"min_items": 7, "min_respondents": 3, "categories": es.Categories(engaged_mean=3.8, engaged_topbox=0.4)}
    ref = es.score_units(df, **opts)
    assert {"respondents without a unit id (or company/period)", "respondents with too few answers"} <= set(
        ref.dropped["reason"]
    )
    with dask.config.set(scheduler="synchronous"):
        got = es.score_units(dd.from_pandas(df, npartitions=5, sort=False), **opts)
    assert_same(ref, got)
    assert "shift" not in got.table.columns


def test_metadata_varying_only_across_partitions() -> None:
    # unit "a" has region N in its first rows and S in the last: each partition alone sees a constant
    df = pd.DataFrame(
        {
            "unit_id": ["a"] * 6 + ["b"] * 6,
            "region": ["N"] * 3 + ["S"] * 3 + ["E"] * 6,
            "Q01": [5, 4, 4, 3, 5, 2, 2, 3, 4, 5, 1, 2],
            "Q02": [5, 4, 3, 3, 4, 1, 2, 3, 3, 4, 2, 2],
        }
    )
    ddf = dd.from_pandas(df, npartitions=4, sort=False)
    with dask.config.set(scheduler="synchronous"):
        got = es.score_units(ddf)
        assert_same(es.score_units(df), got)
        assert "region" not in got.table.columns
        with pytest.raises(es.DataError, match="region"):
            es.score_units(ddf, metadata=["region"])


def test_no_company_no_period_and_categorical_keys(survey: pd.DataFrame) -> None:
    df = survey.drop(columns=["company", "period"]).drop_duplicates("respondent_id")
    df = df[df["unit_id"].isin(df["unit_id"].unique()[:30])].copy()
    df["unit_id"] = df["unit_id"].astype("category")
    ref = es.score_units(df)
    assert len(ref.notes) == 2
    with dask.config.set(scheduler="synchronous"):
        got = es.score_units(dd.from_pandas(df, npartitions=4, sort=False))
    assert_same(ref, got)


def test_bad_answer_is_a_data_error_naming_partition(survey: pd.DataFrame) -> None:
    df = survey.copy()
    df["Q03"] = df["Q03"].astype("float64")
    df.loc[df.index[-2], "Q03"] = 9
    with dask.config.set(scheduler="synchronous"), pytest.raises(es.DataError) as err:
        es.score_units(dd.from_pandas(df, npartitions=3, sort=False))
    msg = str(err.value)
    assert "Q03" in msg and "partition 2" in msg and "9" in msg


def test_bad_parameters_raise_before_computing(survey: pd.DataFrame) -> None:
    ddf = dd.from_pandas(survey, npartitions=2)
    with pytest.raises(es.ParameterError, match="scale"):
        es.score_units(ddf, scale=(5, 1))
    with pytest.raises(es.DataError, match="nope"):
        es.score_units(ddf, items=["Q01", "nope"])


def test_is_dask() -> None:
    df = pd.DataFrame({"a": [1, 2]})
    assert not is_dask(df)
    assert is_dask(dd.from_pandas(df, npartitions=1))


def test_options_the_dask_path_does_not_know_are_refused(survey: pd.DataFrame) -> None:
    from empathystats._dask import score_units_dask

    with pytest.raises(es.ParameterError, match="not supported for a Dask DataFrame"):
        score_units_dask(dd.from_pandas(survey.head(50), npartitions=1), weights="w")


def test_non_default_scale_says_the_same_on_both_paths(survey: pd.DataFrame) -> None:
    # A 1-7 scale with the default category thresholds must be noted by both paths (the Dask path once was silent).
    ref = es.score_units(survey, scale=(1, 7))
    assert any("1-5 defaults" in n for n in ref.notes)
    with dask.config.set(scheduler="synchronous"):
        got = es.score_units(dd.from_pandas(survey, npartitions=3, sort=False), scale=(1, 7))
    assert_same(ref, got)
