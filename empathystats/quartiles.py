"""Top-versus-bottom engagement quartile comparisons (the Q12-style headline table).

"Business units in the top quartile of engagement had 38% lower absenteeism than
those in the bottom quartile": :func:`compare_quartiles` produces that table for
any study, one row per outcome, with a bootstrap confidence interval and a
permutation p-value, and :func:`plot_quartile_profile` draws an outcome across
the four engagement quartiles.

How the comparison is formed (the contract; every choice is a parameter)
-----------------------------------------------------------------------
1. **One row per unit.** With several periods, a unit's engagement is the mean
   of its period scores and its outcome is pooled over the same periods (total
   numerator over total exposure for exposure outcomes, the mean otherwise), so
   each unit counts once and the bootstrap resamples independent units. To
   compare one period, filter the study first.
2. **Quartiles by rank.** Units are ranked on engagement within each company
   (``within="company"``) or across all companies (``within=None``); ties are
   broken by unit id. With ``n`` units in a group, the bottom quartile is the
   ``floor(n/4)`` lowest-ranked units and the top quartile the ``floor(n/4)``
   highest, so the two compared groups always have equal size.
3. **A quartile's value** (``stat``): ``"mean"`` is the mean of the units'
   analysed values (for exposure outcomes, each unit's own rate, e.g. incidents
   per 200,000 hours); ``"ratio"`` is the ratio of sums, total numerator over
   total exposure times ``per`` (the epidemiological rate of the quartile as a
   whole; outcomes without exposure fall back to the mean).
4. **Difference and percent difference.** ``difference = top - bottom`` in the
   outcome's units; ``pct_difference = sign * difference / bottom * 100`` with
   ``sign = +1`` when higher is better and ``-1`` when lower is better, so a
   positive value always means the top quartile does better. It is undefined
   (NaN) when the bottom quartile's value is not positive.
5. **Across companies** (``summary``): ``"median_of_companies"`` computes the
   comparison inside every company and reports the median across companies of
   ``top``, ``bottom``, ``difference`` and ``pct_difference`` separately (as in
   Harter et al.'s Q12 meta-analysis reports; the medians need not satisfy
   ``top - bottom == difference``). ``"pooled"`` pools the top-quartile units of
   all companies into one group and the bottom-quartile units into another.
6. **Turnover** is also compared separately in high- and low-turnover
   organisations: a company is "high turnover" when its pooled turnover (total
   leavers over total headcount, per period; annual when periods are years) is
   at least ``split_turnover_at``.
7. **Uncertainty.** Percentile bootstrap intervals for ``pct_difference``
   (``ci_low``, ``ci_high``) and ``difference`` (``diff_ci_low``,
   ``diff_ci_high``): units are resampled with replacement within each company
   (``resample="units"``; quartiles are re-formed in every replicate) or whole
   companies are resampled (``resample="company"``). The two-sided ``p_value``
   comes from a permutation test that shuffles engagement among units within
   each company (within the whole group when ``within=None``) and recomputes the
   same summary statistic: ``p = (1 + #{|T*| >= |T|}) / (n_perm + 1)``.
   In simulations with known truth (``tests/test_quartiles.py``, slow marker) the
   pooled/units and median/company intervals cover at close to the nominal rate;
   median-of-companies with units resampled within companies is conservative
   (about 99% for a nominal 95%, because every company's own sampling noise is
   added again), so prefer ``resample="company"`` for the median when there are
   20 or more companies.
   Replicates are computed as matrices (replicates x units), in blocks of a few
   million cells to bound memory; outcomes that use the same units share their
   random draws (bootstrap and permutations), and every outcome starts from
   ``numpy.random.default_rng(seed)`` so its interval does not depend on which
   other outcomes were requested. A permutation's quartiles come from one sort of
   its keys (thresholds per company), not an argsort.

References
----------
Harter, J. K., Schmidt, F. L., Agrawal, S., Blue, A., Plowman, S. K., Josh, P., & Asplund, J. (2020).
*The relationship between engagement at work and organizational outcomes: 2020 Q12 meta-analysis* (10th ed.). Gallup.
Efron, B., & Tibshirani, R. J. (1993). *An introduction to the bootstrap*. Chapman & Hall (percentile interval, ch. 13).
Good, P. (2005). *Permutation, parametric and bootstrap tests of hypotheses* (3rd ed.). Springer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._checks import check_choice, check_number
from ._progress import progress
from .errors import ParameterError, data_error
from .outcomes import OutcomeSpec, uses_exposure
from .results import Result, dropped_frame
from .study import Study, as_study

__all__ = ["compare_quartiles", "QuartileComparison", "plot_quartile_profile", "quartile_label"]

_FUNC = "compare_quartiles"
_REFERENCE = (
    "Harter et al. (2020), Q12 meta-analysis, 10th ed. (top vs bottom quartile comparisons); "
    "Efron & Tibshirani (1993) (percentile bootstrap)"
)
#: cells (replicates x units) computed at once; bounds memory to a few hundred MB at Gallup scale
_BLOCK_CELLS = 2_000_000
#: cells per block of permutations: smaller blocks stay in cache (~30% faster at Gallup scale). Each
#: permutation draws its own row of uniforms, so the block size does not change any number (unlike the
#: bootstrap, whose draws are laid out units x replicates within a block)
_PERM_BLOCK_CELLS = 1_000_000


def quartile_label(pct_difference: float, better: str) -> str:
    """Words for a signed percent difference: "38% lower" / "12% higher".

    ``pct_difference`` is signed so that positive means better; the label states
    the actual direction of the top quartile relative to the bottom quartile.
    """
    if pct_difference is None or not np.isfinite(pct_difference):
        return "n/a"
    up = (pct_difference > 0) == (better == "higher")
    if round(abs(pct_difference)) == 0:
        return "no difference"
    return f"{abs(pct_difference):.0f}% {'higher' if up else 'lower'}"


# ---------------------------------------------------------------------------
# preparing one outcome: one row per unit, sorted for the matrix computations
# ---------------------------------------------------------------------------
@dataclass
class _Units:
    """Units with a value for one outcome, sorted by (group, engagement, unit id)."""

    company: np.ndarray  # company codes 0..C-1, in canonical order
    company_names: np.ndarray
    eng: np.ndarray
    uid: np.ndarray  # unit id codes (tie-break)
    a: np.ndarray  # numerator of the quartile statistic
    b: np.ndarray  # denominator of the quartile statistic (1 for "mean")
    exposure: np.ndarray  # exposure per period (NaN without exposure)
    n_missing: int

    def subset(self, keep: np.ndarray) -> _Units:
        return _Units(
            self.company[keep], self.company_names, self.eng[keep], self.uid[keep], self.a[keep],
            self.b[keep], self.exposure[keep], self.n_missing,
        )


@dataclass
class _Keys:
    """Integer codes of a study's company and unit columns, computed once per call (not per outcome)."""

    company: np.ndarray  # company code of each row
    company_names: np.ndarray  # company name of each code
    unit: np.ndarray  # unit code of each row (equal ids, equal codes)
    ucode: np.ndarray  # codes of unit ids in sorted text order (the tie-break)

    @classmethod
    def of(cls, study: Study) -> _Keys:
        d = study.data
        ccode, cnames = pd.factorize(d[study.company])
        return cls(
            company=ccode, company_names=np.asarray(cnames), unit=pd.factorize(d[study.unit])[0], ucode=_unit_codes(study)
        )


