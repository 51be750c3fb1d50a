"""The ``empathystats`` command line.

::

    empathystats --version
    empathystats describe --demo [multi|retail]
    empathystats describe --survey survey.csv --outcomes outcomes.csv [--min-respondents 5]
    empathystats describe --units units.csv [--percent] [--outcomes outcomes.csv]

A data problem prints a one-paragraph error (what, where, how to fix) and exits with
status 2; ``--debug`` shows the full traceback instead.

Adding a subcommand
-------------------
Each subcommand is a :class:`Subcommand` in the module-level list ``SUBCOMMANDS``: a
name, a one-line help, a function that adds its arguments to an
:class:`argparse.ArgumentParser`, and a function that runs it from the parsed
arguments and returns the exit status. Register one with a single line at the end of
this module (import heavy modules inside ``run`` so ``--version`` stays fast)::

    register("report", "write a client report", _add_report_arguments, _run_report)

The loaders :func:`load_inputs` (``--demo``/``--survey``/``--outcomes``/``--units``) and
:func:`add_input_arguments` are shared so every subcommand reads data the same way.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from . import __version__
from .errors import EmpathyStatsError

__all__ = ["main", "register", "Subcommand", "SUBCOMMANDS", "add_input_arguments", "load_inputs", "describe"]

EXIT_OK = 0
EXIT_DATA_ERROR = 2


@dataclass(frozen=True)
class Subcommand:
    """One ``empathystats <name>`` command."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


SUBCOMMANDS: list[Subcommand] = []


def register(
    name: str,
    help: str,
    add_arguments: Callable[[argparse.ArgumentParser], None],
    run: Callable[[argparse.Namespace], int],
) -> None:
    """Add (or replace) a subcommand."""
    SUBCOMMANDS[:] = [c for c in SUBCOMMANDS if c.name != name]
    SUBCOMMANDS.append(Subcommand(name, help, add_arguments, run))


# ---------------------------------------------------------------------------
# shared input handling
# ---------------------------------------------------------------------------
def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """``--demo``, ``--survey``, ``--outcomes``, ``--units``, ``--percent``, ``--encoding``, ``--min-respondents``."""
    src = parser.add_argument_group("data (either --demo, or your files)")
    src.add_argument("--demo", nargs="?", const="multi", choices=["multi", "retail"],
                     help="use bundled synthetic demo data: 'multi' (40 companies, default) or 'retail' (one retailer)")
    src.add_argument("--survey", metavar="FILE", help="respondent-level survey (csv, tsv, xlsx, parquet, sav)")
    src.add_argument("--outcomes", metavar="FILE", help="business outcomes, one row per unit and period")
    src.add_argument("--units", metavar="FILE",
                     help="unit-level engagement already aggregated per unit (instead of --survey)")
    src.add_argument("--percent", action="store_true",
                     help="read percent strings such as '63%%' in --units/--outcomes files as proportions")
    src.add_argument("--items", metavar="Q1,Q2,...", type=_comma_list,
                     help="item columns of the survey, comma-separated (default Q01,...,Q12)")
    src.add_argument("--scale", metavar="LOW,HIGH", type=_scale, default=(1, 5),
                     help="answer scale of the items (default 1,5)")
    src.add_argument("--encoding", help="text encoding of csv files (default utf-8; e.g. cp1252)")
    parser.add_argument("--min-respondents", type=int, default=5, metavar="N",
                        help="confidentiality threshold: units with fewer respondents are suppressed (default 5)")


def _comma_list(text: str) -> list[str]:
    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names:
        raise argparse.ArgumentTypeError("give the item column names separated by commas, e.g. Q1,Q2,Q3")
    return names


def _scale(text: str) -> tuple[float, float]:
    try:
        low, high = (float(t) for t in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"give the scale as LOW,HIGH, e.g. 1,5; got {text!r}") from None
    return low, high


