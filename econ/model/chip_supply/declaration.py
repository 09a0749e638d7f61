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
