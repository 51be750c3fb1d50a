"""Tests for empathystats.scoring: hand-checked examples, suppression, categories, metadata, invariances.

Expected numbers are worked out by hand in the comments (closed form) or computed by an
independent pandas groupby on the same synthetic data; nothing is copied from the code under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import empathystats as es
from empathystats.scoring import Categories, respondent_scores

NAN = np.nan


@pytest.fixture()
def small() -> pd.DataFrame:
    """Unit a: 6 respondents (one with too few answers), b: 4 (suppressed), c: 5."""
    rows = [
        # unit, company, region, gender, Q01, Q02, Q03
        ("a", "X", "north", "F", 5, 5, 5),  # score 5,    top-box 3/3 -> engaged
        ("a", "X", "north", "M", 4, 4, 4),  # score 4,    top-box 0   -> not engaged
        ("a", "X", "north", "F", 4, 5, NAN),  # 4.5,      top-box 1/2 -> engaged
        ("a", "X", "north", "M", 2, 2, 3),  # 7/3 < 2.5                -> actively disengaged
        ("a", "X", "north", "F", 3, 3, 3),  # 3                        -> not engaged
        ("a", "X", "north", "M", 1, NAN, NAN),  # 1 of 3 answered < min_items 2 -> not scored
        ("b", "X", "north", "F", 5, 5, 5),
        ("b", "X", "north", "F", 4, 4, 4),
        ("b", "X", "north", "F", 3, 3, 3),
        ("b", "X", "north", "M", 2, 2, 2),
        ("c", "Y", "south", "M", 3, 3, 3),
        ("c", "Y", "south", "M", 3, 3, 3),
        ("c", "Y", "south", "F", 3, 3, 3),
        ("c", "Y", "south", "F", 3, 3, 3),
        ("c", "Y", "south", "M", 3, 3, 3),
    ]
    df = pd.DataFrame(rows, columns=["unit_id", "company", "region", "gender", "Q01", "Q02", "Q03"])
    df["period"] = 2024
    df["respondent_id"] = np.arange(len(df)) + 100
    return df


def test_hand_checked_unit_scores(small):
    res = es.score_units(small)
    t = res.table.set_index("unit_id")
    assert list(t.index) == ["a", "c"]
    scores_a = np.array([5, 4, 4.5, 7 / 3, 3])
    assert t.loc["a", "n_respondents"] == 5
    assert_allclose(t.loc["a", "engagement"], (5 + 4 + 4.5 + 7 / 3 + 3) / 5, rtol=1e-12)
    # sample SD by hand: sum of squared deviations / 4
    dev = scores_a - scores_a.mean()
    assert_allclose(t.loc["a", "engagement_sd"], np.sqrt((dev**2).sum() / 4), rtol=1e-12)
    assert_allclose(t.loc["a", ["pct_engaged", "pct_not_engaged", "pct_actively_disengaged"]], [40, 40, 20])
    assert t.loc["c", "engagement"] == 3 and t.loc["c", "engagement_sd"] == 0
    assert_allclose(t.loc["c", ["pct_engaged", "pct_not_engaged", "pct_actively_disengaged"]], [0, 100, 0])
    assert t.loc["a", "company"] == "X" and t.loc["c", "company"] == "Y"
    assert list(res.table.columns[:9]) == [
        "unit_id",
        "company",
        "period",
        "n_respondents",
        "engagement",
        "engagement_sd",
        "pct_engaged",
        "pct_not_engaged",
        "pct_actively_disengaged",
    ]
    assert res.table["period"].tolist() == [2024, 2024]
    drops = res.dropped.set_index("reason")["count"]
    assert drops["respondents with too few answers"] == 1
    assert drops["units below the confidentiality threshold"] == 1
    assert res.n_scored == 10


def test_min_items_default_is_two_thirds():
    # 12 items -> ceil(8) = 8 answers needed; 7 answers -> not scored
    rng = np.random.default_rng(1)
    x = rng.integers(1, 6, (10, 12)).astype(float)
    x[0, :5] = np.nan  # 7 answered
    x[1, :4] = np.nan  # 8 answered
    df = pd.DataFrame(x, columns=[f"Q{j:02d}" for j in range(1, 13)]).assign(unit_id="u")
    r = respondent_scores(df)
    assert np.isnan(r["score"].iloc[0]) and pd.isna(r["category"].iloc[0])
    assert_allclose(r["score"].iloc[1], np.nanmean(x[1]), rtol=1e-12)
    res = es.score_units(df)
    assert res.table["n_respondents"].item() == 9
    assert res.params["min_items"] == 8
    assert res.dropped.set_index("reason")["count"]["respondents with too few answers"] == 1
    # min_items=12: only complete respondents (8 of 10) -> still >= 5
    assert es.score_units(df, min_items=12).table["n_respondents"].item() == 8


def test_min_items_can_push_a_unit_below_threshold(small):
    # min_items=3: respondent with 2 answers in unit a is not scored -> a has 4 -> suppressed
    res = es.score_units(small, min_items=3)
    assert res.table["unit_id"].tolist() == ["c"]
    assert sorted(res.suppressed["unit_id"]) == ["a", "b"]
    assert res.suppressed.set_index("unit_id").loc["a", "n_respondents"] == 4


def test_suppression_never_leaks(small, tmp_path):
    res = es.score_units(small)
    assert list(res.suppressed.columns) == ["unit_id", "period", "n_respondents"]
    assert res.suppressed.to_dict("records") == [{"unit_id": "b", "period": 2024, "n_respondents": 4}]
    assert "b" not in set(res.table["unit_id"])
    assert (res.table["n_respondents"] >= 5).all()
    res.to_csv(tmp_path / "units.csv")
    assert "b" not in set(pd.read_csv(tmp_path / "units.csv")["unit_id"])
    res.to_excel(tmp_path / "units.xlsx")
    book = pd.read_excel(tmp_path / "units.xlsx", sheet_name=None)
    assert "b" not in set(book["result"]["unit_id"])
    assert all("b" not in df.astype(str).to_numpy() for df in book.values())
    assert "'b'" not in str(res) and "<td>b</td>" not in res._repr_html_()


def test_suppression_count_on_random_sizes():
    # unit sizes 1..12 drawn at random; expected suppressed units counted with value_counts
    rng = np.random.default_rng(7)
    sizes = rng.integers(1, 13, 300)
    unit = np.repeat(np.arange(300), sizes)
    df = pd.DataFrame({"unit_id": unit, "company": unit % 4})
    for j in range(1, 13):
        df[f"Q{j:02d}"] = rng.integers(1, 6, len(df))
    for threshold in (1, 5, 10):
        res = es.score_units(df, min_respondents=threshold)
        counts = df["unit_id"].value_counts()
        assert len(res.suppressed) == int((counts < threshold).sum())
        assert len(res.table) == int((counts >= threshold).sum())
        assert res.table["n_respondents"].min() >= threshold
        assert res.n_scored == int(counts[counts >= threshold].sum())


def test_matches_independent_groupby():
    rng = np.random.default_rng(11)
    n = 3000
    df = pd.DataFrame(
        {
            "company": rng.choice(["c1", "c2", "c3"], n),
            "unit_id": rng.integers(0, 120, n),
            "period": rng.choice([2023, 2024], n),
        }
    )
    items = [f"Q{j:02d}" for j in range(1, 13)]
    x = rng.integers(1, 6, (n, 12)).astype(float)
    x[rng.random((n, 12)) < 0.15] = np.nan
    df[items] = x
    res = es.score_units(df, min_respondents=3)
    answered = df[items].notna().sum(axis=1)
    ref = df.assign(score=df[items].mean(axis=1))[answered >= 8]
    g = ref.groupby(["company", "unit_id", "period"])["score"].agg(["size", "mean", "std"]).reset_index()
    g = g[g["size"] >= 3].reset_index(drop=True)
    t = res.table
    assert_allclose(t["n_respondents"], g["size"])
    assert_allclose(t["engagement"], g["mean"], rtol=1e-12)
    assert_allclose(t["engagement_sd"], g["std"], rtol=1e-10)
    assert (
        t[["company", "unit_id", "period"]].to_numpy().tolist()
        == g[["company", "unit_id", "period"]].to_numpy().tolist()
    )


def test_categories_configurable(small):
    # engaged: mean >= 4.5 (any top-box share); actively disengaged: mean < 3.5
    cats = Categories(engaged_mean=4.5, engaged_topbox=0.0, disengaged_mean=3.5)
    t = es.score_units(small, categories=cats).table.set_index("unit_id")
    # unit a scores 5, 4, 4.5, 7/3, 3 -> engaged {5, 4.5}, not engaged {4}, actively disengaged {7/3, 3}
    assert_allclose(t.loc["a", ["pct_engaged", "pct_not_engaged", "pct_actively_disengaged"]], [40, 20, 40])
    # unit c: all 3 -> actively disengaged under this rule
    assert t.loc["c", "pct_actively_disengaged"] == 100
    with pytest.raises(es.ParameterError, match="engaged_topbox"):
        Categories(engaged_topbox=1.5)
    with pytest.raises(es.ParameterError, match="disengaged_mean"):
        Categories(engaged_mean=3, disengaged_mean=4)
    with pytest.raises(es.ParameterError, match="'categories' parameter"):
        es.score_units(small, categories={"engaged_mean": 4})


def test_metadata_carry_over(small):
    res = es.score_units(small)
    assert res.table["region"].tolist() == ["north", "south"]
    assert "gender" not in res.table.columns and "respondent_id" not in res.table.columns
    assert any("gender" in n for n in res.notes)
    assert "region" not in es.score_units(small, metadata=[]).table.columns
    assert es.score_units(small, metadata=["region"]).table["region"].tolist() == ["north", "south"]
    with pytest.raises(es.DataError, match="column 'gender'.*varies within"):
        es.score_units(small, metadata=["gender"])


def test_callers_frame_untouched(small):
    before = small.copy(deep=True)
    es.score_units(small)
    es.score_units(small, metadata=["region"])
    pd.testing.assert_frame_equal(small, before)


def test_row_order_invariance(small):
    a = es.score_units(small)
    shuffled = small.sample(frac=1, random_state=3)
    b = es.score_units(shuffled)
    pd.testing.assert_frame_equal(a.table, b.table)
    pd.testing.assert_frame_equal(a.suppressed, b.suppressed)


def test_without_company_and_period(small):
    res = es.score_units(small.drop(columns=["company", "period"]))
    assert res.table["company"].tolist() == ["all", "all"]
    assert res.table["period"].tolist() == [1, 1]
    assert any("company" in n for n in res.notes) and any("period" in n for n in res.notes)


def test_custom_key_names(small):
    df = small.rename(columns={"unit_id": "store", "company": "firm", "period": "wave"})
    t = es.score_units(df, unit="store", company="firm", period="wave").table
    assert list(t.columns[:3]) == ["store", "firm", "wave"]
    assert t["store"].tolist() == ["a", "c"]


def test_missing_unit_id_is_counted(small):
    df = small.copy()
    df.loc[0, "unit_id"] = None
    res = es.score_units(df, min_respondents=1)
    drops = res.dropped.set_index("reason")["count"]
    assert drops["respondents without a unit id (or company/period)"] == 1
    assert res.table.set_index("unit_id").loc["a", "n_respondents"] == 4


def test_bad_answers_raise_data_errors(small):
    df = small.copy()
    df.loc[3, "Q02"] = 7
    with pytest.raises(es.DataError, match=r"column 'Q02'.*outside the scale 1-5.*row 5: 7\.0"):
        es.score_units(df)
    df = small.copy()
    df["Q01"] = df["Q01"].astype(object)
    df.loc[1, "Q01"] = "agree"
    with pytest.raises(es.DataError, match=r"column 'Q01'.*not numbers.*row 3: 'agree'"):
        es.score_units(df, source="survey.csv")
    with pytest.raises(es.DataError, match="survey.csv"):
        es.score_units(df, source="survey.csv")
    df = small.copy()
    df.loc[2, "Q03"] = 2.5
    with pytest.raises(es.DataError, match="whole numbers"):
        es.score_units(df)
    assert len(es.score_units(small.assign(Q01=small["Q01"] + 2), scale=(1, 7)).table) == 2


def test_bad_parameters(small):
    with pytest.raises(es.ParameterError, match="'min_respondents' parameter of score_units"):
        es.score_units(small, min_respondents=0)
    with pytest.raises(es.ParameterError, match="'min_items' parameter of score_units"):
        es.score_units(small, min_items=4)
    with pytest.raises(es.ParameterError, match="'items' parameter"):
        es.score_units(small, items="Q01")
    with pytest.raises(es.DataError, match="no item columns"):
        es.score_units(small.rename(columns={"Q01": "a1", "Q02": "a2", "Q03": "a3"}))
    with pytest.raises(es.DataError, match="missing required column"):
        es.score_units(small, unit="store")
    with pytest.raises(es.ParameterError, match="'survey' parameter"):
        es.score_units(small.to_numpy())
    with pytest.raises(es.ParameterError, match="'scale' parameter"):
        es.score_units(small, scale=(5, 1))


def test_icc_from_unit_table_equals_icc_on_survey():
    # two routes to the same ANOVA: unit summaries from score_units, and respondent scores
    rng = np.random.default_rng(5)
    unit = np.repeat(np.arange(60), rng.integers(5, 30, 60))
    effect = rng.normal(0, 0.5, 60)[unit]
    x = np.clip(np.rint(3.5 + effect[:, None] + rng.normal(0, 1, (len(unit), 12))), 1, 5)
    df = pd.DataFrame(x, columns=[f"Q{j:02d}" for j in range(1, 13)]).assign(unit_id=unit, company=unit % 3)
    units = es.score_units(df).table
    a = es.icc_from_units(units).table
    b = es.icc(df).table
    assert_allclose(a[["icc1", "icc2", "f"]], b[["icc1", "icc2", "f"]], rtol=1e-10)
    a = es.icc_from_units(units, by="company").table
    b = es.icc(df, by="company").table
    assert_allclose(a[["icc1", "icc2"]], b[["icc1", "icc2"]], rtol=1e-10)
    assert a["icc2"].min() > 0.5  # a real unit effect (SD 0.5 on a 1-5 scale) is detected


def test_result_display_text_plot(small):
    import matplotlib.pyplot as plt

    res = es.score_units(small)
    s = str(res)
    assert "Unit engagement" in s and "Dropped: 1 units below the confidentiality threshold" in s
    assert "2 units (10 respondents) were scored" in res.text()
    ax = res.plot()
    assert ax.get_xlabel().startswith("unit engagement")
    plt.close("all")


def test_study_from_survey(small):
    outcomes = pd.DataFrame({"unit_id": ["a", "b", "c"], "period": 2024, "turnover": [1, 2, 3], "headcount": 10})
    study = es.Study.from_survey(small, outcomes)
    assert sorted(study.data["unit_id"]) == ["a", "c"]
    reasons = " ".join(study.dropped["reason"])
    assert "confidentiality" in reasons


def test_other_scale_needs_own_category_thresholds():
    # 1-7 scale; respondents (mean, top-box share): (7, 1), (6.5, .5), (6, .5), (5.5, .5), (5, .5)
    df = pd.DataFrame({"unit_id": ["a"] * 5, "Q01": [7, 6, 5, 4, 3], "Q02": [7, 7, 7, 7, 7]})
    res = es.score_units(df, scale=(1, 7))
    assert any("Category thresholds" in n for n in res.notes)
    seven = Categories(engaged_mean=5.5, engaged_topbox=0.5, disengaged_mean=3.5, top_box=7)
    t = es.score_units(df, scale=(1, 7), categories=seven).table.iloc[0]
    assert (t["pct_engaged"], t["pct_not_engaged"], t["pct_actively_disengaged"]) == (80.0, 20.0, 0.0)


def test_empty_survey_is_a_data_error(small):
    # an empty table is bad input, not an empty result
    with pytest.raises(es.DataError, match=r"survey table has no rows.+Fix:"):
        es.score_units(small.iloc[:0])


def _twelve_items(seed=7, n=400):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"company": "c1", "unit_id": rng.integers(0, 20, n), "period": 2024})
    items = [f"Q{j:02d}" for j in range(1, 13)]
    df[items] = rng.integers(1, 6, (n, 12)).astype(float)
    return df, items


def test_absent_default_item_is_named_in_the_footer_and_the_rest_scored():
    df, items = _twelve_items()
    res = es.score_units(df.drop(columns="Q05"))
    # the 11 items present are scored: unit mean of respondent means over them (independent pandas groupby)
    rest = [c for c in items if c != "Q05"]
    ref = df.assign(score=df[rest].mean(axis=1)).groupby("unit_id")["score"].mean()
    assert_allclose(res.table.set_index("unit_id")["engagement"], ref.loc[res.table["unit_id"]], rtol=1e-12)
    note = [n for n in res.notes if "Default items not in the survey" in n]
    assert len(note) == 1 and "Q05;" in note[0] and "11 item column(s)" in note[0] and "Q01-Q04, Q06-Q12" in note[0]
    assert note[0] in str(res)  # the footer shows it
    # all twelve present, or items given explicitly: no note
    assert not any("Default items" in n for n in es.score_units(df).notes)
    assert not any("Default items" in n for n in es.score_units(df.drop(columns="Q05"), items=rest).notes)


def test_fewer_than_two_default_items_is_a_data_error():
    df, items = _twelve_items()
    with pytest.raises(es.DataError, match=r"only 1 item column\(s\) found \(Q01\).+Fix:"):
        es.score_units(df.drop(columns=items[1:]))


def test_absent_default_item_note_is_the_same_on_dask():
    dd = pytest.importorskip("dask.dataframe")
    df, _ = _twelve_items()
    df = df.drop(columns=["Q05", "Q11", "Q12"])
    got = es.score_units(dd.from_pandas(df, npartitions=3, sort=False))
    assert got.notes == es.score_units(df).notes
    assert any("Q05, Q11-Q12;" in n for n in got.notes)


@pytest.mark.parametrize("func", ["score_units", "cronbach_alpha", "icc", "rwg"])
@pytest.mark.parametrize("marker", ["engagement", "n_respondents"])
def test_unit_level_table_says_respondent_level_data_needed(func, marker):
    # issue 9: a unit-level table (engagement or n_respondents, no items) is named as such, with the Study route
    units = pd.DataFrame({"unit_id": ["a", "b", "c"], marker: [3.1, 3.9, 4.2]})
    with pytest.raises(es.DataError, match=r"(?s)needs respondent-level data.*looks unit-level.*es\.Study\(units"):
        getattr(es, func)(units)
    # no unit-level column: the generic message, asking for the item names
    with pytest.raises(es.DataError, match="no item columns"):
        getattr(es, func)(units.rename(columns={marker: "x"}))
