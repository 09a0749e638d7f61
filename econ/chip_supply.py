"""Huawei's chip supply under an export rule: what share of its handset and base-station chip needs
it can meet, month by month (the first stage of the linked model, :mod:`econ.model.world`).

A rule blocks, from the end of its wind-down, the chips of the categories it covers:

* ``foundry``: chips made to Huawei's own (HiSilicon) designs. They carry a share
  ``hisilicon_share`` of a product's chip needs (data/huawei_chip_dependence.csv). While the rule
  leaves merchant chips alone (``chip_design`` not covered), Huawei fills a share
  ``merchant_chip_switch_share`` of those needs with bought-in chips (handsets only: a base
  station's baseband is built around its own ASICs).
* ``chip_design``: merchant chips made with US technology (the August 2020 rule): the rest of the
  chip needs, ``1 - hisilicon_share``.
* ``memory``: DRAM and flash from makers using US tools; Huawei's needs that no Chinese maker could
  fill are ``memory_import_dependence``.

The blocked share ``b`` of a product's chip needs is ``1 - (1 - chips) (1 - memory)``; licences let
``licence_approval_rate`` of it through. Huawei's stock of blocked chips carries production for
``*_chip_inventory_months`` after the wind-down; then a share ``b (1 - licence)`` of needs goes
unmet, less, for base stations, what redesigned boards recover (``network_chip_redesign_share``).
Licences end at ``licences_revoked_from`` (the US revoked Qualcomm's and Intel's in May 2024), and
Chinese-made chips fill a share ``domestic_chip_recovery`` (a path over years) of what stays unmet
(SMIC's 7 nm Kirin 9000S in Huawei's August 2023 phone).
Output is Leontief in chips: a product's deliverable share of planned output is its supply share.

Everything is vectorised over parameter draws: arrays are (draw, month) from January 2019.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from econ import data, uncertainty
from econ.errors import InputError
from econ.model.stage import Declaration, Metric, Stage, interval_metrics
from econ.scenario import Scenario, path_value

FIRST_YEAR, LAST_YEAR = 2019, 2030
YEARS = np.arange(FIRST_YEAR, LAST_YEAR + 1)
MONTHS = 12 * len(YEARS)
PRODUCTS = ("handset", "network")
DAYS_PER_MONTH = 365.25 / 12
#: Data rows drawn over their ranges (data/huawei_chip_dependence.csv): name -> item.
DEPENDENCE = {"hisilicon_share_handset": "hisilicon_share_handset",
              "hisilicon_share_network": "hisilicon_share_network",
              "memory_import_dependence": "memory_import_dependence"}

DECLARATION = Declaration(
    name="chip_supply",
    title="Huawei's chip supply",
    groups=("policy", "supply"),
    metrics=(
        Metric("huawei_handset_chip_supply_2021", "fraction of needs",
               "Huawei's handset chip needs met, 2021",
               "Share of the chips Huawei's planned handset output needs that it could obtain in 2021"),
        Metric("huawei_network_chip_supply_2021", "fraction of needs",
               "Huawei's base-station chip needs met, 2021",
               "Share of the chips Huawei's planned base-station output needs that it could obtain in 2021"),
        Metric("huawei_network_chip_supply_2022", "fraction of needs",
               "Huawei's base-station chip needs met, 2022",
               "Share of the chips Huawei's planned base-station output needs that it could obtain in 2022"),
        Metric("huawei_handset_chip_supply_2024", "fraction of needs",
               "Huawei's handset chip needs met, 2024",
               "Share of the chips Huawei's planned handset output needs that it could obtain in 2024"),
    ),
    drawn_inputs={k: f"data/huawei_chip_dependence.csv: {v}" for k, v in DEPENDENCE.items()},
    bytes_per_draw=8 * (2 * MONTHS + 4 * len(YEARS)),
)


@functools.lru_cache(maxsize=1)
def _dependence() -> dict[str, tuple[float, float, float]]:
    rows = data.load("huawei_chip_dependence").set_index("item")
    missing = sorted(set(DEPENDENCE.values()) - set(rows.index))
    if missing:
        raise InputError.single("data/huawei_chip_dependence.csv", "item", f"missing rows: {', '.join(missing)}")
    return {k: (float(rows.at[v, "value"]), float(rows.at[v, "value_low"]), float(rows.at[v, "value_high"]))
            for k, v in DEPENDENCE.items()}


def draw_inputs(scenario: Scenario, n: int) -> dict[str, np.ndarray]:
    """The dependence shares drawn triangular(low, value, high) on their own seeded streams."""
    out = {}
    for name, (value, low, high) in _dependence().items():
        dist = uncertainty.Triangular(low=low, mode=value, high=high) if low < high else None
        out[name] = dist.sample(uncertainty.rng_for(scenario.seed, name), n) if dist else np.full(n, value)
    return out


def central_inputs(scenario: Scenario) -> dict[str, np.ndarray]:
    return {name: np.array([value]) for name, (value, _, _) in _dependence().items()}


def check(scenario: Scenario) -> None:
    """Nothing beyond the declared ranges; the data file is checked when first read."""
    _dependence()


def month_index(day) -> float:
    """Months from 1 January 2019 to ``day`` (fractional)."""
    return (pd.Timestamp(day) - pd.Timestamp(FIRST_YEAR, 1, 1)).days / DAYS_PER_MONTH


def blocked_share(scenario: Scenario, p: dict) -> dict[str, np.ndarray]:
    """Share of each product's chip needs the rule blocks, before licences and stocks (n,)."""
    covered = set(scenario.parameters.covered_categories)
    n = len(p["hisilicon_share_handset"])
    out = {}
    for product in PRODUCTS:
        own = p[f"hisilicon_share_{product}"]
        switch = p["merchant_chip_switch_share"] if product == "handset" else np.zeros(n)
        chips = np.zeros(n)
        if "foundry" in covered:
            chips = chips + own * (1 - (switch if "chip_design" not in covered else 0.0))
        if "chip_design" in covered:
            chips = chips + (1 - own)
        memory = p["memory_import_dependence"] if "memory" in covered else np.zeros(n)
        out[product] = 1 - (1 - np.clip(chips, 0, 1)) * (1 - memory)
    return out


