"""Respondent answers -> respondent scores -> unit engagement (one row per unit x period).

The only step of empathystats whose input is large (millions of respondents) is
here, so it is written for scale: the item matrix is read once into ``float32``,
keys are factorized once, and every per-unit sum is an :func:`numpy.bincount`
(no Python loop over respondents or units).

Definitions (DESIGN.md, "Statistical definitions"):

* respondent score = mean of the answered items, when at least ``min_items``
  were answered (default: two thirds of the items, rounded up);
* unit engagement = mean of its respondents' scores; ``engagement_sd`` their
  sample SD (``ddof=1``);
* units with fewer than ``min_respondents`` scored respondents are suppressed:
  they never appear in ``.table`` or any export, only counted (``.suppressed``
  lists their id, period and n, nothing else).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import _dask
from ._checks import check_columns, check_dataframe, check_not_empty, check_number, check_scale
from .errors import ParameterError, data_error
from .results import Result, dropped_frame

__all__ = ["score_units", "UnitScores", "Categories", "respondent_scores"]

_ITEM_PATTERN = re.compile(r"^Q\d{2}$")
#: the Q12-style default item set looked for when ``items`` is not given
DEFAULT_ITEMS = tuple(f"Q{i:02d}" for i in range(1, 13))

#: category codes used internally (respondent level)
ENGAGED, NOT_ENGAGED, ACTIVELY_DISENGAGED, UNSCORED = 0, 1, 2, -1
CATEGORY_NAMES = {ENGAGED: "engaged", NOT_ENGAGED: "not engaged", ACTIVELY_DISENGAGED: "actively disengaged"}


@dataclass(frozen=True)
class Categories:
    """Rule that sorts each respondent into engaged / not engaged / actively disengaged.

    A respondent is

    * **engaged** when their mean answer is at least ``engaged_mean`` *and* at
      least ``engaged_topbox`` of their answered items are top-box
      (``== top_box``, "strongly agree");
    * **actively disengaged** when their mean answer is below ``disengaged_mean``;
    * **not engaged** otherwise.

    Gallup's own classification algorithm is proprietary and not published.
    The default approximates Gallup's published description (engaged employees
    "strongly agree" with most of the twelve items; actively disengaged ones
    disagree with most of them) with a mean of at least 4 and at least half of
    the answers top-box for "engaged", and a mean below 2.5 (the midpoint of
    "disagree" and "neutral") for "actively disengaged". Shares produced by
    this rule are *not* comparable to Gallup's published percentages; change
    the thresholds to match your own conventions.

    The default thresholds are for the 1-5 agreement scale; for another scale
    pass thresholds on that scale (e.g. ``Categories(5.5, 0.5, 3.5, top_box=7)``
    for 1-7).

    Parameters
    ----------
    engaged_mean : float
        Minimum respondent mean for "engaged" (default 4.0).
    engaged_topbox : float
        Minimum share (0-1) of answered items at ``top_box`` for "engaged" (default 0.5).
    disengaged_mean : float
        Respondent means strictly below this are "actively disengaged" (default 2.5).
    top_box : float
        The top answer of the scale (default 5).
    """

    engaged_mean: float = 4.0
    engaged_topbox: float = 0.5
    disengaged_mean: float = 2.5
    top_box: float = 5

    def __post_init__(self) -> None:
        func = "Categories"
        check_number(self.engaged_mean, name="engaged_mean", func=func)
        check_number(self.engaged_topbox, name="engaged_topbox", func=func, low=0, high=1)
        check_number(self.disengaged_mean, name="disengaged_mean", func=func)
        check_number(self.top_box, name="top_box", func=func)
        if self.disengaged_mean > self.engaged_mean:
            raise ParameterError(
                "The 'disengaged_mean' parameter of Categories must be <= engaged_mean; "
                f"got {self.disengaged_mean!r} instead (engaged_mean={self.engaged_mean!r})."
            )


# --------------------------------------------------------------------------- items
def default_items(df: pd.DataFrame, items: Sequence[str] | None, *, func: str, source: str = "survey") -> list[str]:
    """The item columns: ``items`` as given, or every column named ``Q01``, ``Q02``, ..."""
    if items is None:
        found = sorted(c for c in df.columns if isinstance(c, str) and _ITEM_PATTERN.match(c))
        unit_level = [c for c in ("engagement", "n_respondents") if c in df.columns]
        if not found and unit_level:
            raise data_error(
                f"{func} needs respondent-level data (one row per respondent with the item answers, Q01...Q12); "
                f"this table has no item columns and looks unit-level (it has {', '.join(unit_level)})",
                source=source,
                fix="pass the respondent-level survey (or items=[...] if its items have other names); for "
                    "unit-level analyses (quartiles, regressions, meta-analysis) build es.Study(units, outcomes) "
                    "from this table instead.",
            )
        if not found:
            raise data_error(
                "no item columns found (looked for Q01, Q02, ... Q12)",
                source=source,
                fix=f"pass the item column names to {func}, e.g. items=['q1', 'q2', 'q3'].",
            )
        return found
    if isinstance(items, str) or not isinstance(items, Sequence) or len(items) == 0:
        raise ParameterError(
            f"The 'items' parameter of {func} must be a non-empty list of column names; got {items!r} instead."
        )
    items = list(items)
    if len(set(items)) != len(items):
        raise ParameterError(f"The 'items' parameter of {func} must not repeat a column; got {items!r} instead.")
    check_columns(df, items, source=source, fix=f"check the spelling, or pass the item names to {func}(items=[...]).")
    return items


def _item_runs(names: Sequence[str]) -> str:
    """'Q01, Q04-Q06, Q12': consecutive default item numbers collapsed into ranges."""
    nums = sorted(int(n[1:]) for n in names)
    runs: list[list[int]] = []
    for v in nums:  # at most 12 names
        if runs and v == runs[-1][-1] + 1:
            runs[-1].append(v)
        else:
            runs.append([v])
    return ", ".join(f"Q{r[0]:02d}" if len(r) == 1 else f"Q{r[0]:02d}-Q{r[-1]:02d}" for r in runs)


def default_item_notes(
    df: pd.DataFrame, given: Sequence[str] | None, found: Sequence[str], *, func: str, source: str = "survey",
    min_k: int = 1,
) -> list[str]:
    """When items were not given: a note naming the default items Q01-Q12 that are absent.

    With fewer than ``min_k`` item columns found, a :class:`DataError` instead (scoring one
    item by default would hide a wrongly named file).
    """
    if given is not None:
        return []
    if len(found) < min_k:
        raise data_error(
            f"only {len(found)} item column(s) found ({', '.join(found)}); {func} needs at least {min_k} "
            f"(looked for {DEFAULT_ITEMS[0]}-{DEFAULT_ITEMS[-1]})",
            source=source,
            fix=f"rename the item columns Q01, Q02, ..., or pass them explicitly: {func}(items=[...]).",
        )
    absent = [q for q in DEFAULT_ITEMS if q not in df.columns]
    if not absent:
        return []
    return [
        f"Default items not in the {source}: {_item_runs(absent)}; scored the {len(found)} item column(s) present "
        f"({_item_runs(found)}). "
        "Pass items=[...] to choose the items explicitly."
    ]


def item_matrix(
    df: pd.DataFrame,
    items: Sequence[str],
    *,
    scale: tuple[float, float] | None,
    source: str = "survey",
    dtype: Any = np.float32,
) -> np.ndarray:
    """Item answers as an ``n x k`` float matrix (NaN = not answered), validated.

    Text that is not a number, and (when ``scale`` is given) values outside
    ``scale`` or not whole numbers, raise a :class:`DataError` naming the
    column and up to five rows (numbered as in a spreadsheet: header = row 1).
    """
    out = np.empty((len(df), len(items)), dtype=dtype, order="F")  # columns contiguous: filled and read by item
    for j, col in enumerate(items):
        s = df[col]
        if not (pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)):
            num = pd.to_numeric(s, errors="coerce")
            bad = (num.isna() & s.notna()).to_numpy()
            if bad.any():
                idx = np.flatnonzero(bad)
                raise data_error(
                    f"{idx.size} answers are not numbers",
                    source=source,
                    column=col,
                    rows=[(int(i) + 2, s.iloc[i]) for i in idx[:5]],
                    fix="answers must be numbers (e.g. 1-5); leave a cell empty for a missing answer.",
                )
            s = num
        whole = pd.api.types.is_integer_dtype(s)  # integer columns need no whole-number check
        x = s.to_numpy(dtype=dtype, na_value=np.nan)
        if scale is not None:
            lo, hi = scale
            with np.errstate(invalid="ignore"):
                bad = (x < lo) | (x > hi)  # comparisons with NaN are False
                if not whole:
                    bad |= np.abs(x - np.rint(x)) > 0
            if bad.any():
                idx = np.flatnonzero(bad)
                raise data_error(
                    f"{idx.size} answers are outside the scale {lo:g}-{hi:g} (whole numbers)",
                    source=source,
                    column=col,
                    rows=[(int(i) + 2, float(x[i])) for i in idx[:5]],
                    fix="recode the answers to the scale (missing answers as empty cells, not 0 or 9), "
                    "or pass the scale used, e.g. scale=(1, 7).",
                )
        out[:, j] = x
    return out


def _score_matrix(
    x: np.ndarray, min_items: int, categories: Categories | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Per respondent: items answered, score (NaN when too few) and category code."""
    n, k = x.shape
    n_ans = np.zeros(n, dtype=np.int32)
    total = np.zeros(n, dtype=np.float64)
    top = np.zeros(n, dtype=np.int32) if categories is not None else None
    for j in range(k):  # a loop over items; each step is vectorised over respondents
        col = x[:, j]
        answered = ~np.isnan(col)
        n_ans += answered
        total += np.where(answered, col, 0)
        if top is not None:
            top += col == categories.top_box
    ok = n_ans >= min_items
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(ok, total / n_ans, np.nan)
    cat = None
    if categories is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            share = top / n_ans
        cat = np.full(len(x), NOT_ENGAGED, dtype=np.int8)
        # a tiny tolerance so that float32 answers meet thresholds they equal exactly
        eng = (score >= categories.engaged_mean - 1e-9) & (share >= categories.engaged_topbox - 1e-9)
        cat[eng] = ENGAGED
        cat[score < categories.disengaged_mean - 1e-9] = ACTIVELY_DISENGAGED
        cat[~ok] = UNSCORED
    return n_ans, score, cat


