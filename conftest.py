"""Repository-wide pytest setup (applies to tests/ and to the notebooks nbval runs).

Notebook kernels inherit this process's environment: progress bars are switched off so that
their stderr never lands in an output cell that nbval compares. (The plotting backend is set in
tests/conftest.py only: notebook kernels keep their inline backend.)
"""

import os

os.environ.setdefault("EMPATHYSTATS_PROGRESS", "0")
