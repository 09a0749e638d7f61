"""A run's figures in the IAMC long format, as pyam reads it: model, scenario, region, variable, unit,
year, quantile, value (``pyam.IamDataFrame("iamc.csv")``; ``quantile`` is an extra column, so the
p05 and p95 are not mistaken for components of the median).

Only the figures the model's stages declare go in, each written from its record:

- **variable**: a ``|`` hierarchy from :data:`VARIABLES` (``Market Share|New Contracts|Huawei``, with
  the region in its own column), one entry per declared variable; a sum over years says its period
  (``Investment|5G|Capex|Sum 2020-2030``);
- **unit**: one pint understands: ``dimensionless`` for shares and probabilities, ``thousand`` for
  counts, and money as ``billion USD_2020`` (iam-units' currency of a year: a nominal figure is in
  its own year's currency, a real one in its base year's). Yuan, roubles and pounds are not in
  iam-units: ``iamc_units.txt`` beside the file defines them from data/exchange_rates.csv
  (``CNY_2021 = USD_2021 / 6.4508``), so ``registry.load_definitions("iamc_units.txt")`` lets
  ``convert_unit`` turn them into dollars;
- **years**: each declared figure at its year, and the notebooks' yearly paths (:mod:`econ.trajectories`:
  shares of new contracts by vendor and region, Huawei's revenue by business, its chip supply, Russia's 5G
  capex) at every model year, 2019-2030; a figure of the 12 months after a rule (the revenue stage) or a cost
  with no date of its own (rip-and-replace, in 2020 prices) is at the year of the scenario's rule.

The scenario column is the scenario's name, with the overrides a run applied in brackets
(``may2020_fdpr (substitution_rate=0.3)``). ``iamc_meta.csv`` is the meta table: one row per scenario
with its title, parents, seed, draws, overrides and story group.
"""

from __future__ import annotations

import pandas as pd

from econ import __version__, data, safe_text, story
from econ.model import world
from econ.results import VARIABLES, variable_of  # noqa: F401 (the IAMC names live with the codebook)

FILE = "iamc.csv"
META_FILE = "iamc_meta.csv"
UNITS_FILE = "iamc_units.txt"
COLUMNS = ["model", "scenario", "region", "variable", "unit", "year", "quantile", "value"]
MODEL = f"econ sanctions workbook {__version__}"
QUANTILES = {"p05": 0.05, "median": 0.5, "p95": 0.95}

#: Currencies iam-units lacks, defined per year from data/exchange_rates.csv (units per USD).
DEFINED_CURRENCIES = ("CNY", "GBP", "RUB")
#: The last year iam-units (3.x) has a US dollar of: later nominal dollars are defined as that year's,
#: an approximation said in the file (no deflator beyond it is in data/).
IAM_UNITS_LAST_DOLLAR = 2022


def unit_of(unit: str, year: int, base_year: int = 2020) -> str:
    """A declared unit in words ("USD bn, nominal") as pint reads it ("billion USD_2021")."""
    text = unit.lower()
    if text.startswith(("share", "fraction", "probability", "rank")):
        return "dimensionless"
    if text.startswith("thousand"):
        return "thousand"
    if text.startswith("million"):  # million units (phones): a count
        return "million"
    currency = unit.split()[0]
    if currency in ("USD", "CNY", "GBP", "RUB"):
        priced = year if "nominal" in text else base_year  # real, constant or 2020 prices / rates: the base year
        return f"billion {currency}_{priced}"
    return unit


def units_definitions() -> str:
    """pint definitions of the currencies iam-units lacks, ``CNY_2021 = USD_2021 / 6.4508``, from
    data/exchange_rates.csv (annual averages; a later year without a rate takes the last one)."""
    rates = data.load("exchange_rates")
    lines = ["# Currencies for iamc.csv that iam-units lacks: units per US dollar, annual averages",
             "# (data/exchange_rates.csv). Load with registry.load_definitions(\"iamc_units.txt\")."]
    lines.append(f"# iam-units has no dollar after {IAM_UNITS_LAST_DOLLAR}: later years are taken as "
                 f"{IAM_UNITS_LAST_DOLLAR} dollars (an approximation; redefine with a deflator of your own)")
    lines += [f"USD_{y} = USD_{IAM_UNITS_LAST_DOLLAR}" for y in range(IAM_UNITS_LAST_DOLLAR + 1, 2031)]
    for currency in DEFINED_CURRENCIES:
        series = rates[rates["currency"] == currency].set_index("year")["units_per_usd"].sort_index()
        for year in range(int(series.index.min()), 2031):
            rate = float(series[series.index <= year].iloc[-1])
            lines.append(f"{currency}_{year} = USD_{year} / {rate:.6g}")
    return "\n".join(lines) + "\n"


