"""empathystats: engagement-outcome studies, the way Q12-style meta-analyses do them.

Load employee-survey and business-outcome data, link them per business unit, and
show with checkable numbers how engaged units differ from disengaged ones.

>>> import empathystats as es
>>> demo = es.load_demo("multi")
>>> study = es.Study.from_survey(demo.survey, demo.outcomes)
>>> table = es.compare_quartiles(study).table

Importing is fast: each stage's module (and pandas, scipy, statsmodels) loads
only when one of its names is first used.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it (DESIGN.md, "The public face")
_EXPORTS: dict[str, str] = {
    # errors
    "EmpathyStatsError": "errors",
    "DataError": "errors",
    "ParameterError": "errors",
    "MissingDependencyError": "errors",
    "EmpathyStatsWarning": "errors",
    # data model
    "OutcomeSpec": "outcomes",
    "default_specs": "outcomes",
    "STANDARD_OUTCOMES": "outcomes",
    "Result": "results",
    "Study": "study",
    # io, data
    "read_survey": "io",
    "read_outcomes": "io",
    "read_units": "io",
    "simulate_study": "simulate",
    "SimulatedStudy": "simulate",
    "load_demo": "datasets",
    # scoring and psychometrics
    "score_units": "scoring",
    "UnitScores": "scoring",
    "cronbach_alpha": "psychometrics",
    "icc": "psychometrics",
    "rwg": "psychometrics",
    "icc_from_units": "psychometrics",
    "Categories": "scoring",
    # analyses
    "compare_quartiles": "quartiles",
    "QuartileComparison": "quartiles",
    "plot_quartile_profile": "quartiles",
    "quartile_difference": "utility",
    "impact": "utility",
    "fit_outcome_models": "regression",
    "OutcomeModels": "regression",
    "cross_lagged": "regression",
    "fit_model": "regression",
    "hunter_schmidt": "meta",
    "random_effects": "meta",
    "meta_analysis": "meta",
    "meta_analysis_all": "meta",
    "meta_regression": "meta",
    "subgroup_analysis": "meta",
    # reports
    "report": "reporting",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'empathystats' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
