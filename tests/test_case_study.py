"""The real-data case studies: pin the numbers notebooks 06 (NHS) and 07 (CSPS) report.

Every expected number below was computed independently in R from the bundled files with the
same cleaning and quartile rule written from their definitions: the code is
``tests/results/nhs_R.R`` and its full output ``tests/results/nhs_R.txt`` (R 4.2.2,
metafor 3.8.1, sandwich 3.0.2). The relevant lines of that output are pasted beside each
number. Tests read the copies in ``data/external/`` (see its SOURCE.md), never ``../shared``.

Quartile rule (the R script's and the notebook's): within each survey year, trusts are ranked on
engagement; ties in engagement are broken by trust code, so every trust has a distinct rank; the
ranks are cut into four groups of equal size (sizes differ by at most one).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import empathystats as es

ROOT = Path(__file__).resolve().parents[1]
EXTERNAL = ROOT / "data" / "external"
NHS_FILE = EXTERNAL / "nhs_engagement_shmi" / "data.NHS.2012_2019.csv"
CSPS_DIR = EXTERNAL / "uk_csps"
YEARS = list(range(2012, 2020))
SHMI = es.OutcomeSpec("shmi", better="lower", kind="score", unit_label="observed / expected deaths", label="SHMI")


# -- the NHS file, loaded and cleaned as notebook 06 does ---------------------------------------
def load_nhs_raw() -> pd.DataFrame:
    # "NA" is the file's missing-value code; blanks stay visible as "" (none in the trust codes)
    return pd.read_csv(NHS_FILE, keep_default_na=False, na_values=["NA"])


def nhs_tables(raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Unit table (engagement per trust-year) and outcome table (SHMI per trust-year), as shipped."""
    units = raw.rename(
        columns={"Code": "unit_id", "Year.Index": "period", "Engagement.Index": "engagement", "Responses": "n_respondents"}
    )[["unit_id", "period", "engagement", "n_respondents"]]
    outcomes = raw.rename(columns={"Code": "unit_id", "Year.Index": "period", "SHMI.Index": "shmi"})[
        ["unit_id", "period", "shmi"]
    ]
    return units, outcomes


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return load_nhs_raw()


@pytest.fixture(scope="module")
def panel(raw: pd.DataFrame) -> es.Study:
    units, outcomes = nhs_tables(raw)
    return es.Study(units.assign(company="NHS England"), outcomes, specs={"shmi": SHMI})


@pytest.fixture(scope="module")
def by_year(raw: pd.DataFrame) -> es.Study:
    """Each survey year its own group: quartiles within year, years as meta-analytic studies."""
    units, outcomes = nhs_tables(raw)
    return es.Study(units.assign(company=units["period"].astype(str)), outcomes, specs={"shmi": SHMI})


@pytest.fixture(scope="module")
def trusts(raw: pd.DataFrame) -> es.Study:
    """Each trust its own group: regression SEs clustered by trust."""
    units, outcomes = nhs_tables(raw)
    return es.Study(units.assign(company=units["unit_id"]), outcomes, specs={"shmi": SHMI})


# -- provenance ---------------------------------------------------------------------------------
def test_bundled_files_match_the_checksums_in_source_md():
    text = (EXTERNAL / "SOURCE.md").read_text(encoding="utf-8")
    sums = re.findall(r"^([0-9a-f]{64})  (\S+)$", text, flags=re.M)
    assert len(sums) == 6
    for digest, rel in sums:
        assert hashlib.sha256((EXTERNAL / rel).read_bytes()).hexdigest() == digest, rel


# -- cleaning and the unit-level Study ----------------------------------------------------------
def test_file_quirks_as_shipped(raw: pd.DataFrame):
    # nhs_R.txt: "rows read: 1084  trusts: 146"
    assert raw.shape == (1084, 21)
    assert raw["Code"].nunique() == 146
    assert (raw["Code"] == "").sum() == 0
    assert raw["X"].isna().all()  # an empty column
    assert raw["HEE.region.code"].isna().sum() == 18  # region code missing ("NA") for 18 trust-years
    assert not raw.duplicated(["Code", "Year.Index"]).any()  # one row per trust-year


