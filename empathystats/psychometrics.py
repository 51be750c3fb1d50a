"""Is the scale reliable, and may respondent answers be aggregated to units?

* :func:`cronbach_alpha` - internal consistency of the items (Cronbach 1951), with
  the Feldt (1965) confidence interval and an item table.
* :func:`icc` / :func:`icc_from_units` - ICC(1) (share of score variance between
  units) and ICC(2) (reliability of the unit means) from a one-way ANOVA for
  unequal unit sizes (Bliese 2000). ICC(2) is the engagement reliability used
  by the meta-analysis' correction for measurement error.
* :func:`rwg` - within-unit agreement rwg(j) against a null response
  distribution (James, Demaree & Wolf 1984; LeBreton & Senter 2008).

All computations are vectorised: unit sums are :func:`numpy.bincount` calls, a
loop runs at most over items or over the handful of ``by`` groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._checks import check_choice, check_columns, check_dataframe, check_not_empty, check_number
from .errors import ParameterError, data_error
from .results import Result, dropped_frame
from .scoring import _min_items, _score_matrix, default_item_notes, default_items, group_codes, item_matrix

__all__ = [
    "cronbach_alpha",
    "AlphaResult",
    "icc",
    "icc_from_units",
    "ICCResult",
    "rwg",
    "RwgResult",
    "NULL_DISTRIBUTIONS",
    "null_variance",
]

# --------------------------------------------------------------------------- alpha


_EMPTY_SURVEY_FIX = "pass a table with one row per respondent (check the file, or any filter applied before)."


def _pairwise_cov(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Covariance matrix from pairwise-complete rows (as R's ``cov(use="pairwise")``) and pair counts."""
    m = ~np.isnan(x)
    mf = m.astype(np.float64)
    # centre on the available means first (covariance is shift invariant; less cancellation)
    with np.errstate(invalid="ignore", divide="ignore"):
        x = x - np.nanmean(x, axis=0)
    x0 = np.where(m, x, 0.0)
    n = mf.T @ mf
    s = x0.T @ x0
    a = x0.T @ mf  # a[i, j] = sum of x_i over rows where j is answered (and i)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (s - a * a.T / n) / (n - 1)
    return cov, n


def _alpha_from_cov(c: np.ndarray) -> float:
    k = c.shape[0]
    return k / (k - 1) * (1 - np.trace(c) / c.sum())


def _std_alpha_from_cov(c: np.ndarray) -> float:
    d = np.sqrt(np.diag(c))
    r = c / np.outer(d, d)
    k = r.shape[0]
    rbar = (r.sum() - k) / (k * (k - 1))
    return k * rbar / (1 + (k - 1) * rbar)


class AlphaResult(Result):
    """Cronbach's alpha (``.table``: one row) with an item table (``.items``), from :func:`cronbach_alpha`.

    Attributes
    ----------
    table : DataFrame
        One row: ``alpha, std_alpha, ci_low, ci_high, ci_level, n_respondents,
        n_items, missing``.
    items : DataFrame
        One row per item: ``item, mean, sd, pct_missing, r_drop`` (corrected
        item-total correlation), ``alpha_if_deleted, std_alpha_if_deleted``.
    alpha, std_alpha : float
        Shortcuts to the table's values.
    n : int
        Respondents used.
    dropped : DataFrame
        Respondents excluded (listwise deletion or no answer).

    Examples
    --------
    >>> import pandas as pd, empathystats as es
    >>> df = pd.DataFrame({"Q01": [1, 2, 3, 4, 5], "Q02": [2, 2, 3, 5, 5], "Q03": [1, 3, 3, 4, 4]})
    >>> res = es.cronbach_alpha(df)  # item variances 2.5, 2.3, 1.5; total-score variance 17.3
    >>> round(res.alpha, 3), res.n  # 3/2 * (1 - 6.3/17.3)
    (0.954, 5)

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. *Psychometrika*, 16,
    297-334. Feldt, L. S. (1965). *Psychometrika*, 30, 357-370 (confidence interval).
    """

    def __init__(self, table: pd.DataFrame, *, items: pd.DataFrame, **kwargs: Any) -> None:
        super().__init__(table, **kwargs)
        self.items = items

    @property
    def alpha(self) -> float:
        return float(self.table["alpha"].iloc[0])

    @property
    def std_alpha(self) -> float:
        return float(self.table["std_alpha"].iloc[0])

    @property
    def n(self) -> int:
        return int(self.table["n_respondents"].iloc[0])

    def text(self) -> str:
        r = self.table.iloc[0]
        worst = self.items.loc[self.items["alpha_if_deleted"].idxmax()]
        s = (
            f"Cronbach's alpha was {r['alpha']:.2f} ({r['ci_level']:.0%} CI {r['ci_low']:.2f}-{r['ci_high']:.2f}) "
            f"over {int(r['n_items'])} items and {int(r['n_respondents']):,} respondents "
            f"(standardized alpha {r['std_alpha']:.2f})."
        )
        if worst["alpha_if_deleted"] > r["alpha"]:
            s += f" Dropping {worst['item']} would raise it to {worst['alpha_if_deleted']:.2f}."
        return s

    def __str__(self) -> str:
        items = self.items.copy()
        num = items.select_dtypes("number").columns
        items[num] = items[num].round(self.digits)
        return super().__str__() + "\nItems:\n" + items.to_string(index=False)

    def _repr_html_(self) -> str:
        items = self.items.copy()
        num = items.select_dtypes("number").columns
        items[num] = items[num].round(self.digits)
        return super()._repr_html_() + "<div><b>Items</b></div>" + items.to_html(index=False, border=0)

    def to_excel(self, path: Any, *, sheet_name: str = "alpha") -> Any:
        """Write the summary, the item table and the dropped table to an Excel workbook."""
        from ._optional import require
        from .results import escape_formulas

        require("openpyxl", extra="excel", purpose="write Excel files")
        with pd.ExcelWriter(path, engine="openpyxl") as xl:
            escape_formulas(self.table).to_excel(xl, sheet_name=sheet_name[:31], index=False)
            escape_formulas(self.items).to_excel(xl, sheet_name="items", index=False)
            if len(self.dropped):
                escape_formulas(self.dropped).to_excel(xl, sheet_name="dropped", index=False)
        return path

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Alpha if each item were deleted, against the scale's alpha."""
        from .plotting import GREY, NEUTRAL, WORSE, finish, get_ax

        ax = get_ax(ax)
        it = self.items
        colours = [WORSE if v > self.alpha else NEUTRAL for v in it["alpha_if_deleted"]]
        ax.barh(it["item"].astype(str), it["alpha_if_deleted"], color=colours, **kwargs)
        ax.axvline(self.alpha, color=GREY, linestyle="--", linewidth=1, label=f"alpha = {self.alpha:.2f}")
        ax.invert_yaxis()
        ax.legend(frameon=False, loc="lower right")
        return finish(ax, title="Cronbach's alpha if item deleted", xlabel="alpha", ylabel="")


