"""simulate_study against its own truth.

Every expected number here comes from the parameters we set (a synthetic study
whose true effect we chose) and closed-form results computed in this file, not
from the simulator's code:

* correlations: the requested ``rho``; tolerance from the sampling SD of a
  correlation, (1 - rho^2) / sqrt(n) (Fisher 1915), widened to 4 SD;
* Cronbach's alpha on the latent scale, k*l^2 / (k*l^2 + 1 - l^2) for k parallel
  items with loading l (Lord & Novick 1968); on the 1-5 scale the exact
  expectation from bivariate-normal orthant probabilities at the thresholds;
* ICC(1) from the one-way ANOVA of respondent scores (Bliese 2000), against
  ``icc1`` and against its exact 1-5-scale expectation by Gauss-Hermite quadrature.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

import empathystats as es
from empathystats.errors import ParameterError
from empathystats.outcomes import STANDARD_OUTCOMES, outcome_values
from empathystats.simulate import DEFAULT_RHO, ITEMS

SEED = 20201


@pytest.fixture(scope="module")
def big() -> es.SimulatedStudy:
    # ~20,000 unit x periods; sd_rho=0 so every company has exactly the requested rho
    return es.simulate_study(
        n_companies=200, units_per_company=(40, 60), respondents_per_unit=(5, 12), sd_rho=0.0, seed=SEED
    )


@pytest.fixture(scope="module")
def items_sim() -> es.SimulatedStudy:
    # no blanks, no tiny units: alpha and ICC(1) computed on complete data; no company component,
    # whose 60 realised company effects would add sampling noise to the between-unit variance
    return es.simulate_study(
        n_companies=60, units_per_company=(40, 60), respondents_per_unit=(8, 20), periods=1,
        missing_rate=0.0, small_unit_share=0.0, company_share=0.0, seed=SEED + 1,
    )


def within(x: pd.Series, groups: list[pd.Series]) -> pd.Series:
    return x - x.groupby(groups).transform("mean")


# ---------------------------------------------------------------------------- correlations
@pytest.mark.parametrize("outcome", list(DEFAULT_RHO))
def test_latent_correlation_matches_requested_rho(big, outcome):
    u = big.truth.units
    lat = u[f"latent_{outcome}"]
    ok = lat.notna()
    g = [u.loc[ok, "company"], u.loc[ok, "period"]]
    r = np.corrcoef(within(u.loc[ok, "engagement_z"], g), within(lat[ok], g))[0, 1]
    rho = DEFAULT_RHO[outcome]
    n = int(ok.sum())
    sd = (1 - rho**2) / np.sqrt(n)  # sampling SD of r (rows of one unit are correlated: 4 SD covers it)
    assert abs(r - rho) < 4 * sd, (outcome, r, rho, n)
    # the truth table reports the same realised value
    rep = big.truth.realised.set_index("outcome").loc[outcome]
    np.testing.assert_allclose(rep["realised_latent"], r, atol=1e-12)


def test_observed_outcomes_carry_the_correlation_with_the_right_sign(big):
    """Observed values are the latent propensity through a noisy link: same sign, no larger."""
    u = big.truth.units
    data = big.outcomes.merge(u[["unit_id", "period", "company", "engagement_z"]], on=["unit_id", "period"])
    for outcome, rho in DEFAULT_RHO.items():
        v = outcome_values(data, STANDARD_OUTCOMES[outcome])
        ok = v.notna()
        g = [data.loc[ok, "company"], data.loc[ok, "period"]]
        r = np.corrcoef(within(data.loc[ok, "engagement_z"], g), within(v[ok], g))[0, 1]
        sd = 1 / np.sqrt(ok.sum())
        assert np.sign(r) == np.sign(rho) and abs(r) > 3 * sd, (outcome, r)
        assert abs(r) < abs(rho) + 4 * sd, (outcome, r, rho)
    # profitability is linear in its latent propensity: no attenuation at all
    v = data["profitability"]
    g = [data["company"], data["period"]]
    r = np.corrcoef(within(data["engagement_z"], g), within(v, g))[0, 1]
    assert abs(r - DEFAULT_RHO["profitability"]) < 4 * (1 - 0.1**2) / np.sqrt(len(v))


def test_company_correlations_vary_with_sd_rho():
    sim = es.simulate_study(n_companies=400, units_per_company=5, respondents_per_unit=5, periods=1, sd_rho=0.05, seed=3)
    rc = sim.truth.rho_company["turnover"]
    # 400 draws of N(-0.10, 0.05): mean within 4 SE, SD within the chi-square 99.99% band
    assert abs(rc.mean() - (-0.10)) < 4 * 0.05 / np.sqrt(400)
    lo, hi = np.sqrt(stats.chi2.ppf([0.00005, 0.99995], 399) / 399) * 0.05
    assert lo < rc.std(ddof=1) < hi
    # industry-specific outcomes only for their industry
    hc = sim.truth.rho_company["industry"] == "healthcare"
    assert sim.truth.rho_company.loc[hc, "patient_safety_incidents"].notna().all()
    assert sim.truth.rho_company.loc[~hc, "patient_safety_incidents"].isna().all()


def test_single_rho_is_signed_by_direction():
    sim = es.simulate_study(n_companies=2, units_per_company=5, rho=0.3, seed=1)
    assert sim.truth.rho["customer_loyalty"] == 0.3
    assert sim.truth.rho["turnover"] == -0.3
    sim = es.simulate_study(n_companies=2, units_per_company=5, rho={"turnover": -0.4}, seed=1)
    assert sim.truth.rho["turnover"] == -0.4 and sim.truth.rho["absenteeism"] == DEFAULT_RHO["absenteeism"]


def test_direction_engagement_predicts_later_outcomes_not_the_reverse(big):
    """Cross-lagged, within company: eng_1 -> y_2 given y_1 is positive; y_1 -> eng_2 given eng_1 is zero."""
    u = big.truth.units
    wide = u.pivot(index="unit_id", columns="period", values=["engagement_within", "latent_customer_loyalty"])
    comp = u.drop_duplicates("unit_id").set_index("unit_id").loc[wide.index, "company"]

    def ols_t(y, xs):
        cols = [within(pd.Series(x, index=wide.index), [comp]) for x in xs]
        X = np.column_stack(cols)
        yc = within(pd.Series(y, index=wide.index), [comp]).to_numpy()
        beta, *_ = np.linalg.lstsq(X, yc, rcond=None)
        resid = yc - X @ beta
        s2 = resid @ resid / (len(yc) - X.shape[1] - comp.nunique())
        se = np.sqrt(np.diag(s2 * np.linalg.inv(X.T @ X)))
        return beta / se

    e1, e2 = wide[("engagement_within", 1)], wide[("engagement_within", 2)]
    y1, y2 = wide[("latent_customer_loyalty", 1)], wide[("latent_customer_loyalty", 2)]
    t_forward = ols_t(y2, [e1, y1])[0]
    t_reverse = ols_t(e2, [y1, e1])[0]
    assert t_forward > 5, t_forward
    assert abs(t_reverse) < 4, t_reverse  # true coefficient is exactly zero


# ---------------------------------------------------------------------------- items
def _alpha(x: np.ndarray) -> float:
    k = x.shape[1]
    return k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))


def _expected_observed_alpha(thresholds: np.ndarray, r: float) -> float:
    """Alpha of items cut at ``thresholds`` from standard normals with correlation ``r``.

    X_i = 1 + sum_a 1[x_i > t_ia], so Cov(X_i, X_j) = sum_a sum_b [P(x_i > t_ia, x_j > t_jb)
    - P(x_i > t_ia) P(x_j > t_jb)], with the joint upper-orthant probability of a
    bivariate normal, Phi2(-t_ia, -t_jb; r).
    """
    k, m = thresholds.shape
    p = special.ndtr(-thresholds)  # P(x > t)
    var = np.array([sum(special.ndtr(-max(ta, tb)) - special.ndtr(-ta) * special.ndtr(-tb)
                        for ta in thresholds[i] for tb in thresholds[i]) for i in range(k)])
    pairs = [(i, j) for i in range(k) for j in range(k) if i != j]
    pts = np.array([(-thresholds[i, a], -thresholds[j, b]) for i, j in pairs for a in range(m) for b in range(m)])
    joint = stats.multivariate_normal(mean=[0, 0], cov=[[1, r], [r, 1]]).cdf(pts).reshape(len(pairs), m, m)
    cov = [(joint[n] - np.outer(p[i], p[j])).sum() for n, (i, j) in enumerate(pairs)]
    total = var.sum() + sum(cov)
    return k / (k - 1) * (1 - var.sum() / total)


def test_alpha_matches_item_loading(items_sim):
    lam, k = 0.75, 12
    latent = k * lam**2 / (k * lam**2 + 1 - lam**2)  # 0.9391 (Lord & Novick 1968, parallel items)
    np.testing.assert_allclose(items_sim.truth.latent_alpha, latent, rtol=1e-12)
    x = items_sim.survey[ITEMS].to_numpy(dtype=float)
    obs = _alpha(x)
    # 1-5 categories attenuate inter-item correlations, so alpha on the 1-5 scale is lower than on
    # the latent scale; its exact expectation follows from the thresholds and latent r = lam^2.
    expected = _expected_observed_alpha(items_sim.truth.thresholds.to_numpy(), lam**2)
    assert expected < latent
    # SE of alpha ~ sqrt(2k/(k-1)) (1-alpha)/sqrt(N) ~ 0.0006 for N ~ 30,000 (x2 for clustering): 0.004 is > 3 SE
    assert abs(obs - expected) < 0.004, (obs, expected)
    assert latent - 0.05 < obs < latent


def _icc1(score: np.ndarray, group: np.ndarray) -> float:
    """ICC(1) = (MSB - MSW) / (MSB + (n0 - 1) MSW), n0 for unequal groups (Bliese 2000)."""
    df = pd.DataFrame({"y": score, "g": group})
    agg = df.groupby("g")["y"].agg(["mean", "count"])
    grand = score.mean()
    N, J = len(score), len(agg)
    ssb = (agg["count"] * (agg["mean"] - grand) ** 2).sum()
    ssw = ((df["y"] - df.groupby("g")["y"].transform("mean")) ** 2).sum()
    msb, msw = ssb / (J - 1), ssw / (N - J)
    n0 = (N - (agg["count"] ** 2).sum() / N) / (J - 1)
    return (msb - msw) / (msb + (n0 - 1) * msw)


def _expected_observed_icc(thresholds: np.ndarray, lam: float, s: float, alpha_cov_total: float) -> float:
    """Between-unit share of the 1-5 mean score: Var_z(E[score | z]) / Var(score), z ~ N(0, 1)."""
    z, w = np.polynomial.hermite_e.hermegauss(80)
    w = w / w.sum()
    # E[item j | z] = 1 + sum_a P(x_j > t_ja | z), x_j | z ~ N(lam*sqrt(s)*z, 1 - lam^2*s)
    mean_score = 1 + special.ndtr(
        (lam * np.sqrt(s) * z[:, None, None] - thresholds[None]) / np.sqrt(1 - lam**2 * s)
    ).sum(axis=2).mean(axis=1)
    between = (w * (mean_score - (w * mean_score).sum()) ** 2).sum()
    return between / alpha_cov_total


def test_icc1_matches_request(items_sim):
    sv = items_sim.survey
    score = sv[ITEMS].to_numpy(dtype=float).mean(axis=1)
    group = (sv["unit_id"].astype(str) + "/" + sv["period"].astype(str)).to_numpy()
    icc = _icc1(score, group)
    # latent scale: ICC(1) of the latent mean score is icc1 = 0.15 by construction; the 1-5 cut
    # adds within-person error, so the observed ICC(1) is a little lower. Exact expectation:
    lam = 0.75
    s = 0.15 / (12 * lam**2 / (12 * lam**2 + 1 - lam**2))
    expected = _expected_observed_icc(items_sim.truth.thresholds.to_numpy(), lam, s, score.var())
    # SE of ICC(1) with J ~ 3,000 groups of ~14: ~0.004 (Donner 1986; measured SD over 12 seeds: 0.0038,
    # mean difference -0.0014); 0.015 is ~4 SE
    assert abs(icc - expected) < 0.015, (icc, expected)
    assert 0.12 < icc < 0.15 + 0.01
    np.testing.assert_allclose(items_sim.truth.unit_share, s, rtol=1e-12)


def test_item_distribution_is_negatively_skewed_with_blanks():
    sim = es.simulate_study(n_companies=20, seed=5)
    x = sim.survey[ITEMS]
    assert all(str(x[c].dtype) == "Int8" for c in ITEMS)
    vals = x.stack().dropna().astype(int)
    assert set(vals.unique()) <= {1, 2, 3, 4, 5}
    top_box = (vals == 5).mean()
    assert 0.25 < top_box < 0.45  # about a third in the top box
    assert stats.skew(vals.to_numpy()) < -0.5
    # blanks at missing_rate=0.015: binomial SD over ~N*12 cells is tiny; 4 SD
    n = x.size
    assert abs(x.isna().to_numpy().mean() - 0.015) < 4 * np.sqrt(0.015 * 0.985 / n)


# ---------------------------------------------------------------------------- structure
def test_structure_and_confidentiality():
    sim = es.simulate_study(n_companies=30, units_per_company=(20, 80), seed=11)
    sv, oc, tu = sim.survey, sim.outcomes, sim.truth.units
    assert list(sv.columns[:6]) == ["respondent_id", "unit_id", "company", "period", "industry", "region"]
    assert sv["respondent_id"].is_unique
    assert not oc.duplicated(["unit_id", "period"]).any()
    assert sorted(oc["period"].unique()) == [1, 2]
    # every standard outcome and its exposure column, named as in STANDARD_OUTCOMES
    for name, spec in STANDARD_OUTCOMES.items():
        assert name in oc.columns
        if spec.exposure:
            assert spec.exposure in oc.columns
    # respondents per unit match the survey; a few % under 5 (confidentiality is exercised)
    n = sv.groupby(["unit_id", "period"]).size().rename("n").reset_index()
    m = tu.merge(n, on=["unit_id", "period"], how="left").fillna({"n": 0})
    assert (m["n"] == m["n_respondents"]).all()
    small = (m["n_respondents"] < 5).mean()
    assert 0.01 < small < 0.06
    sizes = tu.groupby("company")["unit_id"].nunique()
    assert sizes.min() >= 20 and sizes.max() <= 80 and sizes.nunique() > 5
    # valid values
    assert (oc["turnover"] <= oc["headcount"]).all() and (oc["headcount"] >= tu["n_respondents"]).all()
    for c in ["absenteeism", "turnover", "safety_incidents", "scheduled_days", "hours_worked"]:
        assert (oc[c] >= 0).all()
    assert oc["customer_loyalty"].between(0, 100).all()
    assert abs(stats.skew(oc["profitability"])) < 0.5  # margins roughly normal
    ind = oc.merge(tu[["unit_id", "period", "industry"]], on=["unit_id", "period"])["industry"]
    for col, only in [("patient_safety_incidents", "healthcare"), ("quality_defects", "manufacturing"),
                      ("shrinkage", "retail"), ("sales", "retail")]:
        assert oc[col].notna().eq(ind == only).all(), col


def test_frames_pass_io_validation():
    sim = es.simulate_study(n_companies=4, units_per_company=10, seed=2)
    es.read_survey(sim.survey)
    es.read_outcomes(sim.outcomes)


def test_same_seed_same_data_different_seed_different_data():
    a = es.simulate_study(n_companies=5, units_per_company=10, seed=42)
    b = es.simulate_study(n_companies=5, units_per_company=10, seed=42)
    c = es.simulate_study(n_companies=5, units_per_company=10, seed=43)
    pd.testing.assert_frame_equal(a.survey, b.survey)
    pd.testing.assert_frame_equal(a.outcomes, b.outcomes)
    pd.testing.assert_frame_equal(a.truth.units, b.truth.units)
    assert not a.outcomes["absenteeism"].equals(c.outcomes["absenteeism"])
    assert len(a.survey) != len(c.survey) or not a.survey["Q01"].equals(c.survey["Q01"])


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(n_companies=0),
        dict(n_companies=2.5),
        dict(units_per_company=(5, 2)),
        dict(units_per_company="many"),
        dict(respondents_per_unit=(0, 3)),
        dict(periods=0),
        dict(rho={"happiness": 0.2}),
        dict(rho=0.95),
        dict(rho={"turnover": "high"}),
        dict(sd_rho=-0.1),
        dict(item_loading=1.0),
        dict(icc1=0.99),
        dict(seed=-1),
        dict(seed=1.5),
        dict(lagged_effect=1.5),
        dict(stability=1.0),
        dict(missing_rate=0.9),
        dict(industries="mining"),
        dict(rho=0.85, lagged_effect=1.0),
    ],
)
def test_bad_parameters_raise_parameter_error(kwargs):
    with pytest.raises(ParameterError, match="parameter of simulate_study"):
        es.simulate_study(**kwargs)


def test_industries_restriction_and_repr():
    sim = es.simulate_study(n_companies=3, units_per_company=5, industries="healthcare", seed=0)
    assert set(sim.survey["industry"]) == {"healthcare"}
    assert "3 companies" in repr(sim)


@pytest.mark.slow
def test_gallup_scale_is_fast():
    """2.7 million respondents, ~112,000 units, 276 companies in well under a minute."""
    import time

    t = time.perf_counter()
    sim = es.simulate_study(n_companies=276, units_per_company=(50, 764), respondents_per_unit=(5, 43), periods=1,
                            seed=1)
    assert time.perf_counter() - t < 60
    assert 2_000_000 < len(sim.survey) < 3_500_000
