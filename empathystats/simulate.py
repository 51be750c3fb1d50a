"""Synthetic engagement-outcome studies with a known truth.

:func:`simulate_study` builds a multi-company, multi-period study: Q12-style
item responses for every respondent and business outcomes for every unit and
period, generated from latent variables whose correlations you set. Its
:class:`SimulationTruth` holds every parameter, the correlation used in each
company and the correlations realised in the sample, so an analysis can be
checked against the value it should recover.

>>> import empathystats as es
>>> sim = es.simulate_study(n_companies=5, seed=1)
>>> sim.survey.columns[:6].tolist()
['respondent_id', 'unit_id', 'company', 'period', 'industry', 'region']
>>> sim.truth.rho["turnover"]
-0.1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from ._checks import check_number
from .errors import ParameterError
from .outcomes import STANDARD_OUTCOMES

__all__ = [
    "simulate_study",
    "SimulatedStudy",
    "SimulationTruth",
    "DEFAULT_RHO",
    "INDUSTRIES",
    "REGIONS",
    "ITEMS",
]

FUNC = "simulate_study"

ITEMS: list[str] = [f"Q{i:02d}" for i in range(1, 13)]

#: Default true (unit-level, within-company) correlations between engagement and
#: each outcome, signed in the direction the outcome is measured (negative:
#: engaged units have *fewer* leavers, incidents, absence days...). They are
#: rounded values of the size of the corrected ("true validity") correlations in
#: Harter, Schmidt, Agrawal, Blue, Plowman, Josh & Asplund (2020), *The
#: relationship between engagement at work and organizational outcomes: 2020 Q12
#: meta-analysis* (10th ed.), Gallup. Approximate, for simulation only: read the
#: published tables for the exact figures.
DEFAULT_RHO: dict[str, float] = {
    "absenteeism": -0.13,
    "turnover": -0.10,
    "safety_incidents": -0.18,
    "patient_safety_incidents": -0.11,
    "quality_defects": -0.15,
    "shrinkage": -0.08,
    "productivity": 0.14,
    "profitability": 0.10,
    "customer_loyalty": 0.17,
}

OUTCOME_ORDER = list(DEFAULT_RHO)

INDUSTRIES: list[str] = ["retail", "healthcare", "manufacturing", "finance", "hospitality"]
INDUSTRY_WEIGHTS = np.array([0.30, 0.20, 0.20, 0.15, 0.15])
REGIONS: list[str] = ["North America", "Europe", "Asia Pacific", "Latin America", "Middle East & Africa"]
REGION_WEIGHTS = np.array([0.35, 0.30, 0.20, 0.10, 0.05])

# Which industry-specific outcomes exist where.
_ONLY_IN = {"patient_safety_incidents": "healthcare", "quality_defects": "manufacturing", "shrinkage": "retail"}

# Industry baselines (illustrative, of realistic size; not data from any survey vendor):
# absence rate (share of scheduled days), annual turnover probability, recordable
# incidents per 200,000 hours, sales per labour hour, profit margin, loyalty score.
_BASE = pd.DataFrame(
    {
        "absence": [0.035, 0.045, 0.040, 0.025, 0.040],
        "turnover": [0.60, 0.20, 0.15, 0.12, 0.70],
        "trir": [3.0, 4.5, 4.0, 0.5, 3.5],
        "productivity": [110.0, 75.0, 140.0, 260.0, 55.0],
        "margin": [0.05, 0.06, 0.09, 0.18, 0.07],
        "loyalty": [72.0, 70.0, 68.0, 65.0, 74.0],
    },
    index=INDUSTRIES,
)

# Share of respondents answering 1..5 on a typical item (negative skew, about a
# third in the top box) and per-item shifts on the latent scale (illustrative:
# "clear expectations" items score high, "recognition"/"progress" items low).
_CATEGORY_SHARES = np.array([0.04, 0.08, 0.18, 0.38, 0.32])
_ITEM_SHIFT = np.array([0.35, 0.10, 0.15, -0.30, 0.10, -0.05, -0.10, 0.20, 0.00, 0.05, -0.20, -0.25])


@dataclass
class SimulationTruth:
    """Everything :func:`simulate_study` used and what it realised.

    Attributes
    ----------
    params : dict
        Every argument of the call (after defaults were filled in).
    rho : dict
        Requested true correlation per outcome (signed as the outcome is measured).
    rho_company : DataFrame
        One row per company: ``company, industry, region, n_units`` and, per
        outcome, the correlation drawn for that company (``rho`` + N(0, sd_rho),
        clipped to [-0.9, 0.9]).
    realised : DataFrame
        One row per outcome: ``outcome, rho, realised_latent, realised_observed,
        realised_pooled_observed, n_rows``. ``realised_latent`` is the
        within-company correlation (company-period means removed) between true
        unit engagement and the outcome's latent propensity over all
        unit x period rows; ``realised_observed`` the same with the analysed
        outcome value (numerator / exposure x per), which Poisson/binomial noise
        and skew attenuate; ``realised_pooled_observed`` without removing
        company means.
    units : DataFrame
        The true unit engagement table, one row per unit x period: ``unit_id,
        company, period, industry, region, n_respondents, headcount,
        engagement_z`` (true engagement, N(0, 1) over all units),
        ``engagement_within`` (the within-company part the outcomes depend
        on), ``engagement_expected`` (the expected respondent score on the
        1-5 scale given ``engagement_z``) and ``latent_<outcome>`` (each
        outcome's latent propensity, N(0, 1) within company; NaN where the
        outcome does not apply).
    thresholds : DataFrame
        Latent thresholds (items x 4) that cut the latent item response into 1-5.
    unit_share : float
        Share of the latent respondent-engagement variance that lies between units.
    """

    params: dict[str, Any]
    rho: dict[str, float]
    rho_company: pd.DataFrame
    realised: pd.DataFrame
    units: pd.DataFrame
    thresholds: pd.DataFrame
    unit_share: float
    latent_alpha: float = field(default=float("nan"))


@dataclass
class SimulatedStudy:
    """A simulated study, shaped like the tables :func:`empathystats.read_survey` and
    :func:`empathystats.read_outcomes` return.

    Attributes
    ----------
    survey : DataFrame
        One row per respondent: ``respondent_id, unit_id, company, period, industry, region, Q01..Q12``.
    outcomes : DataFrame
        One row per unit x period: ``unit_id, period``, outcome numerators and exposure columns.
    truth : SimulationTruth
        Parameters, correlations used and realised, and the true unit engagement table.
    """

    survey: pd.DataFrame
    outcomes: pd.DataFrame
    truth: SimulationTruth

    def __repr__(self) -> str:
        t = self.truth.units
        return (
            f"SimulatedStudy({t['company'].nunique()} companies, {t['unit_id'].nunique()} units, "
            f"{t['period'].nunique()} periods, {len(self.survey)} respondents; seed={self.truth.params['seed']})"
        )


def _range(value: Any, name: str, low: int) -> tuple[int, int]:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value, value)
    if (
        not isinstance(value, Sequence)
        or isinstance(value, str)
        or len(value) != 2
        or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value)
        or value[0] < low
        or value[1] < value[0]
    ):
        raise ParameterError(
            f"The {name!r} parameter of {FUNC} must be an integer >= {low} or a pair (low, high) of integers "
            f"with {low} <= low <= high; got {value!r} instead."
        )
    return int(value[0]), int(value[1])


def _resolve_rho(rho: float | Mapping[str, float] | None) -> dict[str, float]:
    out = dict(DEFAULT_RHO)
    if rho is None:
        return out
    if isinstance(rho, Mapping):
        unknown = [k for k in rho if k not in DEFAULT_RHO]
        if unknown:
            raise ParameterError(
                f"The 'rho' parameter of {FUNC} must map standard outcome names "
                f"({', '.join(DEFAULT_RHO)}) to correlations; got unknown name(s) {unknown} instead."
            )
        for k, v in rho.items():
            check_number(v, name=f"rho[{k!r}]", func=FUNC, low=-0.9, high=0.9)
            out[k] = float(v)
        return out
    check_number(rho, name="rho", func=FUNC, low=-0.9, high=0.9)
    # one magnitude for all: positive means engagement helps (sign follows "better")
    return {k: float(rho) * STANDARD_OUTCOMES[k].sign for k in out}


def _within_centre(x: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """x minus its group mean (groups coded 0..n_groups-1), NaN-aware."""
    ok = ~np.isnan(x)
    s = np.bincount(groups[ok], weights=x[ok], minlength=n_groups)
    c = np.bincount(groups[ok], minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        m = s / c
    return x - m[groups]


def _take(values: np.ndarray, index: np.ndarray) -> pd.Series:
    """Strings ``values[index]`` as a text Series, converting only the few distinct values (fast at millions of rows)."""
    return pd.Series(values).take(index).reset_index(drop=True)


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    ok = ~(np.isnan(a) | np.isnan(b))
    if ok.sum() < 3:
        return float("nan")
    return float(np.corrcoef(a[ok], b[ok])[0, 1])


def simulate_study(
    n_companies: int = 40,
    units_per_company: int | tuple[int, int] = (20, 80),
    respondents_per_unit: int | tuple[int, int] = (5, 30),
    periods: int = 2,
    rho: float | Mapping[str, float] | None = None,
    sd_rho: float = 0.05,
    item_loading: float = 0.75,
    icc1: float = 0.15,
    seed: int = 0,
    lagged_effect: float = 0.5,
    *,
    stability: float = 0.7,
    outcome_stability: float = 0.5,
    company_share: float = 0.10,
    small_unit_share: float = 0.03,
    missing_rate: float = 0.015,
    industries: str | Sequence[str] | None = None,
) -> SimulatedStudy:
    """Simulate a Q12-style engagement survey and business outcomes with known true correlations.

    **Engagement.** Unit true engagement is ``z = sqrt(q)*c + sqrt(1-q)*u``
    (N(0, 1) over units), with ``c`` a company effect (share ``q =
    company_share``) and ``u`` the unit's within-company deviation, which follows
    an AR(1) over periods with correlation ``stability``:
    ``u_t = stability*u_{t-1} + sqrt(1-stability^2)*e_t`` (a burn-in period 0
    is simulated and dropped).

    **Respondents and items.** A respondent's latent engagement is
    ``eta = sqrt(s)*z + sqrt(1-s)*d`` and the latent response to item ``j`` is
    ``x_j = item_loading*eta + sqrt(1-item_loading^2)*e_j`` (parallel items),
    cut into 1-5 at item-specific thresholds that give a negatively skewed
    distribution with about a third of answers in the top box. On the latent
    scale Cronbach's alpha of the 12 items is ``alpha = k*l^2/(k*l^2 + 1 - l^2)``
    (l = item_loading, k = 12) and ``s = icc1/alpha`` so that ICC(1) of
    respondents' mean latent item score is exactly ``icc1``; the 1-5
    categorisation lowers both a little. ``missing_rate`` of answers are
    blanked at random.

    **Outcomes.** For each outcome and company ``rho_c = rho + N(0, sd_rho)``.
    The outcome's latent propensity in period ``t`` is
    ``p_t = (rho_c/k)*g_t + sqrt(1-(rho_c/k)^2)*eps_t`` where the engagement
    signal ``g_t = ((1-L)*u_t + L*u_{t-1}) / sd`` mixes this period's and last
    period's engagement (L = ``lagged_effect``), ``k = corr(g_t, u_t)``, and
    ``eps_t`` is AR(1) over periods with correlation ``outcome_stability``.
    Hence ``corr(p_t, u_t) = rho_c`` within company in every period, engagement
    at ``t`` predicts outcomes at ``t+1`` beyond outcomes at ``t``, and outcomes
    do *not* predict later engagement (engagement evolves on its own): a
    cross-lagged model should find engagement -> outcome and no reverse path.
    ``p`` is mapped through each outcome's link with an industry baseline and a
    company multiplier:

    * absenteeism: days absent ~ Poisson(scheduled_days * r * Gamma(20)/20),
      ``r = base*exp(0.35*p)``; scheduled_days = headcount * ~225.
    * turnover: leavers ~ Binomial(headcount, expit(logit(base) + 0.5*p)).
    * safety_incidents: ~ Poisson(hours_worked/200,000 * TRIR * exp(0.4*p)).
    * patient_safety_incidents (healthcare units): ~ Poisson(patient_days/1,000 * 6 * exp(0.4*p)).
    * quality_defects (manufacturing): ~ Poisson(units_produced/1,000 * 2.5 * exp(0.5*p)).
    * shrinkage (retail): loss = sales * 0.015 * exp(0.45*p) (money, skewed).
    * productivity: sales per labour hour = base * exp(0.20*p).
    * profitability: margin = base + 0.04*p (roughly normal).
    * customer_loyalty: 100*expit(logit(base/100) + 0.45*p), 0-100.

    Parameters
    ----------
    n_companies : int
        Number of companies (each one industry and one region).
    units_per_company : int or (int, int)
        Units per company, drawn uniformly in [low, high] per company.
    respondents_per_unit : int or (int, int)
        Respondents per unit and period, uniform in [low, high]; in addition a
        share ``small_unit_share`` of unit x periods get 1-4 respondents so
        that confidentiality suppression (threshold 5) is exercised.
    periods : int
        Number of survey periods (labelled 1..periods).
    rho : float or dict, optional
        True within-company correlation of unit engagement with each outcome,
        signed as the outcome is measured. A dict overrides
        :data:`DEFAULT_RHO` per outcome; a single number ``r`` sets every
        outcome to ``+r`` if higher is better and ``-r`` if lower is better.
    sd_rho : float
        SD of the company-level correlations around ``rho``.
    item_loading : float
        Loading of each item on respondent engagement, in (0, 1).
    icc1 : float
        ICC(1) of respondents' latent engagement scores by unit, in [0, alpha].
    seed : int
        Seed for :func:`numpy.random.default_rng`; same seed, same data.
    lagged_effect : float
        Weight in [0, 1] of last period's engagement in the signal driving this
        period's outcomes (0: contemporaneous only; 1: lagged only).
    stability : float
        Correlation of a unit's within-company engagement between consecutive periods, in [0, 1).
    outcome_stability : float
        Period-to-period correlation of the non-engagement part of outcomes, in [0, 1).
    company_share : float
        Share of true unit-engagement variance between companies, in [0, 1).
    small_unit_share : float
        Share of unit x periods with fewer than 5 respondents, in [0, 1].
    missing_rate : float
        Share of item answers left blank at random, in [0, 0.5].
    industries : str or sequence of str, optional
        Restrict companies to these industries (from :data:`INDUSTRIES`).

    Returns
    -------
    SimulatedStudy
        ``survey``: one row per respondent: ``respondent_id`` (int), ``unit_id``,
        ``company``, ``period``, ``industry``, ``region``, ``Q01``..``Q12``
        (nullable ``Int8``, 1-5). ``outcomes``: one row per unit x period:
        ``unit_id, period, headcount, scheduled_days, absenteeism`` (days absent),
        ``turnover`` (leavers), ``hours_worked, safety_incidents, patient_days,
        patient_safety_incidents, units_produced, quality_defects, sales,
        shrinkage`` (money lost), ``productivity, profitability,
        customer_loyalty``; industry-specific outcomes are missing (``<NA>``/NaN)
        elsewhere. ``truth``: :class:`SimulationTruth`.

    Examples
    --------
    >>> import empathystats as es
    >>> sim = es.simulate_study(n_companies=3, units_per_company=10, seed=7)
    >>> len(sim.outcomes) == 3 * 10 * 2
    True

    References
    ----------
    Harter, J. K., Schmidt, F. L., Agrawal, S., Blue, A., Plowman, S. K., Josh, P., &
    Asplund, J. (2020). *The relationship between engagement at work and organizational
    outcomes: 2020 Q12 meta-analysis* (10th ed.). Gallup. (sizes of the default correlations)

    Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability.
    In K. J. Klein & S. W. J. Kozlowski (Eds.), *Multilevel theory, research, and methods
    in organizations*. Jossey-Bass. (ICC(1))
    """
    # ---------------------------------------------------------------- checks
    check_number(n_companies, name="n_companies", func=FUNC, low=1, integer=True)
    upc = _range(units_per_company, "units_per_company", 1)
    rpu = _range(respondents_per_unit, "respondents_per_unit", 1)
    check_number(periods, name="periods", func=FUNC, low=1, integer=True)
    rho_map = _resolve_rho(rho)
    check_number(sd_rho, name="sd_rho", func=FUNC, low=0, high=0.5)
    check_number(item_loading, name="item_loading", func=FUNC, low=0, high=1, low_open=True, high_open=True)
    k = len(ITEMS)
    lam2 = item_loading**2
    latent_alpha = k * lam2 / (k * lam2 + 1 - lam2)
    check_number(icc1, name="icc1", func=FUNC, low=0, high=latent_alpha)
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ParameterError(f"The 'seed' parameter of {FUNC} must be a non-negative integer; got {seed!r} instead.")
    check_number(lagged_effect, name="lagged_effect", func=FUNC, low=0, high=1)
    check_number(stability, name="stability", func=FUNC, low=0, high=1, high_open=True)
    check_number(outcome_stability, name="outcome_stability", func=FUNC, low=0, high=1, high_open=True)
    check_number(company_share, name="company_share", func=FUNC, low=0, high=1, high_open=True)
    check_number(small_unit_share, name="small_unit_share", func=FUNC, low=0, high=1)
    check_number(missing_rate, name="missing_rate", func=FUNC, low=0, high=0.5)
    if industries is None:
        ind_pool, ind_w = INDUSTRIES, INDUSTRY_WEIGHTS
    else:
        ind_pool = [industries] if isinstance(industries, str) else list(industries)
        bad = [i for i in ind_pool if i not in INDUSTRIES]
        if not ind_pool or bad:
            raise ParameterError(
                f"The 'industries' parameter of {FUNC} must name industries among {INDUSTRIES}; "
                f"got {industries!r} instead."
            )
        ind_w = INDUSTRY_WEIGHTS[[INDUSTRIES.index(i) for i in ind_pool]]
    # the engagement signal's correlation with this period's engagement
    L, a = float(lagged_effect), float(stability)
    g_sd = np.sqrt((1 - L) ** 2 + L**2 + 2 * L * (1 - L) * a)
    kappa = ((1 - L) + L * a) / g_sd
    too_big = {o: r for o, r in rho_map.items() if abs(r) + 3 * sd_rho > 0.99 * kappa}
    if too_big:
        raise ParameterError(
            f"The 'rho' parameter of {FUNC} is too large for lagged_effect={L} and stability={a}: with these the "
            f"largest attainable correlation is {kappa:.3f} (company correlations vary by 3*sd_rho); got {too_big}. "
            "Lower rho, sd_rho or lagged_effect, or raise stability."
        )
    params = dict(
        n_companies=int(n_companies), units_per_company=upc, respondents_per_unit=rpu, periods=int(periods),
        rho=dict(rho_map), sd_rho=float(sd_rho), item_loading=float(item_loading), icc1=float(icc1), seed=int(seed),
        lagged_effect=L, stability=a, outcome_stability=float(outcome_stability),
        company_share=float(company_share), small_unit_share=float(small_unit_share),
        missing_rate=float(missing_rate), industries=list(ind_pool),
    )
    rng = np.random.default_rng(seed)

    # ---------------------------------------------------------------- companies
    C = int(n_companies)
    width = max(2, len(str(C)))
    companies = np.array([f"C{i + 1:0{width}d}" for i in range(C)], dtype=object)
    comp_ind = rng.choice(len(ind_pool), size=C, p=ind_w / ind_w.sum())
    industry = np.array(ind_pool, dtype=object)[comp_ind]
    region = np.array(REGIONS, dtype=object)[rng.choice(len(REGIONS), size=C, p=REGION_WEIGHTS)]
    n_units_c = rng.integers(upc[0], upc[1] + 1, size=C)
    rho_c = np.clip(
        np.array([rho_map[o] for o in OUTCOME_ORDER])[None, :] + rng.normal(0, sd_rho, size=(C, len(OUTCOME_ORDER))),
        -0.9,
        0.9,
    )
    comp_eng = rng.standard_normal(C)
    base = _BASE.loc[industry].to_numpy() if len(ind_pool) else None
    # company multipliers on outcome baselines (log scale / additive for margins, loyalty)
    comp_mult = rng.normal(0, 1, size=(C, 8))

    # ---------------------------------------------------------------- units
    U = int(n_units_c.sum())
    ucomp = np.repeat(np.arange(C), n_units_c)
    within_idx = np.arange(U) - np.repeat(np.cumsum(n_units_c) - n_units_c, n_units_c)
    uwidth = max(3, len(str(int(n_units_c.max()))))
    unit_ids = (
        pd.Series(companies[ucomp]) + "-U" + pd.Series(within_idx + 1).astype(str).str.zfill(uwidth)
    ).to_numpy(dtype=object)
    P = int(periods)
    # within-company engagement, AR(1) with burn-in period 0
    u = np.empty((P + 1, U))
    u[0] = rng.standard_normal(U)
    for t in range(1, P + 1):  # loop over a handful of periods
        u[t] = a * u[t - 1] + np.sqrt(1 - a**2) * rng.standard_normal(U)
    q = float(company_share)
    z = np.sqrt(q) * comp_eng[ucomp][None, :] + np.sqrt(1 - q) * u[1:]  # (P, U)
    g = ((1 - L) * u[1:] + L * u[:-1]) / g_sd  # (P, U), corr(g_t, u_t) = kappa
    # unit scale: headcount fixed per unit, drifting a little per period
    head0 = np.maximum(np.round(np.exp(rng.normal(np.log(25), 0.45, size=U))), 3)

    # ---------------------------------------------------------------- unit x period rows
    R = P * U
    rid_unit = np.tile(np.arange(U), P)  # row -> unit
    rid_period = np.repeat(np.arange(1, P + 1), U)
    rcomp = ucomp[rid_unit]
    z_r = z.reshape(-1)
    u_r = u[1:].reshape(-1)
    n_resp = rng.integers(rpu[0], rpu[1] + 1, size=R)
    small = rng.random(R) < small_unit_share
    n_resp = np.where(small, rng.integers(1, 5, size=R), n_resp)
    headcount = np.maximum(head0[rid_unit] + rng.integers(-2, 3, size=R), n_resp)
    headcount = np.maximum(headcount, np.ceil(n_resp / 0.95)).astype(np.int64)

    # ---------------------------------------------------------------- outcomes
    n_out = len(OUTCOME_ORDER)
    eps = np.empty((P + 1, U, n_out))
    eps[0] = rng.standard_normal((U, n_out))
    bo = float(outcome_stability)
    for t in range(1, P + 1):
        eps[t] = bo * eps[t - 1] + np.sqrt(1 - bo**2) * rng.standard_normal((U, n_out))
    beta = rho_c[ucomp] / kappa  # (U, n_out)
    latent = beta[None] * g[:, :, None] + np.sqrt(1 - beta[None] ** 2) * eps[1:]  # (P, U, n_out)
    p = latent.reshape(R, n_out)
    pcol = {o: p[:, i] for i, o in enumerate(OUTCOME_ORDER)}
    ind_r = industry[rcomp]
    b = base[rcomp]  # (R, 6) industry baselines per row
    cm = comp_mult[rcomp]

    scheduled_days = np.round(headcount * rng.uniform(215, 235, size=R)).astype(np.int64)
    absence_rate = b[:, 0] * np.exp(0.25 * cm[:, 0]) * np.exp(0.35 * pcol["absenteeism"])
    absence_mu = scheduled_days * absence_rate * rng.gamma(20.0, 1 / 20.0, size=R)
    days_absent = rng.poisson(absence_mu).astype(np.int64)
    to_prob = special.expit(special.logit(b[:, 1]) + 0.25 * cm[:, 1] + 0.5 * pcol["turnover"])
    leavers = rng.binomial(headcount, to_prob).astype(np.int64)
    hours_worked = np.round(headcount * rng.uniform(1500, 1900, size=R)).astype(np.int64)
    trir = b[:, 2] * np.exp(0.3 * cm[:, 2]) * np.exp(0.4 * pcol["safety_incidents"])
    incidents = rng.poisson(hours_worked / 200_000 * trir).astype(np.int64)

    is_hc = ind_r == "healthcare"
    is_mf = ind_r == "manufacturing"
    is_rt = ind_r == "retail"
    patient_days = np.round(rng.uniform(18, 32, size=R) * 365 * rng.uniform(0.75, 0.95, size=R))
    psi = rng.poisson(patient_days / 1000 * 6.0 * np.exp(0.3 * cm[:, 3]) * np.exp(0.4 * pcol["patient_safety_incidents"]))
    units_produced = np.round(headcount * np.exp(rng.normal(np.log(8000), 0.3, size=R)))
    defects = rng.poisson(
        units_produced / 1000 * 2.5 * np.exp(0.3 * cm[:, 4]) * np.exp(0.5 * pcol["quality_defects"])
    )
    sales = np.round(headcount * np.exp(rng.normal(np.log(180_000), 0.25, size=R)))
    loss = np.round(sales * 0.015 * np.exp(0.25 * cm[:, 5]) * np.exp(0.45 * pcol["shrinkage"]))
    productivity = np.round(b[:, 3] * np.exp(0.15 * cm[:, 6]) * np.exp(0.20 * pcol["productivity"]), 2)
    margin = np.round(b[:, 4] + 0.02 * cm[:, 7] + 0.04 * pcol["profitability"], 4)
    loyalty = np.round(
        100 * special.expit(special.logit(b[:, 5] / 100) + 0.2 * cm[:, 0] + 0.45 * pcol["customer_loyalty"]), 1
    )

    def only(mask: np.ndarray, values: np.ndarray) -> pd.arrays.IntegerArray:
        """Integer column present only where ``mask`` (industry-specific outcomes), <NA> elsewhere."""
        return pd.arrays.IntegerArray(np.where(mask, values, 0).astype(np.int64), ~mask)

    outcomes = pd.DataFrame(
        {
            "unit_id": unit_ids[rid_unit],
            "period": rid_period,
            "headcount": headcount,
            "scheduled_days": scheduled_days,
            "absenteeism": days_absent,
            "turnover": leavers,
            "hours_worked": hours_worked,
            "safety_incidents": incidents,
            "patient_days": only(is_hc, patient_days),
            "patient_safety_incidents": only(is_hc, psi),
            "units_produced": only(is_mf, units_produced),
            "quality_defects": only(is_mf, defects),
            "sales": only(is_rt, sales),
            "shrinkage": only(is_rt, loss),
            "productivity": productivity,
            "profitability": margin,
            "customer_loyalty": loyalty,
        }
    )

    # ---------------------------------------------------------------- respondents
    s = float(icc1) / latent_alpha  # between-unit share of eta so that ICC(1) of the latent mean = icc1
    N = int(n_resp.sum())
    resp_row = np.repeat(np.arange(R), n_resp)
    eta = np.sqrt(s) * z_r[resp_row] + np.sqrt(1 - s) * rng.standard_normal(N)
    cum = np.cumsum(_CATEGORY_SHARES)[:-1]
    thresholds = special.ndtri(cum)[None, :] - _ITEM_SHIFT[:, None]  # (12, 4)
    lam = float(item_loading)
    noise_sd = np.sqrt(1 - lam**2)
    answers: dict[str, pd.arrays.IntegerArray] = {}
    missing = rng.random((N, k)) < missing_rate
    for j, item in enumerate(ITEMS):  # loop over 12 items, each vectorised over respondents
        x = lam * eta + noise_sd * rng.standard_normal(N)
        cat = (1 + np.searchsorted(thresholds[j], x)).astype(np.int8)  # number of thresholds below x, plus 1
        answers[item] = pd.arrays.IntegerArray(cat, missing[:, j].copy())
    survey = pd.DataFrame(
        {
            "respondent_id": np.arange(1, N + 1, dtype=np.int64),
            "unit_id": _take(unit_ids, rid_unit[resp_row]),
            "company": _take(companies, rcomp[resp_row]),
            "period": rid_period[resp_row],
            "industry": _take(industry, rcomp[resp_row]),
            "region": _take(region, rcomp[resp_row]),
        }
    )
    survey = pd.concat([survey, pd.DataFrame(answers)], axis=1)

    # ---------------------------------------------------------------- truth
    # expected 1-5 item score given unit z: x | z ~ N(lam*sqrt(s)*z, 1 - lam^2*s)
    sd_x = np.sqrt(1 - lam**2 * s)
    mean_x = lam * np.sqrt(s) * z_r
    expected = 1 + special.ndtr((mean_x[:, None, None] - thresholds[None, :, :]) / sd_x).sum(axis=2).mean(axis=1)
    units_truth = pd.DataFrame(
        {
            "unit_id": unit_ids[rid_unit],
            "company": companies[rcomp],
            "period": rid_period,
            "industry": ind_r,
            "region": region[rcomp],
            "n_respondents": n_resp,
            "headcount": headcount,
            "engagement_z": z_r,
            "engagement_within": u_r,
            "engagement_expected": expected,
        }
    )
    applies_to = {"patient_safety_incidents": is_hc, "quality_defects": is_mf, "shrinkage": is_rt}
    for o in OUTCOME_ORDER:  # latent propensities (NaN where the outcome does not apply)
        units_truth[f"latent_{o}"] = np.where(applies_to.get(o, True), pcol[o], np.nan)
    # realised correlations, within company x period and pooled
    cp = rcomp * P + (rid_period - 1)
    ncp = C * P
    zc = _within_centre(z_r, cp, ncp)
    observed = {
        "absenteeism": days_absent / scheduled_days,
        "turnover": leavers / headcount,
        "safety_incidents": incidents / hours_worked * 200_000,
        "patient_safety_incidents": np.where(is_hc, psi / patient_days * 1000, np.nan),
        "quality_defects": np.where(is_mf, defects / np.where(units_produced > 0, units_produced, np.nan) * 1000, np.nan),
        "shrinkage": np.where(is_rt, loss / np.where(sales > 0, sales, np.nan), np.nan),
        "productivity": productivity,
        "profitability": margin,
        "customer_loyalty": loyalty,
    }
    rows = []
    for o in OUTCOME_ORDER:  # loop over nine outcomes
        lat = units_truth[f"latent_{o}"].to_numpy()
        obs = observed[o].astype(float)
        rows.append(
            {
                "outcome": o,
                "rho": rho_map[o],
                "realised_latent": _corr(zc, _within_centre(lat, cp, ncp)),
                "realised_observed": _corr(zc, _within_centre(obs, cp, ncp)),
                "realised_pooled_observed": _corr(z_r, obs),
                "n_rows": int((~np.isnan(obs)).sum()),
            }
        )
    realised = pd.DataFrame(rows)
    rho_company = pd.DataFrame({"company": companies, "industry": industry, "region": region, "n_units": n_units_c})
    for i, o in enumerate(OUTCOME_ORDER):
        has = np.ones(C, dtype=bool) if o not in _ONLY_IN else industry == _ONLY_IN[o]
        rho_company[o] = np.where(has, rho_c[:, i], np.nan)
    truth = SimulationTruth(
        params=params,
        rho=dict(rho_map),
        rho_company=rho_company,
        realised=realised,
        units=units_truth,
        thresholds=pd.DataFrame(thresholds, index=ITEMS, columns=["1|2", "2|3", "3|4", "4|5"]),
        unit_share=s,
        latent_alpha=latent_alpha,
    )
    return SimulatedStudy(survey=survey, outcomes=outcomes, truth=truth)
