"""Build tests/data/regression_units.csv: a small synthetic unit table for checking regression.py against R.

Run from the repository root: ``python tests/results/regression_make_data.py``. Seeded; the R script
tests/results/regression_R.R fits the reference models on the CSV this writes, and its printed output is
tests/results/regression_R.txt.

Truth (per 1 SD of latent engagement): customer loyalty +3 points; safety incidents rate ratio
exp(-0.20) (negative binomial, theta = 2, overdispersed); quality defects rate ratio exp(-0.10)
(Poisson); turnover odds ratio exp(-0.25) (binomial); absenteeism days absent rate ratio exp(-0.15).
About 3% of customer-loyalty values are missing, to check that dropped rows are counted.
"""

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261123


def make(seed: int = SEED) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_comp, per_comp = 12, 25
    n = n_comp * per_comp
    company = np.repeat([f"C{i + 1:02d}" for i in range(n_comp)], per_comp)
    comp_eff = np.repeat(rng.normal(0, 0.3, n_comp), per_comp)
    latent = rng.normal(0, 1, n)
    engagement = np.round(3.8 + comp_eff + 0.45 * latent, 6)
    region = rng.choice(["north", "south", "east"], n)
    cl = 60 + 3 * latent + np.repeat(rng.normal(0, 4, n_comp), per_comp) + 2 * (region == "south") + rng.normal(0, 8, n)
    cl[rng.choice(n, 9, replace=False)] = np.nan
    hours = np.round(rng.uniform(20_000, 120_000, n))
    mu_s = hours / 200_000 * 10 * np.exp(-0.2 * latent + np.repeat(rng.normal(0, 0.2, n_comp), per_comp))
    theta = 2.0
    safety = rng.poisson(rng.gamma(theta, mu_s / theta))
    units_produced = np.round(rng.uniform(5_000, 50_000, n))
    defects = rng.poisson(units_produced / 1000 * 2 * np.exp(-0.1 * latent))
    headcount = rng.integers(8, 61, n)
    p_leave = 1 / (1 + np.exp(-(-1.2 - 0.25 * latent)))
    leavers = rng.binomial(headcount, p_leave)
    scheduled = headcount * 220
    absent = rng.poisson(scheduled * 0.03 * np.exp(-0.15 * latent))
    return pd.DataFrame(
        {
            "unit_id": [f"U{i + 1:04d}" for i in range(n)],
            "company": company,
            "period": 2024,
            "n_respondents": rng.integers(5, 40, n),
            "engagement": engagement,
            "region": region,
            "customer_loyalty": np.round(cl, 4),
            "safety_incidents": safety,
            "hours_worked": hours,
            "quality_defects": defects,
            "units_produced": units_produced,
            "turnover": leavers,
            "headcount": headcount,
            "absenteeism": absent,
            "scheduled_days": scheduled,
        }
    )


def make_panel(seed: int = SEED + 1) -> pd.DataFrame:
    """Two periods (2023, 2024) of 160 units in 8 companies; 6 units have no 2024 row.

    Engagement at t drives the outcomes at t+1: loyalty_{t+1} = 0.5 loyalty_t + 3 e_t + noise and
    incidents_{t+1} ~ NB(theta 3) with log rate = log(hours/200000) + log 5 - 0.25 e_t + 0.3 (log rate_t).
    Checks the pairing of units across periods and the lagged models against R.
    """
    rng = np.random.default_rng(seed)
    n_comp, per_comp = 8, 20
    n = n_comp * per_comp
    company = np.repeat([f"K{i + 1}" for i in range(n_comp)], per_comp)
    ceff = np.repeat(rng.normal(0, 0.3, n_comp), per_comp)
    e1 = rng.normal(0, 1, n)
    e2 = 0.7 * e1 + np.sqrt(0.51) * rng.normal(0, 1, n)
    loy1 = 60 + 3 * e1 + rng.normal(0, 6, n)
    loy2 = 30 + 0.5 * loy1 + 3 * e1 + rng.normal(0, 6, n)
    h1, h2 = np.round(rng.uniform(40_000, 160_000, n)), np.round(rng.uniform(40_000, 160_000, n))
    r1 = 5 * np.exp(-0.25 * rng.normal(0, 1, n))
    inc1 = rng.poisson(rng.gamma(3.0, h1 / 200_000 * r1 / 3.0))
    r2 = 5 * np.exp(-0.25 * e1 + 0.3 * np.log(np.maximum(inc1, 0.5) / h1 * 200_000 / 5))
    inc2 = rng.poisson(rng.gamma(3.0, h2 / 200_000 * r2 / 3.0))
    one = pd.DataFrame({"unit_id": [f"P{i + 1:03d}" for i in range(n)], "company": company, "period": 2023,
                        "engagement": np.round(3.7 + ceff + 0.4 * e1, 6), "customer_loyalty": np.round(loy1, 4),
                        "safety_incidents": inc1, "hours_worked": h1})
    two = one.assign(period=2024, engagement=np.round(3.7 + ceff + 0.4 * e2, 6), customer_loyalty=np.round(loy2, 4),
                     safety_incidents=inc2, hours_worked=h2)
    two = two.drop(index=rng.choice(n, 6, replace=False))  # units that left before the second survey
    return pd.concat([one, two], ignore_index=True)


if __name__ == "__main__":
    here = Path(__file__).resolve().parents[1] / "data"
    make().to_csv(here / "regression_units.csv", index=False)
    make_panel().to_csv(here / "regression_panel.csv", index=False)
    print(f"wrote {here / 'regression_units.csv'} and {here / 'regression_panel.csv'}")
