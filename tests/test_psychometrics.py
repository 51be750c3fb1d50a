"""Tests for empathystats.psychometrics against R (psych 2.2.9, multilevel 2.7) and closed forms.

Every reference number below is pasted from tests/results/psychometrics_R.txt, produced by
tests/results/psychometrics_R.R on the public data exported to tests/data/ (see
tests/data/psychometrics_SOURCE.md). Tolerance: 1e-9 relative (R printed 15 significant digits;
the brief asks for at least 1e-6).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import empathystats as es
from empathystats.psychometrics import NULL_DISTRIBUTIONS, null_variance

DATA = Path(__file__).parent / "data"
RESULTS = Path(__file__).parent / "results"
RTOL = 1e-9
AGREE = ["A1", "A2", "A3", "A4", "A5"]
BHR_ITEMS = ["AF06", "AF07", "AP12", "AP17", "AP33", "AP34", "AS14", "AS15", "AS16", "AS17", "AS28"]


@pytest.fixture(scope="module")
def bfi() -> pd.DataFrame:
    x = pd.read_csv(DATA / "bfi_agree.csv")
    x["A1"] = 7 - x["A1"]  # R: x$A1 <- 7 - x$A1 (reverse keyed, 1-6 scale)
    return x


@pytest.fixture(scope="module")
def bh1996() -> pd.DataFrame:
    return pd.read_csv(DATA / "bh1996_wbeing.csv")


@pytest.fixture(scope="module")
def bhr2000() -> pd.DataFrame:
    return pd.read_csv(DATA / "bhr2000.csv")


# --------------------------------------------------------------------------- alpha
def test_alpha_pairwise_matches_psych(bfi):
    # R: a <- psych::alpha(x)   (use = "pairwise" is psych's default)
    # raw_alpha 0.703018446057304  std.alpha 0.713028578671272
    # Feldt lower: 0.685264325886398  upper: 0.720063389899432
    res = es.cronbach_alpha(bfi, items=AGREE, missing="pairwise")
    t = res.table.iloc[0]
    assert_allclose(t["alpha"], 0.703018446057304, rtol=RTOL)
    assert_allclose(t["std_alpha"], 0.713028578671272, rtol=RTOL)
    assert_allclose(t["ci_low"], 0.685264325886398, rtol=RTOL)
    assert_allclose(t["ci_high"], 0.720063389899432, rtol=RTOL)
    assert t["n_respondents"] == 2800  # R: nrow 2800, rows with any answer 2800
    it = res.items.set_index("item")
    # R: a$alpha.drop[, c("raw_alpha", "std.alpha")]
    assert_allclose(
        it["alpha_if_deleted"],
        [0.718517357026915, 0.617180037046592, 0.600259578765486, 0.685805652337960, 0.642952960071292],
        rtol=RTOL,
    )
    assert_allclose(
        it["std_alpha_if_deleted"],
        [0.725509148595332, 0.625579881788331, 0.612944657047564, 0.693541342767759, 0.655530188532566],
        rtol=RTOL,
    )
    # R: a$item.stats[, c("n", "r.drop", "mean", "sd")]
    assert_allclose(
        it["r_drop"],
        [0.308417739522029, 0.563615163763579, 0.587004589505369, 0.394444086577913, 0.488565135825834],
        rtol=RTOL,
    )
    assert_allclose(
        it["mean"],
        [4.58656609195402, 4.80238009376127, 4.60382119682769, 4.69974829198130, 4.56034482758621],
        rtol=RTOL,
    )
    assert_allclose(
        it["sd"], [1.40773715052148, 1.17201992165085, 1.30183363919143, 1.47963268626392, 1.25851209837184], rtol=RTOL
    )
    # n per item 2784 2773 2774 2781 2784 of 2800 -> % missing
    assert_allclose(it["pct_missing"], 100 * (1 - np.array([2784, 2773, 2774, 2781, 2784]) / 2800), rtol=RTOL)


def test_alpha_listwise_matches_psych(bfi):
    # R: b <- psych::alpha(na.omit(x));  n listwise: 2709
    # raw_alpha 0.703755894374836  std.alpha 0.713501552634643
    # Feldt lower: 0.685744635049661  upper: 0.721035962795739
    res = es.cronbach_alpha(bfi, items=AGREE)
    t = res.table.iloc[0]
    assert t["n_respondents"] == 2709
    assert_allclose(t["alpha"], 0.703755894374836, rtol=RTOL)
    assert_allclose(t["std_alpha"], 0.713501552634643, rtol=RTOL)
    assert_allclose([t["ci_low"], t["ci_high"]], [0.685744635049661, 0.721035962795739], rtol=RTOL)
    it = res.items
    assert_allclose(
        it["alpha_if_deleted"],
        [0.717972056565048, 0.618481211772761, 0.600753814422001, 0.686944741539779, 0.644622304221595],
        rtol=RTOL,
    )
    assert_allclose(
        it["std_alpha_if_deleted"],
        [0.725037178895752, 0.626632393054737, 0.613085035526677, 0.694197296578555, 0.656937406415605],
        rtol=RTOL,
    )
    assert_allclose(
        it["r_drop"],
        [0.311401300580162, 0.563015475492023, 0.588773078677353, 0.394793680111273, 0.487240867629001],
        rtol=RTOL,
    )
    assert_allclose(
        it["mean"],
        [4.58767072720561, 4.79734219269103, 4.59911406423034, 4.68217054263566, 4.55112587670727],
        rtol=RTOL,
    )
    assert_allclose(
        it["sd"], [1.40457526845118, 1.17641471195972, 1.30455370413401, 1.48644153374369, 1.26160331891483], rtol=RTOL
    )
    assert res.dropped["count"].sum() == 2800 - 2709


def test_alpha_reverse_option_matches_manual_reversal():
    # psych reverses with (observed min + max) - x; on bfi that is 1 + 6 = 7, as the fixture does by hand
    raw = pd.read_csv(DATA / "bfi_agree.csv")
    res = es.cronbach_alpha(raw, items=AGREE, reverse=["A1"])
    assert_allclose(res.alpha, 0.703755894374836, rtol=RTOL)  # R listwise value above
    res = es.cronbach_alpha(raw, items=AGREE, reverse=["A1"], scale=(1, 6))
    assert_allclose(res.alpha, 0.703755894374836, rtol=RTOL)


def test_alpha_closed_form_small_example():
    # item variances 2.5, 2.3, 1.5 (sum 6.3); total-score variance 17.3 (by hand)
    # alpha = 3/2 * (1 - 6.3/17.3) = 0.953757225...
    df = pd.DataFrame({"Q01": [1, 2, 3, 4, 5], "Q02": [2, 2, 3, 5, 5], "Q03": [1, 3, 3, 4, 4]})
    res = es.cronbach_alpha(df)
    assert_allclose(res.alpha, 1.5 * (1 - 6.3 / 17.3), rtol=1e-12)
    assert res.n == 5
    assert "Cronbach's alpha was 0.95" in res.text()
    assert "Items:" in str(res)


def test_alpha_listwise_and_pairwise_agree_without_missing(bhr2000):
    a = es.cronbach_alpha(bhr2000, items=BHR_ITEMS)
    b = es.cronbach_alpha(bhr2000, items=BHR_ITEMS, missing="pairwise")
    assert_allclose(
        a.table[["alpha", "std_alpha", "ci_low", "ci_high"]],
        b.table[["alpha", "std_alpha", "ci_low", "ci_high"]],
        rtol=1e-10,
    )


def test_alpha_bad_input(bfi):
    with pytest.raises(es.ParameterError, match="'missing' parameter of cronbach_alpha"):
        es.cronbach_alpha(bfi, items=AGREE, missing="everything")
    with pytest.raises(es.ParameterError, match="at least 2 items"):
        es.cronbach_alpha(bfi, items=["A1"])
    bad = bfi.head(20).copy()
    bad["A2"] = bad["A2"].astype(object)
    bad.loc[7, "A2"] = "n/a"
    with pytest.raises(es.DataError, match=r"column 'A2'.*row 9: 'n/a'"):
        es.cronbach_alpha(bad, items=AGREE)
    with pytest.raises(es.DataError, match="missing required column"):
        es.cronbach_alpha(bfi, items=["A1", "B9"])


# --------------------------------------------------------------------------- ICC
def test_icc_matches_multilevel(bh1996):
    # R: mod <- aov(WBEING ~ as.factor(GRP), data = bh1996); multilevel::ICC1(mod); ICC2(mod)
    # ICC1: 0.0433690500771082  ICC2: 0.771712875540413
    # F: 4.38044853544522  df1: 98  df2: 7283  p: 2.03866453612601e-41
    # MSB: 3.45900405934729  MSW: 0.789646090202431   mean group size: 74.5656565656566
    res = es.icc(bh1996, score="WBEING", unit="GRP")
    t = res.table.iloc[0]
    assert_allclose(t["icc1"], 0.0433690500771082, rtol=RTOL)
    assert_allclose(t["icc2"], 0.771712875540413, rtol=RTOL)
    assert_allclose(t["f"], 4.38044853544522, rtol=RTOL)
    assert (t["df1"], t["df2"]) == (98, 7283)
    assert_allclose(t["p_value"], 2.03866453612601e-41, rtol=1e-6)
    assert_allclose([t["msb"], t["msw"]], [3.45900405934729, 0.789646090202431], rtol=RTOL)
    assert_allclose(t["group_size"], 74.5656565656566, rtol=RTOL)
    assert (t["n_units"], t["n_respondents"]) == (99, 7382)
    assert "ICC(2) = 0.77" in res.text()


def test_icc_adjusted_group_size(bh1996):
    # R (by hand from the same aov): n0 = (N - sum(nj^2)/N)/(G - 1) = 74.3134873022631
    # ICC1 with n0: 0.0435098119177088 ; ICC(2) does not depend on k
    t = es.icc(bh1996, score="WBEING", unit="GRP", group_size="adjusted").table.iloc[0]
    assert_allclose(t["group_size"], 74.3134873022631, rtol=RTOL)
    assert_allclose(t["icc1"], 0.0435098119177088, rtol=RTOL)
    assert_allclose(t["icc2"], 0.771712875540413, rtol=RTOL)


def test_icc_by_group_matches_r_subsets(bh1996):
    # R: aov on GRP <= 50 ('a') and GRP > 50 ('b') separately
    # half a  ICC1: 0.0411669833909488  ICC2: 0.730397527334333  n: 3155
    # half b  ICC1: 0.0459302804929559  ICC2: 0.805935847412749  n: 4227
    df = bh1996.assign(half=np.where(bh1996["GRP"] <= 50, "a", "b"))
    t = es.icc(df, score="WBEING", unit="GRP", by="half").table
    assert t["half"].tolist() == ["a", "b"]
    assert_allclose(t["icc1"], [0.0411669833909488, 0.0459302804929559], rtol=RTOL)
    assert_allclose(t["icc2"], [0.730397527334333, 0.805935847412749], rtol=RTOL)
    assert t["n_respondents"].tolist() == [3155, 4227]


def test_icc_from_units_matches_multilevel(bh1996):
    # unit summaries (n, mean, sd) are all the ANOVA needs: same R numbers as above
    units = (
        bh1996.groupby("GRP")["WBEING"]
        .agg(["size", "mean", "std"])
        .reset_index()
        .rename(columns={"size": "n_respondents", "mean": "engagement", "std": "engagement_sd"})
    )
    units["company"] = np.where(units["GRP"] <= 50, "a", "b")
    t = es.icc_from_units(units).table.iloc[0]
    assert_allclose(
        [t["icc1"], t["icc2"], t["f"]], [0.0433690500771082, 0.771712875540413, 4.38044853544522], rtol=RTOL
    )
    t = es.icc_from_units(units, by="company").table
    assert_allclose(t["icc1"], [0.0411669833909488, 0.0459302804929559], rtol=RTOL)
    assert_allclose(t["icc2"], [0.730397527334333, 0.805935847412749], rtol=RTOL)


def test_icc_closed_form_balanced():
    # three units of 3: means 2, 4, 3; within SD 1 each. MSW = 1; MSB = 3*(1+1+0)/2 = 3
    # ICC1 = (3-1)/(3+2*1) = 0.4 ; ICC2 = (3-1)/3 = 2/3 ; F = 3
    df = pd.DataFrame({"unit_id": list("aaabbbccc"), "score": [1, 2, 3, 3, 4, 5, 2, 3, 4]})
    t = es.icc(df, score="score").table.iloc[0]
    assert_allclose([t["icc1"], t["icc2"], t["f"]], [0.4, 2 / 3, 3.0], rtol=1e-12)


def test_icc_from_items_uses_respondent_means():
    df = pd.DataFrame(
        {"unit_id": list("aaabbbccc"), "Q01": [1, 2, 3, 3, 4, 5, 2, 3, 4], "Q02": [1, 2, 3, 3, 4, 5, 2, 3, 4]}
    )
    t = es.icc(df).table.iloc[0]
    assert_allclose([t["icc1"], t["icc2"]], [0.4, 2 / 3], rtol=1e-12)


def test_icc_single_unit_group_is_nan_and_counted():
    units = pd.DataFrame(
        {
            "company": ["x", "x", "y"],
            "n_respondents": [5, 5, 5],
            "engagement": [3.0, 4.0, 3.5],
            "engagement_sd": [1, 1, 1],
        }
    )
    res = es.icc_from_units(units, by="company")
    assert np.isnan(res.table.loc[res.table["company"] == "y", "icc1"]).all()
    assert "single unit" in " ".join(res.dropped["reason"])


def test_icc_bad_input(bh1996):
    with pytest.raises(es.ParameterError, match="'group_size' parameter of icc"):
        es.icc(bh1996, score="WBEING", unit="GRP", group_size="median")
    with pytest.raises(es.DataError, match="missing required column"):
        es.icc(bh1996, score="WBEING")  # no unit_id column


# --------------------------------------------------------------------------- rwg
def test_null_variances_match_lebreton_senter_table2():
    # James et al. (1984) uniform: (A^2 - 1)/12 ; LeBreton & Senter (2008) Table 2, 5 options:
    # slight skew 1.34, moderate skew 0.90, heavy skew 0.44, triangular 1.32, normal 1.04
    assert null_variance("uniform", 5) == 2.0
    assert null_variance("uniform", 7) == 4.0
    expected = {"slight_skew": 1.34, "moderate_skew": 0.90, "heavy_skew": 0.44, "triangular": 1.32, "normal": 1.04}
    for name, v in expected.items():
        assert_allclose(null_variance(name, 5), v, atol=5e-3)
        assert_allclose(sum(NULL_DISTRIBUTIONS[name]), 1.0, rtol=1e-12)
    assert null_variance(1.5, 5) == 1.5
    with pytest.raises(es.ParameterError, match="n_options"):
        null_variance("slight_skew", 7)


def test_rwg_matches_multilevel_uniform(bhr2000):
    # R: r <- rwg.j(bhr2000[, 2:12], bhr2000$GRP, ranvar = 2)
    # uniform null (ranvar = 2): mean 0.887611501265241  median 0.892454066287484  n groups 99
    ref = pd.read_csv(RESULTS / "psychometrics_rwgj_uniform.csv")  # write.csv(r) from the R script
    res = es.rwg(bhr2000, items=BHR_ITEMS, unit="GRP")
    assert res.table["GRP"].tolist() == ref["grpid"].tolist()
    assert res.table["n_respondents"].tolist() == ref["gsize"].tolist()
    assert_allclose(res.table["rwg_j"], ref["rwg.j"], rtol=RTOL)
    assert_allclose([res.mean, res.median], [0.887611501265241, 0.892454066287484], rtol=RTOL)
    assert not res.table["out_of_range"].any()


def test_rwg_matches_multilevel_slight_skew_with_truncation(bhr2000):
    # R: rwg.j(bhr2000[, 2:12], bhr2000$GRP, ranvar = 1.34)
    # slight skew null (ranvar = 1.34): mean 0.572931973310831  median 0.658690976173105  groups set to 0: 9
    ref = pd.read_csv(RESULTS / "psychometrics_rwgj_slight.csv")
    res = es.rwg(bhr2000, items=BHR_ITEMS, unit="GRP", null=1.34)
    assert_allclose(res.table["rwg_j"], ref["rwg.j"], rtol=RTOL, atol=1e-15)
    assert_allclose([res.mean, res.median], [0.572931973310831, 0.658690976173105], rtol=RTOL)
    assert int(res.table["out_of_range"].sum()) == 9
    assert (res.table.loc[res.table["out_of_range"], "rwg_j"] == 0).all()
    # the named null computes 1.34 from the tabled proportions
    named = es.rwg(bhr2000, items=BHR_ITEMS, unit="GRP", null="slight_skew")
    assert_allclose(named.table["rwg_j"], res.table["rwg_j"], rtol=1e-10, atol=1e-12)


def test_rwg_listwise_missing_matches_multilevel(bhr2000):
    # R: AF06 set to NA in rows 1, 38, 75, ... (every 37th); rwg.j drops those respondents (na.exclude)
    # mean 0.887280898776058  median 0.892881401983426  total gsize 5254
    df = bhr2000.copy()
    df.loc[df.index[::37], "AF06"] = np.nan
    ref = pd.read_csv(RESULTS / "psychometrics_rwgj_missing.csv")
    res = es.rwg(df, items=BHR_ITEMS, unit="GRP")
    assert_allclose(res.table["rwg_j"], ref["rwg.j"], rtol=RTOL)
    assert res.table["n_respondents"].sum() == 5254
    assert_allclose([res.mean, res.median], [0.887280898776058, 0.892881401983426], rtol=RTOL)
    assert res.dropped.loc[res.dropped["reason"].str.contains("missing"), "count"].item() == 5400 - 5254


def test_rwg_available_equals_listwise_without_missing(bhr2000):
    a = es.rwg(bhr2000, items=BHR_ITEMS, unit="GRP")
    b = es.rwg(bhr2000, items=BHR_ITEMS, unit="GRP", missing="available")
    assert_allclose(a.table["rwg_j"], b.table["rwg_j"], rtol=1e-12)


def test_rwg_closed_form_and_suppression():
    # unit a (5 people): item variances 0.2 and 0.3 -> mean 0.25; sigma2 = 2 -> ratio 0.125
    # rwg(2) = 2*0.875/(2*0.875 + 0.125) = 1.75/1.875 = 0.9333...
    df = pd.DataFrame(
        {
            "unit_id": ["a"] * 5 + ["b"] * 3,
            "Q01": [4, 4, 5, 4, 4, 1, 5, 3],
            "Q02": [4, 5, 5, 4, 4, 2, 2, 2],
        }
    )
    res = es.rwg(df)
    assert res.table["unit_id"].tolist() == ["a"]  # b has 3 respondents < 5: not reported
    v1, v2 = np.var([4, 4, 5, 4, 4], ddof=1), np.var([4, 5, 5, 4, 4], ddof=1)  # 0.2, 0.3
    ratio = (v1 + v2) / 2 / 2.0
    assert_allclose(res.table["rwg_j"].item(), 2 * (1 - ratio) / (2 * (1 - ratio) + ratio), rtol=1e-12)
    assert_allclose(res.table["rwg_j"].item(), 1.75 / 1.875, rtol=1e-12)
    assert res.dropped.loc[res.dropped["reason"].str.contains("confidentiality"), "count"].item() == 1
    assert "Mean rwg(j)" in str(res)


def test_rwg_bad_input(bhr2000):
    with pytest.raises(es.ParameterError, match="'null' parameter of rwg"):
        es.rwg(bhr2000, items=BHR_ITEMS, unit="GRP", null="bimodal")
    with pytest.raises(es.ParameterError, match="'missing' parameter of rwg"):
        es.rwg(bhr2000, items=BHR_ITEMS, unit="GRP", missing="pairwise")


def test_results_plot_and_export(tmp_path, bhr2000, bh1996):
    import matplotlib.pyplot as plt

    a = es.cronbach_alpha(bhr2000, items=BHR_ITEMS)
    i = es.icc(bh1996, score="WBEING", unit="GRP")
    r = es.rwg(bhr2000, items=BHR_ITEMS, unit="GRP")
    for res in (a, i, r):
        ax = res.plot()
        assert ax is not None
        assert res._repr_html_().startswith("<div")
        plt.close("all")
    a.to_excel(tmp_path / "alpha.xlsx")
    assert set(pd.read_excel(tmp_path / "alpha.xlsx", sheet_name=None)) == {"alpha", "items"}
    r.to_csv(tmp_path / "rwg.csv")
    assert len(pd.read_csv(tmp_path / "rwg.csv")) == 99


def test_rwg_by_unit_and_period_equals_rwg_per_period(bhr2000):
    # two "periods": the same data twice; per-period rwg(j) must equal the single-period R values
    ref = pd.read_csv(RESULTS / "psychometrics_rwgj_uniform.csv")
    df = pd.concat([bhr2000.assign(period=1), bhr2000.assign(period=2)], ignore_index=True)
    res = es.rwg(df, items=BHR_ITEMS, unit="GRP", period="period")
    assert len(res.table) == 2 * 99 and res.table["period"].dtype == df["period"].dtype
    for p in (1, 2):
        sub = res.table[res.table["period"] == p]
        assert_allclose(sub["rwg_j"], ref["rwg.j"], rtol=RTOL)
    assert "Showing 20 of 198 rows" in str(res)


# --------------------------------------------------------------------------- known truth (synthetic)
def test_icc_recovers_known_variance_components():
    # y = unit effect (variance 0.25) + noise (variance 1): ICC(1) = 0.25/1.25 = 0.2;
    # with 20 respondents per unit ICC(2) = 20*0.2/(1 + 19*0.2) = 0.8333 (Spearman-Brown).
    # 400 units: SE(ICC1) ~ 0.014 (Donner 1986), so 0.05 is more than 3 SE.
    rng = np.random.default_rng(2024)
    g, n = 400, 20
    unit = np.repeat(np.arange(g), n)
    y = rng.normal(0, 0.5, g)[unit] + rng.normal(0, 1, g * n)
    t = es.icc(pd.DataFrame({"unit_id": unit, "y": y}), score="y").table.iloc[0]
    assert abs(t["icc1"] - 0.2) < 0.05
    assert abs(t["icc2"] - 20 * 0.2 / (1 + 19 * 0.2)) < 0.03
    # no unit effect: ICC(1) near 0, F near 1
    t0 = es.icc(pd.DataFrame({"unit_id": unit, "y": rng.normal(0, 1, g * n)}), score="y").table.iloc[0]
    assert abs(t0["icc1"]) < 0.02 and abs(t0["f"] - 1) < 0.2


def test_rwg_perfect_agreement_is_one():
    # every member gives the same answers: observed variance 0 -> rwg(j) = J*1/(J*1 + 0) = 1
    df = pd.DataFrame({"unit_id": np.repeat(["a", "b"], 6), "Q01": [4] * 6 + [2] * 6, "Q02": [5] * 6 + [1] * 6})
    assert es.rwg(df).table["rwg_j"].tolist() == [1.0, 1.0]


# --------------------------------------------------------------------------- empty input
def _survey() -> pd.DataFrame:
    return pd.DataFrame({"unit_id": np.repeat(["a", "b"], 5), "Q01": [1, 2, 3, 4, 5] * 2, "Q02": [2, 3, 3, 4, 4] * 2})


@pytest.mark.parametrize("func", ["cronbach_alpha", "icc", "rwg"])
def test_empty_survey_is_a_data_error_without_numpy_warnings(func):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # validated before computing: no "Mean of empty slice"
        with pytest.raises(es.DataError, match=r"survey table has no rows.+Fix:"):
            getattr(es, func)(_survey().iloc[:0])


def test_empty_unit_table_is_a_data_error():
    units = pd.DataFrame({"n_respondents": [5, 6], "engagement": [3.5, 4.0], "engagement_sd": [0.8, 0.9]})
    with pytest.raises(es.DataError, match=r"unit table has no rows.+Fix:"):
        es.icc_from_units(units.iloc[:0])


# --------------------------------------------------------------------------- default items
def test_absent_default_items_are_named_and_one_item_is_a_data_error():
    rng = np.random.default_rng(3)
    items = [f"Q{j:02d}" for j in range(1, 13)]
    df = pd.DataFrame(rng.integers(1, 6, (60, 12)), columns=items).assign(unit_id=np.repeat(np.arange(6), 10))
    part = df.drop(columns="Q05")
    for func in ("cronbach_alpha", "icc", "rwg"):
        res = getattr(es, func)(part)
        assert any("Default items not in the survey: Q05;" in n for n in res.notes), func
        assert not any("Default items" in n for n in getattr(es, func)(df).notes), func
    # alpha on the 11 present items equals alpha with them named explicitly
    rest = [c for c in items if c != "Q05"]
    assert_allclose(es.cronbach_alpha(part).table["alpha"], es.cronbach_alpha(df, items=rest).table["alpha"])
    with pytest.raises(es.DataError, match=r"only 1 item column\(s\) found \(Q01\).+Fix:"):
        es.cronbach_alpha(df[["Q01", "unit_id"]])
