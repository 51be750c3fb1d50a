"""A whole engagement-outcome study at Gallup's 2020 scale, timed stage by stage.

Harter et al. (2020) meta-analysed 2.7 million employees in 112,312 business
units of 276 organisations. This script simulates a study of that size once with
:func:`empathystats.simulate_study` (276 companies of 300-514 units, 5-45
respondents per unit, one period), caches it as parquet under
``benchmarks/.cache/`` and then times each stage separately:

    read parquet -> score units -> link (Study) -> quartiles (2,000 bootstrap
    replicates, every outcome) -> Hunter-Schmidt meta-analysis -> random-effects
    meta-analysis -> regressions (every outcome) [-> report, with --report]

It prints one row per stage: seconds, peak memory allocated during the stage
(tracemalloc; numpy and pandas buffers included), the process's maximum
resident set size so far, and the stage's time as a multiple of the parquet
read (the I/O floor).

Usage::

    python benchmarks/gallup_scale.py                 # full scale (~2.7M respondents)
    python benchmarks/gallup_scale.py --scale 0.001   # tiny (CI)
    python benchmarks/gallup_scale.py --report        # also render the client report
    python benchmarks/gallup_scale.py --profile score # cProfile one stage (top 25 by cumulative time)
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import gc
import importlib
import io
import os
import pstats
import resource
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import empathystats as es

CACHE = Path(os.environ.get("EMPATHYSTATS_BENCH_CACHE", Path(__file__).resolve().parent / ".cache"))
N_COMPANIES = 276
N_UNITS = 112_312
UNITS_PER_COMPANY = (300, 514)  # mean 407 -> 276 x 407 = 112,332 units
RESPONDENTS_PER_UNIT = (5, 45)  # mean 25, 3% small units of 1-4 -> ~2.7 million respondents
ITEMS = [f"Q{i:02d}" for i in range(1, 13)]
KEYS = ["unit_id", "company", "period"]


def sizes(scale: float) -> tuple[int, tuple[int, int]]:
    """Companies and the units-per-company range for a fraction ``scale`` of Gallup 2020."""
    n_companies = max(8, round(N_COMPANIES * scale))
    mean_units = N_UNITS * scale / n_companies
    if scale >= 1 or n_companies > 8:
        low, high = UNITS_PER_COMPANY
        f = mean_units / 407
        return n_companies, (max(12, round(low * f)), max(12, round(high * f)))
    m = max(16, round(mean_units))
    return n_companies, (m, m + m // 2)


def generate(scale: float, seed: int) -> tuple[Path, Path]:
    """Simulate (once) and cache the survey and outcome tables as parquet; return their paths."""
    n_companies, upc = sizes(scale)
    r_lo, r_hi = RESPONDENTS_PER_UNIT
    stem = f"gallup_c{n_companies}_u{upc[0]}-{upc[1]}_r{r_lo}-{r_hi}_s{seed}"
    survey_path, outcomes_path = CACHE / f"{stem}_survey.parquet", CACHE / f"{stem}_outcomes.parquet"
    if survey_path.exists() and outcomes_path.exists():
        return survey_path, outcomes_path
    CACHE.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    sim = es.simulate_study(
        n_companies=n_companies,
        units_per_company=upc,
        respondents_per_unit=RESPONDENTS_PER_UNIT,
        periods=1,
        seed=seed,
    )
    tmp_s, tmp_o = survey_path.with_suffix(".tmp"), outcomes_path.with_suffix(".tmp")
    sim.survey.to_parquet(tmp_s, index=False, row_group_size=500_000)
    sim.outcomes.to_parquet(tmp_o, index=False)
    tmp_s.rename(survey_path)
    tmp_o.rename(outcomes_path)
    print(f"generated and cached {len(sim.survey):,} respondents in {time.perf_counter() - t0:.1f} s -> {CACHE}")
    return survey_path, outcomes_path


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


class Stages:
    """Run and record stages: time, traced peak, max RSS."""

    def __init__(self, trace: bool, profile: str | None) -> None:
        self.rows: list[dict[str, Any]] = []
        self.trace = trace
        self.profile = profile

    def run(self, name: str, func: Callable[[], Any]) -> Any:
        gc.collect()
        prof = cProfile.Profile() if self.profile == name else None
        if self.trace:
            tracemalloc.start()
        if prof is not None:
            prof.enable()
        t0 = time.perf_counter()
        out = func()
        seconds = time.perf_counter() - t0
        if prof is not None:
            prof.disable()
        peak = np.nan
        if self.trace:
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        self.rows.append({"stage": name, "seconds": seconds, "peak_mib": peak, "max_rss_mib": max_rss_mib()})
        print(f"  {name}: {seconds:.2f} s", flush=True)
        if prof is not None:
            buf = io.StringIO()
            pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(25)
            print(buf.getvalue())
        return out

    def table(self) -> pd.DataFrame:
        t = pd.DataFrame(self.rows)
        floor = t.loc[t["stage"] == "read parquet", "seconds"].iloc[0]
        t["x_read"] = t["seconds"] / floor
        return t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of Gallup 2020's size (default 1; 0.001 for CI)")
    ap.add_argument("--seed", type=int, default=2020)
    ap.add_argument("--n-boot", type=int, default=2000, help="bootstrap replicates of the quartile comparison")
    ap.add_argument("--n-perm", type=int, default=None,
                    help="permutations for the quartile p-values (default: as many as --n-boot, the library default)")
    ap.add_argument("--report", action="store_true", help="also time the client report (papermill; slow)")
    ap.add_argument("--no-tracemalloc", action="store_true", help="time without tracemalloc (its overhead is small)")
    ap.add_argument("--profile", metavar="STAGE", help="cProfile one stage, e.g. 'score units'")
    args = ap.parse_args(argv)
    if args.scale <= 0:
        ap.error("--scale must be positive")

    survey_path, outcomes_path = generate(args.scale, args.seed)
    # import every stage's module (scipy, statsmodels) before timing: the stages measure work, not imports
    for name in ("scoring", "study", "quartiles", "meta", "regression", *(["reporting"] if args.report else [])):
        importlib.import_module(f"empathystats.{name}")
    importlib.import_module("statsmodels.api")
    st = Stages(trace=not args.no_tracemalloc, profile=args.profile)
    warnings.simplefilter("ignore")  # the benchmark reports times; the analyses' warnings are for analysts

    def read() -> tuple[pd.DataFrame, pd.DataFrame]:
        survey = pd.read_parquet(survey_path, columns=[*KEYS, *ITEMS])
        outcomes = pd.read_parquet(outcomes_path)
        return survey, outcomes

    survey, outcomes = st.run("read parquet", read)
    n_resp = len(survey)
    units = st.run("score units", functools.partial(es.score_units, survey))
    del survey  # the respondent table is not needed after scoring
    study = st.run("link (Study)", lambda: es.Study(units.table, outcomes))
    # at tiny scales an industry-specific outcome (e.g. shrinkage: retail only) may lack two companies
    names = [o for o in study.outcomes if study.data.loc[study.values(o).notna(), study.company].nunique() >= 2]
    if len(names) < len(study.outcomes):
        print("outcomes left out (fewer than two companies have them):", sorted(set(study.outcomes) - set(names)))
    st.run("quartiles", lambda: es.compare_quartiles(study, outcomes=names, n_boot=args.n_boot, n_perm=args.n_perm, seed=1))
    st.run("meta: Hunter-Schmidt", lambda: es.meta_analysis_all(study, outcomes=names, method="hunter-schmidt"))
    st.run("meta: random effects", lambda: es.meta_analysis_all(study, outcomes=names, method="random-effects"))
    st.run("regressions", lambda: es.fit_outcome_models(study, outcomes=names))
    if args.report:
        left_out = [o for o in study.outcomes if o not in names]
        rstudy = study if not left_out else es.Study(units.table, outcomes.drop(columns=left_out))
        with tempfile.TemporaryDirectory() as out:
            st.run("report", lambda: es.report(rstudy, out=out, progress=False))

    t = st.table()
    analysis = t.loc[t["stage"] != "report", "seconds"].sum()
    print(
        f"Gallup-scale study: {n_resp:,} respondents, {len(units.table):,} units reported, "
        f"{study.n_companies} companies, {len(names)} outcomes, {args.n_boot} bootstrap replicates, "
        f"{args.n_boot if args.n_perm is None else args.n_perm} permutations"
    )
    print(t.to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    score_s = t.loc[t["stage"] == "score units", "seconds"].iloc[0]
    print(
        f"total excluding the report: {analysis:.1f} s; scoring {n_resp / score_s:,.0f} respondents/s; "
        f"max RSS {max_rss_mib():,.0f} MiB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
