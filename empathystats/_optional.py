"""Lazy imports of optional extras, with an install hint when one is missing."""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import MissingDependencyError


def require(module: str, *, extra: str, purpose: str) -> ModuleType:
    """Import ``module`` or raise a :class:`MissingDependencyError` saying which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependencyError(
            f"To {purpose}, empathystats needs the optional package {module!r}. "
            f"Fix: pip install 'empathystats[{extra}]' (or pip install {module})."
        ) from None
