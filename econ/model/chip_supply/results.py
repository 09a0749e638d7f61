"""The chip-supply stage's answer for one scenario's draws, and the figures it reports."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from econ import uncertainty
from econ.model.chip_supply.declaration import DECLARATION, PRODUCTS, YEARS
from econ.model.stage import Figure, figures, flat
from econ.scenario import Scenario


def figure_values(out: dict) -> dict[str, np.ndarray]:
    at = {int(y): i for i, y in enumerate(YEARS)}
    return {"huawei_handset_chip_supply_2021": out["handset_yearly"][:, at[2021]],
            "huawei_network_chip_supply_2021": out["network_yearly"][:, at[2021]],
            "huawei_network_chip_supply_2022": out["network_yearly"][:, at[2022]],
            "huawei_handset_chip_supply_2024": out["handset_yearly"][:, at[2024]],
            "huawei_handset_5g_chip_supply_2021": out["handset_5g_yearly"][:, at[2021]]}


@dataclass(frozen=True)
class ChipSupply:
    """Huawei's chip supply for one scenario's draws."""

    scenario: Scenario
    outputs: dict

    def figure_draws(self) -> dict:
        return figure_values(self.outputs)

    def figures(self) -> list[Figure]:
        """The stage's figures (records with their draws), in declared order."""
        return figures(DECLARATION, self.figure_draws())

    def metrics(self) -> dict[str, float]:
        """results.json's older flat keys of :meth:`figures`."""
        return flat(self.figures())

    def yearly(self) -> pd.DataFrame:
        """Share of chip needs met by year and product: p05, p50, p95. Tidy."""
        rows = []
        for product in PRODUCTS:
            iv = uncertainty.interval(self.outputs[f"{product}_yearly"])
            rows += [{"year": int(y), "product": product, "supply_share": iv["p50"][i],
                      "supply_share_p05": iv["p05"][i], "supply_share_p95": iv["p95"][i]}
                     for i, y in enumerate(YEARS)]
        return pd.DataFrame(rows)
