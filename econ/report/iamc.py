"""A run's figures in the IAMC long format: model, scenario, region, variable, unit, year, value.

That is the format pyam and the IIASA Scenario Explorer read (``pyam.IamDataFrame("iamc.csv")``).
Only the figures the model's stages declare go in, each written from its record: the variable is its
declared variable (its label without the year; a sum over years says its period, "Russia's 5G capex
(sum 2020-2030)"), the region and the year are its declared ones, and a figure of the 12 months after
a rule (the revenue stage) or a cost with no date of its own (rip-and-replace, in 2020 prices) is
reported at the year of the scenario's rule.

The median of the draws is the variable itself; its p05 and p95 are ``VARIABLE|5th percentile``
and ``VARIABLE|95th percentile``. The scenario column is the scenario's name, with the overrides
a run applied in brackets (``may2020_fdpr (substitution_rate=0.3)``), so a modified run is never
mistaken for the shipped scenario. Units are the declared ones.
"""

from __future__ import annotations

import pandas as pd

from econ import __version__
from econ.model import world

FILE = "iamc.csv"
COLUMNS = ["model", "scenario", "region", "variable", "unit", "year", "value"]
MODEL = f"econ sanctions workbook {__version__}"
PERCENTILES = {"p05": "|5th percentile", "p95": "|95th percentile"}


def scenario_label(name: str, overrides: dict | None) -> str:
    if not overrides:
        return name
    return f"{name} (" + ", ".join(f"{k}={v}" for k, v in sorted(overrides.items())) + ")"


def _rule_year(scenario) -> int:
    try:
        return scenario.value("rule_effective_date").year if scenario is not None else 2020
    except Exception:
        return 2020


def frame(found: pd.DataFrame, scenarios: dict | None = None, overrides: dict | None = None) -> pd.DataFrame:
    """IAMC rows from a run's figures (:func:`econ.report.figures.figures_frame`): the declared ones only."""
    declared = world.metrics_table()
    rows, seen = [], set()
    for r in found[found["metric"].isin(declared)].itertuples():
        year = int(r.year) if pd.notna(r.year) else _rule_year((scenarios or {}).get(r.scenario))
        variable = r.variable or r.label
        if pd.notna(r.first_year):
            variable = f"{variable} (sum {int(r.first_year)}-{year})"
        for column, suffix in (("median", ""), *PERCENTILES.items()):
            value = getattr(r, column)
            key = (r.scenario, r.region, variable + suffix, year)
            if pd.isna(value) or key in seen:
                continue
            seen.add(key)
            rows.append({"model": MODEL, "scenario": scenario_label(r.scenario, overrides), "region": r.region,
                         "variable": variable + suffix, "unit": r.unit, "year": year, "value": float(value)})
    return pd.DataFrame(rows, columns=COLUMNS).sort_values(["scenario", "variable", "year"], ignore_index=True)


def to_csv(table: pd.DataFrame) -> str:
    return table.to_csv(index=False, float_format="%.10g")


__all__ = ["COLUMNS", "FILE", "MODEL", "frame", "scenario_label", "to_csv"]
