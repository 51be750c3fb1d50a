"""Benchmark: a Gallup-scale quartile comparison.

Harter et al. (2020) covered 112,312 business units in 276 organisations. This
builds a synthetic unit table of that size with numpy (engagement and 10
outcomes, no respondents needed) and times ``compare_quartiles`` with 2,000
bootstrap replicates and 2,000 permutations, printing time and peak memory.

    python benchmarks/bench_quartiles.py               # full scale
    python benchmarks/bench_quartiles.py --scale 0.01  # tiny (CI)
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

from _units import make_units  # the shared synthetic unit table (benchmarks/_units.py)

import empathystats as es


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of 112,312 units / 276 companies")
    ap.add_argument("--n-boot", type=int, default=2000)
    args = ap.parse_args()
    n_units = max(200, int(112_312 * args.scale))
    n_companies = max(4, int(round(276 * min(1.0, args.scale * 10))))
    units, specs = make_units(n_units, n_companies)
    study = es.Study(units, specs=specs)
    print(f"{n_units:,} units, {units['company'].nunique()} companies, {len(study.outcomes)} outcomes, "
          f"{args.n_boot} bootstrap replicates + {args.n_boot} permutations")
    tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    res = es.compare_quartiles(study, n_boot=args.n_boot, seed=1)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(res.table[["outcome", "group", "n_companies", "pct_difference", "ci_low", "ci_high", "p_value"]]
          .round(3).to_string(index=False))
    print(f"compare_quartiles: {elapsed:.1f} s wall, {cpu:.1f} s CPU, peak traced memory {peak / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