def test_study_from_unit_tables_counts_every_exclusion(raw: pd.DataFrame, panel: es.Study):
    # nhs_R.txt: "removed, no engagement score: 11", "removed, no SHMI: 0",
    #            "clean trust-years: 1073  trusts: 144  min responses: 156"
    units, outcomes = nhs_tables(raw)
    before = units.copy()
    assert len(panel.data) == 1073
    assert panel.n_units == 144
    assert panel.periods == YEARS
    assert panel.outcomes == ["shmi"]
    assert panel.values("shmi").notna().all()
    reasons = dict(zip(panel.dropped["reason"], panel.dropped["count"], strict=True))
    assert reasons["units with no engagement score"] == 11
    # the same 11 trust-years, seen from the outcome side: the footer says they are not extra losses
    detail = panel.dropped.set_index("reason").loc["outcome rows without a scored unit", "detail"]
    assert detail.startswith("11 whose unit was suppressed or had no engagement, 0 with no survey unit at all")
    assert "units below the confidentiality threshold" not in reasons  # every trust has >= 156 responses
    assert set(panel.unmatched["side"]) == {"outcome row without a unit"}
    assert len(panel.unmatched) == 11
    pd.testing.assert_frame_equal(units, before)


def test_engagement_by_year(panel: es.Study):
    # nhs_R.txt "== engagement by year":
    #  year   n  mean              sd
    #  2012 141 3.83085106382979 0.0857658349998716
    #  2013 140 3.86440476190476 0.0814332717931611
    #  2014 136 3.84877450980392 0.0931557471226558
    #  2015 134 3.94047263681592 0.0749303803691676
    #  2016 134 3.93731343283582 0.0661477013809629
    #  2017 132 3.91575757575758 0.0584215485781418
    #  2018 130 3.92525641025641 0.0640276982814517
    #  2019 126 3.93259259259259 0.0609172683255488
    g = panel.data.groupby("period")["engagement"].agg(["count", "mean", "std"])
    assert g["count"].tolist() == [141, 140, 136, 134, 134, 132, 130, 126]
    assert_allclose(
        g["mean"],
        [3.83085106382979, 3.86440476190476, 3.84877450980392, 3.94047263681592,
         3.93731343283582, 3.91575757575758, 3.92525641025641, 3.93259259259259],
        rtol=1e-12,
    )
    assert_allclose(
        g["std"],
        [0.0857658349998716, 0.0814332717931611, 0.0931557471226558, 0.0749303803691676,
         0.0661477013809629, 0.0584215485781418, 0.0640276982814517, 0.0609172683255488],
        rtol=1e-10,
    )


# nhs_R.txt "== per-year correlation engagement ~ SHMI"
R_PER_YEAR = pd.DataFrame(
    {
        "year": YEARS,
        "n": [141, 140, 136, 134, 134, 132, 130, 126],
        "r": [-0.2568518189260991, -0.2631055434027746, -0.0587725838799538, -0.0758786846274573,
              -0.1798933029025118, -0.2573926313310906, -0.2000837039874322, -0.2674686962378385],
    }
)


def test_per_year_correlation(panel: es.Study):
    d = panel.data.assign(shmi=panel.values("shmi"))
    r = d.groupby("period")[["engagement", "shmi"]].corr().xs("engagement", level=1)["shmi"]
    assert_allclose(r.to_numpy(), R_PER_YEAR["r"], rtol=1e-10)


