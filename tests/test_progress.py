"""Progress bars: shown when forced or interactive, quiet otherwise (empathystats/_progress.py)."""

from __future__ import annotations

import io
import sys

import pytest

from empathystats._progress import progress, progress_enabled


class _TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_items_and_order_unchanged() -> None:
    items = ["turnover", "absenteeism", "profitability"]
    assert list(progress(items, enable=False)) == items
    assert list(progress(items, enable=True, desc="outcomes")) == items
    assert list(progress(iter(items), total=3, enable=True)) == items  # no len()


def test_quiet_when_not_interactive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMPATHYSTATS_PROGRESS", raising=False)
    buf = io.StringIO()  # not a terminal, and no Jupyter kernel in pytest
    monkeypatch.setattr(sys, "stderr", buf)
    items = [1, 2, 3]
    assert progress_enabled() is False
    assert progress(items) is items  # returned untouched: no bar object at all
    assert buf.getvalue() == ""


def test_bar_in_a_terminal_and_env_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMPATHYSTATS_PROGRESS", raising=False)
    tty = _TTY()
    monkeypatch.setattr(sys, "stderr", tty)
    assert progress_enabled() is True
    assert list(progress(range(4), desc="bootstrap")) == [0, 1, 2, 3]
    out = tty.getvalue()
    assert "bootstrap" in out and "/4" in out  # tqdm throttles redraws; the first one names the total
    monkeypatch.setenv("EMPATHYSTATS_PROGRESS", "0")
    assert progress_enabled() is False
    monkeypatch.setenv("EMPATHYSTATS_PROGRESS", "1")
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert progress_enabled() is True
    assert progress_enabled(False) is False  # an explicit choice wins


def test_bar_closes_when_the_loop_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    tty = _TTY()
    monkeypatch.setattr(sys, "stderr", tty)
    with pytest.raises(RuntimeError):
        for i in progress(range(10), enable=True, desc="meta"):
            if i == 2:
                raise RuntimeError("stop")
    assert "meta" in tty.getvalue()
