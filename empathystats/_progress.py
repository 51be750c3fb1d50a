"""Progress bars for long steps (bootstrap over outcomes, meta-analysis of every outcome, reports).

:func:`progress` wraps an iterable in a ``tqdm`` text bar (never a widget) when someone is
watching: a terminal (``sys.stderr.isatty()``) or a Jupyter kernel. It is quiet
in scripts whose output is redirected, in CI and in tests, and whenever the
environment variable ``EMPATHYSTATS_PROGRESS`` is ``0`` (``1`` forces it on).
Without tqdm installed it simply returns the iterable.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

__all__ = ["progress", "progress_enabled"]

T = TypeVar("T")

_OFF = {"0", "false", "no", "off"}
_ON = {"1", "true", "yes", "on"}


def _in_jupyter() -> bool:
    """True inside a Jupyter (IPython kernel) session."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # pragma: no cover - IPython internals
        return False
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def progress_enabled(enable: bool | None = None) -> bool:
    """Whether a progress bar would be shown: ``enable`` if given, else the environment and the terminal decide."""
    if enable is not None:
        return bool(enable)
    env = os.environ.get("EMPATHYSTATS_PROGRESS", "").strip().lower()
    if env in _OFF:
        return False
    if env in _ON:
        return True
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):  # closed or replaced stderr
        tty = False
    return tty or _in_jupyter()


def progress(
    iterable: Iterable[T], *, total: int | None = None, desc: str = "", enable: bool | None = None
) -> Iterable[T]:
    """Iterate over ``iterable`` with a text progress bar when interactive, silently otherwise.

    Parameters
    ----------
    iterable : iterable
        What to iterate over (e.g. outcome names).
    total : int, optional
        Number of items, when ``len(iterable)`` does not tell.
    desc : str
        Label shown before the bar (e.g. ``"bootstrap"``).
    enable : bool, optional
        Force the bar on (``True``) or off (``False``); default: shown in a
        terminal or Jupyter, hidden otherwise or when ``EMPATHYSTATS_PROGRESS=0``.

    Returns
    -------
    iterable
        The same items in the same order.

    Examples
    --------
    >>> from empathystats._progress import progress
    >>> [x for x in progress(["turnover", "absenteeism"], desc="outcomes", enable=False)]
    ['turnover', 'absenteeism']
    """
    if not progress_enabled(enable):
        return iterable
    try:
        from tqdm.std import tqdm  # a text bar everywhere: no ipywidgets needed, nothing odd in saved notebooks
    except ImportError:  # pragma: no cover - tqdm is a dependency, but stay usable without it
        return iterable
    if total is None:
        try:
            total = len(iterable)  # type: ignore[arg-type]
        except TypeError:
            total = None
    return _Bar(tqdm, iterable, total, desc)


class _Bar:
    """A tqdm bar that closes when iteration stops early (e.g. an exception in the loop body)."""

    def __init__(self, tqdm: Any, iterable: Iterable[Any], total: int | None, desc: str) -> None:
        self._tqdm, self._iterable, self._total, self._desc = tqdm, iterable, total, desc

    def __iter__(self) -> Iterator[Any]:
        bar = self._tqdm(self._iterable, total=self._total, desc=self._desc or None, leave=False,
                         dynamic_ncols=True, file=sys.stderr)
        try:
            yield from bar
        finally:
            bar.close()

    def __len__(self) -> int:
        return len(self._iterable)  # type: ignore[arg-type]
