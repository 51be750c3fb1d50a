"""Score ten times Gallup's 2020 respondent table (27 million rows) within a memory limit, with Dask.

The respondent table is generated once with numpy (2,760 companies, ~1.12
million units of ~24 respondents, 12 Q12-style items as nullable int8 with 2%
missing answers) and written as partitioned parquet (one file per ~1 million
rows) under ``benchmarks/.cache/``. Each path then runs in its own child
process so that its peak resident memory is its own:

* **dask**: ``es.score_units(dd.read_parquet(...))`` with the threaded
  scheduler (2 workers) -- partitions are scored one at a time per worker and
  only per-unit sums are kept;
* **pandas**: ``es.score_units(pd.read_parquet(...))`` -- the whole respondent
  table in memory.

The script prints, for each path, seconds, respondents per second and peak RSS,
whether it stayed within ``--limit-gib`` (default 2 GiB), and the largest
difference between the two unit tables (they must agree to floating-point
tolerance). With ``--enforce`` both children run under
``resource.setrlimit(RLIMIT_DATA, limit)``, so exceeding the limit is a
``MemoryError`` (reported as the pandas path failing), not just a number.

Usage::

    python benchmarks/bench_dask.py                   # 27 million respondents
    python benchmarks/bench_dask.py --scale 0.0005    # tiny (CI)
    python benchmarks/bench_dask.py --skip-pandas     # Dask only
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

CACHE = Path(os.environ.get("EMPATHYSTATS_BENCH_CACHE", Path(__file__).resolve().parent / ".cache"))
N_RESPONDENTS = 27_000_000  # 10 x Harter et al. (2020): 2.7 million employees
N_COMPANIES = 2_760
ROWS_PER_FILE = 1_000_000
ITEMS = [f"Q{i:02d}" for i in range(1, 13)]
KEYS = ["company", "unit_id", "period"]


def _chunk(rng: np.random.Generator, companies: np.ndarray, n_rows: int) -> pd.DataFrame:
    """Respondents of a few companies: ~24 per unit, answers driven by a unit and a person effect."""
    n_units = max(len(companies), round(n_rows / 24))
    unit_company = np.sort(rng.choice(companies, n_units))
    unit_of = np.sort(rng.integers(0, n_units, n_rows))
    person = rng.normal(3.7, 0.7, n_rows) + rng.normal(0, 0.35, n_units)[unit_of]
    answers = np.clip(np.rint(person[:, None] + rng.normal(0, 0.8, (n_rows, len(ITEMS)))), 1, 5).astype(np.int8)
    missing = rng.random((n_rows, len(ITEMS))) < 0.02
    comp = unit_company[unit_of]
    # unit ids unique across companies: company number and the unit's number within the chunk
    unit_names = np.char.add(np.char.add("C", np.char.zfill(unit_company.astype(str), 4)),
                             np.char.add("-U", np.char.zfill(np.arange(n_units).astype(str), 6)))
    data = {
        "company": pd.array(np.char.add("C", np.char.zfill(comp.astype(str), 4)), dtype="str"),
        "unit_id": pd.array(unit_names[unit_of], dtype="str"),
        "period": np.full(n_rows, 2020, dtype=np.int16),
    }
    for j, item in enumerate(ITEMS):
        data[item] = pd.arrays.IntegerArray(answers[:, j].copy(), missing[:, j].copy())
    return pd.DataFrame(data)


def generate(scale: float, seed: int = 27) -> Path:
    """Write (once) the partitioned parquet respondent table; return its directory."""
    n_rows = max(2_000, round(N_RESPONDENTS * scale))
    n_files = max(2, -(-n_rows // ROWS_PER_FILE))
    n_companies = max(n_files, round(N_COMPANIES * scale))
    folder = CACHE / f"dask_respondents_{n_rows}_s{seed}"
    if (folder / "_DONE").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    company_files = np.array_split(np.arange(n_companies), n_files)  # each company in one file
    row_files = np.diff(np.linspace(0, n_rows, n_files + 1).round().astype(np.int64))
    for f, (companies, rows) in enumerate(zip(company_files, row_files, strict=True)):
        _chunk(rng, companies, int(rows)).to_parquet(folder / f"part-{f:04d}.parquet", index=False)
    (folder / "_DONE").write_text(f"{n_rows} rows in {n_files} files\n")
    print(f"generated {n_rows:,} respondents in {n_files} parquet files in {time.perf_counter() - t0:.1f} s")
    return folder


def child(path: str, folder: Path, out: Path, limit: float | None, workers: int) -> None:
    """Score in this process (called by the parent in a subprocess); print a JSON line of figures."""
    if limit is not None:
        resource.setrlimit(resource.RLIMIT_DATA, (int(limit), int(limit)))
    import empathystats as es

    t0 = time.perf_counter()
    if path == "dask":
        import dask
        import dask.dataframe as dd

        with dask.config.set(scheduler="threads", num_workers=workers):
            survey = dd.read_parquet(str(folder / "*.parquet"), columns=[*KEYS, *ITEMS])
            units = es.score_units(survey)
        n = units.n_scored + int(units.dropped["count"].sum())
    else:
        survey = pd.read_parquet(folder, columns=[*KEYS, *ITEMS])
        n = len(survey)
        units = es.score_units(survey)
        del survey
    seconds = time.perf_counter() - t0
    units.table.to_parquet(out, index=False)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"path": path, "seconds": seconds, "rows": n, "units": len(units.table), "max_rss": rss}))


def run_child(path: str, folder: Path, limit: float, enforce: bool, workers: int) -> dict:
    out = folder.parent / f"{folder.name}_{path}_units.parquet"
    cmd = [sys.executable, __file__, "--child", path, "--folder", str(folder), "--out", str(out),
           "--workers", str(workers)]
    if enforce:
        cmd += ["--rlimit", str(limit)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-3:]
        return {"path": path, "seconds": np.nan, "rows": np.nan, "units": np.nan, "max_rss": np.nan,
                "error": " | ".join(tail), "out": None}
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    info["out"] = out
    return info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of 27 million respondents (0.0005 for CI)")
    ap.add_argument("--limit-gib", type=float, default=2.0, help="memory limit to stay within (GiB)")
    ap.add_argument("--enforce", action="store_true", help="run both paths under RLIMIT_DATA = the limit")
    ap.add_argument("--skip-pandas", action="store_true", help="do not run the in-memory pandas path")
    ap.add_argument("--workers", type=int, default=2, help="Dask threads")
    ap.add_argument("--child", choices=["dask", "pandas"], help=argparse.SUPPRESS)
    ap.add_argument("--folder", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    ap.add_argument("--rlimit", type=float, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child, Path(args.folder), Path(args.out), args.rlimit, args.workers)
        return 0
    if args.scale <= 0:
        ap.error("--scale must be positive")

    folder = generate(args.scale)
    limit = args.limit_gib * 2**30
    paths = ["dask"] if args.skip_pandas else ["dask", "pandas"]
    rows = [run_child(p, folder, limit, args.enforce, args.workers) for p in paths]
    table = pd.DataFrame(rows)
    table["respondents_per_s"] = table["rows"] / table["seconds"]
    table["peak_rss_gib"] = table["max_rss"] / 2**30
    table["within_limit"] = table["max_rss"] <= limit
    table[["rows", "units"]] = table[["rows", "units"]].astype("Int64")  # NA when a path failed
    cols = ["path", "rows", "units", "seconds", "respondents_per_s", "peak_rss_gib", "within_limit"]
    print(f"scoring {max(2_000, round(N_RESPONDENTS * args.scale)):,} respondents; memory limit {args.limit_gib:g} GiB")
    print(table[cols].to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    for r in rows:
        if "error" in r:
            print(f"{r['path']} path failed (over the {args.limit_gib:g} GiB limit?): {r['error']}")
    done = [r for r in rows if r.get("out")]
    if len(done) == 2:
        a, b = (pd.read_parquet(r["out"]) for r in done)
        num = ["n_respondents", "engagement", "engagement_sd", "pct_engaged", "pct_not_engaged",
               "pct_actively_disengaged"]
        same_keys = (a[["unit_id", "company"]].astype(str).to_numpy() == b[["unit_id", "company"]].astype(str)
                     .to_numpy()).all() and len(a) == len(b)
        diff = np.nanmax(np.abs(a[num].to_numpy(dtype=float) - b[num].to_numpy(dtype=float)))
        print(f"dask vs pandas unit tables: same units in the same order: {same_keys}; "
              f"largest absolute difference {diff:.2e}")
    return 0 if all("error" not in r for r in rows if r["path"] == "dask") else 1


if __name__ == "__main__":
    sys.exit(main())
