"""Regression models linking unit engagement to each business outcome.

Quartile comparisons describe; regressions let an analyst control for unit size,
industry and company, use the right model for counts and proportions, and ask
whether engagement predicts *next* period's outcomes better than outcomes predict
next period's engagement (the design of Harter, Schmidt, Asplund, Killham &
Agrawal 2010).

Public functions
----------------
:func:`fit_outcome_models`
    One statsmodels model per outcome, family chosen from the outcome spec,
    engagement per 1 SD, company handled by clustering, fixed or random effects.
:func:`cross_lagged`
    Engagement(t) -> outcome(t+1) and outcome(t) -> engagement(t+1), side by side.
:func:`fit_model`
    A patsy formula on the study's unit table, for one's own specification.

Family rule (documented in every result's ``families`` table)
-------------------------------------------------------------
* count or rate, exposure column present: Poisson GLM, log link, offset log(exposure); switched to
  negative binomial (NB2, ML for the shape, as ``MASS::glm.nb``) when the Poisson Pearson chi2/df > 1.5;
* count, no exposure column: the same without offset;
* proportion, exposure column present: binomial GLM on (numerator, exposure - numerator), e.g. leavers
  out of headcount; quasi-binomial (SEs scaled by sqrt(Pearson chi2/df)) when chi2/df > 1.5;
* everything else (amount, score, margin, a rate or proportion without exposure, an amount over an
  exposure such as shrinkage): Gaussian (OLS) on the analysed value (``outcome / exposure * per``).

Absenteeism (days absent over scheduled days) is therefore a count model with a
log(scheduled days) offset, not a binomial one: days absent cluster within people,
so they are far more variable than a binomial with independent days allows, and
the negative binomial absorbs that.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._checks import check_choice, check_number
from ._progress import progress
from .errors import DataError, EmpathyStatsWarning, ParameterError, data_error
from .outcomes import OutcomeSpec, outcome_values, uses_exposure
from .results import Result, dropped_frame
from .study import Study, as_study

__all__ = ["fit_outcome_models", "OutcomeModels", "cross_lagged", "CrossLagged", "fit_model", "ModelFit",
           "FixedEffectsFit", "family_for"]

COMPANY_EFFECTS = ("cluster", "fixed", "random", None)
STANDARDIZE = ("within_company", "overall", None)
FAMILIES = ("gaussian", "poisson", "negative_binomial", "binomial")
#: Pearson chi2/df above which a Poisson model becomes negative binomial (and binomial quasi-binomial)
OVERDISPERSION = 1.5
MIN_ROWS = 10

REFERENCE = (
    "Harter, Schmidt, Asplund, Killham & Agrawal (2010) Perspectives on Psychological Science 5(4):378-389; "
    "Cameron & Trivedi (2013) Regression Analysis of Count Data; Cameron & Miller (2015) J. Human Resources "
    "50(2):317-372 (cluster-robust SEs)."
)
_EFFECT_WORDS = {
    "within_company": "each SD of engagement (within company)",
    "overall": "each SD of engagement",
    None: "each point of engagement",
}


# ----------------------------------------------------------------------------------------------
# family choice and data preparation
# ----------------------------------------------------------------------------------------------
def family_for(spec: OutcomeSpec, data: pd.DataFrame) -> str:
    """The *candidate* family of an outcome before the overdispersion check.

    Returns ``"count"`` (Poisson, possibly negative binomial), ``"binomial"`` or
    ``"gaussian"`` following the table in the module docstring.
    """
    exposed = uses_exposure(data, spec)
    if spec.kind == "count" or (spec.kind == "rate" and exposed):
        return "count"
    if spec.kind == "proportion" and exposed:
        return "binomial"
    return "gaussian"


def _zscore(x: pd.Series, groups: pd.Series | None) -> pd.Series:
    """(x - mean) / SD (ddof=1), within ``groups`` when given."""
    if groups is None:
        sd = x.std(ddof=1)
        return (x - x.mean()) / (sd if sd > 0 else np.nan)
    g = x.groupby(groups, sort=False)
    sd = g.transform("std")
    return (x - g.transform("mean")) / sd.where(sd > 0)


def _design_controls(frame: pd.DataFrame, controls: Sequence[str]) -> pd.DataFrame:
    """Numeric controls enter linearly; text/categorical controls as dummies (first level dropped)."""
    parts = []
    for c in controls:
        col = frame[c]
        if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
            parts.append(col.astype(float).rename(c))
        else:
            d = pd.get_dummies(col.astype("category"), prefix=c, prefix_sep="=", drop_first=True, dtype=float)
            parts.append(d)
    return pd.concat(parts, axis=1) if parts else pd.DataFrame(index=frame.index)


def _dummies(col: pd.Series, prefix: str) -> pd.DataFrame:
    return pd.get_dummies(col.astype(str), prefix=prefix, prefix_sep="=", drop_first=True, dtype=float)


def _check_counts(num: pd.Series, expo: pd.Series | None, spec: OutcomeSpec, binomial: bool) -> None:
    bad = num < 0
    if bad.any():
        raise data_error(
            f"outcome {spec.name!r} is modelled as a count and cannot be negative",
            source="study data",
            column=spec.name,
            rows=list(zip((bad[bad].index + 2).tolist(), num[bad].tolist(), strict=True)),
            fix="correct the negative values, or declare the outcome as kind='amount' in its OutcomeSpec.",
        )
    if binomial and expo is not None:
        over = num > expo
        if over.any():
            raise data_error(
                f"{spec.name!r} exceeds its exposure {spec.exposure!r} (more leavers than heads)",
                source="study data",
                column=spec.name,
                rows=list(zip((over[over].index + 2).tolist(), num[over].tolist(), strict=True)),
                fix=f"check the {spec.exposure!r} column (average headcount over the period), or pass specs="
                f"{{{spec.name!r}: {{'exposure': None}}}} and give {spec.name!r} as a proportion.",
            )


class _Frame:
    """The estimation sample of one outcome: response, design matrix, offset, groups, and what was dropped."""

    def __init__(self) -> None:
        self.y: np.ndarray
        self.X: pd.DataFrame
        self.offset: np.ndarray | None = None
        self.trials: np.ndarray | None = None
        self.groups: np.ndarray
        self.units: np.ndarray
        self.value: np.ndarray  # analysed value (for binned plots)
        self.drops: list[tuple[str, int, str]] = []
        self.report_terms: list[str] = []
        self.notes: list[str] = []
        self.absorb = False  # company fixed effects absorbed (see _fit_absorbed)
        self.eta_extra: np.ndarray | float = 0.0  # absorbed company intercepts, per row


def _prepare(
    study: Study,
    spec: OutcomeSpec,
    kind: str,
    *,
    controls: Sequence[str],
    company_effects: str | None,
    standardize: str | None,
    lag: int,
) -> _Frame:
    """Build the estimation sample for one outcome, counting every dropped row."""
    d = study.data
    u, c, p, e = study.unit, study.company, study.period, study.engagement
    exposed = uses_exposure(d, spec)
    need = [spec.name] + ([spec.exposure] if exposed else [])
    fr = _Frame()
    base = d[[u, c, p, e, *need, *[k for k in controls if k not in (u, c, p, e, *need)]]].copy()
    base["_value"] = outcome_values(d, spec).to_numpy()
    lag_term = f"{spec.name} (t)"
    if lag:
        periods = sorted(base[p].unique().tolist())
        index = {v: i for i, v in enumerate(periods)}
        base["_t"] = base[p].map(index).astype(int)
        nxt = base[[u, "_t", *need, "_value"]].copy()
        nxt["_t"] -= 1
        nxt = nxt.rename(columns={k: f"{k}__next" for k in [*need, "_value"]})
        if len(periods) < 2:
            raise data_error(
                "lag=1 needs at least two periods; the study has one",
                source="study data",
                column=p,
                fix="pass data with a period column holding two or more survey waves, or use lag=0.",
            )
        merged = base.merge(nxt, on=[u, "_t"], how="left", validate="one_to_one", indicator=True)
        merged = merged.loc[merged["_t"] < len(periods) - 1]  # the last period has no t+1
        has_row = (merged["_merge"] == "both").to_numpy()
        unmatched = int((~has_row).sum())
        if unmatched:
            fr.drops.append(
                (f"{spec.name}: unit-periods with no row for the same unit in the next period", unmatched,
                 "cannot be paired t -> t+1")
            )
        merged = merged.loc[has_row]
        # outcome at t is the control; outcome at t+1 is the response
        frame = merged.rename(columns={"_value": "_lagvalue"})
        for k in need:
            frame[f"{k}__t"] = frame[k]
            frame[k] = frame[f"{k}__next"]
        frame["_value"] = frame["_value__next"]
        period_col = frame[p]
    else:
        frame = base
        period_col = frame[p]
    cols_needed = ["_value", e, *controls] + (["_lagvalue"] if lag else [])
    miss = frame[cols_needed].isna().any(axis=1) | frame[need].isna().any(axis=1)
    if exposed:
        miss |= ~(frame[spec.exposure] > 0)
    if miss.any():
        what = ", ".join([spec.name, *([spec.exposure] if exposed else []), *controls])
        fr.drops.append((f"{spec.name}: rows with a missing or zero value", int(miss.sum()), f"in {what}"))
    frame = frame.loc[~miss]
    period_col = period_col.loc[frame.index]

    # standardise engagement (and the lagged outcome) on the estimation sample
    grp = frame[c] if standardize == "within_company" else None
    if standardize is None:
        z = frame[e].astype(float)
    else:
        z = _zscore(frame[e].astype(float), grp)
    if lag:
        zl = _zscore(frame["_lagvalue"].astype(float), grp)
    bad = z.isna() | (zl.isna() if lag else False)
    if bad.any():
        fr.drops.append(
            (f"{spec.name}: rows in companies with fewer than 2 units or no variation", int(bad.sum()),
             "cannot standardise within company")
        )
        frame, z, period_col = frame.loc[~bad], z.loc[~bad], period_col.loc[~bad]
        if lag:
            zl = zl.loc[~bad]
    n = len(frame)
    X = pd.DataFrame({"const": 1.0, "engagement": z.to_numpy()}, index=frame.index)
    report = ["engagement"]
    if lag:
        X[lag_term] = zl.to_numpy()
        report.append(lag_term)
    if controls:
        ctl = _design_controls(frame, controls)
        X = pd.concat([X, ctl], axis=1)
        report.extend(ctl.columns)
    if period_col.nunique() > 1:
        X = pd.concat([X, _dummies(period_col, "period")], axis=1)
        fr.notes.append(f"Period fixed effects included ({period_col.nunique()} periods).")
    # drop constant (all-zero) dummy columns that can appear after filtering
    const_cols = [k for k in X.columns if k != "const" and X[k].nunique() <= 1]
    if const_cols:
        X = X.drop(columns=const_cols)
        report = [t for t in report if t not in const_cols]
    n_comp = frame[c].nunique()
    fr.absorb = company_effects == "fixed" and n_comp > 1
    if fr.absorb:  # company intercepts are absorbed (within-company IRLS), not dummy columns
        X = X.drop(columns="const")
    n_par = X.shape[1] + (n_comp if fr.absorb else 0)
    if n < max(MIN_ROWS, n_par + 2):
        raise data_error(
            f"only {n} usable unit rows for outcome {spec.name!r}; a model with {n_par} parameters needs "
            f"at least {max(MIN_ROWS, n_par + 2)}",
            source="study data",
            column=spec.name,
            fix="add units (or periods), drop controls, or leave this outcome out with outcomes=[...].",
        )
    num = frame[spec.name].astype(float)
    if kind == "count":
        _check_counts(num, None, spec, False)
        fr.y = num.to_numpy()
        if exposed:
            fr.offset = np.log(frame[spec.exposure].astype(float).to_numpy())
    elif kind == "binomial":
        expo = frame[spec.exposure].astype(float)
        _check_counts(num, expo, spec, True)
        fr.y = num.to_numpy()
        fr.trials = expo.to_numpy()
    else:
        fr.y = frame["_value"].astype(float).to_numpy()
    fr.X = X
    fr.groups = pd.factorize(frame[c])[0]
    fr.units = frame[u].to_numpy()
    fr.value = frame["_value"].astype(float).to_numpy()
    fr.report_terms = report
    fr.exposed = exposed  # type: ignore[attr-defined]
    fr.company_names = frame[c].to_numpy()  # type: ignore[attr-defined]
    return fr


# ----------------------------------------------------------------------------------------------
# fitting
# ----------------------------------------------------------------------------------------------
def _cov_args(company_effects: str | None, groups: np.ndarray) -> tuple[dict[str, Any], str]:
    n_groups = len(np.unique(groups))
    if company_effects == "cluster":
        if n_groups >= 2:
            return {"cov_type": "cluster", "cov_kwds": {"groups": groups}}, "cluster-robust SEs by company"
        return {"cov_type": "HC1"}, "heteroskedasticity-robust (HC1) SEs (one company: cannot cluster)"
    if company_effects == "fixed":
        return {"cov_type": "nonrobust"}, "company fixed effects, model-based SEs"
    return {"cov_type": "nonrobust"}, "model-based SEs"


def _check_converged(res: Any, what: str) -> Any:
    """Warn (never silently) when statsmodels stopped at its iteration limit."""
    if getattr(res, "converged", True) is False:
        warnings.warn(f"The {what} model did not converge within its iteration limit; treat its estimates with care.",
                      EmpathyStatsWarning, stacklevel=3)
    return res


def _fit_count(fr: _Frame, cov: dict[str, Any], force: str | None = None) -> tuple[Any, str, str, float]:
    import statsmodels.api as sm

    X = fr.X.to_numpy(dtype=float)
    pois = sm.GLM(fr.y, X, family=sm.families.Poisson(), offset=fr.offset)
    res_p = _check_converged(pois.fit(tol=1e-10, rtol=1e-11, maxiter=100), "Poisson")
    df = max(len(fr.y) - X.shape[1], 1)
    disp = float(np.sum(res_p.resid_pearson**2) / df)
    use_nb = disp > OVERDISPERSION if force is None else force == "negative_binomial"
    if not use_nb:
        reason = f"Poisson: Pearson chi2/df = {disp:.2f} <= {OVERDISPERSION}" if force is None else "Poisson (as asked)"
        res = pois.fit(tol=1e-10, rtol=1e-11, maxiter=100, **cov) if cov["cov_type"] != "nonrobust" else res_p
        return res, "poisson", reason, disp
    reason = (f"negative binomial: Poisson Pearson chi2/df = {disp:.2f} > {OVERDISPERSION}" if force is None
              else "negative binomial (as asked)")
    res = _fit_nb(fr.y, X, fr.offset, res_p.params, cov)
    return res, "negative binomial", reason, disp


def _theta_ml(y: np.ndarray, mu: np.ndarray, theta0: float) -> float:
    """Maximum-likelihood NB2 shape theta (= 1/alpha) given the means ``mu`` (Newton on log theta)."""
    from scipy.special import digamma, polygamma

    lt = np.log(max(theta0, 1e-8))
    uy, ny = np.unique(y, return_counts=True)  # counts take few distinct values: (poly)gamma on those only
    n = len(y)
    for _ in range(100):
        t = np.exp(lt)
        tm = t + mu
        score = (ny @ digamma(uy + t) - n * digamma(t) + n * (np.log(t) + 1)
                 - np.sum(np.log(tm) + (y + t) / tm))
        hess = ny @ polygamma(1, uy + t) - n * polygamma(1, t) + n / t - np.sum(2 / tm - (y + t) / tm**2)
        g, h = score * t, hess * t * t + score * t  # derivatives with respect to log theta
        step = -g / h if h < 0 else np.sign(g) * 0.5
        step = float(np.clip(step, -2.0, 2.0))
        lt += step
        if abs(step) < 1e-12:
            break
    return float(np.exp(lt))


def _fit_nb(y: np.ndarray, X: np.ndarray, offset: np.ndarray | None, start: np.ndarray, cov: dict[str, Any]) -> Any:
    """NB2 by maximum likelihood, the way ``MASS::glm.nb`` does it (Venables & Ripley 2002, 7.4).

    Alternate (i) the ML shape theta given the fitted means (Newton on log theta) and (ii) the GLM
    fit of the coefficients given theta (IRLS), until theta and the coefficients stop changing: the
    joint maximum-likelihood estimate. Standard errors come from the final GLM with theta held at its
    estimate, as ``glm.nb`` reports them (so ``sandwich::vcovCL`` on a glm.nb fit is the same sandwich).
    The returned statsmodels GLM results carry ``nb_alpha`` (= 1/theta).
    """
    import statsmodels.api as sm

    beta = np.asarray(start, dtype=float)
    off = 0.0 if offset is None else offset
    theta = 1.0
    converged = False
    for _ in range(100):  # outer iterations of the alternating fit (typically < 10)
        mu = np.exp(X @ beta + off)
        theta_new = _theta_ml(y, mu, theta)
        model = sm.GLM(y, X, family=sm.families.NegativeBinomial(alpha=1 / theta_new), offset=offset)
        res = _check_converged(model.fit(start_params=beta, tol=1e-10, rtol=1e-11, maxiter=100), "negative binomial")
        delta = max(abs(theta_new - theta) / theta, float(np.max(np.abs(res.params - beta))))
        beta, theta = np.asarray(res.params, dtype=float), theta_new
        if delta < 1e-10:
            converged = True
            break
    if not (converged and np.all(np.isfinite(beta))):
        raise DataError(
            "the negative binomial model did not converge. Fix: check the outcome for extreme values, or "
            "force a Poisson model with families={outcome: 'poisson'}."
        )
    if cov["cov_type"] != "nonrobust":
        res = model.fit(start_params=beta, tol=1e-10, rtol=1e-11, maxiter=100, **cov)
    res.nb_alpha = 1 / theta
    return res


def _fit_binomial(fr: _Frame, cov: dict[str, Any]) -> tuple[Any, str, str, float]:
    import statsmodels.api as sm

    X = fr.X.to_numpy(dtype=float)
    endog = np.column_stack([fr.y, fr.trials - fr.y])
    model = sm.GLM(endog, X, family=sm.families.Binomial())
    res = _check_converged(model.fit(tol=1e-10, rtol=1e-11, maxiter=100), "binomial")
    df = max(len(fr.y) - X.shape[1], 1)
    disp = float(np.sum(res.resid_pearson**2) / df)
    if disp > OVERDISPERSION:
        fam, reason = "quasi-binomial", f"binomial with SEs scaled: Pearson chi2/df = {disp:.2f} > {OVERDISPERSION}"
        # scale given as a number: statsmodels' scale="X2" ignores the trials of a two-column endog
        res = model.fit(tol=1e-10, rtol=1e-11, maxiter=100, scale=disp, **cov)
    else:
        fam, reason = "binomial", f"binomial: Pearson chi2/df = {disp:.2f} <= {OVERDISPERSION}"
        if cov["cov_type"] != "nonrobust":
            res = model.fit(tol=1e-10, rtol=1e-11, maxiter=100, **cov)
    return res, fam, reason + " (numerator out of exposure)", disp


def _fit_gaussian(fr: _Frame, cov: dict[str, Any], company_effects: str | None) -> tuple[Any, str, str, float]:
    import statsmodels.api as sm

    X = fr.X.to_numpy(dtype=float)
    if company_effects == "random":
        if len(np.unique(fr.groups)) < 2:
            raise data_error(
                "a random company intercept needs at least two companies",
                source="study data",
                fix="use company_effects='cluster' or None for a single company.",
            )
        model = sm.MixedLM(fr.y, X, groups=fr.groups)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = model.fit(reml=True, method=["lbfgs", "powell"])
        return res, "gaussian", "Gaussian linear mixed model, random company intercept (REML)", np.nan
    kw = dict(cov)
    if kw["cov_type"] == "cluster":
        kw["use_t"] = True  # t with G - 1 df (Cameron & Miller 2015)
    res = sm.OLS(fr.y, X).fit(**kw)
    return res, "gaussian", "Gaussian (OLS) on the analysed value", np.nan


class FixedEffectsFit:
    """A GLM with company intercepts absorbed, as returned in ``OutcomeModels.models`` for ``company_effects="fixed"``.

    Fitted by IRLS in which every weighted least-squares step removes the company means (weighted by the
    IRLS weights) from the working response and the regressors: by the Frisch-Waugh-Lovell theorem this
    gives exactly the coefficients and model-based covariance of the same GLM with one dummy per company
    (R: ``glm(y ~ x + factor(company))``; ``fixest::feglm``), without building an n x companies matrix.

    Attributes: ``params``, ``bse`` (pandas Series over ``names``), ``cov_params()``, ``conf_int(alpha)``,
    ``pvalues``, ``company_eta`` (the company intercepts), ``scale``, ``df_resid``, ``nb_alpha``, ``family``.
    """

    def __init__(self, params: np.ndarray, cov: np.ndarray, names: list[str], *, family: str, scale: float,
                 df_resid: int, use_t: bool, company_eta: np.ndarray, nobs: int) -> None:
        self.params = pd.Series(params, index=names)
        self._cov = cov
        self.bse = pd.Series(np.sqrt(np.diag(cov)), index=names)
        self.family, self.scale, self.df_resid, self.use_t = family, scale, df_resid, use_t
        self.company_eta, self.nobs = company_eta, nobs
        self.nb_alpha = np.nan

    def cov_params(self) -> np.ndarray:
        return self._cov

    def _dist(self) -> Any:
        return stats.t(self.df_resid) if self.use_t else stats.norm()

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        q = self._dist().ppf(1 - alpha / 2)
        p, b = self.params.to_numpy(), self.bse.to_numpy()
        return np.column_stack([p - q * b, p + q * b])

    @property
    def pvalues(self) -> pd.Series:
        return pd.Series(2 * self._dist().sf(np.abs(self.params / self.bse)), index=self.params.index)

    def summary(self) -> pd.DataFrame:
        ci = self.conf_int()
        return pd.DataFrame({"coef": self.params, "se": self.bse, "p_value": self.pvalues,
                             "ci_low": ci[:, 0], "ci_high": ci[:, 1]})

    def __repr__(self) -> str:
        return f"<FixedEffectsFit {self.family}: {len(self.company_eta)} companies absorbed, n={self.nobs}>"


def _irls_absorbed(y: np.ndarray, X: np.ndarray, g: np.ndarray, family: str, offset: np.ndarray | float,
                   trials: np.ndarray | None, alpha: float, eta: np.ndarray | None) -> tuple[np.ndarray, ...]:
    """IRLS with company intercepts swept out of every WLS step. Returns beta, a (per company), eta, w, Xt."""
    from scipy.special import expit, xlogy

    n_g = int(g.max()) + 1

    def gmean(v: np.ndarray, w: np.ndarray, sw: np.ndarray) -> np.ndarray:
        return np.divide(np.bincount(g, weights=w * v, minlength=n_g), sw, out=np.zeros(n_g), where=sw > 0)

    def working(eta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if family == "gaussian":
            return np.ones_like(y), y - offset, eta
        if family == "binomial":
            p = np.clip(expit(eta), 1e-12, 1 - 1e-12)
            v = trials * p * (1 - p)
            return v, eta + (y - trials * p) / v, trials * p
        mu = np.exp(eta)
        w = mu / (1 + alpha * mu)
        return w, eta - offset + (y - mu) / mu, mu

    def deviance(mu: np.ndarray) -> float:
        if family == "gaussian":
            return float(np.sum((y - mu) ** 2))
        if family == "binomial":
            return float(2 * np.sum(xlogy(y, y / mu) + xlogy(trials - y, (trials - y) / (trials - mu))))
        if alpha == 0:
            return float(2 * np.sum(xlogy(y, y / mu) - (y - mu)))
        th = 1 / alpha
        return float(2 * np.sum(xlogy(y, y / mu) - (y + th) * np.log((y + th) / (mu + th))))

    if eta is None:
        if family == "binomial":
            eta = np.log((y + 0.5) / (trials - y + 0.5))
        elif family == "gaussian":
            eta = np.zeros_like(y)
        else:
            eta = np.log(y + 0.1)
    dev_old = np.inf
    for _ in range(200):  # IRLS iterations
        w, z, _mu = working(eta)
        sw = np.bincount(g, weights=w, minlength=n_g)
        Xbar = np.column_stack([gmean(X[:, j], w, sw) for j in range(X.shape[1])])
        Xt = X - Xbar[g]
        zbar = gmean(z, w, sw)
        rw = np.sqrt(w)
        beta = np.linalg.lstsq(Xt * rw[:, None], (z - zbar[g]) * rw, rcond=None)[0]
        a = zbar - Xbar @ beta
        eta = X @ beta + a[g] + offset
        dev = deviance(working(eta)[2])
        if family == "gaussian" or abs(dev - dev_old) / (abs(dev) + 0.1) < 1e-13:
            break
        dev_old = dev
    w, _z, mu = working(eta)
    sw = np.bincount(g, weights=w, minlength=n_g)
    Xt = X - np.column_stack([gmean(X[:, j], w, sw) for j in range(X.shape[1])])[g]
    return beta, a, eta, w, Xt, mu


def _fit_absorbed(fr: _Frame, kind: str, force: str | None) -> tuple[FixedEffectsFit, str, str, float]:
    """Company fixed effects for every family (see :class:`FixedEffectsFit`)."""
    y, X, g = fr.y, fr.X.to_numpy(dtype=float), fr.groups
    n, k = X.shape
    n_g = int(g.max()) + 1
    df = max(n - k - n_g, 1)
    off = fr.offset if fr.offset is not None else 0.0
    names = list(fr.X.columns)
    fam_irls = {"count": "poisson", "binomial": "binomial"}.get(kind, "gaussian")
    beta, a, eta, w, Xt, mu = _irls_absorbed(y, X, g, fam_irls, off, fr.trials, 0.0, None)
    disp, scale, alpha = np.nan, 1.0, np.nan
    if kind == "gaussian":
        scale = float(np.sum((y - mu) ** 2) / df)
        family, reason = "gaussian", "Gaussian (OLS) on the analysed value, company intercepts absorbed"
    elif kind == "binomial":
        disp = float(np.sum((y - mu) ** 2 / w) / df)
        if disp > OVERDISPERSION:
            family, scale = "quasi-binomial", disp
            reason = f"binomial with SEs scaled: Pearson chi2/df = {disp:.2f} > {OVERDISPERSION}"
        else:
            family, reason = "binomial", f"binomial: Pearson chi2/df = {disp:.2f} <= {OVERDISPERSION}"
        reason += " (numerator out of exposure)"
    else:
        disp = float(np.sum((y - mu) ** 2 / mu) / df)
        use_nb = disp > OVERDISPERSION if force is None else force == "negative_binomial"
        if not use_nb:
            family = "poisson"
            reason = f"Poisson: Pearson chi2/df = {disp:.2f} <= {OVERDISPERSION}" if force is None else "Poisson (as asked)"
        else:
            family = "negative binomial"
            reason = (f"negative binomial: Poisson Pearson chi2/df = {disp:.2f} > {OVERDISPERSION}" if force is None
                      else "negative binomial (as asked)")
            theta = 1.0
            for _ in range(100):  # alternate ML theta and IRLS, as MASS::glm.nb
                theta_new = _theta_ml(y, mu, theta)
                beta_old = beta
                beta, a, eta, w, Xt, mu = _irls_absorbed(y, X, g, "nb", off, None, 1 / theta_new, eta)
                done = abs(theta_new - theta) / theta < 1e-10 and np.max(np.abs(beta - beta_old)) < 1e-10
                theta = theta_new
                if done:
                    break
            alpha = 1 / theta
    cov = np.linalg.inv((Xt * w[:, None]).T @ Xt) * scale
    res = FixedEffectsFit(beta, cov, names, family=family, scale=scale, df_resid=df, use_t=kind == "gaussian",
                          company_eta=a, nobs=n)
    res.nb_alpha = alpha
    return res, family, reason, disp


def _coef_table(res: Any, names: list[str], terms: list[str], ci_level: float) -> pd.DataFrame:
    k = len(names)
    params = np.asarray(res.params, dtype=float)[:k]
    bse = np.asarray(res.bse, dtype=float)[:k]
    ci = np.asarray(res.conf_int(alpha=1 - ci_level), dtype=float)[:k]
    pv = np.asarray(res.pvalues, dtype=float)[:k]
    idx = [names.index(t) for t in terms]
    return pd.DataFrame(
        {
            "term": terms,
            "estimate": params[idx],
            "se": bse[idx],
            "ci_low": ci[idx, 0],
            "ci_high": ci[idx, 1],
            "ci_level": ci_level,
            "p_value": pv[idx],
        }
    )


def _fmt(x: float) -> str:
    if not np.isfinite(x):
        return "n/a"
    a = abs(x)
    if a >= 100:
        return f"{x:,.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def _pct(x: float) -> str:
    return f"{x:.1f}%" if x < 10 else f"{x:.0f}%"


def _effect_label(spec: OutcomeSpec, family: str, estimate: float, standardize: str | None) -> tuple[float, str]:
    lead = _EFFECT_WORDS[standardize]
    if family in ("poisson", "negative binomial"):
        rr = float(np.exp(estimate))
        pct = abs(rr - 1) * 100
        noun = spec.label if spec.kind == "count" else f"{spec.label}"
        if spec.kind == "count":
            word = "fewer" if rr < 1 else "more"
        else:
            word = "lower" if rr < 1 else "higher"
        return rr, f"{lead} goes with {_pct(pct)} {word} {noun} (rate ratio {rr:.2f})"
    if family in ("binomial", "quasi-binomial"):
        odds = float(np.exp(estimate))
        pct = abs(odds - 1) * 100
        word = "lower" if odds < 1 else "higher"
        return odds, f"{lead} goes with {_pct(pct)} {word} odds of {spec.label} (odds ratio {odds:.2f})"
    word = "higher" if estimate >= 0 else "lower"
    unit = f" ({spec.unit_label})" if spec.unit_label else ""
    return float(estimate), f"{lead} goes with {_fmt(abs(estimate))} {word} {spec.label}{unit}"


def _inverse_link(family: str, eta: np.ndarray) -> np.ndarray:
    if family in ("poisson", "negative binomial"):
        return np.exp(eta)
    if family in ("binomial", "quasi-binomial"):
        return 1.0 / (1.0 + np.exp(-eta))
    return eta


def _dmu(family: str, mu: np.ndarray) -> np.ndarray:
    """d mu / d eta."""
    if family in ("poisson", "negative binomial"):
        return mu
    if family in ("binomial", "quasi-binomial"):
        return mu * (1 - mu)
    return np.ones_like(mu)


def _prediction_scale(spec: OutcomeSpec, family: str, exposed: bool) -> tuple[float, float]:
    """(log-offset used for predictions, multiplier) so predictions read in the outcome's analysed units."""
    if family in ("poisson", "negative binomial"):
        return (np.log(spec.per) if exposed else 0.0), 1.0
    return 0.0, 1.0


