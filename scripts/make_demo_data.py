"""Regenerate the bundled demo data byte for byte (see data/README.md, the data card).

    python scripts/make_demo_data.py              # rewrite empathystats/data/*.csv
    python scripts/make_demo_data.py --out DIR    # write the same files into DIR

Every file comes from :func:`empathystats.simulate_study` with the fixed seeds
below, written as UTF-8 csv with "\\n" line ends and ``%.10g`` floats, so the
same versions of numpy/pandas give identical bytes (tests/test_datasets.py
checks this by regenerating into a temporary directory).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

import empathystats as es

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "empathystats" / "data"

#: The demo datasets: simulate_study arguments and the seed of each.
DEMOS: dict[str, dict[str, Any]] = {
    "multi": dict(
        n_companies=40,
        units_per_company=(15, 45),
        respondents_per_unit=(5, 30),
        periods=2,
        seed=2020,
    ),
    "retail": dict(
        n_companies=1,
        units_per_company=150,
        respondents_per_unit=(6, 30),
        periods=2,
        industries="retail",
        # one client: its own correlations (sd_rho=0), set larger than the cross-company
        # defaults so that a 150-store report shows effects clearly above sampling noise
        rho={
            "absenteeism": -0.25,
            "turnover": -0.25,
            "safety_incidents": -0.25,
            "shrinkage": -0.20,
            "productivity": 0.25,
            "profitability": 0.20,
            "customer_loyalty": 0.30,
        },
        sd_rho=0.0,
        seed=150,
    ),
}

RETAILER = "Northwind Retail"  # fictional

#: Illustrative costs per unit of outcome for the retail demo (not client data):
#: the order of magnitude of published replacement-cost and injury-cost estimates.
RETAIL_COSTS = pd.DataFrame(
    {
        "outcome": ["turnover", "absenteeism", "safety_incidents", "shrinkage"],
        "cost": [5000.0, 180.0, 40000.0, 1.0],
        "per": ["leaver", "day absent", "recordable incident", "dollar of shrinkage loss"],
        "currency": ["USD"] * 4,
        "note": [
            "recruiting, onboarding and lost productivity for one frontline leaver (illustrative)",
            "wage and cover cost of one scheduled day lost to absence (illustrative)",
            "direct and indirect cost of one recordable injury (illustrative)",
            "one dollar of inventory lost is one dollar of cost",
        ],
    }
)

_CSV = dict(index=False, lineterminator="\n", float_format="%.10g", encoding="utf-8")


def build(name: str) -> dict[str, pd.DataFrame]:
    """The tables of one demo: survey, outcomes, truth (and costs for retail)."""
    sim = es.simulate_study(**DEMOS[name])
    survey, outcomes = sim.survey.copy(), sim.outcomes.copy()
    truth = sim.truth.realised.copy()
    truth.insert(2, "sd_rho", sim.truth.params["sd_rho"])
    tables = {"survey": survey, "outcomes": outcomes, "truth": truth}
    if name == "retail":
        # one named retailer whose units are stores: C1-U001 -> S001
        for df in (survey, outcomes):
            df["unit_id"] = ("S" + df["unit_id"].str.split("-U").str[1]).astype("str")
        survey["company"] = RETAILER
        # a retailer has no patient-safety or quality-defect columns
        tables["outcomes"] = outcomes = outcomes.drop(columns=["patient_days", "patient_safety_incidents",
                                                                "units_produced", "quality_defects"])
        tables["truth"] = truth = truth[truth["n_rows"] > 0].reset_index(drop=True)
        tables["costs"] = RETAIL_COSTS.copy()
    return tables


def write(out: Path | str = DEFAULT_OUT) -> list[Path]:
    """Write every demo file into ``out``; return the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in DEMOS:
        for table, df in build(name).items():
            path = out / f"{name}_{table}.csv"
            df.to_csv(path, **_CSV)
            paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="output directory (default: empathystats/data)")
    args = parser.parse_args(argv)
    for path in write(args.out):
        print(f"{path}  {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
