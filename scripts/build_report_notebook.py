"""Write the client report notebook: the package template and notebooks/05 (same cells).

    python scripts/build_report_notebook.py            # writes empathystats/templates/report.ipynb
                                                       # and notebooks/05_client_impact_report.ipynb (no outputs)
    jupyter nbconvert --to notebook --execute --inplace notebooks/05_client_impact_report.ipynb

The template is the source the report runs (``empathystats.report``); notebooks/05 is the
same notebook executed on the demo data, for reading. ``tests/test_report.py`` checks
that their cells are identical.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "empathystats" / "templates" / "report.ipynb"
NOTEBOOK = ROOT / "notebooks" / "05_client_impact_report.ipynb"


def code(src: str, *tags: str):
    cell = new_code_cell(src.strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def md(src: str, *tags: str):
    cell = new_markdown_cell(src.strip("\n"))
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


CELLS = [
    md(
        """
<!-- empathystats client impact report: run by `empathystats report` / `es.report(...)` with papermill. -->
**How this notebook works (analyst's note, hidden in the HTML).** `empathystats report` runs this notebook
with papermill, replacing the parameters cell below, and exports it without code to `report.html`.
Opened by hand, it reports on the bundled demo data and writes no file. Every sentence in the report is
generated from the result objects' numbers (`text()`); nothing is retyped. To rerun an executed
`report.ipynb`, point the parameters at your files (data passed from Python as DataFrames lived in a
temporary directory and is never copied next to the report: it may hold respondent-level rows).
Cells tagged `remove_cell` are hidden from the HTML; the helpers are in `empathystats.reporting`.
""",
        "remove_cell",
    ),
    code(
        '''
# Parameters (papermill replaces this cell; see empathystats.reporting.report)
demo = "retail"          # bundled demo data ("multi" or "retail"), used when no file is given
survey_path = ""        # respondent-level survey file (csv, xlsx, parquet, sav)
outcomes_path = ""      # unit x period outcome file
units_path = ""         # unit-level engagement file (instead of a survey)
study_path = ""         # a Study passed from Python
costs_path = ""         # cost per unit of each outcome (for the money impact)
title = ""              # report title (default from the data name)
min_respondents = 5     # confidentiality threshold
seed = 0                # seed of every random step
items = ""              # survey item columns, comma-separated; empty means Q01 to Q12
scale = ""              # answer scale as low,high; empty means 1,5
output_dir = ""         # where tables.xlsx and figures/ go ("" writes nothing)
formats = "html,xlsx,png,ipynb"
''',
        "parameters",
    ),
    code(
        """
import os
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown, display

import empathystats as es
from empathystats import reporting as rp

%matplotlib inline
%config InlineBackend.figure_formats = ["png"]
plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 100, "font.size": 11, "axes.titlesize": 12})
pd.set_option("display.max_columns", 30)
# warnings raised by the analyses are collected and listed in the appendix, not sprinkled through the report
_warning_log = warnings.catch_warnings(record=True)
caught = _warning_log.__enter__()
warnings.simplefilter("always")
rep = rp.ReportCollector(output_dir, formats.split(","))
os.environ["EMPATHYSTATS_PROGRESS"] = "0"   # no progress bars inside the report (the report has its own)
""",
        "remove_cell",
    ),
    code(
        """
# 1. Data: read and validate the files (or the demo), score units, link outcomes
inp = rp.load_report_inputs(demo=demo, survey_path=survey_path, outcomes_path=outcomes_path,
                            units_path=units_path, study_path=study_path, costs_path=costs_path)
survey, costs = inp.survey, inp.costs
score_options = rp.score_options(items, scale)   # {} unless the survey uses other item names or another scale
if inp.study is not None:
    study = inp.study
elif survey is not None:
    study = es.Study.from_survey(survey, inp.outcomes, min_respondents=min_respondents, **score_options)
else:
    study = es.Study(inp.units, inp.outcomes, min_respondents=min_respondents)
scores = study.scores
overview = rp.data_overview(study, survey=survey)
title = title or rp.default_title(inp, study)
""",
        "remove_cell",
    ),
    code(
        """