# -- quartiles ----------------------------------------------------------------------------------
# nhs_R.txt "== quartiles within year (ties broken by trust code)":
#  year   n n_bottom n_middle n_top          mean_top      mean_bottom          difference        pct_lower
#  2012 141       35       71    35 0.964662857142857 1.02613714285714 -0.0614742857142857 5.99084499983294
#  2013 140       35       70    35 0.956028571428571 1.01985714285714 -0.0638285714285713 6.25857963300181
#  2014 136       34       68    34 0.998697058823529 1.01522941176471 -0.0165323529411764 1.62843518416584
#  2015 134       33       68    33 1.008209090909091 1.02427575757576 -0.0160666666666667 1.56858800453240
#  2016 134       33       68    33 0.995821212121212 1.02433030303030 -0.0285090909090909 2.78319315798349
#  2017 132       33       66    33 0.967151515151515 1.03556666666667 -0.0684151515151515 6.60654245808912
#  2018 130       32       66    32 0.965450000000000 1.03348125000000 -0.0680312499999999 6.58272706931063
#  2019 126       31       64    31 0.979780645161290 1.04792258064516 -0.0681419354838709 6.50257344792769
R_QUARTILES = pd.DataFrame(
    {
        "year": YEARS,
        "n": [141, 140, 136, 134, 134, 132, 130, 126],
        "k": [35, 35, 34, 33, 33, 33, 32, 31],
        "top": [0.964662857142857, 0.956028571428571, 0.998697058823529, 1.008209090909091,
                0.995821212121212, 0.967151515151515, 0.965450000000000, 0.979780645161290],
        "bottom": [1.02613714285714, 1.01985714285714, 1.01522941176471, 1.02427575757576,
                   1.02433030303030, 1.03556666666667, 1.03348125000000, 1.04792258064516],
        "pct": [5.99084499983294, 6.25857963300181, 1.62843518416584, 1.56858800453240,
                2.78319315798349, 6.60654245808912, 6.58272706931063, 6.50257344792769],
    }
)


def test_quartiles_within_each_year_with_ties_broken_by_trust_code(by_year: es.Study):
    res = es.compare_quartiles(by_year, n_boot=0)
    per_year = res.companies.assign(year=res.companies["company"].astype(int)).sort_values("year")
    assert per_year["year"].tolist() == YEARS
    assert per_year["n_units"].tolist() == R_QUARTILES["n"].tolist()
    assert per_year["n_units_top"].tolist() == R_QUARTILES["k"].tolist()
    assert per_year["n_units_bottom"].tolist() == R_QUARTILES["k"].tolist()
    assert_allclose(per_year["top"], R_QUARTILES["top"], rtol=1e-12)
    assert_allclose(per_year["bottom"], R_QUARTILES["bottom"], rtol=1e-12)
    assert_allclose(per_year["pct_difference"], R_QUARTILES["pct"], rtol=1e-10)
    # nhs_R.txt: "median over years: pct_lower 6.12471231641737  top 0.973466080156403
    #             bottom 1.02523372294372  difference -0.0626514285714285"
    row = res.table.iloc[0]
    assert_allclose(
        [row["pct_difference"], row["top"], row["bottom"], row["difference"]],
        [6.12471231641737, 0.973466080156403, 1.02523372294372, -0.0626514285714285],
        rtol=1e-10,
    )
    assert row["n_companies"] == 8 and row["label"] == "6% lower"


def test_tie_break_matters_and_follows_trust_code(by_year: es.Study):
    # 2019: six trusts share the score at the bottom cut (nhs_R.txt, tied_at_bottom_cut = 6), so the
    # tie-break decides membership: with codes reversed the bottom quartile's mean must change.
    d = by_year.data.loc[by_year.data["period"] == 2019]
    e = np.sort(d["engagement"].to_numpy())
    assert e[30] == e[31]  # a tie straddles the cut between rank 31 and 32 (k = 31)
    flipped = d.assign(unit_id=d["unit_id"].map(lambda c: "".join(chr(255 - ord(ch)) for ch in c)))
    alt = es.compare_quartiles(es.Study(flipped, None, specs={"shmi": SHMI}), n_boot=0).companies
    assert not np.isclose(alt["bottom"].iloc[0], R_QUARTILES["bottom"].iloc[-1], rtol=1e-12)


