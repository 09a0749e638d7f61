"""What the chip-supply stage reads and reports: its years, products, drawn data rows and figures."""

from __future__ import annotations

import numpy as np

from econ.model.stage import Declaration, Metric

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
        *(Metric(f"huawei_{product}_chip_supply_{year}", "fraction of needs", f"Huawei's {what} chip needs met, {year}",
                 f"Share of the chips (by value) Huawei's planned {what} output needs that it could obtain in {year}"
                 + (", licences included (what a 4G phone can be built with)" if product == "handset" else ""),
                 year=year, variable=f"Huawei's {what} chip needs met")
          for product, what, year in (("handset", "handset", 2021), ("network", "base-station", 2021),
                                      ("network", "base-station", 2022), ("handset", "handset", 2024))),
        Metric("huawei_handset_5g_chip_supply_2021", "fraction of needs", "Huawei's 5G handset chip needs met, 2021",
               "Share of the chips (by value) Huawei's planned 5G phones need that it could obtain in 2021: no "
               "licence covered 5G chips", year=2021, variable="Huawei's 5G handset chip needs met"),
    ),
    drawn_inputs={k: f"data/huawei_chip_dependence.csv: {v}" for k, v in DEPENDENCE.items()},
    bytes_per_draw=8 * (2 * MONTHS + 5 * len(YEARS)),
)
