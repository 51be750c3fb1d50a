"""Outcome specifications: what each business outcome is and which way is better.

An :class:`OutcomeSpec` says how an outcome column is read and compared:

* ``better``: ``"higher"`` or ``"lower"``; percent differences are signed so that
  better is positive and labelled "% higher" / "% lower".
* ``kind``: ``rate``, ``count``, ``proportion``, ``amount`` or ``score``.
* ``exposure``: the denominator column (scheduled days, headcount, hours worked...).
  When the exposure column is present in the outcome table, the outcome column
  holds the *numerator* (days absent, leavers, incidents, money lost) and the
  analysed value is ``outcome / exposure * per``. When it is absent, the outcome
  column already holds the analysed value (e.g. turnover as a proportion).
* ``per``: the scale of the analysed value (e.g. incidents per 200,000 hours
  worked, the OSHA convention; patient-safety incidents per 1,000 patient days).
* ``reliability``: the outcome's reliability for meta-analytic correction, or
  ``None`` for no correction.

The standard outcomes are those of DESIGN.md; users add or override their own:

>>> import empathystats as es
>>> spec = es.OutcomeSpec("complaints", better="lower", kind="count", exposure="customers", per=1000)
>>> specs = es.default_specs() | {"complaints": spec}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from .errors import ParameterError

__all__ = ["OutcomeSpec", "STANDARD_OUTCOMES", "default_specs", "resolve_specs", "outcome_values"]

KINDS = ("rate", "count", "proportion", "amount", "score")


@dataclass(frozen=True)
class OutcomeSpec:
    """How one business outcome is read, scaled and compared.

    Parameters
    ----------
    name : str
        Column name of the outcome in the outcome table.
    better : {"higher", "lower"}
        Direction of improvement.
    kind : {"rate", "count", "proportion", "amount", "score"}
        Measurement type; drives validation and the regression family.
    exposure : str or None
        Denominator column (see module docstring). ``None``: the column is the value.
    reliability : float or None
        Reliability of the outcome measure, in (0, 1], for attenuation correction.
    unit_label : str
        How the analysed value reads, e.g. "per 200,000 hours".
    per : float
        Multiplier applied to ``outcome / exposure``.
    label : str
        Human name used in sentences and charts; defaults to ``name`` with spaces.
    """

    name: str
    better: Literal["higher", "lower"] = "higher"
    kind: Literal["rate", "count", "proportion", "amount", "score"] = "amount"
    exposure: str | None = None
    reliability: float | None = None
    unit_label: str = ""
    per: float = 1.0
    label: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ParameterError(f"The 'name' parameter of OutcomeSpec must be a non-empty string; got {self.name!r} instead.")
        if self.better not in ("higher", "lower"):
            raise ParameterError(
                f"The 'better' parameter of OutcomeSpec must be 'higher' or 'lower'; got {self.better!r} instead "
                f"(outcome {self.name!r})."
            )
        if self.kind not in KINDS:
            raise ParameterError(
                f"The 'kind' parameter of OutcomeSpec must be one of {', '.join(map(repr, KINDS))}; "
                f"got {self.kind!r} instead (outcome {self.name!r})."
            )
        if self.reliability is not None and not (0 < float(self.reliability) <= 1):
            raise ParameterError(
                f"The 'reliability' parameter of OutcomeSpec must be in (0, 1]; got {self.reliability!r} "
                f"instead (outcome {self.name!r})."
            )
        if not (np.isfinite(self.per) and self.per > 0):
            raise ParameterError(f"The 'per' parameter of OutcomeSpec must be a positive number; got {self.per!r} instead.")
        if not self.label:
            object.__setattr__(self, "label", self.name.replace("_", " "))

    @property
    def sign(self) -> int:
        """+1 when higher is better, -1 when lower is better."""
        return 1 if self.better == "higher" else -1

    def with_(self, **changes: Any) -> OutcomeSpec:
        """A copy with some fields changed (e.g. ``spec.with_(exposure=None)``)."""
        return replace(self, **changes)


STANDARD_OUTCOMES: dict[str, OutcomeSpec] = {
    s.name: s
    for s in [
        OutcomeSpec("absenteeism", "lower", "rate", "scheduled_days", unit_label="share of scheduled days"),
        OutcomeSpec("turnover", "lower", "proportion", "headcount", unit_label="leavers per head"),
        OutcomeSpec("safety_incidents", "lower", "count", "hours_worked", unit_label="per 200,000 hours", per=200_000,
                    label="safety incidents"),
        OutcomeSpec("patient_safety_incidents", "lower", "count", "patient_days", unit_label="per 1,000 patient days",
                    per=1_000, label="patient safety incidents"),
        OutcomeSpec("quality_defects", "lower", "count", "units_produced", unit_label="per 1,000 units", per=1_000,
                    label="quality defects"),
        OutcomeSpec("shrinkage", "lower", "amount", "sales", unit_label="share of sales"),
        OutcomeSpec("productivity", "higher", "amount", None, unit_label="sales per labour hour"),
        OutcomeSpec("profitability", "higher", "rate", None, unit_label="profit margin"),
        OutcomeSpec("customer_loyalty", "higher", "score", None, unit_label="loyalty score (0-100)",
                    label="customer loyalty"),
    ]
}


def default_specs() -> dict[str, OutcomeSpec]:
    """A fresh copy of the standard outcome specs (DESIGN.md table).

    The nine business outcomes of Gallup-style engagement-outcome studies, each
    with its direction, kind, exposure and scale:

    ========================  ======  ==========  ==============  =========
    outcome                   better  kind        exposure        per
    ========================  ======  ==========  ==============  =========
    absenteeism               lower   rate        scheduled_days  1
    turnover                  lower   proportion  headcount       1
    safety_incidents          lower   count       hours_worked    200,000
    patient_safety_incidents  lower   count       patient_days    1,000
    quality_defects           lower   count       units_produced  1,000
    shrinkage                 lower   amount      sales           1
    productivity              higher  amount      (none)          1
    profitability             higher  rate        (none)          1
    customer_loyalty          higher  score       (none)          1
    ========================  ======  ==========  ==============  =========

    The analysed value is ``outcome / exposure * per`` when the exposure column is
    present (see :func:`outcome_values`). No spec carries a reliability (no
    attenuation correction unless the user sets one).

    Returns
    -------
    dict of str to OutcomeSpec
        A new dict (changing it leaves :data:`STANDARD_OUTCOMES` alone); the specs
        themselves are frozen, so change one with ``spec.with_(...)``.

    Examples
    --------
    >>> import empathystats as es
    >>> specs = es.default_specs()
    >>> specs["safety_incidents"].per, specs["turnover"].better
    (200000, 'lower')
    >>> specs["turnover"] = specs["turnover"].with_(exposure=None)  # turnover given as a proportion
    >>> es.default_specs()["turnover"].exposure
    'headcount'

    References
    ----------
    Harter, J. K., Schmidt, F. L., Agrawal, S., Blue, A., Plowman, S. K., Josh, P., & Asplund, J. (2020).
    *The relationship between engagement at work and organizational outcomes: 2020 Q12 meta-analysis*
    (10th ed.). Gallup (the outcome categories). Safety incidents per 200,000 hours worked follow the
    U.S. Bureau of Labor Statistics / OSHA incidence-rate convention (100 full-time workers x 2,000 hours).
    """
    return dict(STANDARD_OUTCOMES)


def resolve_specs(
    specs: Mapping[str, OutcomeSpec | Mapping[str, Any]] | None, columns: Any = None
) -> dict[str, OutcomeSpec]:
    """Merge user specs over the defaults and keep those whose column is present.

    ``specs`` maps outcome name to an :class:`OutcomeSpec` or to a dict of field
    overrides (``{"turnover": {"exposure": None}}``). With ``columns`` given, only
    outcomes present among the columns are returned.
    """
    out = default_specs()
    for name, spec in (specs or {}).items():
        if isinstance(spec, OutcomeSpec):
            out[name] = spec
        elif isinstance(spec, Mapping):
            base = out.get(name, OutcomeSpec(name))
            try:
                out[name] = base.with_(**dict(spec))
            except TypeError as exc:
                raise ParameterError(
                    f"The 'specs' entry for {name!r} has an unknown field: {exc}. Fields are: name, better, kind, "
                    "exposure, reliability, unit_label, per, label."
                ) from None
        else:
            raise ParameterError(
                f"The 'specs' parameter must map outcome names to OutcomeSpec or dict; got {type(spec).__name__} "
                f"for {name!r} instead."
            )
    if columns is not None:
        cols = set(columns)
        out = {k: v for k, v in out.items() if k in cols}
    return out


def outcome_values(data: pd.DataFrame, spec: OutcomeSpec) -> pd.Series:
    """The analysed value of an outcome for each row: ``outcome / exposure * per`` or the raw column.

    Rows with zero or missing exposure give NaN (they cannot be compared).
    """
    y = data[spec.name].astype(float)
    if spec.exposure is not None and spec.exposure in data.columns:
        e = data[spec.exposure].astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            v = y / e.where(e > 0) * spec.per
        return v.rename(spec.name)
    return y.rename(spec.name)


def uses_exposure(data: pd.DataFrame, spec: OutcomeSpec) -> bool:
    """True when the outcome column is a numerator over an exposure column present in ``data``."""
    return spec.exposure is not None and spec.exposure in data.columns
