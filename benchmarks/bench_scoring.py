"""Time score_units at Gallup scale (2.7 million respondents, 112,312 units, 276 companies).

Usage::

    python benchmarks/bench_scoring.py            # full scale
    python benchmarks/bench_scoring.py --scale 0.01

The respondent table is generated with numpy directly (unit sizes ~ 1 + Poisson,
answers on 1-5 driven by a unit effect, 2% missing answers, string unit ids,
an industry column constant within company). Prints build time, scoring time,
respondents per second and peak memory (tracemalloc of the scoring call, and
the process's maximum resident set size).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

N_RESPONDENTS = 2_700_000
N_UNITS = 112_312
N_COMPANIES = 276
N_ITEMS = 12


def build_survey(scale: float, seed: int = 2020) -> pd.DataFrame:
    """A respondent-level Q12-style table of about ``scale`` x Gallup's 2020 size."""
    rng = np.random.default_rng(seed)
    n_units = max(2, round(N_UNITS * scale))
    n_companies = max(1, min(n_units, round(N_COMPANIES * scale) or 1))
    n_resp = max(n_units, round(N_RESPONDENTS * scale))
    # company of each unit, unit of each respondent (sizes vary, mean ~24)
    unit_company = rng.integers(0, n_companies, n_units)
    unit_of = np.sort(rng.integers(0, n_units, n_resp))
    unit_effect = rng.normal(0, 0.35, n_units)
    person = rng.normal(3.7, 0.7, n_resp) + unit_effect[unit_of]
    latent = person[:, None] + rng.normal(0, 0.8, (n_resp, N_ITEMS))
    answers = np.clip(np.rint(latent), 1, 5).astype(np.float32)
    answers[rng.random((n_resp, N_ITEMS)) < 0.02] = np.nan
    items = {f"Q{j + 1:02d}": answers[:, j] for j in range(N_ITEMS)}
    company_names = np.array([f"C{c:03d}" for c in range(n_companies)], dtype=object)
    unit_names = np.array([f"U{u:06d}" for u in range(n_units)], dtype=object)
    industries = np.array(["retail", "health care", "manufacturing", "finance", "hospitality"], dtype=object)
    comp = unit_company[unit_of]
    return pd.DataFrame(
        {
            "respondent_id": np.arange(n_resp),
            "company": pd.Categorical.from_codes(comp, company_names),
            "unit_id": pd.Categorical.from_codes(unit_of, unit_names),
            "period": 2020,
            "industry": pd.Categorical.from_codes(comp % len(industries), industries),
            **items,
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of Gallup's 2020 size (default 1)")
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--repeat", type=int, default=3, help="timed repetitions (best is reported)")
    parser.add_argument(
        "--object-keys",
        action="store_true",
        help="company/unit ids as Python strings (as read from CSV) not categoricals",
    )
    args = parser.parse_args(argv)

    import empathystats as es

    t0 = time.perf_counter()
    survey = build_survey(args.scale, args.seed)
    if args.object_keys:
        for col in ("company", "unit_id", "industry"):
            survey[col] = survey[col].astype(str).astype(object)
    t_build = time.perf_counter() - t0
    print(
        f"built {len(survey):,} respondents, {survey['unit_id'].nunique():,} units, "
        f"{survey['company'].nunique():,} companies in {t_build:.2f} s"
    )

    best = np.inf
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        units = es.score_units(survey)
        best = min(best, time.perf_counter() - t0)
    print(f"score_units: {best:.2f} s, {len(survey) / best:,.0f} respondents/s; {len(units.table):,} units reported")

    es.icc_from_units(units.table.head(10))  # import scipy.stats outside the timing
    t0 = time.perf_counter()
    icc = es.icc_from_units(units.table, by="company")
    print(f"icc_from_units(by='company'): {time.perf_counter() - t0:.3f} s for {len(icc.table)} companies")

    tracemalloc.start()
    es.score_units(survey)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(f"peak memory: {peak / 2**20:,.0f} MiB allocated while scoring (tracemalloc); max RSS {rss:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