@dataclass
class Inputs:
    """What a subcommand works on: a survey and/or a unit table, and outcomes (each may be None)."""

    survey: Any
    outcomes: Any
    units: Any
    label: str


def load_inputs(args: argparse.Namespace) -> Inputs:
    """Load the data named by :func:`add_input_arguments` (raises empathystats errors)."""
    from .errors import ParameterError

    given = [n for n in ("survey", "units") if getattr(args, n, None)]
    if args.demo and (given or args.outcomes):
        raise ParameterError("Use either --demo or your own files (--survey/--units, --outcomes), not both.")
    if args.survey and args.units:
        raise ParameterError("Use either --survey (respondent answers) or --units (unit-level engagement), not both.")
    if args.min_respondents < 1:
        raise ParameterError(f"--min-respondents must be at least 1; got {args.min_respondents}.")
    if args.demo:
        from .datasets import load_demo

        demo = load_demo(args.demo)
        return Inputs(demo.survey, demo.outcomes, None, f"demo data {args.demo!r} (synthetic)")
    if not (given or args.outcomes):
        raise ParameterError(
            "No data given. Use --demo for the bundled demo data, or --survey FILE (and --outcomes FILE), "
            "or --units FILE."
        )
    from .io import read_outcomes, read_survey, read_units

    enc = {"encoding": args.encoding} if args.encoding else {}
    survey = read_survey(args.survey, items=args.items, scale=args.scale, **enc) if args.survey else None
    units = read_units(args.units, percent=args.percent, **enc) if args.units else None
    outcomes = read_outcomes(args.outcomes, percent=args.percent, **enc) if args.outcomes else None
    label = ", ".join(str(p) for p in (args.survey, args.units, args.outcomes) if p)
    return Inputs(survey, outcomes, units, label)


# ---------------------------------------------------------------------------
# describe
# ---------------------------------------------------------------------------
def _keys(frame: Any, unit: str, period: str) -> Any:
    """Unit x period keys as text (so 7 and '7' match, as in Study)."""
    k = frame[unit].astype(str)
    if period in frame.columns:
        k = k + "\x1f" + frame[period].astype(str)
    return k


def _n(x: float) -> str:
    return f"{int(x):,}"


def _periods(frame: Any, period: str) -> str:
    if period not in frame.columns:
        return "1 (no period column)"
    vals = sorted(frame[period].dropna().unique().tolist(), key=str)
    shown = ", ".join(map(str, vals[:8])) + (" ..." if len(vals) > 8 else "")
    return f"{len(vals)} ({shown})"


