"""Benchmark: fit_outcome_models on every standard outcome for Gallup-2020-sized data.

112,312 business units in 276 companies (Harter et al. 2020, Q12 meta-analysis, 10th ed.), one period,
built with numpy (no survey scoring: this times the regressions only). ``--scale`` multiplies the number
of units (``--scale 0.01`` for a CI smoke run). Prints wall time per company_effects option and peak
resident memory.

    python benchmarks/bench_regression.py [--scale 1.0] [--effects cluster fixed]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import numpy as np
import pandas as pd

N_UNITS, N_COMPANIES = 112_312, 276


def make_units(scale: float = 1.0, seed: int = 2020) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = max(int(N_UNITS * scale), 200)
    k = max(int(N_COMPANIES * min(scale, 1.0) ** 0.5), 5)
    comp = rng.integers(0, k, n)
    latent = rng.normal(0, 1, n)
    ceff = rng.normal(0, 0.3, k)[comp]
    eng = 3.8 + ceff + 0.45 * latent
    headcount = rng.integers(5, 80, n)
    hours = headcount * rng.uniform(1500, 2000, n)
    sched = headcount * 220.0
    patient_days = rng.uniform(2_000, 12_000, n)
    units_prod = rng.uniform(5_000, 60_000, n)
    sales = rng.lognormal(13, 0.5, n)

    def nb(mu: np.ndarray, theta: float = 2.0) -> np.ndarray:
        return rng.poisson(rng.gamma(theta, mu / theta))

    return pd.DataFrame({
        "unit_id": np.arange(n),
        "company": comp,
        "period": 2020,
        "n_respondents": rng.integers(5, 60, n),
        "engagement": eng,
        "absenteeism": nb(sched * 0.03 * np.exp(-0.15 * latent)),
        "scheduled_days": sched,
        "turnover": rng.binomial(headcount, 1 / (1 + np.exp(1.3 + 0.2 * latent))),
        "headcount": headcount,
        "safety_incidents": nb(hours / 200_000 * 4 * np.exp(-0.2 * latent)),
        "hours_worked": hours,
        "patient_safety_incidents": rng.poisson(patient_days / 1000 * 1.5 * np.exp(-0.1 * latent)),
        "patient_days": patient_days,
        "quality_defects": rng.poisson(units_prod / 1000 * 2 * np.exp(-0.1 * latent)),
        "units_produced": units_prod,
        "shrinkage": np.maximum(sales * (0.015 - 0.001 * latent + rng.normal(0, 0.004, n)), 0),
        "sales": sales,
        "productivity": 100 + 4 * latent + rng.normal(0, 15, n),
        "profitability": 0.08 + 0.005 * latent + rng.normal(0, 0.03, n),
        "customer_loyalty": 60 + 2 * latent + rng.normal(0, 10, n),
    })


def peak_mb() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / 1024 / (1024 if sys.platform == "darwin" else 1)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--effects", nargs="+", default=["cluster", "fixed"], choices=["cluster", "fixed", "none"])
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    import statsmodels.api  # noqa: F401  (imported once, timed apart from the fits)

    import empathystats as es

    print(f"imports: {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    units = make_units(args.scale)
    study = es.Study(units)
    t1 = time.perf_counter()
    print(f"data: {len(units):,} units, {units.company.nunique()} companies, {len(study.specs)} outcomes "
          f"({t1 - t0:.2f} s to build)")
    for eff in args.effects:
        t = time.perf_counter()
        m = es.fit_outcome_models(study, company_effects=None if eff == "none" else eff)
        dt = time.perf_counter() - t
        fams = ", ".join(f"{r.outcome}={r.family}" for r in m.families.itertuples())
        print(f"fit_outcome_models(company_effects={eff!r}): {dt:.2f} s  [{fams}]")
    t = time.perf_counter()
    units2 = pd.concat([units, units.assign(period=2021, engagement=units.engagement + 0.1)], ignore_index=True)
    es.fit_outcome_models(units2, lag=1, outcomes=["turnover", "productivity"])
    print(f"fit_outcome_models(lag=1, 2 outcomes, {len(units2):,} unit-periods): {time.perf_counter() - t:.2f} s")
    for eff in args.effects:
        t = time.perf_counter()
        es.cross_lagged(units2, "turnover", company_effects=None if eff == "none" else eff)
        print(f"cross_lagged(turnover, company_effects={eff!r}): {time.perf_counter() - t:.2f} s")
    print(f"peak memory: {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