def _contrast(
    fr: _Frame, res: Any, spec: OutcomeSpec, family: str, ci_level: float
) -> dict[str, Any]:
    """Predicted outcome at the mean engagement (z) of the top and bottom quartiles (average predictions)."""
    X = fr.X.to_numpy(dtype=float)
    k = X.shape[1]
    beta = np.asarray(res.params, dtype=float)[:k]
    cov = np.asarray(res.cov_params(), dtype=float)[:k, :k]
    z = fr.X["engagement"].to_numpy()
    q1, q3 = np.quantile(z, [0.25, 0.75])
    z_top, z_bot = float(z[z >= q3].mean()), float(z[z <= q1].mean())
    off, _ = _prediction_scale(spec, family, fr.exposed)  # type: ignore[attr-defined]
    j = list(fr.X.columns).index("engagement")
    preds, grads = [], []
    for zz in (z_top, z_bot):
        Xs = X.copy()
        Xs[:, j] = zz
        mu = _inverse_link(family, Xs @ beta + fr.eta_extra + off)
        preds.append(float(mu.mean()))
        grads.append((_dmu(family, mu)[:, None] * Xs).mean(axis=0))
    top, bot = preds
    zc = stats.norm.ppf(0.5 + ci_level / 2)
    diff = top - bot
    g_diff = grads[0] - grads[1]
    se_diff = float(np.sqrt(g_diff @ cov @ g_diff))
    if top > 0 and bot > 0:
        g_log = grads[0] / top - grads[1] / bot
        se_log = float(np.sqrt(g_log @ cov @ g_log))
        lr = np.log(top / bot)
        ratio_ci = np.exp([lr - zc * se_log, lr + zc * se_log])
    else:
        ratio_ci = np.array([np.nan, np.nan])
    pct = (top / bot - 1) * 100 if bot != 0 else np.nan
    pct_lo, pct_hi = (ratio_ci - 1) * 100
    better = spec.sign * pct
    return {
        "outcome": spec.name,
        "family": family,
        "z_top": z_top,
        "z_bottom": z_bot,
        "predicted_top": top,
        "predicted_bottom": bot,
        "difference": diff,
        "difference_ci_low": diff - zc * se_diff,
        "difference_ci_high": diff + zc * se_diff,
        "pct_difference": pct,
        "pct_ci_low": pct_lo,
        "pct_ci_high": pct_hi,
        "ci_level": ci_level,
        "pct_better": better,
        "label": (f"{_pct(abs(pct))} {'higher' if pct >= 0 else 'lower'}" if np.isfinite(pct) else ""),
        "unit_label": spec.unit_label if family not in ("poisson", "negative binomial") or fr.exposed  # type: ignore[attr-defined]
        else "per unit",
    }


