"""What the Huawei stage reads and reports: its businesses, the drawn data rows and its figures."""

from __future__ import annotations

from econ.model.market_share import YEARS
from econ.model.stage import Declaration, Metric

BUSINESSES = ("carrier", "consumer")
REPORTED_YEARS = (2020, 2021, 2022)
BUSINESS_DATA = {"phone_share": "phone_share_of_consumer_revenue", "honor_share": "honor_share_of_phone_revenue"}


def _revenue_metric(business: str, year: int) -> Metric:
    return Metric(f"huawei_{business}_revenue_cny_bn_{year}", "CNY bn, nominal",
                  f"Huawei's {business} revenue, {year}", f"Huawei's {business}-business revenue in {year}",
                  year=year, variable=f"Huawei's {business} revenue")


DECLARATION = Declaration(
    name="huawei",
    title="Huawei's revenue by business",
    groups=("policy", "huawei"),
    reads=("chip_supply", "market_share"),
    metrics=(
        *(_revenue_metric(b, y) for b in BUSINESSES for y in REPORTED_YEARS),
        *(Metric(f"huawei_revenue_gap_cny_bn_{y}", "CNY bn, nominal", f"Huawei's revenue lost to the rules, {y}",
                 f"Carrier plus consumer revenue without the rules minus with them, {y} (same draws)", fast=False,
                 year=y, variable="Huawei's revenue lost to the rules")
          for y in (2020, 2021)),
    ),
    drawn_inputs={k: f"data/huawei_business.csv: {v}" for k, v in BUSINESS_DATA.items()},
    bytes_per_draw=8 * len(YEARS) * 6,
)
