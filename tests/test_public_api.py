"""The public face (DESIGN.md): every exported name resolves, and importing is lean and offline."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import empathystats as es


def test_every_public_name_resolves():
    missing = [name for name in es.__all__ if not hasattr(es, name)]
    assert missing == []


def test_unknown_attribute_is_an_attribute_error():
    try:
        es.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_import_is_lean_and_touches_no_network():
    # Importing the package must not load the heavy stack nor open a socket.
    code = textwrap.dedent(
        """
        import socket, sys
        def refuse(*a, **k):
            raise RuntimeError("network touched at import")
        socket.socket.connect = refuse
        socket.create_connection = refuse
        import empathystats
        heavy = [m for m in ("pandas", "scipy", "statsmodels", "matplotlib") if m in sys.modules]
        print(",".join(heavy))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_error_hierarchy():
    assert issubclass(es.DataError, es.EmpathyStatsError) and issubclass(es.DataError, ValueError)
    assert issubclass(es.ParameterError, es.EmpathyStatsError) and issubclass(es.ParameterError, ValueError)
