"""Huawei's own revenue by business, from the other stages (a stage of :mod:`econ.model.world`).

* **Carrier business** = equipment + services. Equipment is Huawei's new-contract sales in the
  market-share stage (Dell'Oro's telecom-equipment market), converted at the year's CNY per USD
  (data/exchange_rates.csv; after the data, the last observed rate). Services (maintenance,
  software, managed services) scale with Huawei's installed base in that stage. Their 2019 level
  is an accounting identity: reported 2019 carrier revenue less the model's 2019 equipment sales.
* **Consumer business** = its 2019 revenue grown at ``huawei_consumer_growth`` (what it would have
  earned with its chips), times, for the phone part, the handset chip supply from the chip-supply
  stage (a phone needs its chip set: Leontief), less the Honor brand's part once it is sold
  (``honor_sale_date``; data/huawei_business.csv). Devices other than phones are taken as not
  chip-limited (an assumption: Huawei's PCs ran on licensed Intel chips, wearables grew in 2021).
* The **revenue gap** is the counterfactual's revenue (the same draws without the rules, see
  :func:`econ.scenario.counterfactual`) minus the scenario's: scenario minus baseline, one
  subtraction. Enterprise and other revenue are not modelled (the rules are taken not to move them).

The statsmodels trend in :mod:`econ.trend` stays as a descriptive comparison, not the gap.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
import pandas as pd

from econ import data, uncertainty
from econ.errors import InputError
from econ.model.market_share import YEARS
from econ.model.stage import Declaration, Metric, Stage, interval_metrics
from econ.scenario import Scenario

BUSINESSES = ("carrier", "consumer")
REPORTED_YEARS = (2020, 2021, 2022)
BUSINESS_DATA = {"phone_share": "phone_share_of_consumer_revenue", "honor_share": "honor_share_of_phone_revenue"}


def _revenue_metric(business: str, year: int) -> Metric:
    return Metric(f"huawei_{business}_revenue_cny_bn_{year}", "CNY bn, nominal",
                  f"Huawei's {business} revenue, {year}", f"Huawei's {business}-business revenue in {year}")


DECLARATION = Declaration(
    name="huawei",
    title="Huawei's revenue by business",
    groups=("policy", "huawei"),
    reads=("chip_supply", "market_share"),
    metrics=(
        *(_revenue_metric(b, y) for b in BUSINESSES for y in REPORTED_YEARS),
        *(Metric(f"huawei_revenue_gap_cny_bn_{y}", "CNY bn, nominal", f"Huawei's revenue lost to the rules, {y}",
                 f"Carrier plus consumer revenue without the rules minus with them, {y} (same draws)", fast=False)
          for y in (2020, 2021)),
    ),
    drawn_inputs={k: f"data/huawei_business.csv: {v}" for k, v in BUSINESS_DATA.items()},
    bytes_per_draw=8 * len(YEARS) * 6,
)


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
    for name, (value, low, high) in _inputs()["ranges"].items():
        rng = uncertainty.rng_for(scenario.seed, name)
        out[name] = (uncertainty.Triangular(low=low, mode=value, high=high).sample(rng, n)
                     if low < high else np.full(n, value))
    return out


def central_inputs(scenario: Scenario) -> dict[str, np.ndarray]:
    return {name: np.array([value]) for name, (value, _, _) in _inputs()["ranges"].items()}


def check(scenario: Scenario) -> None:
    _inputs()


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
    handset = upstream["chip_supply"]["handset_yearly"]
    growth = (1 + p["huawei_consumer_growth"][:, None]) ** (np.array(YEARS) - YEARS[0])[None, :]
    phones = p["phone_share"][:, None] * handset * (1 - p["honor_share"][:, None]
                                                    * _sold_share(scenario.parameters.honor_sale_date)[None, :])
    consumer = inputs["consumer_2019"] * growth * (phones + (1 - p["phone_share"][:, None]))
    return {"carrier_cny_bn": carrier, "consumer_cny_bn": consumer}


def _metrics(out: dict) -> dict[str, np.ndarray]:
    at = {y: i for i, y in enumerate(YEARS)}
    return {f"huawei_{b}_revenue_cny_bn_{y}": out[f"{b}_cny_bn"][:, at[y]] for b in BUSINESSES for y in REPORTED_YEARS}


def evaluate(scenario: Scenario, params: dict, upstream: dict) -> dict[str, np.ndarray]:
    out = revenue(scenario, params, upstream)
    return {**out, **_metrics(out)}


@dataclass(frozen=True)
class HuaweiRevenue:
    """Huawei's revenue by business for one scenario's draws, and the same without the rules."""

    scenario: Scenario
    outputs: dict
    counterfactual: dict | None = None

    @property
    def source(self) -> str:
        return f"{_inputs()['source']}; workbook model"

    def gap(self) -> dict[str, np.ndarray]:
        """Revenue without the rules minus with them, carrier plus consumer (n, T), CNY bn."""
        if self.counterfactual is None:
            raise ValueError("the gap needs the world without the rules (econ.model.world.assess pairs them)")
        return {b: self.counterfactual[f"{b}_cny_bn"] - self.outputs[f"{b}_cny_bn"] for b in BUSINESSES}

    def metrics(self) -> dict[str, float]:
        values = _metrics(self.outputs)
        if self.counterfactual is not None:
            gap = sum(self.gap().values())
            values.update({f"huawei_revenue_gap_cny_bn_{y}": gap[:, YEARS.index(y)] for y in (2020, 2021)})
        return interval_metrics(values)

    def by_year(self) -> pd.DataFrame:
        """Revenue by business and year, with and without the rules: p05, p50, p95 (CNY bn). Tidy."""
        rows = []
        runs = {"with the rules": self.outputs, "without the rules": self.counterfactual or {}}
        for case, out in runs.items():
            for b in BUSINESSES:
                if f"{b}_cny_bn" not in out:
                    continue
                iv = uncertainty.interval(out[f"{b}_cny_bn"])
                rows += [{"year": y, "business": b, "case": case, "revenue_cny_bn": iv["p50"][i],
                          "revenue_p05_cny_bn": iv["p05"][i], "revenue_p95_cny_bn": iv["p95"][i]}
                         for i, y in enumerate(YEARS)]
        return pd.DataFrame(rows)

    def against_reported(self) -> pd.DataFrame:
        """The model's revenue beside Huawei's reported revenue by business (data/huawei_revenue.csv)."""
        reported = data.defaults("huawei_revenue")
        reported = reported[(reported["dimension"] == "business_group") & reported["segment"].isin(BUSINESSES)
                            & (reported["year"] > YEARS[0])]
        model = self.by_year()
        model = model[model["case"] == "with the rules"].set_index(["year", "business"])
        rows = []
        for r in reported.itertuples():
            if (r.year, r.segment) in model.index:
                m = model.loc[(r.year, r.segment)]
                rows.append({"year": r.year, "business": r.segment, "reported_cny_bn": r.revenue_cny_bn,
                             "model_cny_bn": m["revenue_cny_bn"], "model_p05_cny_bn": m["revenue_p05_cny_bn"],
                             "model_p95_cny_bn": m["revenue_p95_cny_bn"]})
        return pd.DataFrame(rows)


def assess(scenario: Scenario, params: dict, upstream: dict) -> HuaweiRevenue:
    return HuaweiRevenue(scenario, revenue(scenario, params, {k: v.outputs for k, v in upstream.items()}))


def against(result: HuaweiRevenue, without: HuaweiRevenue) -> HuaweiRevenue:
    """The result paired with the world without the rules over the same draws (its gap)."""
    return replace(result, counterfactual=without.outputs)


STAGE = Stage(DECLARATION, check=check, evaluate=evaluate, assess=assess,
              draw_inputs=draw_inputs, central_inputs=central_inputs, against=against)