# 2. Analyses: every number in the report comes from these result objects
reliability = rp.reliability(study, survey=survey, items=score_options.get("items"))
quartiles = es.compare_quartiles(study, seed=seed)
models = es.fit_outcome_models(study)
lagged = rp.lagged_models(study)
meta = rp.meta_across_companies(study)
money = es.impact(quartiles, costs=costs) if costs is not None else None
""",
        "remove_cell",
    ),
    code(
        """
Markdown(rp.title_block(title, overview, seed=seed, min_respondents=study.min_respondents))
"""
    ),
    md("## Executive summary"),
    code(
        """
HTML(rp.executive_summary(overview, quartiles=quartiles, models=models, lagged=lagged, meta=meta,
                              money=money, reliability=reliability))
"""
    ),
    md(
        """
## The data

What was analysed, and what was left out and why. Units are the teams, stores or wards the survey
and the business outcomes share; a unit is reported only when at least the confidentiality threshold of
its employees answered.
"""
    ),
    code("Markdown(rp.overview_text(overview))"),
    code('rep.table("data_overview", overview.counts, caption="What the report covers")'),
    code('rep.table("outcomes", overview.outcomes, caption="Outcomes: units with a value and their mean")'),
    code('rep.table("exclusions", overview.dropped, caption="What was excluded, and why")'),
    md(
        """
## Engagement across units