def _unit_table(
    study: Study, spec: OutcomeSpec, stat: str, company_rank: pd.Series, keys: _Keys | None = None
) -> tuple[pd.DataFrame, int]:
    """Aggregate one outcome to one row per unit (see module docstring, point 1).

    ``company`` and ``unit`` hold integer codes (``keys``); ``keys.company_names`` names them.
    """
    d = study.data
    if keys is None:
        keys = _Keys.of(study)
    exp = uses_exposure(d, spec)
    num = _numeric(d, spec.name)
    if exp:
        den = _numeric(d, spec.exposure)
        valid = num.notna() & np.isfinite(num) & den.notna() & (den > 0)
    else:
        den = pd.Series(1.0, index=d.index)
        valid = num.notna() & np.isfinite(num)
    n_missing = int((~valid).sum())
    t = pd.DataFrame(
        {
            "company": keys.company[valid.to_numpy()],
            "unit": keys.unit[valid.to_numpy()],
            "ucode": keys.ucode[valid.to_numpy()],
            "eng": d[study.engagement].to_numpy(dtype=float)[valid.to_numpy()],
            "num": num[valid].to_numpy(),
            "den": den[valid].to_numpy(),
        }
    )
    if t.duplicated(["company", "unit"]).any():  # several periods: pool each unit over its periods
        g = t.groupby(["company", "unit"], sort=False)
        t = pd.concat(
            [g["eng"].mean(), g["num"].sum(), g["den"].sum(), g["num"].size().rename("periods"), g["ucode"].first()],
            axis=1,
        ).reset_index()
    else:
        t["periods"] = 1
    if exp:
        value = t["num"] / t["den"] * spec.per
        t["exposure"] = t["den"] / t["periods"]
        if stat == "ratio":
            t["a"], t["b"] = t["num"] / t["periods"], t["den"] / t["periods"]
        else:
            t["a"], t["b"] = value, 1.0
    else:
        t["a"], t["b"], t["exposure"] = t["num"] / t["periods"], 1.0, np.nan
    t["crank"] = company_rank.reindex(keys.company_names).to_numpy()[t["company"].to_numpy()]
    return t, n_missing


def _numeric(d: pd.DataFrame, column: str) -> pd.Series:
    """A column as floats; text that is not a number is an error, not a silent NaN."""
    x = pd.to_numeric(d[column], errors="coerce")
    bad = x.isna() & d[column].notna()
    if bad.any():
        raise data_error(
            "values must be numbers",
            source="study",
            column=column,
            rows=[(int(i) + 2, v) for i, v in zip(np.flatnonzero(bad.to_numpy()), d.loc[bad, column], strict=True)],
            fix="remove text such as 'n/a' or '%' from the column (leave missing values empty).",
        )
    return x.astype(float)


def _unit_codes(study: Study) -> np.ndarray:
    """Codes of unit ids in sorted order (the deterministic tie-break of equal engagement)."""
    return pd.factorize(study.data[study.unit].astype(str), sort=True)[0]


def _sorted_units(t: pd.DataFrame, within: str | None, company_names: np.ndarray) -> _Units:
    uid = t["ucode"].to_numpy()
    crank = t["crank"].to_numpy()
    eng = t["eng"].to_numpy(dtype=float)
    # np.lexsort: last key is primary. Within company: company, engagement, unit id; pooled (within=None):
    # engagement, then unit id (as documented), then company (a unit id repeated in two companies)
    order = np.lexsort((uid, eng, crank)) if within == "company" else np.lexsort((crank, uid, eng))
    ccodes = pd.factorize(crank[order], sort=True)[0]
    codes = t["company"].to_numpy()[order]
    first = np.unique(ccodes, return_index=True)[1]  # first row of each company code 0..C-1
    company_names = company_names[codes[first]]
    return _Units(
        company=ccodes.astype(np.int64),
        company_names=company_names,
        eng=eng[order],
        uid=uid[order],
        a=t["a"].to_numpy(dtype=float)[order],
        b=t["b"].to_numpy(dtype=float)[order],
        exposure=t["exposure"].to_numpy(dtype=float)[order],
        n_missing=0,
    )


# ---------------------------------------------------------------------------
# the matrix machinery: replicate counts -> quartile weights -> company sums
# ---------------------------------------------------------------------------
def _starts(codes: np.ndarray) -> np.ndarray:
    """Start index of each run of equal codes (codes sorted)."""
    return np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])