def test_pooled_quartile_comparison(by_year: es.Study):
    # nhs_R.txt: "pooled over years: n_top 266  n_bottom 266  mean_top 0.97931015037594
    #             mean_bottom 1.0280537593985  difference -0.0487436090225564  pct_lower 4.7413482589739"
    row = es.compare_quartiles(by_year, summary="pooled", n_boot=0).table.iloc[0]
    assert (row["n_units_top"], row["n_units_bottom"]) == (266, 266)
    assert_allclose(
        [row["top"], row["bottom"], row["difference"], row["pct_difference"]],
        [0.97931015037594, 1.0280537593985, -0.0487436090225564, 4.7413482589739],
        rtol=1e-10,
    )


# -- regressions --------------------------------------------------------------------------------
def test_regression_with_year_effects(panel: es.Study, trusts: es.Study):
    # nhs_R.txt "== regression with year effects: SHMI ~ z(engagement) + factor(year)":
    #   Estimate -2.08140413515124e-02  Std. Error 3.32794341293274e-03           (lm)
    #   cluster-robust by trust (CR1): Std. Error 0.006221612702940782           (vcovCL type HC1)
    plain = es.fit_outcome_models(panel, company_effects=None, standardize="overall").table.iloc[0]
    assert_allclose([plain["estimate"], plain["se"]], [-2.08140413515124e-02, 3.32794341293274e-03], rtol=1e-9)
    assert plain["n_rows"] == 1073
    clustered = es.fit_outcome_models(trusts, standardize="overall").table.iloc[0]
    assert_allclose([clustered["estimate"], clustered["se"]], [-0.020814041351512380, 0.006221612702940782], rtol=1e-9)
    assert clustered["n_companies"] == 144


def test_lagged_engagement_to_next_year_shmi(panel: es.Study, trusts: es.Study):
    # nhs_R.txt "== lagged design": "pairs: 928  trusts: 142"
    #   "with year effects: forward slope -0.00276568185268708  se 0.00185018422904744
    #    CR1-by-trust se 0.001544764196711"
    plain = es.fit_outcome_models(panel, company_effects=None, standardize="overall", lag=1).table
    eng = plain.loc[plain["term"] == "engagement"].iloc[0]
    assert eng["n_rows"] == 928
    assert_allclose([eng["estimate"], eng["se"]], [-0.00276568185268708, 0.00185018422904744], rtol=1e-9)
    clustered = es.fit_outcome_models(trusts, standardize="overall", lag=1).table
    eng = clustered.loc[clustered["term"] == "engagement"].iloc[0]
    assert_allclose([eng["estimate"], eng["se"]], [-0.00276568185268708, 0.001544764196711], rtol=1e-9)


def test_cross_lagged_paths_both_directions(panel: es.Study, trusts: es.Study):
    # nhs_R.txt "cross-lagged ... with year effects (factor(year) of the t wave)":
    #   engagement -> SHMI: c1 -0.0286693115950521 se 0.0191791793113431 stability a1 0.861778189157165
    #   SHMI -> engagement: c2 -0.0544546752411241 se 0.0213712257474526 stability a2 0.714870461186567
    #   cluster-robust by trust (CR1): se c1 0.0160131672604931  se c2 0.0199182590882907
    plain = es.cross_lagged(panel, "shmi", company_effects=None, standardize="overall").table
    assert plain["n_pairs"].tolist() == [928, 928]
    assert_allclose(plain["estimate"], [-0.0286693115950521, -0.0544546752411241], rtol=1e-9)
    assert_allclose(plain["se"], [0.0191791793113431, 0.0213712257474526], rtol=1e-9)
    assert_allclose(plain["stability"], [0.861778189157165, 0.714870461186567], rtol=1e-9)
    clustered = es.cross_lagged(trusts, "shmi", standardize="overall").table
    assert_allclose(clustered["se"], [0.0160131672604931, 0.0199182590882907], rtol=1e-9)


