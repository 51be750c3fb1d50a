"""Unit scoring of a respondent table that does not fit in memory: :func:`score_units` on Dask.

The respondent -> unit aggregation is the only step of empathystats whose input
is large; everything after it is unit-level and small. For a
``dask.dataframe.DataFrame`` :func:`empathystats.score_units` calls
:func:`score_units_dask`, which computes, partition by partition and with the
same code as the pandas path (:func:`empathystats.scoring.item_matrix` and
``_score_matrix``), per unit x period:

* ``n`` (scored respondents), :math:`\\sum s_i`, :math:`\\sum (s_i - c)^2` with a
  fixed shift ``c`` (the scale midpoint, for numerical accuracy) and the count of
  respondents in each category;
* the first value of every metadata column and whether it varies;
* the respondents without a key and those with too few answers.

Only these small per-partition tables are brought together; they are summed per
unit and finished exactly as in the pandas path: ``engagement = S/n``,
``engagement_sd = sqrt((Q - n (mean - c)^2) / (n - 1))``, percentages
``100 * count / n``, suppression below ``min_respondents``. The unit table is
identical to the pandas one up to floating-point summation order (about 1e-12
relative). Install with ``pip install 'empathystats[scale]'``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._optional import require
from .errors import ParameterError

__all__ = ["is_dask", "score_units_dask"]

_SUMS = ["n", "s", "q", "c0", "c1", "c2"]


def is_dask(obj: Any) -> bool:
    """True for a Dask DataFrame (checked without importing dask)."""
    mod = type(obj).__module__ or ""
    return mod.startswith("dask") and hasattr(obj, "to_delayed") and hasattr(obj, "columns")


def _as_dtype(values: pd.Series, dtype: Any) -> pd.Series:
    """``values`` in the survey column's dtype; a categorical of unknown categories gets the observed ones (sorted)."""
    if isinstance(dtype, pd.CategoricalDtype) and "__UNKNOWN_CATEGORIES__" in list(dtype.categories):
        try:
            return values.astype(pd.CategoricalDtype(sorted(values.dropna().unique()), ordered=dtype.ordered))
        except TypeError:
            return values.astype("category")
    try:
        return values.astype(dtype)
    except (TypeError, ValueError):
        return values


def _partition_sums(
    part: pd.DataFrame,
    number: int,
    *,
    items: list[str],
    key_names: list[str],
    candidates: list[str],
    mi: int,
    categories: Any,
    scale: tuple[float, float],
    shift: float,
    source: str,
) -> tuple[pd.DataFrame, int, int]:
    """Per unit x period sums of one partition (keys as object values), missing-key and too-few counts."""
    from .scoring import _constant_columns, _score_matrix, group_codes, item_matrix

    x = item_matrix(part, items, scale=scale, source=f"{source} (partition {number}; rows counted within it)")
    n_ans, score, cat = _score_matrix(x, mi, categories)
    del x
    group, key_values, missing_key, first_row = group_codes(part[key_names], key_names)
    n_groups = len(first_row)
    scored = (n_ans >= mi) & ~missing_key
    g = group[scored]
    s = score[scored]
    out = {k: v for k, v in zip(key_names, key_values, strict=True)}
    out["n"] = np.bincount(g, minlength=n_groups).astype(np.int64)
    out["s"] = np.bincount(g, weights=s, minlength=n_groups)
    out["q"] = np.bincount(g, weights=(s - shift) ** 2, minlength=n_groups)
    counts = np.bincount(g * 3 + cat[scored], minlength=3 * n_groups).reshape(n_groups, 3)
    for j in range(3):
        out[f"c{j}"] = counts[:, j].astype(np.int64)
    frame = pd.DataFrame(out)
    if candidates:
        _, varying = _constant_columns(part, candidates, group, n_groups)
        for i, col in enumerate(candidates):
            frame[f"meta_{i}"] = part[col].iloc[first_row].reset_index(drop=True)
            vary = np.zeros(n_groups, dtype=bool)
            if col in varying:
                vary[varying[col]] = True
            frame[f"vary_{i}"] = vary
    too_few = int(((n_ans < mi) & ~missing_key).sum())
    return frame, int(missing_key.sum()), too_few


