"""Meta-analysis across companies: Hunter-Schmidt (psychometric) and random effects.

Each company is a *study*: the correlation ``r`` between unit engagement and a
business outcome across its ``N`` business units. Two families of methods pool
those correlations:

* :func:`hunter_schmidt`: psychometric meta-analysis (Schmidt & Hunter 2015,
  *Methods of Meta-Analysis*, 3rd ed.), the method of Gallup's Q12 meta-analyses.
  Bare-bones (sampling error only) and corrected for measurement error in
  engagement (``rxx``) and in the outcome (``ryy``) and for direct (Thorndike
  Case II) or indirect (Hunter, Schmidt & Le 2006) range restriction, by
  individual corrections or by artifact distributions; credibility intervals.
* :func:`random_effects`: random-effects meta-analysis of Fisher-z transformed
  correlations with DerSimonian-Laird, REML, Paule-Mandel, ML or Hunter-Schmidt
  estimates of the between-study variance tau^2, I^2, Q and a prediction interval.
* :func:`meta_regression` and :func:`subgroup_analysis`: moderators (industry,
  region) as a weighted meta-regression and as subgroups with a between-group Q.
* :func:`meta_analysis` / :func:`meta_analysis_all`: run all of this on a
  :class:`~empathystats.Study` (per-company correlations computed for you).

Checked against R ``metafor`` (``tests/results/meta_metafor.R``), the published
Viechtbauer (2005) examples and Schmidt & Hunter (2015) worked numbers.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ._checks import check_choice, check_dataframe, check_number
from ._progress import progress
from .errors import EmpathyStatsWarning, ParameterError, data_error
from .results import Result, dropped_frame
from .study import Study, as_study

__all__ = [
    "hunter_schmidt",
    "random_effects",
    "meta_regression",
    "subgroup_analysis",
    "meta_analysis",
    "meta_analysis_all",
    "HunterSchmidtResult",
    "RandomEffectsResult",
    "MetaRegressionResult",
    "SubgroupResult",
    "MetaAnalysisTable",
    "correct_r",
    "attenuate_rho",
]

HS_REFERENCE = (
    "Schmidt & Hunter (2015), Methods of Meta-Analysis, 3rd ed.; Hunter, Schmidt & Le (2006), "
    "J. Appl. Psychol. 91, 594-612"
)
RE_REFERENCE = (
    "DerSimonian & Laird (1986); Paule & Mandel (1982); Viechtbauer (2005), J. Educ. Behav. Stat. 30, 261-293"
)
RE_METHODS = ("REML", "DL", "PM", "ML", "HS")
RANGE_RESTRICTION = (None, "direct", "indirect")


# ---------------------------------------------------------------------------
# artifact corrections (vectorised; a missing artifact is passed as 1)
# ---------------------------------------------------------------------------
def _restrict(rho: Any, u: Any) -> Any:
    """Correlation in a group whose SD is ``u`` times the reference SD (inverse of Thorndike Case II)."""
    return u * rho / np.sqrt(1.0 + (u**2 - 1.0) * rho**2)


def _unrestrict(r: Any, u: Any) -> Any:
    """Thorndike (1949) Case II: r / sqrt(u^2 + (1 - u^2) r^2), with u = SD_restricted / SD_reference."""
    return r / np.sqrt(u**2 + (1.0 - u**2) * r**2)


def _rxxa(rxx: Any, ux: Any) -> Any:
    """Reliability in the unrestricted group: 1 - ux^2 (1 - rxx_i) (Schmidt & Hunter 2015, eq. 3.17)."""
    return 1.0 - ux**2 * (1.0 - rxx)


def _ut(rxx: Any, ux: Any) -> Any:
    """True-score range-restriction ratio u_T = sqrt((ux^2 - (1 - rxxa)) / rxxa) (Hunter, Schmidt & Le 2006)."""
    return np.sqrt(ux**2 * rxx / _rxxa(rxx, ux))


def correct_r(
    r: Any, rxx: Any = 1.0, ryy: Any = 1.0, ux: Any = 1.0, range_restriction: str | None = None
) -> np.ndarray:
    """Correct observed correlations for measurement error and range restriction.

    ``rxx`` and ``ryy`` are reliabilities *in the study sample* (restricted group);
    ``ux`` = SD of engagement in the study / SD in the reference population.

    * no range restriction: rho = r / sqrt(rxx * ryy) (Spearman 1904);
    * ``"direct"`` (Thorndike Case II, Schmidt & Hunter 2015 ch. 3): correct r for
      ``ryy``, then Case II with ``ux``, then divide by sqrt(rxxa), rxxa = 1 - ux^2 (1 - rxx);
    * ``"indirect"`` (Hunter, Schmidt & Le 2006): correct r for ``rxx`` and ``ryy``,
      then Case II with the true-score ratio u_T = sqrt(ux^2 rxx / rxxa).

    Returns the true-score correlation in the reference population. The inverse
    is :func:`attenuate_rho`.
    """
    r, rxx, ryy, ux = (np.asarray(a, dtype=float) for a in (r, rxx, ryy, ux))
    with np.errstate(invalid="ignore", divide="ignore"):
        if range_restriction is None:
            return r / np.sqrt(rxx * ryy)
        if range_restriction == "direct":
            return _unrestrict(r / np.sqrt(ryy), ux) / np.sqrt(_rxxa(rxx, ux))
        return _unrestrict(r / np.sqrt(rxx * ryy), _ut(rxx, ux))


def attenuate_rho(
    rho: Any, rxx: Any = 1.0, ryy: Any = 1.0, ux: Any = 1.0, range_restriction: str | None = None
) -> np.ndarray:
    """The observed correlation expected for a true correlation ``rho`` (inverse of :func:`correct_r`)."""
    rho, rxx, ryy, ux = (np.asarray(a, dtype=float) for a in (rho, rxx, ryy, ux))
    with np.errstate(invalid="ignore", divide="ignore"):
        if range_restriction is None:
            return rho * np.sqrt(rxx * ryy)
        if range_restriction == "direct":
            return _restrict(rho * np.sqrt(_rxxa(rxx, ux)), ux) * np.sqrt(ryy)
        return _restrict(rho, _ut(rxx, ux)) * np.sqrt(rxx * ryy)


def _correct_slope(r: Any, rxx: Any, ryy: Any, ux: Any, rr: str | None) -> np.ndarray:
    """d(corrected r)/d(observed r): scales sampling-error variance of corrected correlations.

    For Case II, d/dx [x / sqrt(u^2 + (1-u^2) x^2)] = u^2 / (u^2 + (1-u^2) x^2)^(3/2), which equals
    Schmidt & Hunter's (2015) (a / A) with a = 1 / ((U^2 - 1) x^2 + 1), U = 1/u.
    """
    r, rxx, ryy, ux = (np.asarray(a, dtype=float) for a in (r, rxx, ryy, ux))
    with np.errstate(invalid="ignore", divide="ignore"):
        if rr is None:
            return 1.0 / np.sqrt(rxx * ryy) + 0.0 * r
        if rr == "direct":
            x = r / np.sqrt(ryy)
            return ux**2 / (ux**2 + (1 - ux**2) * x**2) ** 1.5 / np.sqrt(ryy) / np.sqrt(_rxxa(rxx, ux))
        u = _ut(rxx, ux)
        x = r / np.sqrt(rxx * ryy)
        return u**2 / (u**2 + (1 - u**2) * x**2) ** 1.5 / np.sqrt(rxx * ryy)


# ---------------------------------------------------------------------------
# input handling
# ---------------------------------------------------------------------------
def _values(
    data: pd.DataFrame | None, spec: Any, *, name: str, func: str, k: int, source: str
) -> np.ndarray | None:
    """A float array of length k from a column name, a scalar or an array; None stays None."""
    if spec is None:
        return None
    if isinstance(spec, str):
        if data is None:
            raise ParameterError(
                f"The {name!r} parameter of {func} names a column ({spec!r}) but no data was given; "
                "pass data=DataFrame, or pass the values themselves."
            )
        if spec not in data.columns:
            raise data_error(
                f"no column {spec!r} for {name}; the columns present are: {', '.join(map(str, data.columns[:20]))}",
                source=source,
                fix=f"pass the right column name as {name}='...', a single number, or None.",
            )
        col = data[spec]
        vals = pd.to_numeric(col, errors="coerce")
        bad = vals.isna() & col.notna()
        if bad.any():
            raise data_error(
                f"{name} must be numeric",
                source=source,
                column=spec,
                rows=[(int(i) + 2, v) for i, v in zip(np.flatnonzero(bad.to_numpy()), col[bad], strict=False)],
                fix="remove text such as 'n/a' (leave the cell empty for a missing value).",
            )
        return vals.to_numpy(dtype=float)
    if np.isscalar(spec):
        if isinstance(spec, bool) or not isinstance(spec, (int, float, np.integer, np.floating)):
            raise ParameterError(
                f"The {name!r} parameter of {func} must be a column name, a number or an array; got {spec!r} instead."
            )
        return np.full(k, float(spec))
    arr = np.asarray(spec, dtype=float).ravel()
    if arr.size != k:
        raise ParameterError(
            f"The {name!r} parameter of {func} must have one value per study ({k}); got {arr.size} values instead."
        )
    return arr


def _check_range(
    vals: np.ndarray | None, *, name: str, column: Any, source: str, low: float, high: float,
    low_open: bool, fix: str,
) -> None:
    if vals is None:
        return
    ok = np.isnan(vals) | ((vals > low if low_open else vals >= low) & (vals <= high))
    if not ok.all():
        idx = np.flatnonzero(~ok)
        raise data_error(
            f"{name} must be in {'(' if low_open else '['}{low}, {high}]",
            source=source,
            column=column if isinstance(column, str) else None,
            rows=[(int(i) + 2, float(vals[i])) for i in idx],
            fix=fix,
        )


def _study_frame(
    data: pd.DataFrame | None, r: Any, n: Any, label: str | None, *, func: str, min_n: int
) -> tuple[pd.DataFrame, list[tuple[str, int, str]], str]:
    """Validate r and n; drop (and count) studies with missing values."""
    source = "data"
    if data is not None:
        check_dataframe(data, name="data", func=func)
        k = len(data)
    else:
        if isinstance(r, str) or isinstance(n, str):
            raise ParameterError(
                f"The 'data' parameter of {func} must be a DataFrame when r and n are column names; got None instead."
            )
        k = int(np.asarray(r).size)
    rv = _values(data, r, name="r", func=func, k=k, source=source)
    nv = _values(data, n, name="n", func=func, k=k, source=source)
    if rv is None or nv is None:
        raise ParameterError(f"The 'r' and 'n' parameters of {func} must not be None.")
    _check_range(rv, name="r", column=r, source=source, low=-1, high=1, low_open=False,
                 fix="correlations lie between -1 and 1; check the column holds correlations.")
    bad_n = ~np.isnan(nv) & ((nv < min_n) | (nv != np.round(nv)))
    if bad_n.any():
        raise data_error(
            f"n must be a whole number of at least {min_n} (units per study)",
            source=source,
            column=n if isinstance(n, str) else None,
            rows=[(int(i) + 2, float(nv[i])) for i in np.flatnonzero(bad_n)],
            fix=f"drop studies with fewer than {min_n} units or correct the sample sizes.",
        )
    if label is not None and data is not None:
        if label not in data.columns:
            raise data_error(f"no column {label!r} for study labels", source=source,
                             fix="pass label=None or the name of the study/company column.")
        labels = data[label].astype(str).to_numpy()
    elif data is not None:
        labels = np.asarray([str(i) for i in data.index])
    else:
        labels = np.asarray([str(i + 1) for i in range(k)])
    frame = pd.DataFrame({"study": labels, "r": rv, "n": nv})
    miss = np.isnan(rv) | np.isnan(nv)
    drops = []
    if miss.any():
        drops.append(("studies with a missing r or n", int(miss.sum()), ", ".join(labels[miss][:5])))
    frame["_row"] = np.arange(k)
    return frame.loc[~miss].reset_index(drop=True), drops, source


def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2.0))


# ---------------------------------------------------------------------------
# results and plots
# ---------------------------------------------------------------------------
class _MetaResult(Result):
    """Shared pieces of meta-analysis results: per-study table, forest and funnel plots."""

    effect_label = "correlation r"

    def __init__(self, table: pd.DataFrame, studies: pd.DataFrame, **kwargs: Any) -> None:
        super().__init__(table, **kwargs)
        self.studies = studies
        self.subgroups: SubgroupResult | None = None
        self.meta_regression: MetaRegressionResult | None = None

    def _pooled_rows(self) -> list[dict[str, Any]]:  # pragma: no cover - overridden
        return []

    def plot(self, ax: Any = None, *, max_studies: int = 40, **kwargs: Any) -> Any:
        """Forest plot: each study's r with its 95% CI (marker area ~ n), then the pooled rows.

        Pooled rows show the confidence interval as a diamond and the credibility
        (Hunter-Schmidt) or prediction (random effects) interval as a light bar. With
        more than ``max_studies`` studies, the largest are shown and the rest counted.
        """
        from .plotting import GREY, NEUTRAL, WORSE, finish, get_ax

        st = self.studies
        shown = st.nlargest(max_studies, "n").sort_values("effect") if len(st) > max_studies else st
        pooled = self._pooled_rows()
        rows = len(shown) + len(pooled)
        ax = get_ax(ax, figsize=(7.0, max(3.0, 0.22 * rows + 1.5)))
        y = np.arange(len(shown))[::-1] + len(pooled) + 1
        size = 20 + 180 * np.sqrt(shown["n"].to_numpy() / st["n"].max())
        ax.hlines(y, shown["ci_low"], shown["ci_high"], color=GREY, lw=1)
        ax.scatter(shown["effect"], y, s=size, marker="s", color=NEUTRAL, zorder=3)
        labels = list(shown["study"])
        for i, row in enumerate(pooled):
            yy = len(pooled) - i - 0.2
            if np.isfinite(row.get("band_low", np.nan)):
                ax.hlines(yy, row["band_low"], row["band_high"], color=WORSE, lw=6, alpha=0.25)
            e, lo, hi = row["estimate"], row["ci_low"], row["ci_high"]
            ax.fill([lo, e, hi, e], [yy, yy + 0.3, yy, yy - 0.3], color=WORSE, zorder=3)
        ax.set_yticks(list(y) + [len(pooled) - i - 0.2 for i in range(len(pooled))])
        ax.set_yticklabels(labels + [row["label"] for row in pooled], fontsize=8)
        ax.axvline(0, color="black", lw=0.8)
        note = f" ({len(shown)} largest of {len(st)} studies)" if len(st) > max_studies else ""
        return finish(ax, title=f"{self.title}{note}", xlabel=self.effect_label)

    def plot_funnel(self, ax: Any = None) -> Any:
        """Funnel plot: study effect against its standard error, with pseudo 95% limits around the pooled value."""
        from .plotting import GREY, NEUTRAL, finish, get_ax

        ax = get_ax(ax)
        st = self.studies
        centre = self._funnel_centre()
        se_max = float(st["se_effect"].max()) * 1.05
        grid = np.linspace(0, se_max, 50)
        ax.plot(centre - 1.96 * grid, grid, color=GREY, ls="--", lw=1)
        ax.plot(centre + 1.96 * grid, grid, color=GREY, ls="--", lw=1)
        ax.axvline(centre, color=GREY, lw=1)
        ax.scatter(st["effect"], st["se_effect"], color=NEUTRAL, s=18, zorder=3)
        ax.set_ylim(se_max, 0)
        return finish(ax, title=f"Funnel plot: {self.title}", xlabel=self.effect_label, ylabel="standard error")

    def _funnel_centre(self) -> float:
        return float(self.table["estimate"].iloc[0])


def _fisher_ci(r: np.ndarray, n: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    z = np.arctanh(np.clip(r, -0.999999, 0.999999))
    half = _z(level) / np.sqrt(np.maximum(n - 3, 1))
    return np.tanh(z - half), np.tanh(z + half)


class HunterSchmidtResult(_MetaResult):
    """Result of :func:`hunter_schmidt` (and of :func:`meta_analysis` by Hunter-Schmidt).

    Bare-bones and corrected results together in one row.

    Attributes
    ----------
    table : DataFrame
        One row: ``correction, corrections, estimate`` (= rho), ``se, ci_low, ci_high,
        ci_level, rho, var_rho, sd_rho, cr_low, cr_high, cr_level, cv90, k, n_total,
        mean_n, mean_r, var_r, var_e, var_res, sd_res, pct_var_artifacts, se_r,
        r_ci_low, r_ci_high, var_art, pct_var_corrected`` (:func:`meta_analysis` adds
        ``outcome, better, n_companies, n_units, outcome_mean, outcome_sd`` in front).
    studies : DataFrame
        One row per study: ``study, r, n, effect, se_effect, ci_low, ci_high, rxx,
        ryy, ux, r_corrected, weight`` (forest and funnel plots draw from it).
    subgroups, meta_regression : SubgroupResult, MetaRegressionResult or None
        Moderator analyses, set by :func:`meta_analysis` with ``moderators=``.
    dropped : DataFrame
        Studies with a missing r or n (and, from a Study, companies too small).

    Examples
    --------
    >>> import empathystats as es
    >>> t = es.hunter_schmidt(r=[0.2, 0.4], n=[100, 100]).table.iloc[0]
    >>> float(t["mean_r"]), round(float(t["var_r"]), 6)  # sum n r / sum n; sum n (r - mean)^2 / sum n
    (0.3, 0.01)
    >>> round(float(t["var_e"]), 6)  # (1 - .3^2)^2 / (mean n - 1) = .8281 / 99
    0.008365

    References
    ----------
    Schmidt, F. L., & Hunter, J. E. (2015). *Methods of Meta-Analysis* (3rd ed.). Sage.
    """

    def _pooled_rows(self) -> list[dict[str, Any]]:
        t = self.table.iloc[0]
        rows = [
            {"label": "mean r (bare-bones)", "estimate": t["mean_r"], "ci_low": t["r_ci_low"],
             "ci_high": t["r_ci_high"], "band_low": t["mean_r"] - _z(t["cr_level"]) * t["sd_res"],
             "band_high": t["mean_r"] + _z(t["cr_level"]) * t["sd_res"]}
        ]
        if t["correction"] != "bare-bones":
            rows.append({"label": "rho (corrected)", "estimate": t["rho"], "ci_low": t["ci_low"],
                         "ci_high": t["ci_high"], "band_low": t["cr_low"], "band_high": t["cr_high"]})
        return rows

    def _funnel_centre(self) -> float:
        return float(self.table["mean_r"].iloc[0])

    def text(self) -> str:
        t = self.table.iloc[0]
        what = self.params.get("outcome_label", "the outcome")
        word = self.params.get("study_word", "studies")
        s = (
            f"Across {int(t['k'])} {word} ({int(t['n_total']):,} units), the sample-size weighted mean "
            f"correlation between engagement and {what} was {t['mean_r']:.2f} "
            f"({t['ci_level']:.0%} CI {t['r_ci_low']:.2f} to {t['r_ci_high']:.2f}); sampling error explains "
            f"{t['pct_var_artifacts']:.0f}% of its variance across {word}."
        )
        if t["correction"] != "bare-bones":
            s += (
                f" Corrected for {t['corrections']}, the estimated true correlation is rho = {t['rho']:.2f} "
                f"({t['ci_level']:.0%} CI {t['ci_low']:.2f} to {t['ci_high']:.2f}; SD of rho {t['sd_rho']:.3f})."
            )
        s += (
            f" {t['cr_level']:.0%} of true correlations are expected between {t['cr_low']:.2f} and "
            f"{t['cr_high']:.2f}; 90% of true correlations are {'above' if t['rho'] >= 0 else 'below'} "
            f"{t['cv90']:.2f} (90% credibility value)."
        )
        return s


class RandomEffectsResult(_MetaResult):
    """Result of :func:`random_effects` (and of :func:`meta_analysis` with ``method="random-effects"``).

    Attributes
    ----------
    table : DataFrame
        One row: ``method, estimate, se, ci_low, ci_high, ci_level, p_value, pi_low,
        pi_high, tau2, tau, i2, h2, q, q_df, q_p_value, k, n_total, estimate_z, se_z,
        ci_low_z, ci_high_z, pi_low_z, pi_high_z, iterations`` (estimate and
        intervals on the r scale for correlations; ``_z`` columns on Fisher's z).
    studies : DataFrame
        One row per study with its effect, CI and weight (forest and funnel plots).
    subgroups, meta_regression : SubgroupResult, MetaRegressionResult or None
        Moderator analyses, set by :func:`meta_analysis` with ``moderators=``.
    dropped : DataFrame
        Studies with a missing r or n.

    Examples
    --------
    >>> import empathystats as es
    >>> t = es.random_effects(r=[0.3, 0.3, 0.3], n=[50, 50, 50]).table.iloc[0]
    >>> round(float(t["estimate"]), 6), float(t["tau2"]), float(t["q"])  # identical studies: no heterogeneity
    (0.3, 0.0, 0.0)

    References
    ----------
    DerSimonian, R., & Laird, N. (1986). Meta-analysis in clinical trials. *Controlled Clinical Trials*, 7,
    177-188. Viechtbauer, W. (2005). *J. Educ. Behav. Stat.*, 30, 261-293.
    """

    def _pooled_rows(self) -> list[dict[str, Any]]:
        t = self.table.iloc[0]
        return [{"label": f"pooled ({t['method']})", "estimate": t["estimate"], "ci_low": t["ci_low"],
                 "ci_high": t["ci_high"], "band_low": t["pi_low"], "band_high": t["pi_high"]}]

    def text(self) -> str:
        t = self.table.iloc[0]
        return (
            f"Random-effects meta-analysis ({t['method']}) of {int(t['k'])} studies: pooled estimate "
            f"{t['estimate']:.3f} ({t['ci_level']:.0%} CI {t['ci_low']:.3f} to {t['ci_high']:.3f}); "
            f"tau^2 = {t['tau2']:.4f}, I^2 = {t['i2']:.0f}%, Q = {t['q']:.1f} on {int(t['q_df'])} df; "
            f"{t['ci_level']:.0%} prediction interval {t['pi_low']:.3f} to {t['pi_high']:.3f}."
        )


class MetaRegressionResult(Result):
    """Result of :func:`meta_regression`: one row per term (Fisher-z scale for correlations).

    Attributes
    ----------
    table : DataFrame
        One row per term: ``term, estimate, se, ci_low, ci_high, ci_level, z, p_value``.
    stats : dict
        ``k, tau2`` (residual), ``qm, qm_df, qm_p_value`` (test of the moderators),
        ``qe, qe_df, qe_p_value`` (residual heterogeneity).
    dropped : DataFrame
        Studies with a missing r, n or moderator.

    Examples
    --------
    >>> import pandas as pd, empathystats as es
    >>> df = pd.DataFrame({"r": [0.2, 0.2, 0.4, 0.4], "n": [53] * 4, "g": ["a", "a", "b", "b"]})
    >>> res = es.meta_regression(df, moderators="g")
    >>> res.table["estimate"].round(4).tolist()  # atanh(.2); atanh(.4) - atanh(.2)
    [0.2027, 0.2209]
    >>> res.table["se"].round(4).tolist()  # sqrt(1 / (2 x 50)); sqrt(2 / (2 x 50))
    [0.1, 0.1414]

    References
    ----------
    Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance estimators in the random-effects
    model. *J. Educ. Behav. Stat.*, 30, 261-293. R: ``metafor::rma(yi, vi, mods = ~ g)``.
    """

    def __init__(self, table: pd.DataFrame, *, stats_: dict[str, float], **kwargs: Any) -> None:
        super().__init__(table, **kwargs)
        self.stats = stats_

    def text(self) -> str:
        s = self.stats
        return (
            f"Meta-regression on {int(s['k'])} studies: the moderators {'' if s['qm_p_value'] < 0.05 else 'do not '}"
            f"explain a significant part of the differences between studies (QM = {s['qm']:.2f}, "
            f"df = {int(s['qm_df'])}, p = {s['qm_p_value']:.3f}); residual tau^2 = {s['tau2']:.4f}."
        )


class SubgroupResult(Result):
    """Result of :func:`subgroup_analysis`: one row per subgroup and the between-group Q test.

    Attributes
    ----------
    table : DataFrame
        One row per subgroup: ``group, k, estimate, se, ci_low, ci_high, ci_level,
        tau2, i2, estimate_z, se_z``.
    stats : dict
        ``q_between, df, q_between_p_value``.
    dropped : DataFrame
        Studies with no subgroup value; subgroups with a single study.

    Examples
    --------
    >>> import pandas as pd, empathystats as es
    >>> df = pd.DataFrame({"r": [0.2, 0.2, 0.4, 0.4], "n": [53] * 4, "g": ["a", "a", "b", "b"]})
    >>> res = es.subgroup_analysis(df, by="g")
    >>> res.table["estimate"].round(6).tolist()
    [0.2, 0.4]
    >>> round(res.stats["q_between"], 4)  # (atanh(.4) - atanh(.2))^2 / (2 x .1^2)
    2.4402

    References
    ----------
    Borenstein, M., Hedges, L. V., Higgins, J. P. T., & Rothstein, H. R. (2009). *Introduction to
    Meta-Analysis*, ch. 19. Wiley.
    """

    def __init__(self, table: pd.DataFrame, *, stats_: dict[str, float], **kwargs: Any) -> None:
        super().__init__(table, **kwargs)
        self.stats = stats_

    def text(self) -> str:
        s = self.stats
        return (
            f"Subgroups differ {'significantly' if s['q_between_p_value'] < 0.05 else 'not significantly'} "
            f"(Q between = {s['q_between']:.2f}, df = {int(s['df'])}, p = {s['q_between_p_value']:.3f})."
        )


# ---------------------------------------------------------------------------
# Hunter-Schmidt
# ---------------------------------------------------------------------------
def _artifact_grid(dists: list[np.ndarray], max_points: int = 200) -> tuple[list[np.ndarray], np.ndarray]:
    """Fully cross independent artifact distributions; return flattened values and probabilities."""
    vals, probs = [], []
    for d in dists:
        u, c = np.unique(d, return_counts=True)
        if u.size > max_points:  # summarise by quantiles to bound the grid
            u = np.quantile(d, (np.arange(max_points) + 0.5) / max_points)
            c = np.ones(max_points)
        vals.append(u)
        probs.append(c / c.sum())
    mesh = np.meshgrid(*vals, indexing="ij")
    pm = np.meshgrid(*probs, indexing="ij")
    p = np.prod([m.ravel() for m in pm], axis=0)
    return [m.ravel() for m in mesh], p


def hunter_schmidt(
    data: pd.DataFrame | None = None,
    *,
    r: Any = "r",
    n: Any = "n",
    rxx: Any = None,
    ryy: Any = None,
    ux: Any = None,
    range_restriction: str | None = None,
    correction: str = "individual",
    ci_level: float = 0.95,
    cr_level: float = 0.80,
    sampling_error: str = "mean_n",
    label: str | None = None,
) -> HunterSchmidtResult:
    r"""Hunter-Schmidt psychometric meta-analysis of correlations.

    **Bare-bones** (sampling error only; Schmidt & Hunter 2015, ch. 3):

    .. math::

        \bar r = \frac{\sum n_i r_i}{\sum n_i},\quad
        s_r^2 = \frac{\sum n_i (r_i - \bar r)^2}{\sum n_i},\quad
        s_e^2 = \frac{(1 - \bar r^2)^2}{\bar N - 1},\quad
        s_{res}^2 = s_r^2 - s_e^2 .

    ``pct_var_artifacts`` = 100 s_e^2 / s_r^2 (may exceed 100 by chance). The CI
    of the mean uses SE = sqrt(s_r^2 / k), as Schmidt & Hunter (2015, p. 230)
    recommend, with a normal quantile. With ``sampling_error="study"``, s_e^2 is
    the n-weighted mean of the per-study (1 - r̄^2)^2 / (n_i - 1) instead (what
    ``metafor`` computes with ``vtype="AV"``).

    **Individual corrections** (``correction="individual"``): each r_i is
    corrected (:func:`correct_r`) to rc_i with attenuation factor A_i = r_i/rc_i;
    weights w_i = n_i A_i^2; rho = sum w rc / sum w; var_rc is the w-weighted
    variance of rc_i; the sampling-error variance of rc_i is
    s_e^2 (d rc/d r)^2 (which equals s_e^2 a_i^2 / A_i^2 with Schmidt &
    Hunter's range-restriction factor a_i; s_e^2 as chosen by ``sampling_error``,
    per study with ``"study"``); var_rho = var_rc - w-weighted mean error
    variance; SE(rho) = sqrt(var_rc / k). Studies missing an artifact get the mean
    of the artifact's distribution (the studies that report it); the footer counts them.

    **Artifact distributions** (``correction="artifact_distribution"``): the
    artifacts reported by studies (or given as scalars) form independent
    distributions that are fully crossed, as in the interactive method (Law,
    Schmidt & Hunter 1994). rho solves mean_a[attenuate(rho; a)] = r̄; the variance
    the artifacts add, Var_a[attenuate(rho; a)], and s_e^2 are removed from s_r^2
    and the remainder is divided by the squared mean slope d r / d rho (for
    reliabilities alone this is Schmidt & Hunter's multiplicative method:
    rho = r̄ / (mean sqrt(rxx) mean sqrt(ryy))). SE(rho) = sqrt(s_r^2/k) / slope.

    Credibility interval: rho ± z_{(1+cr_level)/2} SD_rho; ``cv90`` is the 90%
    credibility value rho - sign(rho) 1.2816 SD_rho: 90% of true correlations lie
    beyond it in the direction of rho (the lower 90% CV for a positive rho, the upper
    one for a negative rho), the figure Gallup's Q12 meta-analyses report.

    Parameters
    ----------
    data : DataFrame, optional
        One row per study. Omit to pass arrays as ``r`` and ``n``.
    r, n : str or array-like
        Observed correlations and sample sizes (units per study).
    rxx, ryy : str, float, array-like or None
        Reliability of engagement and of the outcome in each study's sample.
        A column (NaN = not reported), one value for all studies, or None (no correction).
    ux : str, float, array-like or None
        SD of engagement in the study / SD in the reference population.
    range_restriction : {None, "direct", "indirect"}
        Kind of range restriction corrected when ``ux`` is given. None with ``ux``
        means ``"indirect"`` (Hunter, Schmidt & Le 2006: the usual case).
    correction : {"individual", "artifact_distribution"}
    ci_level, cr_level : float
        Confidence level of CIs; coverage of the credibility interval.
    sampling_error : {"mean_n", "study"}
        How the bare-bones sampling-error variance is computed (see above).
    label : str, optional
        Column of study names for tables and plots.

    Returns
    -------
    HunterSchmidtResult
        ``.table`` (one row): ``correction, corrections, estimate`` (= rho), ``se,
        ci_low, ci_high, ci_level, rho, var_rho, sd_rho, cr_low, cr_high, cr_level,
        cv90, k, n_total, mean_n, mean_r, var_r, var_e, var_res, sd_res,
        pct_var_artifacts, se_r, r_ci_low, r_ci_high, var_art, pct_var_corrected``.
        ``.studies``: per-study ``study, r, n, effect, se_effect, ci_low, ci_high,
        rxx, ryy, ux, r_corrected, weight``.

    Warns
    -----
    EmpathyStatsWarning
        When a corrected correlation exceeds 1 in absolute value (names the studies).

    Examples
    --------
    >>> import empathystats as es
    >>> res = es.hunter_schmidt(r=[0.2, 0.3, 0.25], n=[100, 150, 80], ryy=0.8)
    >>> round(float(res.table["mean_r"].iloc[0]), 4)  # (100*.2 + 150*.3 + 80*.25) / 330
    0.2576
    >>> round(float(res.table["rho"].iloc[0]), 4)  # mean r / sqrt(.8)
    0.288

    References
    ----------
    Schmidt, F. L., & Hunter, J. E. (2015). *Methods of Meta-Analysis* (3rd ed.). Sage.
    Hunter, J. E., Schmidt, F. L., & Le, H. (2006). Implications of direct and indirect range
    restriction for meta-analysis methods and findings. *J. Appl. Psychol.*, 91, 594-612.
    R equivalent: ``psychmeta::ma_r`` (not used; checked against closed forms and published examples).
    """
    func = "hunter_schmidt"
    check_choice(correction, ("individual", "artifact_distribution"), name="correction", func=func)
    check_choice(range_restriction, RANGE_RESTRICTION, name="range_restriction", func=func)
    check_choice(sampling_error, ("mean_n", "study"), name="sampling_error", func=func)
    check_number(ci_level, name="ci_level", func=func, low=0, high=1, low_open=True, high_open=True)
    check_number(cr_level, name="cr_level", func=func, low=0, high=1, low_open=True, high_open=True)
    frame, drops, source = _study_frame(data, r, n, label, func=func, min_n=2)
    k_all = len(frame) + sum(d[1] for d in drops)
    rows = frame["_row"].to_numpy()
    arts: dict[str, np.ndarray | None] = {}
    for name, spec in (("rxx", rxx), ("ryy", ryy), ("ux", ux)):
        v = _values(data, spec, name=name, func=func, k=k_all, source=source)
        if name == "ux":
            _check_range(v, name=name, column=spec, source=source, low=0, high=np.inf, low_open=True,
                         fix="ux is a ratio of standard deviations (study SD / reference SD), above 0.")
        else:
            _check_range(v, name=name, column=spec, source=source, low=0, high=1, low_open=True,
                         fix="reliabilities lie in (0, 1]; leave missing values empty.")
        arts[name] = None if v is None else v[rows]
    if arts["ux"] is not None and range_restriction is None:
        range_restriction = "indirect"
    if range_restriction is not None and arts["ux"] is None:
        raise ParameterError(
            f"The 'range_restriction' parameter of {func} needs 'ux' (study SD / reference SD); got ux=None instead."
        )
    k = len(frame)
    if k < 2:
        raise data_error(f"a meta-analysis needs at least 2 studies with r and n; got {k}", source=source,
                         fix="add studies, or drop the rows with missing r or n.")
    r_i = frame["r"].to_numpy()
    n_i = frame["n"].to_numpy()
    labels = frame["study"].to_numpy()

    # -- bare-bones -----------------------------------------------------------
    n_total = n_i.sum()
    mean_n = n_total / k
    mean_r = float(np.sum(n_i * r_i) / n_total)
    var_r = float(np.sum(n_i * (r_i - mean_r) ** 2) / n_total)
    ve_i = (1 - mean_r**2) ** 2 / (n_i - 1)
    var_e = (1 - mean_r**2) ** 2 / (mean_n - 1) if sampling_error == "mean_n" else float(np.sum(n_i * ve_i) / n_total)
    var_res = max(0.0, var_r - var_e)
    se_r = np.sqrt(var_r / k)
    z = _z(ci_level)
    zc = _z(cr_level)
    notes = [
        f"Sampling-error variance: (1 - mean r^2)^2 / ({'mean N' if sampling_error == 'mean_n' else 'n_i'} - 1); "
        f"SE of the mean = sqrt(observed variance / k) (Schmidt & Hunter 2015); CI with the normal quantile.",
        "Correlations keep their observed sign.",
    ]

    # -- corrections ----------------------------------------------------------
    used = [nm for nm in ("rxx", "ryy") if arts[nm] is not None]
    corrections = ", ".join(
        {"rxx": "engagement reliability (rxx)", "ryy": "outcome reliability (ryy)"}[u] for u in used
    )
    if range_restriction is not None:
        corrections += (", " if corrections else "") + f"{range_restriction} range restriction (ux)"
    filled: dict[str, np.ndarray] = {}
    for nm in ("rxx", "ryy", "ux"):
        v = arts[nm]
        if v is None:
            filled[nm] = np.ones(k)
            continue
        have = ~np.isnan(v)
        if not have.any():
            raise data_error(f"no study reports {nm}", source=source, column=None,
                             fix=f"pass {nm}=None (no correction) or a single assumed value, e.g. {nm}=0.8.")
        if (~have).any():
            how = "mean of the reported values" if correction == "individual" else "left out of the artifact distribution"
            notes.append(f"{int((~have).sum())} of {k} studies did not report {nm} ({how}: {np.nanmean(v):.3f}).")
        filled[nm] = np.where(have, v, np.nanmean(v))
    rr = range_restriction
    corrected = bool(used) or rr is not None

    r_corr = correct_r(r_i, filled["rxx"], filled["ryy"], filled["ux"], rr) if corrected else r_i.copy()
    if rr is not None:
        bad = _rxxa(filled["rxx"], filled["ux"]) <= 0
        if bad.any():
            raise data_error(
                "ux is too large for the study's rxx: the implied reliability in the reference population, "
                "1 - ux^2 (1 - rxx), is not positive",
                source=source,
                rows=[(lab, (float(a), float(u))) for lab, a, u in
                      zip(labels[bad], filled["rxx"][bad], filled["ux"][bad], strict=True)],
                fix="check that ux = study SD / reference SD (not its inverse) and that rxx is the study's reliability.",
            )
    var_art = 0.0
    if not corrected:
        rho, var_rho, se_rho = mean_r, var_res, se_r
        weight = n_i.astype(float)
        pct_corr = 100 * var_e / var_r if var_r > 0 else np.nan
        label_corr = "bare-bones"
    elif correction == "individual":
        slope = _correct_slope(r_i, filled["rxx"], filled["ryy"], filled["ux"], rr)
        slope0 = _correct_slope(np.zeros(k), filled["rxx"], filled["ryy"], filled["ux"], rr)
        with np.errstate(invalid="ignore", divide="ignore"):
            a_fac = np.where(np.abs(r_i) > 1e-12, r_i / r_corr, 1.0 / slope0)
        weight = n_i * a_fac**2
        rho = float(np.sum(weight * r_corr) / weight.sum())
        var_rc = float(np.sum(weight * (r_corr - rho) ** 2) / weight.sum())
        ve_used = ve_i if sampling_error == "study" else np.full(k, var_e)
        ve_c = float(np.sum(weight * ve_used * slope**2) / weight.sum())
        var_rho = max(0.0, var_rc - ve_c)
        se_rho = np.sqrt(var_rc / k)
        pct_corr = 100 * ve_c / var_rc if var_rc > 0 else np.nan
        label_corr = "individual"
    else:
        dists = [arts[nm][~np.isnan(arts[nm])] if arts[nm] is not None else np.ones(1) for nm in ("rxx", "ryy", "ux")]
        (g_rxx, g_ryy, g_ux), p = _artifact_grid(dists)

        def mean_att(x: float) -> float:
            return float(np.sum(p * attenuate_rho(x, g_rxx, g_ryy, g_ux, rr)))

        lo, hi = mean_att(-1.0), mean_att(1.0)
        if lo <= mean_r <= hi:
            rho = float(optimize.brentq(lambda x: mean_att(x) - mean_r, -1.0, 1.0, xtol=1e-14))
        else:  # beyond what the artifacts allow: extrapolate linearly and warn below
            rho = mean_r / float(np.sum(p * attenuate_rho(1e-6, g_rxx, g_ryy, g_ux, rr)) / 1e-6)
        h = 1e-6
        slope_ad = (mean_att(min(rho + h, 1.0)) - mean_att(max(rho - h, -1.0))) / (min(rho + h, 1.0) - max(rho - h, -1.0))
        att = attenuate_rho(np.clip(rho, -1, 1), g_rxx, g_ryy, g_ux, rr)
        var_art = float(np.sum(p * (att - np.sum(p * att)) ** 2))
        var_rho = max(0.0, var_r - var_e - var_art) / slope_ad**2
        se_rho = se_r / slope_ad
        weight = n_i.astype(float)
        pct_corr = 100 * (var_e + var_art) / var_r if var_r > 0 else np.nan
        label_corr = "artifact distribution"
        notes.append(
            "Artifact distributions (crossed, assumed independent): "
            + "; ".join(f"{nm}: {d.size} values, mean {d.mean():.3f}" for nm, d in zip(("rxx", "ryy", "ux"), dists, strict=False)
                        if arts[nm] is not None)
            + "."
        )

    over = np.abs(r_corr) > 1
    if corrected and correction == "individual" and over.any():
        warnings.warn(
            f"{int(over.sum())} corrected correlation(s) exceed 1 in absolute value (studies "
            f"{', '.join(map(str, labels[over][:10]))}): the artifact values are probably too low for these studies.",
            EmpathyStatsWarning,
            stacklevel=2,
        )
    if abs(rho) > 1:
        warnings.warn(f"The corrected mean correlation rho = {rho:.3f} exceeds 1 in absolute value: check the "
                      "reliabilities and range-restriction ratios.", EmpathyStatsWarning, stacklevel=2)

    sd_rho = float(np.sqrt(var_rho))
    table = pd.DataFrame(
        [
            {
                "correction": label_corr,
                "corrections": corrections or "none",
                "estimate": rho,
                "se": se_rho,
                "ci_low": rho - z * se_rho,
                "ci_high": rho + z * se_rho,
                "ci_level": ci_level,
                "rho": rho,
                "var_rho": var_rho,
                "sd_rho": sd_rho,
                "cr_low": rho - zc * sd_rho,
                "cr_high": rho + zc * sd_rho,
                "cr_level": cr_level,
                "cv90": rho - np.sign(rho) * float(stats.norm.ppf(0.9)) * sd_rho,
                "k": k,
                "n_total": float(n_total),
                "mean_n": mean_n,
                "mean_r": mean_r,
                "var_r": var_r,
                "var_e": var_e,
                "var_res": var_res,
                "sd_res": np.sqrt(var_res),
                "pct_var_artifacts": 100 * var_e / var_r if var_r > 0 else np.nan,
                "se_r": se_r,
                "r_ci_low": mean_r - z * se_r,
                "r_ci_high": mean_r + z * se_r,
                "var_art": var_art,
                "pct_var_corrected": pct_corr,
            }
        ]
    )
    ci_lo, ci_hi = _fisher_ci(r_i, n_i, 0.95)
    studies = pd.DataFrame(
        {
            "study": labels,
            "r": r_i,
            "n": n_i,
            "effect": r_i,
            "se_effect": np.sqrt(ve_i),
            "ci_low": ci_lo,
            "ci_high": ci_hi,
            "rxx": arts["rxx"] if arts["rxx"] is not None else np.nan,
            "ryy": arts["ryy"] if arts["ryy"] is not None else np.nan,
            "ux": arts["ux"] if arts["ux"] is not None else np.nan,
            "r_corrected": r_corr if (corrected and correction == "individual") else np.nan,
            "weight": weight,
        }
    )
    title = f"Hunter-Schmidt meta-analysis ({label_corr}), k = {k}"
    params = {"correction": correction, "range_restriction": rr, "ci_level": ci_level, "cr_level": cr_level,
              "sampling_error": sampling_error}
    return HunterSchmidtResult(table, studies, title=title, params=params, dropped=dropped_frame(drops),
                               reference=HS_REFERENCE, notes=notes)


# ---------------------------------------------------------------------------
# random effects and meta-regression
# ---------------------------------------------------------------------------
def _gls(y: np.ndarray, v: np.ndarray, x: np.ndarray, tau2: float) -> tuple[np.ndarray, ...]:
    w = 1.0 / (v + tau2)
    xtw = x.T * w
    inv = np.linalg.inv(xtw @ x)
    beta = inv @ (xtw @ y)
    resid = y - x @ beta
    return w, inv, beta, resid


def _tau2(y: np.ndarray, v: np.ndarray, x: np.ndarray, method: str) -> tuple[float, int]:
    """Between-study variance by DL, HS, PM, ML or REML (Viechtbauer 2005); returns (tau2, iterations)."""
    k, p = x.shape
    w, inv, _, resid = _gls(y, v, x, 0.0)
    qe = float(np.sum(w * resid**2))
    tr_p = float(w.sum() - np.trace(inv @ ((x.T * w**2) @ x)))
    if method == "DL":
        return max(0.0, (qe - (k - p)) / tr_p), 0
    if method == "HS":
        return max(0.0, (qe - k) / w.sum()), 0
    if method == "PM":
        def q_minus(t2: float) -> float:
            ww, _, _, rr = _gls(y, v, x, t2)
            return float(np.sum(ww * rr**2)) - (k - p)

        if q_minus(0.0) <= 0:
            return 0.0, 0
        hi = max(float(np.var(y)), 1e-4)
        while q_minus(hi) > 0:
            hi *= 2
        return float(optimize.brentq(q_minus, 0.0, hi, xtol=1e-14, rtol=1e-14)), 0
    # ML / REML by Fisher scoring from the DL value (Viechtbauer 2005, eqs. 11-12)
    t2 = max(0.0, (qe - (k - p)) / tr_p)
    for it in range(1, 501):
        w, inv, _, resid = _gls(y, v, x, t2)
        if method == "ML":
            step = (np.sum(w**2 * resid**2) - w.sum()) / np.sum(w**2)
        else:
            b2 = inv @ ((x.T * w**2) @ x)
            tr_p = w.sum() - np.trace(b2)
            tr_pp = np.sum(w**2) - 2 * np.trace(inv @ ((x.T * w**3) @ x)) + np.trace(b2 @ b2)
            step = (np.sum((w * resid) ** 2) - tr_p) / tr_pp
        new = max(0.0, t2 + float(step))
        if abs(new - t2) < 1e-12:
            return new, it
        t2 = new
    warnings.warn(f"{method} estimate of tau^2 did not converge in 500 iterations.", EmpathyStatsWarning, stacklevel=3)
    return t2, 500


def _effects(
    data: pd.DataFrame | None, r: Any, n: Any, yi: str | None, vi: str | None, label: str | None, func: str
) -> tuple[pd.DataFrame, list[tuple[str, int, str]], bool]:
    """Study effects y (Fisher z of r, or yi) and variances v (1/(n-3), or vi)."""
    if (yi is None) != (vi is None):
        raise ParameterError(f"The 'yi' and 'vi' parameters of {func} go together; got only one of them.")
    if yi is not None:
        if data is None:
            raise ParameterError(f"The 'data' parameter of {func} must be a DataFrame when yi/vi are given.")
        check_dataframe(data, name="data", func=func)
        y = _values(data, yi, name="yi", func=func, k=len(data), source="data")
        v = _values(data, vi, name="vi", func=func, k=len(data), source="data")
        _check_range(v, name="vi", column=vi, source="data", low=0, high=np.inf, low_open=True,
                     fix="sampling variances are positive.")
        labels = data[label].astype(str).to_numpy() if label else np.asarray([str(i) for i in data.index])
        frame = pd.DataFrame({"study": labels, "y": y, "v": v, "n": np.nan, "r": np.nan, "_row": np.arange(len(data))})
        miss = frame["y"].isna() | frame["v"].isna()
        drops = [("studies with a missing yi or vi", int(miss.sum()), "")] if miss.any() else []
        return frame.loc[~miss].reset_index(drop=True), drops, False
    frame, drops, _ = _study_frame(data, r, n, label, func=func, min_n=4)
    rc = frame["r"].clip(-0.9999999, 0.9999999)
    if (frame["r"].abs() >= 1).any():
        drops.append(("studies with |r| = 1 (Fisher z undefined; clipped)", int((frame["r"].abs() >= 1).sum()), ""))
    frame["y"] = np.arctanh(rc)
    frame["v"] = 1.0 / (frame["n"] - 3.0)
    return frame, drops, True


def _design(data: pd.DataFrame, moderators: Sequence[str], rows: np.ndarray, func: str) -> tuple[np.ndarray, list[str]]:
    """Intercept plus moderators; text/categorical/boolean moderators are dummy-coded (first level = reference)."""
    cols, names = [np.ones(rows.size)], ["intercept"]
    for m in moderators:
        if m not in data.columns:
            raise data_error(f"no moderator column {m!r}", source="data",
                             fix=f"pass moderators among: {', '.join(map(str, data.columns[:20]))}.")
        col = data[m].iloc[rows]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            cols.append(col.to_numpy(dtype=float))
            names.append(m)
        else:
            levels = sorted(col.dropna().astype(str).unique())
            for lev in levels[1:]:
                cols.append((col.astype(str) == lev).to_numpy(dtype=float))
                names.append(f"{m}[{lev}]")
    return np.column_stack(cols), names


def random_effects(
    data: pd.DataFrame | None = None,
    *,
    r: Any = "r",
    n: Any = "n",
    method: str = "REML",
    ci_level: float = 0.95,
    yi: str | None = None,
    vi: str | None = None,
    label: str | None = None,
) -> RandomEffectsResult:
    r"""Random-effects meta-analysis of correlations on the Fisher-z scale.

    Each r_i becomes z_i = atanh(r_i) with variance v_i = 1/(n_i - 3). The
    between-study variance tau^2 is estimated by

    * ``"DL"`` DerSimonian & Laird (1986): (Q - (k-1)) / (sum w - sum w^2 / sum w);
    * ``"HS"`` Hunter-Schmidt (Viechtbauer 2005): (Q - k) / sum w;
    * ``"PM"`` Paule & Mandel (1982): solves sum (z_i - mu)^2 / (v_i + tau^2) = k - 1;
    * ``"ML"``, ``"REML"``: Fisher scoring (Viechtbauer 2005), started at DL;

    (truncated at 0), w_i = 1/v_i. Then mu = sum w*_i z_i / sum w*_i with
    w*_i = 1/(v_i + tau^2), SE = 1/sqrt(sum w*), Wald CI and z-test,
    I^2 = 100 tau^2 / (tau^2 + s^2) with the typical within-study variance
    s^2 = (k-1) sum w / ((sum w)^2 - sum w^2) (Higgins & Thompson 2002), and the
    prediction interval mu ± z sqrt(SE^2 + tau^2). Estimates and intervals are
    back-transformed to r with tanh (as ``metafor``'s ``transf.ztor``).

    DL and PM agree with ``statsmodels.stats.meta_analysis.combine_effects``; one
    code path is used here so that meta-regression shares it.

    Parameters
    ----------
    data : DataFrame, optional
        One row per study.
    r, n : str or array-like
        Correlations and sample sizes (n >= 4).
    method : {"REML", "DL", "PM", "ML", "HS"}
    ci_level : float
    yi, vi : str, optional
        Columns of generic effect sizes and their sampling variances, used
        instead of r and n (no transformation).
    label : str, optional
        Column of study names.

    Returns
    -------
    RandomEffectsResult
        ``.table`` (one row): ``method, estimate, se, ci_low, ci_high, ci_level,
        p_value, pi_low, pi_high, tau2, tau, i2`` (percent), ``h2, q, q_df,
        q_p_value, k, n_total, estimate_z, se_z, ci_low_z, ci_high_z, pi_low_z,
        pi_high_z, iterations``. For correlations ``estimate`` and intervals are on
        the r scale and ``se`` = se_z (1 - estimate^2) (delta method).

    Examples
    --------
    >>> import empathystats as es
    >>> res = es.random_effects(r=[0.1, 0.3, 0.2, 0.25], n=[50, 80, 120, 60], method="DL")
    >>> bool(0.1 < res.table["estimate"].iloc[0] < 0.3)
    True

    References
    ----------
    Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance estimators in the
    random-effects model. *J. Educ. Behav. Stat.*, 30, 261-293. R: ``metafor::rma(measure="ZCOR")``.
    """
    func = "random_effects"
    check_choice(method, RE_METHODS, name="method", func=func)
    check_number(ci_level, name="ci_level", func=func, low=0, high=1, low_open=True, high_open=True)
    frame, drops, is_r = _effects(data, r, n, yi, vi, label, func)
    k = len(frame)
    if k < 2:
        raise data_error(f"a meta-analysis needs at least 2 studies; got {k}", source="data",
                         fix="add studies, or drop the rows with missing values.")
    y, v = frame["y"].to_numpy(), frame["v"].to_numpy()
    x = np.ones((k, 1))
    tau2, iters = _tau2(y, v, x, method)
    w0 = 1.0 / v
    mu_fe = np.sum(w0 * y) / w0.sum()
    q = float(np.sum(w0 * (y - mu_fe) ** 2))
    s2 = (k - 1) * w0.sum() / (w0.sum() ** 2 - np.sum(w0**2))
    w = 1.0 / (v + tau2)
    mu = float(np.sum(w * y) / w.sum())
    se = float(1.0 / np.sqrt(w.sum()))
    z = _z(ci_level)
    lo, hi = mu - z * se, mu + z * se
    pi_lo, pi_hi = mu - z * np.sqrt(se**2 + tau2), mu + z * np.sqrt(se**2 + tau2)
    back = np.tanh if is_r else (lambda a: a)
    est = float(back(mu))
    i2 = 100 * tau2 / (tau2 + s2)
    table = pd.DataFrame(
        [
            {
                "method": method,
                "estimate": est,
                "se": se * (1 - est**2) if is_r else se,
                "ci_low": float(back(lo)),
                "ci_high": float(back(hi)),
                "ci_level": ci_level,
                "p_value": float(2 * stats.norm.sf(abs(mu / se))),
                "pi_low": float(back(pi_lo)),
                "pi_high": float(back(pi_hi)),
                "tau2": tau2,
                "tau": float(np.sqrt(tau2)),
                "i2": i2,
                "h2": 100 / (100 - i2),
                "q": q,
                "q_df": k - 1,
                "q_p_value": float(stats.chi2.sf(q, k - 1)),
                "k": k,
                "n_total": float(frame["n"].sum()) if is_r else np.nan,
                "estimate_z": mu,
                "se_z": se,
                "ci_low_z": lo,
                "ci_high_z": hi,
                "pi_low_z": pi_lo,
                "pi_high_z": pi_hi,
                "iterations": iters,
            }
        ]
    )
    if is_r:
        c_lo, c_hi = _fisher_ci(frame["r"].to_numpy(), frame["n"].to_numpy(), 0.95)
        eff, se_eff = frame["r"].to_numpy(), (1 - est**2) / np.sqrt(frame["n"].to_numpy() - 1)
    else:
        eff, se_eff = y, np.sqrt(v)
        c_lo, c_hi = y - 1.96 * se_eff, y + 1.96 * se_eff
    studies = pd.DataFrame({"study": frame["study"], "r": frame["r"], "n": frame["n"].fillna(pd.Series(1.0 / v, index=frame.index)),
                            "effect": eff, "se_effect": se_eff, "ci_low": c_lo, "ci_high": c_hi,
                            "y": y, "v": v, "weight": w})
    notes = ["Fisher z = atanh(r), var = 1/(n - 3); estimates back-transformed with tanh."] if is_r else []
    notes.append("Prediction interval: estimate ± z sqrt(SE^2 + tau^2); I^2 in percent.")
    res = RandomEffectsResult(table, studies, title=f"Random-effects meta-analysis ({method}), k = {k}",
                              params={"method": method, "ci_level": ci_level}, dropped=dropped_frame(drops),
                              reference=RE_REFERENCE, notes=notes)
    if not is_r:
        res.effect_label = "effect size"
    return res


def meta_regression(
    data: pd.DataFrame,
    *,
    moderators: Sequence[str] | str,
    r: Any = "r",
    n: Any = "n",
    method: str = "REML",
    ci_level: float = 0.95,
    yi: str | None = None,
    vi: str | None = None,
) -> MetaRegressionResult:
    r"""Weighted (mixed-effects) meta-regression of Fisher-z correlations on study moderators.

    y_i = x_i' beta + u_i + e_i with u_i ~ N(0, tau^2_res) and e_i ~ N(0, v_i).
    The residual tau^2 is estimated as in :func:`random_effects` (REML by Fisher
    scoring, DL with the generalised Q, PM, ML); then beta is the weighted least
    squares estimate with weights 1/(v_i + tau^2), Cov = (X'WX)^{-1}, Wald z-tests,
    and the omnibus moderator test QM = b' Cov^{-1} b over the non-intercept terms
    (chi-square, p - 1 df). QE is the residual heterogeneity statistic under
    fixed-effect weights (chi-square, k - p df). Text moderators are dummy coded
    against their first level (alphabetical), as R's ``factor``.

    Parameters
    ----------
    data : DataFrame
        One row per study with r, n (or yi, vi) and the moderator columns.
    moderators : str or list of str
    r, n, method, ci_level, yi, vi
        As in :func:`random_effects`.

    Returns
    -------
    MetaRegressionResult
        ``.table``: ``term, estimate, se, ci_low, ci_high, ci_level, z, p_value``
        (Fisher-z scale); ``.stats``: ``k, tau2, qm, qm_df, qm_p_value, qe, qe_df, qe_p_value``.
        Studies with a missing moderator are dropped and counted.

    Examples
    --------
    >>> import pandas as pd, empathystats as es
    >>> df = pd.DataFrame({"r": [.1, .3, .2, .35, .15, .3], "n": [50, 80, 120, 60, 90, 70],
    ...                    "industry": ["retail", "health"] * 3})
    >>> res = es.meta_regression(df, moderators="industry")
    >>> list(res.table["term"])
    ['intercept', 'industry[retail]']

    References
    ----------
    Viechtbauer, W. (2005); Thompson & Sharp (1999), Stat. Med. 18, 2693-2708. R: ``metafor::rma(mods=)``.
    """
    func = "meta_regression"
    check_dataframe(data, name="data", func=func)
    check_choice(method, RE_METHODS, name="method", func=func)
    check_number(ci_level, name="ci_level", func=func, low=0, high=1, low_open=True, high_open=True)
    mods = [moderators] if isinstance(moderators, str) else list(moderators)
    if not mods:
        raise ParameterError(f"The 'moderators' parameter of {func} must name at least one column; got [] instead.")
    frame, drops, is_r = _effects(data, r, n, yi, vi, None, func)
    rows = frame["_row"].to_numpy()
    miss = data[mods].iloc[rows].isna().any(axis=1).to_numpy() if all(m in data.columns for m in mods) else None
    if miss is not None and miss.any():
        drops.append(("studies with a missing moderator", int(miss.sum()), ", ".join(mods)))
        frame, rows = frame.loc[~miss].reset_index(drop=True), rows[~miss]
    x, names = _design(data, mods, rows, func)
    k, p = x.shape
    if k <= p:
        raise data_error(f"{k} studies cannot estimate {p} coefficients", source="data",
                         fix="use fewer moderators or levels, or add studies.")
    y, v = frame["y"].to_numpy(), frame["v"].to_numpy()
    tau2, _ = _tau2(y, v, x, method)
    w0, _, _, res0 = _gls(y, v, x, 0.0)
    qe = float(np.sum(w0 * res0**2))
    _, cov, beta, _ = _gls(y, v, x, tau2)
    se = np.sqrt(np.diag(cov))
    zq = _z(ci_level)
    zs = beta / se
    b1 = beta[1:]
    qm = float(b1 @ np.linalg.solve(cov[1:, 1:], b1)) if p > 1 else np.nan
    table = pd.DataFrame({"term": names, "estimate": beta, "se": se, "ci_low": beta - zq * se,
                          "ci_high": beta + zq * se, "ci_level": ci_level, "z": zs,
                          "p_value": 2 * stats.norm.sf(np.abs(zs))})
    st = {"k": k, "tau2": tau2, "qm": qm, "qm_df": p - 1, "qm_p_value": float(stats.chi2.sf(qm, p - 1)),
          "qe": qe, "qe_df": k - p, "qe_p_value": float(stats.chi2.sf(qe, k - p))}
    notes = [
        f"k = {k}; residual tau^2 = {tau2:.5f} ({method}); QM = {qm:.3f} on {p - 1} df (p = {st['qm_p_value']:.4f}); "
        f"QE = {qe:.2f} on {k - p} df.",
        "Coefficients on the Fisher-z scale." if is_r else "Coefficients on the effect-size scale.",
    ]
    return MetaRegressionResult(table, stats_=st, title=f"Meta-regression ({method}) on {', '.join(mods)}",
                                params={"method": method, "moderators": mods}, dropped=dropped_frame(drops),
                                reference=RE_REFERENCE, notes=notes)


def subgroup_analysis(
    data: pd.DataFrame,
    *,
    by: str,
    r: Any = "r",
    n: Any = "n",
    method: str = "REML",
    ci_level: float = 0.95,
    yi: str | None = None,
    vi: str | None = None,
) -> SubgroupResult:
    r"""Random-effects meta-analysis within each subgroup and a test of their difference.

    Each subgroup g gets its own tau^2 (:func:`random_effects`). The between-group
    test compares the subgroup means mu_g (Fisher-z) with a fixed-effect model:
    Q_between = sum_g (mu_g - mu*)^2 / SE_g^2, mu* = sum mu_g/SE_g^2 / sum 1/SE_g^2,
    chi-square on G - 1 df (Borenstein et al. 2009, ch. 19, "separate tau^2").

    Parameters
    ----------
    data : DataFrame
    by : str
        Column defining the subgroups (e.g. ``"industry"``). Studies with no value are dropped and counted.
    r, n, method, ci_level, yi, vi
        As in :func:`random_effects`.

    Returns
    -------
    SubgroupResult
        ``.table``: one row per subgroup (``group, k, estimate, se, ci_low, ci_high, ci_level,
        tau2, i2, estimate_z, se_z``); ``.stats``: ``q_between, df, q_between_p_value``.

    Examples
    --------
    >>> import pandas as pd, empathystats as es
    >>> df = pd.DataFrame({"r": [.1, .3, .2, .35, .15, .3], "n": [50, 80, 120, 60, 90, 70],
    ...                    "industry": ["retail", "health"] * 3})
    >>> res = es.subgroup_analysis(df, by="industry")
    >>> sorted(res.table["group"])
    ['health', 'retail']

    References
    ----------
    Borenstein, M., Hedges, L. V., Higgins, J. P. T., & Rothstein, H. R. (2009). *Introduction to
    Meta-Analysis*, ch. 19. R: ``metafor`` subgroup tips (separate ``rma`` fits, then ``rma(method="FE")``).
    """
    func = "subgroup_analysis"
    check_dataframe(data, name="data", func=func)
    check_choice(method, RE_METHODS, name="method", func=func)
    check_number(ci_level, name="ci_level", func=func, low=0, high=1, low_open=True, high_open=True)
    if (yi is None) != (vi is None):
        raise ParameterError(f"The 'yi' and 'vi' parameters of {func} go together; got only one of them.")
    if by not in data.columns:
        raise data_error(f"no subgroup column {by!r}", source="data",
                         fix=f"pass by= one of: {', '.join(map(str, data.columns[:20]))}.")
    drops: list[tuple[str, int, str]] = []
    miss = data[by].isna()
    if miss.any():
        drops.append((f"studies with no {by}", int(miss.sum()), ""))
    rows, results = [], []
    for g, part in data.loc[~miss].groupby(by, sort=True):  # a handful of groups
        if len(part) < 2:
            drops.append((f"subgroups with a single study ({by})", 1, str(g)))
            continue
        kw: dict[str, Any] = {"yi": yi, "vi": vi} if yi is not None else {"r": r, "n": n}
        res = random_effects(part, method=method, ci_level=ci_level, **kw)
        t = res.table.iloc[0]
        results.append(res)
        rows.append({"group": g, "k": int(t["k"]), "estimate": t["estimate"], "se": t["se"], "ci_low": t["ci_low"],
                     "ci_high": t["ci_high"], "ci_level": ci_level, "tau2": t["tau2"], "i2": t["i2"],
                     "estimate_z": t["estimate_z"], "se_z": t["se_z"]})
    table = pd.DataFrame(rows)
    if len(table) < 2:
        raise data_error(f"subgroup analysis needs at least 2 subgroups with 2+ studies in {by!r}", source="data",
                         fix="choose a moderator with more levels or more studies per level.")
    wg = 1.0 / table["se_z"].to_numpy() ** 2
    mg = table["estimate_z"].to_numpy()
    qb = float(np.sum(wg * (mg - np.sum(wg * mg) / wg.sum()) ** 2))
    st = {"q_between": qb, "df": len(table) - 1, "q_between_p_value": float(stats.chi2.sf(qb, len(table) - 1))}
    notes = [f"Q between = {qb:.3f} on {st['df']} df, p = {st['q_between_p_value']:.4f} (separate tau^2 per subgroup)."]
    return SubgroupResult(table, stats_=st, title=f"Subgroups by {by} (random effects, {method})",
                          params={"by": by, "method": method}, dropped=dropped_frame(drops),
                          reference="Borenstein et al. (2009), ch. 19", notes=notes)


# ---------------------------------------------------------------------------
# from a Study
# ---------------------------------------------------------------------------
def _per_company(
    study: Study, outcome: str, *, by: str, period: Any, rxx: Any, ryy: Any, ux: Any,
    min_units: int, moderators: list[str], func: str, method: str = "hunter-schmidt",
) -> tuple[pd.DataFrame, list[tuple[str, int, str]], list[str], dict[str, float]]:
    d = study.data
    notes: list[str] = []
    drops: list[tuple[str, int, str]] = []
    if by not in d.columns:
        raise data_error(f"no column {by!r} to split studies by", source="study",
                         fix="pass by= the company (or other study) column.")
    no_group = d[by].isna()
    if no_group.any():
        drops.append((f"units with no {by}", int(no_group.sum()), ""))
        d = d.loc[~no_group]
    pcol = study.period
    if period == "latest":
        last = d.groupby(by)[pcol].transform("max")
        keep = d[pcol] == last
        if (~keep).any():
            notes.append(f"Latest period per {by}: {int((~keep).sum())} earlier unit-periods not used.")
        d = d.loc[keep]
    elif period != "all":
        if period not in set(d[pcol]):
            raise ParameterError(f"The 'period' parameter of {func} must be 'latest', 'all' or one of the study's "
                                 f"periods {study.periods}; got {period!r} instead.")
        d = d.loc[d[pcol] == period]
    elif d.duplicated([study.unit]).any():
        notes.append("period='all': each unit-period is a separate observation (units repeat across periods).")
    vals = outcome_vals = study.values(outcome).loc[d.index]
    eng = d[study.engagement].astype(float)
    ok = vals.notna() & eng.notna()
    if (~ok).any():
        drops.append((f"units without a {outcome} value", int((~ok).sum()), ""))
    d = d.loc[ok].assign(_x=eng[ok], _y=outcome_vals[ok])
    g = d.groupby(by, sort=True)
    xc = d["_x"] - g["_x"].transform("mean")
    yc = d["_y"] - g["_y"].transform("mean")
    sxy = (xc * yc).groupby(d[by]).sum()
    sxx = (xc**2).groupby(d[by]).sum()
    syy = (yc**2).groupby(d[by]).sum()
    per = pd.DataFrame({"n": g.size().astype(float), "sxx": sxx, "syy": syy})
    with np.errstate(invalid="ignore", divide="ignore"):
        per["r"] = sxy / np.sqrt(sxx * syy)
    per.index.name = by
    few = per["n"] < min_units
    if few.any():
        drops.append((f"companies with fewer than {min_units} units", int(few.sum()),
                      f"{int(per.loc[few, 'n'].sum())} units"))
    flat = ~few & per["r"].isna()
    if flat.any():
        drops.append(("companies with no variation in engagement or the outcome", int(flat.sum()), ""))
    keep_c = ~(few | flat)
    per = per.loc[keep_c]
    d = d.loc[d[by].isin(per.index)]
    # pooled within-company SDs (for ux and for utility analysis)
    dfw = per["n"] - 1
    sd_x_pooled = float(np.sqrt(per["sxx"].sum() / dfw.sum())) if len(per) else np.nan
    sd_y_pooled = float(np.sqrt(per["syy"].sum() / dfw.sum())) if len(per) else np.nan
    extra = {"outcome_mean": float(d["_y"].mean()) if len(d) else np.nan, "outcome_sd": sd_y_pooled,
             "engagement_sd": sd_x_pooled, "n_units": float(per["n"].sum())}
    # engagement reliability (only Hunter-Schmidt corrects for it; random effects pools observed r)
    if method != "hunter-schmidt":
        if rxx is not None:
            notes.append(f"rxx={rxx!r} not used: random-effects pools the observed correlations "
                         "(no correction for engagement reliability; use method='hunter-schmidt' for that).")
    elif isinstance(rxx, str) and rxx == "icc2":
        need = [c for c in ("n_respondents", "engagement_sd") if c not in d.columns]
        if need:
            raise data_error(
                f"rxx='icc2' (the default) needs respondent summaries per unit, columns {need} (respondents per "
                "unit and the SD of respondent scores), which unit-level data without respondent-level answers lacks",
                source="study",
                fix="pass rxx=None (no correction for engagement reliability) or a number (e.g. a published "
                    "reliability of unit means), or build the Study from respondent-level data "
                    "(es.Study.from_survey / es.score_units add these columns).")
        from .psychometrics import icc_from_units

        if len(per):  # no company left: the caller reports "needs 2 or more" (icc_from_units rejects empty tables)
            icc = icc_from_units(d, mean=study.engagement, by=by, source="study").table.set_index(by)["icc2"]
            per["rxx"] = icc.where(icc > 0).reindex(per.index)
        notes.append("rxx: each company's ICC(2) of unit means (one-way ANOVA of unit summaries, "
                     "empathystats.icc_from_units; Bliese 2000).")
    elif isinstance(rxx, str):
        if rxx not in d.columns:
            raise data_error(f"no column {rxx!r} for rxx", source="study",
                             fix="pass rxx='icc2', a number, None or a company-level reliability column.")
        per["rxx"] = d.groupby(by)[rxx].first().reindex(per.index)
    elif rxx is not None:
        per["rxx"] = float(rxx)
    if ryy is None:
        rel = study.specs[outcome].reliability
        ryy = rel
        if rel is not None:
            notes.append(f"ryy = {rel} from the outcome spec.")
    if isinstance(ryy, str):
        per["ryy"] = d.groupby(by)[ryy].first().reindex(per.index)
    elif ryy is not None:
        per["ryy"] = float(ryy)
    if isinstance(ux, str) and ux == "pooled":
        per["ux"] = np.sqrt(per["sxx"] / dfw.loc[per.index]) / sd_x_pooled
        notes.append("ux: company SD of unit engagement / pooled within-company SD (range variation).")
    elif isinstance(ux, str):
        per["ux"] = d.groupby(by)[ux].first().reindex(per.index)
    elif ux is not None:
        per["ux"] = float(ux)
    for m in moderators:
        if m not in d.columns:
            raise data_error(f"no moderator column {m!r} in the study", source="study",
                             fix="add the company-level column (e.g. industry) to the unit table.")
        varies = d.groupby(by)[m].nunique(dropna=False) > 1
        if varies.any():
            raise data_error(f"moderator {m!r} varies within companies", source="study", column=m,
                             rows=[(c, "several values") for c in varies[varies].index[:5]],
                             fix="moderators must be company-level (one value per company).")
        per[m] = d.groupby(by)[m].first().reindex(per.index)
    per = per.drop(columns=["sxx", "syy"]).reset_index()
    return per, drops, notes, extra


def meta_analysis(
    study: Study | pd.DataFrame,
    *,
    outcome: str,
    by: str | None = None,
    method: str = "hunter-schmidt",
    rxx: Any = "icc2",
    ryy: Any = None,
    ux: Any = None,
    range_restriction: str | None = None,
    correction: str = "individual",
    re_method: str = "REML",
    moderators: Sequence[str] | str | None = None,
    min_units: int = 10,
    period: Any = "latest",
    ci_level: float = 0.95,
    cr_level: float = 0.80,
    specs: Mapping[str, Any] | None = None,
) -> HunterSchmidtResult | RandomEffectsResult:
    """Meta-analysis of the engagement-outcome correlation across companies of a Study.

    Each company is a study: r = Pearson correlation, across its business units,
    between unit engagement and the outcome's analysed value
    (:meth:`Study.values`: e.g. days absent / scheduled days), N = its number of
    units. **Signs are raw**: for outcomes where lower is better (absenteeism,
    turnover, incidents, shrinkage, defects) a negative r means engaged units do
    better; the table's ``better`` column says which way is better (Gallup reports
    raw signs the same way).

    Parameters
    ----------
    study : Study or DataFrame
        A :class:`~empathystats.Study` (or a unit-level DataFrame with engagement and outcomes).
    outcome : str
        One of the study's outcomes.
    by : str, optional
        The study column (default: the Study's company column).
    method : {"hunter-schmidt", "random-effects"}
    rxx : "icc2", float, column name or None
        Engagement reliability. ``"icc2"``: each company's ICC(2) of unit means,
        from ``n_respondents``, ``engagement`` and ``engagement_sd`` (companies where it
        is not positive get the mean of the others, counted in the footer). Only
        used by ``"hunter-schmidt"``: with ``"random-effects"`` it is ignored (the
        footer says so). Unit-level data without respondent summaries (no
        ``n_respondents``/``engagement_sd``) cannot give ``"icc2"``: Hunter-Schmidt
        then raises a DataError; pass ``rxx=None`` (no correction) or a number.
    ryy : float, column name or None
        Outcome reliability; None uses the outcome spec's ``reliability`` (often None: no correction).
    ux : "pooled", float, column name or None
        Range-variation ratio; ``"pooled"`` = company SD of unit engagement /
        pooled within-company SD.
    range_restriction, correction, ci_level, cr_level
        Passed to :func:`hunter_schmidt`.
    re_method : {"REML", "DL", "PM", "ML", "HS"}
        tau^2 estimator for ``method="random-effects"`` and for moderator analyses.
    moderators : str or list of str, optional
        Company-level columns (e.g. ``"industry"``): adds ``.subgroups`` (first
        moderator) and ``.meta_regression`` (all) to the result.
    min_units : int
        Companies with fewer units are dropped (and counted).
    period : "latest", "all" or a period value
        ``"latest"`` (default) uses each company's latest period; ``"all"`` pools
        unit-periods as separate observations.
    specs : mapping of str to OutcomeSpec, optional
        Outcome specs for a DataFrame ``study`` (e.g. a custom outcome such as
        SHMI); ignored when ``study`` is a Study (it has its own specs).

    Returns
    -------
    HunterSchmidtResult or RandomEffectsResult
        ``.table`` gains ``outcome, better, n_companies, n_units, outcome_mean,
        outcome_sd`` (pooled within-company SD, for utility analysis);
        ``.studies`` has one row per company.

    Examples
    --------
    >>> import empathystats as es
    >>> demo = es.load_demo("multi")
    >>> study = es.Study.from_survey(demo.survey, demo.outcomes)
    >>> res = es.meta_analysis(study, outcome="turnover")
    >>> res.table[["outcome", "mean_r", "rho", "cv90"]]  # doctest: +SKIP

    References
    ----------
    Schmidt & Hunter (2015); Harter, Schmidt et al. (2020), *The relationship between engagement
    at work and organizational outcomes: Q12 meta-analysis*, 10th ed., Gallup (method, not wording).
    """
    return _meta_analysis(
        study, func="meta_analysis", outcome=outcome, by=by, method=method, rxx=rxx, ryy=ryy, ux=ux,
        range_restriction=range_restriction, correction=correction, re_method=re_method, moderators=moderators,
        min_units=min_units, period=period, ci_level=ci_level, cr_level=cr_level, specs=specs,
    )


def _check_meta_options(options: dict[str, Any], func: str) -> None:
    """Validate meta_analysis' choice and number options (those given), naming ``func`` (the caller)."""
    choices = {
        "method": ("hunter-schmidt", "random-effects"),
        "re_method": RE_METHODS,
        "correction": ("individual", "artifact_distribution"),
        "range_restriction": RANGE_RESTRICTION,
    }
    for name, allowed in choices.items():
        if name in options:
            check_choice(options[name], allowed, name=name, func=func)
    if "min_units" in options:
        check_number(options["min_units"], name="min_units", func=func, low=4, integer=True)
    for name in ("ci_level", "cr_level"):
        if name in options:
            check_number(options[name], name=name, func=func, low=0, high=1, low_open=True, high_open=True)


def _meta_analysis(
    study: Study | pd.DataFrame, *, func: str, outcome: str, by: str | None, method: str, rxx: Any, ryy: Any,
    ux: Any, range_restriction: str | None, correction: str, re_method: str,
    moderators: Sequence[str] | str | None, min_units: int, period: Any, ci_level: float, cr_level: float,
    specs: Mapping[str, Any] | None = None,
) -> HunterSchmidtResult | RandomEffectsResult:
    """:func:`meta_analysis`, with errors naming ``func`` (the function the user called)."""
    _check_meta_options(
        {"method": method, "re_method": re_method, "correction": correction, "range_restriction": range_restriction,
         "min_units": min_units, "ci_level": ci_level, "cr_level": cr_level},
        func,
    )
    st = as_study(study, func=func, specs=specs)
    if outcome not in st.specs:
        raise ParameterError(
            f"The 'outcome' parameter of {func} must be one of the study's outcomes "
            f"({', '.join(st.outcomes) or 'none'}); got {outcome!r} instead."
        )
    by = by or st.company
    mods = [] if moderators is None else ([moderators] if isinstance(moderators, str) else list(moderators))
    spec = st.specs[outcome]
    per, drops, notes, extra = _per_company(st, outcome, by=by, period=period, rxx=rxx, ryy=ryy, ux=ux,
                                            min_units=min_units, moderators=mods, func=func, method=method)
    if len(per) < 2:
        raise data_error(
            f"{outcome}: only {len(per)} {by} value(s) with at least {min_units} units; a meta-analysis needs 2 or more",
            source="study", fix="lower min_units, or analyse one company with compare_quartiles / fit_outcome_models.")
    per_lab = per.assign(_label=per[by].astype(str))
    if method == "hunter-schmidt":
        res: HunterSchmidtResult | RandomEffectsResult = hunter_schmidt(
            per_lab, r="r", n="n", rxx="rxx" if "rxx" in per else None, ryy="ryy" if "ryy" in per else None,
            ux="ux" if "ux" in per else None, range_restriction=range_restriction, correction=correction,
            ci_level=ci_level, cr_level=cr_level, label="_label")
    else:
        res = random_effects(per_lab, r="r", n="n", method=re_method, ci_level=ci_level, label="_label")
    front = pd.DataFrame([{"outcome": outcome, "better": spec.better, "n_companies": len(per),
                           "n_units": extra["n_units"], "outcome_mean": extra["outcome_mean"],
                           "outcome_sd": extra["outcome_sd"]}])
    res.table = pd.concat([front, res.table], axis=1)
    res.studies.insert(0, by, per[by].to_numpy())  # "study" keeps the label used by the plots
    word = "companies" if by == st.company else f"groups ({by})"
    res.title = f"{res.title.split(',')[0]} of engagement and {spec.label} across {len(per)} {word}"
    res.params = {"outcome": outcome, "outcome_label": spec.label, "study_word": word, "by": by, "method": method,
                  **res.params,
                  "rxx": rxx, "ryy": ryy, "ux": ux, "min_units": min_units, "period": period}
    res.dropped = pd.concat([dropped_frame(drops), res.dropped], ignore_index=True)
    res.notes = notes + res.notes + [
        f"{spec.label}: {spec.better} is better; correlations keep their raw sign "
        f"({'negative' if spec.better == 'lower' else 'positive'} r = engaged units do better)."
    ]
    if mods:
        res.subgroups = subgroup_analysis(per, by=mods[0], method=re_method) if not pd.api.types.is_numeric_dtype(
            per[mods[0]]) else None
        res.meta_regression = meta_regression(per, moderators=mods, method=re_method)
    return res


class MetaAnalysisTable(Result):
    """Result of :func:`meta_analysis_all`: one row per outcome.

    Attributes
    ----------
    table : DataFrame
        One row per outcome: ``outcome, better, n_companies, n_units, outcome_mean,
        outcome_sd`` and the meta-analysis columns of :class:`HunterSchmidtResult` or
        :class:`RandomEffectsResult`.
    results : dict
        Outcome name -> its full result (studies, plots, sentences).
    dropped : DataFrame
        Outcomes with fewer than two usable companies, and each outcome's own
        exclusions (prefixed with the outcome name).

    Examples
    --------
    >>> import empathystats as es
    >>> demo = es.load_demo("multi")
    >>> study = es.Study.from_survey(demo.survey, demo.outcomes)
    >>> tab = es.meta_analysis_all(study, outcomes=["turnover", "customer_loyalty"], rxx=None)
    >>> tab.table[["outcome", "better"]].to_dict("records")
    [{'outcome': 'turnover', 'better': 'lower'}, {'outcome': 'customer_loyalty', 'better': 'higher'}]

    References
    ----------
    Schmidt & Hunter (2015), *Methods of Meta-Analysis* (3rd ed.); Harter et al. (2020), *2020 Q12
    meta-analysis*, Gallup (one meta-analysis per outcome).
    """

    def __init__(self, table: pd.DataFrame, results: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(table, **kwargs)
        self.results = results

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Each outcome's pooled estimate with its CI (line) and credibility/prediction interval (light bar)."""
        from .plotting import NEUTRAL, WORSE, finish, get_ax

        t = self.table
        ax = get_ax(ax, figsize=(7.0, max(2.5, 0.45 * len(t) + 1.2)))
        y = np.arange(len(t))[::-1]
        lo = t["cr_low"] if "cr_low" in t else t["pi_low"]
        hi = t["cr_high"] if "cr_high" in t else t["pi_high"]
        ax.hlines(y, lo, hi, color=WORSE, lw=7, alpha=0.25)
        ax.hlines(y, t["ci_low"], t["ci_high"], color=NEUTRAL, lw=2)
        ax.scatter(t["estimate"], y, color=NEUTRAL, zorder=3)
        ax.set_yticks(y)
        ax.set_yticklabels([f"{o} ({b} better)" for o, b in zip(t["outcome"], t["better"], strict=False)], fontsize=8)
        ax.axvline(0, color="black", lw=0.8)
        return finish(ax, title=self.title, xlabel="correlation with engagement (raw sign)")

    def text(self) -> str:
        return " ".join(res.text() for res in self.results.values())


def meta_analysis_all(
    study: Study | pd.DataFrame, *, outcomes: Sequence[str] | None = None,
    specs: Mapping[str, Any] | None = None, **options: Any
) -> MetaAnalysisTable:
    """:func:`meta_analysis` for every outcome of a Study, one row per outcome.

    The table has ``outcome, better, n_companies, n_units, outcome_mean, outcome_sd``
    and the meta-analysis columns (``estimate`` = rho for Hunter-Schmidt), ready for
    utility analysis, e.g. ``es.quartile_difference(rho=row.rho, mean=row.outcome_mean,
    sd=row.outcome_sd, better=row.better)``. Outcomes with fewer than two usable
    companies are skipped and counted in ``.dropped``.

    Parameters
    ----------
    study : Study or DataFrame
    outcomes : list of str, optional
        Default: every outcome in the study.
    specs : mapping of str to OutcomeSpec, optional
        Outcome specs for a DataFrame ``study`` (custom outcomes); ignored for a Study.
    **options
        Passed to :func:`meta_analysis` (method, rxx, ryy, ux, min_units, ...).

    Returns
    -------
    MetaAnalysisTable
        ``.table`` (one row per outcome) and ``.results`` (outcome -> result).

    Examples
    --------
    >>> import empathystats as es
    >>> demo = es.load_demo("multi")
    >>> table = es.meta_analysis_all(es.Study.from_survey(demo.survey, demo.outcomes)).table  # doctest: +SKIP

    References
    ----------
    Schmidt, F. L., & Hunter, J. E. (2015). *Methods of Meta-Analysis* (3rd ed.). Sage.
    Harter, J. K., Schmidt, F. L., Agrawal, S., Blue, A., Plowman, S. K., Josh, P., & Asplund, J. (2020).
    *The relationship between engagement at work and organizational outcomes: 2020 Q12 meta-analysis*
    (10th ed.). Gallup (method, not wording).
    """
    func = "meta_analysis_all"
    allowed = set(inspect.signature(meta_analysis).parameters) - {"study", "outcome", "specs"}
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise ParameterError(
            f"The options of {func} must be keyword arguments of meta_analysis ({', '.join(sorted(allowed))}); "
            f"got {', '.join(map(repr, unknown))} instead."
        )
    _check_meta_options(options, func)
    st = as_study(study, func=func, specs=specs)
    names = [outcomes] if isinstance(outcomes, str) else (list(outcomes) if outcomes is not None else st.outcomes)
    absent = [o for o in names if o not in st.specs]
    if absent:
        raise ParameterError(
            f"The 'outcomes' parameter of {func} must list outcomes of the study "
            f"({', '.join(st.outcomes) or 'none'}); got {absent!r} instead."
        )
    defaults = {k: p.default for k, p in inspect.signature(meta_analysis).parameters.items() if k in allowed}
    results, drops, dropped_rows = {}, [], []
    for name in progress(names, desc="meta-analysis"):  # a loop over outcomes (each vectorised over companies)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", EmpathyStatsWarning)
                results[name] = _meta_analysis(st, func=func, outcome=name, **{**defaults, **options})
            for w in caught:
                warnings.warn(f"{name}: {w.message}", EmpathyStatsWarning, stacklevel=2)
        except ValueError as exc:
            if "a meta-analysis needs 2 or more" not in str(exc):
                raise
            drops.append(("outcomes with fewer than two usable companies", 1, name))
        else:
            dropped_rows.append(results[name].dropped.assign(reason=lambda f, n=name: n + ": " + f["reason"]))
    if not results:
        raise data_error("no outcome has two or more companies with enough units", source="study",
                         fix="lower min_units, or check the outcome columns.")
    table = pd.concat([r.table for r in results.values()], ignore_index=True)
    dropped = pd.concat([dropped_frame(drops), *dropped_rows], ignore_index=True)
    first = next(iter(results.values()))
    return MetaAnalysisTable(table, results, title=f"Meta-analysis of every outcome ({first.params['method']})",
                             params={k: v for k, v in options.items()}, dropped=dropped,
                             reference=first.reference,
                             notes=["Correlations keep their raw sign; see 'better' for each outcome."])
