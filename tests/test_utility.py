"""Tests of empathystats.utility.

Sources of the numbers:
* z̄_top = phi(Phi^-1(0.75)) / 0.25 = 1.2711 (4 decimals; e.g. Cronbach & Gleser 1965, table of
  mean standard scores of the selected group for a selection ratio of .25: 1.271);
* for a uniform predictor, the top quarter of U(0, 1) has mean 0.875, standardised
  (0.875 - 0.5) / sqrt(1/12) = 1.2990 (closed form);
* brute-force simulations of bivariate normal units (seeds fixed, tolerances of 4 Monte Carlo SEs);
* hand arithmetic for the money impact, written beside each assertion.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import empathystats as es
from empathystats.errors import DataError, ParameterError
from empathystats.utility import Z_TOP_NORMAL, Z_TOP_UNIFORM, z_top


def test_z_top_closed_form():
    assert round(z_top("normal"), 4) == 1.2711
    assert round(Z_TOP_NORMAL, 4) == 1.2711
    assert_allclose(Z_TOP_NORMAL, z_top("normal"), rtol=1e-12)
    assert round(Z_TOP_UNIFORM, 4) == 1.2990
    assert z_top(1.5) == 1.5
    res = es.quartile_difference(0.5, mean=0, sd=1)
    assert round(res["z_top"], 4) == 1.2711


def test_z_top_brute_force():
    rng = np.random.default_rng(42)
    z = rng.standard_normal(2_000_000)
    top = np.mean(z[z >= np.quantile(z, 0.75)])
    # SE of the top-quartile mean ~ sqrt(var(Z | Z > z75) / 500,000) ~ 0.0008
    assert top == pytest.approx(1.2711, abs=0.004)
    u = rng.uniform(size=2_000_000)
    assert (np.mean(u[u >= 0.75]) - 0.5) / np.sqrt(1 / 12) == pytest.approx(Z_TOP_UNIFORM, abs=0.004)


def test_by_hand():
    # rho = -0.2 with absenteeism (mean 5%, SD 2%): top = 0.05 - 0.2*0.02*1.271106 = 0.044916,
    # bottom = 0.055084, difference = -0.010169, lower is better: 0.010169 / 0.055084 = 18.46% lower
    res = es.quartile_difference(-0.2, mean=0.05, sd=0.02, better="lower", outcome="absenteeism")
    assert_allclose(res["top"], 0.05 - 0.2 * 0.02 * 1.2711063, rtol=1e-6)
    assert_allclose(res["bottom"], 0.05 + 0.2 * 0.02 * 1.2711063, rtol=1e-6)
    assert_allclose(res["difference"], -2 * 0.2 * 0.02 * 1.2711063, rtol=1e-6)
    assert_allclose(res["pct_difference"], 18.4605, atol=1e-3)
    assert res["label"] == "18% lower"
    assert "18% lower absenteeism" in res.text()
    # oriented = Gallup's convention (positive = better): +0.2 with a lower-is-better outcome is the same
    same = es.quartile_difference(0.2, mean=0.05, sd=0.02, better="lower", oriented=True)
    assert_allclose(same["pct_difference"], res["pct_difference"])


def test_brute_force_simulation_of_quartile_means():
    rng = np.random.default_rng(7)
    n, rho, mu, sd = 1_000_000, 0.35, 100.0, 15.0
    z = rng.standard_normal(n)
    y = mu + sd * (rho * z + np.sqrt(1 - rho**2) * rng.standard_normal(n))
    q1, q3 = np.quantile(z, [0.25, 0.75])
    top, bot = y[z >= q3].mean(), y[z <= q1].mean()
    res = es.quartile_difference(rho, mean=mu, sd=sd)
    se = sd / np.sqrt(n / 4)  # SE of each quartile mean (conservative)
    assert abs(res["top"] - top) < 4 * se
    assert abs(res["bottom"] - bot) < 4 * se
    assert abs(res["difference"] - (top - bot)) < 4 * np.sqrt(2) * se


def test_vectorised_over_rho_and_broadcast():
    rhos = np.array([-0.4, -0.1, 0.0, 0.2, 0.5])
    res = es.quartile_difference(rhos, mean=10.0, sd=2.0)
    assert len(res.table) == 5
    for i, r in enumerate(rhos):
        one = es.quartile_difference(float(r), mean=10.0, sd=2.0)
        assert_allclose(res.table["pct_difference"][i], one["pct_difference"])
    assert_allclose(res["difference"], 2 * rhos * 2.0 * Z_TOP_NORMAL)
    assert res.table["label"].iloc[2] == "no difference"
    means = np.array([10.0, 20.0, 30.0, 40.0, 50.0])
    res2 = es.quartile_difference(0.3, mean=means, sd=2.0)
    assert len(res2.table) == 5 and np.all(np.diff(res2["pct_difference"]) < 0)


def test_better_flips_the_sign_and_undefined_percent():
    hi = es.quartile_difference(0.3, mean=10, sd=2, better="higher")
    lo = es.quartile_difference(0.3, mean=10, sd=2, better="lower")
    assert_allclose(lo["pct_difference"], -hi["pct_difference"])
    assert hi["label"].endswith("higher") and lo["label"].endswith("higher")
    neg = es.quartile_difference(0.5, mean=0.01, sd=0.1)  # bottom below zero: no percent
    assert np.isnan(neg["pct_difference"]) and neg["label"] == "n/a"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rho": 1.5, "mean": 1, "sd": 1}, {"rho": [0.1, np.nan], "mean": 1, "sd": 1}, {"rho": 0.1, "mean": 1, "sd": 0},
        {"rho": 0.1, "mean": 1, "sd": 1, "better": "up"}, {"rho": 0.1, "mean": 1, "sd": 1, "predictor": "cauchy"},
        {"rho": 0.1, "mean": 1, "sd": 1, "predictor": -1.0}, {"rho": [0.1, 0.2], "mean": [1, 2, 3], "sd": 1},
        {"rho": "x", "mean": 1, "sd": 1}, {"rho": 0.1, "mean": 1, "sd": 1, "oriented": "yes"},
    ],
)
def test_bad_parameters(kwargs):
    with pytest.raises(ParameterError):
        rho = kwargs.pop("rho")
        es.quartile_difference(rho, **kwargs)


# ---------------------------------------------------------------------------
# money
# ---------------------------------------------------------------------------


def hand_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "outcome": ["turnover", "safety_incidents", "productivity"],
            "better": ["lower", "lower", "higher"],
            "difference": [-0.05, -1.0, 5.0],
            "exposure_bottom": [1000.0, 2_000_000.0, np.nan],
            "per": [1.0, 200_000.0, 1.0],
            "n_units_bottom": [10, 10, 10],
            "diff_ci_low": [-0.08, -2.0, 1.0],
            "diff_ci_high": [-0.02, 0.5, 9.0],
        }
    )


def test_impact_by_hand():
    costs = pd.DataFrame(
        {"outcome": ["turnover", "safety_incidents", "productivity"], "cost": [5000.0, 40_000.0, 1.0],
         "per": ["leaver", "incident", "dollar"], "currency": "USD", "quantity": [np.nan, np.nan, 2000.0]}
    )
    m = es.impact(hand_table(), costs=costs)
    t = m.table.set_index("outcome")
    # turnover: 0.05 fewer leavers per head x 1,000 heads = 50 leavers x $5,000 = $250,000
    assert_allclose(t.loc["turnover", "change"], -50.0)
    assert_allclose(t.loc["turnover", "value"], 250_000.0)
    # CI: 0.02..0.08 per head -> $100,000..$400,000
    assert_allclose(t.loc["turnover", ["value_low", "value_high"]].astype(float), [100_000.0, 400_000.0])
    # safety: 1 incident per 200,000 h x 2,000,000 h = 10 incidents x $40,000 = $400,000
    assert_allclose(t.loc["safety_incidents", "value"], 400_000.0)
    # productivity (no exposure): 5 x 10 units x 2,000 (quantity per unit) x $1 = $100,000
    assert_allclose(t.loc["productivity", "value"], 100_000.0)
    assert_allclose(m.total, 750_000.0)
    assert "USD 250,000" in m.text() and "In total about USD 750,000" in m.text()
    half = es.impact(hand_table(), costs=costs, share=0.5)
    assert_allclose(half.total, 375_000.0)
    # an engagement gain of 1 SD closes 1 / (2 x 1.2711) of the top-bottom gap
    g = es.impact(hand_table(), costs={"turnover": 5000.0}, gain_sd=1.0)
    assert_allclose(g.total, 250_000.0 / (2 * 1.2711063), rtol=1e-6)
    assert "Not priced (no cost given): productivity, safety_incidents." in str(g)


def test_impact_from_a_comparison_uses_bottom_quartile_exposure():
    df = pd.DataFrame(
        {
            "unit_id": [f"u{i}" for i in range(8)],
            "engagement": np.arange(8.0),
            "turnover": [5, 3, 2, 2, 2, 2, 1, 1],
            "headcount": [20, 30, 20, 20, 20, 20, 20, 20],
        }
    )
    q = es.compare_quartiles(df, n_boot=50, n_perm=0, split_turnover_at=None)
    # bottom: 5/20 = 0.25 and 3/30 = 0.10 -> mean 0.175; top 1/20, 1/20 -> 0.05; difference -0.125
    # headcount of the bottom quartile 20 + 30 = 50 -> 6.25 fewer leavers x $4,000 = $25,000
    m = es.impact(q, costs={"turnover": 4000})
    assert_allclose(m.table["value"].iloc[0], 25_000.0)
    assert_allclose(m.table["quantity"].iloc[0], 50.0)


def test_impact_from_utility_analysis_needs_quantities():
    u = es.quartile_difference(-0.2, mean=0.3, sd=0.1, better="lower", outcome="turnover")
    with pytest.raises(DataError, match="n_units"):
        es.impact(u, costs={"turnover": 1000})
    # difference -0.0508 leavers per head x 20 units x 25 heads = 25.4 leavers x $1,000
    m = es.impact(u, costs={"turnover": {"cost": 1000, "quantity": 25}}, n_units=20)
    assert_allclose(m.total, 2 * 0.2 * 0.1 * Z_TOP_NORMAL * 20 * 25 * 1000)
    with pytest.raises(ParameterError, match="outcome"):
        es.impact(es.quartile_difference(0.2, mean=1, sd=1), costs={"x": 1}, n_units=3)


def test_impact_bad_input():
    with pytest.raises(DataError, match="cost"):
        es.impact(hand_table(), costs=pd.DataFrame({"outcome": ["turnover"], "cost": ["$5,000"]}))
    with pytest.raises(DataError, match="missing column"):
        es.impact(hand_table(), costs=pd.DataFrame({"outcome": ["turnover"], "price": [1]}))
    with pytest.raises(ParameterError):
        es.impact(hand_table(), costs=[1, 2])
    with pytest.raises(ParameterError):
        es.impact(hand_table(), costs={"turnover": 1}, share=1.5)
    with pytest.raises(ParameterError):
        es.impact(hand_table(), costs={"turnover": 1}, share=0.5, gain_sd=1)
    with pytest.raises(ParameterError):
        es.impact("table", costs={"turnover": 1})


def test_plots_return_axes():
    import matplotlib.pyplot as plt

    ax = es.quartile_difference([0.1, 0.2, 0.3], mean=10, sd=2).plot()
    assert len(ax.lines) >= 1
    m = es.impact(hand_table(), costs={"turnover": 5000, "safety_incidents": 40000})
    ax = m.plot()
    assert_allclose(sorted(p.get_width() for p in ax.patches), sorted(m.table["value"]))
    plt.close("all")


def test_impact_of_an_empty_comparison_is_a_data_error():
    with pytest.raises(DataError, match=r"comparison has no rows.+Fix:"):
        es.impact(hand_table().iloc[:0], costs={"turnover": 5000.0})
