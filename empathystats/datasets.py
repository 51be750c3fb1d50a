"""Bundled demo data: synthetic studies with a known truth.

Two demos ship inside the package (``empathystats/data/``, so they are found in a
source checkout, an editable install and an installed wheel alike); the data card
is ``data/README.md`` in the repository. Both were made by
:func:`empathystats.simulate_study` with fixed seeds by
``scripts/make_demo_data.py``, which regenerates them byte for byte.

* ``"multi"``: 40 companies in five industries, 2 periods, about 40,000 respondents
  in about 1,200 units: the cross-company meta-analysis setting.
* ``"retail"``: one retailer ("Northwind Retail", fictional), 150 stores, 2 periods,
  with illustrative costs per leaver, absence day, incident and shrinkage dollar:
  the single-client report setting.

>>> import empathystats as es
>>> demo = es.load_demo("retail")
>>> demo.survey["unit_id"].nunique()
150
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any

import pandas as pd

from ._checks import check_choice

__all__ = ["load_demo", "Demo", "DEMOS"]

#: Demo name -> one-line description.
DEMOS: dict[str, str] = {
    "multi": (
        "Synthetic multi-company study: 40 companies (retail, healthcare, manufacturing, finance, hospitality), "
        "2 periods, Q12-style items Q01-Q12 on 1-5, nine standard outcomes with exposures; true within-company "
        "correlations of the size of Harter et al. (2020). Made by simulate_study(seed=2020)."
    ),
    "retail": (
        "Synthetic single client: one retailer (Northwind Retail, fictional), 150 stores, 2 periods, "
        "Q12-style items Q01-Q12 on 1-5, absenteeism, turnover, safety, shrinkage, productivity, profitability "
        "and customer loyalty; illustrative costs per outcome in .costs. Made by simulate_study(seed=150)."
    ),
}

_ITEMS = [f"Q{i:02d}" for i in range(1, 13)]
_NULLABLE = ["patient_days", "patient_safety_incidents", "units_produced", "quality_defects", "sales", "shrinkage"]
_INTS = ["period", "headcount", "scheduled_days", "absenteeism", "turnover", "hours_worked", "safety_incidents"]


@dataclass
class Demo:
    """A bundled demo study.

    Attributes
    ----------
    name : str
        ``"multi"`` or ``"retail"``.
    description : str
        What the data are and how they were made.
    survey : DataFrame
        Respondents: ``respondent_id, unit_id, company, period, industry, region, Q01..Q12`` (``Int8``, 1-5, blanks missing).
    outcomes : DataFrame
        One row per unit x period: ``unit_id, period``, outcome numerators and their exposure columns.
    truth : DataFrame
        Per outcome: the true correlation ``rho`` used, ``sd_rho`` across companies, and the realised
        within-company correlations with true unit engagement (see :class:`empathystats.simulate.SimulationTruth`).
    costs : DataFrame or None
        Retail only: ``outcome, cost, per, currency, note``, illustrative costs per unit of outcome
        (per leaver, per day absent, per recordable incident, per dollar of shrinkage), not client data.
    """

    name: str
    description: str
    survey: pd.DataFrame
    outcomes: pd.DataFrame
    truth: pd.DataFrame
    costs: pd.DataFrame | None = None

    def __repr__(self) -> str:
        s = self.survey
        return (
            f"Demo({self.name!r}: {s['company'].nunique()} companies, {s['unit_id'].nunique()} units, "
            f"{s['period'].nunique()} periods, {len(s)} respondents, {len(self.outcomes)} outcome rows)"
        )


def _read(name: str, table: str, dtype: dict[str, Any] | None = None) -> pd.DataFrame:
    path = resources.files("empathystats").joinpath("data", f"{name}_{table}.csv")
    with resources.as_file(path) as p:
        return pd.read_csv(p, dtype=dtype, encoding="utf-8")


def load_demo(name: str = "multi") -> Demo:
    """Load a bundled synthetic demo study.

    The files are csv, as clients send them, in ``empathystats/data/``; columns and
    units are described in the data card ``data/README.md``. The frames have the
    dtypes :func:`empathystats.simulate_study` returns (items as nullable ``Int8``,
    industry-specific outcome columns as nullable ``Int64``), so they pass straight
    to :func:`empathystats.read_survey`, :func:`empathystats.read_outcomes` and
    :meth:`empathystats.Study.from_survey`.

    Parameters
    ----------
    name : {"multi", "retail"}
        ``"multi"``: 40 companies, 2 periods (meta-analysis across companies).
        ``"retail"``: one retailer with 150 stores, 2 periods, plus ``costs``.

    Returns
    -------
    Demo
        ``.survey``, ``.outcomes``, ``.truth``, ``.name``, ``.description`` and ``.costs``
        (``None`` for "multi").

    Examples
    --------
    >>> import empathystats as es
    >>> demo = es.load_demo("multi")
    >>> study = es.Study.from_survey(demo.survey, demo.outcomes)  # doctest: +SKIP
    >>> float(demo.truth.set_index("outcome").loc["customer_loyalty", "rho"])
    0.17

    References
    ----------
    Harter, J. K., et al. (2020). *The relationship between engagement at work and organizational
    outcomes: 2020 Q12 meta-analysis* (10th ed.). Gallup. (sizes of the true correlations)
    """
    check_choice(name, list(DEMOS), name="name", func="load_demo")
    survey = _read(
        name,
        "survey",
        {"unit_id": "str", "company": "str", "industry": "str", "region": "str", "respondent_id": "int64",
         "period": "int64", **{q: "Int8" for q in _ITEMS}},
    )
    outcomes = _read(name, "outcomes", {"unit_id": "str"})
    for c in outcomes.columns:
        if c in _NULLABLE:
            outcomes[c] = outcomes[c].astype("Int64")
        elif c in _INTS:
            outcomes[c] = outcomes[c].astype("int64")
    truth = _read(name, "truth", {"outcome": "str"})
    costs = _read(name, "costs", {"outcome": "str", "per": "str", "currency": "str", "note": "str"}) if name == "retail" else None
    return Demo(name=name, description=DEMOS[name], survey=survey, outcomes=outcomes, truth=truth, costs=costs)
