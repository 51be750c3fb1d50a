"""Shared test setup: a non-interactive plotting backend in this process only.

(Not through the MPLBACKEND environment variable: notebook kernels started by nbval inherit
the environment and must keep their inline backend.)
"""

import matplotlib

matplotlib.use("Agg")
