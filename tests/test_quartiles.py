"""Tests of empathystats.quartiles.

Where the numbers come from:
* hand-computed tiny studies (8-10 units): quartile means, ratio-of-sums rates and
  percent differences worked out in the comments beside each assertion;
* synthetic studies with known truth: engagement z and outcome
  y = mu + sigma * (rho * z + sqrt(1 - rho^2) * e) are bivariate normal, so the
  expected outcome of a group of units is mu + rho * sigma * E[zbar of the group]
  (closed form). For n units per company the bottom quartile is the floor(n/4)
  lowest order statistics, whose expected values E[Z_(i:n)] = E[Phi^-1(U_(i:n))],
  U_(i:n) ~ Beta(i, n - i + 1), are computed here by numerical integration with
  scipy (independently of the code under test);
* invariances (hypothesis): row order, unit ids and company labels; scale; direction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import integrate
from scipy.stats import beta, norm

import empathystats as es
from empathystats.errors import DataError, ParameterError
from empathystats.quartiles import _quartile_weights, _starts

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def expected_top_z(n: int) -> float:
    """E[mean of the floor(n/4) largest of n standard normals] by numerical integration."""
    k = n // 4
    vals = []
    for i in range(n - k + 1, n + 1):
        f = beta(i, n - i + 1)
        v, _ = integrate.quad(lambda u, f=f: norm.ppf(u) * f.pdf(u), 0, 1, limit=200)
        vals.append(v)
    return float(np.mean(vals))


def bivariate_units(
    seed: int, *, n_companies: int, n_per: int, rho: float, mu: float, sigma: float, name: str = "productivity"
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_companies * n_per
    z = rng.standard_normal(n)
    y = mu + sigma * (rho * z + np.sqrt(1 - rho**2) * rng.standard_normal(n))
    return pd.DataFrame(
        {
            "unit_id": [f"u{i:05d}" for i in range(n)],
            "company": np.repeat([f"c{j:03d}" for j in range(n_companies)], n_per),
            "engagement": 3.5 + 0.5 * z,
            name: y,
        }
    )


def tiny() -> pd.DataFrame:
    """One company, 8 units, engagement 1..8 (unit u1 lowest)."""
    return pd.DataFrame(
        {
            "unit_id": [f"u{i}" for i in range(1, 9)],
            "company": "A",
            "engagement": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0],
            "productivity": [10.0, 12.0, 11.0, 13.0, 12.0, 14.0, 15.0, 17.0],
            "safety_incidents": [4, 2, 3, 1, 2, 1, 0, 1],
            "hours_worked": [100_000, 300_000, 200_000, 200_000, 100_000, 200_000, 300_000, 100_000],
        }
    )


FAST = {"n_boot": 200, "n_perm": 200}


# ---------------------------------------------------------------------------
# hand-computed examples
# ---------------------------------------------------------------------------


def test_tiny_means_by_hand():
    res = es.compare_quartiles(tiny(), outcomes="productivity", **FAST)
    row = res.table.iloc[0]
    # 8 units -> k = 2: bottom = u1, u2 (10, 12), top = u7, u8 (15, 17)
    assert row.n_units_top == 2 and row.n_units_bottom == 2 and row.n_companies == 1
    assert_allclose(row.bottom, 11.0)
    assert_allclose(row.top, 16.0)
    assert_allclose(row.difference, 5.0)
    assert_allclose(row.pct_difference, 5.0 / 11.0 * 100)  # 45.45% higher
    assert row.label == "45% higher"
    assert row.better == "higher"


def test_tiny_rates_mean_of_unit_rates_and_ratio_of_sums():
    df = tiny()
    # unit rates per 200,000 hours: u1 4/100k*200k = 8, u2 2/300k*200k = 1.3333; u7 0, u8 1/100k*200k = 2
    res = es.compare_quartiles(df, outcomes="safety_incidents", **FAST)
    row = res.table.iloc[0]
    assert_allclose(row.bottom, (8 + 4 / 3) / 2)
    assert_allclose(row.top, (0 + 2) / 2)
    assert_allclose(row.pct_difference, -(1.0 - 14 / 3) / (14 / 3) * 100)  # lower is better: +78.6%
    assert row.label == "79% lower"
    # ratio of sums: bottom 6 incidents / 400,000 h * 200,000 = 3.0; top 1 / 400,000 h * 200,000 = 0.5
    res = es.compare_quartiles(df, outcomes="safety_incidents", stat="ratio", **FAST)
    row = res.table.iloc[0]
    assert_allclose([row.bottom, row.top], [3.0, 0.5])
    assert_allclose(row.pct_difference, 2.5 / 3.0 * 100)
    # exposure of the bottom quartile (u1 + u2) for the money impact
    assert_allclose(row.exposure_bottom, 400_000)
    assert row.exposure == "hours_worked" and row.per == 200_000


def test_ten_units_equal_size_groups_and_ties_broken_by_unit_id():
    df = pd.DataFrame(
        {
            "unit_id": [f"u{i:02d}" for i in range(10)],
            "engagement": [1, 1, 2, 3, 4, 5, 6, 7, 9, 9],
            "productivity": [1.0, 2.0, 30, 30, 30, 30, 30, 30, 50, 60],
        }
    )
    row = es.compare_quartiles(df, **FAST).table.iloc[0]
    # k = floor(10/4) = 2 units each: bottom u00, u01 (1, 2); top u08, u09 (50, 60)
    assert row.n_units_top == row.n_units_bottom == 2
    assert_allclose([row.bottom, row.top], [1.5, 55.0])
    # a tie straddling the boundary: engagement 2 for u02 and u03 -> u02 (smaller id) ranks lower
    df2 = df.assign(engagement=[1, 2, 2, 3, 4, 5, 6, 7, 8, 9], productivity=[1.0, 2.0, 100, 30, 30, 30, 30, 30, 50, 60])
    row2 = es.compare_quartiles(df2, **FAST).table.iloc[0]
    assert_allclose(row2.bottom, 1.5)  # u00, u01 only; u02 (100) is in the middle


def test_median_of_companies_and_pooled_by_hand():
    a = tiny()
    b = tiny().assign(company="B", unit_id=lambda d: "b" + d["unit_id"], productivity=[20.0, 20, 0, 0, 0, 0, 30, 30])
    df = pd.concat([a, b], ignore_index=True)
    res = es.compare_quartiles(df, outcomes="productivity", **FAST)
    row = res.table.iloc[0]
    # company A: 45.4545%; company B: bottom 20, top 30 -> 50%; median of two = mean
    assert_allclose(row.pct_difference, (5 / 11 * 100 + 50.0) / 2)
    assert_allclose(row.top, (16 + 30) / 2)
    assert_allclose(row.bottom, (11 + 20) / 2)
    assert_allclose(row.difference, (5 + 10) / 2)
    assert row.n_companies == 2 and row.n_units_top == 4
    comp = res.companies.set_index("company")
    assert_allclose(comp.loc["B", "pct_difference"], 50.0)
    pooled = es.compare_quartiles(df, outcomes="productivity", summary="pooled", **FAST).table.iloc[0]
    # pooled: top (15 + 17 + 30 + 30) / 4 = 23, bottom (10 + 12 + 20 + 20) / 4 = 15.5
    assert_allclose([pooled.top, pooled.bottom], [23.0, 15.5])
    assert_allclose(pooled.pct_difference, 7.5 / 15.5 * 100)


def test_pooled_quartiles_across_companies_within_none():
    df = pd.DataFrame(
        {
            "unit_id": range(8),
            "company": ["A"] * 4 + ["B"] * 4,
            "engagement": [1, 2, 3, 4, 5, 6, 7, 8],
            "productivity": [1.0, 3, 5, 5, 5, 5, 7, 9],
        }
    )
    row = es.compare_quartiles(df, within=None, summary="pooled", min_units_per_company=4, **FAST).table.iloc[0]
    assert_allclose([row.bottom, row.top], [2.0, 8.0])  # ranks across both companies
    assert row.n_companies == 2


def test_several_periods_pool_each_unit():
    units = pd.DataFrame(
        {
            "unit_id": [f"u{i}" for i in range(8)] * 2,
            "period": [1] * 8 + [2] * 8,
            "engagement": list(range(8)) + [float(i) + (10 if i == 0 else 0) for i in range(8)],
        }
    )
    out = pd.DataFrame(
        {
            "unit_id": [f"u{i}" for i in range(8)] * 2,
            "period": [1] * 8 + [2] * 8,
            "turnover": [2, 1, 1, 1, 1, 1, 0, 0] + [0, 1, 1, 1, 1, 1, 0, 1],
            "headcount": [10] * 8 + [30] + [10] * 7,
        }
    )
    study = es.Study(units, out)
    res = es.compare_quartiles(study, outcomes="turnover", split_turnover_at=None, **FAST)
    row = res.table.iloc[0]
    # engagement averaged over periods: u0 = (0 + 10) / 2 = 5 -> ranks u1 (1) and u2 (2) lowest; u6, u7 highest
    # unit turnover pooled over periods: u1 = 2/20, u2 = 2/20 -> bottom 0.1; u6 = 0/20, u7 = 1/20 -> top 0.025
    assert_allclose([row.bottom, row.top], [0.1, 0.025])
    assert_allclose(row.pct_difference, 75.0)
    # exposure per period of the bottom quartile: (20 + 20) / 2 periods
    assert_allclose(row.exposure_bottom, 20.0)


# ---------------------------------------------------------------------------
# the replicate machinery against brute force
# ---------------------------------------------------------------------------


def test_quartile_weights_match_explicit_sorting():
    rng = np.random.default_rng(3)
    strat = np.repeat([0, 1, 2], [9, 13, 8])
    N = len(strat)
    sstart = _starts(strat)
    K = rng.integers(0, 4, size=(N, 50))  # units x replicates
    wt, wb = _quartile_weights(K, strat, sstart)
    for b in range(50):  # brute force: expand copies, sort by position, take floor(n/4) at each end
        for s in range(3):
            rows = np.flatnonzero(strat == s)
            sample = np.repeat(rows, K[rows, b])  # rows are in engagement order already
            k = len(sample) // 4
            exp_b = np.bincount(sample[:k], minlength=N)[rows]
            exp_t = np.bincount(sample[len(sample) - k:], minlength=N)[rows] if k else np.zeros(len(rows))
            assert_allclose(wb[rows, b], exp_b)
            assert_allclose(wt[rows, b], exp_t)


# ---------------------------------------------------------------------------
# known truth
# ---------------------------------------------------------------------------

RHO, MU, SIGMA, NPER = 0.3, 50.0, 10.0, 120


@pytest.fixture(scope="module")
def zbar_120() -> float:
    return expected_top_z(NPER)


def test_recovers_true_difference(zbar_120):
    df = bivariate_units(11, n_companies=30, n_per=NPER, rho=RHO, mu=MU, sigma=SIGMA)
    true_diff = 2 * RHO * SIGMA * zbar_120  # E[top] - E[bottom], closed form with exact order statistics
    true_pct = true_diff / (MU - RHO * SIGMA * zbar_120) * 100
    for summary in ("pooled", "median_of_companies"):
        row = es.compare_quartiles(df, summary=summary, n_boot=400, n_perm=200, seed=1).table.iloc[0]
        assert row.diff_ci_low <= true_diff <= row.diff_ci_high, summary
        assert row.ci_low <= true_pct <= row.ci_high, summary
        assert row.p_value == pytest.approx(1 / 201)  # nothing in 200 shuffles is as extreme
    # the large-population value 2 * 1.2711 * rho * sigma is close to the finite-n truth (1% here)
    assert true_diff == pytest.approx(2 * 1.2711 * RHO * SIGMA, rel=0.02)


def test_lower_is_better_and_ratio_of_sums_with_exposure():
    rng = np.random.default_rng(5)
    n_c, n_per = 20, 80
    n = n_c * n_per
    z = rng.standard_normal(n)
    hours = rng.uniform(50_000, 150_000, n)
    # incident rate per 200,000 hours falls with engagement: lambda = 4 * exp(-0.3 z)
    rate = 4 * np.exp(-0.3 * z)
    inc = rng.poisson(rate * hours / 200_000)
    df = pd.DataFrame(
        {"unit_id": np.arange(n), "company": np.repeat(np.arange(n_c), n_per), "engagement": z,
         "safety_incidents": inc, "hours_worked": hours}
    )
    # truth: E[rate | top quartile] = 4 E[exp(-0.3 Z) | Z > z75] (closed form of the lognormal partial mean)
    z75 = norm.ppf(0.75)
    top = 4 * np.exp(0.045) * norm.cdf(-z75 - 0.3) / 0.25
    bot = 4 * np.exp(0.045) * norm.cdf(-z75 + 0.3) / 0.25
    true_pct = (bot - top) / bot * 100
    row = es.compare_quartiles(df, stat="ratio", summary="pooled", n_boot=400, n_perm=0).table.iloc[0]
    assert row.ci_low <= true_pct <= row.ci_high
    assert row.label.endswith("lower") and row.pct_difference > 0
    assert np.isnan(row.p_value)


@pytest.mark.slow
@pytest.mark.parametrize(("summary", "resample"), [("pooled", "units"), ("median_of_companies", "company")])
def test_bootstrap_coverage_near_nominal(summary, resample):
    n_per, n_c, reps = 40, 30, 200
    zbar = expected_top_z(n_per)
    if summary == "pooled":
        truth = 2 * RHO * SIGMA * zbar / (MU - RHO * SIGMA * zbar) * 100
    else:  # median over companies of the per-company percent difference: its distribution by brute force
        rng = np.random.default_rng(0)
        z = rng.standard_normal((100_000, n_per))
        y = MU + SIGMA * (RHO * z + np.sqrt(1 - RHO**2) * rng.standard_normal(z.shape))
        ys = np.take_along_axis(y, np.argsort(z, axis=1), axis=1)
        k = n_per // 4
        t, b = ys[:, -k:].mean(1), ys[:, :k].mean(1)
        truth = float(np.median((t - b) / b * 100))
    hits = 0
    for s in range(reps):
        df = bivariate_units(1000 + s, n_companies=n_c, n_per=n_per, rho=RHO, mu=MU, sigma=SIGMA)
        row = es.compare_quartiles(df, summary=summary, resample=resample, n_boot=400, n_perm=0, seed=s).table.iloc[0]
        hits += row.ci_low <= truth <= row.ci_high
    # nominal 0.95; binomial SD sqrt(.95 * .05 / 200) = 0.015 -> accept 0.95 +/- 3 SD
    assert 0.905 <= hits / reps <= 0.995


@pytest.mark.slow
def test_permutation_p_uniform_under_null():
    ps = []
    for s in range(200):
        df = bivariate_units(2000 + s, n_companies=5, n_per=40, rho=0.0, mu=MU, sigma=SIGMA)
        ps.append(es.compare_quartiles(df, n_boot=0, n_perm=199, seed=s).table.iloc[0].p_value)
    ps = np.asarray(ps)
    # under H0 P(p <= 0.05) = 0.05 (10 of 200 expected; binomial 99.9% upper bound 21)
    assert np.sum(ps <= 0.05) <= 21
    assert 0.4 <= np.mean(ps) <= 0.6


# ---------------------------------------------------------------------------
# invariances (property tests)
# ---------------------------------------------------------------------------

NUMERIC = ["top", "bottom", "difference", "pct_difference", "ci_low", "ci_high", "diff_ci_low", "diff_ci_high", "p_value"]


def small_study(seed: int) -> pd.DataFrame:
    df = bivariate_units(seed, n_companies=4, n_per=12, rho=0.4, mu=20, sigma=4)
    df["turnover"] = np.abs(np.random.default_rng(seed + 99_991).normal(0.3, 0.1, len(df)))
    return df


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 10_000))
def test_row_order_ids_and_company_labels_do_not_matter(seed, perm_seed):
    df = small_study(seed)
    base = es.compare_quartiles(df, n_boot=60, n_perm=60).table
    rng = np.random.default_rng(perm_seed)
    shuffled = df.iloc[rng.permutation(len(df))].reset_index(drop=True)
    ids = rng.permutation(len(df))
    mapping = {c: f"org-{rng.integers(1_000_000)}-{i}" for i, c in enumerate(df["company"].unique())}
    renamed = shuffled.assign(unit_id=[f"x{i}" for i in ids[: len(df)]], company=shuffled["company"].map(mapping))
    for other in (shuffled, renamed):
        t = es.compare_quartiles(other, n_boot=60, n_perm=60).table
        assert_allclose(t[NUMERIC].to_numpy(float), base[NUMERIC].to_numpy(float), rtol=1e-10)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000), factor=st.floats(0.01, 1000))
def test_scaling_an_outcome_leaves_percent_differences(seed, factor):
    df = small_study(seed)
    a = es.compare_quartiles(df, outcomes="productivity", n_boot=60, n_perm=60).table.iloc[0]
    b = es.compare_quartiles(df.assign(productivity=df["productivity"] * factor), outcomes="productivity",
                             n_boot=60, n_perm=60).table.iloc[0]
    for col in ("pct_difference", "ci_low", "ci_high", "p_value"):
        assert_allclose(b[col], a[col], rtol=1e-8)
    assert_allclose(b.difference, a.difference * factor, rtol=1e-8)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_swapping_better_flips_the_sign(seed):
    df = small_study(seed)
    hi = es.compare_quartiles(df, outcomes="productivity", n_boot=60, n_perm=60).table.iloc[0]
    spec = es.OutcomeSpec("productivity", better="lower")
    lo = es.compare_quartiles(df, outcomes="productivity", specs={"productivity": spec}, n_boot=60,
                              n_perm=60).table.iloc[0]
    assert_allclose(lo.pct_difference, -hi.pct_difference, rtol=1e-10)
    assert_allclose([lo.ci_low, lo.ci_high], [-hi.ci_high, -hi.ci_low], rtol=1e-10)
    assert_allclose(lo.difference, hi.difference)
    assert lo.label.split()[1] == hi.label.split()[1]  # same direction in words ("higher"), other sign
    assert lo.p_value == hi.p_value


def test_same_seed_same_numbers_and_outcome_selection_does_not_matter():
    df = small_study(1)
    a = es.compare_quartiles(df, seed=7, n_boot=100).table
    b = es.compare_quartiles(df, seed=7, n_boot=100).table
    pd.testing.assert_frame_equal(a, b)
    c = es.compare_quartiles(df, seed=8, n_boot=100).table
    assert not np.allclose(a["ci_low"], c["ci_low"])
    alone = es.compare_quartiles(df, outcomes="productivity", seed=7, n_boot=100).table.iloc[0]
    both = a.set_index("outcome").loc["productivity"]
    assert_allclose(alone[NUMERIC].to_numpy(float), both[NUMERIC].to_numpy(float))


# ---------------------------------------------------------------------------
# turnover split, exclusions, errors
# ---------------------------------------------------------------------------


def test_turnover_split_matches_comparisons_of_the_subsets():
    rng = np.random.default_rng(2)
    df = bivariate_units(2, n_companies=6, n_per=16, rho=-0.3, mu=0.3, sigma=0.05, name="turnover")
    high = ["c000", "c001"]
    df.loc[df["company"].isin(high), "turnover"] += 0.3  # two companies above 40% a year
    df["turnover"] = df["turnover"].clip(0.01) + rng.uniform(0, 1e-6, len(df))
    res = es.compare_quartiles(df, n_boot=100, n_perm=50)
    t = res.table.set_index("group")
    assert list(res.table["group"]) == ["all", "high turnover (>= 40%)", "low turnover (< 40%)"]
    assert t.loc["high turnover (>= 40%)", "n_companies"] == 2
    assert t.loc["low turnover (< 40%)", "n_companies"] == 4
    sub = es.compare_quartiles(df[df["company"].isin(high)], n_boot=100, n_perm=50,
                               split_turnover_at=None).table.iloc[0]
    assert_allclose(t.loc["high turnover (>= 40%)", "pct_difference"], sub.pct_difference)
    assert_allclose(t.loc["high turnover (>= 40%)", "ci_low"], sub.ci_low)


def test_small_companies_and_missing_values_are_dropped_and_reported():
    df = bivariate_units(4, n_companies=3, n_per=10, rho=0.3, mu=10, sigma=2)
    df = pd.concat([df, df.iloc[:5].assign(company="tiny", unit_id=lambda d: "t" + d["unit_id"])], ignore_index=True)
    df.loc[3, "productivity"] = np.nan
    res = es.compare_quartiles(df, **FAST)
    reasons = " | ".join(res.dropped["reason"])
    assert "fewer than 8 units" in reasons and "without a usable productivity value" in reasons
    d = res.dropped.set_index("reason")
    assert d.loc["companies with fewer than 8 units for productivity", "count"] == 1
    assert d.loc["rows without a usable productivity value", "count"] == 1
    assert res.table.iloc[0].n_companies == 3
    assert "tiny" not in set(res.companies["company"])
    assert "Dropped: 1 companies with fewer than 8 units" in str(res)


def test_too_few_units_raise_a_data_error():
    df = tiny().iloc[:6]
    with pytest.raises(DataError, match="at least 8 units"):
        es.compare_quartiles(df, **FAST)
    with pytest.raises(DataError, match="min_units_per_company"):
        es.compare_quartiles(df, **FAST)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"within": "team"}, {"stat": "median"}, {"summary": "mean"}, {"ci_level": 1.5}, {"ci_level": 0},
        {"n_boot": -1}, {"n_boot": 10.5}, {"seed": -3}, {"min_units_per_company": 3}, {"resample": "rows"},
        {"within": None}, {"outcomes": "sales"}, {"outcomes": []}, {"split_turnover_at": -0.1}, {"n_perm": -1},
    ],
)
def test_bad_parameters_raise_parameter_error(kwargs):
    with pytest.raises(ParameterError, match="compare_quartiles"):
        es.compare_quartiles(tiny(), **kwargs)


def test_not_a_study():
    with pytest.raises(ParameterError, match="Study or a unit-level"):
        es.compare_quartiles([1, 2, 3])


# ---------------------------------------------------------------------------
# words, display, plots, confidentiality
# ---------------------------------------------------------------------------


def test_text_one_sentence_per_row_and_display():
    df = small_study(3)
    res = es.compare_quartiles(df, **FAST)
    text = res.text()
    import re

    sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text)
    assert len(sentences) == len(res.table)
    r = res.table.iloc[0]
    assert f"{abs(r.pct_difference):.0f}%" in sentences[0] and "median of 4 companies" in sentences[0]
    shown = str(res)
    assert "Reference:" in shown and "seed 0" in shown
    assert "<table" in res._repr_html_()


def test_no_unit_level_rows_in_results():
    df = small_study(4)
    res = es.compare_quartiles(df, **FAST)
    ids = set(df["unit_id"])
    for frame in (res.table, res.companies, res.dropped):
        assert not ids & set(frame.astype(str).to_numpy().ravel())


def test_plots_return_axes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    df = small_study(5)
    res = es.compare_quartiles(df, **FAST)
    ax = res.plot()
    assert len(ax.patches) == len(res.table)
    widths = sorted(p.get_width() for p in ax.patches)
    assert_allclose(widths, sorted(res.table["pct_difference"]))
    ax2 = es.plot_quartile_profile(tiny(), "productivity")
    heights = [p.get_height() for p in ax2.patches]
    # quartiles of 8 units: (10, 12), (11, 13), (12, 14), (15, 17)
    assert_allclose(heights, [11.0, 12.0, 13.0, 16.0])
    plt.close("all")


# ---------------------------------------------------------------------------
# R reference (independent implementation of the definitions in base R)
# ---------------------------------------------------------------------------


def test_matches_r_reference():
    """Numbers from tests/results/quartiles_R.R (output in tests/results/quartiles_R.txt, R 4.2.2).

    Data tests/data/quartiles_three_companies.csv: companies of 9, 13 and 20 units, engagement
    rounded to 0.1 (ties broken by unit id), rows shuffled.
    """
    from pathlib import Path

    df = pd.read_csv(Path(__file__).parent / "data" / "quartiles_three_companies.csv")
    res = es.compare_quartiles(df, n_boot=20, n_perm=0, min_units_per_company=8)
    t = res.table.set_index("outcome")
    # R: median_of_companies productivity pct: 18.1674331207041; top, bottom, difference: 112.72 101.115 18.37
    assert_allclose(t.loc["productivity", "pct_difference"], 18.1674331207041, rtol=1e-12)
    assert_allclose(t.loc["productivity", ["top", "bottom", "difference"]].astype(float), [112.72, 101.115, 18.37],
                    rtol=1e-12)
    # R: median_of_companies safety (mean of unit rates) pct: 61.0347211307141
    assert_allclose(t.loc["safety_incidents", "pct_difference"], 61.0347211307141, rtol=1e-12)
    comp = res.companies.set_index(["outcome", "company"])
    # R per company: prod_pct north 18.16743312070414, south 2.11980694615311, west 24.58001768346595
    assert_allclose(comp.loc[("productivity", ["north", "south", "west"]), "pct_difference"],
                    [18.16743312070414, 2.11980694615311, 24.58001768346595], rtol=1e-12)
    assert list(comp.loc[("productivity", ["north", "south", "west"]), "n_units_top"]) == [2, 3, 5]
    # R: median_of_companies safety (ratio of sums) pct: 56.0828605994181
    ratio = es.compare_quartiles(df, outcomes="safety_incidents", stat="ratio", n_boot=20, n_perm=0).table.iloc[0]
    assert_allclose(ratio.pct_difference, 56.0828605994181, rtol=1e-12)
    # R: pooled productivity top, bottom, pct: 112.63 97.164 15.9174179737351
    pooled = es.compare_quartiles(df, outcomes="productivity", summary="pooled", n_boot=20, n_perm=0).table.iloc[0]
    assert_allclose([pooled.top, pooled.bottom, pooled.pct_difference], [112.63, 97.164, 15.9174179737351],
                    rtol=1e-12)


def test_text_in_an_outcome_column_is_a_data_error():
    df = tiny().astype({"productivity": object})
    df.loc[[2, 5], "productivity"] = ["n/a", "12%"]
    with pytest.raises(DataError, match=r"column 'productivity'.*row 4: 'n/a'.*row 7: '12%'"):
        es.compare_quartiles(df, outcomes="productivity", **FAST)


def test_company_resampling_with_pooled_quartiles_runs_and_covers_estimate():
    df = bivariate_units(8, n_companies=12, n_per=30, rho=0.3, mu=MU, sigma=SIGMA)
    for within, summary in ((None, "pooled"), ("company", "pooled"), ("company", "median_of_companies")):
        row = es.compare_quartiles(df, within=within, summary=summary, resample="company", n_boot=300,
                                   n_perm=100).table.iloc[0]
        assert row.ci_low < row.pct_difference < row.ci_high


@pytest.mark.parametrize("resample", ["company", "units"])
def test_zero_bottom_quartile_gives_nan_percent_without_divide_warnings(resample):
    import warnings

    a = tiny()
    # company B: bottom quartile (u1, u2) produces 0, top quartile (u7, u8) 30 -> difference 30, percent undefined
    b = tiny().assign(company="B", unit_id=lambda d: "b" + d["unit_id"], productivity=[0.0, 0, 5, 5, 5, 5, 30, 30])
    df = pd.concat([a, b], ignore_index=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = es.compare_quartiles(df, outcomes="productivity", resample=resample, **FAST)
    comp = res.companies.set_index("company")
    assert np.isnan(comp.loc["B", "pct_difference"])
    assert_allclose(comp.loc["B", "difference"], 30.0)
    # company A (hand-computed above): top 16, bottom 11 -> 5 / 11 = 45.4545%; B has no percent, so the median is A's
    assert_allclose(res.table.iloc[0].pct_difference, 5 / 11 * 100)


# ---------------------------------------------------------------------------
# issue 9: pooled ranking breaks ties by unit id (not company order); .companies sorted by company
# ---------------------------------------------------------------------------
def _tie_across_companies(swap: bool = False) -> pd.DataFrame:
    # company B has the lower mean engagement (3.5 vs 5.25), so it ranks first in the content order of
    # companies; u1 (A) and u2 (B) tie at engagement 2 on the bottom-quartile boundary (k = floor(8/4) = 2)
    ids = ["u1", "u3", "u5", "u7", "u0", "u2", "u4", "u6"]
    if swap:  # B's tied unit gets the smaller id
        ids = ["u2", "u3", "u5", "u7", "u0", "u1", "u4", "u6"]
    return pd.DataFrame(
        {
            "unit_id": ids,
            "company": ["A"] * 4 + ["B"] * 4,
            "engagement": [2.0, 5, 6, 8, 0, 2, 5, 7],
            "productivity": [100.0, 30, 30, 80, 0, 200, 30, 60],
        }
    )


@pytest.mark.parametrize(("swap", "bottom"), [(False, (0 + 100) / 2), (True, (0 + 200) / 2)])
def test_pooled_ranking_breaks_ties_across_companies_by_unit_id(swap, bottom):
    df = _tie_across_companies(swap)
    kw = {"within": None, "summary": "pooled", "n_boot": 0}
    row = es.compare_quartiles(df, **kw).table.iloc[0]
    # bottom: u0 (0) and the tied unit with the smaller id, u1; top: engagement 8 and 7 (80, 60) -> 70
    assert_allclose([row.bottom, row.top], [bottom, 70.0])
    # row order does not change it
    row2 = es.compare_quartiles(df.iloc[::-1].reset_index(drop=True), **kw).table.iloc[0]
    assert_allclose([row2.bottom, row2.top], [bottom, 70.0])


def test_per_company_table_sorted_by_company():
    # company "A" has the higher mean engagement, so content order (B, A) differs from name order (A, B)
    a = tiny().assign(engagement=lambda d: d["engagement"] + 10)
    b = tiny().assign(company="B", unit_id=lambda d: "b" + d["unit_id"])
    res = es.compare_quartiles(pd.concat([b, a], ignore_index=True), n_boot=0)
    for _, part in res.companies.groupby("outcome", sort=False):
        assert part["company"].tolist() == ["A", "B"]
    assert res.companies["outcome"].unique().tolist() == res.table["outcome"].unique().tolist()


def test_text_names_both_directions_when_the_interval_crosses_zero():
    # a hand-built table row: pct_difference 3 (better = lower, so "3% lower"), CI -2 .. 9 in better-signed percent
    import pandas as pd

    from empathystats.quartiles import QuartileComparison

    row = dict(outcome="turnover", group="all", better="lower", n_units_top=10, n_units_bottom=10, n_companies=5,
               top=0.3, bottom=0.31, difference=-0.01, pct_difference=3.0, label="3% lower", ci_low=-2.0,
               ci_high=9.0, ci_level=0.95, p_value=0.3)
    q = QuartileComparison(pd.DataFrame([row]), companies=pd.DataFrame(), title="t",
                           params={"summary": "median_of_companies"})
    assert "95% CI from 2% higher to 9% lower" in q.text()
    q2 = QuartileComparison(pd.DataFrame([row | {"ci_low": 1.0}]), companies=pd.DataFrame(), title="t",
                            params={"summary": "median_of_companies"})
    assert "95% CI 1% to 9% lower" in q2.text()
