r"""Utility analysis: from a correlation to "x% fewer", and from a quartile gap to money.

:func:`quartile_difference` turns a correlation between unit engagement and an
outcome into the expected top-versus-bottom engagement quartile difference, the
way Q12-style meta-analyses turn published effect sizes into percent
differences; :func:`impact` prices a quartile gap (observed with
:func:`~empathystats.compare_quartiles`, or expected from a correlation) with a
cost per unit of each outcome.

The expected difference (Brogden 1949; Cronbach & Gleser 1965; Schmidt & Hunter
1998): if engagement ``x`` and outcome ``y`` are bivariate normal, or more
generally if ``E[y | x]`` is linear in ``x``, with correlation ``rho``, outcome mean
``mu`` and SD ``sigma``, then the mean outcome of units whose engagement lies in a
selected group is ``mu + rho * sigma * zbar``, where ``zbar`` is the mean
standardised engagement of that group. For the top quartile of a normal
predictor

.. math::

    \bar z_{top} = \frac{\varphi(\Phi^{-1}(0.75))}{0.25} \approx 1.2711,
    \qquad \bar z_{bottom} = -\bar z_{top},

so the expected top-minus-bottom difference is ``2 * 1.2711 * rho * sigma``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ._checks import check_choice, check_number
from .errors import ParameterError, data_error
from .results import Result

__all__ = ["quartile_difference", "UtilityAnalysis", "impact", "Impact", "z_top", "Z_TOP_NORMAL"]

#: upper quartile of the standard normal, Phi^-1(0.75)
_Z75 = 0.6744897501960817
#: mean standard-normal score of the top quartile, phi(Phi^-1(0.75)) / 0.25 = 1.2711063
Z_TOP_NORMAL: float = float(np.exp(-_Z75 * _Z75 / 2) / np.sqrt(2 * np.pi) / 0.25)
#: mean standardised score of the top quartile of a uniform predictor, (0.875 - 0.5) / sqrt(1/12)
Z_TOP_UNIFORM: float = 0.375 * np.sqrt(12.0)

_REFERENCE = (
    "Brogden (1949); Cronbach & Gleser (1965); Schmidt & Hunter (1998); Harter et al. (2020) utility analysis"
)


def z_top(predictor: str | float = "normal") -> float:
    """Mean standardised predictor score of the top quartile (bottom = minus this).

    ``"normal"``: ``phi(Phi^-1(0.75)) / 0.25 = 1.2711``; ``"uniform"``:
    ``0.375 * sqrt(12) = 1.2990``; a positive number is taken as given (any
    symmetric predictor distribution).
    """
    if isinstance(predictor, str):
        check_choice(predictor, ("normal", "uniform"), name="predictor", func="quartile_difference")
        if predictor == "normal":
            from scipy.stats import norm

            return float(norm.pdf(norm.ppf(0.75)) / 0.25)
        return float(Z_TOP_UNIFORM)
    check_number(predictor, name="predictor", func="quartile_difference", low=0, low_open=True)
    return float(predictor)


def _label(pct: float, better: str) -> str:
    from .quartiles import quartile_label

    return quartile_label(pct, better)


class UtilityAnalysis(Result):
    """Expected quartile differences from correlations (from :func:`quartile_difference`).

    Indexing by a column name (``res["pct_difference"]``) gives a float for a
    single correlation and an array otherwise.

    Attributes
    ----------
    table : DataFrame
        One row per correlation: ``outcome, rho, mean, sd, better, z_top, top,
        bottom, difference, pct_difference, label``.
    params : dict
        ``better``, ``predictor``, ``oriented``, ``z_top``.

    Examples
    --------
    >>> import empathystats as es
    >>> res = es.quartile_difference([0.1, 0.2], mean=10, sd=2)
    >>> res["difference"].round(3).tolist()
    [0.508, 1.017]

    References
    ----------
    Cronbach, L. J., & Gleser, G. C. (1965). *Psychological tests and personnel decisions* (2nd ed.).
    """

    def __getitem__(self, key: str) -> Any:
        if key not in self.table.columns:
            raise KeyError(f"{key!r} is not a column of the result; columns: {', '.join(self.table.columns)}")
        col = self.table[key]
        if len(col) == 1:
            v = col.iloc[0]
            return v.item() if isinstance(v, np.generic) else v
        return col.to_numpy()

    def keys(self) -> list[str]:
        return list(self.table.columns)

    def text(self) -> str:
        """One sentence per correlation."""
        out = []
        for r in self.table.itertuples(index=False):
            name = str(r.outcome).replace("_", " ") if r.outcome else "outcome values"
            if not np.isfinite(r.pct_difference):
                out.append(
                    f"With a correlation of {r.rho:.2f}, top-quartile units would differ from bottom-quartile units "
                    f"by {r.difference:.3g} in {name} (percent difference undefined: bottom-quartile value not positive)."
                )
                continue
            out.append(
                f"With a correlation of {r.rho:.2f} between engagement and {name} (mean {r.mean:.3g}, SD {r.sd:.3g}), "
                f"top-quartile units would be expected to have {r.label} {name} than bottom-quartile units "
                f"({r.top:.3g} vs {r.bottom:.3g})."
            )
        return " ".join(out)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Expected percent difference (positive = better) against the correlation."""
        from .plotting import NEUTRAL, finish, get_ax

        ax = get_ax(ax)
        t = self.table.sort_values("rho")
        ax.plot(t["rho"], t["pct_difference"], marker="o", color=NEUTRAL, **kwargs)
        ax.axhline(0, color="#333333", lw=0.8)
        return finish(
            ax,
            title="Expected top vs bottom quartile difference",
            xlabel="correlation of engagement with the outcome",
            ylabel="% difference (positive = better)",
        )


