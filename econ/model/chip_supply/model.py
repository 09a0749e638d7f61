"""The chip-supply stage's model: the share of Huawei's chip needs it can meet, month by month, for
each parameter set (see the package's docstring for the mechanism)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from econ import data, uncertainty
from econ.errors import InputError
from econ.model.chip_supply.declaration import DAYS_PER_MONTH, DEPENDENCE, FIRST_YEAR, MONTHS, PRODUCTS, YEARS
from econ.model.chip_supply.results import ChipSupply, figure_values
from econ.scenario import Scenario, path_value


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
    for name, row in _dependence().items():
        out[name] = uncertainty.draw(uncertainty.data_range(*row), n, scenario.seed, name)
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
    # The share of month m: 1 - blocked x (1 - licence) x (1 - recovery) [x (1 - redesign)] once stocks
    # have run out, computed month by month in compiled code (_kernel), without (n, M) temporaries.
    from econ.model.chip_supply import _kernel

    revoked = (months >= month_index(s.licences_revoked_from)) if s.licences_revoked_from else np.zeros(MONTHS, bool)
    unrecovered = 1 - path_value(s.domestic_chip_recovery, FIRST_YEAR + months / 12)
    out = {}
    for product in PRODUCTS:
        redesigned = product == "network"
        redesign = 1 - np.asarray(p["network_chip_redesign_share"], dtype=float) if redesigned else np.ones(1)
        runs_out = deadline + np.asarray(p[f"{product}_chip_inventory_months"], dtype=float)
        row = np.broadcast_arrays(np.asarray(blocked[product], dtype=float),
                                  np.asarray(p["licence_approval_rate"], dtype=float), redesign, runs_out)
        b, rate, redesign, runs_out = (np.ascontiguousarray(x) for x in row)
        monthly, yearly = _kernel.shares(b, rate, revoked, unrecovered, redesign, redesigned, runs_out, months,
                                         MONTHS // len(YEARS))
        out[f"{product}_monthly"] = monthly
        out[f"{product}_yearly"] = yearly
        out[f"{product}_blocked"] = blocked[product]
        if product == "handset":
            # A 5G phone needs a 5G system-on-chip, which no licence let through (Qualcomm's November 2020
            # licence covered 4G parts, cnet_2020_qualcomm_4g): the same gap without the licences.
            _, out["handset_5g_yearly"] = _kernel.shares(b, np.zeros_like(rate), revoked, unrecovered, redesign,
                                                         False, runs_out, months, MONTHS // len(YEARS))
    return out


def evaluate(scenario: Scenario, params: dict, upstream: dict) -> dict[str, np.ndarray]:
    """Supply shares and the headline metrics for each parameter set."""
    out = supply(scenario, params)
    return {**out, **figure_values(out)}


def assess(scenario: Scenario, params: dict, upstream: dict) -> ChipSupply:
    return ChipSupply(scenario, supply(scenario, params))