def cronbach_alpha(
    survey: pd.DataFrame,
    *,
    items: Sequence[str] | None = None,
    missing: str = "listwise",
    ci_level: float = 0.95,
    reverse: Sequence[str] = (),
    scale: tuple[float, float] | None = None,
    source: str = "survey",
) -> AlphaResult:
    r"""Cronbach's alpha with the Feldt confidence interval and item statistics.

    .. math::
        \alpha = \frac{k}{k-1}\Bigl(1 - \frac{\sum_i \sigma_i^2}{\sigma^2_{total}}\Bigr),
        \qquad \alpha_{std} = \frac{k\bar r}{1 + (k-1)\bar r}

    with :math:`\sigma^2_{total} = \sum_{ij} C_{ij}` the sum of the item
    covariance matrix and :math:`\bar r` the mean inter-item correlation.
    Feldt (1965) interval: :math:`1 - (1-\alpha)F_{1-a/2}` to
    :math:`1 - (1-\alpha)F_{a/2}` with :math:`F` on :math:`n-1` and
    :math:`(n-1)(k-1)` degrees of freedom. Corrected item-total correlation
    (``r_drop``): correlation of item :math:`i` with the sum of the other items,
    :math:`(\sum_j C_{ij} - C_{ii})/\sqrt{C_{ii}\sum_{j,l\ne i} C_{jl}}`.
    Matches ``psych::alpha`` (R): ``raw_alpha``, ``std.alpha``, ``feldt``,
    ``alpha.drop``, ``item.stats$r.drop``.

    Parameters
    ----------
    survey : DataFrame
        One row per respondent.
    items : list of str, optional
        Item columns (default ``Q01``, ``Q02``, ...).
    missing : {"listwise", "pairwise"}
        ``"listwise"`` (default) uses respondents who answered every item;
        ``"pairwise"`` builds each covariance from the respondents who answered
        both items (as ``psych::alpha``'s default ``use="pairwise"``), and the
        Feldt interval uses every respondent with an answer.
    ci_level : float
        Confidence level of the Feldt interval.
    reverse : list of str
        Reverse-keyed items, recoded as ``low + high - x`` (``scale``, or the
        observed minimum and maximum over all items, as ``psych`` does).
    scale : (low, high), optional
        Allowed answers; values outside are a :class:`DataError`. Default: any number.
    source : str
        Name of the data in error messages.

    Returns
    -------
    AlphaResult
        ``.table`` (``alpha, std_alpha, ci_low, ci_high, ci_level, n_respondents,
        n_items, missing``) and ``.items`` (``item, mean, sd, pct_missing,
        r_drop, alpha_if_deleted, std_alpha_if_deleted``; mean and sd over the
        respondents used, pct_missing over all rows, 0-100).

    Examples
    --------
    >>> import pandas as pd
    >>> import empathystats as es
    >>> df = pd.DataFrame({"Q01": [1, 2, 3, 4, 5], "Q02": [2, 2, 3, 5, 5], "Q03": [1, 3, 3, 4, 4]})
    >>> round(es.cronbach_alpha(df).alpha, 4)
    0.9538

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. *Psychometrika*, 16, 297-334.
    Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson reliability coefficient
    twenty. *Psychometrika*, 30, 357-370.
    """
    func = "cronbach_alpha"
    check_dataframe(survey, name="survey", func=func)
    check_choice(missing, ("listwise", "pairwise"), name="missing", func=func)
    check_number(ci_level, name="ci_level", func=func, low=0, high=1, low_open=True, high_open=True)
    given_items = items
    items = default_items(survey, items, func=func, source=source)
    notes = default_item_notes(survey, given_items, items, func=func, source=source, min_k=2)
    k = len(items)
    if k < 2:
        raise ParameterError(f"The 'items' parameter of {func} must name at least 2 items; got {items!r} instead.")
    bad_rev = [r for r in reverse if r not in items]
    if isinstance(reverse, str) or bad_rev:
        raise ParameterError(f"The 'reverse' parameter of {func} must be a list of the items; got {reverse!r} instead.")
    check_not_empty(survey, source=source, what="survey table", fix=_EMPTY_SURVEY_FIX)
    x = item_matrix(survey, items, scale=scale, source=source, dtype=np.float64)
    if reverse:
        lo, hi = scale if scale is not None else (np.nanmin(x), np.nanmax(x))
        idx = [items.index(r) for r in reverse]
        x[:, idx] = lo + hi - x[:, idx]
    answered = ~np.isnan(x)
    pct_missing = 100.0 * (~answered).mean(axis=0)
    drops: list[tuple[str, int, str]] = []
    if missing == "listwise":
        complete = answered.all(axis=1)
        if (~complete).any():
            drops.append(("respondents with a missing answer", int((~complete).sum()), "listwise deletion"))
        x = x[complete]
        n = len(x)
        c = np.cov(x, rowvar=False) if n > 1 else np.full((k, k), np.nan)
    else:
        anyans = answered.any(axis=1)
        if (~anyans).any():
            drops.append(("respondents with no answer", int((~anyans).sum()), ""))
        x = x[anyans]
        n = len(x)
        c, _ = _pairwise_cov(x)
    if n < 2:
        raise data_error(
            f"only {n} respondents can be used, too few for a reliability estimate",
            source=source,
            fix="check the item columns and missing answers (try missing='pairwise').",
        )
    alpha = _alpha_from_cov(c)
    std_alpha = _std_alpha_from_cov(c)
    a = 1 - ci_level
    df1, df2 = n - 1, (n - 1) * (k - 1)
    ci_low = 1 - (1 - alpha) * stats.f.ppf(1 - a / 2, df1, df2)
    ci_high = 1 - (1 - alpha) * stats.f.ppf(a / 2, df1, df2)

    total = c.sum()
    col = c.sum(axis=0)
    diag = np.diag(c)
    rest_var = total - 2 * col + diag  # sum of C without row and column i
    r_drop = (col - diag) / np.sqrt(diag * rest_var)
    keep = ~np.eye(k, dtype=bool)
    a_del = np.array([_alpha_from_cov(c[np.ix_(keep[i], keep[i])]) for i in range(k)]) if k > 2 else np.full(k, np.nan)
    s_del = (
        np.array([_std_alpha_from_cov(c[np.ix_(keep[i], keep[i])]) for i in range(k)]) if k > 2 else np.full(k, np.nan)
    )
    item_table = pd.DataFrame(
        {
            "item": items,
            "mean": np.nanmean(x, axis=0),
            "sd": np.nanstd(x, axis=0, ddof=1),
            "pct_missing": pct_missing,
            "r_drop": r_drop,
            "alpha_if_deleted": a_del,
            "std_alpha_if_deleted": s_del,
        }
    )
    table = pd.DataFrame(
        {
            "alpha": [alpha],
            "std_alpha": [std_alpha],
            "ci_low": [ci_low],
            "ci_high": [ci_high],
            "ci_level": [ci_level],
            "n_respondents": [n],
            "n_items": [k],
            "missing": [missing],
        }
    )
    return AlphaResult(
        table,
        items=item_table,
        title=f"Cronbach's alpha: {k} items, {n:,} respondents ({missing})",
        params={"items": items, "missing": missing, "ci_level": ci_level, "reverse": list(reverse)},
        dropped=dropped_frame(drops),
        reference="Cronbach (1951); CI: Feldt (1965). Checked against R psych::alpha.",
        notes=notes,
    )


