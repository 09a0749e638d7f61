"""What the Huawei stage reads and reports: its businesses, the drawn data rows and its figures."""

from __future__ import annotations

from econ.model.market_share import YEARS
from econ.model.stage import Declaration, Metric

BUSINESSES = ("carrier", "consumer")
REPORTED_YEARS = (2020, 2021, 2022)
SHIPMENT_YEARS = (2020, 2021, 2022)
BUSINESS_DATA = {"phone_share": "phone_share_of_consumer_revenue", "honor_share": "honor_share_of_phone_revenue"}
#: Drawn rows of data/huawei_handsets.csv (econ.model.huawei.handsets): name -> (item, year).
HANDSET_DATA = {"honor_units_share": ("honor_share_of_phone_units", 2020),
                "five_g_buyers_taking_4g": ("five_g_buyers_taking_4g", 2021),
                "phone_price_spread": ("phone_price_spread", 2019),
                "nonphone_chip_exposure": ("nonphone_chip_exposure", 2020)}


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
        *(Metric(f"huawei_phone_shipments_m_{y}", "million units", f"Huawei's phone shipments, {y}",
                 f"Smartphones Huawei shipped in {y} (Honor's until its sale), from its chips by type",
                 year=y, variable="Huawei's phone shipments") for y in SHIPMENT_YEARS),
    ),
    drawn_inputs={**{k: f"data/huawei_business.csv: {v}" for k, v in BUSINESS_DATA.items()},
                  **{k: f"data/huawei_handsets.csv: {v[0]}" for k, v in HANDSET_DATA.items()},
                  "five_g_share_of_demand_YEAR": "data/huawei_handsets.csv: five_g_share_of_demand (each year)"},
    bytes_per_draw=8 * len(YEARS) * 9,
)