def score_units_dask(
    survey: Any,
    *,
    items: Sequence[str] | None = None,
    unit: str = "unit_id",
    company: str = "company",
    period: str = "period",
    min_items: int | None = None,
    min_respondents: int = 5,
    categories: Any = None,
    scale: tuple[float, float] = (1, 5),
    respondent: str | None = "respondent_id",
    metadata: Sequence[str] | None = None,
    source: str = "survey",
    **other: Any,
) -> Any:
    """:func:`empathystats.score_units` for a ``dask.dataframe.DataFrame`` (same parameters, same result).

    Each partition is scored with the pandas code and reduced to per-unit sums
    (count, sum of scores, shifted sum of squares, category counts); the sums
    are added up per unit x period and turned into the unit table with the same
    formulas. Computed with Dask's current scheduler (``dask.config.set(scheduler=...)``).

    Returns
    -------
    UnitScores
        The same table, suppression, ``dropped`` and notes as the pandas path.

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd
    >>> import empathystats as es
    >>> survey = pd.DataFrame({"unit_id": ["a"] * 5 + ["b"] * 2,
    ...                        "Q01": [5, 4, 4, 3, 5, 2, 2], "Q02": [5, 4, 3, 3, 4, 1, 2]})
    >>> es.score_units(dd.from_pandas(survey, npartitions=2)).table["engagement"].tolist()
    [4.0]

    References
    ----------
    Chan, T. F., Golub, G. H., & LeVeque, R. J. (1983). Algorithms for computing the sample
    variance: analysis and recommendations. *The American Statistician*, 37(3), 242-247
    (shifted sums of squares).
    """
    dask = require("dask", extra="scale", purpose="score a Dask DataFrame")
    from .scoring import (
        ACTIVELY_DISENGAGED,
        ENGAGED,
        NOT_ENGAGED,
        _constant_columns,
        finish_unit_scores,
        group_codes,
        resolve_scoring_options,
        varying_metadata_error,
    )

    func = "score_units"
    unsupported = sorted(k for k, v in other.items() if v is not None)
    if unsupported:
        raise ParameterError(
            f"The {unsupported!r} parameters of {func} are not supported for a Dask DataFrame yet; "
            "leave them out, or score a pandas DataFrame (e.g. survey.compute())."
        )
    meta = survey._meta  # an empty pandas frame with the columns and dtypes
    items, categories, mi, item_notes = resolve_scoring_options(
        meta, items=items, categories=categories, scale=scale, min_items=min_items,
        min_respondents=min_respondents, func=func, source=source,
    )
    from ._checks import check_columns

    check_columns(meta, [unit], source=source)
    for name, col in (("company", company), ("period", period)):
        if col in items or col == unit:
            raise ParameterError(
                f"The {name!r} parameter of {func} must not name an item or the unit column; got {col!r} instead."
            )
    notes: list[str] = list(item_notes)
    key_names = [unit]
    if company in meta.columns:
        key_names = [company, unit]
    else:
        notes.append(f"No {company!r} column: all units treated as one company ('all').")
    if period in meta.columns:
        key_names = [*key_names, period]
    else:
        notes.append(f"No {period!r} column: all respondents treated as one period (1).")

    exclude = set(items) | set(key_names) | ({respondent} if respondent else set())
    result_cols = {unit, company, period, "n_respondents", "engagement", "engagement_sd",
                   "pct_engaged", "pct_not_engaged", "pct_actively_disengaged"}
    if metadata is None:
        candidates = [c for c in meta.columns if c not in exclude and c not in result_cols]
    else:
        if isinstance(metadata, str):
            raise ParameterError(
                f"The 'metadata' parameter of {func} must be a list of column names; got {metadata!r} instead."
            )
        candidates = list(metadata)
        check_columns(meta, candidates, source=source)
        clash = [c for c in candidates if c in exclude or c in result_cols]
        if clash:
            raise ParameterError(
                f"The 'metadata' parameter of {func} must not name items, keys or result columns; got {clash!r}."
            )

    # ---- partition-wise sums (only the columns needed are loaded)
    needed = list(dict.fromkeys([*key_names, *items, *candidates]))
    parts = survey[needed].to_delayed()
    lo, hi = float(scale[0]), float(scale[1])
    shift = (lo + hi) / 2
    task = dask.delayed(_partition_sums, pure=True)
    pieces = dask.compute(
        *[
            task(p, i, items=items, key_names=key_names, candidates=candidates, mi=mi, categories=categories,
                 scale=(lo, hi), shift=shift, source=source)
            for i, p in enumerate(parts)
        ]
    )
    n_missing_key = sum(p[1] for p in pieces)
    too_few = sum(p[2] for p in pieces)
    combined = pd.concat([p[0] for p in pieces], ignore_index=True)
    del pieces
    # keys back to the survey's dtypes so that units sort as in the pandas path
    for col in key_names:
        combined[col] = _as_dtype(combined[col], meta[col].dtype)

    # ---- combine: one row per unit x period, in the pandas path's order
    group, key_values, _, first_row = group_codes(combined, key_names)
    n_groups = len(first_row)
    sums = {c: np.bincount(group, weights=combined[c].to_numpy(dtype=np.float64), minlength=n_groups) for c in _SUMS}
    n = np.rint(sums["n"]).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums["s"] / n
        ss = np.maximum(sums["q"] - n * (mean - shift) ** 2, 0.0)
        sd = np.sqrt(ss / (n - 1))
        cat_counts = np.column_stack([sums["c0"], sums["c1"], sums["c2"]])
        pct = 100.0 * cat_counts / n[:, None]
    sd[n < 2] = np.nan

    kv = dict(zip(key_names, key_values, strict=True))
    codes = {ENGAGED: 0, NOT_ENGAGED: 1, ACTIVELY_DISENGAGED: 2}
    table = pd.DataFrame(
        {
            unit: kv[unit],
            company: kv[company] if company in kv else "all",
            period: kv[period] if period in kv else 1,
            "n_respondents": n,
            "engagement": mean,
            "engagement_sd": sd,
            "pct_engaged": pct[:, codes[ENGAGED]],
            "pct_not_engaged": pct[:, codes[NOT_ENGAGED]],
            "pct_actively_disengaged": pct[:, codes[ACTIVELY_DISENGAGED]],
        }
    )
    for col in key_names:
        table[col] = _as_dtype(table[col], meta[col].dtype)

    # ---- metadata: constant within every unit, within and across partitions
    if candidates:
        meta_cols = [f"meta_{i}" for i in range(len(candidates))]
        _, varying = _constant_columns(combined, meta_cols, group, n_groups)
        varies = {}
        for i, c in enumerate(candidates):
            v = np.bincount(group, weights=combined[f"vary_{i}"].to_numpy(dtype=np.float64), minlength=n_groups) > 0
            if f"meta_{i}" in varying:
                v[varying[f"meta_{i}"]] = True
            varies[c] = np.flatnonzero(v)
        carried = [c for c in candidates if varies[c].size == 0]
        varying_cols = [c for c in candidates if varies[c].size]
        if metadata is None:
            if varying_cols:
                notes.append("Not carried to the unit table (vary within units): " + ", ".join(map(str, varying_cols)) + ".")
        elif varying_cols:
            col = varying_cols[0]
            groups = varies[col]
            raise varying_metadata_error(table, unit, col, groups, source)
        for col in carried:
            table[col] = combined[f"meta_{candidates.index(col)}"].iloc[first_row].to_numpy()

    # ---- confidentiality and exclusions, exactly as in the pandas path
    return finish_unit_scores(
        table, n, unit=unit, period=period, min_respondents=min_respondents, n_missing_key=n_missing_key,
        too_few=too_few, min_items=mi, items=items, categories=categories, notes=notes,
    )
