"""Shared test setup: a non-interactive plotting backend and fixed seeds."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
