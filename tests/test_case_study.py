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


# -- CSPS ---------------------------------------------------------------------------------------
CSPS_BENCH_CODES = {"CIVILSERVICE", "CS_MEDIAN", "CS_MEAN"}


def test_csps_median_matches_the_published_benchmark():
    # nhs_R.txt "== CSPS":
    #   2017  organisations: 101  missing: 0  median: 0.61  benchmark row: 0.61
    #   2018  organisations: 105  missing: 0  median: 0.62  benchmark row: 0.62
    #   2019  organisations: 109  missing: 0  median: 0.63  benchmark row: 0.63
    #   benchmark file EES 2017-2019: 0.61 0.62 0.63
    bench = pd.read_csv(CSPS_DIR / "csps2009_2019_median_benchmark_scores.csv").set_index("Measure")
    for year, n_orgs, median in [(2017, 101, 0.61), (2018, 105, 0.62), (2019, 109, 0.63)]:
        raw = pd.read_csv(CSPS_DIR / f"csps{year}_all_organisation_scores.csv", dtype=str, encoding="utf-8-sig")
        orgs = raw.loc[~raw.iloc[:, 2].isin(CSPS_BENCH_CODES)]
        eei = orgs.iloc[:, 4].str.rstrip("%").astype(float) / 100
        assert len(orgs) == n_orgs
        assert_allclose(eei.median(), median, atol=1e-12)
        assert_allclose(float(bench.loc["EES", str(year)]), median, atol=1e-12)