def _min_items(min_items: int | None, k: int, func: str) -> int:
    if min_items is None:
        return max(1, math.ceil(2 * k / 3))
    return check_number(min_items, name="min_items", func=func, low=1, high=k, integer=True)


def respondent_scores(
    survey: pd.DataFrame,
    *,
    items: Sequence[str] | None = None,
    min_items: int | None = None,
    scale: tuple[float, float] | None = (1, 5),
    categories: Categories | None = None,
) -> pd.DataFrame:
    """Score each respondent (internal helper; respondent-level, never part of a result).

    Returns a DataFrame aligned with ``survey`` (same index): ``n_answered``,
    ``score`` (mean of answered items; NaN when fewer than ``min_items`` were
    answered) and ``category`` (see :class:`Categories`; empty when unscored).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"Q01": [5, 1], "Q02": [5, 2], "Q03": [4, None]})
    >>> respondent_scores(df)["score"].round(3).tolist()
    [4.667, 1.5]
    """
    func = "respondent_scores"
    check_dataframe(survey, name="survey", func=func)
    items = default_items(survey, items, func=func)
    k = len(items)
    mi = _min_items(min_items, k, func)
    cats = categories if categories is not None else Categories(top_box=scale[1] if scale else 5)
    x = item_matrix(survey, items, scale=scale)
    n_ans, score, cat = _score_matrix(x, mi, cats)
    names = np.array(["engaged", "not engaged", "actively disengaged", None], dtype=object)
    return pd.DataFrame(
        {"n_answered": n_ans, "score": score, "category": names[np.where(cat < 0, 3, cat)]}, index=survey.index
    )


