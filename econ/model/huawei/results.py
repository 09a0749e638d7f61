"""The Huawei stage's answer for one scenario's draws (and, paired, the same draws without the
rules), and the figures it reports."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from econ import data, uncertainty
from econ.model.huawei.declaration import BUSINESSES, DECLARATION, REPORTED_YEARS, SHIPMENT_YEARS, YEARS
from econ.model.stage import Figure, figures, flat
from econ.scenario import Scenario


def figure_values(out: dict) -> dict[str, np.ndarray]:
    at = {y: i for i, y in enumerate(YEARS)}
    return {**{f"huawei_{b}_revenue_cny_bn_{y}": out[f"{b}_cny_bn"][:, at[y]] for b in BUSINESSES for y in REPORTED_YEARS},
            **{f"huawei_phone_shipments_m_{y}": out["phone_units_m"][:, at[y]] for y in SHIPMENT_YEARS}}


@dataclass(frozen=True)
class HuaweiRevenue:
    """Huawei's revenue by business for one scenario's draws, and the same without the rules."""

    scenario: Scenario
    outputs: dict
    counterfactual: dict | None = None
    #: The data the revenue rests on (data/huawei_revenue.csv and huawei_business.csv), cited.
    data_source: str = ""

    @property
    def source(self) -> str:
        return f"{self.data_source}; workbook model"

    def gap(self) -> dict[str, np.ndarray]:
        """Revenue without the rules minus with them, carrier plus consumer (n, T), CNY bn."""
        if self.counterfactual is None:
            raise ValueError("the gap needs the world without the rules (econ.model.world.assess pairs them)")
        return {b: self.counterfactual[f"{b}_cny_bn"] - self.outputs[f"{b}_cny_bn"] for b in BUSINESSES}

    def figure_draws(self) -> dict:
        values = figure_values(self.outputs)
        if self.counterfactual is not None:
            gap = sum(self.gap().values())
            values.update({f"huawei_revenue_gap_cny_bn_{y}": gap[:, YEARS.index(y)] for y in (2020, 2021)})
        return values

    def figures(self) -> list[Figure]:
        """The stage's figures (records with their draws), in declared order."""
        return figures(DECLARATION, self.figure_draws())

    def metrics(self) -> dict[str, float]:
        """results.json's older flat keys of :meth:`figures`."""
        return flat(self.figures())

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

    def shipments(self) -> pd.DataFrame:
        """Huawei's phone shipments by year, with the rules: p05, p50, p95 (million units). Tidy."""
        iv = uncertainty.interval(self.outputs["phone_units_m"])
        return pd.DataFrame({"year": list(YEARS), "phone_units_m": iv["p50"], "phone_units_p05_m": iv["p05"],
                             "phone_units_p95_m": iv["p95"]})

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
