"""Benchmark: a Gallup-scale meta-analysis across companies.

Harter et al. (2020) covered 112,312 business units in 276 organisations. This
builds a synthetic unit table of that size with numpy (engagement, its
reliability inputs and 10 outcomes; no respondents needed) and times, for all
10 outcomes, the per-company correlations plus Hunter-Schmidt (individual
corrections with each company's ICC(2)), Hunter-Schmidt with artifact
distributions, and REML random effects. Prints time and peak memory.

    python benchmarks/bench_meta.py               # full scale: 276 companies x 10 outcomes
    python benchmarks/bench_meta.py --scale 0.01  # tiny (CI)
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

from _units import make_units  # the shared synthetic unit table (benchmarks/_units.py)

import empathystats as es


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of 112,312 units (276 companies kept)")
    args = ap.parse_args()
    n_companies = 276 if args.scale >= 0.1 else max(4, int(round(2760 * args.scale)))
    n_units = max(12 * n_companies, int(112_312 * args.scale))
    units, specs = make_units(n_units, n_companies)
    study = es.Study(units, specs=specs)
    print(f"{n_units:,} units, {n_companies} companies, {len(study.outcomes)} outcomes")
    runs = {
        "per-company r + Hunter-Schmidt (individual, ICC2)": dict(method="hunter-schmidt", rxx="icc2"),
        "per-company r + Hunter-Schmidt (artifact distribution, ICC2, ux)": dict(
            method="hunter-schmidt", rxx="icc2", ux="pooled", correction="artifact_distribution"),
        "per-company r + random effects (REML)": dict(method="random-effects"),
    }
    es.meta_analysis(study, outcome="turnover")  # warm up lazy imports (scipy, statsmodels) outside the timings
    total = 0.0
    for name, options in runs.items():
        t0 = time.perf_counter()
        res = es.meta_analysis_all(study, min_units=10, **options)
        elapsed = time.perf_counter() - t0
        total += elapsed
        cols = ["outcome", "n_companies", "estimate", "ci_low", "ci_high"]
        if "rho" in res.table:
            cols += ["mean_r", "sd_rho", "cv90"]
        print(f"\n{name}: {elapsed:.2f} s for {len(res.table)} outcomes")
        print(res.table[cols].round(3).to_string(index=False))
    # peak memory in a separate traced run (tracing slows pandas several-fold, so it is not timed)
    tracemalloc.start()
    es.meta_analysis_all(study, min_units=10, method="hunter-schmidt", rxx="icc2")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"\ntotal {total:.2f} s for {len(runs)} x {len(study.outcomes)} meta-analyses; "
          f"peak traced memory {peak / 2**20:.1f} MiB")

if __name__ == "__main__":
    main()