def describe(
    survey: Any = None,
    outcomes: Any = None,
    units: Any = None,
    *,
    min_respondents: int = 5,
    label: str = "",
    unit: str = "unit_id",
    company: str = "company",
    period: str = "period",
    engagement: str = "engagement",
) -> str:
    """Text describing loaded data: companies, units, respondents, periods, outcomes, missing data.

    Counts only: no respondent id and no identifier of a unit under the confidentiality
    threshold is ever shown.
    """
    import numpy as np

    from .outcomes import outcome_values, resolve_specs

    lines: list[str] = [f"empathystats {__version__}: describe {label}".rstrip()]
    unit_keys = None
    if survey is not None:
        from .io import read_survey
        from .scoring import score_units

        attrs = getattr(survey, "attrs", {})
        if attrs.get("kind") != "survey":  # validate a frame that did not come from read_survey
            survey = read_survey(survey, unit=unit, company=company, period=period)
        items = survey.attrs["items"]
        scores = score_units(survey, items=items, unit=unit, company=company, period=period,
                             min_respondents=min_respondents, scale=survey.attrs["scale"])
        answers = survey[items].to_numpy(dtype="float32", na_value=np.nan)
        missing = np.isnan(answers)
        n_resp = len(survey)
        # a unit is company x unit x period, as in score_units
        group_cols = [c for c in (company, unit, period) if c in survey.columns]
        per_unit = survey.groupby(group_cols, sort=False, observed=True).size()
        n_small = len(scores.suppressed)
        n_small_resp = int(scores.suppressed["n_respondents"].sum()) if n_small else 0
        lines += [
            "",
            f"Survey ({survey.attrs.get('source', 'data')}):",
            f"  respondents:        {_n(n_resp)}",
            f"  companies:          {_n(survey[company].nunique()) if company in survey.columns else '1 (no company column)'}",
            f"  units:              {_n(survey[unit].nunique())} ({_n(len(per_unit))} unit-periods)",
            f"  periods:            {_periods(survey, period)}",
            f"  items:              {len(items)} ({items[0]}-{items[-1]}, scale {survey.attrs['scale'][0]:g}-"
            f"{survey.attrs['scale'][1]:g})",
            f"  respondents/unit:   median {np.median(per_unit.to_numpy()):g}, range "
            f"{per_unit.min():,}-{per_unit.max():,}",
            f"  missing answers:    {missing.mean():.1%} of item answers; worst item "
            f"{items[int(missing.mean(axis=0).argmax())]} ({missing.mean(axis=0).max():.1%}); "
            f"{_n(missing.all(axis=1).sum())} respondents answered no item",
            f"  confidentiality:    {_n(n_small)} unit-periods with fewer than {min_respondents} respondents "
            f"({_n(n_small_resp)} respondents) are suppressed from every output",
            f"  scored:             {_n(len(scores.table))} unit-periods, {_n(scores.n_scored)} respondents",
        ]
        for r in scores.dropped.itertuples(index=False):
            if "threshold" not in r.reason:
                lines.append(f"  not scored:         {_n(r.count)} {r.reason}" + (f" ({r.detail})" if r.detail else ""))
        unit_keys = _keys(scores.table, unit, period)
        suppressed_keys = _keys(scores.suppressed, unit, period) if n_small else None
    if units is not None:
        from .io import read_units

        if getattr(units, "attrs", {}).get("kind") != "units":
            units = read_units(units, unit=unit, company=company, period=period, engagement=engagement)
        e = units[engagement]
        lines += [
            "",
            f"Units ({units.attrs.get('source', 'data')}):",
            f"  unit-periods:       {_n(len(units))}",
            f"  companies:          {_n(units[company].nunique()) if company in units.columns else '1 (no company column)'}",
            f"  units:              {_n(units[unit].nunique())}",
            f"  periods:            {_periods(units, period)}",
            f"  engagement:         mean {e.mean():.3g}, SD {e.std():.3g}, range {e.min():.3g}-{e.max():.3g}; "
            f"{_n(e.isna().sum())} missing ({e.isna().mean():.1%})",
        ]
        ok = e.notna()
        if "n_respondents" in units.columns:
            small = (units["n_respondents"] < min_respondents).fillna(False)
            lines.append(f"  confidentiality:    {_n(small.sum())} unit-periods with fewer than {min_respondents} "
                         "respondents are suppressed from every output")
            ok &= ~small
        else:
            lines.append("  confidentiality:    no n_respondents column: the threshold cannot be checked")
        unit_keys = _keys(units.loc[ok], unit, period)
        suppressed_keys = None
    table = outcomes if outcomes is not None else units
    if table is not None:
        if outcomes is not None:
            from .io import read_outcomes

            table = outcomes if outcomes.attrs.get("kind") == "outcomes" else read_outcomes(outcomes, unit=unit,
                                                                                             period=period)
        specs = resolve_specs(None, table.columns)
        if outcomes is not None:
            lines += ["", f"Outcomes ({table.attrs.get('source', 'data')}):",
                      f"  rows:               {_n(len(table))} unit-periods; periods {_periods(table, period)}"]
        if specs:
            lines.append(f"  outcomes found:     {len(specs)}")
            width = max(len(n) for n in specs)
            lines.append(f"    {'outcome':<{width}}  {'better':<6}  {'kind':<10}  {'n':>7}  {'missing':>7}  value")
            for name, spec in specs.items():
                v = outcome_values(table, spec)
                how = (f"{name} / {spec.exposure}" + (f" x {spec.per:,g}" if spec.per != 1 else "")
                       if spec.exposure in table.columns else "as given")
                lines.append(f"    {name:<{width}}  {spec.better:<6}  {spec.kind:<10}  {_n(v.notna().sum()):>7}  "
                             f"{v.isna().mean():>7.1%}  {how}")
        elif outcomes is not None:
            lines.append("  outcomes found:     none of the standard outcome columns "
                         "(absenteeism, turnover, ...); pass specs in Python to declare your own")
        if outcomes is not None and unit_keys is not None:
            ok = _keys(table, unit, period)
            n_linked = int(unit_keys.isin(ok).sum())
            only_units = int((~unit_keys.isin(ok)).sum())
            orphan = ~ok.isin(unit_keys)
            n_supp = int(ok[orphan].isin(suppressed_keys).sum()) if suppressed_keys is not None else 0
            lines += [
                "",
                "Linking (unit x period):",
                f"  linked:             {_n(n_linked)} unit-periods have engagement and outcomes",
                f"  engagement only:    {_n(only_units)} unit-periods have no outcome row",
                f"  outcomes only:      {_n(orphan.sum())} outcome rows have no scored unit"
                + (f" ({_n(n_supp)} of them belong to suppressed units)" if n_supp else ""),
            ]
    return "\n".join(lines)


