"""The linked unit table: engagement and outcomes, one row per unit x period.

A :class:`Study` holds data and knows nothing of the analyses; every analysis
takes a Study (or a plain unit-level DataFrame, turned into one by
:func:`as_study`). Respondent-level rows never enter a Study: it holds unit
aggregates only, so nothing built from it can leak a respondent.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ._checks import check_columns, check_dataframe, check_number
from .errors import ParameterError, data_error
from .outcomes import OutcomeSpec, outcome_values, resolve_specs
from .results import dropped_frame

__all__ = ["Study", "as_study"]


def _duplicates(df: pd.DataFrame, keys: list[str], what: str, source: str) -> None:
    dup = df.duplicated(keys, keep=False)
    if dup.any():
        rows = [(int(i) + 2, tuple(r)) for i, r in zip(np.flatnonzero(dup.to_numpy()), df.loc[dup, keys].itertuples(index=False), strict=True)]
        raise data_error(
            f"{int(dup.sum())} rows share the same {' x '.join(keys)}; each {what} must appear once",
            source=source,
            column=keys[0],
            rows=rows,
            fix="remove or aggregate the duplicated rows (one row per unit and period).",
        )


class Study:
    """Unit-level engagement linked to business outcomes.

    Parameters
    ----------
    units : DataFrame
        One row per unit x period with at least ``unit`` and ``engagement``
        (and usually ``company``, ``period``, ``n_respondents``): the table from
        :func:`empathystats.score_units`, or a vendor's unit-level export.
    outcomes : DataFrame
        One row per unit x period with outcome and exposure columns.
    specs : mapping, optional
        Outcome specs overriding or extending :func:`empathystats.default_specs`.
    unit, company, period : str
        Key column names. A missing ``company`` column means one company (named
        "all"); a missing ``period`` column means one period (1). Both are noted.
    engagement : str
        Column of unit engagement.
    min_respondents : int
        Units with fewer respondents (when ``n_respondents`` is present) are
        suppressed and counted in ``dropped``.

    Attributes
    ----------
    data : DataFrame
        The linked table, one row per unit x period, outcomes as given.
    specs : dict
        Specs of the outcomes present.
    unmatched : DataFrame
        ``side, unit_id, period`` of unit rows without outcomes and outcome rows without units.
    dropped : DataFrame
        ``reason, count, detail`` of everything excluded while linking.

    Examples
    --------
    >>> import empathystats as es
    >>> demo = es.load_demo("retail")
    >>> study = es.Study.from_survey(demo.survey, demo.outcomes)
    >>> study.n_units > 0
    True
    """

    def __init__(
        self,
        units: pd.DataFrame,
        outcomes: pd.DataFrame | None = None,
        specs: Mapping[str, OutcomeSpec | Mapping[str, Any]] | None = None,
        *,
        unit: str = "unit_id",
        company: str = "company",
        period: str = "period",
        engagement: str = "engagement",
        min_respondents: int = 5,
        source: str = "units",
        _suppressed: pd.DataFrame | None = None,
    ) -> None:
        check_dataframe(units, name="units", func="Study")
        check_number(min_respondents, name="min_respondents", func="Study", low=1, integer=True)
        units = units.copy()
        notes: list[str] = []
        drops: list[tuple[str, int, str]] = []
        check_columns(units, [unit, engagement], source=source)
        if units.empty:
            raise data_error(
                "the unit table has no rows",
                source=source,
                fix="pass a table with one row per unit (and period); if it came from score_units, check that some "
                "units reach min_respondents.",
            )
        # a key column named explicitly must exist; only the default names may be absent (one company / period)
        explicit = [c for c, default in ((company, "company"), (period, "period")) if c != default]
        check_columns(units, explicit, source=source)
        if company not in units.columns:
            units[company] = "all"
            notes.append("No company column: all units treated as one company.")
        if period not in units.columns:
            units[period] = 1
            notes.append("No period column: all rows treated as one period.")
        if not pd.api.types.is_numeric_dtype(units[engagement]):
            bad = pd.to_numeric(units[engagement], errors="coerce").isna() & units[engagement].notna()
            raise data_error(
                "engagement must be numeric",
                source=source,
                column=engagement,
                rows=[(int(i) + 2, v) for i, v in zip(np.flatnonzero(bad.to_numpy()), units.loc[bad, engagement], strict=True)],
                fix="remove text such as '%' or 'n/a' from the column, or convert it before building the Study.",
            )
        _duplicates(units, [unit, period], "unit", source)
        given = units[[unit, period]].astype({unit: str, period: str})
        # keys as Python objects: isin on object dtype hashes, on pandas 3's arrow strings it is O(n) Python calls
        given_keys = (given[unit] + "\x1f" + given[period]).astype(object)  # unit rows as given, before exclusions
        missing_eng = units[engagement].isna()
        if missing_eng.any():
            drops.append(("units with no engagement score", int(missing_eng.sum()), ""))
            units = units.loc[~missing_eng]
        if "n_respondents" not in units.columns:
            notes.append(
                f"No n_respondents column: the confidentiality threshold ({min_respondents} respondents) could not "
                "be applied here; make sure the unit table was already suppressed."
            )
        else:
            small = units["n_respondents"] < min_respondents
            if small.any():
                drops.append(
                    (
                        "units below the confidentiality threshold",
                        int(small.sum()),
                        f"fewer than {min_respondents} respondents; suppressed from every output",
                    )
                )
                units = units.loc[~small]

        if outcomes is None:
            data = units.reset_index(drop=True)
            unmatched = pd.DataFrame(columns=["side", unit, period])
        else:
            check_dataframe(outcomes, name="outcomes", func="Study")
            outcomes = outcomes.copy()
            check_columns(outcomes, [unit], source="outcomes")
            if period not in outcomes.columns:
                outcomes[period] = units[period].iloc[0] if units[period].nunique() == 1 else 1
            _duplicates(outcomes, [unit, period], "unit outcome row", "outcomes")
            clash = [c for c in outcomes.columns if c in units.columns and c not in (unit, period, company)]
            if clash:
                raise data_error(
                    f"columns {clash} appear in both the unit table and the outcome table",
                    source="outcomes",
                    fix="rename or drop the duplicated columns in one of the tables.",
                )
            out_cols = [c for c in outcomes.columns if c != company]
            keys_u = units[[unit, period]].astype({unit: str, period: str})
            keys_o = outcomes[[unit, period]].astype({unit: str, period: str})
            units = units.assign(_uk=(keys_u[unit] + "\x1f" + keys_u[period]).astype(object))
            outcomes = outcomes.assign(_uk=(keys_o[unit] + "\x1f" + keys_o[period]).astype(object))
            in_out = units["_uk"].isin(outcomes["_uk"])
            in_units = outcomes["_uk"].isin(units["_uk"])
            unmatched = pd.concat(
                [
                    units.loc[~in_out, [unit, period]].assign(side="unit without outcomes"),
                    outcomes.loc[~in_units, [unit, period]].assign(side="outcome row without a unit"),
                ],
                ignore_index=True,
            )[["side", unit, period]]
            if (~in_out).any():
                drops.append(("units without an outcome row", int((~in_out).sum()), "no business outcomes recorded for them"))
            if (~in_units).any():
                orphan = outcomes.loc[~in_units, "_uk"]
                if _suppressed is not None and len(_suppressed):
                    sk = _suppressed[[unit, period]].astype({unit: str, period: str})
                    given_keys = pd.concat([given_keys, (sk[unit] + "\x1f" + sk[period]).astype(object)])
                excluded = int(orphan.isin(given_keys).sum())
                drops.append(
                    (
                        "outcome rows without a scored unit",
                        len(orphan),
                        f"{excluded} whose unit was suppressed or had no engagement, {len(orphan) - excluded} "
                        "with no survey unit at all",
                    )
                )
            data = units.merge(outcomes[out_cols + ["_uk"]].drop(columns=[unit, period]), on="_uk", how="inner")
            data = data.drop(columns="_uk").reset_index(drop=True)
        self.data: pd.DataFrame = data
        self.specs: dict[str, OutcomeSpec] = resolve_specs(specs, data.columns)
        self.unmatched: pd.DataFrame = unmatched
        self.dropped: pd.DataFrame = dropped_frame(drops)
        self.notes: list[str] = notes
        self.unit, self.company, self.period, self.engagement = unit, company, period, engagement
        self.min_respondents = min_respondents
        self.scores: Any = None

    # -- constructors -----------------------------------------------------
    @classmethod
    def from_survey(
        cls,
        survey: pd.DataFrame,
        outcomes: pd.DataFrame | None,
        specs: Mapping[str, OutcomeSpec | Mapping[str, Any]] | None = None,
        **score_options: Any,
    ) -> Study:
        """Score respondents into units (:func:`empathystats.score_units`) and link them to outcomes."""
        from .scoring import score_units

        scores = score_units(survey, **score_options)
        keys = {k: score_options[k] for k in ("unit", "company", "period") if k in score_options}
        study = cls(
            scores.table,
            outcomes,
            specs,
            min_respondents=score_options.get("min_respondents", 5),
            _suppressed=scores.suppressed,
            **keys,
        )
        # everything the scorer excluded (respondents not scored, units suppressed) comes first
        if len(scores.dropped):
            study.dropped = pd.concat([scores.dropped, study.dropped], ignore_index=True)
        study.notes = [*scores.notes, *study.notes]
        study.scores = scores
        return study

    # -- what it holds ----------------------------------------------------
    @property
    def outcomes(self) -> list[str]:
        """Names of the outcomes present."""
        return list(self.specs)

    @property
    def n_units(self) -> int:
        """Distinct units (across periods)."""
        return int(self.data[self.unit].nunique())

    @property
    def n_companies(self) -> int:
        return int(self.data[self.company].nunique())

    @property
    def periods(self) -> list[Any]:
        return sorted(self.data[self.period].unique().tolist())

    def values(self, outcome: str) -> pd.Series:
        """The analysed value of ``outcome`` per row (numerator / exposure * per, or the column)."""
        if outcome not in self.specs:
            raise ParameterError(
                f"The 'outcome' parameter must be one of the study's outcomes ({', '.join(self.outcomes)}); "
                f"got {outcome!r} instead."
            )
        return outcome_values(self.data, self.specs[outcome])

    def summary(self) -> pd.DataFrame:
        """One row per outcome: units with a value, missing, mean and SD of the analysed value."""
        rows = []
        for name, spec in self.specs.items():
            v = self.values(name)
            rows.append(
                {
                    "outcome": name,
                    "better": spec.better,
                    "kind": spec.kind,
                    "unit_label": spec.unit_label,
                    "n_units": int(v.notna().sum()),
                    "n_missing": int(v.isna().sum()),
                    "mean": float(v.mean()) if v.notna().any() else np.nan,
                    "sd": float(v.std()) if v.notna().sum() > 1 else np.nan,
                }
            )
        return pd.DataFrame(rows)

    def _header(self) -> str:
        return (
            f"Study: {len(self.data)} unit-periods, {self.n_units} units, {self.n_companies} companies, "
            f"periods {self.periods}, outcomes: {', '.join(self.outcomes) or 'none'}"
        )

    def _footer(self) -> list[str]:
        lines = [
            f"Dropped: {r.count} {r.reason}" + (f" ({r.detail})" if r.detail else "")
            for r in self.dropped.itertuples(index=False)
        ]
        return (lines or ["Dropped: nothing."]) + self.notes

    def __str__(self) -> str:
        body = self.summary().round(4).to_string(index=False)
        return "\n".join([self._header(), body, *self._footer()])

    def __repr__(self) -> str:
        return f"<Study: {len(self.data)} unit-periods, {self.n_companies} companies, {len(self.specs)} outcomes>"

    def _repr_html_(self) -> str:
        body = self.summary().round(4).to_html(index=False, border=0)
        foot = "".join(f"<div style='color:#555'>{html.escape(x)}</div>" for x in self._footer())
        return f"<div><b>{html.escape(self._header())}</b>{body}{foot}</div>"


def as_study(obj: Study | pd.DataFrame, *, func: str, **kwargs: Any) -> Study:
    """Accept a :class:`Study` or a unit-level DataFrame (engagement and outcomes in one table)."""
    if isinstance(obj, Study):
        return obj
    if isinstance(obj, pd.DataFrame):
        return Study(obj, None, **kwargs)
    raise ParameterError(
        f"The 'study' parameter of {func} must be an empathystats Study or a unit-level pandas DataFrame; "
        f"got {type(obj).__name__} instead."
    )
