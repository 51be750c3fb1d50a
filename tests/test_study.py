"""Study: linking unit engagement to outcomes, with every exclusion counted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import empathystats as es
from empathystats.outcomes import outcome_values


def _units():
    return pd.DataFrame(
        {
            "unit_id": ["a", "b", "c", "d", "e"],
            "company": ["X", "X", "X", "Y", "Y"],
            "period": [1, 1, 1, 1, 1],
            "n_respondents": [10, 4, 8, 12, 6],
            "engagement": [3.9, 4.2, 3.1, 3.5, np.nan],
        }
    )


def _outcomes():
    return pd.DataFrame(
        {
            "unit_id": ["a", "b", "c", "d", "z"],
            "period": [1, 1, 1, 1, 1],
            "turnover": [2, 1, 5, 3, 9],
            "headcount": [20, 10, 25, 30, 40],
            "productivity": [100.0, 120.0, 90.0, 95.0, 80.0],
        }
    )


def test_links_units_and_counts_every_exclusion():
    units, outcomes = _units(), _outcomes()
    before_u, before_o = units.copy(), outcomes.copy()
    study = es.Study(units, outcomes)
    # a, c, d link; b suppressed (4 < 5 respondents); e has no engagement; z has no unit
    assert sorted(study.data["unit_id"]) == ["a", "c", "d"]
    reasons = dict(zip(study.dropped["reason"], study.dropped["count"], strict=True))
    assert reasons["units below the confidentiality threshold"] == 1
    assert reasons["units with no engagement score"] == 1
    assert reasons["outcome rows without a scored unit"] == 2  # b (suppressed) and z
    assert set(study.unmatched["unit_id"]) == {"b", "z"}
    assert study.outcomes == ["turnover", "productivity"]
    # the caller's frames are untouched
    pd.testing.assert_frame_equal(units, before_u)
    pd.testing.assert_frame_equal(outcomes, before_o)


def test_suppressed_unit_never_in_data_or_text():
    study = es.Study(_units(), _outcomes(), min_respondents=5)
    assert "b" not in set(study.data["unit_id"])
    assert (study.data["n_respondents"] >= 5).all()
    assert "'b'" not in str(study)


def test_values_use_exposure_when_present():
    study = es.Study(_units(), _outcomes())
    v = study.values("turnover")
    expected = study.data["turnover"] / study.data["headcount"]  # leavers / headcount
    np.testing.assert_allclose(v.to_numpy(), expected.to_numpy())


def test_rate_per_exposure_scaling():
    data = pd.DataFrame({"safety_incidents": [3.0, 0.0], "hours_worked": [400_000.0, 0.0]})
    v = outcome_values(data, es.default_specs()["safety_incidents"])
    # 3 incidents in 400,000 hours = 1.5 per 200,000 hours (OSHA convention); zero exposure -> NaN
    assert v.iloc[0] == pytest.approx(1.5)
    assert np.isnan(v.iloc[1])


def test_duplicate_unit_period_is_a_data_error():
    units = pd.concat([_units(), _units().iloc[[0]]], ignore_index=True)
    with pytest.raises(es.DataError, match=r"unit_id x period.*row 7.*Fix"):
        es.Study(units, _outcomes())


def test_missing_engagement_column_names_what_exists():
    with pytest.raises(es.DataError, match=r"'engagement'.*columns present.*unit_id"):
        es.Study(_units().drop(columns="engagement"), _outcomes())


def test_non_numeric_engagement_is_a_data_error():
    units = _units().assign(engagement=["3.9", "4.2", "n/a", "3.5", "4.0"])
    with pytest.raises(es.DataError, match="n/a"):
        es.Study(units, _outcomes())


def test_unit_table_without_company_or_period_is_one_company_and_noted():
    units = _units().drop(columns=["company", "period"])
    outcomes = _outcomes().drop(columns="period")
    study = es.Study(units, outcomes)
    assert study.n_companies == 1
    assert any("one company" in n for n in study.notes)


def test_bad_study_argument_is_a_parameter_error():
    from empathystats.study import as_study

    with pytest.raises(es.ParameterError, match="Study or a unit-level pandas DataFrame"):
        as_study([1, 2, 3], func="compare_quartiles")
    with pytest.raises(es.ParameterError, match="min_respondents"):
        es.Study(_units(), _outcomes(), min_respondents=0)


def test_custom_spec_overrides_default():
    study = es.Study(_units(), _outcomes(), specs={"turnover": {"exposure": None, "kind": "count"}})
    assert study.specs["turnover"].exposure is None
    np.testing.assert_allclose(study.values("turnover"), study.data["turnover"])


def test_summary_and_display():
    study = es.Study(_units(), _outcomes())
    s = study.summary()
    assert list(s["outcome"]) == ["turnover", "productivity"]
    assert s.loc[s.outcome == "productivity", "mean"].item() == pytest.approx((100 + 90 + 95) / 3)
    assert "Study:" in study._repr_html_()


def test_empty_unit_table_is_a_data_error():
    with pytest.raises(es.DataError, match="no rows"):
        es.Study(_units().iloc[:0], _outcomes())


def test_explicit_key_column_must_exist():
    with pytest.raises(es.DataError, match="'wave'"):
        es.Study(_units(), _outcomes(), period="wave")


def test_threshold_not_applicable_is_said():
    study = es.Study(_units().drop(columns="n_respondents"), _outcomes())
    assert any("could not be applied" in n for n in study.notes)


def test_from_survey_counts_outcome_rows_of_suppressed_units():
    # unit 'small' has 3 respondents: suppressed while scoring; its outcome row is counted as such
    rng = np.random.default_rng(1)
    n = {"big1": 8, "big2": 9, "small": 3}
    survey = pd.DataFrame(
        {
            "unit_id": np.repeat(list(n), list(n.values())),
            **{f"Q{j:02d}": rng.integers(1, 6, sum(n.values())) for j in range(1, 13)},
        }
    )
    outcomes = pd.DataFrame({"unit_id": ["big1", "big2", "small", "ghost"], "productivity": [1.0, 2.0, 3.0, 4.0]})
    study = es.Study.from_survey(survey, outcomes)
    detail = study.dropped.set_index("reason").loc["outcome rows without a scored unit", "detail"]
    assert detail.startswith("1 whose unit was suppressed") and "1 with no survey unit" in detail
    assert sorted(study.data["unit_id"]) == ["big1", "big2"]
