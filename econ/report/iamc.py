"""A run's figures in the IAMC long format: model, scenario, region, variable, unit, year, value.

That is the format pyam and the IIASA Scenario Explorer read (``pyam.IamDataFrame("iamc.csv")``).
Only the figures the model's stages declare go in (econ.model.world's metric declarations), each under
its reader's label as the variable, with the year it refers to in the year column:

* a figure whose name ends in a year (``..._2022``) is that year's;
* a sum over years (``..._2020_2030``) is reported at its last year, the period in the variable
  ("Russia's 5G capex (sum 2020-2030)");
* a figure of the 12 months after a rule (the revenue stage), and a cost with no date of its own
  (rip-and-replace, in 2020 prices), is reported at the year of the scenario's rule (2020).

The median of the draws is the variable itself; its p05 and p95 are ``VARIABLE|5th percentile``
and ``VARIABLE|95th percentile``. The scenario column is the scenario's name, with the overrides
a run applied in brackets (``may2020_fdpr (substitution_rate=0.3)``), so a modified run is never
mistaken for the shipped scenario. Units are the declared ones.
"""

from __future__ import annotations

import re

import pandas as pd

from econ import __version__
from econ.model import world

FILE = "iamc.csv"
COLUMNS = ["model", "scenario", "region", "variable", "unit", "year", "value"]
MODEL = f"econ sanctions workbook {__version__}"
PERCENTILES = {"_p05": "|5th percentile", "_p95": "|95th percentile"}
#: Where a figure is measured, from the words of its name (first match wins; default World).
REGIONS = (("_russia", "Russia"), ("_uk_", "United Kingdom"), ("_us_", "United States"), ("_apac_", "Asia-Pacific"),
           ("_ex_china_", "World excl. China"), ("_foreign_", "World excl. China"), ("_china_", "China"),
           ("_europe_", "Europe"), ("_other_rip_", "World excl. United Kingdom and United States"))


def region(name: str) -> str:
    padded = f"_{name}_"
    return next((place for word, place in REGIONS if word in padded), "World")


def variable_and_year(name: str, label: str, default_year: int) -> tuple[str, int]:
    """The IAMC variable (the label without its year) and the year a figure refers to."""
    period = re.search(r"_(\d{4})_(\d{4})$", name)
    if period:
        first, last = period.groups()
        base = re.sub(rf",? ?{first}-{last}", "", label).strip().rstrip(",")
        extra = " (nominal)" if "(nominal)" in base else ""
        base = base.replace(" (nominal)", "")
        return f"{base} (sum {first}-{last}){extra}", int(last)
    single = re.search(r"_(\d{4})$", name)
    if single:
        year = single.group(1)
        return re.sub(rf",? {year}$", "", label).strip(), int(year)
    return label, default_year


def scenario_label(name: str, overrides: dict | None) -> str:
    if not overrides:
        return name
    return f"{name} (" + ", ".join(f"{k}={v}" for k, v in sorted(overrides.items())) + ")"


def frame(metrics: pd.DataFrame, scenarios: dict | None = None, overrides: dict | None = None) -> pd.DataFrame:
    """IAMC rows from a run's tidy metrics (notebook, scenario, metric, value)."""
    declared = world.metrics_table()
    rows, seen = [], set()
    for r in metrics.itertuples():
        base, suffix = r.metric, ""
        for end, words in PERCENTILES.items():
            if r.metric.endswith(end) and r.metric[: -len(end)] in declared:
                base, suffix = r.metric[: -len(end)], words
        if base not in declared:
            continue
        m = declared[base][1]
        scn = (scenarios or {}).get(r.scenario)
        try:
            default_year = scn.value("rule_effective_date").year if scn is not None else 2020
        except Exception:
            default_year = 2020
        variable, year = variable_and_year(base, m.label, default_year)
        key = (r.scenario, variable + suffix, year)
        if key in seen:
            continue
        seen.add(key)
        rows.append({"model": MODEL, "scenario": scenario_label(r.scenario, overrides), "region": region(base),
                     "variable": variable + suffix, "unit": m.unit, "year": year, "value": float(r.value)})
    return pd.DataFrame(rows, columns=COLUMNS).sort_values(["scenario", "variable", "year"], ignore_index=True)


def to_csv(table: pd.DataFrame) -> str:
    return table.to_csv(index=False, float_format="%.10g")


__all__ = ["COLUMNS", "FILE", "MODEL", "frame", "region", "scenario_label", "to_csv", "variable_and_year"]
