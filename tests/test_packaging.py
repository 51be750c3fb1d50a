"""Packaging contracts: dependency lists in sync, README commands match CI, package data present."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
tomllib = pytest.importorskip("tomllib")


def _name(req: str) -> tuple[str, str]:
    """'dask[dataframe]>=2024.1' -> ('dask', '>=2024.1')."""
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$", req)
    assert m, req
    return m.group(1).lower().replace("_", "-"), m.group(3).replace(" ", "")


def _pyproject_deps() -> dict[str, str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(meta["dependencies"])
    for extra in meta["optional-dependencies"].values():
        reqs += [r for r in extra if not r.startswith("empathystats")]
    return dict(_name(r) for r in reqs)


def _environment_deps() -> dict[str, str]:
    deps = {}
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("dependencies:", 1)[1].splitlines():
        m = re.match(r"^\s{2}- ([A-Za-z0-9_.\-\[\]]+[^#]*)$", line)
        if m and not line.strip().endswith(":"):
            name, spec = _name(m.group(1).strip())
            if name not in ("python", "pip"):
                deps[name] = spec
    return deps


def test_environment_yml_matches_pyproject():
    assert _environment_deps() == _pyproject_deps()


def test_sync_check_detects_drift():
    # the comparison above must be able to fail: drop one dependency and it differs
    env = _environment_deps()
    env.pop("scipy")
    assert env != _pyproject_deps()


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    cmd = next(line for line in ci.splitlines() if line.startswith("python3 -m venv"))
    assert cmd in readme


def test_py_typed_and_console_script_declared():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert (ROOT / "empathystats" / "py.typed").exists()
    assert meta["scripts"]["empathystats"] == "empathystats.cli:main"


def test_ruff_clean():
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff not installed in this environment")
    out = subprocess.run([str(ruff), "check", "empathystats", "tests", "benchmarks", "scripts"], cwd=ROOT,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
