"""``empathystats report``: the command-line face of :func:`empathystats.report`.

Registered in :mod:`empathystats.cli` with one line; kept here so the CLI module stays
small and ``empathystats --version`` imports nothing heavy.

::

    empathystats report --demo [multi|retail] --out DIR
    empathystats report --survey S --outcomes O --out DIR [--costs C] [--title T]
                        [--min-respondents 5] [--seed 0] [--format html,xlsx,png,ipynb,pdf] [--debug]
"""

from __future__ import annotations

import argparse
import sys


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    """The report's options: the shared data options plus ``--out``, ``--costs``, ``--title``, ``--seed``..."""
    from .cli import add_input_arguments

    add_input_arguments(parser)
    rep = parser.add_argument_group("report")
    rep.add_argument("--out", required=True, metavar="DIR", help="output directory (created if missing)")
    rep.add_argument("--costs", metavar="FILE",
                     help="cost per unit of each outcome (csv/xlsx with columns outcome, cost) for the money impact")
    rep.add_argument("--title", help="report title (default from the organisation's name)")
    rep.add_argument("--seed", type=int, default=0, help="seed of the bootstrap and permutation tests (default 0)")
    rep.add_argument("--format", dest="formats", default="html,xlsx,png,ipynb,pdf", metavar="LIST",
                     help="comma-separated outputs among html,xlsx,png,ipynb,pdf (default all; pdf needs Chromium)")
    rep.add_argument("--no-progress", action="store_true", help="do not show the progress bar")


def run_report(args: argparse.Namespace) -> int:
    """Load the inputs (validated here, so file errors come before the notebook starts), run the report."""
    from .reporting import ReportError, report

    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    if args.demo and (args.survey or args.units or args.outcomes):
        from .errors import ParameterError

        raise ParameterError("Give either --demo or your files (--survey/--units and --outcomes), not both.")
    if args.demo:
        source: object = args.demo
    else:
        from .cli import load_inputs

        inputs = load_inputs(args)
        source = {"survey": inputs.survey, "outcomes": inputs.outcomes}
        if inputs.units is not None:
            source = {"units": inputs.units, "outcomes": inputs.outcomes}
    try:
        result = report(
            source,
            out=args.out,
            costs=args.costs,
            title=args.title,
            min_respondents=args.min_respondents,
            seed=args.seed,
            formats=formats,
            items=getattr(args, "items", None),
            scale=getattr(args, "scale", None),
            progress=False if args.no_progress else None,
        )
    except ReportError as exc:
        if args.debug and getattr(exc, "notebook_traceback", ""):
            sys.stderr.write("Traceback inside the report notebook:\n" + exc.notebook_traceback + "\n")
        raise
    lines = [f"Report written to {result.out}:"]
    lines += [f"  {row.artifact:<8} {row.path}" for row in result.table.itertuples(index=False)]
    lines += [f"  note: {n}" for n in result.notes]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
