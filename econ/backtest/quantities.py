"""The model's draws of a back-test quantity (see :mod:`econ.backtest.table` for the quantities)."""

from __future__ import annotations

import numpy as np

from econ.model import world
from econ.model.investment import OPERATORS, nominal
from econ.model.investment import YEARS as INVESTMENT_YEARS
from econ.model.market_share import YEARS

#: The Huawei stage's output of each ``huawei_units`` quantity.
UNITS = {"phones": "phone_units_m"}


def _shares(result: world.World, kind: str, vendors: str, group: str, year: int) -> np.ndarray:
    return result["market_share"].share_of(vendors.split("+"), group, year, "new" if kind == "share" else "installed")


def _at_risk(result: world.World, economies: str, part: str) -> np.ndarray:
    impact = result["revenue"]
    index = [impact.chain.economies.index(e) for e in economies.split("+")]
    parts = {"direct": ("direct",), "indirect": ("complement", "upstream"),
             "total": ("direct", "complement", "upstream")}[part]
    return sum(impact.risk[p][:, index].sum(axis=(1, 2)) for p in parts)


def _operator_capex(result: world.World, operator: str, year: int) -> np.ndarray:
    """The model's capex of one operator, nominal: reported to its latest year, then a drawn share of its
    revenue less the equipment no vendor could deliver (:func:`econ.model.investment.operator_capex_path`),
    at the drawn inflation from 2020."""
    needs = result["investment"]
    nominal_path = nominal(needs.operator_capex(), needs.params["inflation_rate"])
    return nominal_path[:, OPERATORS.index(operator), list(INVESTMENT_YEARS).index(year)]


def draws(result: world.World, quantity: str, year: int) -> np.ndarray:
    """The model's draws (n,) of one quantity in ``year``."""
    kind, *rest = quantity.split(":")
    if kind == "metric":
        found = {f.metric: f for f in result.figures()}[rest[0]]
        return np.asarray(found.draws if found.draws is not None else [found.median], dtype=float)
    if kind in ("share", "installed_share"):
        return _shares(result, kind, rest[0], rest[1], year)
    if kind == "huawei_revenue":
        return result["huawei"].outputs[f"{rest[0]}_cny_bn"][:, YEARS.index(year)]
    if kind == "huawei_units":
        return result["huawei"].outputs[UNITS[rest[0]]][:, YEARS.index(year)]
    if kind == "at_risk":
        return _at_risk(result, rest[0], rest[1])
    if kind == "operator_capex":
        return np.atleast_1d(_operator_capex(result, rest[0], year)).astype(float)
    raise KeyError(quantity)


def base_year(result: world.World, quantity: str) -> float | None:
    """The model's own 2019 value of a share quantity (its base-year fit, the median over draws), or
    None for quantities the base year does not hold."""
    kind, *rest = quantity.split(":")
    if kind not in ("share", "installed_share"):
        return None
    return float(np.median(_shares(result, kind, rest[0], rest[1], YEARS[0])))
