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

#: Each figure's label says its scope: "Asia-Pacific" figures count Taiwan, South Korea, Japan and mainland
#: China; S&P's rated issuers are in Taiwan, South Korea and Japan only (the ``rated_`` figures).
_M = {"apac_revenue_loss_usd_bn": ("Net revenue loss, Asia-Pacific with mainland China", "in the 12 months after the rule"),
      "apac_direct_loss_usd_bn": ("Net loss of sales the rule blocks, Asia-Pacific with mainland China",
                                  "direct part of the net loss"),
      "apac_indirect_loss_usd_bn": ("Net loss of parts Huawei no longer needs, Asia-Pacific with mainland China",
                                    "indirect part: complements and upstream"),
      "apac_revenue_at_risk_usd_bn": ("Revenue at risk, Asia-Pacific with mainland China",
                                      "a year of sales exposed to the rule (S&P's concept, on a wider scope than "
                                      "S&P's rated issuers: compare S&P with the Taiwan, South Korea and Japan figure)"),
      "apac_direct_at_risk_usd_bn": ("Sales the rule blocks (a year), Asia-Pacific with mainland China",
                                     "direct part of the revenue at risk"),
      "apac_indirect_at_risk_usd_bn": ("Sales of parts for the products it stops (a year), Asia-Pacific with "
                                       "mainland China", "indirect part of the revenue at risk")}

#: The IAMC variable of each figure: the label without its scope, which is the IAMC region.
_VARIABLE = {"apac_revenue_loss_usd_bn": "Suppliers' net revenue loss",
             "apac_direct_loss_usd_bn": "Suppliers' net revenue loss|Direct",
             "apac_indirect_loss_usd_bn": "Suppliers' net revenue loss|Indirect",
             "apac_revenue_at_risk_usd_bn": "Suppliers' revenue at risk",
             "apac_direct_at_risk_usd_bn": "Suppliers' revenue at risk|Direct",
             "apac_indirect_at_risk_usd_bn": "Suppliers' revenue at risk|Indirect"}

DECLARATION = Declaration(
    name="revenue",
    title="Asia-Pacific suppliers' revenue",
    groups=("policy", "revenue"),
    reads=("chip_supply", "market_share"),
    metrics=(*(Metric(k, "USD bn, nominal", label, f"Taiwan, South Korea, Japan and mainland China: {meaning}",
                      region="Asia-Pacific", variable=_VARIABLE[k]) for k, (label, meaning) in _M.items()),
             Metric("rated_revenue_at_risk_usd_bn", "USD bn, nominal",
                    "Revenue at risk, Taiwan, South Korea and Japan",
                    "A year of sales exposed to the rule in the economies of S&P's rated issuers (its US$25bn "
                    "for the May 2020 rule); mainland China's suppliers are mostly unrated",
                    region="Taiwan, South Korea and Japan", variable=_VARIABLE["apac_revenue_at_risk_usd_bn"]),
             Metric("rated_revenue_loss_usd_bn", "USD bn, nominal",
                    "Net revenue loss, Taiwan, South Korea and Japan",
                    "Suppliers in the economies of S&P's rated issuers: net revenue loss in the 12 months after the "
                    "rule (the same scope as the revenue at risk beside it)",
                    region="Taiwan, South Korea and Japan", variable=_VARIABLE["apac_revenue_loss_usd_bn"])),
    drawn_inputs={"procurement_china": "data/huawei_procurement.csv: 2019 china (range 8-25)",
                  **{f"consumer_share_{c}": f"data/procurement_by_business.csv: {c}" for c in CATEGORIES},
                  "category_mix_*": "data/procurement_category_mix.csv: each share over its range, renormalised"},
    bytes_per_draw=8 * (4 * 7 * len(CATEGORIES) + 3 * MONTHS + 2 * 12 * 12),
)


#: The economies of S&P's rated Asia-Pacific tech issuers (its May 2020 estimate's universe).
RATED = ("taiwan", "south_korea", "japan")
