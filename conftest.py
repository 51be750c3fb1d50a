"""Repository-wide pytest setup (applies to tests/ and to the notebooks nbval runs).

Notebook kernels inherit this process's environment: progress bars are switched off so that
their stderr never lands in an output cell that nbval compares, and plots use a file backend.
"""

import os

os.environ.setdefault("EMPATHYSTATS_PROGRESS", "0")
os.environ.setdefault("MPLBACKEND", "Agg")
