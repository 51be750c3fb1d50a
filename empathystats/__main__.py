"""``python -m empathystats``: the same as the ``empathystats`` command."""

from .cli import main

raise SystemExit(main())