def scenario_label(name: str, overrides: dict | None) -> str:
    if not overrides:
        return name
    return f"{name} (" + ", ".join(f"{k}={v}" for k, v in sorted(overrides.items())) + ")"


def _rule_year(scenario) -> int:
    try:
        return scenario.value("rule_effective_date").year if scenario is not None else 2020
    except Exception:
        return 2020


def _trajectory_rows(paths: pd.DataFrame | None, overrides: dict | None, seen: set) -> list[dict]:
    """IAMC rows of the yearly paths (:func:`econ.report.figures.trajectories_frame`), but for the points a
    declared figure already gave."""
    rows = []
    for r in (paths if paths is not None else pd.DataFrame()).itertuples():
        for column, quantile in QUANTILES.items():
            value, key = getattr(r, column), (r.scenario, r.region, r.variable, int(r.year), quantile)
            if pd.isna(value) or key in seen:
                continue
            seen.add(key)
            rows.append({"model": MODEL, "scenario": scenario_label(r.scenario, overrides), "region": r.region,
                         "variable": r.variable, "unit": unit_of(r.unit, int(r.year)), "year": int(r.year),
                         "quantile": quantile, "value": float(value)})
    return rows


def frame(found: pd.DataFrame, scenarios: dict | None = None, overrides: dict | None = None,
          trajectories: pd.DataFrame | None = None) -> pd.DataFrame:
    """IAMC rows from a run's figures (:func:`econ.report.figures.figures_frame`: the declared ones only)
    and its notebooks' yearly paths (``trajectories``, :func:`econ.report.figures.trajectories_frame`)."""
    declared = world.metrics_table()
    rows, seen = [], set()
    for r in found[found["metric"].isin(declared)].itertuples():
        year = int(r.year) if pd.notna(r.year) else _rule_year((scenarios or {}).get(r.scenario))
        variable = variable_of(r.variable or r.label, r.first_year, year)
        for column, quantile in QUANTILES.items():
            value = getattr(r, column)
            key = (r.scenario, r.region, variable, year, quantile)
            if pd.isna(value) or key in seen:
                continue
            seen.add(key)
            rows.append({"model": MODEL, "scenario": scenario_label(r.scenario, overrides), "region": r.region,
                         "variable": variable, "unit": unit_of(r.unit, year), "year": year, "quantile": quantile,
                         "value": float(value)})
    rows += _trajectory_rows(trajectories, overrides, seen)
    return pd.DataFrame(rows, columns=COLUMNS).sort_values(["scenario", "variable", "region", "year", "quantile"],
                                                           ignore_index=True)


def meta(scenarios: dict, overrides: dict | None = None, draws: dict | None = None) -> pd.DataFrame:
    """pyam's meta table: one row per scenario (model, scenario, title, parents, seed, draws,
    overrides, story group)."""
    groups = {name: g.title for g in story.groups(list(scenarios)) for name in g.scenarios}
    rows = [{"model": MODEL, "scenario": scenario_label(name, overrides), "title": s.title,
             "parents": ", ".join([s.inherits] if isinstance(s.inherits, str) else list(s.inherits or ())),
             "seed": s.seed, "draws": (draws or {}).get(name), "overrides": scenario_label("", overrides).strip(" ()"),
             "story_group": groups.get(name, "")} for name, s in scenarios.items()]
    return pd.DataFrame(rows, columns=["model", "scenario", "title", "parents", "seed", "draws", "overrides",
                                       "story_group"])


def to_csv(table: pd.DataFrame) -> str:
    return safe_text.csv_text(table, float_format="%.10g")


__all__ = ["COLUMNS", "FILE", "META_FILE", "MODEL", "QUANTILES", "UNITS_FILE", "VARIABLES", "frame", "meta",
           "scenario_label", "to_csv", "unit_of", "units_definitions", "variable_of"]