def quartile_difference(
    rho: float | np.ndarray | list[float],
    *,
    mean: float | np.ndarray,
    sd: float | np.ndarray,
    better: str = "higher",
    predictor: str | float = "normal",
    oriented: bool = False,
    outcome: str | None = None,
) -> UtilityAnalysis:
    r"""Expected top- minus bottom-engagement-quartile outcome difference for a correlation.

    .. math::

        \text{top} = \mu + \rho\,\sigma\,\bar z_{top},\quad
        \text{bottom} = \mu - \rho\,\sigma\,\bar z_{top},\quad
        \text{difference} = 2\rho\sigma\bar z_{top},\quad
        \text{pct\_difference} = 100\,s\,\frac{\text{difference}}{\text{bottom}}

    with ``zbar_top = phi(Phi^-1(0.75)) / 0.25 = 1.2711`` for a normal predictor
    and ``s = +1`` (higher is better) or ``-1`` (lower is better), so a positive
    percent difference means the top quartile does better.

    Assumptions: the outcome's mean given engagement is linear in engagement
    (true when the two are bivariate normal); ``rho`` is the correlation at the
    level the quartiles are formed (units within companies, as observed; use a
    corrected correlation to speak of true scores); ``mean`` and ``sd`` are the
    outcome's mean and SD across those units; quartiles of a large population
    (small samples give slightly smaller top-quartile means: 1.24 instead of 1.27
    for 40 units). This is the utility analysis of Brogden (1949) and Cronbach &
    Gleser (1965) as Schmidt & Hunter (1998) and Harter et al. (2020) use it.

    Parameters
    ----------
    rho : float or array
        Correlation(s) of unit engagement with the outcome as measured (negative
        when engaged units have less of it), in [-1, 1]. Vectorised.
    mean, sd : float or array
        Mean and standard deviation (> 0) of the outcome; broadcast against ``rho``.
    better : {"higher", "lower"}
        Direction of improvement of the outcome.
    predictor : {"normal", "uniform"} or float
        Distribution of engagement, or the top quartile's mean z directly.
    oriented : bool
        ``True`` when ``rho`` is reported in the "better" direction (positive =
        engaged units do better, as Gallup reports correlations with turnover,
        absenteeism...); it is then converted with ``rho * s``.
    outcome : str, optional
        Outcome name, kept in the table (used by :func:`impact`).

    Returns
    -------
    UtilityAnalysis
        ``.table`` columns ``outcome, rho, mean, sd, better, z_top, top, bottom,
        difference, pct_difference, label``; ``res["pct_difference"]`` is a float
        for a single ``rho``.

    Examples
    --------
    >>> import empathystats as es
    >>> res = es.quartile_difference(-0.2, mean=0.05, sd=0.02, better="lower")
    >>> round(res["pct_difference"], 1)
    18.5
    >>> res["label"]
    '18% lower'

    References
    ----------
    Brogden, H. E. (1949). When testing pays off. *Personnel Psychology*, 2, 171-183.
    Cronbach, L. J., & Gleser, G. C. (1965). *Psychological tests and personnel decisions* (2nd ed.).
    Schmidt, F. L., & Hunter, J. E. (1998). The validity and utility of selection methods. *Psychological
    Bulletin*, 124, 262-274.
    Harter, J. K., Schmidt, F. L., et al. (2020). *2020 Q12 meta-analysis*. Gallup (utility analysis section).
    """
    func = "quartile_difference"
    check_choice(better, ("higher", "lower"), name="better", func=func)
    if not isinstance(oriented, (bool, np.bool_)):
        raise ParameterError(f"The 'oriented' parameter of {func} must be True or False; got {oriented!r} instead.")
    zt = z_top(predictor)
    try:
        r = np.atleast_1d(np.asarray(rho, dtype=float))
        mu = np.asarray(mean, dtype=float)
        sigma = np.asarray(sd, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(
            f"The 'rho', 'mean' and 'sd' parameters of {func} must be numbers or arrays of numbers; "
            f"got {rho!r}, {mean!r}, {sd!r} instead."
        ) from None
    if r.ndim != 1 or not np.all(np.isfinite(r)) or np.any(np.abs(r) > 1):
        raise ParameterError(f"The 'rho' parameter of {func} must be correlation(s) in [-1, 1]; got {rho!r} instead.")
    if not np.all(np.isfinite(mu)):
        raise ParameterError(f"The 'mean' parameter of {func} must be finite; got {mean!r} instead.")
    if not np.all(np.isfinite(sigma)) or np.any(sigma <= 0):
        raise ParameterError(f"The 'sd' parameter of {func} must be positive; got {sd!r} instead.")
    try:
        r, mu, sigma = np.broadcast_arrays(r, mu, sigma)
    except ValueError:
        raise ParameterError(
            f"The 'rho', 'mean' and 'sd' parameters of {func} must have matching lengths; "
            f"got {np.shape(rho)}, {np.shape(mean)}, {np.shape(sd)} instead."
        ) from None
    sign = 1.0 if better == "higher" else -1.0
    raw = r * sign if oriented else r
    top = mu + raw * sigma * zt
    bottom = mu - raw * sigma * zt
    diff = top - bottom
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(bottom > 0, sign * diff / np.where(bottom > 0, bottom, 1.0) * 100.0, np.nan)
    table = pd.DataFrame(
        {
            "outcome": outcome,
            "rho": raw,
            "mean": mu,
            "sd": sigma,
            "better": better,
            "z_top": zt,
            "top": top,
            "bottom": bottom,
            "difference": diff,
            "pct_difference": pct,
            "label": [_label(p, better) for p in pct],
        }
    )
    return UtilityAnalysis(
        table,
        title="Utility analysis: expected top vs bottom engagement quartile difference",
        params={"better": better, "predictor": predictor, "oriented": bool(oriented), "z_top": zt},
        reference=_REFERENCE,
        notes=[
            "Assumes the outcome's mean is linear in engagement (bivariate normal) and quartiles of a large "
            f"population; top-quartile mean z = {zt:.4f}.",
        ],
    )


# ---------------------------------------------------------------------------
# money
# ---------------------------------------------------------------------------
class Impact(Result):
    """Money value of closing the gap between bottom- and top-quartile units (from :func:`impact`).

    Attributes
    ----------
    table : DataFrame
        One row per priced outcome: ``outcome, better, difference, quantity,
        quantity_label, per, change, unit_name, cost, value, value_low,
        value_high, currency``.
    total : float
        Sum of ``value`` (an upper bound when outcomes overlap).
    notes : list of str
        The assumptions, and outcomes left unpriced.

    Examples
    --------
    >>> import pandas as pd
    >>> import empathystats as es
    >>> gap = pd.DataFrame({"outcome": ["turnover"], "better": ["lower"], "difference": [-0.05],
    ...                     "exposure_bottom": [1000.0], "per": [1.0]})
    >>> es.impact(gap, costs={"turnover": 5000}).total
    250000.0

    References
    ----------
    Cronbach, L. J., & Gleser, G. C. (1965). *Psychological tests and personnel decisions* (2nd ed.).
    """

    @property
    def total(self) -> float:
        return float(self.table["value"].sum()) if len(self.table) else 0.0

    def text(self) -> str:
        """One sentence per outcome, then the total."""
        out = []
        share = self.params.get("share", 1.0)
        what = (
            "Bringing bottom-quartile units to the top quartile's level"
            if share == 1.0
            else f"Closing {share:.0%} of the gap between bottom- and top-quartile units"
        )
        for r in self.table.itertuples(index=False):
            name = str(r.outcome).replace("_", " ")
            cur = f"{r.currency} " if r.currency else ""
            change = abs(r.change)
            fewer = "fewer" if r.change < 0 else "more"
            ci = ""
            if np.isfinite(r.value_low) and np.isfinite(r.value_high):
                ci = f" ({self.params.get('ci_level', 0.95):.0%} CI {cur}{r.value_low:,.0f} to {cur}{r.value_high:,.0f})"
            gain = "worth" if r.value >= 0 else "costing"
            amount = f"{change:,.0f}" if change >= 10 else f"{change:,.2g}"
            unit = f" ({cur}{r.cost:,.0f} per {r.unit_name})" if r.unit_name else ""
            out.append(
                f"For {name}{unit}, {what[0].lower() + what[1:]} would mean about {amount} {fewer} per period, "
                f"{gain} about {cur}{abs(r.value):,.0f}{ci}."
            )
        if len(self.table) > 1:
            cur = self.table["currency"].dropna().unique()
            c = f"{cur[0]} " if len(cur) == 1 and cur[0] else ""
            out.append(
                f"In total about {c}{self.total:,.0f} per period across {len(self.table)} outcomes "
                "(outcomes may overlap, e.g. turnover and productivity, so the total is an upper bound)."
            )
        return " ".join(out)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Horizontal bars of the value per outcome with CI whiskers."""
        from .plotting import BETTER, WORSE, finish, get_ax

        t = self.table.iloc[::-1]
        ax = get_ax(ax, figsize=(7.0, 0.5 * len(t) + 1.5))
        y = np.arange(len(t))
        v = t["value"].to_numpy(dtype=float)
        ax.barh(y, v, color=[BETTER if x >= 0 else WORSE for x in v], height=0.6, **kwargs)
        lo, hi = t["value_low"].to_numpy(dtype=float), t["value_high"].to_numpy(dtype=float)
        ok = np.isfinite(lo) & np.isfinite(hi)
        if ok.any():
            ax.errorbar(v[ok], y[ok], xerr=[v[ok] - lo[ok], hi[ok] - v[ok]], fmt="none", ecolor="#333333", capsize=3)
        ax.axvline(0, color="#333333", lw=0.8)
        ax.set_yticks(y, [str(o).replace("_", " ") for o in t["outcome"]])
        cur = t["currency"].dropna().unique()
        return finish(
            ax,
            title="Value of closing the bottom-to-top quartile gap, per period",
            xlabel=f"value ({cur[0]})" if len(cur) == 1 and cur[0] else "value",
        )


def _costs_frame(costs: Any) -> pd.DataFrame:
    func = "impact"
    if isinstance(costs, Mapping):
        rows = []
        for k, v in costs.items():
            if isinstance(v, Mapping):
                rows.append({"outcome": k, **dict(v)})
            else:
                rows.append({"outcome": k, "cost": v})
        df = pd.DataFrame(rows)
    elif isinstance(costs, pd.DataFrame):
        df = costs.copy()
    else:
        raise ParameterError(
            f"The 'costs' parameter of {func} must be a dict {{outcome: cost}} or a DataFrame with columns "
            f"'outcome' and 'cost'; got {type(costs).__name__} instead."
        )
    if "cost" not in df.columns and "cost_per_unit" in df.columns:
        df = df.rename(columns={"cost_per_unit": "cost"})
    missing = [c for c in ("outcome", "cost") if c not in df.columns]
    if missing:
        raise data_error(
            f"missing column(s) {missing}; columns present: {', '.join(map(str, df.columns))}",
            source="costs",
            fix="give one row per outcome with its cost per unit of outcome: columns 'outcome' and 'cost' "
            "(optionally 'per' describing the unit, 'currency', 'quantity').",
        )
    cost = pd.to_numeric(df["cost"], errors="coerce")
    bad = cost.isna() | ~np.isfinite(cost.fillna(0))
    if bad.any():
        raise data_error(
            "costs must be numbers",
            source="costs",
            column="cost",
            rows=[(int(i) + 2, v) for i, v in zip(np.flatnonzero(bad.to_numpy()), df.loc[bad, "cost"], strict=True)],
            fix="write each cost as a plain number (no currency symbols or thousands separators).",
        )
    df["cost"] = cost.astype(float)
    if df["outcome"].duplicated().any():
        raise data_error(
            "an outcome appears more than once",
            source="costs",
            column="outcome",
            rows=[(int(i) + 2, v) for i, v in df.loc[df["outcome"].duplicated(keep=False), "outcome"].items()],
            fix="give one cost per outcome.",
        )
    return df


def impact(
    comparison_or_difference: Any,
    *,
    costs: Mapping[str, Any] | pd.DataFrame,
    share: float | None = None,
    gain_sd: float | None = None,
    n_units: int | None = None,
) -> Impact:
    r"""Money value per period of bringing bottom-quartile units to the top quartile's level.

    For each outcome with a cost, the expected change if every bottom-quartile
    unit moved to the top quartile's level is

    .. math::

        \text{change} = f\,(\text{top} - \text{bottom})\, Q / \text{per}, \qquad
        \text{value} = s\, c\; \text{change}

    where ``Q`` is the bottom quartile's total exposure per period (scheduled days
    for absenteeism, headcount for turnover, hours worked for safety incidents,
    sales for shrinkage...) when the outcome is a rate over an exposure, or the
    number of bottom-quartile units times ``quantity`` (default 1) otherwise;
    ``c`` the cost of one unit of the outcome (one leaver, one day absent, one
    incident, one dollar lost); ``s = +1`` when higher is better and ``-1``
    otherwise, so a positive value is a gain; ``f`` the share of the gap closed.

    Assumptions (stated in the result): the quartile difference is causal and
    would be realised in full by the change in engagement; the relation is linear
    (so part of the gap is worth that part of the value); exposure stays at the
    bottom quartile's level; costs are constant per unit; values are per period
    of the data (annual when periods are years). Outcomes can overlap, so their
    sum is an upper bound.

    Parameters
    ----------
    comparison_or_difference : QuartileComparison, UtilityAnalysis or DataFrame
        A quartile comparison (its ``group == "all"`` rows are used), a
        :func:`quartile_difference` result with ``outcome`` set, or a table with
        ``outcome, better, difference`` and optionally ``exposure_bottom``, ``per``,
        ``n_units_bottom``, ``diff_ci_low``, ``diff_ci_high``.
    costs : dict or DataFrame
        ``{outcome: cost}``, or a table ``outcome, cost`` (or ``cost_per_unit``)
        with optional ``per`` (what one unit is, e.g. "leaver"), ``currency`` and
        ``quantity`` (amount the difference applies to per bottom-quartile unit
        when the outcome has no exposure, e.g. sales for a margin).
    share : float, optional
        Share of the gap closed, in (0, 1]; default 1.
    gain_sd : float, optional
        Instead of ``share``: an engagement gain in SD units, converted with
        ``share = gain_sd / (2 * 1.2711)`` (linearity, normal engagement).
    n_units : int, optional
        Number of bottom-quartile units, when the input does not carry it.

    Returns
    -------
    Impact
        ``.table`` columns ``outcome, better, difference, quantity, quantity_label,
        per, change, unit_name, cost, value, value_low, value_high, currency``;
        ``.total``.

    Examples
    --------
    >>> import empathystats as es
    >>> demo = es.load_demo("retail")
    >>> q = es.compare_quartiles(es.Study.from_survey(demo.survey, demo.outcomes), n_boot=200)
    >>> money = es.impact(q, costs=demo.costs)
    >>> print(money.text())  # doctest: +SKIP

    References
    ----------
    Cronbach, L. J., & Gleser, G. C. (1965). *Psychological tests and personnel decisions*.
    Harter, J. K., Schmidt, F. L., et al. (2020). *2020 Q12 meta-analysis*. Gallup.
    """
    func = "impact"
    if share is not None and gain_sd is not None:
        raise ParameterError(f"The 'share' and 'gain_sd' parameters of {func} are alternatives; got both instead.")
    if gain_sd is not None:
        check_number(gain_sd, name="gain_sd", func=func, low=0, low_open=True)
        share = float(gain_sd) / (2 * Z_TOP_NORMAL)
    if share is None:
        share = 1.0
    check_number(share, name="share", func=func, low=0, high=1, low_open=True)
    if n_units is not None:
        check_number(n_units, name="n_units", func=func, low=1, integer=True)

    from .quartiles import QuartileComparison

    ci_level = 0.95
    if isinstance(comparison_or_difference, QuartileComparison):
        t = comparison_or_difference.table
        t = t.loc[t["group"].eq("all")].copy()
        ci_level = float(comparison_or_difference.params.get("ci_level", 0.95))
        source = "quartile comparison"
    elif isinstance(comparison_or_difference, UtilityAnalysis):
        t = comparison_or_difference.table.copy()
        if t["outcome"].isna().any():
            raise ParameterError(
                f"The 'comparison_or_difference' parameter of {func} needs outcome names to match costs; "
                "got a quartile_difference result without 'outcome'. Fix: call quartile_difference(..., outcome='turnover')."
            )
        source = "utility analysis"
    elif isinstance(comparison_or_difference, pd.DataFrame):
        t = comparison_or_difference.copy()
        source = "table"
    else:
        raise ParameterError(
            f"The 'comparison_or_difference' parameter of {func} must be a QuartileComparison, a "
            f"quartile_difference result or a DataFrame; got {type(comparison_or_difference).__name__} instead."
        )
    for col in ("outcome", "better", "difference"):
        if col not in t.columns:
            raise data_error(f"missing column {col!r}", source="comparison", fix="pass a table with outcome, better, difference.")
    if t.empty:
        raise data_error(
            "the comparison has no rows (no outcome differences to price)",
            source="comparison",
            fix="pass the result of compare_quartiles or quartile_difference(..., outcome=...), or a table with "
            "one row per outcome.",
        )
    c = _costs_frame(costs).rename(columns={"per": "unit_name"})
    c = c[[k for k in ("outcome", "cost", "unit_name", "currency", "quantity") if k in c.columns]]
    priced = t.drop(columns=[k for k in ("cost", "unit_name", "currency", "quantity") if k in t.columns]).merge(
        c, on="outcome", how="inner"
    )
    unpriced = sorted(set(t["outcome"]) - set(c["outcome"]))
    no_result = sorted(set(c["outcome"]) - set(t["outcome"]))

    def col(name: str, default: Any) -> pd.Series:
        return priced[name] if name in priced.columns else pd.Series(default, index=priced.index)

    exposure_bottom = pd.to_numeric(col("exposure_bottom", np.nan), errors="coerce")
    per_num = pd.to_numeric(col("per", 1.0), errors="coerce").fillna(1.0)
    n_bottom = pd.to_numeric(col("n_units_bottom", np.nan), errors="coerce")
    if n_units is not None:
        n_bottom = n_bottom.fillna(float(n_units)) if "n_units_bottom" in priced.columns else pd.Series(
            float(n_units), index=priced.index)
    quantity_each = pd.to_numeric(col("quantity", np.nan), errors="coerce")
    has_exp = exposure_bottom.notna() & quantity_each.isna()
    quantity = np.where(has_exp, exposure_bottom, n_bottom * quantity_each.fillna(1.0))
    per = np.where(has_exp, per_num, 1.0)
    missing_q = ~np.isfinite(quantity)
    if missing_q.any():
        names = ", ".join(priced.loc[missing_q, "outcome"])
        raise data_error(
            f"no quantity to price {names}: the input has neither the bottom quartile's exposure nor its number of units",
            source="comparison",
            fix="pass n_units= (bottom-quartile units) and, in costs, a 'quantity' per unit (e.g. headcount).",
        )
    sign = np.where(priced["better"].eq("higher"), 1.0, -1.0)
    scale = share * quantity / per
    diff = priced["difference"].to_numpy(dtype=float)
    change = scale * diff
    value = sign * change * priced["cost"].to_numpy(dtype=float)
    lo = pd.to_numeric(col("diff_ci_low", np.nan), errors="coerce").to_numpy(dtype=float)
    hi = pd.to_numeric(col("diff_ci_high", np.nan), errors="coerce").to_numpy(dtype=float)
    v1, v2 = sign * scale * lo * priced["cost"].to_numpy(), sign * scale * hi * priced["cost"].to_numpy()
    unit_name = col("unit_name", "")
    qlabel = np.where(
        has_exp,
        "bottom-quartile " + col("exposure", "exposure").astype(str) + " per period",
        "bottom-quartile units" + np.where(quantity_each.notna(), " x quantity", ""),
    )
    table = pd.DataFrame(
        {
            "outcome": priced["outcome"],
            "better": priced["better"],
            "difference": diff,
            "quantity": quantity.astype(float),
            "quantity_label": qlabel,
            "per": per.astype(float),
            "change": change,
            "unit_name": unit_name.fillna("").astype(str).to_numpy(),
            "cost": priced["cost"].to_numpy(dtype=float),
            "value": value,
            "value_low": np.fmin(v1, v2),
            "value_high": np.fmax(v1, v2),
            "currency": col("currency", "").fillna("").astype(str).to_numpy(),
        }
    ).reset_index(drop=True)
    notes = [
        "Assumes the quartile gap is caused by engagement and would be realised in full, a linear relation, "
        "exposure at the bottom quartile's level and constant unit costs; values are per period of the data "
        "(annual when periods are years); outcomes may overlap, so the total is an upper bound.",
    ]
    if share != 1.0:
        notes.append(f"Share of the gap closed: {share:.3f}" + (f" (engagement gain {gain_sd} SD)" if gain_sd else "") + ".")
    if unpriced:
        notes.append(f"Not priced (no cost given): {', '.join(unpriced)}.")
    if no_result:
        notes.append(f"Costs given but no comparison for: {', '.join(no_result)}.")
    return Impact(
        table,
        title=f"Money impact of the engagement quartile gap (from a {source})",
        params={"share": share, "gain_sd": gain_sd, "ci_level": ci_level},
        reference=_REFERENCE,
        notes=notes,
    )