def _quartile_weights(K: np.ndarray, strat: np.ndarray, sstart: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Top and bottom quartile membership counts for replicate unit counts ``K`` (N units x B replicates).

    Rows are sorted by stratum then engagement. A unit drawn ``K`` times occupies
    positions ``[Cs, Ce)`` of the replicate sample sorted the same way (``Ce`` the
    running total of ``K``); in a stratum starting at position ``o`` with ``n``
    draws, the bottom quartile is ``[o, o + k)`` and the top ``[o + n - k, o + n)``
    with ``k = n // 4``, so the overlap of the intervals gives each unit's weight
    without sorting anything. (The work is done replicates x units, see
    :func:`_quartile_weights_rows`.)
    """
    wt, wb = _quartile_weights_rows(np.ascontiguousarray(np.asarray(K).T), strat, sstart)
    return wt.T, wb.T


def _quartile_weights_rows(K: np.ndarray, strat: np.ndarray, sstart: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_quartile_weights` for counts laid out replicates x units (B x N; strata contiguous, coded 0..S-1).

    Running totals along the contiguous axis are an order of magnitude faster than
    down the columns of an N x B array.
    """
    K = K.astype(np.int32, copy=False)
    Ce = np.cumsum(K, axis=1, dtype=np.int32)
    Cs = Ce - K
    off = Cs[:, sstart]  # B x S
    size = np.diff(np.r_[sstart, K.shape[1]])
    n = Ce[:, sstart + size - 1] - off
    k = n // 4
    gb = np.repeat(off + k, size, axis=1)  # each stratum's bound over its rows
    wb = np.minimum(Ce, gb)
    wb -= np.minimum(Cs, gb, out=gb)
    gt = np.repeat(off + n - k, size, axis=1)
    wt = np.maximum(Ce, gt)
    wt -= np.maximum(Cs, gt, out=gt)
    return wt, wb


def _columns(top: np.ndarray, bot: np.ndarray) -> np.ndarray:
    """Top and bottom weights (each B x N) as one float64 N x 2B matrix for :class:`_Summer`."""
    return np.ascontiguousarray(np.concatenate([top, bot]).T).astype(float)


def _nanmedian_rows(x: np.ndarray) -> np.ndarray:
    """Median of each row ignoring NaN (fast path; NaN when a row has no value)."""
    s = np.sort(x, axis=1)  # NaN sort last
    cnt = (~np.isnan(x)).sum(axis=1)
    last = x.shape[1] - 1
    lo = np.take_along_axis(s, np.clip((cnt - 1) // 2, 0, last)[:, None], axis=1)[:, 0]
    hi = np.take_along_axis(s, np.clip(cnt // 2, 0, last)[:, None], axis=1)[:, 0]
    med = (lo + hi) / 2.0
    med[cnt == 0] = np.nan
    return med


class _Summer:
    """Sums of every value column over weighted units, per company: one sparse product for all outcomes.

    ``V`` holds the columns needed by the outcomes of a group (numerators, denominators
    and a column of ones); ``S`` (companies*columns x units) puts unit ``i``'s values in
    its company's rows, so ``S @ W`` with ``W`` (units x replicates) gives every
    company's weighted sums for every replicate at once.
    """

    def __init__(self, tasks: list[_Task], group: np.ndarray, n_groups: int) -> None:
        from scipy import sparse

        cols: list[np.ndarray] = [np.ones(len(group))]
        self.index: list[tuple[int, int]] = []
        for task in tasks:
            cols.append(task.units.a)
            ia = len(cols) - 1
            if np.all(task.units.b == 1.0):
                ib = 0
            else:
                cols.append(task.units.b)
                ib = len(cols) - 1
            self.index.append((ia, ib))
        V = np.column_stack(cols)
        N, M = V.shape
        self.M, self.G = M, n_groups
        rows = (group[:, None] * M + np.arange(M)).ravel()
        colidx = np.repeat(np.arange(N), M)
        self.S = sparse.csr_matrix((V.ravel(), (rows, colidx)), shape=(n_groups * M, N))

    def __call__(self, W: np.ndarray) -> np.ndarray:
        """(G, M, B) sums for weights ``W`` (N x B)."""
        R = self.S @ np.ascontiguousarray(W, dtype=float)
        return np.asarray(R).reshape(self.G, self.M, -1)

    def sums(self, j: int, top: np.ndarray, bot: np.ndarray) -> dict[str, np.ndarray]:
        """Sums for task ``j`` as (B x G) arrays."""
        ia, ib = self.index[j]
        return {
            "top_a": top[:, ia, :].T, "top_b": top[:, ib, :].T, "bot_a": bot[:, ia, :].T, "bot_b": bot[:, ib, :].T,
            "n_top": top[:, 0, :].T, "n_bot": bot[:, 0, :].T,
        }


def _pct(diff: np.ndarray, bot: np.ndarray, sign: int) -> np.ndarray:
    """sign * diff / bot * 100 where the bottom quartile's value is positive, NaN elsewhere (no divide warning)."""
    ok = bot > 0  # False for NaN too
    return np.divide(sign * diff, bot, out=np.full(np.broadcast(diff, bot).shape, np.nan), where=ok) * 100.0


def _stats(s: dict[str, np.ndarray], summary: str, sign: int, scale: float) -> dict[str, np.ndarray]:
    """Summary top, bottom, difference, pct_difference per replicate (length B)."""
    keys = ("top_a", "top_b", "bot_a", "bot_b")
    if summary == "pooled":
        s = {k: s[k].sum(axis=1, keepdims=True) for k in keys}
    with np.errstate(divide="ignore", invalid="ignore"):
        top = s["top_a"] / s["top_b"] * scale
        bot = s["bot_a"] / s["bot_b"] * scale
        diff = top - bot
        pct = _pct(diff, bot, sign)
    if summary == "pooled":
        return {"top": top[:, 0], "bottom": bot[:, 0], "difference": diff[:, 0], "pct_difference": pct[:, 0]}
    return {
        "top": _nanmedian_rows(top),
        "bottom": _nanmedian_rows(bot),
        "difference": _nanmedian_rows(diff),
        "pct_difference": _nanmedian_rows(pct),
    }


def _blocks(total: int, n: int, cells: int | None = None) -> list[int]:
    size = max(1, min(total, (cells or _BLOCK_CELLS) // max(n, 1)))
    return [min(size, total - i) for i in range(0, total, size)]


def _bootstrap_counts(rng: np.random.Generator, B: int, u: _Units, resample: str, within: str | None) -> np.ndarray:
    """Replicate counts (B replicates x N units) of each unit: resampled within company, or whole companies."""
    N = len(u.eng)
    if resample == "company":
        C = int(u.company.max()) + 1
        draws = rng.integers(0, C, size=(B, C))
        cnt = np.bincount((draws + np.arange(B)[:, None] * C).ravel(), minlength=B * C).reshape(B, C)
        return cnt[:, u.company]
    # units within company strata: rows ordered by company (stable) give contiguous strata
    rorder = np.arange(N) if within == "company" else np.argsort(u.company, kind="stable")
    rcomp = u.company[rorder]
    rstart = _starts(rcomp)
    rsize = np.diff(np.r_[rstart, N])
    sid = np.repeat(np.arange(len(rstart)), rsize)
    # int32 index arithmetic: N * B is at most a few million cells per block (see _blocks)
    pos = (rng.random((N, B), dtype=np.float32) * rsize[sid][:, None].astype(np.float32)).astype(np.int32)
    np.minimum(pos, (rsize[sid] - 1).astype(np.int32)[:, None], out=pos)  # guard float32 rounding at the top end
    pos += rstart[sid].astype(np.int32)[:, None]
    rows = pos if within == "company" else rorder.astype(np.int32)[pos]
    rows += np.arange(B, dtype=np.int32) * np.int32(N)  # replicate b counts into cells [b * N, (b + 1) * N)
    return np.bincount(rows.ravel(), minlength=N * B).reshape(B, N)


def _perm_keys(rng: np.random.Generator, B: int, strat: np.ndarray) -> np.ndarray:
    """Keys of B random within-stratum permutations (B x N): ``stratum + U`` with ``U ~ Uniform(0, 1)``.

    Sorting a row keeps each (contiguous) stratum in place and orders its rows at random
    (ties have probability ~1e-16); only the order within a stratum is used.
    """
    return strat + rng.random((B, len(strat)))


@dataclass
class _Task:
    outcome: str
    spec: OutcomeSpec
    group: str
    units: _Units
    scale: float


def _run_group(
    tasks: list[_Task],
    *,
    within: str | None,
    summary: str,
    resample: str,
    n_boot: int,
    n_perm: int,
    seed: int,
    ci_level: float,
) -> list[dict[str, Any]]:
    """Estimates, CIs and p-values for outcomes sharing the same units (and so the same draws)."""
    u = tasks[0].units
    N = len(u.eng)
    strat = u.company if within == "company" else np.zeros(N, dtype=np.int64)
    sstart = _starts(strat)
    C_all = int(u.company.max()) + 1
    summer = _Summer(tasks, strat, int(strat[-1]) + 1)
    wt0, wb0 = _quartile_weights(np.ones((N, 1), dtype=np.int32), strat, sstart)
    top0, bot0 = summer(wt0), summer(wb0)
    obs = []
    for j, task in enumerate(tasks):
        s = summer.sums(j, top0, bot0)
        obs.append((s, _stats(s, summary, task.spec.sign, task.scale)))

    rng = np.random.default_rng(seed)
    boot = [{"difference": [], "pct_difference": []} for _ in tasks]
    if resample == "company" and summary == "median_of_companies":
        # resampling whole companies leaves each company's comparison intact: resample its result
        cache = []
        for (s, _), task in zip(obs, tasks, strict=True):
            with np.errstate(divide="ignore", invalid="ignore"):
                top = s["top_a"][0] / s["top_b"][0] * task.scale
                bot = s["bot_a"][0] / s["bot_b"][0] * task.scale
            cache.append((top - bot, _pct(top - bot, bot, task.spec.sign)))
        for B in _blocks(n_boot, C_all):
            idx = rng.integers(0, C_all, size=(B, C_all))
            for j, (diff_c, pct_c) in enumerate(cache):
                boot[j]["difference"].append(_nanmedian_rows(diff_c[idx]))
                boot[j]["pct_difference"].append(_nanmedian_rows(pct_c[idx]))
    elif n_boot:
        for B in _blocks(n_boot, N):
            wt, wb = _quartile_weights_rows(_bootstrap_counts(rng, B, u, resample, within), strat, sstart)
            R = summer(_columns(wt, wb))  # one sparse product for top and bottom
            del wt, wb
            top, bot = R[:, :, :B], R[:, :, B:]
            for j, task in enumerate(tasks):
                st = _stats(summer.sums(j, top, bot), summary, task.spec.sign, task.scale)
                boot[j]["difference"].append(st["difference"])
                boot[j]["pct_difference"].append(st["pct_difference"])

    perm: list[list[np.ndarray]] = [[] for _ in tasks]
    if n_perm:
        # under the null, engagement is exchangeable within strata: the top and bottom positions of the
        # observed ranking receive random units of their stratum. Ordering the rows of a stratum by
        # ``stratum + U`` (see _perm_keys) puts a unit in the bottom quartile when its key is at most
        # the k-th smallest key of its stratum and in the top quartile when it is at least the (n-k+1)-th:
        # one sort of the keys (no argsort, no scatter) gives the same memberships.
        send = np.r_[sstart[1:], N]
        size = send - sstart
        k = size // 4
        has = k > 0
        last_bot = np.where(has, sstart + k - 1, 0)
        first_top = np.where(has, send - k, 0)
        for B in _blocks(n_perm, N, _PERM_BLOCK_CELLS):
            key = _perm_keys(rng, B, strat)
            srt = np.sort(key, axis=1)
            # thresholds per stratum, repeated over its (contiguous) rows: B x N
            thr_b = np.repeat(np.where(has, srt[:, last_bot], -np.inf), size, axis=1)
            thr_t = np.repeat(np.where(has, srt[:, first_top], np.inf), size, axis=1)
            del srt
            R = summer(_columns(key >= thr_t, key <= thr_b))  # top memberships, then bottom
            del key, thr_b, thr_t
            top, bot = R[:, :, :B], R[:, :, B:]
            for j, task in enumerate(tasks):
                perm[j].append(_stats(summer.sums(j, top, bot), summary, task.spec.sign, task.scale)["pct_difference"])

    alpha = 1 - ci_level
    rows = []
    for j, task in enumerate(tasks):
        s, st = obs[j]
        row: dict[str, Any] = {k: float(v[0]) for k, v in st.items()}
        for key, lo, hi in (("pct_difference", "ci_low", "ci_high"), ("difference", "diff_ci_low", "diff_ci_high")):
            reps = np.concatenate(boot[j][key]) if boot[j][key] else np.array([])
            reps = reps[np.isfinite(reps)]
            if len(reps) >= 2 and (resample != "company" or C_all > 1):
                row[lo], row[hi] = (float(x) for x in np.quantile(reps, [alpha / 2, 1 - alpha / 2]))
            else:
                row[lo] = row[hi] = np.nan
        tobs = row["pct_difference"]
        if perm[j] and np.isfinite(tobs):
            tp = np.concatenate(perm[j])
            extreme = np.abs(tp) >= abs(tobs) * (1 - 1e-12)
            row["p_value"] = float((1 + np.sum(extreme & np.isfinite(tp))) / (len(tp) + 1))
        else:
            row["p_value"] = np.nan
        with np.errstate(divide="ignore", invalid="ignore"):
            bot_c = s["bot_a"][0] / s["bot_b"][0]
        n_companies = int(np.sum(bot_c > 0)) if summary == "median_of_companies" else int(len(np.unique(task.units.company)))
        has_exposure = bool(np.isfinite(task.units.exposure).any())
        row.update(
            outcome=task.outcome,
            group=task.group,
            better=task.spec.better,
            n_units_top=int(round(s["n_top"].sum())),
            n_units_bottom=int(round(s["n_bot"].sum())),
            n_companies=n_companies,
            label=quartile_label(row["pct_difference"], task.spec.better),
            ci_level=ci_level,
            unit_label=task.spec.unit_label,
            exposure=task.spec.exposure if has_exposure else None,
            exposure_bottom=float(np.nansum(wb0[:, 0] * task.units.exposure)) if has_exposure else np.nan,
            per=task.spec.per if has_exposure else 1.0,
        )
        if within == "company":
            with np.errstate(divide="ignore", invalid="ignore"):
                top = s["top_a"][0] / s["top_b"][0] * task.scale
                bot = s["bot_a"][0] / s["bot_b"][0] * task.scale
                pct = _pct(top - bot, bot, task.spec.sign)
            row["_companies"] = pd.DataFrame(
                {
                    "outcome": task.outcome,
                    "group": task.group,
                    "company": task.units.company_names,
                    "n_units": np.bincount(task.units.company),
                    "n_units_top": np.round(s["n_top"][0]).astype(int),
                    "n_units_bottom": np.round(s["n_bot"][0]).astype(int),
                    "top": top,
                    "bottom": bot,
                    "difference": top - bot,
                    "pct_difference": pct,
                }
            ).sort_values("company", kind="stable", ignore_index=True)
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------
# the result
# ---------------------------------------------------------------------------
class QuartileComparison(Result):
    """Top- versus bottom-quartile comparison of business outcomes (from :func:`compare_quartiles`).

    Attributes
    ----------
    table : DataFrame
        One row per outcome (and turnover group); columns described in
        :func:`compare_quartiles`.
    companies : DataFrame
        The per-company comparisons behind a median-of-companies summary
        (``outcome, group, company, n_units, n_units_top, n_units_bottom, top,
        bottom, difference, pct_difference``); empty when ``within=None``.
    dropped : DataFrame
        ``reason, count, detail`` of everything excluded.
    params : dict
        The arguments that produced it (seed included).

    Examples
    --------
    >>> import empathystats as es
    >>> demo = es.load_demo("multi")
    >>> res = es.compare_quartiles(es.Study.from_survey(demo.survey, demo.outcomes), n_boot=200)
    >>> sorted(set(res.table["group"]))[0]
    'all'
    >>> ax = res.plot()

    References
    ----------
    Harter, J. K., Schmidt, F. L., Agrawal, S., et al. (2020). The relationship between engagement at
    work and organizational outcomes: 2020 Q12 meta-analysis. Gallup.
    """

    _COLUMNS = [
        "outcome", "group", "better", "n_units_top", "n_units_bottom", "n_companies", "top", "bottom",
        "difference", "pct_difference", "label", "ci_low", "ci_high", "ci_level", "p_value",
        "diff_ci_low", "diff_ci_high", "unit_label", "exposure", "exposure_bottom", "per",
    ]

    def __init__(self, table: pd.DataFrame, *, companies: pd.DataFrame, **kwargs: Any) -> None:
        super().__init__(table, **kwargs)
        self.companies = companies

    def display_table(self) -> pd.DataFrame:
        shown = super().display_table()
        return shown.drop(columns=["unit_label", "exposure", "exposure_bottom", "per"], errors="ignore")

    def _row_name(self, r: Any) -> str:
        name = getattr(self, "labels", {}).get(r.outcome) or str(r.outcome).replace("_", " ")
        if r.group != "all":
            level, _, cond = str(r.group).partition(" turnover ")
            name += f" in {level}-turnover organisations {cond}".rstrip()
        return name

    def text(self) -> str:
        """One sentence per row, built from the table.

        e.g. "Top-quartile units had 38% lower absenteeism than bottom-quartile units
        (95% CI 31% to 44% lower; p < 0.001), median of 40 companies."
        """
        from .results import format_p

        summary = self.params.get("summary")
        sentences = []
        for r in self.table.itertuples(index=False):
            name = self._row_name(r)
            if not np.isfinite(r.pct_difference):
                sentences.append(
                    f"For {name}, the percent difference is undefined (bottom-quartile value not positive); "
                    f"top minus bottom = {r.difference:.3g}."
                )
                continue
            up = (r.pct_difference > 0) == (r.better == "higher")
            word = "higher" if up else "lower"
            sgn = 1.0 if (r.better == "higher") == up else -1.0  # converts better-signed pct to the label's direction
            ci = ""
            if np.isfinite(r.ci_low) and np.isfinite(r.ci_high):
                lo, hi = (round(x) + 0 for x in sorted((sgn * r.ci_low, sgn * r.ci_high)))
                if lo < 0:  # the interval crosses no difference: name both directions
                    other = "lower" if word == "higher" else "higher"
                    ci = f"{r.ci_level:.0%} CI from {-lo:.0f}% {other} to {hi:.0f}% {word}"
                else:
                    ci = f"{r.ci_level:.0%} CI {lo:.0f}% to {hi:.0f}% {word}"
            p = format_p(r.p_value)
            extra = "; ".join(x for x in (ci, f"p {'< 0.001' if p == '<0.001' else '= ' + p}" if p else "") if x)
            comps = "one company" if r.n_companies == 1 else f"{r.n_companies} companies"
            if r.n_companies == 1:
                where = f"{r.n_units_top} units in each quartile, within one company"
            elif summary == "median_of_companies":
                where = f"median of {comps}"
            else:
                where = f"{r.n_units_top} top- and {r.n_units_bottom} bottom-quartile units pooled across {comps}"
            sentences.append(
                f"Top-quartile units had {abs(r.pct_difference):.0f}% {word} {name} than bottom-quartile units"
                + (f" ({extra})" if extra else "") + f", {where}."
            )
        return " ".join(sentences)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Horizontal bars of the percent difference by outcome (positive = better) with CI whiskers."""
        from .plotting import BETTER, WORSE, finish, get_ax

        t = self.table.iloc[::-1]
        ax = get_ax(ax, figsize=(7.0, 0.5 * len(t) + 1.5))
        y = np.arange(len(t))
        pct = t["pct_difference"].to_numpy(dtype=float)
        colours = [BETTER if p > 0 else WORSE for p in np.nan_to_num(pct)]
        ax.barh(y, np.nan_to_num(pct), color=colours, height=0.6, **kwargs)
        lo = t["ci_low"].to_numpy(dtype=float)
        hi = t["ci_high"].to_numpy(dtype=float)
        ok = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(pct)
        if ok.any():
            ax.errorbar(
                pct[ok], y[ok], xerr=[pct[ok] - lo[ok], hi[ok] - pct[ok]], fmt="none", ecolor="#333333", capsize=3, lw=1
            )
        ax.axvline(0, color="#333333", lw=0.8)
        ax.set_yticks(y, [self._row_name(r) for r in t.itertuples(index=False)])
        for yi, p, lab in zip(y, pct, t["label"], strict=True):
            if np.isfinite(p):
                ax.annotate(lab, (p, yi), xytext=(4 if p >= 0 else -4, 8), textcoords="offset points",
                            ha="left" if p >= 0 else "right", fontsize=8, color="#333333")
        level = self.table["ci_level"].iloc[0] if len(self.table) else 0.95
        return finish(
            ax,
            title="Top vs bottom engagement quartile",
            xlabel=f"% difference, positive = better ({level:.0%} bootstrap CI)",
        )


def _check_outcomes(outcomes: Any, study: Study) -> list[str]:
    if outcomes is None:
        names = study.outcomes
        if not names:
            raise data_error(
                "the study has no outcome columns",
                source="study",
                fix="link an outcome table (es.Study(units, outcomes)) or pass specs for your outcome columns.",
            )
        return names
    if isinstance(outcomes, str):
        outcomes = [outcomes]
    if not isinstance(outcomes, Sequence) or not outcomes:
        raise ParameterError(
            f"The 'outcomes' parameter of {_FUNC} must be an outcome name or a list of names; got {outcomes!r} instead."
        )
    for o in outcomes:
        if o not in study.specs:
            raise ParameterError(
                f"The 'outcomes' parameter of {_FUNC} must name outcomes of the study "
                f"({', '.join(study.outcomes) or 'none'}); got {o!r} instead."
            )
    return list(dict.fromkeys(outcomes))


def compare_quartiles(
    study: Study | pd.DataFrame,
    *,
    outcomes: str | Sequence[str] | None = None,
    within: str | None = "company",
    stat: str = "mean",
    summary: str = "median_of_companies",
    ci_level: float = 0.95,
    n_boot: int = 2000,
    seed: int = 0,
    min_units_per_company: int = 8,
    split_turnover_at: float | None = 0.40,
    resample: str = "units",
    n_perm: int | None = None,
    specs: Mapping[str, Any] | None = None,
    unit: str = "unit_id",
    company: str = "company",
    period: str = "period",
    engagement: str = "engagement",
) -> QuartileComparison:
    r"""Compare business outcomes of top- and bottom-engagement-quartile units.

    Units are ranked on engagement (within each company by default), the top
    and bottom quartiles' outcomes are compared, and the comparison is summarised
    across companies as Harter et al. (2020) report it. See the module
    docstring for every definition; in short, with ``s = +1`` when higher is
    better and ``-1`` when lower is better,

    .. math::

        \text{difference} = \bar y_{\text{top}} - \bar y_{\text{bottom}}, \qquad
        \text{pct\_difference} = 100\, s\, \frac{\bar y_{\text{top}} - \bar y_{\text{bottom}}}{\bar y_{\text{bottom}}}

    Parameters
    ----------
    study : Study or DataFrame
        A :class:`~empathystats.Study`, or a unit-level table holding engagement
        and outcome columns (then ``specs`` and the column names apply).
    outcomes : str or list of str, optional
        Outcomes to compare; default all outcomes of the study.
    within : {"company", None}
        Rank units within each company (default) or across all companies.
    stat : {"mean", "ratio"}
        A quartile's value: mean of unit values, or ratio of sums (total
        numerator / total exposure * per) for exposure outcomes.
    summary : {"median_of_companies", "pooled"}
        Median across companies of per-company comparisons (needs
        ``within="company"``), or one pooled comparison.
    ci_level : float
        Level of the percentile bootstrap intervals, in (0, 1).
    n_boot : int
        Bootstrap replicates (0 for none).
    seed : int
        Seed of ``numpy.random.default_rng``; same seed, same numbers.
    min_units_per_company : int
        With ``within="company"``, companies with fewer units having a value for
        the outcome are excluded (and counted in ``dropped``); at least 4.
    split_turnover_at : float or None
        Pooled company turnover (proportion per period) at or above which a
        company is "high turnover"; ``None`` for no split.
    resample : {"units", "company"}
        Bootstrap units within companies, or whole companies.
    n_perm : int, optional
        Permutations for the p-value; default ``n_boot`` (0 for no p-value).
    specs, unit, company, period, engagement
        Used only when ``study`` is a DataFrame (see :class:`~empathystats.Study`).

    Returns
    -------
    QuartileComparison
        ``.table`` columns: ``outcome``, ``group`` ("all", or "high turnover" /
        "low turnover"), ``better``, ``n_units_top``, ``n_units_bottom``,
        ``n_companies`` (companies in the comparison; for the median, those with
        a defined percent difference), ``top``, ``bottom``, ``difference``,
        ``pct_difference`` (positive = better), ``label`` (e.g. "38% lower"),
        ``ci_low``, ``ci_high`` (bootstrap CI of ``pct_difference``),
        ``ci_level``, ``p_value`` (permutation, two-sided), ``diff_ci_low``,
        ``diff_ci_high`` (bootstrap CI of ``difference``), ``unit_label``,
        ``exposure`` (exposure column used, if any), ``exposure_bottom`` (total
        exposure per period of bottom-quartile units), ``per``.

    Raises
    ------
    ParameterError
        Bad arguments.
    DataError
        No outcome has a company with enough units to compare.

    Examples
    --------
    >>> import empathystats as es
    >>> demo = es.load_demo("multi")
    >>> study = es.Study.from_survey(demo.survey, demo.outcomes)
    >>> res = es.compare_quartiles(study, n_boot=200)
    >>> res.table[["outcome", "label", "ci_low", "ci_high"]]  # doctest: +SKIP
    >>> print(res.text())  # doctest: +SKIP

    References
    ----------
    Harter, J. K., Schmidt, F. L., Agrawal, S., et al. (2020). The relationship between
    engagement at work and organizational outcomes: 2020 Q12 meta-analysis. Gallup.
    Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap. Chapman & Hall.
    """
    check_choice(within, ("company", None), name="within", func=_FUNC)
    check_choice(stat, ("mean", "ratio"), name="stat", func=_FUNC)
    check_choice(summary, ("median_of_companies", "pooled"), name="summary", func=_FUNC)
    check_choice(resample, ("units", "company"), name="resample", func=_FUNC)
    check_number(ci_level, name="ci_level", func=_FUNC, low=0, high=1, low_open=True, high_open=True)
    check_number(n_boot, name="n_boot", func=_FUNC, low=0, integer=True)
    check_number(seed, name="seed", func=_FUNC, low=0, integer=True)
    check_number(min_units_per_company, name="min_units_per_company", func=_FUNC, low=4, integer=True)
    if n_perm is None:
        n_perm = n_boot
    check_number(n_perm, name="n_perm", func=_FUNC, low=0, integer=True)
    if split_turnover_at is not None:
        check_number(split_turnover_at, name="split_turnover_at", func=_FUNC, low=0, low_open=True)
    if within is None and summary == "median_of_companies":
        raise ParameterError(
            f"The 'summary' parameter of {_FUNC} must be 'pooled' when within=None (quartiles formed across "
            "companies cannot be summarised company by company); got 'median_of_companies' instead. "
            "Fix: pass summary='pooled', or within='company'."
        )
    study = as_study(
        study, func=_FUNC, specs=specs, unit=unit, company=company, period=period, engagement=engagement
    ) if isinstance(study, pd.DataFrame) else as_study(study, func=_FUNC)
    names = _check_outcomes(outcomes, study)

    d = study.data
    # canonical company order from content (mean engagement, size), so company labels and row order
    # change neither the point estimates nor the bootstrap draws
    g = d.groupby(study.company, sort=True)[study.engagement]
    ckey = pd.DataFrame({"m": g.mean(), "n": g.size()})
    ckey["label"] = np.arange(len(ckey))
    ckey = ckey.sort_values(["m", "n", "label"], kind="stable")
    company_rank = pd.Series(np.arange(len(ckey)), index=ckey.index)

    keys = _Keys.of(study)
    drops: list[tuple[str, int, str]] = [tuple(r) for r in study.dropped.itertuples(index=False)]  # type: ignore[misc]
    notes: list[str] = list(study.notes)
    tasks: list[_Task] = []
    for name in names:
        spec = study.specs[name]
        t, n_missing = _unit_table(study, spec, stat, company_rank, keys)
        if n_missing:
            drops.append((f"rows without a usable {name} value", n_missing, "missing outcome, or missing/zero exposure"))
        if within == "company" and len(t):
            size = t.groupby("company")["unit"].transform("size")
            small = size < min_units_per_company
            if small.any():
                nc = int(t.loc[small, "company"].nunique())
                drops.append(
                    (
                        f"companies with fewer than {min_units_per_company} units for {name}",
                        nc,
                        f"{int(small.sum())} units; too few to form quartiles within company",
                    )
                )
                t = t.loc[~small]
        if len(t) < 4:
            drops.append((f"outcome {name} not compared", 1, f"only {len(t)} usable units (need at least 4)"))
            continue
        scale = spec.per if (stat == "ratio" and uses_exposure(d, spec)) else 1.0
        groups = [("all", t)]
        if split_turnover_at is not None and name == "turnover":
            comp_rate = t.groupby("company")["num"].sum() / t.groupby("company")["den"].sum()
            if not uses_exposure(d, spec):
                comp_rate = t.groupby("company")["a"].mean()
            high = comp_rate.index[comp_rate >= split_turnover_at]
            is_high = t["company"].isin(high)
            if is_high.all() or not is_high.any():
                notes.append(
                    f"Turnover not split: every company's turnover is {'at or above' if is_high.all() else 'below'} "
                    f"{split_turnover_at:.0%}, so the 'all' row is the {'high' if is_high.all() else 'low'}-turnover comparison."
                )
            else:
                for label, mask in ((f"high turnover (>= {split_turnover_at:.0%})", is_high),
                                    (f"low turnover (< {split_turnover_at:.0%})", ~is_high)):
                    if mask.sum() >= 4:
                        groups.append((label, t.loc[mask]))
                    else:
                        drops.append((f"turnover comparison for {label}", 1, "fewer than 4 units"))
        for label, tt in groups:
            tasks.append(_Task(name, spec, label, _sorted_units(tt, within, keys.company_names), scale))

    if not tasks:
        raise data_error(
            "no outcome has enough units to compare quartiles"
            + (f" (companies need at least {min_units_per_company} units with a value)" if within == "company" else ""),
            source="study",
            column=", ".join(names),
            fix="check that the outcome columns hold values, lower min_units_per_company, or use within=None "
            "to form quartiles across all companies.",
        )

    # outcomes (and groups) with the same units share their draws
    buckets: dict[bytes, list[int]] = {}
    for i, task in enumerate(tasks):
        key = task.units.uid.tobytes() + task.units.company.tobytes() + task.units.eng.tobytes()
        buckets.setdefault(key, []).append(i)
    rows: list[dict[str, Any] | None] = [None] * len(tasks)
    for idx in progress(list(buckets.values()), desc="quartiles (bootstrap)"):  # groups of outcomes sharing units
        out = _run_group(
            [tasks[i] for i in idx], within=within, summary=summary, resample=resample, n_boot=n_boot,
            n_perm=n_perm, seed=seed, ci_level=ci_level,
        )
        for i, r in zip(idx, out, strict=True):
            rows[i] = r
    company_tables = [r.pop("_companies") for r in rows if r is not None and "_companies" in r]
    table = pd.DataFrame(rows)[QuartileComparison._COLUMNS]
    companies = (
        pd.concat(company_tables, ignore_index=True) if company_tables else
        pd.DataFrame(columns=["outcome", "group", "company", "n_units", "n_units_top", "n_units_bottom", "top",
                              "bottom", "difference", "pct_difference"])
    )
    undefined = companies["pct_difference"].isna() & companies["outcome"].notna()
    if summary == "median_of_companies" and undefined.any():
        drops.append(
            (
                "company comparisons without a percent difference",
                int(undefined.sum()),
                "bottom-quartile value not positive; left out of the median percent difference",
            )
        )
    notes.append(
        f"Quartiles {'within company' if within == 'company' else 'across companies'}; "
        f"quartile value = {'mean of unit values' if stat == 'mean' else 'ratio of sums (rate)'}; "
        f"{'median of per-company comparisons' if summary == 'median_of_companies' else 'pooled comparison'}."
    )
    if summary == "median_of_companies":
        notes.append("top, bottom, difference and pct_difference are each the median across companies (they need not add up).")
    notes.append(
        f"CI: percentile bootstrap, {n_boot} replicates resampling "
        f"{'units within companies' if resample == 'units' else 'whole companies'}; p: permutation test, "
        f"{n_perm} shuffles of engagement {'within company' if within == 'company' else 'across units'}; seed {seed}."
    )
    params = {
        "within": within, "stat": stat, "summary": summary, "ci_level": ci_level, "n_boot": n_boot,
        "n_perm": n_perm, "seed": seed, "min_units_per_company": min_units_per_company,
        "split_turnover_at": split_turnover_at, "resample": resample,
    }
    result = QuartileComparison(
        table,
        companies=companies,
        title=f"Top vs bottom engagement quartile: {study.n_units} units, {study.n_companies} companies",
        params=params,
        dropped=dropped_frame(drops),
        reference=_REFERENCE,
        notes=notes,
    )
    result.labels = {n: study.specs[n].label for n in names}  # type: ignore[attr-defined]
    return result


def plot_quartile_profile(
    study: Study | pd.DataFrame,
    outcome: str,
    ax: Any = None,
    *,
    within: str | None = "company",
    min_units_per_company: int = 8,
    **study_options: Any,
) -> Any:
    """Bar chart of an outcome's mean by engagement quartile (Q1 lowest ... Q4 highest).

    Quartiles are formed as in :func:`compare_quartiles` (ranked within company
    by default; Q1 and Q4 hold ``floor(n/4)`` units each, the middle units are
    split at the median rank into Q2 and Q3); bars show the mean of unit values
    pooled across companies, with the number of units in each quartile.

    Parameters
    ----------
    study : Study or DataFrame
        The study (or a unit-level table; ``study_options`` go to :class:`Study`).
    outcome : str
        Outcome to draw.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when ``None``.
    within : {"company", None}
        Rank within company or across companies.
    min_units_per_company : int
        Companies with fewer units are left out (as in :func:`compare_quartiles`).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import empathystats as es
    >>> demo = es.load_demo("multi")
    >>> ax = es.plot_quartile_profile(es.Study.from_survey(demo.survey, demo.outcomes), "absenteeism")

    References
    ----------
    Harter, J. K., Schmidt, F. L., et al. (2020). *2020 Q12 meta-analysis*. Gallup (outcomes by
    engagement quartile).
    """
    from .plotting import QUARTILE_COLOURS, finish, get_ax

    func = "plot_quartile_profile"
    check_choice(within, ("company", None), name="within", func=func)
    check_number(min_units_per_company, name="min_units_per_company", func=func, low=4, integer=True)
    study = as_study(study, func=func, **study_options) if isinstance(study, pd.DataFrame) else as_study(study, func=func)
    if outcome not in study.specs:
        raise ParameterError(
            f"The 'outcome' parameter of {func} must be one of the study's outcomes "
            f"({', '.join(study.outcomes) or 'none'}); got {outcome!r} instead."
        )
    spec = study.specs[outcome]
    profile = quartile_profile(study, outcome, within=within, min_units_per_company=min_units_per_company)
    ax = get_ax(ax)
    x = np.arange(4)
    ax.bar(x, profile["mean"], color=QUARTILE_COLOURS, width=0.7)
    for xi, m, n in zip(x, profile["mean"], profile["n_units"], strict=True):
        ax.annotate(f"{m:.3g}\n(n={n})", (xi, m), xytext=(0, 3), textcoords="offset points", ha="center", fontsize=8)
    ax.set_xticks(x, ["Q1 (lowest)", "Q2", "Q3", "Q4 (highest)"])
    return finish(
        ax,
        title=f"{spec.label.capitalize()} by engagement quartile ({'better: ' + spec.better})",
        xlabel="Engagement quartile" + (" (within company)" if within == "company" else ""),
        ylabel=spec.unit_label or spec.label,
    )


def quartile_profile(
    study: Study, outcome: str, *, within: str | None = "company", min_units_per_company: int = 8
) -> pd.DataFrame:
    """Mean of unit values by engagement quartile: ``quartile, n_units, mean`` (used by the profile plot)."""
    spec = study.specs[outcome]
    d = study.data
    g = d.groupby(study.company, sort=True)[study.engagement]
    company_rank = pd.Series(np.arange(g.ngroups), index=g.mean().index)
    keys = _Keys.of(study)
    t, _ = _unit_table(study, spec, "mean", company_rank, keys)
    if within == "company":
        t = t.loc[t.groupby("company")["unit"].transform("size") >= min_units_per_company]
    if len(t) < 4:
        raise data_error(
            f"too few units with a {outcome} value to form quartiles ({len(t)})",
            source="study",
            column=outcome,
            fix="lower min_units_per_company or use within=None.",
        )
    u = _sorted_units(t, within, keys.company_names)
    strat = u.company if within == "company" else np.zeros(len(u.eng), dtype=np.int64)
    sstart = _starts(strat)
    size = np.diff(np.r_[sstart, len(strat)])
    pos = np.arange(len(strat)) - np.repeat(sstart, size)
    n = np.repeat(size, size)
    k = n // 4
    q = np.where(pos < k, 0, np.where(pos >= n - k, 3, np.where(pos < n / 2, 1, 2)))
    df = pd.DataFrame({"quartile": q + 1, "value": u.a})
    out = df.groupby("quartile")["value"].agg(n_units="size", mean="mean").reindex([1, 2, 3, 4])
    return out.reset_index()
