"""What the revenue stage reads and reports: the supplier economies and categories, the months of the
loss window, and its figures."""

from __future__ import annotations

from econ import data
from econ.model.stage import Declaration, Metric

MONTHS = 12
DAYS_PER_MONTH = 365.25 / 12
APAC = ("taiwan", "south_korea", "japan", "china")
CATEGORIES = tuple(data.CATEGORIES)
BASE_YEAR = 2019

_M = {"apac_revenue_loss_usd_bn": ("Asia-Pacific suppliers' net revenue loss", "in the 12 months after the rule"),
      "apac_direct_loss_usd_bn": ("Net loss of sales the rule blocks", "direct part of the net loss"),
      "apac_indirect_loss_usd_bn": ("Net loss of parts Huawei no longer needs", "indirect part: complements and upstream"),
      "apac_revenue_at_risk_usd_bn": ("Asia-Pacific suppliers' revenue at risk",
                                      "a year of sales exposed to the rule (S&P's concept)"),
      "apac_direct_at_risk_usd_bn": ("Sales the rule blocks (a year)", "direct part of the revenue at risk"),
      "apac_indirect_at_risk_usd_bn": ("Sales of parts for the products it stops (a year)",
                                       "indirect part of the revenue at risk")}

DECLARATION = Declaration(
    name="revenue",
    title="Asia-Pacific suppliers' revenue",
    groups=("policy", "revenue"),
    reads=("chip_supply", "market_share"),
    metrics=(*(Metric(k, "USD bn, nominal", label, f"Taiwan, South Korea, Japan and mainland China: {meaning}",
                      region="Asia-Pacific") for k, (label, meaning) in _M.items()),
             Metric("rated_revenue_at_risk_usd_bn", "USD bn, nominal",
                    "Revenue at risk in Taiwan, South Korea and Japan",
                    "A year of sales exposed to the rule in the economies of S&P's rated issuers (its US$25bn "
                    "for the May 2020 rule); mainland China's suppliers are mostly unrated",
                    region="Taiwan, South Korea and Japan")),
    drawn_inputs={"procurement_china": "data/huawei_procurement.csv: 2019 china (range 8-25)",
                  **{f"consumer_share_{c}": f"data/procurement_by_business.csv: {c}" for c in CATEGORIES},
                  "category_mix_*": "data/procurement_category_mix.csv: each share over its range, renormalised"},
    bytes_per_draw=8 * (4 * 7 * len(CATEGORIES) + 3 * MONTHS + 2 * 12 * 12),
)


#: The economies of S&P's rated Asia-Pacific tech issuers (its May 2020 estimate's universe).
RATED = ("taiwan", "south_korea", "japan")