# --------------------------------------------------------------------------- ICC


class ICCResult(Result):
    """ICC(1) and ICC(2) from a one-way ANOVA of respondent scores by unit (:func:`icc`, :func:`icc_from_units`).

    ICC(1) = (MSB - MSW) / (MSB + (k - 1) MSW) is the share of respondent-score
    variance lying between units; ICC(2) = (MSB - MSW) / MSB the reliability of
    unit means of about k respondents.

    Attributes
    ----------
    table : DataFrame
        One row (or one per ``by`` group): ``[by,] icc1, icc2, f, df1, df2,
        p_value, msb, msw, group_size, n_units, n_respondents``.
    dropped : DataFrame
        Respondents without a unit or a score; groups with a single unit.

    Examples
    --------
    >>> import pandas as pd, empathystats as es
    >>> df = pd.DataFrame({"unit_id": ["a"] * 3 + ["b"] * 3 + ["c"] * 3,
    ...                    "score": [1.0, 2, 3, 3, 4, 5, 5, 6, 7]})
    >>> t = es.icc(df, score="score").table  # MSB = 12, MSW = 1, k = 3
    >>> round(float(t["icc1"].iloc[0]), 4), round(float(t["icc2"].iloc[0]), 4)
    (0.7857, 0.9167)

    References
    ----------
    Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In K. J. Klein &
    S. W. J. Kozlowski (Eds.), *Multilevel theory, research, and methods in organizations*. Jossey-Bass.
    """

    def text(self) -> str:
        t = self.table
        if len(t) == 1:
            r = t.iloc[0]
            verdict = (
                "reliable enough to compare units (ICC(2) >= .70)"
                if r["icc2"] >= 0.7
                else ("less reliable than the usual .70 rule of thumb for comparing units")
            )
            return (
                f"ICC(1) = {r['icc1']:.3f}: {100 * r['icc1']:.1f}% of the variance in respondent scores lies "
                f"between units (F({int(r['df1'])}, {int(r['df2'])}) = {r['f']:.2f}). ICC(2) = {r['icc2']:.2f}: "
                f"unit means of about {r['group_size']:.0f} respondents are {verdict}."
            )
        ok = int((t["icc2"] >= 0.7).sum())
        return (
            f"Across {len(t)} groups, ICC(1) had median {t['icc1'].median():.3f} and ICC(2) median "
            f"{t['icc2'].median():.2f}; {ok} of {len(t)} groups reach ICC(2) >= .70."
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """ICC(2) per group (or ICC(1) and ICC(2)) with the .70 rule of thumb."""
        from .plotting import GREY, NEUTRAL, finish, get_ax

        ax = get_ax(ax)
        t = self.table
        by = self.params.get("by")
        if by and len(t) > 1:
            labels, values = t[by].astype(str), t["icc2"]
            title = f"ICC(2) by {by}"
        else:
            labels, values = pd.Series(["ICC(1)", "ICC(2)"]), pd.Series([t["icc1"].iloc[0], t["icc2"].iloc[0]])
            title = "Intraclass correlations"
        ax.bar(labels, values, color=NEUTRAL, **kwargs)
        ax.axhline(0.7, color=GREY, linestyle="--", linewidth=1)
        ax.set_ylim(min(0.0, float(np.nanmin(values)) if len(values) else 0.0), 1)
        if len(labels) > 8:
            ax.tick_params(axis="x", labelrotation=90)
        return finish(ax, title=title, ylabel="ICC")


def _icc_core(
    n: np.ndarray, mean: np.ndarray, ssw: np.ndarray, grp: np.ndarray, n_grp: int, group_size: str
) -> dict[str, np.ndarray]:
    """ANOVA quantities per ``grp`` from unit sizes, means and within sums of squares (all vectorised)."""
    big_n = np.bincount(grp, weights=n, minlength=n_grp)
    g = np.bincount(grp, minlength=n_grp).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        grand = np.bincount(grp, weights=n * mean, minlength=n_grp) / big_n
        ssb = np.bincount(grp, weights=n * (mean - grand[grp]) ** 2, minlength=n_grp)
        ssw_t = np.bincount(grp, weights=ssw, minlength=n_grp)
        df1, df2 = g - 1, big_n - g
        msb, msw = ssb / df1, ssw_t / df2
        if group_size == "mean":
            k = big_n / g
        else:
            k = (big_n - np.bincount(grp, weights=n**2, minlength=n_grp) / big_n) / (g - 1)
        f = msb / msw
        icc1 = (msb - msw) / (msb + (k - 1) * msw)
        icc2 = (msb - msw) / msb
        p = stats.f.sf(f, df1, df2)
    bad = (df1 < 1) | (df2 < 1)
    for arr in (icc1, icc2, f, p, msb, msw):
        arr[bad] = np.nan
    return {
        "icc1": icc1,
        "icc2": icc2,
        "f": f,
        "df1": df1,
        "df2": df2,
        "p_value": p,
        "msb": msb,
        "msw": msw,
        "group_size": k,
        "n_units": g.astype(np.int64),
        "n_respondents": big_n.astype(np.int64),
    }


def _icc_result(
    n: np.ndarray,
    mean: np.ndarray,
    ssw: np.ndarray,
    by_values: pd.Series | None,
    by: str | None,
    group_size: str,
    drops: list[tuple[str, int, str]],
    title: str,
    params: dict[str, Any],
    notes: list[str] | None = None,
) -> ICCResult:
    if by_values is None:
        grp = np.zeros(len(n), dtype=np.int64)
        labels = None
    else:
        codes, labels = pd.factorize(by_values, sort=True)
        grp = codes.astype(np.int64)
        keep = grp >= 0
        if (~keep).any():
            drops.append((f"units with no {by}", int((~keep).sum()), ""))
            n, mean, ssw, grp = n[keep], mean[keep], ssw[keep], grp[keep]
    n_grp = 1 if labels is None else len(labels)
    out = _icc_core(n, mean, ssw, grp, n_grp, group_size)
    table = pd.DataFrame(out)
    if labels is not None:
        table.insert(0, by, np.asarray(labels))
        few = table["df1"] < 1
        if few.any():
            drops.append((f"{by} groups with a single unit", int(few.sum()), "ICC undefined; shown as NaN"))
    notes = list(notes or [])
    if (table["icc1"] < 0).any():
        notes.append("A negative ICC means less variation between units than chance (MSB < MSW); read it as 0.")
    return ICCResult(
        table,
        title=title,
        params={**params, "by": by, "group_size": group_size},
        dropped=dropped_frame(drops),
        reference="Bliese (2000); ICC(1) = (MSB - MSW)/(MSB + (k - 1)MSW), ICC(2) = (MSB - MSW)/MSB. "
        + (
            "k = mean unit size N/G, as R multilevel::ICC1."
            if group_size == "mean"
            else "k = n0 = (N - sum n_j^2 / N)/(G - 1) (Searle 1971)."
        ),
        notes=notes,
    )


def icc_from_units(
    units: pd.DataFrame,
    *,
    n: str = "n_respondents",
    mean: str = "engagement",
    sd: str = "engagement_sd",
    by: str | None = None,
    group_size: str = "mean",
    source: str = "units",
) -> ICCResult:
    r"""ICC(1) and ICC(2) from unit summaries (size, mean and SD of respondent scores per unit).

    The one-way ANOVA needs only per-unit :math:`n_j`, :math:`\bar y_j` and
    :math:`s_j`: :math:`SS_B = \sum_j n_j(\bar y_j - \bar y)^2` with
    :math:`\bar y = \sum_j n_j \bar y_j / N`, :math:`SS_W = \sum_j (n_j - 1)s_j^2`,
    :math:`MS_B = SS_B/(G-1)`, :math:`MS_W = SS_W/(N-G)`, and

    .. math::
        ICC(1) = \frac{MS_B - MS_W}{MS_B + (k-1)MS_W}, \qquad ICC(2) = \frac{MS_B - MS_W}{MS_B}

    with :math:`k = N/G` (``group_size="mean"``, as R's ``multilevel::ICC1``)
    or :math:`k = n_0 = (N - \sum_j n_j^2/N)/(G-1)` (``"adjusted"``, the
    unequal-size ANOVA estimator of Searle 1971). Results equal :func:`icc` on
    the respondent scores behind the table. A unit table from
    :func:`empathystats.score_units` has no suppressed units, so its ICCs use
    the published units only.

    Parameters
    ----------
    units : DataFrame
        One row per unit.
    n, mean, sd : str
        Columns of unit size, mean and sample SD (``ddof=1``; may be NaN when n = 1).
    by : str, optional
        Group column (e.g. ``"company"``): one row of ICCs per group. This is
        how :func:`empathystats.meta_analysis` gets each company's ``rxx="icc2"``.
    group_size : {"mean", "adjusted"}
        The :math:`k` of ICC(1); ICC(2) does not depend on it.
    source : str
        Name of the data in error messages.

    Returns
    -------
    ICCResult
        ``.table``: ``[by,] icc1, icc2, f, df1, df2, p_value, msb, msw,
        group_size, n_units, n_respondents``.

    Examples
    --------
    >>> import pandas as pd
    >>> import empathystats as es
    >>> units = pd.DataFrame({"n_respondents": [5, 5, 5], "engagement": [3.0, 4.0, 5.0],
    ...                       "engagement_sd": [1.0, 1.0, 1.0]})
    >>> round(float(es.icc_from_units(units).table["icc2"].iloc[0]), 4)
    0.8

    References
    ----------
    Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In K. J. Klein &
    S. W. J. Kozlowski (Eds.), *Multilevel theory, research, and methods in organizations* (pp. 349-381).
    Jossey-Bass. Searle, S. R. (1971). *Linear models*. Wiley.
    """
    func = "icc_from_units"
    check_dataframe(units, name="units", func=func)
    check_choice(group_size, ("mean", "adjusted"), name="group_size", func=func)
    check_columns(units, [n, mean, sd] + ([by] if by else []), source=source)
    check_not_empty(units, source=source, what="unit table",
                    fix="pass one row per unit with its number of respondents, mean and SD (e.g. from score_units).")
    arrs = {}
    for col in (n, mean, sd):
        v = pd.to_numeric(units[col], errors="coerce")
        bad = v.isna() & units[col].notna()
        if bad.any():
            idx = np.flatnonzero(bad.to_numpy())
            raise data_error(
                "values are not numbers",
                source=source,
                column=col,
                rows=[(int(i) + 2, units[col].iloc[i]) for i in idx[:5]],
                fix="convert the column to numbers.",
            )
        arrs[col] = v.to_numpy(dtype=np.float64, na_value=np.nan)
    nn, mm, ss = arrs[n], arrs[mean], arrs[sd]
    neg = (nn < 0) | (ss < 0) | (nn != np.round(nn))
    if np.any(neg):
        idx = np.flatnonzero(neg)
        raise data_error(
            "unit sizes must be whole numbers >= 0 and SDs >= 0",
            source=source,
            column=n,
            rows=[(int(i) + 2, (nn[i], ss[i])) for i in idx[:5]],
            fix="check the n and SD columns.",
        )
    ssw = np.where(nn > 1, (nn - 1) * ss**2, 0.0)
    usable = (nn >= 1) & ~np.isnan(mm) & ~np.isnan(nn) & ~((nn > 1) & np.isnan(ss))
    drops: list[tuple[str, int, str]] = []
    if (~usable).any():
        drops.append(("units without n, mean or SD", int((~usable).sum()), "not in the ANOVA"))
    by_values = units[by][usable].reset_index(drop=True) if by else None
    return _icc_result(
        nn[usable],
        mm[usable],
        ssw[usable],
        by_values,
        by,
        group_size,
        drops,
        title=f"ICC(1), ICC(2) from {int(usable.sum()):,} unit summaries",
        params={"n": n, "mean": mean, "sd": sd},
    )


def icc(
    survey: pd.DataFrame,
    *,
    score: str | None = None,
    items: Sequence[str] | None = None,
    unit: str = "unit_id",
    period: str | None = None,
    by: str | None = None,
    min_items: int | None = None,
    group_size: str = "mean",
    scale: tuple[float, float] | None = None,
    source: str = "survey",
) -> ICCResult:
    r"""ICC(1) and ICC(2) of respondent scores nested in units (one-way ANOVA, unequal unit sizes).

    Respondent scores are ``score`` when given, else the mean of the answered
    ``items`` (when at least ``min_items`` were answered, as in
    :func:`empathystats.score_units`). Then, with :math:`G` units and
    :math:`N` respondents,

    .. math::
        ICC(1) = \frac{MS_B - MS_W}{MS_B + (k-1)MS_W}, \qquad ICC(2) = \frac{MS_B - MS_W}{MS_B} = 1 - 1/F

    where :math:`k = N/G` by default. This is what R's ``multilevel::ICC1``
    and ``ICC2`` compute from ``aov(score ~ as.factor(unit))`` (they use the
    mean unit size); ``group_size="adjusted"`` uses
    :math:`n_0 = (N - \sum n_j^2/N)/(G-1)` instead. ICC(1) is the share of
    variance between units; ICC(2) is the reliability of a unit mean, the
    engagement reliability the meta-analysis corrects for. Every unit is
    used, whatever its size (these are summary statistics, not unit rows).

    Parameters
    ----------
    survey : DataFrame
        One row per respondent.
    score : str, optional
        Column holding a respondent score; otherwise scores are built from ``items``.
    items : list of str, optional
        Item columns (default ``Q01``, ``Q02``, ...) when ``score`` is None.
    unit : str
        Unit column.
    period : str, optional
        When given, units are unit x period.
    by : str, optional
        Group column (e.g. ``"company"``): one row per group.
    min_items : int, optional
        Answers needed to score a respondent (default two thirds of the items).
    group_size : {"mean", "adjusted"}
        :math:`k` in ICC(1).
    scale : (low, high), optional
        Allowed answers (checked when given).
    source : str
        Name of the data in error messages.

    Returns
    -------
    ICCResult
        ``.table``: ``[by,] icc1, icc2, f, df1, df2, p_value, msb, msw,
        group_size, n_units, n_respondents``.

    Examples
    --------
    >>> import pandas as pd
    >>> import empathystats as es
    >>> df = pd.DataFrame({"unit_id": list("aaabbbccc"), "score": [1, 2, 3, 3, 4, 5, 2, 3, 4]})
    >>> round(float(es.icc(df, score="score").table["icc1"].iloc[0]), 4)
    0.4

    References
    ----------
    Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In K. J. Klein &
    S. W. J. Kozlowski (Eds.), *Multilevel theory, research, and methods in organizations*. Jossey-Bass.
    """
    func = "icc"
    check_dataframe(survey, name="survey", func=func)
    check_choice(group_size, ("mean", "adjusted"), name="group_size", func=func)
    keys = [unit] + ([period] if period else [])
    check_columns(survey, keys + ([by] if by else []), source=source)
    if score is not None:
        check_columns(survey, [score], source=source)
    check_not_empty(survey, source=source, what="survey table", fix=_EMPTY_SURVEY_FIX)
    drops: list[tuple[str, int, str]] = []
    notes: list[str] = []
    if score is not None:
        s = item_matrix(survey, [score], scale=scale, source=source, dtype=np.float64)[:, 0]
        what = score
    else:
        given_items = items
        items = default_items(survey, items, func=func, source=source)
        notes = default_item_notes(survey, given_items, items, func=func, source=source)
        mi = _min_items(min_items, len(items), func)
        x = item_matrix(survey, items, scale=scale, source=source)
        _, s, _ = _score_matrix(x, mi, None)
        what = f"mean of {len(items)} items"
    # the by column is part of the key so that a unit never spans two groups
    group, key_values, missing_key, first_row = group_codes(survey, ([by] if by else []) + keys)
    ok = ~missing_key & ~np.isnan(s)
    if missing_key.any():
        drops.append((f"respondents without a {' or '.join(([by] if by else []) + keys)}", int(missing_key.sum()), ""))
    no_score = np.isnan(s) & ~missing_key
    if no_score.any():
        drops.append(("respondents without a score", int(no_score.sum()), "missing score or too few answers"))
    g = group[ok]
    sv = s[ok]
    ng = len(first_row)
    nn = np.bincount(g, minlength=ng).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(g, weights=sv, minlength=ng) / nn
    ssw = np.bincount(g, weights=(sv - mean[g]) ** 2, minlength=ng)
    has = nn > 0
    by_values = pd.Series(key_values[0][has]) if by else None
    return _icc_result(
        nn[has],
        mean[has],
        ssw[has],
        by_values,
        by,
        group_size,
        drops,
        title=f"ICC(1), ICC(2): {what} by {' x '.join(keys)}",
        params={"score": score, "unit": unit},
        notes=notes,
    )


# --------------------------------------------------------------------------- rwg

#: Null response distributions for a 5-option scale (proportions of answers 1..5),
#: from James, Demaree & Wolf (1984) and Kozlowski & Hults (1987) as tabled by
#: LeBreton & Senter (2008, Table 2). Their variances: uniform 2.00, slight skew 1.34,
#: moderate skew 0.90, heavy skew 0.44, triangular 1.32, normal 1.04.
NULL_DISTRIBUTIONS: dict[str, tuple[float, ...]] = {
    "slight_skew": (0.05, 0.15, 0.20, 0.35, 0.25),
    "moderate_skew": (0.00, 0.10, 0.15, 0.40, 0.35),
    "heavy_skew": (0.00, 0.00, 0.10, 0.40, 0.50),
    "triangular": (0.11, 0.22, 0.34, 0.22, 0.11),
    "normal": (0.07, 0.24, 0.38, 0.24, 0.07),
}


def null_variance(null: str | float, n_options: int) -> float:
    r"""Expected variance of answers under a null ("no agreement") distribution.

    ``"uniform"``: :math:`\sigma^2_{EU} = (A^2 - 1)/12` for :math:`A` options
    (James, Demaree & Wolf 1984). Named skewed nulls (5 options only) are the
    variances of the distributions in :data:`NULL_DISTRIBUTIONS`
    (LeBreton & Senter 2008, Table 2). A number is used as given.
    """
    func = "rwg"
    check_number(n_options, name="n_options", func=func, low=2, integer=True)
    if isinstance(null, (int, float, np.integer, np.floating)) and not isinstance(null, bool):
        return float(check_number(null, name="null", func=func, low=0, low_open=True))
    check_choice(null, ("uniform", *NULL_DISTRIBUTIONS), name="null", func=func)
    if null == "uniform":
        return (n_options**2 - 1) / 12
    if n_options != 5:
        raise ParameterError(
            f"The 'null' parameter of {func} must be 'uniform' or a number (the null variance) when n_options "
            f"is not 5; got {null!r} with n_options={n_options} instead."
        )
    p = np.array(NULL_DISTRIBUTIONS[null])
    v = np.arange(1, 6)
    return float(p @ v**2 - (p @ v) ** 2)


class RwgResult(Result):
    """Within-unit agreement rwg(j) per unit, from :func:`rwg`.

    rwg(j) = J (1 - s^2/sigma_E^2) / (J (1 - s^2/sigma_E^2) + s^2/sigma_E^2), with s^2
    the unit's mean observed item variance, sigma_E^2 the null ("no agreement")
    variance and J the number of items.

    Attributes
    ----------
    table : DataFrame
        One row per reported unit: ``unit_id, n_respondents, rwg_j, out_of_range``
        (``out_of_range`` marks units whose mean item variance exceeded the null
        variance; their rwg(j) is set to 0).
    mean, median : float
        Over the reported units; :meth:`summary` adds the share at or above .70.
    dropped : DataFrame
        Respondents without a unit or answers; units below ``min_respondents``.

    Examples
    --------
    >>> import pandas as pd, empathystats as es
    >>> df = pd.DataFrame({"unit_id": ["a"] * 3 + ["b"] * 3, "Q01": [4, 4, 4, 1, 3, 5], "Q02": [5, 5, 5, 1, 3, 5]})
    >>> res = es.rwg(df, min_respondents=3)  # uniform null on 5 options: sigma_E^2 = 2
    >>> res.table["rwg_j"].round(3).tolist()  # b: s^2 = 4 > 2, out of range -> 0
    [1.0, 0.0]

    References
    ----------
    James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater reliability with
    and without response bias. *Journal of Applied Psychology*, 69, 85-98. Lindell, M. K., & Brandt, C. J.
    (1997). *Applied Psychological Measurement*, 21, 271-278 (out-of-range values).
    """

    max_display_rows = 20

    @property
    def mean(self) -> float:
        return float(self.table["rwg_j"].mean())

    @property
    def median(self) -> float:
        return float(self.table["rwg_j"].median())

    def summary(self) -> pd.DataFrame:
        """One row: ``n_units, mean, median, pct_above_70, n_out_of_range, null_variance``."""
        r = self.table["rwg_j"]
        return pd.DataFrame(
            {
                "n_units": [int(r.notna().sum())],
                "mean": [self.mean],
                "median": [self.median],
                "pct_above_70": [100.0 * float((r >= 0.7).mean()) if len(r) else np.nan],
                "n_out_of_range": [int(self.table["out_of_range"].sum())],
                "null_variance": [self.params["null_variance"]],
            }
        )

    def text(self) -> str:
        s = self.summary().iloc[0]
        return (
            f"Within-unit agreement rwg(j) had mean {s['mean']:.2f} and median {s['median']:.2f} over "
            f"{int(s['n_units']):,} units ({s['pct_above_70']:.0f}% at or above the conventional .70; null variance "
            f"{s['null_variance']:.2f}, {self.params['null']})."
        )

    def footer_lines(self) -> list[str]:
        s = self.summary().iloc[0]
        return [f"Mean rwg(j) {s['mean']:.3f}, median {s['median']:.3f}."] + super().footer_lines()

    def plot(self, ax: Any = None, *, bins: int = 30, **kwargs: Any) -> Any:
        """Histogram of rwg(j) across units with the .70 convention marked."""
        from .plotting import GREY, NEUTRAL, finish, get_ax

        ax = get_ax(ax)
        ax.hist(self.table["rwg_j"].dropna(), bins=bins, range=(0, 1), color=NEUTRAL, alpha=0.85, **kwargs)
        ax.axvline(0.7, color=GREY, linestyle="--", linewidth=1)
        return finish(ax, title="Within-unit agreement, rwg(j)", xlabel="rwg(j)", ylabel="units")


def rwg(
    survey: pd.DataFrame,
    *,
    items: Sequence[str] | None = None,
    unit: str = "unit_id",
    period: str | None = None,
    n_options: int = 5,
    null: str | float = "uniform",
    missing: str = "listwise",
    min_respondents: int = 5,
    scale: tuple[float, float] | None = None,
    source: str = "survey",
) -> RwgResult:
    r"""Within-unit agreement rwg(j) for a multi-item scale (James, Demaree & Wolf 1984).

    For unit :math:`u` with :math:`J` items, let :math:`\bar s^2_u` be the mean
    over items of the within-unit item variances (``ddof=1``) and
    :math:`\sigma^2_E` the null variance. Then

    .. math::
        r_{wg(J)} = \frac{J(1 - \bar s^2_u/\sigma^2_E)}{J(1 - \bar s^2_u/\sigma^2_E) + \bar s^2_u/\sigma^2_E}.

    When :math:`\bar s^2_u > \sigma^2_E` (more disagreement than the null)
    :math:`\bar s^2_u` is set to :math:`\sigma^2_E`, so rwg(j) = 0, as
    recommended by James et al. (1984) and Lindell & Brandt (1997) and done by
    R's ``multilevel::rwg.j``; such units are flagged ``out_of_range``.
    Uniform null: :math:`\sigma^2_{EU} = (A^2-1)/12` (2.0 for 5 options).
    Matches ``multilevel::rwg.j(x, grpid, ranvar)``.

    Parameters
    ----------
    survey : DataFrame
        One row per respondent.
    items : list of str, optional
        Item columns (default ``Q01``, ``Q02``, ...).
    unit : str
        Unit column.
    period : str, optional
        When given, units are unit x period (one row per unit and period).
    n_options : int
        Number of answer options :math:`A`.
    null : {"uniform", "slight_skew", "moderate_skew", "heavy_skew", "triangular", "normal"} or float
        Null distribution (skewed ones for 5 options: :data:`NULL_DISTRIBUTIONS`;
        variances 2.00, 1.34, 0.90, 0.44, 1.32, 1.04), or the null variance itself.
    missing : {"listwise", "available"}
        ``"listwise"`` (default, as ``rwg.j``) uses respondents who answered
        every item; ``"available"`` computes each item variance from the
        respondents who answered it.
    min_respondents : int
        Units with fewer respondents are not reported (confidentiality) and counted.
    scale : (low, high), optional
        Allowed answers (checked when given).
    source : str
        Name of the data in error messages.

    Returns
    -------
    RwgResult
        ``.table``: ``unit_id, [period,] n_respondents, rwg_j, out_of_range`` per unit;
        ``.mean``, ``.median``, ``.summary()``.

    Examples
    --------
    >>> import pandas as pd
    >>> import empathystats as es
    >>> df = pd.DataFrame({"unit_id": ["a"] * 5, "Q01": [4, 4, 5, 4, 4], "Q02": [4, 5, 5, 4, 4]})
    >>> round(es.rwg(df).mean, 4)
    0.9333

    References
    ----------
    James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater reliability with and
    without response bias. *Journal of Applied Psychology*, 69, 85-98.
    Lindell, M. K., & Brandt, C. J. (1997). Measuring interrater agreement for ratings of a single target.
    *Applied Psychological Measurement*, 21, 271-278.
    LeBreton, J. M., & Senter, J. L. (2008). Answers to 20 questions about interrater reliability and
    interrater agreement. *Organizational Research Methods*, 11, 815-852.
    """
    func = "rwg"
    check_dataframe(survey, name="survey", func=func)
    check_choice(missing, ("listwise", "available"), name="missing", func=func)
    check_number(min_respondents, name="min_respondents", func=func, low=1, integer=True)
    sigma2 = null_variance(null, n_options)
    given_items = items
    items = default_items(survey, items, func=func, source=source)
    notes = default_item_notes(survey, given_items, items, func=func, source=source)
    keys = [unit] + ([period] if period else [])
    check_columns(survey, keys, source=source)
    check_not_empty(survey, source=source, what="survey table", fix=_EMPTY_SURVEY_FIX)
    x = item_matrix(survey, items, scale=scale, source=source, dtype=np.float64)
    group, key_values, missing_key, first_row = group_codes(survey, keys)
    ng = len(first_row)
    drops: list[tuple[str, int, str]] = []
    if missing_key.any():
        drops.append((f"respondents without a {' or '.join(keys)}", int(missing_key.sum()), ""))
    answered = ~np.isnan(x)
    if missing == "listwise":
        use = ~missing_key & answered.all(axis=1)
        incomplete = int((~missing_key & ~answered.all(axis=1)).sum())
        if incomplete:
            drops.append(("respondents with a missing answer", incomplete, "listwise deletion, as rwg.j"))
    else:
        use = ~missing_key & answered.any(axis=1)
        none = int((~missing_key & ~use).sum())
        if none:
            drops.append(("respondents with no answer", none, ""))
    g = group[use]
    xu = x[use]
    au = answered[use]
    n_resp = np.bincount(g, minlength=ng)
    k = len(items)
    variances = np.full((ng, k), np.nan)
    for j in range(k):  # a loop over items, not units
        m = au[:, j]
        gj, xj = g[m], xu[m, j]
        nj = np.bincount(gj, minlength=ng).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            mj = np.bincount(gj, weights=xj, minlength=ng) / nj
            variances[:, j] = np.bincount(gj, weights=(xj - mj[gj]) ** 2, minlength=ng) / (nj - 1)
        variances[nj < 2, j] = np.nan
    with np.errstate(invalid="ignore"):
        s2 = np.nanmean(variances, axis=1) if missing == "available" else variances.mean(axis=1)
    out_of_range = s2 > sigma2
    ratio = np.minimum(s2, sigma2) / sigma2
    rwg_j = k * (1 - ratio) / (k * (1 - ratio) + ratio)
    table = pd.DataFrame(
        {
            **dict(zip(keys, key_values, strict=True)),
            "n_respondents": n_resp.astype(np.int64),
            "rwg_j": rwg_j,
            "out_of_range": out_of_range,
        }
    )
    for col in keys:  # factorize returns object arrays: give the keys back their dtype
        try:
            table[col] = table[col].astype(survey[col].dtype)
        except (TypeError, ValueError):
            pass
    small = table["n_respondents"] < min_respondents
    if small.any():
        drops.append(
            (
                "units below the confidentiality threshold",
                int(small.sum()),
                f"fewer than {min_respondents} respondents; not reported",
            )
        )
    table = table.loc[~small].reset_index(drop=True)
    return RwgResult(
        table,
        title=f"rwg(j): {k} items, {len(table):,} units",
        params={"null": null, "null_variance": sigma2, "n_options": n_options, "missing": missing},
        dropped=dropped_frame(drops),
        reference="James, Demaree & Wolf (1984); out-of-range rule: Lindell & Brandt (1997). "
        "Checked against R multilevel::rwg.j.",
        notes=notes,
    )
