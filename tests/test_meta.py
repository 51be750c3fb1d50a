"""Tests for empathystats.meta: every asserted number has its source beside it.

Sources
-------
* R 4.2.2 + metafor 3.8.1: ``tests/results/meta_metafor.R``, output pasted in
  ``tests/results/meta_metafor.txt`` (data: ``tests/data/mcdaniel1994.csv`` =
  ``metafor::dat.mcdaniel1994``). Values quoted below are copied from that file.
* Viechtbauer (2005), J. Educ. Behav. Stat. 30, pp. 271-272, as asserted in metafor's own
  tests (tests/testthat/test_analysis_example_viechtbauer2005.r).
* Schmidt & Hunter (2015), Methods of Meta-Analysis, 3rd ed.: the bare-bones worked example
  (12 studies of N = 68, mean r .28) and closed-form correction formulas.
* Simulations with a true rho / SD_rho that the test sets.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from scipy import stats

import empathystats as es
from empathystats.meta import attenuate_rho, correct_r

DATA = pd.read_csv(__file__.rsplit("/", 1)[0] + "/data/mcdaniel1994.csv")

# Viechtbauer (2005) example data (metafor tests, see module docstring)
EX1 = pd.DataFrame(
    {
        "yi": [-0.581, 0.530, 0.771, 1.031, 0.553, 0.295, 0.078, 0.573, -0.176, -0.232],
        "vi": [0.023, 0.052, 0.060, 0.115, 0.095, 0.203, 0.200, 0.211, 0.051, 0.040],
    }
)
EX2 = pd.DataFrame(
    {
        "yi": [0.100, -0.162, -0.090, -0.049, -0.046, -0.010, -0.431, -0.261, 0.134, 0.019, 0.175, 0.056,
               0.045, 0.103, 0.121, -0.482, 0.290, 0.342],
        "vi": [0.016, 0.015, 0.050, 0.050, 0.032, 0.052, 0.036, 0.024, 0.034, 0.033, 0.031, 0.034, 0.039,
               0.167, 0.134, 0.096, 0.016, 0.035],
    }
)


# ---------------------------------------------------------------------------
# Hunter-Schmidt bare-bones
# ---------------------------------------------------------------------------
def test_schmidt_hunter_bare_bones_worked_example():
    # Schmidt & Hunter (2015) bare-bones example: 12 studies of N = 68, mean r = .28, observed variance
    # .017033, sampling-error variance .012677, residual variance .004357, 74.4% from sampling error.
    # The 12 published r values were not available; we build 12 studies of N = 68 with exactly that mean
    # and observed variance (six at .28 + s, six at .28 - s, s = sqrt(.017033)), which makes every
    # bare-bones quantity checkable against the published figures.
    s = np.sqrt(0.017033)
    r = np.r_[np.full(6, 0.28 + s), np.full(6, 0.28 - s)]
    t = es.hunter_schmidt(r=r, n=np.full(12, 68)).table.iloc[0]
    assert t["k"] == 12 and t["n_total"] == 816
    assert_allclose(t["mean_r"], 0.28, atol=1e-12)
    assert_allclose(t["var_r"], 0.017033, atol=1e-9)
    assert_allclose(t["var_e"], 0.012677, atol=5e-7)  # (1 - .28^2)^2 / 67 = .0126768
    assert_allclose(t["var_res"], 0.004357, atol=1.5e-6)  # book rounds .017033 - .012677
    assert_allclose(t["pct_var_artifacts"], 74.4, atol=0.05)
    assert_allclose(t["sd_res"], np.sqrt(0.004357), atol=2e-4)
    assert t["correction"] == "bare-bones" and t["rho"] == t["mean_r"]


def test_bare_bones_mcdaniel_against_r():
    # meta_metafor.txt section 2:
    # HS bare-bones (metafor rma(weights=ni, method="HS")): mean_r=0.200486056093
    # closed form: mean_r=0.200486056093 var_r=0.023915573447 var_e=0.005876104565 var_res=0.018039468882
    t = es.hunter_schmidt(DATA, r="ri", n="ni").table.iloc[0]
    assert_allclose(t["mean_r"], 0.200486056093, rtol=1e-10)
    assert_allclose(t["var_r"], 0.023915573447, rtol=1e-10)
    assert_allclose(t["var_e"], 0.005876104565, rtol=1e-10)
    assert_allclose(t["var_res"], 0.018039468882, rtol=1e-10)
    # SE of the mean = sqrt(var_r / k) (Schmidt & Hunter 2015), normal CI
    se = np.sqrt(0.023915573447 / 160)
    assert_allclose([t["r_ci_low"], t["r_ci_high"]], [0.200486056093 - 1.959963985 * se,
                                                      0.200486056093 + 1.959963985 * se], rtol=1e-8)
    # 80% credibility interval and 90% credibility value from the residual SD
    sd = np.sqrt(0.018039468882)
    assert_allclose(t["cr_low"], 0.200486056093 - 1.281551566 * sd, rtol=1e-8)
    assert_allclose(t["cv90"], t["cr_low"], rtol=1e-12)  # at cr_level=0.80 they coincide for a positive rho


def test_sampling_error_per_study_closed_form():
    r, n = DATA["ri"].to_numpy(), DATA["ni"].to_numpy()
    rbar = 0.200486056093  # R, above
    expected = np.sum(n * (1 - rbar**2) ** 2 / (n - 1)) / n.sum()
    t = es.hunter_schmidt(r=r, n=n, sampling_error="study").table.iloc[0]
    assert_allclose(t["var_e"], expected, rtol=1e-9)


# ---------------------------------------------------------------------------
# corrections: closed forms
# ---------------------------------------------------------------------------
@pytest.mark.filterwarnings("ignore::empathystats.errors.EmpathyStatsWarning")  # 4 studies' corrected r > 1
def test_constant_reliabilities_divide_mean_and_sd():
    # With the same rxx and ryy in every study, A = sqrt(rxx ryy) is constant, so rho = mean r / A and
    # SD_rho = SD_res / A (Schmidt & Hunter 2015, ch. 3), for both individual and artifact-distribution methods.
    r, n = DATA["ri"].to_numpy(), DATA["ni"].to_numpy()
    a = np.sqrt(0.8 * 0.6)
    for correction in ("individual", "artifact_distribution"):
        t = es.hunter_schmidt(r=r, n=n, rxx=0.8, ryy=0.6, correction=correction).table.iloc[0]
        assert_allclose(t["rho"], 0.200486056093 / a, rtol=1e-9)
        assert_allclose(t["sd_rho"], np.sqrt(0.018039468882) / a, rtol=1e-7)
        assert_allclose(t["se"], np.sqrt(0.023915573447 / 160) / a, rtol=1e-7)


def test_artifact_distribution_multiplicative_closed_form():
    # Reliabilities vary: independent distributions of a_x = sqrt(rxx) and a_y = sqrt(ryy).
    # rho = mean r / (E a_x E a_y); artifact variance = rho^2 Var(a_x a_y) = rho^2 (E a_x^2 E a_y^2 - (E a_x E a_y)^2);
    # var_rho = (var_r - var_e - artifact variance) / (E a_x E a_y)^2. Schmidt & Hunter's multiplicative
    # method drops the product of squared CVs, a difference below 1e-5 here.
    rng = np.random.default_rng(20261123)
    k = 160
    rxx = rng.uniform(0.6, 0.95, k)
    ryy = rng.uniform(0.5, 0.9, k)
    r, n = DATA["ri"].to_numpy(), DATA["ni"].to_numpy()
    res = es.hunter_schmidt(r=r, n=n, rxx=rxx, ryy=ryy, correction="artifact_distribution")
    t = res.table.iloc[0]
    ax, ay = np.sqrt(rxx), np.sqrt(ryy)
    big_a = ax.mean() * ay.mean()
    rho = 0.200486056093 / big_a
    var_art = rho**2 * (np.mean(ax**2) * np.mean(ay**2) - big_a**2)
    assert_allclose(t["rho"], rho, rtol=1e-9)
    assert_allclose(t["var_art"], var_art, rtol=1e-6)
    assert_allclose(t["var_rho"], (0.018039468882 - var_art) / big_a**2, rtol=1e-6)
    cv2 = ax.var() / ax.mean() ** 2 + ay.var() / ay.mean() ** 2  # Schmidt & Hunter's V
    assert abs(t["var_rho"] - (0.018039468882 - rho**2 * big_a**2 * cv2) / big_a**2) < 1e-5


def test_missing_artifacts_imputed_and_counted():
    r, n = DATA["ri"].to_numpy()[:20], DATA["ni"].to_numpy()[:20]
    ryy = np.full(20, 0.7)
    ryy[:3] = np.nan
    res = es.hunter_schmidt(r=r, n=n, ryy=ryy)
    assert any("3 of 20 studies did not report ryy" in line for line in res.notes)
    full = es.hunter_schmidt(r=r, n=n, ryy=0.7).table.iloc[0]
    assert_allclose(res.table["rho"].iloc[0], full["rho"], rtol=1e-12)  # imputed with the mean, 0.7
    assert "3 of 20" in str(res)


def test_case_ii_textbook_value():
    # Thorndike Case II: R = U r / sqrt(1 + (U^2 - 1) r^2), U = 1/u. r = .25, u = .5 (U = 2):
    # R = .5 / sqrt(1 + 3 * .0625) = .5 / sqrt(1.1875) = 0.458831...
    assert_allclose(correct_r(0.25, ux=0.5, range_restriction="direct"), 0.5 / np.sqrt(1.1875), rtol=1e-12)
    # Indirect with rxx_i = 1 reduces to Case II on u_T = u_X (Hunter, Schmidt & Le 2006, eq. for u_T)
    assert_allclose(correct_r(0.25, ux=0.5, range_restriction="indirect"), 0.5 / np.sqrt(1.1875), rtol=1e-12)
    # Hunter, Schmidt & Le (2006): rxxa = 1 - ux^2 (1 - rxxi); u_T = sqrt((ux^2 - (1 - rxxa)) / rxxa).
    rxxi, ux = 0.8, 0.6
    rxxa = 1 - ux**2 * (1 - rxxi)
    ut = np.sqrt((ux**2 - (1 - rxxa)) / rxxa)
    r1 = 0.3 / np.sqrt(rxxi * 0.7)
    expected = (r1 / ut) / np.sqrt(1 + (1 / ut**2 - 1) * r1**2)
    assert_allclose(correct_r(0.3, rxx=rxxi, ryy=0.7, ux=ux, range_restriction="indirect"), expected, rtol=1e-12)


@pytest.mark.parametrize("rr", [None, "direct", "indirect"])
def test_attenuate_inverts_correct(rr):
    rho = np.linspace(-0.8, 0.8, 9)
    r = attenuate_rho(rho, 0.75, 0.6, 0.7, rr)
    assert_allclose(correct_r(r, 0.75, 0.6, 0.7, rr), rho, atol=1e-12)


def _bivariate_population(rng, n, rho):
    t = rng.standard_normal(n)
    p = rho * t + np.sqrt(1 - rho**2) * rng.standard_normal(n)
    return t, p


def test_direct_range_restriction_recovers_population_correlation():
    # Simulation with a set truth: select the top 30% on X itself (direct restriction; X measured without
    # error so its restricted reliability is 1), measurement error in Y (reliability .7 in the population).
    # Correcting the restricted r for ryy (restricted group) and then Case II with ux gives rho = .5.
    rng = np.random.default_rng(7)
    n = 400_000
    x, p = _bivariate_population(rng, n, 0.5)
    y = p + rng.standard_normal(n) * np.sqrt(1 / 0.7 - 1)
    keep = x > np.quantile(x, 0.7)
    r = np.corrcoef(x[keep], y[keep])[0, 1]
    ux = x[keep].std() / x.std()
    ryyi = np.var(p[keep]) / np.var(y[keep])
    assert abs(correct_r(r, 1.0, ryyi, ux, "direct") - 0.5) < 0.01
    assert r < 0.3  # restriction and unreliability attenuate a lot


def test_indirect_range_restriction_recovers_population_correlation():
    # Hunter, Schmidt & Le (2006) model: selection on S, which affects X and Y only through the true
    # score T. The IRR correction of the restricted r recovers rho_TP = .5 (Le & Schmidt 2006 simulate the same).
    rng = np.random.default_rng(11)
    n = 400_000
    t, p = _bivariate_population(rng, n, 0.5)
    s = 0.7 * t + np.sqrt(1 - 0.49) * rng.standard_normal(n)
    x = t + rng.standard_normal(n) * np.sqrt(1 / 0.85 - 1)
    y = p + rng.standard_normal(n) * np.sqrt(1 / 0.7 - 1)
    keep = s > np.quantile(s, 0.6)
    r = np.corrcoef(x[keep], y[keep])[0, 1]
    ux = x[keep].std() / x.std()
    rxxi = np.var(t[keep]) / np.var(x[keep])
    ryyi = np.var(p[keep]) / np.var(y[keep])
    assert abs(correct_r(r, rxxi, ryyi, ux, "indirect") - 0.5) < 0.01
    # the direct (Case II) correction applied to indirect restriction undercorrects (HSL 2006's point)
    assert correct_r(r, rxxi, ryyi, ux, "direct") < 0.5 - 0.02


def test_corrected_r_above_one_warns_with_study_names():
    df = pd.DataFrame({"company": ["A", "B", "C"], "r": [0.2, 0.75, 0.3], "n": [50, 60, 70]})
    with pytest.warns(es.EmpathyStatsWarning, match="studies B"):
        es.hunter_schmidt(df, rxx=0.6, ryy=0.7, label="company")


# ---------------------------------------------------------------------------
# simulation: known rho and SD_rho
# ---------------------------------------------------------------------------
def _simulate_rs(rng, k, rho_bar, sd_rho, rxx, ryy, n):
    """Observed correlations: rho_i ~ N(rho_bar, sd_rho), attenuated by sqrt(rxx ryy), n_i bivariate normal draws."""
    rho_i = np.clip(rng.normal(rho_bar, sd_rho, k), -0.95, 0.95)
    c = rho_i * np.sqrt(rxx * ryy)
    g = np.repeat(np.arange(k), n)
    x = rng.standard_normal(g.size)
    y = c[g] * x + np.sqrt(1 - c[g] ** 2) * rng.standard_normal(g.size)
    cnt = np.bincount(g)
    mx, my = np.bincount(g, x) / cnt, np.bincount(g, y) / cnt
    xc, yc = x - mx[g], y - my[g]
    return np.bincount(g, xc * yc) / np.sqrt(np.bincount(g, xc**2) * np.bincount(g, yc**2))


def _one_simulated_meta(seed, correction="individual"):
    rng = np.random.default_rng(seed)
    k = 80
    n = rng.integers(60, 400, k)
    rxx = rng.uniform(0.65, 0.9, k)
    ryy = rng.uniform(0.6, 0.9, k)
    r = _simulate_rs(rng, k, 0.30, 0.10, rxx, ryy, n)
    return es.hunter_schmidt(r=r, n=n, rxx=rxx, ryy=ryy, correction=correction).table.iloc[0]


@pytest.mark.parametrize("correction", ["individual", "artifact_distribution"])
def test_simulated_study_recovers_rho(correction):
    t = _one_simulated_meta(2026, correction)
    assert abs(t["rho"] - 0.30) < 2.5 * t["se"]
    assert 0.05 < t["sd_rho"] < 0.15
    assert t["mean_r"] < t["rho"]  # attenuated


@pytest.mark.slow
def test_simulated_bias_over_many_seeds():
    rho = np.array([_one_simulated_meta(s)[["rho", "sd_rho", "se"]].to_numpy(dtype=float) for s in range(200)])
    bias_rho = rho[:, 0].mean() - 0.30
    assert abs(bias_rho) < 0.1 * rho[:, 2].mean()  # bias small relative to the SE
    assert abs(rho[:, 1].mean() - 0.10) < 0.015
    # CI coverage of the mean rho near nominal (SE = sqrt(var/k) is known to be approximate)
    cover = np.mean(np.abs(rho[:, 0] - 0.30) < 1.959964 * rho[:, 2])
    assert 0.88 < cover <= 1.0


# ---------------------------------------------------------------------------
# random effects vs metafor and Viechtbauer (2005)
# ---------------------------------------------------------------------------
# meta_metafor.txt, section 1 (defaults) and section 6 (tight convergence):
MCDANIEL = {
    "DL": dict(est=0.236783587831, se=0.016430942048, tau2=0.026757774358, i2=79.866591260663,
               pi_r=(-0.085229541867, 0.507238062725), ci_r=(0.201772443217, 0.262682583678)),
    "HS": dict(est=0.236450195460, se=0.016148437374, tau2=0.025429338618, i2=79.035317638059,
               pi_r=(-0.077539512900, 0.500966667147), ci_r=(0.201983771286, 0.261856511245)),
    "REML": dict(est=0.237393455728, se=0.016957285045, tau2=0.029310456126, i2=81.291999336588),
    "PM": dict(est=0.238512121198, se=0.017956586949, tau2=0.034432030098, i2=83.618871362261),
    "ML": dict(est=0.237323941434, se=0.016896652468, tau2=0.029011271904, i2=81.135464853702),
}


@pytest.mark.parametrize("method", list(MCDANIEL))
def test_random_effects_mcdaniel_matches_metafor(method):
    ref = MCDANIEL[method]
    t = es.random_effects(DATA, r="ri", n="ni", method=method).table.iloc[0]
    assert_allclose(t["estimate_z"], ref["est"], rtol=1e-8)
    assert_allclose(t["se_z"], ref["se"], rtol=1e-8)
    assert_allclose(t["tau2"], ref["tau2"], rtol=1e-7)
    assert_allclose(t["i2"], ref["i2"], rtol=1e-7)
    assert_allclose(t["q"], 789.732141529246, rtol=1e-10)  # QE, identical for every method
    assert t["q_df"] == 159 and t["k"] == 160
    assert_allclose(t["estimate"], np.tanh(ref["est"]), rtol=1e-8)
    if "pi_r" in ref:
        assert_allclose([t["pi_low"], t["pi_high"]], ref["pi_r"], rtol=1e-8)
        assert_allclose([t["ci_low"], t["ci_high"]], ref["ci_r"], rtol=1e-8)


def test_random_effects_agrees_with_metafor_default_tolerance():
    # metafor defaults (section 1): REML tau2=0.029310535487, PM tau2=0.034451140583; their stopping rules
    # (threshold 1e-5, uniroot tol eps^0.25) bound the agreement to ~1e-3 relative.
    for method, tau2 in (("REML", 0.029310535487), ("PM", 0.034451140583)):
        t = es.random_effects(DATA, r="ri", n="ni", method=method).table.iloc[0]
        assert_allclose(t["tau2"], tau2, rtol=1e-3)


# Viechtbauer (2005) pp. 271-272 (rounded, as in metafor's test): tau2 and I2 for HS, DL, ML, REML, EB(=PM)
V2005 = {
    "HS": ((0.228, 77.23), (0.010, 22.93)),
    "DL": ((0.277, 80.44), (0.013, 27.53)),
    "ML": ((0.197, 74.51), (0.013, 28.45)),
    "REML": ((0.223, 76.84), (0.016, 32.02)),
    "PM": ((0.192, 74.05), (0.010, 23.72)),
}


@pytest.mark.parametrize("method", list(V2005))
def test_viechtbauer_2005_published_tau2(method):
    for ex, (tau2, i2) in zip((EX1, EX2), V2005[method], strict=True):
        t = es.random_effects(ex, yi="yi", vi="vi", method=method).table.iloc[0]
        assert round(t["tau2"], 3) == tau2
        assert round(t["i2"], 2) == i2


def test_viechtbauer_example1_tight_values():
    # meta_metafor.txt section 6: ex1 REML tau2=0.223224590442 est=0.243757802012 se=0.177381440129
    t = es.random_effects(EX1, yi="yi", vi="vi", method="REML").table.iloc[0]
    assert_allclose([t["tau2"], t["estimate"], t["se"]], [0.223224590442, 0.243757802012, 0.177381440129], rtol=1e-8)


def test_dl_and_pm_agree_with_statsmodels():
    from statsmodels.stats.meta_analysis import combine_effects

    y = np.arctanh(DATA["ri"].to_numpy())
    v = 1 / (DATA["ni"].to_numpy() - 3)
    for method, sm in (("DL", "dl"), ("PM", "pm")):
        ref = combine_effects(y, v, method_re=sm)
        t = es.random_effects(DATA, r="ri", n="ni", method=method).table.iloc[0]
        assert_allclose(t["tau2"], ref.tau2, rtol=1e-4)
        assert_allclose(t["estimate_z"], ref.mean_effect_re, rtol=1e-5)


# ---------------------------------------------------------------------------
# moderators vs metafor
# ---------------------------------------------------------------------------
def test_meta_regression_matches_metafor():
    # section 6: metareg REML tight: b0=0.269739530478 b1=-0.078619389241 se0=0.021104679184
    #            se1=0.040111407498 tau2=0.029818291472 QM=3.841700713483; section 4: QE=701.226953560474, k=145
    res = es.meta_regression(DATA, r="ri", n="ni", moderators="struct")
    assert list(res.table["term"]) == ["intercept", "struct[u]"]
    assert_allclose(res.table["estimate"], [0.269739530478, -0.078619389241], rtol=1e-7)
    assert_allclose(res.table["se"], [0.021104679184, 0.040111407498], rtol=1e-7)
    assert_allclose([res.stats["tau2"], res.stats["qm"]], [0.029818291472, 3.841700713483], rtol=1e-7)
    assert_allclose(res.stats["qe"], 701.226953560474, rtol=1e-10)
    assert res.stats["k"] == 145
    assert res.dropped["count"].sum() == 15  # struct missing
    # DL (section 4): b0=0.269557883265 b1=-0.078472335673 tau2=0.029258147276 QM=3.878629675089
    dl = es.meta_regression(DATA, r="ri", n="ni", moderators=["struct"], method="DL")
    assert_allclose(dl.table["estimate"], [0.269557883265, -0.078472335673], rtol=1e-9)
    assert_allclose([dl.stats["tau2"], dl.stats["qm"]], [0.029258147276, 3.878629675089], rtol=1e-9)


def test_meta_regression_three_levels_matches_metafor():
    # section 4: metareg type REML: k=157 b=0.247432545057,-0.122826609660,0.057321957426
    #   se=0.018732220834,0.058169481001,0.059793306647 tau2=0.028241940716 QM=5.845538658375 (default tolerance)
    res = es.meta_regression(DATA, r="ri", n="ni", moderators="type")
    assert_allclose(res.table["estimate"], [0.247432545057, -0.122826609660, 0.057321957426], rtol=1e-4)
    assert_allclose(res.table["se"], [0.018732220834, 0.058169481001, 0.059793306647], rtol=1e-4)
    assert_allclose(res.stats["qm"], 5.845538658375, rtol=1e-4)
    assert res.stats["qm_df"] == 2 and res.stats["k"] == 157


def test_subgroups_match_metafor():
    # section 6: subgroups tight: est_s=0.272425255809 est_u=0.188436990635 Q_between=6.374611126575
    res = es.subgroup_analysis(DATA, r="ri", n="ni", by="struct")
    assert_allclose(res.table["estimate_z"], [0.272425255809, 0.188436990635], rtol=1e-7)
    assert_allclose(res.stats["q_between"], 6.374611126575, rtol=1e-6)
    assert_allclose(res.stats["q_between_p_value"], 0.0115764405879, rtol=1e-5)
    assert list(res.table["k"]) == [106, 39]


# ---------------------------------------------------------------------------
# meta_analysis on a Study
# ---------------------------------------------------------------------------
def _respondents(seed=5, companies=8, units=30):
    """Respondent-level data with a known unit effect and a unit outcome linked to true unit engagement."""
    rng = np.random.default_rng(seed)
    rows = []
    comp = np.repeat(np.arange(companies), units)
    unit_true = rng.normal(3.8, 0.3, comp.size)
    n_resp = rng.integers(5, 25, comp.size)
    g = np.repeat(np.arange(comp.size), n_resp)
    score = unit_true[g] + rng.normal(0, 0.7, g.size)
    rows = pd.DataFrame({"unit": g, "score": score})
    turnover = 0.25 - 0.08 * (unit_true - 3.8) + rng.normal(0, 0.03, comp.size)
    productivity = 100 + 10 * (unit_true - 3.8) + rng.normal(0, 5, comp.size)
    return rows, comp, turnover, productivity


def _study(seed=5, companies=8, units=30):
    resp, comp, turnover, productivity = _respondents(seed, companies, units)
    agg = resp.groupby("unit")["score"].agg(["mean", "std", "size"])
    units_df = pd.DataFrame(
        {
            "unit_id": [f"u{i}" for i in agg.index],
            "company": [f"C{c}" for c in comp],
            "period": 2025,
            "engagement": agg["mean"].to_numpy(),
            "engagement_sd": agg["std"].to_numpy(),
            "n_respondents": agg["size"].to_numpy(),
            "industry": np.where(comp % 2 == 0, "retail", "health"),
        }
    )
    outcomes = pd.DataFrame({"unit_id": units_df["unit_id"], "period": 2025, "turnover": turnover,
                             "productivity": productivity})
    return es.Study(units_df, outcomes, specs={"turnover": {"exposure": None}}), resp, comp


def test_meta_analysis_per_company_r_and_icc2():
    study, resp, comp = _study()
    res = es.meta_analysis(study, outcome="turnover")
    st = res.studies.set_index("company")
    d = study.data
    for c, part in d.groupby("company"):  # independent per-company check with numpy
        assert_allclose(st.loc[c, "r"], np.corrcoef(part["engagement"], part["turnover"])[0, 1], rtol=1e-10)
    # ICC(2) = 1 - 1/F from a one-way ANOVA of respondent scores by unit (Bliese 2000), via scipy on raw data
    unit_company = comp[resp["unit"].to_numpy()]
    for ci in range(3):
        part = resp.loc[unit_company == ci]
        f = stats.f_oneway(*[g.to_numpy() for _, g in part.groupby("unit")["score"]]).statistic
        assert_allclose(st.loc[f"C{ci}", "rxx"], 1 - 1 / f, rtol=1e-9)
    t = res.table.iloc[0]
    assert t["outcome"] == "turnover" and t["better"] == "lower"
    assert t["n_companies"] == 8 and t["n_units"] == 240
    assert t["mean_r"] < 0  # raw sign: engaged units have lower turnover
    assert t["rho"] < t["mean_r"]  # corrected for engagement unreliability
    # negative rho: the 90% credibility value lies on the zero side, rho + z_.90 SD_rho
    assert_allclose(t["cv90"], t["rho"] + 1.2815515655446004 * t["sd_rho"], rtol=1e-12)
    assert "lower is better" in str(res)


def test_meta_analysis_drops_small_companies_and_counts_them():
    study, _, _ = _study(companies=4, units=12)
    with pytest.raises(es.DataError, match="needs 2 or more"):
        es.meta_analysis(study, outcome="productivity", min_units=13)
    data = study.data.copy()
    small = data["company"] == "C0"
    data = data.loc[~small | (data.groupby("company").cumcount() < 5)]
    res = es.meta_analysis(es.Study(data), outcome="productivity", min_units=10, rxx=None)
    assert res.table["n_companies"].iloc[0] == 3
    row = res.dropped.loc[res.dropped["reason"].str.contains("fewer than 10 units")]
    assert int(row["count"].iloc[0]) == 1


def test_meta_analysis_random_effects_and_moderators():
    study, _, _ = _study()
    res = es.meta_analysis(study, outcome="productivity", method="random-effects", moderators="industry")
    assert res.table["estimate"].iloc[0] > 0
    assert res.subgroups is not None and sorted(res.subgroups.table["group"]) == ["health", "retail"]
    assert list(res.meta_regression.table["term"]) == ["intercept", "industry[retail]"]


def test_meta_analysis_all_one_row_per_outcome():
    study, _, _ = _study()
    tab = es.meta_analysis_all(study)
    assert list(tab.table["outcome"]) == ["turnover", "productivity"]
    assert {"rho", "cv90", "outcome_mean", "outcome_sd", "better"} <= set(tab.table.columns)
    assert (tab.table["estimate"] == tab.table["rho"]).all()


def test_meta_analysis_latest_period_and_no_mutation():
    study, _, _ = _study()
    units = study.data.copy()
    old = units.assign(period=2024, turnover=units["turnover"].sample(frac=1, random_state=1).to_numpy())
    both = pd.concat([old, units], ignore_index=True)
    before = both.copy()
    res = es.meta_analysis(both, outcome="productivity", rxx=None)
    latest = es.meta_analysis(units, outcome="productivity", rxx=None)
    assert_allclose(res.table["mean_r"], latest.table["mean_r"], rtol=1e-12)
    assert any("earlier unit-periods" in n for n in res.notes)
    pd.testing.assert_frame_equal(both, before)


# ---------------------------------------------------------------------------
# errors, display, plots
# ---------------------------------------------------------------------------
def test_bad_input_errors_teach():
    df = pd.DataFrame({"r": [0.2, 1.3, 0.1], "n": [50, 60, 70]})
    with pytest.raises(es.DataError, match=r"column 'r'.*row 3: 1.3"):
        es.hunter_schmidt(df)
    with pytest.raises(es.DataError, match="missing|no column"):
        es.hunter_schmidt(df.rename(columns={"r": "corr"}))
    with pytest.raises(es.ParameterError, match="'method' parameter of random_effects"):
        es.random_effects(df.assign(r=0.2), method="XYZ")
    with pytest.raises(es.ParameterError, match="needs 'ux'"):
        es.hunter_schmidt(df.assign(r=0.2), range_restriction="direct")
    with pytest.raises(es.DataError, match="reliabilities"):
        es.hunter_schmidt(df.assign(r=0.2), rxx=1.5)
    with pytest.raises(es.DataError, match="whole number"):
        es.random_effects(pd.DataFrame({"r": [0.2, 0.3], "n": [3, 50]}))
    study, _, _ = _study(companies=2, units=12)
    with pytest.raises(es.ParameterError, match="outcome"):
        es.meta_analysis(study, outcome="absenteeism")


def test_missing_rows_are_counted():
    df = pd.DataFrame({"r": [0.2, np.nan, 0.1, 0.3], "n": [50, 60, 70, 80]})
    res = es.hunter_schmidt(df)
    assert res.table["k"].iloc[0] == 3
    assert int(res.dropped["count"].sum()) == 1 and "Dropped: 1 studies with a missing r or n" in str(res)


def test_display_text_and_plots():
    import matplotlib

    matplotlib.use("Agg")
    res = es.hunter_schmidt(DATA.loc[DATA["ri"].abs() < 0.5], r="ri", n="ni", ryy=0.8, label="study")
    assert "rho" in str(res) and "<div" in res._repr_html_()
    assert "0.20" in res.text() and "credibility" in res.text()
    ax = res.plot()
    assert ax.get_title(loc="left").startswith("Hunter-Schmidt")
    assert res.plot_funnel() is not None
    re = es.random_effects(DATA, r="ri", n="ni")
    assert re.plot(max_studies=10) is not None and "tau^2" in re.text()
    study, _, _ = _study()
    assert es.meta_analysis_all(study).plot() is not None
    one = es.meta_analysis(study, outcome="productivity")
    assert one.plot() is not None and one.plot_funnel() is not None
    assert list(one.studies.columns[:2]) == ["company", "study"]
    import matplotlib.pyplot as plt

    plt.close("all")


def test_same_input_same_numbers():
    a = es.random_effects(DATA, r="ri", n="ni").table
    b = es.random_effects(DATA.copy(), r="ri", n="ni").table
    pd.testing.assert_frame_equal(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        es.hunter_schmidt(DATA.loc[DATA["ri"].abs() < 0.5], r="ri", n="ni", rxx=0.8, ryy=0.8, ux=0.9)


@pytest.mark.parametrize("rr", [None, "direct", "indirect"])
def test_sampling_variance_slope_is_the_derivative_of_the_correction(rr):
    # Schmidt & Hunter (2015): var(rc) = var(r) (a/A)^2; here checked as (d rc / d r)^2 by central differences.
    from empathystats.meta import _correct_slope

    r = np.array([-0.4, -0.1, 0.05, 0.3, 0.6])
    h = 1e-6
    numeric = (correct_r(r + h, 0.8, 0.7, 0.65, rr) - correct_r(r - h, 0.8, 0.7, 0.65, rr)) / (2 * h)
    assert_allclose(_correct_slope(r, 0.8, 0.7, 0.65, rr), numeric, rtol=1e-6)


@pytest.mark.parametrize("rr", ["direct", "indirect"])
def test_artifact_distribution_with_one_artifact_value_equals_correcting_the_mean(rr):
    # With a single value of each artifact the distribution is a point: rho solves attenuate(rho) = mean r,
    # i.e. rho = correct_r(mean r), checked by simulation above.
    r, n = DATA["ri"].to_numpy(), DATA["ni"].to_numpy()
    t = es.hunter_schmidt(r=r, n=n, rxx=0.8, ryy=0.7, ux=0.7, range_restriction=rr,
                          correction="artifact_distribution").table.iloc[0]
    assert_allclose(t["rho"], correct_r(0.200486056093, 0.8, 0.7, 0.7, rr), rtol=1e-9)
    assert t["var_art"] < 1e-20


def test_meta_analysis_pooled_ux_is_sd_ratio():
    study, _, _ = _study()
    res = es.meta_analysis(study, outcome="productivity", ux="pooled")
    d = study.data
    sd_c = d.groupby("company")["engagement"].std()
    pooled = np.sqrt((d.groupby("company")["engagement"].var() * (d.groupby("company").size() - 1)).sum()
                     / (len(d) - d["company"].nunique()))
    assert_allclose(res.studies.set_index("company")["ux"], sd_c / pooled, rtol=1e-10)
    assert "indirect range restriction" in res.table["corrections"].iloc[0]


def test_impossible_range_restriction_ratio_is_a_data_error():
    # rxxa = 1 - ux^2 (1 - rxx) = 1 - 4 * 0.5 < 0: ux was probably given inverted
    with pytest.raises(es.DataError, match=r"ux is too large.*row A"):
        es.hunter_schmidt(pd.DataFrame({"s": ["A", "B"], "r": [0.2, 0.3], "n": [50, 60], "ux": [2.0, 0.8]}),
                          rxx=0.5, ux="ux", label="s")


def test_units_without_a_company_are_counted_not_lost():
    study, _, _ = _study()
    data = study.data.copy()
    data.loc[data.index[:7], "company"] = None
    res = es.meta_analysis(data, outcome="productivity", rxx=None)
    row = res.dropped.loc[res.dropped["reason"] == "units with no company"]
    assert int(row["count"].iloc[0]) == 7
    assert res.table["n_units"].iloc[0] == 240 - 7


# ---------------------------------------------------------------------------
# errors name the function the user called (not an inner one)
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("func", "kwargs", "param"),
    [
        ("meta_analysis", {"outcome": "turnover", "correction": "bogus"}, "correction"),
        ("meta_analysis", {"outcome": "turnover", "range_restriction": "bogus"}, "range_restriction"),
        ("meta_analysis", {"outcome": "turnover", "ci_level": 1.5}, "ci_level"),
        ("meta_analysis", {"outcome": "turnover", "cr_level": 0.0}, "cr_level"),
        ("meta_analysis_all", {"method": "bogus"}, "method"),
        ("meta_analysis_all", {"re_method": "bogus"}, "re_method"),
        ("meta_analysis_all", {"correction": "bogus"}, "correction"),
        ("meta_analysis_all", {"range_restriction": "bogus"}, "range_restriction"),
        ("meta_analysis_all", {"ci_level": 1.5}, "ci_level"),
        ("meta_analysis_all", {"cr_level": 0.0}, "cr_level"),
        ("meta_analysis_all", {"min_units": 2}, "min_units"),
        ("meta_analysis_all", {"outcomes": ["bogus"]}, "outcomes"),
        ("meta_analysis_all", {"period": "nope"}, "period"),
    ],
)
def test_meta_errors_name_the_called_function(func, kwargs, param):
    study, _, _ = _study(companies=4, units=12)
    with pytest.raises(es.ParameterError, match=rf"^The '{param}' parameter of {func} must "):
        getattr(es, func)(study, **kwargs)


def test_meta_analysis_all_rejects_unknown_options_and_takes_one_outcome_name():
    study, _, _ = _study(companies=4, units=12)
    with pytest.raises(es.ParameterError, match="meta_analysis_all.+'bogus'"):
        es.meta_analysis_all(study, bogus=1)
    tab = es.meta_analysis_all(study, outcomes="turnover", rxx=None)
    assert list(tab.table["outcome"]) == ["turnover"]


def test_subgroup_analysis_errors_name_subgroup_analysis():
    df = pd.DataFrame({"r": [0.1, 0.3, 0.2, 0.35], "n": [50, 80, 120, 60], "g": ["a", "b"] * 2})
    with pytest.raises(es.ParameterError, match=r"^The 'ci_level' parameter of subgroup_analysis must "):
        es.subgroup_analysis(df, by="g", ci_level=1.5)
    with pytest.raises(es.ParameterError, match=r"'yi' and 'vi' parameters of subgroup_analysis"):
        es.subgroup_analysis(df, by="g", yi="r")


# -- unit-level data (no respondent summaries) and custom outcome specs (issue 9) ----------------
def _unit_level_frame(seed=11, companies=6, units=25):
    """Unit-level table only: engagement per unit, no n_respondents/engagement_sd; a custom outcome."""
    rng = np.random.default_rng(seed)
    comp = np.repeat(np.arange(companies), units)
    eng = rng.normal(3.8, 0.3, comp.size)
    shmi = 1.0 - 0.1 * (eng - 3.8) + rng.normal(0, 0.05, comp.size)
    return pd.DataFrame({"unit_id": [f"u{i}" for i in range(comp.size)], "company": [f"C{c}" for c in comp],
                         "period": 2025, "engagement": eng, "shmi": shmi})


SHMI_SPEC = {"shmi": es.OutcomeSpec("shmi", better="lower", kind="score", label="SHMI")}


def test_random_effects_ignores_default_rxx_on_unit_level_data():
    frame = _unit_level_frame()
    res = es.meta_analysis(frame, outcome="shmi", method="random-effects", specs=SHMI_SPEC)  # default rxx="icc2"
    # independent check: per-company Pearson r (numpy) pooled by es.random_effects (checked against metafor above)
    per = pd.DataFrame([{"r": np.corrcoef(g["engagement"], g["shmi"])[0, 1], "n": len(g)}
                        for _, g in frame.groupby("company")])
    ref = es.random_effects(per, r="r", n="n").table.iloc[0]
    assert_allclose(res.table["estimate"].iloc[0], ref["estimate"], rtol=1e-12)
    assert res.table["n_companies"].iloc[0] == 6 and res.table["better"].iloc[0] == "lower"
    assert any("rxx='icc2' not used" in n for n in res.notes)
    assert "not used" in str(res)
    assert not any("rxx" in n for n in es.meta_analysis(frame, outcome="shmi", method="random-effects",
                                                        specs=SHMI_SPEC, rxx=None).notes)


def test_hunter_schmidt_icc2_on_unit_level_data_says_pass_rxx():
    frame = _unit_level_frame()
    with pytest.raises(es.DataError, match=r"(?s)respondent.*rxx=None.*number"):
        es.meta_analysis(frame, outcome="shmi", specs=SHMI_SPEC)
    res = es.meta_analysis(frame, outcome="shmi", specs=SHMI_SPEC, rxx=None)
    # bare-bones: mean r is the N-weighted mean of the companies' correlations (Schmidt & Hunter 2015, eq. 3.1)
    rs = frame.groupby("company")[["engagement", "shmi"]].corr().xs("engagement", level=1)["shmi"]
    ns = frame.groupby("company").size()
    assert_allclose(res.table["mean_r"].iloc[0], np.sum(rs * ns) / ns.sum(), rtol=1e-12)
    res8 = es.meta_analysis(frame, outcome="shmi", specs=SHMI_SPEC, rxx=0.8)
    assert_allclose(res8.table["rho"].iloc[0], res.table["mean_r"].iloc[0] / np.sqrt(0.8), rtol=1e-12)


def test_meta_analysis_specs_for_a_dataframe():
    frame = _unit_level_frame()
    with pytest.raises(es.ParameterError, match="outcome"):
        es.meta_analysis(frame, outcome="shmi", rxx=None)  # without specs, 'shmi' is no outcome
    tab = es.meta_analysis_all(frame, specs=SHMI_SPEC, rxx=None)
    assert list(tab.table["outcome"]) == ["shmi"] and tab.table["better"].iloc[0] == "lower"
    one = es.meta_analysis(frame, outcome="shmi", specs=SHMI_SPEC, rxx=None)
    assert_allclose(tab.table["mean_r"].iloc[0], one.table["mean_r"].iloc[0], rtol=0)