# --------------------------------------------------------------------------- keys
def _codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Factorize a key column (sorted uniques when sortable); NaN -> -1."""
    try:
        codes, uniques = pd.factorize(s, sort=True)
    except TypeError:  # mixed types that do not sort
        codes, uniques = pd.factorize(s, sort=False)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def group_codes(df: pd.DataFrame, keys: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray], np.ndarray, np.ndarray]:
    """Combine key columns into one group code per row.

    Returns ``(group, key_values, missing, first_row)``: ``group`` (int64, -1 where
    any key is missing), the values of each key per group (groups sorted by the
    keys), the rows with a missing key, and for each group the index of its first row.
    """
    codes, uniques = zip(*(_codes(df[k]) for k in keys), strict=True)
    missing = np.zeros(len(df), dtype=bool)
    combined = np.zeros(len(df), dtype=np.int64)
    for c, u in zip(codes, uniques, strict=True):
        missing |= c < 0
        combined = combined * max(len(u), 1) + np.maximum(c, 0)
    valid = ~missing
    rows = np.flatnonzero(valid)
    # hash-factorize (O(n)), then renumber the groups in sorted key order
    codes_v, uniq = pd.factorize(combined[valid])
    # groups appear in order of first occurrence: a row is a group's first exactly where the running max grows
    if len(codes_v):
        running = np.maximum.accumulate(codes_v)
        first = np.flatnonzero(np.r_[True, running[1:] > running[:-1]])
    else:
        first = np.array([], dtype=np.int64)
    order = np.argsort(uniq, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    uniq, first = uniq[order], first[order]
    group = np.full(len(df), -1, dtype=np.int64)
    group[valid] = rank[codes_v]
    # decode the combined code back into each key's value
    key_values = []
    rest = uniq
    for u in reversed(uniques):
        size = max(len(u), 1)
        key_values.append(u[rest % size] if len(u) else np.array([], dtype=object))
        rest = rest // size
    key_values.reverse()
    return group, key_values, missing, rows[first]


def _constant_columns(
    df: pd.DataFrame, columns: Sequence[str], group: np.ndarray, n_groups: int
) -> tuple[list[str], dict[str, np.ndarray]]:
    """Which columns hold one value within every group; for those that do not, the varying groups."""
    rows = np.flatnonzero(group >= 0)
    g = group[rows]
    constant, varying = [], {}
    for col in columns:  # a loop over columns; each check is O(n), no sort
        codes, _ = pd.factorize(df[col], use_na_sentinel=True)
        c = codes[rows]
        first_code = np.full(n_groups, np.iinfo(np.int64).min, dtype=np.int64)
        first_code[g[::-1]] = c[::-1]  # any member's code will do as the reference
        differs = c != first_code[g]
        if differs.any():
            varying[col] = np.unique(g[differs])
        else:
            constant.append(col)
    return constant, varying


# --------------------------------------------------------------------------- result
class UnitScores(Result):
    """Unit engagement table (one row per unit x period) from :func:`score_units`.

    Attributes
    ----------
    table : DataFrame
        ``unit_id, company, period, n_respondents, engagement, engagement_sd,
        pct_engaged, pct_not_engaged, pct_actively_disengaged`` and metadata
        columns; units below the confidentiality threshold are not in it.
    suppressed : DataFrame
        ``unit_id, period, n_respondents`` of the suppressed units (nothing else).
    dropped : DataFrame
        ``reason, count, detail`` of respondents not scored and units suppressed.
    n_scored : int
        Respondents whose scores entered the table.
    notes : list of str
        Footer lines (e.g. a missing company column, default items not in the survey).

    Examples
    --------
    >>> import pandas as pd, empathystats as es
    >>> survey = pd.DataFrame({"unit_id": ["a"] * 5 + ["b"] * 2,
    ...                        "Q01": [5, 4, 4, 3, 5, 2, 2], "Q02": [5, 4, 5, 3, 4, 2, 1]})
    >>> res = es.score_units(survey)  # unit b (2 respondents) is below the threshold of 5
    >>> res.table[["unit_id", "n_respondents", "engagement"]].to_dict("records")
    [{'unit_id': 'a', 'n_respondents': 5, 'engagement': 4.2}]
    >>> res.suppressed["unit_id"].tolist()
    ['b']

    References
    ----------
    Harter, J. K., Schmidt, F. L., Agrawal, S., Blue, A., Plowman, S. K., Josh, P., & Asplund, J. (2020).
    *The relationship between engagement at work and organizational outcomes: 2020 Q12 meta-analysis*
    (10th ed.). Gallup (unit engagement as the mean of respondent scores).
    """

    max_display_rows = 20

    def __init__(self, table: pd.DataFrame, *, suppressed: pd.DataFrame, n_scored: int, **kwargs: Any) -> None:
        super().__init__(table, **kwargs)
        self.suppressed = suppressed
        self.n_scored = n_scored

    def text(self) -> str:
        t = self.table
        if not len(t):
            return "No unit reached the confidentiality threshold; nothing to report."
        e = t["engagement"]
        w = t["n_respondents"]
        pe = float(np.average(t["pct_engaged"], weights=w))
        pa = float(np.average(t["pct_actively_disengaged"], weights=w))
        s = (
            f"{len(t):,} units ({self.n_scored:,} respondents) were scored. Unit engagement averaged "
            f"{e.mean():.2f} ("
            + (f"SD {e.std():.2f}, range {e.min():.2f}-{e.max():.2f}" if len(t) > 1 else "one unit")
            + f"); {pe:.0f}% of respondents were "
            f"engaged and {pa:.0f}% actively disengaged under the category rule used."
        )
        if len(self.suppressed):
            s += (
                f" {len(self.suppressed):,} units with fewer than {self.params.get('min_respondents')} "
                "respondents were suppressed."
            )
        return s

    def plot(self, ax: Any = None, *, bins: int = 30, **kwargs: Any) -> Any:
        """Histogram of unit engagement, with the mean marked."""
        from .plotting import GREY, NEUTRAL, finish, get_ax

        ax = get_ax(ax)
        e = self.table["engagement"].dropna()
        ax.hist(e, bins=bins, color=NEUTRAL, alpha=0.85, **kwargs)
        if len(e):
            ax.axvline(e.mean(), color=GREY, linestyle="--", linewidth=1)
            ax.annotate(
                f"mean {e.mean():.2f}",
                (e.mean(), 1),
                xycoords=("data", "axes fraction"),
                xytext=(4, -12),
                textcoords="offset points",
                fontsize=9,
            )
        return finish(
            ax,
            title=f"Unit engagement ({len(e):,} units)",
            xlabel="unit engagement (mean respondent score)",
            ylabel="units",
        )


def score_units(
    survey: pd.DataFrame,
    *,
    items: Sequence[str] | None = None,
    unit: str = "unit_id",
    company: str = "company",
    period: str = "period",
    min_items: int | None = None,
    min_respondents: int = 5,
    categories: Categories | None = None,
    scale: tuple[float, float] = (1, 5),
    respondent: str | None = "respondent_id",
    metadata: Sequence[str] | None = None,
    source: str = "survey",
) -> UnitScores:
    r"""Score a respondent-level survey into unit engagement, suppressing small units.

    For respondent :math:`i` with answered items :math:`A_i`,
    :math:`s_i = \frac{1}{|A_i|}\sum_{j \in A_i} x_{ij}` when :math:`|A_i| \ge`
    ``min_items`` (otherwise the respondent is not scored and is counted).
    For unit :math:`u` with scored respondents :math:`R_u`:
    ``engagement`` :math:`= \bar s_u`, ``engagement_sd`` = sample SD of
    :math:`s_i` (``ddof=1``; NaN for one respondent), ``n_respondents`` :math:`=|R_u|`,
    and ``pct_*`` = percent (0-100) of :math:`R_u` in each category
    (:class:`Categories`). Units with ``n_respondents < min_respondents`` are
    suppressed (confidentiality) and never appear in the table.

    The table keeps what later steps need: ICC(1)/ICC(2) can be computed from
    it alone with :func:`empathystats.psychometrics.icc_from_units`.

    Parameters
    ----------
    survey : DataFrame
        One row per respondent: ``unit`` (required), ``company``, ``period``
        (optional: when absent, one company "all" / one period 1, noted) and items.
    items : list of str, optional
        Item columns; default every column named ``Q01``, ``Q02``, ...
    unit, company, period : str
        Key column names. Units are identified by company x unit x period.
    min_items : int, optional
        Answers needed to score a respondent; default ``ceil(2/3 * len(items))``
        (8 of 12).
    min_respondents : int
        Confidentiality threshold (default 5).
    categories : Categories, optional
        The category rule; default ``Categories()`` (see its docstring: an
        approximation, Gallup's algorithm is proprietary).
    scale : (low, high)
        Allowed answers (whole numbers); anything else is a :class:`DataError`.
    respondent : str or None
        Respondent id column, never carried to the unit table.
    metadata : list of str, optional
        Columns to carry to the unit table (each must be constant within every
        unit). Default: every non-item column that is constant within every
        unit (e.g. industry, region); columns that vary within units are not
        carried and are named in the notes. ``[]`` carries none.
    source : str
        Name of the data in error messages (e.g. the file name).

    Returns
    -------
    UnitScores
        ``.table`` columns: ``unit_id, company, period, n_respondents,
        engagement, engagement_sd, pct_engaged, pct_not_engaged,
        pct_actively_disengaged`` + metadata (key columns keep the caller's
        names). ``.suppressed``: ``unit_id, period, n_respondents`` of
        suppressed units. ``.dropped``: respondents not scored, units suppressed.

    Examples
    --------
    >>> import pandas as pd
    >>> import empathystats as es
    >>> survey = pd.DataFrame({"unit_id": ["a"] * 5 + ["b"] * 2,
    ...                        "Q01": [5, 4, 4, 3, 5, 2, 2], "Q02": [5, 4, 3, 3, 4, 1, 2]})
    >>> units = es.score_units(survey)
    >>> units.table[["unit_id", "n_respondents", "engagement"]].to_dict("records")
    [{'unit_id': 'a', 'n_respondents': 5, 'engagement': 4.0}]
    >>> units.suppressed["unit_id"].tolist()
    ['b']

    References
    ----------
    Harter, J. K., Schmidt, F. L., Agrawal, S., Blue, A., Plowman, S. K., Josh, P., & Asplund, J. (2020).
    *The relationship between engagement at work and organizational outcomes: 2020 Q12 meta-analysis*
    (10th ed.). Gallup.
    """
    if _dask.is_dask(survey):  # a Dask DataFrame: partition-wise sums, same formulas (empathystats/_dask.py)
        return _dask.score_units_dask(survey, **{k: v for k, v in locals().items() if k != "survey"})
    func = "score_units"
    check_dataframe(survey, name="survey", func=func)
    items, categories, mi, notes = resolve_scoring_options(
        survey, items=items, categories=categories, scale=scale, min_items=min_items,
        min_respondents=min_respondents, func=func, source=source,
    )
    k = len(items)
    check_columns(survey, [unit], source=source)
    check_not_empty(survey, source=source, what="survey table",
                    fix="pass a table with one row per respondent (check the file, or any filter applied before).")
    for name, col in (("company", company), ("period", period)):
        if col in items or col == unit:
            raise ParameterError(
                f"The {name!r} parameter of {func} must not name an item or the unit column; got {col!r} instead."
            )

    keys_df = {unit: survey[unit]}
    key_names = [unit]
    if company in survey.columns:
        keys_df[company] = survey[company]
        key_names = [company, unit]
    else:
        notes.append(f"No {company!r} column: all units treated as one company ('all').")
    if period in survey.columns:
        keys_df[period] = survey[period]
        key_names = [*key_names, period]
    else:
        notes.append(f"No {period!r} column: all respondents treated as one period (1).")
    keys = pd.DataFrame(keys_df, index=survey.index)

    x = item_matrix(survey, items, scale=(scale[0], scale[1]), source=source)
    n_ans, score, cat = _score_matrix(x, mi, categories)
    del x

    group, key_values, missing_key, first_row = group_codes(keys, key_names)
    n_groups = len(first_row)
    scored = (n_ans >= mi) & ~missing_key
    g = group[scored]
    s = score[scored]
    n = np.bincount(g, minlength=n_groups)
    total = np.bincount(g, weights=s, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / n
        ss = np.bincount(g, weights=(s - mean[g]) ** 2, minlength=n_groups)
        sd = np.sqrt(ss / (n - 1))
        cat_counts = np.bincount(g * 3 + cat[scored], minlength=3 * n_groups).reshape(n_groups, 3)
        pct = 100.0 * cat_counts / n[:, None]
    sd[n < 2] = np.nan

    kv = dict(zip(key_names, key_values, strict=True))
    table = pd.DataFrame(
        {
            unit: kv[unit],
            company: kv[company] if company in kv else "all",
            period: kv[period] if period in kv else 1,
            "n_respondents": n.astype(np.int64),
            "engagement": mean,
            "engagement_sd": sd,
            "pct_engaged": pct[:, ENGAGED],
            "pct_not_engaged": pct[:, NOT_ENGAGED],
            "pct_actively_disengaged": pct[:, ACTIVELY_DISENGAGED],
        }
    )
    # restore the dtypes of the key columns (factorize returns object arrays)
    for col in key_names:
        try:
            table[col] = table[col].astype(survey[col].dtype)
        except (TypeError, ValueError):
            pass

    # metadata carried from the survey
    exclude = set(items) | set(key_names) | ({respondent} if respondent else set())
    if metadata is None:
        candidates = [c for c in survey.columns if c not in exclude and c not in table.columns]
        carried, varying = _constant_columns(survey, candidates, group, n_groups)
        if varying:
            notes.append("Not carried to the unit table (vary within units): " + ", ".join(map(str, varying)) + ".")
    else:
        if isinstance(metadata, str):
            raise ParameterError(
                f"The 'metadata' parameter of {func} must be a list of column names; got {metadata!r} instead."
            )
        metadata = list(metadata)
        check_columns(survey, metadata, source=source)
        clash = [c for c in metadata if c in exclude or c in table.columns]
        if clash:
            raise ParameterError(
                f"The 'metadata' parameter of {func} must not name items, keys or result columns; got {clash!r}."
            )
        carried, varying = _constant_columns(survey, metadata, group, n_groups)
        if varying:
            col, groups = next(iter(varying.items()))
            raise varying_metadata_error(table, unit, col, groups, source)
    for col in carried:
        table[col] = survey[col].iloc[first_row].to_numpy()

    n_missing_key = int(missing_key.sum())
    too_few = int(((n_ans < mi) & ~missing_key).sum())
    return finish_unit_scores(
        table, n, unit=unit, period=period, min_respondents=min_respondents, n_missing_key=n_missing_key,
        too_few=too_few, min_items=mi, items=items, categories=categories, notes=notes,
    )


def resolve_scoring_options(
    frame: pd.DataFrame,
    *,
    items: Sequence[str] | None,
    categories: Categories | None,
    scale: tuple[float, float],
    min_items: int | None,
    min_respondents: int,
    func: str,
    source: str,
) -> tuple[list[str], Categories, int, list[str]]:
    """Check score_units' options and resolve items, categories and min_items (pandas and Dask paths).

    ``frame`` only needs the columns (a Dask DataFrame's empty ``_meta`` will do). Returns
    ``(items, categories, min_items, notes)``.
    """
    check_number(min_respondents, name="min_respondents", func=func, low=1, integer=True)
    check_scale(scale, func=func)
    notes: list[str] = []
    if categories is None:
        categories = Categories(top_box=scale[1])
        if tuple(scale) != (1, 5):
            notes.append(
                f"Category thresholds are the 1-5 defaults (top box {scale[1]:g}); pass categories= with "
                "thresholds on your scale."
            )
    elif not isinstance(categories, Categories):
        raise ParameterError(
            f"The 'categories' parameter of {func} must be an empathystats Categories instance; "
            f"got {type(categories).__name__} instead."
        )
    resolved = default_items(frame, items, func=func, source=source)
    notes += default_item_notes(frame, items, resolved, func=func, source=source, min_k=2)
    return resolved, categories, _min_items(min_items, len(resolved), func), notes


def varying_metadata_error(table: pd.DataFrame, unit: str, col: str, groups: np.ndarray, source: str) -> Exception:
    """The error for a ``metadata=`` column that is not constant within units (pandas and Dask paths)."""
    return data_error(
        f"metadata column varies within {groups.size} units, so it cannot describe the unit",
        source=source,
        column=col,
        rows=[(str(table[unit].iloc[gi]), "several values") for gi in groups[:5]],
        fix="leave it out of metadata=, or make it constant within each unit.",
    )


def finish_unit_scores(
    table: pd.DataFrame,
    n: np.ndarray,
    *,
    unit: str,
    period: str,
    min_respondents: int,
    n_missing_key: int,
    too_few: int,
    min_items: int,
    items: Sequence[str],
    categories: Categories,
    notes: list[str],
) -> UnitScores:
    """Suppress units below the confidentiality threshold, count every exclusion, build the result.

    Shared by the pandas path and the Dask path (``_dask.py``) so both report alike.
    """
    k = len(items)
    small = n < min_respondents
    suppressed = table.loc[small, [unit, period, "n_respondents"]].reset_index(drop=True)
    table = table.loc[~small].reset_index(drop=True)
    drops: list[tuple[str, int, str]] = []
    if n_missing_key:
        drops.append(("respondents without a unit id (or company/period)", n_missing_key, "cannot be placed in a unit"))
    if too_few:
        drops.append(
            ("respondents with too few answers", too_few, f"fewer than {min_items} of {k} items answered; not scored")
        )
    if small.any():
        drops.append(
            (
                "units below the confidentiality threshold",
                int(small.sum()),
                f"fewer than {min_respondents} scored respondents; {int(n[small].sum()):,} respondents in them; "
                "suppressed from every output",
            )
        )
    params = {
        "items": f"{items[0]}..{items[-1]} ({k})" if k > 2 else list(items),
        "min_items": min_items,
        "min_respondents": min_respondents,
        "categories": asdict(categories),
    }
    n_scored = int(n[~small].sum())
    return UnitScores(
        table,
        suppressed=suppressed,
        n_scored=n_scored,
        title=f"Unit engagement: {len(table):,} units from {n_scored:,} respondents",
        params=params,
        dropped=dropped_frame(drops),
        reference="Respondent score = mean of answered items; unit engagement = mean of respondent scores. "
        "Category rule approximates Gallup's (proprietary) classification.",
        notes=notes,
    )