def _add_describe_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)


def _run_describe(args: argparse.Namespace) -> int:
    inputs = load_inputs(args)
    text = describe(inputs.survey, inputs.outcomes, inputs.units, min_respondents=args.min_respondents,
                    label=inputs.label)
    sys.stdout.write(text + "\n")
    return EXIT_OK


register("describe", "show what was loaded: companies, units, respondents, periods, outcomes, missing data",
         _add_describe_arguments, _run_describe)

# `empathystats report` lives in empathystats/_report_cli.py (owned by the report engineer)
from ._report_cli import add_report_arguments, run_report  # noqa: E402

register("report", "write the client impact report (HTML, Excel, PNG, notebook, PDF)", add_report_arguments, run_report)


# ---------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    parser = argparse.ArgumentParser(
        prog="empathystats",
        description="Engagement-outcome studies (Q12-style surveys, quartile comparisons, meta-analysis).",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"empathystats {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for cmd in SUBCOMMANDS:
        p = sub.add_parser(cmd.name, help=cmd.help, description=cmd.help, parents=[common])
        cmd.add_arguments(p)
        p.set_defaults(_run=cmd.run)
    return parser


# the library's fixes name Python keywords; on the command line, say the option too
_CLI_HINTS = [
    ("pass percent=True", "pass --percent (percent=True in Python)"),
    ("e.g. encoding='cp1252'", "e.g. --encoding cp1252 (encoding='cp1252' in Python)"),
    ("pass items=[...]", "pass --items q1,q2,... (items=[...] in Python)"),
    ("pass scale=(low, high)", "pass --scale LOW,HIGH (scale=(low, high) in Python)"),
]


def _error(message: str, command: str | None, stream: TextIO) -> None:
    for python, option in _CLI_HINTS:
        message = message.replace(python, option)
    prefix = f"empathystats {command}: error: " if command else "empathystats: error: "
    stream.write(prefix + " ".join(message.split()) + "\n(run with --debug to see the traceback)\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 data or usage error)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_DATA_ERROR
    if getattr(args, "_run", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_DATA_ERROR
    try:
        return int(args._run(args))
    except EmpathyStatsError as exc:
        if args.debug:
            traceback.print_exc()
        else:
            _error(str(exc), args.command, sys.stderr)
        return EXIT_DATA_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