def _binned(fr: _Frame, res: Any, spec: OutcomeSpec, family: str, bins: int = 20) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Binned means of the analysed value by engagement, and the fitted average-prediction curve."""
    z = fr.X["engagement"].to_numpy()
    nb = int(min(bins, max(2, len(z) // 5)))
    edges = np.unique(np.quantile(z, np.linspace(0, 1, nb + 1)))
    b = np.clip(np.searchsorted(edges, z, side="right") - 1, 0, len(edges) - 2)
    if family in ("poisson", "negative binomial") and fr.offset is not None:
        expo = np.exp(fr.offset)
        num = np.bincount(b, weights=fr.y)
        den = np.bincount(b, weights=expo)
        val = num / den * spec.per
    elif family in ("binomial", "quasi-binomial"):
        val = np.bincount(b, weights=fr.y) / np.bincount(b, weights=fr.trials)
        if spec.per != 1:
            val = val * spec.per
    else:
        val = np.bincount(b, weights=fr.value) / np.bincount(b)
    counts = np.bincount(b)
    binned = pd.DataFrame({"engagement": np.bincount(b, weights=z) / counts, "value": val, "n_units": counts})
    binned = binned.loc[binned["n_units"] > 0].reset_index(drop=True)
    X = fr.X.to_numpy(dtype=float)
    k = X.shape[1]
    beta = np.asarray(res.params, dtype=float)[:k]
    j = list(fr.X.columns).index("engagement")
    eta_rest = X @ beta - beta[j] * X[:, j] + fr.eta_extra
    grid = np.linspace(np.quantile(z, 0.01), np.quantile(z, 0.99), 40)
    off, _ = _prediction_scale(spec, family, fr.exposed)  # type: ignore[attr-defined]
    if len(eta_rest) > 20_000:  # average predictions on a fixed, evenly spaced subsample keep memory small
        eta_rest = eta_rest[:: len(eta_rest) // 20_000]
    mu = _inverse_link(family, eta_rest[None, :] + beta[j] * grid[:, None] + off).mean(axis=1)
    if family in ("binomial", "quasi-binomial") and spec.per != 1:
        mu = mu * spec.per
    return binned, pd.DataFrame({"engagement": grid, "fitted": mu})


# ----------------------------------------------------------------------------------------------
# results
# ----------------------------------------------------------------------------------------------
class OutcomeModels(Result):
    """One regression per outcome: engagement effects, families, quartile contrasts.

    Attributes
    ----------
    table : DataFrame
        ``outcome, term, family, estimate, se, ci_low, ci_high, ci_level, p_value, n_units, n_companies,
        n_rows, effect, effect_ci_low, effect_ci_high, effect_label``. ``estimate`` is on the model's linear
        predictor scale (log rate for counts, log odds for binomial, outcome units for Gaussian); ``effect``
        is its reading (rate ratio, odds ratio, or the estimate itself).
    contrasts : DataFrame
        Model-based top-vs-bottom quartile contrast per outcome: ``outcome, family, z_top, z_bottom,
        predicted_top, predicted_bottom, difference, difference_ci_low, difference_ci_high, pct_difference,
        pct_ci_low, pct_ci_high, ci_level, pct_better, label, unit_label``.
    families : DataFrame
        ``outcome, family, reason, dispersion, nb_alpha, standard_errors, n_rows`` - which model was used and
        why (``dispersion``: Pearson chi2/df of the Poisson or binomial fit; ``nb_alpha``: the negative
        binomial's alpha = 1/theta).
    models : dict
        ``outcome -> statsmodels results`` (:class:`FixedEffectsFit` when ``company_effects="fixed"``).

    Examples
    --------
    >>> import empathystats as es
    >>> demo = es.load_demo("retail")
    >>> models = es.fit_outcome_models(es.Study.from_survey(demo.survey, demo.outcomes))
    >>> models.table.set_index("outcome").loc["safety_incidents", "family"]  # a count, with hours as exposure
    'poisson'

    References
    ----------
    Cameron, A. C., & Trivedi, P. K. (2013). *Regression Analysis of Count Data* (2nd ed.). Cameron, A. C., &
    Miller, D. L. (2015). A practitioner's guide to cluster-robust inference. *Journal of Human Resources*,
    50(2), 317-372.
    """

    def __init__(self, table: pd.DataFrame, *, contrasts: pd.DataFrame, families: pd.DataFrame,
                 models: dict[str, Any], curves: dict[str, tuple[pd.DataFrame, pd.DataFrame]],
                 specs: dict[str, OutcomeSpec], **kwargs: Any) -> None:
        super().__init__(table, **kwargs)
        self.contrasts = contrasts
        self.families = families
        self.models = models
        self.curves = curves
        self.specs = specs

    def text(self) -> str:
        """One sentence per outcome, built from the engagement rows of the table."""
        rows = self.table.loc[self.table["term"] == "engagement"]
        out = []
        for r in rows.itertuples(index=False):
            lvl = f"{r.ci_level:.0%}"
            if r.family in ("gaussian",):
                ci = f"{lvl} CI {_fmt(r.ci_low)} to {_fmt(r.ci_high)}"
            else:
                ci = f"{lvl} CI {r.effect_ci_low:.2f}-{r.effect_ci_high:.2f}"
            lab = r.effect_label[0].upper() + r.effect_label[1:]
            out.append(f"{lab} ({ci}; {r.family}, {r.n_units:,} units in {r.n_companies:,} companies).")
        return " ".join(out)

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Forest plot of the engagement effect per outcome (ratio scale for count/binomial models)."""
        from .plotting import BETTER, GREY, NEUTRAL, WORSE, finish, get_ax

        rows = self.table.loc[self.table["term"] == "engagement"].reset_index(drop=True)
        ax = get_ax(ax, figsize=(7.0, 0.45 * len(rows) + 1.5))
        ratio = rows["family"].ne("gaussian").to_numpy()
        # common scale: percent change per SD for ratio models; for Gaussian, percent of the outcome mean is
        # not defined here, so Gaussian effects are shown as standardized (estimate / SD of outcome)
        y = np.arange(len(rows))[::-1]
        for i, r in rows.iterrows():
            if ratio[i]:
                est, lo, hi = ((np.array([r.effect, r.effect_ci_low, r.effect_ci_high]) - 1) * 100)
            else:
                sd = self.curves[r.outcome][2]
                est, lo, hi = np.array([r.estimate, r.ci_low, r.ci_high]) / sd * 100
            spec = self.specs.get(r.outcome)
            good = spec is not None and np.sign(est) == spec.sign
            col = BETTER if good and (lo > 0 or hi < 0) else (WORSE if (lo > 0 or hi < 0) else GREY)
            ax.errorbar(est, y[i], xerr=[[est - lo], [hi - est]], fmt="o", color=col, ecolor=col, capsize=3)
        ax.axvline(0, color=NEUTRAL, lw=0.8, ls="--")
        labels = [f"{self.specs[o].label if o in self.specs else o} ({'% change' if rt else '% of its SD'})"
                  for o, rt in zip(rows["outcome"], ratio, strict=True)]
        ax.set_yticks(y, labels)
        return finish(ax, title=kwargs.get("title", "Engagement effect per outcome"),
                      xlabel="% change per SD of engagement (counts, odds); % of outcome SD (Gaussian)")

    def plot_fit(self, outcome: str, ax: Any = None, **kwargs: Any) -> Any:
        """Binned scatter of ``outcome`` against standardized engagement with the fitted curve.

        Points: mean outcome in 20 equal-count bins of engagement (ratio of sums for counts and
        proportions). Line: the model's average prediction as engagement varies, other terms as observed.
        """
        from .plotting import GREY, NEUTRAL, finish, get_ax

        if outcome not in self.curves:
            raise ParameterError(
                f"The 'outcome' parameter of OutcomeModels.plot_fit must be one of {', '.join(self.curves)}; "
                f"got {outcome!r} instead."
            )
        binned, curve = self.curves[outcome][:2]
        ax = get_ax(ax)
        ax.scatter(binned["engagement"], binned["value"], s=18 + 40 * binned["n_units"] / binned["n_units"].max(),
                   color=GREY, label="binned means")
        ax.plot(curve["engagement"], curve["fitted"], color=NEUTRAL, lw=2, label="model")
        spec = self.specs[outcome]
        xl = {"within_company": "engagement (SD within company)", "overall": "engagement (SD)"}.get(
            self.params.get("standardize"), "engagement")
        ax.legend(frameon=False)
        return finish(ax, title=kwargs.get("title", f"{spec.label} by engagement"), xlabel=xl,
                      ylabel=f"{spec.label} ({spec.unit_label})" if spec.unit_label else spec.label)


def _engagement_sd_note(standardize: str | None) -> str:
    return {
        "within_company": "Engagement standardised within company: (engagement - company mean) / company SD "
        "(n-1), on each model's estimation sample; effects are per 1 within-company SD.",
        "overall": "Engagement standardised overall: (engagement - mean) / SD (n-1) across the estimation sample.",
        None: "Engagement in its own units (per scale point).",
    }[standardize]


# ----------------------------------------------------------------------------------------------
# public functions
# ----------------------------------------------------------------------------------------------
def fit_outcome_models(
    study: Study | pd.DataFrame,
    *,
    outcomes: Sequence[str] | None = None,
    controls: Sequence[str] = (),
    company_effects: str | None = "cluster",
    standardize: str | None = "within_company",
    lag: int = 0,
    ci_level: float = 0.95,
    families: Mapping[str, str] | None = None,
    specs: Mapping[str, Any] | None = None,
) -> OutcomeModels:
    """Fit one regression of each outcome on engagement (per 1 SD), with the right family per outcome.

    For outcome *y* of unit *i* in company *c*, with engagement standardized
    :math:`z_i = (e_i - \\bar e_c) / s_c` (``standardize="within_company"``):

    * Gaussian: :math:`y_i = \\alpha + \\beta z_i + \\gamma' x_i + \\varepsilon_i`;
    * counts: :math:`\\log E[y_i] = \\log(\\text{exposure}_i) + \\alpha + \\beta z_i + \\gamma' x_i`,
      Poisson, or negative binomial NB2 (:math:`Var = \\mu + \\alpha\\mu^2`) when the Poisson Pearson
      :math:`\\chi^2/df > 1.5` (Cameron & Trivedi 2013); :math:`e^\\beta` is the rate ratio per SD;
    * turnover (leavers out of headcount): binomial logit, :math:`e^\\beta` the odds ratio per SD;
      quasi-binomial SEs when :math:`\\chi^2/df > 1.5`.

    The family rule is in the module docstring and each result's ``families`` table.

    Parameters
    ----------
    study : Study or DataFrame
        A :class:`~empathystats.Study`, or a unit-level DataFrame with ``unit_id``, ``engagement``,
        outcome (and exposure) columns, optionally ``company`` and ``period``.
    outcomes : list of str, optional
        Outcomes to model (default: every outcome in the study; an outcome with no usable row at
        all, e.g. shrinkage when no retail company is in the study, is then skipped and counted in
        ``dropped``). An outcome named here that has too few rows is a DataError.
    controls : list of str
        Column names of control variables; numeric ones enter linearly, text ones as dummies.
    company_effects : {"cluster", "fixed", "random", None}
        ``"cluster"``: cluster-robust SEs by company (statsmodels' correction
        :math:`G/(G-1)\\cdot(N-1)/(N-K)`, the same as ``sandwich::vcovCL(type="HC1")``; Gaussian
        models use t with G-1 df, GLMs the normal; for the negative binomial, whose log link is not canonical,
        statsmodels' bread is the observed Hessian, R's ``bread.glm`` the expected information, a difference
        of about 1% in the SE); ``"fixed"``: company fixed effects, model-based SEs (the company intercepts
        are absorbed by within-company IRLS, equivalent to one dummy per company; ``.models`` then holds
        :class:`FixedEffectsFit` objects);
        ``"random"``: a random company intercept (``statsmodels.MixedLM``, REML, Gaussian outcomes only; with
        ``outcomes=None`` the non-Gaussian outcomes are skipped and noted); ``None``: model-based SEs.
    standardize : {"within_company", "overall", None}
        How engagement is scaled (see the note in the result's footer).
    lag : {0, 1}
        ``1``: engagement in period t predicts the outcome in period t+1, controlling the outcome in t
        (standardized like engagement). Units are paired across consecutive periods; unpaired rows are counted.
    ci_level : float
        Confidence level of the intervals.
    families : mapping, optional
        Force a family per outcome: ``{"safety_incidents": "poisson"}`` (``poisson``,
        ``negative_binomial``; count outcomes only).
    specs : mapping of str to OutcomeSpec, optional
        Outcome specs when ``study`` is a DataFrame (e.g. a custom outcome such as SHMI:
        ``{"shmi": es.OutcomeSpec("shmi", better="lower", kind="score")}``); ignored for a Study.

    Returns
    -------
    OutcomeModels
        ``.table`` (one row per outcome and reported term: engagement, the lagged outcome, controls),
        ``.contrasts``, ``.families``, ``.models``; ``plot()`` and ``plot_fit(outcome)``.

    Raises
    ------
    ParameterError
        Unknown outcome, company_effects, standardize, lag or family; ``"random"`` for a count or binomial outcome.
    DataError
        Too few usable units (fewer than 10, or not more than the parameters), negative counts, leavers above
        headcount.

    Examples
    --------
    >>> import empathystats as es
    >>> sim = es.simulate_study(n_companies=20, seed=1)                      # doctest: +SKIP
    >>> models = es.fit_outcome_models(es.Study.from_survey(sim.survey, sim.outcomes))  # doctest: +SKIP
    >>> models.table[["outcome", "family", "effect_label"]]                 # doctest: +SKIP

    References
    ----------
    Harter, J. K., Schmidt, F. L., Asplund, J. W., Killham, E. A., & Agrawal, S. (2010). Causal impact of
    employee work perceptions on the bottom line of organizations. *Perspectives on Psychological Science*,
    5(4), 378-389. Cameron, A. C., & Trivedi, P. K. (2013). *Regression Analysis of Count Data* (2nd ed.).
    Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference. *J. Human
    Resources*, 50(2), 317-372.
    """
    func = "fit_outcome_models"
    st = as_study(study, func=func, specs=specs)
    check_choice(company_effects, COMPANY_EFFECTS, name="company_effects", func=func)
    check_choice(standardize, STANDARDIZE, name="standardize", func=func)
    check_choice(lag, (0, 1), name="lag", func=func)
    check_number(ci_level, name="ci_level", func=func, low=0, high=1, low_open=True, high_open=True)
    if isinstance(controls, str):
        controls = (controls,)
    controls = tuple(controls)
    missing = [k for k in controls if k not in st.data.columns]
    if missing:
        raise ParameterError(
            f"The 'controls' parameter of {func} must name columns of the study data; {missing} are not among "
            f"{', '.join(map(str, st.data.columns))}."
        )
    if outcomes is None:
        names = list(st.specs)
        explicit = False
    else:
        names = [outcomes] if isinstance(outcomes, str) else list(outcomes)
        explicit = True
        for o in names:
            if o not in st.specs:
                raise ParameterError(
                    f"The 'outcomes' parameter of {func} must list outcomes of the study "
                    f"({', '.join(st.specs) or 'none'}); got {o!r} instead."
                )
    if not names:
        raise data_error(
            "the study has no outcome columns to model",
            source="study data",
            fix="link outcomes (Study(units, outcomes)) or declare them with specs={...}.",
        )
    empty: list[str] = []
    if not explicit:  # outcomes the study declares but holds no value for are skipped (and counted)
        empty = [o for o in names if not _has_usable_rows(st.data, st.specs[o])]
        names = [o for o in names if o not in empty]
        if not names:
            raise data_error(
                "no outcome of the study has a usable value",
                source="study data",
                column=", ".join(empty),
                fix="check that the outcome columns hold numbers (and their exposure columns positive values).",
            )
    forced = dict(families or {})
    for o, f in forced.items():
        check_choice(f, ("poisson", "negative_binomial"), name="families", func=func)
        if o not in names or family_for(st.specs[o], st.data) != "count":
            raise ParameterError(
                f"The 'families' parameter of {func} can only force poisson/negative_binomial for count "
                f"outcomes being modelled; got {o!r}: {f!r}."
            )
    notes: list[str] = []
    kinds = {o: family_for(st.specs[o], st.data) for o in names}
    if company_effects == "random":
        non_gauss = [o for o in names if kinds[o] != "gaussian"]
        if non_gauss and explicit:
            raise ParameterError(
                f"The 'company_effects' parameter of {func} can be 'random' only for Gaussian outcomes; "
                f"{non_gauss} are count/binomial outcomes. Fix: use company_effects='cluster' or 'fixed' for them."
            )
        if non_gauss:
            notes.append(f"Random company intercepts fit Gaussian outcomes only; not modelled: {', '.join(non_gauss)}.")
            names = [o for o in names if kinds[o] == "gaussian"]
        if not names:
            raise ParameterError(
                f"The 'company_effects' parameter of {func} is 'random' but the study has no Gaussian outcome."
            )

    tables, contrasts, fams, models, curves = [], [], [], {}, {}
    drops: list[tuple[str, int, str]] = []
    if empty:
        drops.append(("outcomes with no usable rows", len(empty), f"not modelled: {', '.join(empty)}"))
    few: list[str] = []
    for name in progress(names, desc="regressions"):  # one model per outcome (a handful)
        spec = st.specs[name]
        kind = kinds[name]
        fr = _prepare(st, spec, kind, controls=controls, company_effects=company_effects,
                      standardize=standardize, lag=lag)
        drops.extend(fr.drops)
        notes.extend(n for n in fr.notes if n not in notes)
        cov, se_note = _cov_args(company_effects, fr.groups)
        if fr.absorb:
            res, family, reason, disp = _fit_absorbed(fr, kind, forced.get(name))
            fr.eta_extra = res.company_eta[fr.groups]
        elif kind == "count":
            res, family, reason, disp = _fit_count(fr, cov, forced.get(name))
        elif kind == "binomial":
            res, family, reason, disp = _fit_binomial(fr, cov)
        else:
            res, family, reason, disp = _fit_gaussian(fr, cov, company_effects)
        if company_effects == "random":
            se_note = "random company intercept (REML), model-based SEs"
        names_x = list(fr.X.columns)
        t = _coef_table(res, names_x, fr.report_terms, ci_level)
        n_units, n_comp = int(len(pd.unique(fr.units))), int(len(np.unique(fr.groups)))
        t.insert(0, "outcome", name)
        t.insert(2, "family", family)
        t["n_units"] = n_units
        t["n_companies"] = n_comp
        t["n_rows"] = len(fr.y)
        ratio = family != "gaussian"
        t["effect"] = np.exp(t["estimate"]) if ratio else t["estimate"]
        t["effect_ci_low"] = np.exp(t["ci_low"]) if ratio else t["ci_low"]
        t["effect_ci_high"] = np.exp(t["ci_high"]) if ratio else t["ci_high"]
        t["effect_label"] = ""
        eng = t["term"] == "engagement"
        t.loc[eng, "effect_label"] = _effect_label(spec, family, float(t.loc[eng, "estimate"].iloc[0]), standardize)[1]
        tables.append(t)
        fams.append({"outcome": name, "family": family, "reason": reason, "dispersion": disp,
                     "nb_alpha": float(getattr(res, "nb_alpha", np.nan)),
                     "standard_errors": se_note, "n_rows": len(fr.y)})
        models[name] = res
        contrasts.append(_contrast(fr, res, spec, family, ci_level))
        binned, curve = _binned(fr, res, spec, family)
        curves[name] = (binned, curve, float(np.std(fr.value, ddof=1)))
        if company_effects == "cluster" and 2 <= n_comp < 20:
            few.append(f"{name} ({n_comp})")
    table = pd.concat(tables, ignore_index=True)
    notes.insert(0, _engagement_sd_note(standardize))
    if few:
        notes.append(f"Fewer than 20 companies for {', '.join(few)}: cluster-robust SEs can be too small with few "
                     "clusters (Cameron & Miller 2015).")
    if lag:
        notes.append("lag=1: engagement in period t predicts the outcome in t+1, controlling the outcome in t. "
                     "Association over time, not proof of cause (Harter et al. 2010).")
    title = f"Outcome models: engagement and {len(names)} outcome(s)" + (" (lagged, t -> t+1)" if lag else "")
    return OutcomeModels(
        table,
        contrasts=pd.DataFrame(contrasts),
        families=pd.DataFrame(fams),
        models=models,
        curves=curves,
        specs={n: st.specs[n] for n in names},
        title=title,
        params={"company_effects": company_effects, "standardize": standardize, "lag": lag,
                "controls": list(controls), "ci_level": ci_level},
        dropped=_merge_drops(st, drops),
        reference=REFERENCE,
        notes=notes,
    )


def _has_usable_rows(d: pd.DataFrame, spec: OutcomeSpec) -> bool:
    """Whether any row holds a finite value of the outcome (with a positive exposure when it has one)."""
    ok = np.isfinite(pd.to_numeric(outcome_values(d, spec), errors="coerce").to_numpy(dtype=float))
    if uses_exposure(d, spec):
        ok &= pd.to_numeric(d[spec.exposure], errors="coerce").to_numpy(dtype=float) > 0
    return bool(ok.any())


def _merge_drops(st: Study, drops: list[tuple[str, int, str]]) -> pd.DataFrame:
    return pd.concat([st.dropped, dropped_frame(drops)], ignore_index=True)


class _Shifted:
    """Results of a within-transformed OLS, indexed as if the absorbed constant were column 0."""

    def __init__(self, res: Any) -> None:
        self.res = res
        self.params = np.r_[np.nan, np.asarray(res.params)]
        self.bse = np.r_[np.nan, np.asarray(res.bse)]
        self.pvalues = np.r_[np.nan, np.asarray(res.pvalues)]

    def conf_int(self, alpha: float = 0.05) -> np.ndarray:
        return np.vstack([[np.nan, np.nan], np.asarray(self.res.conf_int(alpha=alpha))])

    def __getattr__(self, name: str) -> Any:
        return getattr(self.res, name)


class CrossLagged(Result):
    """Both cross-lagged paths for one outcome, standardized, side by side.

    ``table`` columns: ``path, outcome, term, estimate, se, ci_low, ci_high, ci_level, p_value,
    stability, n_units, n_companies, n_pairs``. ``estimate`` is the standardized cross-lagged
    coefficient; ``stability`` the autoregressive coefficient of the response on its own past.

    Attributes
    ----------
    table : DataFrame
        Two rows, one per path (engagement -> later outcome, outcome -> later engagement).
    models : dict
        ``path -> statsmodels results`` of the two regressions.

    Examples
    --------
    >>> import empathystats as es
    >>> demo = es.load_demo("retail")
    >>> paths = es.cross_lagged(es.Study.from_survey(demo.survey, demo.outcomes), "turnover")
    >>> len(paths.table)
    2

    References
    ----------
    Harter, J. K., Schmidt, F. L., Asplund, J. W., Killham, E. A., & Agrawal, S. (2010). Causal impact of
    employee work perceptions on the bottom line of organizations. *Perspectives on Psychological Science*,
    5(4), 378-389. Hamaker, E. L., Kuiper, R. M., & Grasman, R. P. P. P. (2015). A critique of the
    cross-lagged panel model. *Psychological Methods*, 20(1), 102-116.
    """

    def __init__(self, table: pd.DataFrame, *, models: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(table, **kwargs)
        self.models = models

    def text(self) -> str:
        a = self.table.iloc[0]
        b = self.table.iloc[1]
        lvl = f"{a.ci_level:.0%}"

        def say(r: Any) -> str:
            return f"{r.path}: {r.estimate:+.3f} SD per SD ({lvl} CI {r.ci_low:+.3f} to {r.ci_high:+.3f})"

        strong, weak = (a, b) if abs(a.estimate) >= abs(b.estimate) else (b, a)
        overlap = not (strong.ci_low > weak.ci_high or strong.ci_high < weak.ci_low)
        verdict = (f"The {strong.path} path is the stronger of the two"
                   + (", though the intervals overlap." if overlap else ", and the intervals do not overlap."))
        return (f"{say(a)}; {say(b)}. {verdict} Caveat: a cross-lagged regression shows which variable "
                "predicts the other's later change, not that it causes it; stable unit differences, "
                "unmeasured common causes, unequal reliability of the two measures and the time lag chosen can "
                "all tilt the comparison (Harter et al. 2010; Hamaker, Kuiper & Grasman 2015).")

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """Both paths as point estimates with CIs."""
        from .plotting import GREY, NEUTRAL, finish, get_ax

        ax = get_ax(ax, figsize=(6.0, 2.5))
        t = self.table
        y = np.arange(len(t))[::-1]
        ax.errorbar(t["estimate"], y, xerr=[t["estimate"] - t["ci_low"], t["ci_high"] - t["estimate"]], fmt="o",
                    color=NEUTRAL, capsize=3)
        ax.axvline(0, color=GREY, lw=0.8, ls="--")
        ax.set_yticks(y, t["path"])
        return finish(ax, title=kwargs.get("title", "Cross-lagged paths"), xlabel="standardized coefficient")


def cross_lagged(
    study: Study | pd.DataFrame,
    outcome: str,
    *,
    controls: Sequence[str] = (),
    company_effects: str | None = "cluster",
    standardize: str = "within_company",
    ci_level: float = 0.95,
    specs: Mapping[str, Any] | None = None,
) -> CrossLagged:
    """Cross-lagged panel regressions: does engagement predict later outcomes, or the reverse?

    With all variables standardized (within company by default) on the paired sample of unit-periods
    (t, t+1):

    * engagement -> outcome: :math:`y_{t+1} = a_1 y_t + c_1 e_t + \\varepsilon`,
    * outcome -> engagement: :math:`e_{t+1} = a_2 e_t + c_2 y_t + \\varepsilon`,

    both fitted by OLS. :math:`c_1` and :math:`c_2` (the cross-lagged coefficients) are compared; the
    stability coefficients :math:`a_1, a_2` are reported alongside. The outcome is its analysed value
    (``outcome / exposure * per``), so counts enter as rates; this is the linear, standardized design of
    Harter et al. (2010), not the count model of :func:`fit_outcome_models`.

    Parameters
    ----------
    study : Study or DataFrame
        Must hold two or more periods.
    outcome : str
        The outcome.
    controls : list of str
        Extra numeric or categorical controls in both equations.
    company_effects : {"cluster", "fixed", None}
        Cluster-robust SEs by company, company dummies, or model-based SEs.
    standardize : {"within_company", "overall"}
        z-scores within company (company mean and SD) or across all paired rows.
    ci_level : float
        Confidence level.
    specs : mapping of str to OutcomeSpec, optional
        Outcome specs when ``study`` is a DataFrame (e.g. a custom outcome such as SHMI:
        ``{"shmi": es.OutcomeSpec("shmi", better="lower", kind="score")}``); ignored for a Study.

    Returns
    -------
    CrossLagged
        ``.table`` with the two paths; ``text()`` says which is stronger, with the caveat; ``.models``.

    Examples
    --------
    >>> cl = es.cross_lagged(study, "turnover")          # doctest: +SKIP
    >>> print(cl.text())                                 # doctest: +SKIP

    References
    ----------
    Harter et al. (2010), Perspectives on Psychological Science 5(4):378-389. Hamaker, Kuiper & Grasman
    (2015), A critique of the cross-lagged panel model, Psychological Methods 20(1):102-116.
    """
    import statsmodels.api as sm

    func = "cross_lagged"
    st = as_study(study, func=func, specs=specs)
    check_choice(company_effects, ("cluster", "fixed", None), name="company_effects", func=func)
    check_choice(standardize, ("within_company", "overall"), name="standardize", func=func)
    check_number(ci_level, name="ci_level", func=func, low=0, high=1, low_open=True, high_open=True)
    if outcome not in st.specs:
        raise ParameterError(
            f"The 'outcome' parameter of {func} must be one of the study's outcomes ({', '.join(st.specs) or 'none'}); "
            f"got {outcome!r} instead."
        )
    controls = (controls,) if isinstance(controls, str) else tuple(controls)
    missing = [k for k in controls if k not in st.data.columns]
    if missing:
        raise ParameterError(f"The 'controls' parameter of {func} must name columns of the study data; got {missing}.")
    spec = st.specs[outcome]
    d = st.data
    u, c, p, e = st.unit, st.company, st.period, st.engagement
    periods = sorted(d[p].unique().tolist())
    if len(periods) < 2:
        raise data_error("cross-lagged models need at least two periods; the study has one", source="study data",
                         column=p, fix="pass data with two or more survey waves in the period column.")
    base = d[[u, c, p, e, *[k for k in controls if k not in (u, c, p, e)]]].copy()
    base["_y"] = outcome_values(d, spec).to_numpy()
    base["_t"] = base[p].map({v: i for i, v in enumerate(periods)}).astype(int)
    nxt = base[[u, "_t", e, "_y"]].rename(columns={e: "_e_next", "_y": "_y_next"})
    nxt["_t"] -= 1
    m = base.merge(nxt, on=[u, "_t"], how="left", indicator=True)
    m = m.loc[m["_t"] < len(periods) - 1]
    drops: list[tuple[str, int, str]] = []
    unpaired = int((m["_merge"] != "both").sum())
    if unpaired:
        drops.append(("unit-periods with no row for the same unit in the next period", unpaired,
                      "cannot be paired t -> t+1"))
    m = m.loc[m["_merge"] == "both"]
    cols = ["_y", "_y_next", e, "_e_next", *controls]
    miss = m[cols].isna().any(axis=1)
    if miss.any():
        drops.append((f"pairs with a missing {outcome}, engagement or control value", int(miss.sum()), ""))
    m = m.loc[~miss]
    grp = m[c] if standardize == "within_company" else None
    zs = pd.DataFrame({k: _zscore(m[k].astype(float), grp) for k in ["_y", "_y_next", e, "_e_next"]})
    bad = zs.isna().any(axis=1)
    if bad.any():
        drops.append(("pairs in companies with fewer than 2 pairs or no variation", int(bad.sum()),
                      "cannot standardise within company"))
    m, zs = m.loc[~bad], zs.loc[~bad]
    if len(m) < MIN_ROWS:
        raise data_error(f"only {len(m)} usable t -> t+1 pairs for {outcome!r}; need at least {MIN_ROWS}",
                         source="study data", column=outcome, fix="add units or periods.")
    extra = _design_controls(m, controls) if controls else pd.DataFrame(index=m.index)
    groups = pd.factorize(m[c])[0]
    cov, se_note = _cov_args(company_effects, groups)
    notes = [f"All four variables standardized {'within company' if grp is not None else 'overall'} on the "
             f"paired sample; {se_note}."]
    if m["_t"].nunique() > 1:
        extra = pd.concat([extra, _dummies(m[p], "period")], axis=1)
        notes.append(f"Period fixed effects included in both equations ({m['_t'].nunique()} starting periods t).")
    absorb = company_effects == "fixed" and m[c].nunique() > 1
    if cov["cov_type"] == "cluster":
        cov["use_t"] = True
    rows, models = [], {}
    level = 1 - ci_level
    for path, resp, auto, cross in (
        (f"engagement -> {outcome}", "_y_next", "_y", e),
        (f"{outcome} -> engagement", "_e_next", e, "_y"),
    ):
        X = pd.concat([pd.DataFrame({"const": 1.0, "cross": zs[cross], "auto": zs[auto]}, index=m.index), extra], axis=1)
        Xv, yv = X.to_numpy(dtype=float), zs[resp].to_numpy()
        if absorb:
            # company fixed effects by the within transformation (Frisch-Waugh-Lovell): the same slopes and
            # SEs as one dummy per company, with the residual df reduced by the absorbed company means
            Xv, yv = Xv[:, 1:], yv
            cnt = np.bincount(groups)
            Xv = Xv - np.column_stack([np.bincount(groups, weights=Xv[:, j]) / cnt for j in range(Xv.shape[1])])[groups]
            yv = yv - (np.bincount(groups, weights=yv) / cnt)[groups]
            Xv = np.column_stack([np.zeros(len(yv)), Xv])  # keep column positions (const absorbed)
            model = sm.OLS(yv, Xv[:, 1:])
            model.df_resid = float(len(yv) - Xv.shape[1] + 1 - len(cnt))
            fit = model.fit(**cov)
            res = _Shifted(fit)
        else:
            res = sm.OLS(yv, Xv).fit(**cov)
        ci = np.asarray(res.conf_int(alpha=level))
        rows.append({"path": path, "outcome": outcome, "term": "engagement (t)" if cross == e else f"{outcome} (t)",
                     "estimate": float(res.params[1]), "se": float(res.bse[1]), "ci_low": float(ci[1, 0]),
                     "ci_high": float(ci[1, 1]), "ci_level": ci_level, "p_value": float(res.pvalues[1]),
                     "stability": float(res.params[2]), "n_units": int(m[u].nunique()),
                     "n_companies": int(m[c].nunique()), "n_pairs": len(m)})
        models[path] = res
    return CrossLagged(
        pd.DataFrame(rows),
        models=models,
        title=f"Cross-lagged paths: engagement and {spec.label}",
        params={"outcome": outcome, "company_effects": company_effects, "standardize": standardize,
                "controls": list(controls), "ci_level": ci_level},
        dropped=_merge_drops(st, drops),
        reference="Harter et al. (2010) Perspectives on Psychological Science 5(4):378-389; Hamaker, Kuiper & "
        "Grasman (2015) Psychological Methods 20(1):102-116.",
        notes=notes,
    )


class ModelFit(Result):
    """A single user-specified model (from :func:`fit_model`).

    Attributes
    ----------
    table : DataFrame
        Every coefficient: ``term, estimate, se, ci_low, ci_high, ci_level, p_value`` plus
        ``n_units``/``n_companies``.
    model : statsmodels results
        The fitted model, for anything the table does not show.

    Examples
    --------
    >>> import empathystats as es
    >>> demo = es.load_demo("retail")
    >>> study = es.Study.from_survey(demo.survey, demo.outcomes)
    >>> fit = es.fit_model(study, "productivity ~ engagement_z")
    >>> "engagement_z" in set(fit.table["term"])
    True

    References
    ----------
    Seabold, S., & Perktold, J. (2010). statsmodels: Econometric and statistical modeling with Python.
    *Proceedings of the 9th Python in Science Conference*.
    """

    def __init__(self, table: pd.DataFrame, *, model: Any, **kwargs: Any) -> None:
        super().__init__(table, **kwargs)
        self.model = model


def fit_model(
    study: Study | pd.DataFrame,
    formula: str,
    *,
    family: str = "gaussian",
    company_effects: str | None = "cluster",
    offset: str | None = None,
    weights: str | None = None,
    standardize: str | None = "within_company",
    ci_level: float = 0.95,
    specs: Mapping[str, Any] | None = None,
) -> ModelFit:
    """Fit your own specification: a patsy formula on the study's unit table.

    The data are ``study.data`` plus ``engagement_z`` (engagement standardized as ``standardize`` says)
    and, for every outcome, ``<outcome>_value`` (its analysed value, ``outcome / exposure * per``).
    Rows with a missing value in any variable of the formula (or the offset/weights) are dropped *and
    counted* in ``.dropped``.

    Parameters
    ----------
    study : Study or DataFrame
    formula : str
        e.g. ``"absenteeism ~ engagement_z + np.log(headcount) + C(industry)"``.
    family : {"gaussian", "poisson", "negative_binomial", "binomial"}
        ``binomial`` takes a 0-1 response (a proportion, with ``weights`` as the number of trials).
    company_effects : {"cluster", "fixed", None}
        Cluster-robust SEs by company, ``+ C(company)`` added to the formula, or model-based SEs.
    offset : str, optional
        Exposure column; its log enters as offset (count families).
    weights : str, optional
        Column of trials (binomial) or analytic weights (gaussian), as statsmodels ``var_weights``.
    standardize : {"within_company", "overall", None}
        How ``engagement_z`` is built.
    ci_level : float
    specs : mapping of str to OutcomeSpec, optional
        Outcome specs (for ``<outcome>_value`` columns) when ``study`` is a DataFrame (e.g. a custom outcome such as SHMI:
        ``{"shmi": es.OutcomeSpec("shmi", better="lower", kind="score")}``); ignored for a Study.

    Returns
    -------
    ModelFit
        ``.table`` (every term but the company dummies), ``.model``.

    Examples
    --------
    >>> fit = es.fit_model(study, "productivity ~ engagement_z + C(region)")   # doctest: +SKIP

    References
    ----------
    Wilkinson, G. N., & Rogers, C. E. (1973). Symbolic description of factorial models for analysis of
    variance. *Applied Statistics*, 22(3), 392-399 (the formula notation, as implemented by patsy).
    Cameron, A. C., & Miller, D. L. (2015). A practitioner's guide to cluster-robust inference. *J. Human
    Resources*, 50(2), 317-372.
    """
    import patsy
    import statsmodels.api as sm
    func = "fit_model"
    st = as_study(study, func=func, specs=specs)
    check_choice(family, FAMILIES, name="family", func=func)
    check_choice(company_effects, ("cluster", "fixed", None), name="company_effects", func=func)
    check_choice(standardize, STANDARDIZE, name="standardize", func=func)
    check_number(ci_level, name="ci_level", func=func, low=0, high=1, low_open=True, high_open=True)
    if not isinstance(formula, str) or "~" not in formula:
        raise ParameterError(f"The 'formula' parameter of {func} must be a patsy formula 'y ~ x + ...'; "
                             f"got {formula!r} instead.")
    for name, col in (("offset", offset), ("weights", weights)):
        if col is not None and col not in st.data.columns:
            raise ParameterError(f"The {name!r} parameter of {func} must name a column of the study data; "
                                 f"got {col!r} instead.")
    d = st.data.copy()
    c = st.company
    e = d[st.engagement].astype(float)
    d["engagement_z"] = e if standardize is None else _zscore(e, d[c] if standardize == "within_company" else None)
    for o, spec in st.specs.items():
        if f"{o}_value" not in d.columns:
            d[f"{o}_value"] = outcome_values(st.data, spec).to_numpy()
    f = formula + (f" + C({c})" if company_effects == "fixed" else "")
    try:
        y, X = patsy.dmatrices(f, d, NA_action=patsy.NAAction(NA_types=["None", "NaN"]), return_type="dataframe")
    except patsy.PatsyError as exc:
        raise ParameterError(f"The 'formula' parameter of {func} could not be read: {exc}. Columns available: "
                             f"{', '.join(map(str, d.columns))}.") from None
    keep = y.index
    extra = [k for k in (offset, weights) if k is not None]
    if extra:
        ok = d.loc[keep, extra].notna().all(axis=1) & (d.loc[keep, extra] > 0).all(axis=1)
        keep = keep[ok.to_numpy()]
        y, X = y.loc[keep], X.loc[keep]
    n_drop = len(d) - len(keep)
    drops = [("rows with a missing value in the formula's variables", n_drop, formula)] if n_drop else []
    if len(keep) < max(MIN_ROWS, X.shape[1] + 2):
        raise data_error(f"only {len(keep)} usable rows for {formula!r}", source="study data",
                         fix="add units or simplify the formula.")
    if y.shape[1] != 1:
        raise ParameterError(f"The 'formula' parameter of {func} must have one response; got {list(y.columns)}.")
    groups = pd.factorize(d.loc[keep, c])[0]
    cov, se_note = _cov_args(company_effects, groups)
    off = np.log(d.loc[keep, offset].astype(float).to_numpy()) if offset else None
    w = d.loc[keep, weights].astype(float).to_numpy() if weights else None
    yv, Xv = y.iloc[:, 0].to_numpy(dtype=float), X.to_numpy(dtype=float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if family == "negative_binomial":
            start = sm.GLM(yv, Xv, family=sm.families.Poisson(), offset=off).fit().params
            res = _fit_nb(yv, Xv, off, start, cov)
        else:
            fam = {"gaussian": sm.families.Gaussian(), "poisson": sm.families.Poisson(),
                   "binomial": sm.families.Binomial()}[family]
            res = sm.GLM(yv, Xv, family=fam, offset=off, var_weights=w).fit(**cov)
    names = list(X.columns)
    terms = [t for t in names if not t.startswith(f"C({c})")]
    table = _coef_table(res, names, terms, ci_level)
    table["n_units"] = int(d.loc[keep, st.unit].nunique())
    table["n_companies"] = int(d.loc[keep, c].nunique())
    return ModelFit(table, model=res, title=f"{family} model: {formula}",
                    params={"family": family, "company_effects": company_effects, "offset": offset,
                            "weights": weights, "standardize": standardize, "ci_level": ci_level},
                    dropped=_merge_drops(st, drops), reference=REFERENCE, notes=[se_note])