def supply(scenario: Scenario, p: dict) -> dict[str, np.ndarray]:
    """Monthly supply shares (n, MONTHS) and calendar-year means (n, YEARS) per product."""
    s = scenario.parameters
    blocked = blocked_share(scenario, p)
    months = np.arange(MONTHS) + 0.5
    deadline = month_index(s.rule_effective_date) + s.wind_down_days / DAYS_PER_MONTH
    # Licences let a share of blocked chips through until they are revoked; Chinese-made chips fill
    # a growing share of what stays unmet (the recovery path, by calendar time).
    revoked = (months >= month_index(s.licences_revoked_from)) if s.licences_revoked_from else np.zeros(MONTHS, bool)
    licence = np.where(revoked[None, :], 0.0, np.asarray(p["licence_approval_rate"], dtype=float)[:, None])
    recovery = path_value(s.domestic_chip_recovery, FIRST_YEAR + months / 12)[None, :]
    out = {}
    for product in PRODUCTS:
        gap = blocked[product][:, None] * (1 - licence) * (1 - recovery)
        if product == "network":
            gap = gap * (1 - p["network_chip_redesign_share"])[:, None]
        runs_out = deadline + p[f"{product}_chip_inventory_months"]
        share = 1 - gap * (months[None, :] >= runs_out[:, None])
        out[f"{product}_monthly"] = share
        out[f"{product}_yearly"] = share.reshape(len(share), len(YEARS), 12).mean(axis=2)
        out[f"{product}_blocked"] = blocked[product]
    return out


def _metrics(out: dict) -> dict[str, np.ndarray]:
    at = {int(y): i for i, y in enumerate(YEARS)}
    return {"huawei_handset_chip_supply_2021": out["handset_yearly"][:, at[2021]],
            "huawei_network_chip_supply_2021": out["network_yearly"][:, at[2021]],
            "huawei_network_chip_supply_2022": out["network_yearly"][:, at[2022]],
            "huawei_handset_chip_supply_2024": out["handset_yearly"][:, at[2024]]}


def evaluate(scenario: Scenario, params: dict, upstream: dict) -> dict[str, np.ndarray]:
    """Supply shares and the headline metrics for each parameter set."""
    out = supply(scenario, params)
    return {**out, **_metrics(out)}


@dataclass(frozen=True)
class ChipSupply:
    """Huawei's chip supply for one scenario's draws."""

    scenario: Scenario
    outputs: dict

    def metrics(self) -> dict[str, float]:
        return interval_metrics(_metrics(self.outputs))

    def yearly(self) -> pd.DataFrame:
        """Share of chip needs met by year and product: p05, p50, p95. Tidy."""
        rows = []
        for product in PRODUCTS:
            iv = uncertainty.interval(self.outputs[f"{product}_yearly"])
            rows += [{"year": int(y), "product": product, "supply_share": iv["p50"][i],
                      "supply_share_p05": iv["p05"][i], "supply_share_p95": iv["p95"][i]}
                     for i, y in enumerate(YEARS)]
        return pd.DataFrame(rows)


def assess(scenario: Scenario, params: dict, upstream: dict) -> ChipSupply:
    return ChipSupply(scenario, supply(scenario, params))


STAGE = Stage(DECLARATION, check=check, evaluate=evaluate, assess=assess,
              draw_inputs=draw_inputs, central_inputs=central_inputs)