# -- meta-analysis, years as studies ------------------------------------------------------------
def test_meta_analysis_of_per_year_correlations(by_year: es.Study):
    # metafor::rma(measure = "ZCOR"), nhs_R.txt "== meta-analysis of per-year r (years as studies)":
    #   DL   z -0.198500185334597 se 0.0311002764026006  r -0.195933508131617  ci -0.253786273006234 -0.136683894604694
    #        pi -0.256977315705556 -0.133332433432413  tau2 0.000111368801337313  I2 1.43905020004205  Q 7.10220428497026
    #   REML z -0.198500635861782 se 0.0311940730920064  r -0.195933941363052  ci -0.253958684034125 -0.136503928626313
    #        pi -0.25842371416577 -0.131811261916443  tau2 0.000158056163147318  I2 2.03007338136291
    meta = es.meta_analysis(by_year, outcome="shmi", method="random-effects", re_method="REML", rxx=None)
    studies = meta.studies.assign(year=meta.studies["company"].astype(int)).sort_values("year")
    assert_allclose(studies["r"], R_PER_YEAR["r"], rtol=1e-10)
    assert studies["n"].tolist() == R_PER_YEAR["n"].tolist()
    reml = meta.table.iloc[0]
    assert_allclose(
        [reml["estimate_z"], reml["se_z"], reml["estimate"], reml["ci_low"], reml["ci_high"], reml["pi_low"],
         reml["pi_high"], reml["i2"], reml["q"]],
        [-0.198500635861782, 0.0311940730920064, -0.195933941363052, -0.253958684034125, -0.136503928626313,
         -0.25842371416577, -0.131811261916443, 2.03007338136291, 7.10220428497026],
        rtol=1e-7,
    )
    assert_allclose(reml["tau2"], 0.000158056163147318, rtol=1e-5)
    dl = es.random_effects(studies, r="r", n="n", method="DL").table.iloc[0]
    assert_allclose(
        [dl["estimate_z"], dl["se_z"], dl["estimate"], dl["ci_low"], dl["ci_high"], dl["tau2"], dl["i2"]],
        [-0.198500185334597, 0.0311002764026006, -0.195933508131617, -0.253786273006234, -0.136683894604694,
         0.000111368801337313, 1.43905020004205],
        rtol=1e-9,
    )
    # "Hunter-Schmidt bare-bones: k 8  N 1073  rbar -0.194785801362251  var_obs 0.00635933789623897
    #  var_e 0.00695253739895538 ... pct_artifact 109.328007292508"; "se(rbar) = sqrt(var_obs / k): 0.0281942766715139"
    hs = es.hunter_schmidt(studies, r="r", n="n").table.iloc[0]
    assert_allclose(
        [hs["estimate"], hs["var_r"], hs["var_e"], hs["pct_var_artifacts"], hs["se"]],
        [-0.194785801362251, 0.00635933789623897, 0.00695253739895538, 109.328007292508, 0.0281942766715139],
        rtol=1e-10,
    )
    assert hs["sd_res"] == 0.0  # negative residual variance truncated at zero


# -- CSPS ---------------------------------------------------------------------------------------
CSPS_BENCH_CODES = {"CIVILSERVICE", "CS_MEDIAN", "CS_MEAN"}


CSPS_FILES = {
    2017: ("csps2017_all_organisation_scores.csv", "Organisation_Code", "Employee engagement index"),
    2018: ("csps2018_all_organisation_scores.csv", "Organisation_Code", "Employee engagement index"),
    2019: ("csps2019_all_organisation_scores.csv", "Organisation code", "Employee Engagement Index"),
}


def read_csps(year: int) -> pd.DataFrame:
    name, code, eei = CSPS_FILES[year]
    return es.read_units(CSPS_DIR / name, columns={code: "unit_id", eei: "engagement"}, percent=True, na_values=["n<10"])


def test_csps_percent_strings_need_the_explicit_option():
    name, code, eei = CSPS_FILES[2019]
    with pytest.raises(es.DataError) as info:
        es.read_units(CSPS_DIR / name, columns={code: "unit_id", eei: "engagement"})
    msg = str(info.value)
    assert name in msg and eei in msg and "'63%'" in msg and "percent=True" in msg


