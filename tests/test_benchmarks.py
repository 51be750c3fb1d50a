"""Every script in benchmarks/ runs at a tiny scale and prints its table.

This proves the scripts work (CI cannot afford their full scale); it never
asserts a time. The scripts run concurrently in subprocesses, with their
parquet caches in a temporary folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
SCRIPTS = sorted(p.name for p in BENCH.glob("*.py") if not p.name.startswith("_"))  # _units.py is a module

#: tiny-scale arguments; every script takes --scale
TINY = ["--scale", "0.0005"]
EXTRA = {
    "bench_quartiles.py": ["--n-boot", "50"],
    "bench_scoring.py": ["--repeat", "1"],
    "gallup_scale.py": ["--n-boot", "50"],
}
#: text each script's output must contain (its table's header or summary line)
EXPECT = {
    "gallup_scale.py": ["stage", "seconds", "peak_mib", "max_rss_mib", "x_read", "score units", "regressions"],
    "bench_dask.py": ["path", "respondents_per_s", "peak_rss_gib", "within_limit", "dask vs pandas"],
    "bench_scoring.py": ["score_units:", "respondents/s"],
    "bench_quartiles.py": ["compare_quartiles:"],
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess]:
    cache = tmp_path_factory.mktemp("bench_cache")
    env = {**os.environ, "EMPATHYSTATS_BENCH_CACHE": str(cache), "EMPATHYSTATS_PROGRESS": "0", "MPLBACKEND": "Agg"}
    procs = {
        name: subprocess.Popen(
            [sys.executable, str(BENCH / name), *TINY, *EXTRA.get(name, [])],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=cache,
        )
        for name in SCRIPTS
    }
    out = {}
    for name, proc in procs.items():
        try:
            stdout, stderr = proc.communicate(timeout=600)
        except subprocess.TimeoutExpired:
            proc.kill()
            stdout, stderr = proc.communicate()
        out[name] = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    return out


def test_there_are_benchmarks() -> None:
    assert {"gallup_scale.py", "bench_dask.py", "bench_scoring.py"} <= set(SCRIPTS)


@pytest.mark.parametrize("name", SCRIPTS)
def test_benchmark_runs_at_tiny_scale(runs: dict[str, subprocess.CompletedProcess], name: str) -> None:
    res = runs[name]
    assert res.returncode == 0, f"{name} failed:\n{res.stderr[-3000:]}"
    assert res.stdout.strip(), f"{name} printed nothing"
    for text in EXPECT.get(name, []):
        assert text in res.stdout, f"{name} output lacks {text!r}:\n{res.stdout[-2000:]}"
