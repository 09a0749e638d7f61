"""Yearly paths of the model's main quantities, every model year, for the IAMC file: pyam reads a
variable's years as its trajectory, and a scenario model that runs 2019-2030 should hand over its
years, not three of them.

A notebook passes the world it assessed (:func:`of_world`) to :func:`econ.notebook.write_results`,
which writes the rows under ``"trajectories"`` in results.json; the run's ``iamc.csv`` then holds
them beside the declared figures (a figure and a trajectory point of the same variable, region and
year are the same number from the same draws; the figure's row is kept). Each row: IAMC variable,
region, unit (in words, as the figures' units; :func:`econ.report.iamc.unit_of` turns them into pint
units), year, and the p05, median and p95 over the draws.

No variable is written as the ``|`` child of another that is its total: quantiles do not add (the
median of a total is not the sum of its parts' medians), so pyam's ``check_aggregate`` would flag a
total against parts that are right. Parts are siblings (in the declared figures, ``Suppliers|Direct Revenue at Risk`` beside
``Suppliers|Revenue at Risk``), and the yearly capex is ``Investment|5G|Capex|Annual`` beside its
sums (``Investment|5G|Capex|Sum 2020-2030``).

==================================================  ==================  ===========================
variable                                            regions             from
==================================================  ==================  ===========================
``Market Share|New Contracts|VENDOR``               World, World excl.  the market-share stage's
                                                    China, China,       shares of new contracts
                                                    Europe, Russia
``Huawei|Revenue|Carrier``, ``|Consumer``           World               the Huawei stage
``Investment|5G|Capex|Annual``                      Russia              the investment stage
``Chip Supply|Huawei|Base Stations``, ``|Handsets`` World               the chip-supply stage
==================================================  ==================  ===========================
"""

from __future__ import annotations

import math

import numpy as np

from econ import words
from econ.model import world
from econ.results import VARIABLES

#: The share stage's groups with a trajectory, and their names in the IAMC file.
SHARE_REGIONS = {"world": "World", "world_ex_china": "World excl. China", "china": "China", "europe": "Europe",
                 "russia": "Russia"}
#: The IAMC names come from the figures' (:data:`econ.results.VARIABLES`), so a path and a figure of one
#: quantity share one name.
CHIP_VARIABLES = {"network": VARIABLES["Huawei's base-station chip needs met"],
                  "handset": VARIABLES["Huawei's handset chip needs met"]}
NEW_CONTRACTS = VARIABLES["Huawei's share worldwide"].rsplit("|", 1)[0]      # Market Share|New Contracts
CAPEX_PATH = VARIABLES["Russia's 5G capex"] + "|Annual"                     # beside its Sum 2020-2030


def _row(variable: str, region: str, unit: str, year, p05, median, p95) -> dict:
    values = [float(v.item() if isinstance(v, np.generic) else v) for v in (p05, median, p95)]
    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"trajectory {variable} ({region}, {year}) is not finite")
    return {"variable": variable, "region": region, "unit": unit, "year": int(year),
            "p05": round(values[0], 10), "median": round(values[1], 10), "p95": round(values[2], 10)}


def _shares(result) -> list[dict]:
    frame = result["market_share"].shares("new")
    frame = frame[frame["region"].isin(list(SHARE_REGIONS))]
    return [_row(f"{NEW_CONTRACTS}|{words.label(r.vendor)}", SHARE_REGIONS[r.region], "share", r.year,
                 r.share_p05, r.share, r.share_p95) for r in frame.itertuples()]


def _huawei(result) -> list[dict]:
    frame = result["huawei"].by_year()
    frame = frame[frame["case"] == "with the rules"]
    return [_row(VARIABLES[f"Huawei's {r.business} revenue"], "World", "CNY bn, nominal", r.year,
                 r.revenue_p05_cny_bn, r.revenue_cny_bn, r.revenue_p95_cny_bn) for r in frame.itertuples()]


def _capex(result) -> list[dict]:
    from econ.model import investment

    frame = result["investment"].fan()
    return [_row(CAPEX_PATH, "Russia", f"RUB bn, {investment.REAL}", r.period, r.p05, r.p50, r.p95)
            for r in frame.itertuples()]


def _chips(result) -> list[dict]:
    frame = result["chip_supply"].yearly()
    rows = []
    for r in frame.itertuples():
        if r.product in CHIP_VARIABLES:
            rows.append(_row(CHIP_VARIABLES[r.product], "World", "share", r.year,
                             r.supply_share_p05, r.supply_share, r.supply_share_p95))
    return rows


_FROM = {"market_share": _shares, "huawei": _huawei, "investment": _capex, "chip_supply": _chips}


def of_world(result: world.World, stages=None) -> list[dict]:
    """The trajectories of the named stages of ``result`` (default: every stage it assessed that has
    one), year by year."""
    names = [s for s in (stages or _FROM) if s in _FROM and s in result.results]
    return [row for name in names for row in _FROM[name](result)]