Each unit's engagement is the mean of its respondents' scores (mean of the twelve Q12-style items on a
1–5 agreement scale). Before comparing units we check that the items measure one thing (Cronbach's alpha)
and that units differ reliably (ICC(1): the share of the variance in individual scores that lies between
units; ICC(2): the reliability of a unit's mean).
"""
    ),
    code(
        """
if scores is not None:
    rep.figure("engagement_distribution", scores.plot())
"""
    ),
    code("Markdown(rp.reliability_text(reliability, scores))"),
    code('rep.table("reliability", reliability.table, caption="Reliability of the engagement measure", digits=2)'),
    md(
        """
## Top- versus bottom-quartile units

Units are ranked by engagement (within their company) and split into four equal groups. The chart shows
how much better the most engaged quarter did than the least engaged quarter on each outcome, with a
bootstrap confidence interval; bars to the right mean *better*, whichever direction "better" is for the
outcome (fewer incidents, lower turnover, higher profit).
"""
    ),
    code('rep.figure("quartile_comparison", quartiles.plot())'),
    code("Markdown(rp.bullets(quartiles.text()))"),
    code(
        """
rep.table("quartiles", quartiles, show=False)   # the full table goes to tables.xlsx and the appendix
rp.styled(rp.quartile_table(quartiles), caption="Top- vs bottom-quartile units: outcome values and difference")
"""
    ),
    code(
        """
fig = rp.quartile_profiles(study)
rep.figure("quartile_profiles", fig)
"""
    ),
    md(
        """
## Regression: per standard deviation of engagement

One model per outcome, with the family its measurement calls for (counts with their exposure, leavers
out of headcount, amounts on their own scale). The estimate is the change that goes with one standard
deviation more engagement; confidence intervals account for units of the same company being alike.
"""
    ),
    code('rep.figure("regression_effects", models.plot())'),
    code("Markdown(rp.regression_summary(models))"),
    code(
        """
rep.table("regression", models, show=False)
rp.styled(rp.regression_table(models), caption="Per 1 SD more engagement (within company)")
"""
    ),
    md(
        """
### Which way does it run? Lagged models

A correlation alone cannot say whether engagement drives results or results drive engagement. With
two or more survey periods we compare the two paths: engagement this period predicting the outcome next
period (holding this period's outcome fixed), and the outcome this period predicting engagement next period.

<div class='es-note'>A lagged association is evidence about timing, not proof of cause: stable differences
between units, common causes and the chosen time lag can all tilt it (Harter et al., 2010; Hamaker, Kuiper
&amp; Grasman, 2015).</div>
"""
    ),
    code("Markdown(rp.lagged_text(lagged))"),
    code(
        """
if lagged.table is not None:
    rep.table("lagged_paths", lagged.table, show=False)
    display(rp.styled(rp.lagged_table(lagged), caption="Cross-lagged paths (SD per SD, 95% CI; * p < .05)"))
"""
    ),
    md(
        """
## Across companies: meta-analysis

When several companies take part, each is a separate study of the engagement–outcome link. A
Hunter–Schmidt meta-analysis pools them, separates real differences between companies from sampling
error, and corrects for the imperfect reliability of unit engagement.
"""
    ),
    code("Markdown(rp.meta_text(meta))"),
    code(
        """
if meta.result is not None:
    rep.table("meta_analysis", meta.result, show=False)
    display(rp.styled(rp.meta_table(meta), digits=2, caption="Engagement-outcome correlations across organisations"))
"""
    ),
    code(
        """
if meta.result is not None:
    rep.figure("meta_analysis", meta.result.plot())
    display(Markdown("<span class='es-meta'>Dots and lines: the corrected mean correlation and its 95% confidence "
                     "interval; shaded bars: the 80% credibility interval, where the true correlations of individual "
                     "organisations are expected to lie.</span>"))
"""
    ),
    md(
        """
## What it is worth

The money impact prices the quartile gap: what the bottom-quartile units would gain, per survey period (per
year when the periods are years), if they performed like the top quartile, using the cost of one unit of each
outcome. It assumes the gap is caused by engagement and would close in full, so read it as an upper bound of
what is at stake, not a forecast.
"""
    ),
    code("Markdown(rp.money_text(money, costs))"),
    code(
        """
if money is not None:
    rep.table("money_impact", money, show=False)
    display(rp.styled(rp.money_table(money), digits=1, caption="Value of closing the quartile gap, per period"))
"""
    ),
    code(
        """
if money is not None:
    rep.figure("money_impact", money.plot())
"""
    ),
    md(
        """
## Methods and caveats

- **Correlation, not proof of cause.** Top-quartile units differ from bottom-quartile units in many ways
  (location, management, size, history). The comparisons show how outcomes *go with* engagement; the lagged
  models are the report's only evidence on direction, and they can be confounded by anything that changes
  both over time.
- **Confidence intervals** come from a bootstrap that resamples units within companies; the p-values from
  a permutation test. Both use the seed stated at the top, so the report can be reproduced exactly.
- **Confidentiality.** No unit with fewer respondents than the threshold appears in any table, chart or
  file of this report, and no individual response is shown; suppressed units are only counted.
- **Measurement.** Items are Q12-style (named Q01–Q12); the engaged / actively disengaged categories
  approximate, but are not, Gallup's proprietary algorithm. Published benchmarks (Harter et al., 2020,
  Q12 meta-analysis) are cited as results, not reproduced.
- **Outcome definitions.** Rates use the exposure given with each outcome (scheduled days, headcount,
  hours worked, sales); the appendix lists the definition and the number of units behind each number.
"""
    ),
    code("Markdown(rp.methods_text(quartiles, models, seed=seed))"),
    md("## Appendix for the analyst"),
    code("Markdown(rp.appendix_text(caught, rep, output_dir))"),
    code(
        """
rep.table("units", rp.unit_table(study), show=False)   # every reported unit (never a suppressed one), xlsx only
rep.table("definitions", rp.outcome_definitions(study), caption="Outcome definitions")
""",
    ),
    md("### Full result tables"),
    code(
        """
display(quartiles)
display(models)
if meta.result is not None:
    display(meta.result)
"""
    ),
    code(
        """
_warning_log.__exit__(None, None, None)
sheets = rep.finish()
""",
        "remove_cell",
    ),
    code(
        """
# NBVAL_CHECK_OUTPUT
# a check for CI (nbval), hidden in the report: the counts behind the data section
print(overview.counts.to_string(index=False))
""",
        "remove_cell",
    ),
]


def build() -> nbformat.NotebookNode:
    nb = new_notebook(cells=CELLS)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["title"] = "Engagement and business outcomes"
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"report-{i:02d}"
    return nb


def main() -> None:
    nb = build()
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(TEMPLATE))
    NOTEBOOK.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(NOTEBOOK))


if __name__ == "__main__":
    main()
