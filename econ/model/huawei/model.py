"""The Huawei stage's model: carrier and consumer revenue for each parameter set, from the chip supply
and market-share stages' outputs (see the package's docstring)."""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from econ import data, uncertainty
from econ.errors import InputError
from econ.model.huawei import handsets
from econ.model.huawei.declaration import BUSINESS_DATA, YEARS
from econ.model.huawei.results import HuaweiRevenue, figure_values
from econ.scenario import Scenario


@functools.lru_cache(maxsize=1)
def _inputs() -> dict:
    revenue = data.defaults("huawei_revenue")
    groups = revenue[(revenue["dimension"] == "business_group") & (revenue["year"] == 2019)].set_index("segment")
    rates = data.load("exchange_rates")
    cny = rates[rates["currency"] == "CNY"].set_index("year")["units_per_usd"].sort_index()
    business = data.load("huawei_business").set_index("item")
    missing = sorted(set(BUSINESS_DATA.values()) - set(business.index))
    if missing:
        raise InputError.single("data/huawei_business.csv", "item", f"missing rows: {', '.join(missing)}")
    if not {"carrier", "consumer"} <= set(groups.index):
        raise InputError.single("data/huawei_revenue.csv", "segment", "2019 carrier and consumer revenue are needed")
    rate = np.array([float(cny[cny.index <= y].iloc[-1]) for y in YEARS])
    return {"carrier_2019": float(groups.at["carrier", "revenue_cny_bn"]),
            "consumer_2019": float(groups.at["consumer", "revenue_cny_bn"]), "cny_per_usd": rate,
            "ranges": {k: tuple(float(business.at[v, c]) for c in ("value", "value_low", "value_high"))
                       for k, v in BUSINESS_DATA.items()},
            "source": data.cite(pd.concat([groups.reset_index(), business.reset_index()]))}


def draw_inputs(scenario: Scenario, n: int) -> dict[str, np.ndarray]:
    out = {}
    for name, row in _inputs()["ranges"].items():
        out[name] = uncertainty.draw(uncertainty.data_range(*row), n, scenario.seed, name)
    return {**out, **handsets.draw_inputs(scenario.seed, n)}


def central_inputs(scenario: Scenario) -> dict[str, np.ndarray]:
    return {**{name: np.array([value]) for name, (value, _, _) in _inputs()["ranges"].items()},
            **handsets.central_inputs()}


def check(scenario: Scenario) -> None:
    _inputs()
    handsets.inputs()


def _sold_share(sale: date | None) -> np.ndarray:
    """Share of each model year after the Honor sale (0 before, 1 after)."""
    if sale is None:
        return np.zeros(len(YEARS))
    start = np.array([pd.Timestamp(y, 1, 1).value for y in YEARS], dtype=float)
    end = np.array([pd.Timestamp(y + 1, 1, 1).value for y in YEARS], dtype=float)
    return np.clip((end - pd.Timestamp(sale).value) / (end - start), 0.0, 1.0)


def revenue(scenario: Scenario, p: dict, upstream: dict) -> dict[str, np.ndarray]:
    """Carrier and consumer revenue (n, T), CNY bn nominal, from the upstream stages' outputs."""
    inputs = _inputs()
    shares = upstream["market_share"]
    sales, installed = shares["huawei_sales_usd_bn"], shares["huawei_installed_usd_bn"]
    equipment = sales * inputs["cny_per_usd"][None, :]
    services_2019 = inputs["carrier_2019"] - equipment[:, 0]
    carrier = equipment + services_2019[:, None] * installed / installed[:, :1]
    growth = (1 + p["huawei_consumer_growth"][:, None]) ** (np.array(YEARS) - YEARS[0])[None, :]
    sold = _sold_share(scenario.parameters.honor_sale_date)[None, :]
    served = handsets.served(p, upstream["chip_supply"], YEARS)
    phones = p["phone_share"][:, None] * served["phones"] * (1 - p["honor_share"][:, None] * sold)
    consumer = inputs["consumer_2019"] * growth * (phones + (1 - p["phone_share"][:, None]) * served["other"])
    units = handsets.units(p, served["phones"], growth, 1 - p["honor_units_share"][:, None] * sold)
    return {"carrier_cny_bn": carrier, "consumer_cny_bn": consumer, "phone_units_m": units}


def evaluate(scenario: Scenario, params: dict, upstream: dict) -> dict[str, np.ndarray]:
    out = revenue(scenario, params, upstream)
    return {**out, **figure_values(out)}


def assess(scenario: Scenario, params: dict, upstream: dict) -> HuaweiRevenue:
    return HuaweiRevenue(scenario, revenue(scenario, params, {k: v.outputs for k, v in upstream.items()}),
                         data_source=_inputs()["source"])


def against(result: HuaweiRevenue, without: HuaweiRevenue) -> HuaweiRevenue:
    """The result paired with the world without the rules over the same draws (its gap)."""
    return replace(result, counterfactual=without.outputs)
