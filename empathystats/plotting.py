"""Shared matplotlib helpers: every plot function takes ``ax=None`` and returns the Axes.

matplotlib is imported here, lazily, only when something is drawn. Figures are
never shown (no ``plt.show()``): notebooks display them, reports save them.
"""

from __future__ import annotations

from typing import Any

#: colours used across the package (colour-blind safe: Okabe & Ito 2008)
BETTER = "#009E73"
WORSE = "#D55E00"
NEUTRAL = "#0072B2"
GREY = "#999999"
QUARTILE_COLOURS = ("#D55E00", "#E69F00", "#56B4E9", "#009E73")


def get_ax(ax: Any = None, *, figsize: tuple[float, float] = (7.0, 4.5)) -> Any:
    """Return ``ax``, or the Axes of a new figure when ``ax`` is None."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def finish(ax: Any, *, title: str | None = None, xlabel: str | None = None, ylabel: str | None = None) -> Any:
    """Apply the package's light style (no top/right spines) and labels; return ``ax``."""
    if title:
        ax.set_title(title, loc="left", fontsize=11)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return ax
