"""Tests for empathystats.regression.

Reference numbers come from R (tests/results/regression_R.R, printed output in
tests/results/regression_R.txt) fitted on tests/data/regression_units.csv
(written by tests/results/regression_make_data.py), or from synthetic studies
whose true effects are set here with numpy.

Tolerances: point estimates 1e-6 relative (same estimators). Standard errors
1e-6 relative where the estimator is identical (lm, glm, vcovCL type="HC1",
which is statsmodels' cluster correction G/(G-1)*(N-1)/(N-K)), including the
negative binomial, fitted as MASS::glm.nb does (alternating ML theta and IRLS,
SEs with theta held at its estimate; its cluster sandwich uses the observed
Hessian as bread, checked against R with that bread); 1e-4 for lmer (REML optimum found by
different optimizers).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import empathystats as es
from empathystats.errors import DataError, ParameterError
from empathystats.regression import OVERDISPERSION, cross_lagged, fit_model, fit_outcome_models

DATA = Path(__file__).parent / "data" / "regression_units.csv"
EST = 1e-6


@pytest.fixture(scope="module")
def units() -> pd.DataFrame:
    return pd.read_csv(DATA)


@pytest.fixture(scope="module")
def cluster(units):
    return fit_outcome_models(units)


@pytest.fixture(scope="module")
def plain(units):
    return fit_outcome_models(units, company_effects=None)


def eng(result, outcome):
    t = result.table
    return t.loc[(t["outcome"] == outcome) & (t["term"] == "engagement")].iloc[0]


# ---------------------------------------------------------------------------------------------
# agreement with R (tests/results/regression_R.txt)
# ---------------------------------------------------------------------------------------------
def test_gaussian_matches_lm(cluster, plain):
    # == lm customer_loyalty ~ z (model-based) ==   z  3.41832159406 0.576865693261
    r = eng(plain, "customer_loyalty")
    assert_allclose(r.estimate, 3.41832159406, rtol=EST)
    assert_allclose(r.se, 0.576865693261, rtol=EST)
    # == lm customer_loyalty ~ z, vcovCL(cluster=~company, type='HC1') ==   z  3.41832159406 0.479031257781
    r = eng(cluster, "customer_loyalty")
    assert r.family == "gaussian"
    assert_allclose(r.estimate, 3.41832159406, rtol=EST)
    assert_allclose(r.se, 0.479031257781, rtol=EST)
    # rows used for customer_loyalty: 291 (9 missing values)
    assert r.n_rows == 291 and r.n_units == 291 and r.n_companies == 12


def test_gaussian_fixed_random_overall_controls(units):
    # == lm customer_loyalty ~ z + factor(company) ==   z  3.418321594064 0.541460628926
    r = eng(fit_outcome_models(units, outcomes=["customer_loyalty"], company_effects="fixed"), "customer_loyalty")
    assert_allclose([r.estimate, r.se], [3.418321594064, 0.541460628926], rtol=EST)
    # == lmer customer_loyalty ~ z + (1|company), REML=TRUE ==
    #   z 3.41832159406 0.541447040207; company vcov 11.9294192698; Residual 81.7930063603
    m = fit_outcome_models(units, outcomes=["customer_loyalty"], company_effects="random")
    r = eng(m, "customer_loyalty")
    assert_allclose(r.estimate, 3.41832159406, rtol=EST)
    assert_allclose(r.se, 0.541447040207, rtol=1e-4)
    res = m.models["customer_loyalty"]
    assert_allclose(float(np.asarray(res.cov_re)[0, 0]), 11.9294192698, rtol=1e-4)
    assert_allclose(res.scale, 81.7930063603, rtol=1e-4)
    # == lm customer_loyalty ~ z_overall (model-based) ==   zo 2.41158463602 0.582173956835
    r = eng(fit_outcome_models(units, outcomes=["customer_loyalty"], company_effects=None, standardize="overall"),
            "customer_loyalty")
    assert_allclose([r.estimate, r.se], [2.41158463602, 0.582173956835], rtol=EST)
    # == lm customer_loyalty ~ z + region, vcovCL HC1 ==
    #   z 3.75024190160 0.36321865731; regionnorth -2.03657816546 1.14530623414; regionsouth 3.51913440489 1.42652042376
    t = fit_outcome_models(units, outcomes=["customer_loyalty"], controls=["region"]).table.set_index("term")
    assert_allclose(t.loc[["engagement", "region=north", "region=south"], "estimate"],
                    [3.75024190160, -2.03657816546, 3.51913440489], rtol=EST)
    assert_allclose(t.loc[["engagement", "region=north", "region=south"], "se"],
                    [0.36321865731, 1.14530623414, 1.42652042376], rtol=EST)


def test_poisson_matches_glm(cluster, plain):
    # Pearson chi2/df quality_defects (Poisson): 1.01357894333  -> stays Poisson
    # == glm poisson quality_defects ~ z + offset(log(units_produced)) ==  z -0.113846194698 0.00780705485409
    # == glm poisson quality_defects, vcovCL HC1 ==                         z -0.113846194698 0.01005069395286
    fam = cluster.families.set_index("outcome")
    assert fam.loc["quality_defects", "family"] == "poisson"
    assert_allclose(fam.loc["quality_defects", "dispersion"], 1.01357894333, rtol=EST)
    r = eng(plain, "quality_defects")
    assert_allclose([r.estimate, r.se], [-0.113846194698, 0.00780705485409], rtol=EST)
    r = eng(cluster, "quality_defects")
    assert_allclose([r.estimate, r.se], [-0.113846194698, 0.01005069395286], rtol=EST)
    assert_allclose(r.effect, np.exp(-0.113846194698), rtol=EST)
    # absenteeism (rate over scheduled days) is a count model with offset:
    # Pearson chi2/df absenteeism (Poisson): 1.11107540398; z -0.158733114081 0.00406292074080
    assert fam.loc["absenteeism", "family"] == "poisson"
    r = eng(plain, "absenteeism")
    assert_allclose([r.estimate, r.se], [-0.158733114081, 0.00406292074080], rtol=EST)


def test_negative_binomial_matches_glm_nb(cluster, plain):
    # Pearson chi2/df safety_incidents (Poisson): 3.07100717013 > 1.5 -> negative binomial
    # == glm.nb safety_incidents ~ z + offset(log(hours_worked)) ==  z -0.264112754614 0.0554968425854
    # theta: 1.80297176146  alpha = 1/theta: 0.554639857028
    # == glm.nb safety_incidents, vcovCL HC1 ==                      z -0.264112754614 0.0573547280155
    # == glm.nb safety_incidents, cluster sandwich with observed-information bread (meatCL HC1) ==
    #                                                                z -0.264112754614 0.0581798633032
    fam = cluster.families.set_index("outcome")
    assert fam.loc["safety_incidents", "family"] == "negative binomial"
    assert_allclose(fam.loc["safety_incidents", "dispersion"], 3.07100717013, rtol=EST)
    assert "3.07 > 1.5" in fam.loc["safety_incidents", "reason"]
    r = eng(plain, "safety_incidents")
    assert_allclose(r.estimate, -0.264112754614, rtol=EST)
    assert_allclose(r.se, 0.0554968425854, rtol=EST)
    assert_allclose(plain.families.set_index("outcome").loc["safety_incidents", "nb_alpha"], 0.554639857028,
                    rtol=EST)
    r = eng(cluster, "safety_incidents")
    assert_allclose(r.estimate, -0.264112754614, rtol=EST)
    # statsmodels' cluster bread is the observed Hessian (R's bread.glm: expected information); same meat
    assert_allclose(r.se, 0.0581798633032, rtol=EST)
    assert_allclose(r.se, 0.0573547280155, rtol=0.02)
    assert r.effect_label.endswith("goes with 23% fewer safety incidents (rate ratio 0.77)")


def test_binomial_matches_glm(cluster, plain, units):
    # Pearson chi2/df turnover (binomial): 1.00303394567 -> binomial (not quasi)
    # == glm binomial cbind(turnover, headcount - turnover) ~ z ==  z -0.260460935461 0.0249926597693
    # == glm binomial turnover, vcovCL HC1 ==                        z -0.260460935461 0.0286496268846
    fam = cluster.families.set_index("outcome")
    assert fam.loc["turnover", "family"] == "binomial"
    r = eng(plain, "turnover")
    assert_allclose([r.estimate, r.se], [-0.260460935461, 0.0249926597693], rtol=EST)
    r = eng(cluster, "turnover")
    assert_allclose([r.estimate, r.se], [-0.260460935461, 0.0286496268846], rtol=EST)
    assert "odds of turnover (odds ratio 0.77)" in r.effect_label
    # == glm binomial turnover ~ z + factor(company) ==  z -0.25839125860505 0.0251497943955
    r = eng(fit_outcome_models(units, outcomes=["turnover"], company_effects="fixed"), "turnover")
    assert_allclose([r.estimate, r.se], [-0.25839125860505, 0.0251497943955], rtol=EST)


def test_fixed_effects_count_models_match_r(units):
    # company intercepts are absorbed (within-company IRLS), not dummy columns: same numbers as R's factor(company)
    m = fit_outcome_models(units, outcomes=["quality_defects", "safety_incidents"], company_effects="fixed")
    fam = m.families.set_index("outcome")
    # Pearson chi2/df quality_defects ~ z + factor(company) (Poisson): 1.0143651257
    # == glm poisson quality_defects ~ z + factor(company) ==  z -0.1147294269071 0.00785067383492
    assert fam.loc["quality_defects", "family"] == "poisson"
    assert_allclose(fam.loc["quality_defects", "dispersion"], 1.0143651257, rtol=EST)
    assert_allclose(eng(m, "quality_defects")[["estimate", "se"]].astype(float), [-0.1147294269071, 0.00785067383492],
                    rtol=EST)
    # Pearson chi2/df safety_incidents ~ z + factor(company) (Poisson): 2.95385987963
    # == glm.nb safety_incidents ~ z + factor(company) ==  z -0.2674275581459 0.0542247099819; theta 1.96695699308
    assert fam.loc["safety_incidents", "family"] == "negative binomial"
    assert_allclose(fam.loc["safety_incidents", "dispersion"], 2.95385987963, rtol=EST)
    assert_allclose(fam.loc["safety_incidents", "nb_alpha"], 1 / 1.96695699308, rtol=EST)
    assert_allclose(eng(m, "safety_incidents")[["estimate", "se"]].astype(float), [-0.2674275581459, 0.0542247099819],
                    rtol=EST)
    # == lm customer_loyalty ~ z + factor(company) ==  (Intercept) 65.466258333333 is company C01's intercept
    fe = fit_outcome_models(units, outcomes=["customer_loyalty"], company_effects="fixed").models["customer_loyalty"]
    assert_allclose(fe.company_eta[0], 65.466258333333, rtol=EST)


def test_quasi_binomial_when_overdispersed():
    # leavers drawn with a unit-level random effect -> Pearson chi2/df well above 1.5;
    # estimates equal the binomial ones, SEs scale by sqrt(chi2/df) (R's quasibinomial).
    rng = np.random.default_rng(5)
    n = 400
    e = rng.normal(0, 1, n)
    hc = rng.integers(20, 80, n)
    p = 1 / (1 + np.exp(-(-1 - 0.3 * e + rng.normal(0, 0.8, n))))
    df = pd.DataFrame({"unit_id": np.arange(n), "company": np.repeat(np.arange(20), 20), "engagement": e,
                       "turnover": rng.binomial(hc, p), "headcount": hc})
    m = fit_outcome_models(df, company_effects=None)
    binom = fit_model(df.assign(prop=df.turnover / df.headcount), "prop ~ engagement_z", family="binomial",
                      weights="headcount", company_effects=None)
    fam = m.families.iloc[0]
    assert fam.family == "quasi-binomial" and fam.dispersion > OVERDISPERSION
    r = eng(m, "turnover")
    assert_allclose(r.estimate, binom.table.estimate.iloc[1], rtol=EST)
    assert_allclose(r.se, binom.table.se.iloc[1] * np.sqrt(fam.dispersion), rtol=1e-6)


def test_fit_model_matches_r(units):
    # same R fits as above, through the formula interface
    f = fit_model(units, "quality_defects ~ engagement_z", family="poisson", offset="units_produced")
    assert_allclose(f.table.set_index("term").loc["engagement_z", ["estimate", "se"]],
                    [-0.113846194698, 0.01005069395286], rtol=EST)
    f = fit_model(units, "turnover_value ~ engagement_z", family="binomial", weights="headcount",
                  company_effects=None)
    assert_allclose(f.table.set_index("term").loc["engagement_z", ["estimate", "se"]],
                    [-0.260460935461, 0.0249926597693], rtol=EST)
    f = fit_model(units, "safety_incidents ~ engagement_z", family="negative_binomial", offset="hours_worked",
                  company_effects=None)
    assert_allclose(f.table.set_index("term").loc["engagement_z", "estimate"], -0.264112754614, rtol=EST)
    # rows with missing customer_loyalty are dropped and counted
    f = fit_model(units, "customer_loyalty ~ engagement + C(region)")
    assert int(f.dropped["count"].sum()) == 9
    assert f.table["n_units"].iloc[0] == 291
    assert "Dropped: 9 rows" in str(f)


def test_lagged_models_match_r():
    # tests/data/regression_panel.csv: 160 units in 2023, 154 of them again in 2024 ("unpaired: 6")
    panel = pd.read_csv(DATA.with_name("regression_panel.csv"))
    m = fit_outcome_models(panel, lag=1)
    t = m.table.set_index(["outcome", "term"])
    # == lag=1 lm customer_loyalty(t+1) ~ z + z(loyalty t), vcovCL HC1 ==
    #   z 3.22626396804 0.680146400354;  loy_lag 2.87806204702 0.598490372161
    assert_allclose(t.loc[("customer_loyalty", "engagement"), ["estimate", "se"]], [3.22626396804, 0.680146400354],
                    rtol=EST)
    assert_allclose(t.loc[("customer_loyalty", "customer_loyalty (t)"), ["estimate", "se"]],
                    [2.87806204702, 0.598490372161], rtol=EST)
    # Pearson chi2/df lagged safety_incidents (Poisson): 1.97498859056 -> negative binomial
    # == lag=1 glm.nb safety_incidents(t+1) ~ z + z(rate t) + offset(log(hours t+1)) (model-based) ==
    #   z -0.299432508577 0.0831348854912;  inc_lag 0.209702056233 0.0765731872718;  theta 2.36139313898
    fam = m.families.set_index("outcome").loc["safety_incidents"]
    assert fam.family == "negative binomial"
    assert_allclose(fam.dispersion, 1.97498859056, rtol=EST)
    assert_allclose(fam.nb_alpha, 1 / 2.36139313898, rtol=EST)
    plain = fit_outcome_models(panel, lag=1, outcomes=["safety_incidents"], company_effects=None).table
    assert_allclose(plain[["estimate", "se"]].to_numpy(),
                    [[-0.299432508577, 0.0831348854912], [0.209702056233, 0.0765731872718]], rtol=EST)
    assert int(m.dropped["count"].iloc[0]) == 6 and t.loc[("customer_loyalty", "engagement"), "n_rows"] == 154
    # == cross-lagged ... vcovCL HC1 ==  forward: z 0.407822651248 0.0865099304856 (stability 0.365512057414)
    #                                   reverse: loy_lag 0.0386133754605 0.0388355660286 (stability 0.757825342925)
    # coeftest(df = 7) confint: z 0.203259171618 0.612386130878
    cl = cross_lagged(panel, "customer_loyalty").table
    assert_allclose(cl[["estimate", "se", "stability"]].to_numpy(),
                    [[0.407822651248, 0.0865099304856, 0.365512057414],
                     [0.0386133754605, 0.0388355660286, 0.757825342925]], rtol=EST)
    assert_allclose(cl[["ci_low", "ci_high"]].iloc[0], [0.203259171618, 0.612386130878], rtol=EST)
    assert cl["n_pairs"].iloc[0] == 154


def test_cross_lagged_fixed_effects_equal_dummies():
    # Frisch-Waugh-Lovell: the within transformation gives the slopes and SEs of OLS with one dummy per company
    import statsmodels.api as sm

    panel = pd.read_csv(DATA.with_name("regression_panel.csv"))
    a, b = panel[panel.period == 2023], panel[panel.period == 2024]
    pairs = a.merge(b[["unit_id", "engagement", "customer_loyalty"]], on="unit_id", suffixes=("", "_next"))

    def z(col):
        g = pairs.groupby("company")[col]
        return (pairs[col] - g.transform("mean")) / g.transform("std")

    X = pd.concat([pd.DataFrame({"e": z("engagement"), "y": z("customer_loyalty")}),
                   pd.get_dummies(pairs["company"], drop_first=True, dtype=float)], axis=1)
    fwd = sm.OLS(z("customer_loyalty_next"), sm.add_constant(X)).fit()
    rev = sm.OLS(z("engagement_next"), sm.add_constant(X)).fit()
    cl = cross_lagged(panel, "customer_loyalty", company_effects="fixed").table
    assert_allclose(cl[["estimate", "se", "p_value", "stability"]].to_numpy(),
                    [[fwd.params["e"], fwd.bse["e"], fwd.pvalues["e"], fwd.params["y"]],
                     [rev.params["y"], rev.bse["y"], rev.pvalues["y"], rev.params["e"]]], rtol=1e-9)
    assert_allclose(cl[["ci_low", "ci_high"]].iloc[0], fwd.conf_int().loc["e"], rtol=1e-9)


# ---------------------------------------------------------------------------------------------
# results: drops, contrasts, words, plots
# ---------------------------------------------------------------------------------------------
def test_dropped_rows_are_counted(cluster, units):
    d = cluster.dropped
    row = d.loc[d["reason"].str.startswith("customer_loyalty")]
    assert int(row["count"].sum()) == int(units["customer_loyalty"].isna().sum()) == 9
    assert "Dropped: 9 customer_loyalty" in str(cluster)
    # a company with a single unit cannot be standardised within company: counted, not silent
    one = units.copy()
    one.loc[0, "company"] = "SOLO"
    m = fit_outcome_models(one, outcomes=["quality_defects"])
    assert "cannot standardise within company" in m.dropped["detail"].tolist()
    assert eng(m, "quality_defects").n_rows == 299


def test_caller_data_untouched_and_reproducible(units):
    before = units.copy()
    a = fit_outcome_models(units, outcomes=["turnover", "customer_loyalty"])
    b = fit_outcome_models(units, outcomes=["turnover", "customer_loyalty"])
    pd.testing.assert_frame_equal(units, before)
    pd.testing.assert_frame_equal(a.table, b.table)


def test_contrasts_closed_form(cluster):
    # log-link count models: average predictions at z_top and z_bottom differ by exactly exp(b (z_top - z_bottom))
    c = cluster.contrasts.set_index("outcome")
    for o in ("quality_defects", "safety_incidents", "absenteeism"):
        b = eng(cluster, o).estimate
        ratio = c.loc[o, "predicted_top"] / c.loc[o, "predicted_bottom"]
        assert_allclose(ratio, np.exp(b * (c.loc[o, "z_top"] - c.loc[o, "z_bottom"])), rtol=1e-9)
        assert c.loc[o, "pct_better"] > 0 and c.loc[o, "label"].endswith("lower")
    # Gaussian: difference = b (z_top - z_bottom), CI from the engagement CI
    r = eng(cluster, "customer_loyalty")
    dz = c.loc["customer_loyalty", "z_top"] - c.loc["customer_loyalty", "z_bottom"]
    assert_allclose(c.loc["customer_loyalty", "difference"], r.estimate * dz, rtol=1e-9)
    # quartile means of a within-company z: about +-1.27 (normal: phi(0.674)/0.25)
    assert 1.0 < c.loc["customer_loyalty", "z_top"] < 1.5


def test_text_and_display(cluster):
    text = cluster.text()
    assert "fewer quality defects" in text and "higher customer loyalty" in text
    assert "cluster-robust" not in cluster.table.columns
    html = cluster._repr_html_()
    assert "customer_loyalty" in html and "Dropped" in html


def test_plots(cluster):
    import matplotlib.pyplot as plt

    ax = cluster.plot()
    assert len(ax.get_yticklabels()) == 5
    ax = cluster.plot_fit("safety_incidents")
    assert len(ax.lines) == 1 and len(ax.collections) == 1
    with pytest.raises(ParameterError):
        cluster.plot_fit("nope")
    plt.close("all")


# ---------------------------------------------------------------------------------------------
# simulated truth
# ---------------------------------------------------------------------------------------------
def _panel(seed: int = 11, n_comp: int = 30, per_comp: int = 40, periods: int = 3) -> pd.DataFrame:
    """Engagement drives next period's outcome; the outcome does not drive engagement.

    e_{t+1} = 0.7 e_t + sqrt(0.51) u;  y_{t+1} = 0.5 y_t + 0.3 e_t + v  (latent e has SD 1; observed
    engagement = 3.8 + 0.4 e, so the true effect is 0.3 / 0.4 = 0.75 per engagement point).
    """
    rng = np.random.default_rng(seed)
    n = n_comp * per_comp
    e = np.empty((periods, n))
    y = np.empty((periods, n))
    e[0] = rng.normal(0, 1, n)
    y[0] = 0.3 * e[0] + rng.normal(0, 1, n)
    for t in range(1, periods):  # loop over a handful of periods, vectorised over units
        e[t] = 0.7 * e[t - 1] + np.sqrt(0.51) * rng.normal(0, 1, n)
        y[t] = 0.5 * y[t - 1] + 0.3 * e[t - 1] + rng.normal(0, 1, n)
    return pd.DataFrame({
        "unit_id": np.tile(np.arange(n), periods),
        "company": np.tile(np.repeat(np.arange(n_comp), per_comp), periods),
        "period": np.repeat(np.arange(2021, 2021 + periods), n),
        "engagement": 3.8 + 0.4 * e.ravel(),
        "productivity": 50 + 5 * y.ravel(),
    })


def test_lagged_model_recovers_truth():
    panel = _panel()
    m = fit_outcome_models(panel, lag=1, standardize=None)
    r = eng(m, "productivity")
    # truth: 0.3 latent SD -> 5 * 0.3 / 0.4 = 3.75 productivity per engagement point
    assert abs(r.estimate - 3.75) < 3 * r.se
    assert r.n_rows == 2 * 1200  # periods 2021->2022 and 2022->2023
    assert "productivity (t)" in set(m.table["term"])
    # a unit missing from the next period is counted
    m = fit_outcome_models(panel.iloc[:-1], lag=1)  # unit 1199 has no 2023 row
    assert "cannot be paired t -> t+1" in m.dropped["detail"].tolist()


def test_cross_lagged_direction():
    cl = cross_lagged(_panel(), "productivity")
    fwd, rev = cl.table.iloc[0], cl.table.iloc[1]
    assert fwd.path == "engagement -> productivity" and rev.path == "productivity -> engagement"
    assert fwd.ci_low > 0.1  # engagement -> outcome: clearly positive
    assert rev.ci_low < 0 < rev.ci_high  # outcome -> engagement: truth 0
    assert "The engagement -> productivity path is the stronger" in cl.text()
    assert "not that it causes it" in cl.text()


@pytest.mark.parametrize("seed", [3, 4])
def test_count_truth(seed):
    # Poisson incidents with rate ratio exp(-0.2) per within-company SD of engagement, company effects on the rate
    # (seed 4 lands just above the 1.5 dispersion rule: a negative binomial with small alpha must converge)
    rng = np.random.default_rng(seed)
    n_comp, per = 40, 100
    n = n_comp * per
    comp = np.repeat(np.arange(n_comp), per)
    z = rng.normal(0, 1, n)
    hours = rng.uniform(50_000, 150_000, n)
    y = rng.poisson(hours / 200_000 * 6 * np.exp(-0.2 * z + np.repeat(rng.normal(0, 0.3, n_comp), per)))
    df = pd.DataFrame({"unit_id": np.arange(n), "company": comp, "engagement": 3.5 + rng.normal(0, .3, n_comp)[comp]
                       + 0.5 * z, "safety_incidents": y, "hours_worked": hours})
    r = eng(fit_outcome_models(df), "safety_incidents")
    assert abs(r.estimate - (-0.2)) < 3 * r.se


# ---------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------
def test_bad_parameters(units):
    with pytest.raises(ParameterError, match="outcomes"):
        fit_outcome_models(units, outcomes=["sales_growth"])
    with pytest.raises(ParameterError, match="company_effects"):
        fit_outcome_models(units, company_effects="mixed")
    with pytest.raises(ParameterError, match="standardize"):
        fit_outcome_models(units, standardize="company")
    with pytest.raises(ParameterError, match="lag"):
        fit_outcome_models(units, lag=2)
    with pytest.raises(ParameterError, match="Gaussian"):
        fit_outcome_models(units, outcomes=["turnover"], company_effects="random")
    with pytest.raises(ParameterError, match="controls"):
        fit_outcome_models(units, controls=["industry"])
    with pytest.raises(ParameterError, match="family"):
        fit_model(units, "customer_loyalty ~ engagement", family="gamma")
    with pytest.raises(ParameterError, match="outcome"):
        cross_lagged(units, "sales_growth")
    with pytest.raises(ParameterError):
        fit_outcome_models([1, 2, 3])
    # with outcomes=None, "random" fits the Gaussian outcomes and says which were left out
    m = fit_outcome_models(units, company_effects="random")
    assert list(m.table["outcome"]) == ["customer_loyalty"]
    assert any("not modelled: absenteeism" in n for n in m.notes)


def test_bad_data(units):
    with pytest.raises(DataError, match="usable unit rows"):
        fit_outcome_models(units.head(8), outcomes=["customer_loyalty"], standardize="overall")
    neg = units.copy()
    neg.loc[3, "quality_defects"] = -1
    with pytest.raises(DataError, match="cannot be negative"):
        fit_outcome_models(neg, outcomes=["quality_defects"])
    over = units.copy()
    over.loc[[4, 7], "turnover"] = 500
    with pytest.raises(DataError, match="row 6: 500"):
        fit_outcome_models(over, outcomes=["turnover"])
    with pytest.raises(DataError, match="two periods"):
        fit_outcome_models(units, lag=1)
    with pytest.raises(DataError, match="two periods"):
        cross_lagged(units, "turnover")


def test_public_names():
    assert es.fit_outcome_models is fit_outcome_models
    assert es.cross_lagged is cross_lagged
    assert es.fit_model is fit_model
    assert isinstance(es.fit_outcome_models(pd.read_csv(DATA), outcomes="turnover"), es.OutcomeModels)


@pytest.mark.slow
@pytest.mark.parametrize("company_effects", ["cluster", "fixed"])
def test_ci_coverage_poisson_with_company_effects(company_effects):
    # 200 simulated studies (30 companies x 30 units, company effects on the rate, true log rate ratio -0.2 per
    # engagement point): the 95% CI should cover the truth in about 95% of them (binomial SE of the rate: 1.5%).
    hits = 0
    reps = 200
    for seed in range(reps):  # replicates of a Monte Carlo check, not library code
        rng = np.random.default_rng(1000 + seed)
        n_comp, per = 30, 30
        comp = np.repeat(np.arange(n_comp), per)
        e = rng.normal(0, 1, comp.size)
        hours = rng.uniform(50_000, 150_000, comp.size)
        y = rng.poisson(hours / 200_000 * 5 * np.exp(-0.2 * e + rng.normal(0, 0.3, n_comp)[comp]))
        df = pd.DataFrame({"unit_id": np.arange(comp.size), "company": comp, "engagement": e,
                           "safety_incidents": y, "hours_worked": hours})
        r = eng(fit_outcome_models(df, company_effects=company_effects, standardize=None,
                                   families={"safety_incidents": "poisson"}), "safety_incidents")
        hits += r.ci_low <= -0.2 <= r.ci_high
    assert 0.91 <= hits / reps <= 0.985


# ---------------------------------------------------------------------------------------------
# issue 9: the footer names the period effects; custom outcome specs for a DataFrame
# ---------------------------------------------------------------------------------------------
def test_cross_lagged_footer_names_period_effects():
    import statsmodels.api as sm

    panel = _panel(n_comp=10, per_comp=20, periods=3)
    cl = cross_lagged(panel, "productivity", company_effects=None, standardize="overall")
    assert any("Period fixed effects" in n for n in cl.notes) and "Period fixed effects" in str(cl)
    # the note describes the model: OLS with a dummy for the starting period (statsmodels, built here)
    a = panel.rename(columns={"engagement": "e", "productivity": "y"})
    b = a.assign(period=a["period"] - 1)[["unit_id", "period", "e", "y"]]
    pairs = a.merge(b, on=["unit_id", "period"], suffixes=("", "_next"))

    def z(col):
        return (pairs[col] - pairs[col].mean()) / pairs[col].std()

    X = sm.add_constant(pd.DataFrame({"e": z("e"), "y": z("y"), "p2022": (pairs["period"] == 2022).astype(float)}))
    fwd = sm.OLS(z("y_next"), X).fit()
    assert_allclose(cl.table[["estimate", "se"]].iloc[0], [fwd.params["e"], fwd.bse["e"]], rtol=1e-9)
    # one starting period (two waves): no period effects, no note
    two = cross_lagged(pd.read_csv(DATA.with_name("regression_panel.csv")), "customer_loyalty")
    assert not any("Period fixed effects" in n for n in two.notes)


SHMI = {"shmi": es.OutcomeSpec("shmi", better="lower", kind="score", label="SHMI")}


def test_specs_for_a_dataframe_with_a_custom_outcome():
    panel = _panel(n_comp=10, per_comp=20, periods=2).rename(columns={"productivity": "shmi"})
    one = panel.loc[panel["period"] == 2021]
    with pytest.raises(ParameterError, match="outcome"):
        cross_lagged(panel, "shmi")  # without specs, 'shmi' is no outcome of the table
    # Gaussian, no standardisation, model-based SEs: the OLS slope of shmi on engagement (numpy, closed form)
    slope = np.polyfit(one["engagement"], one["shmi"], 1)[0]
    m = fit_outcome_models(one, specs=SHMI, standardize=None, company_effects=None)
    assert list(m.table["outcome"].unique()) == ["shmi"]
    assert_allclose(eng(m, "shmi").estimate, slope, rtol=1e-9)
    fm = fit_model(one, "shmi_value ~ engagement_z", specs=SHMI, standardize=None, company_effects=None)
    assert_allclose(fm.table.set_index("term").loc["engagement_z", "estimate"], slope, rtol=1e-9)
    cl = cross_lagged(panel, "shmi", specs=SHMI)
    same = cross_lagged(panel.rename(columns={"shmi": "productivity"}), "productivity")
    assert cl.table["outcome"].iloc[0] == "shmi"
    assert_allclose(cl.table["estimate"], same.table["estimate"], rtol=1e-12)


def test_outcome_without_any_value_is_skipped_and_counted(cluster, units):
    # a declared outcome with no value at all (e.g. shrinkage when no retail company is in the study):
    # with outcomes=None it is skipped and counted; the other outcomes' fits are unchanged (they are
    # fitted one by one, so they must equal the fits on the full table, which agree with R above)
    d = units.copy()
    d["quality_defects"] = np.nan
    m = fit_outcome_models(d)
    assert "quality_defects" not in set(m.table["outcome"])
    row = m.dropped.loc[m.dropped["reason"] == "outcomes with no usable rows"]
    assert row["count"].tolist() == [1] and "quality_defects" in row["detail"].iloc[0]
    assert "outcomes with no usable rows" in str(m)
    kept = cluster.table.loc[cluster.table["outcome"] != "quality_defects"].reset_index(drop=True)
    pd.testing.assert_frame_equal(m.table, kept)
    # named explicitly, it is still an error that says what is wrong
    with pytest.raises(DataError, match="quality_defects"):
        fit_outcome_models(d, outcomes=["quality_defects"])
    # nothing usable at all: an error, not an empty result
    for col in set(cluster.table["outcome"]):
        d[col] = np.nan
    with pytest.raises(DataError, match="no outcome of the study has a usable value"):
        fit_outcome_models(d)