def test_csps_median_matches_the_published_benchmark():
    # nhs_R.txt "== CSPS":
    #   2017  organisations: 101  missing: 0  median: 0.61  benchmark row: 0.61
    #   2018  organisations: 105  missing: 0  median: 0.62  benchmark row: 0.62
    #   2019  organisations: 109  missing: 0  median: 0.63  benchmark row: 0.63
    #   benchmark file EES 2017-2019: 0.61 0.62 0.63
    # The 2019 figure is also the published Civil Service benchmark (Cabinet Office, CSPS 2019: 63%).
    bench = pd.read_csv(CSPS_DIR / "csps2009_2019_median_benchmark_scores.csv").set_index("Measure")
    for year, n_orgs, median in [(2017, 101, 0.61), (2018, 105, 0.62), (2019, 109, 0.63)]:
        units = read_csps(year)
        orgs = units.loc[~units["unit_id"].isin(CSPS_BENCH_CODES)]
        assert len(orgs) == n_orgs
        assert orgs["engagement"].notna().all()
        assert_allclose(orgs["engagement"].median(), median, atol=1e-12)
        assert_allclose(float(bench.loc["EES", str(year)]), median, atol=1e-12)


def test_csps_engagement_wellbeing_and_stress_2019():
    # nhs_R.txt: "2019 r(EEI, PERMA) 0.790172189479194  r(EEI, proxy stress) -0.848694047794804"
    units = read_csps(2019)
    orgs = units.loc[~units["unit_id"].isin(CSPS_BENCH_CODES)]
    assert_allclose(orgs["engagement"].corr(orgs["PERMA Index"]), 0.790172189479194, rtol=1e-10)
    assert_allclose(orgs["engagement"].corr(orgs["Proxy Stress Index"]), -0.848694047794804, rtol=1e-10)


def test_csps_quartiles_2019():
    # nhs_R.txt (organisations ranked across the Civil Service, ties by organisation code, k = 27):
    #   2019 quartiles wellbeing (PERMA), higher is better: n_top 27 n_bottom 27 top 0.763333333333333
    #        bottom 0.714814814814815 pct_better 6.78756476683938
    #   2019 quartiles proxy stress, lower is better: n_top 27 n_bottom 27 top 0.244814814814815
    #        bottom 0.326296296296296 pct_better 24.9716231555051
    units = read_csps(2019)
    orgs = units.loc[~units["unit_id"].isin(CSPS_BENCH_CODES)].rename(
        columns={"PERMA Index": "wellbeing", "Proxy Stress Index": "stress"}
    )
    specs = {
        "wellbeing": es.OutcomeSpec("wellbeing", better="higher", kind="score"),
        "stress": es.OutcomeSpec("stress", better="lower", kind="score"),
    }
    study = es.Study(orgs[["unit_id", "engagement", "wellbeing", "stress"]], None, specs=specs)
    t = es.compare_quartiles(study, summary="pooled", n_boot=0).table.set_index("outcome")
    assert t["n_units_top"].tolist() == [27, 27] and t["n_units_bottom"].tolist() == [27, 27]
    assert_allclose(
        t.loc[["wellbeing", "stress"], ["top", "bottom", "pct_difference"]].to_numpy(),
        [[0.763333333333333, 0.714814814814815, 6.78756476683938],
         [0.244814814814815, 0.326296296296296, 24.9716231555051]],
        rtol=1e-12,
    )


# -- respondent-level analyses on unit-level data -----------------------------------------------
def test_icc_corrected_meta_analysis_says_it_needs_respondents(by_year: es.Study):
    with pytest.raises(es.DataError, match="respondent"):
        es.meta_analysis(by_year, outcome="shmi", method="hunter-schmidt")  # default rxx="icc2"


@pytest.mark.parametrize("func", ["cronbach_alpha", "icc", "rwg", "score_units"])
def test_respondent_level_analyses_say_they_need_respondents(raw: pd.DataFrame, func: str):
    units, _ = nhs_tables(raw)
    with pytest.raises(es.EmpathyStatsError, match="(?i)respondent"):
        getattr(es, func)(units)
