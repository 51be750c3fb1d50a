"""A synthetic Gallup-scale unit table shared by the unit-level benchmarks.

Harter et al. (2020) covered 112,312 business units in 276 organisations. The table has
engagement, its reliability inputs (n_respondents, engagement_sd) and 10 outcomes, each
correlated with engagement at a set value; no respondents are needed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import empathystats as es

OUTCOMES = {
    # name: (better, mean, sd, true correlation with engagement)
    "absenteeism": ("lower", 0.04, 0.015, -0.10),
    "turnover": ("lower", 0.35, 0.12, -0.12),
    "productivity": ("higher", 100.0, 15.0, 0.10),
    "profitability": ("higher", 0.12, 0.05, 0.08),
    "customer_loyalty": ("higher", 70.0, 10.0, 0.15),
    "shrinkage": ("lower", 0.02, 0.006, -0.06),
    "quality_defects": ("lower", 5.0, 1.5, -0.10),
    "safety_incidents": ("lower", 4.0, 1.2, -0.12),
    "patient_safety_incidents": ("lower", 3.0, 1.0, -0.10),
    "wellbeing": ("higher", 60.0, 12.0, 0.20),
}


def make_units(n_units: int, n_companies: int, seed: int = 20261123) -> tuple[pd.DataFrame, dict]:
    """Unit table (every company has at least one unit) and the outcome specs to read it with."""
    rng = np.random.default_rng(seed)
    company = np.sort(np.r_[np.arange(n_companies), rng.integers(0, n_companies, n_units - n_companies)])
    z = rng.standard_normal(n_units)
    data = {
        "unit_id": np.arange(n_units),
        "company": company,
        "period": 1,
        "engagement": 3.8 + 0.35 * z,
        "engagement_sd": rng.uniform(0.6, 0.9, n_units),
        "n_respondents": rng.integers(5, 40, n_units),
    }
    specs = {}
    for name, (better, mean, sd, r) in OUTCOMES.items():
        e = rng.standard_normal(n_units)
        data[name] = np.abs(mean + sd * (r * z + np.sqrt(1 - r * r) * e))
        if name in es.STANDARD_OUTCOMES:
            specs[name] = es.STANDARD_OUTCOMES[name].with_(exposure=None)
        else:
            specs[name] = es.OutcomeSpec(name, better=better, kind="score")
    return pd.DataFrame(data), specs
