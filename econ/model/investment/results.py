"""The investment stage's answer for one scenario: draws and the breakdowns notebook 03 shows."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from econ import data, uncertainty
from econ.model.investment.declaration import COMPONENTS, DECLARATION, REAL
from econ.model.investment.inputs import (
    DATA_DRAWN,
    START_YEAR,
    TIERS,
    YEARS,
    Inputs,
    budget_gap,
    capex_capacity,
    convert,
    nominal,
    operator_capex_path,
)
from econ.model.stage import Figure, figures, flat
from econ.scenario import Scenario


def _iv(x) -> dict:
    return uncertainty.interval(np.asarray(x))


class Later(Mapping):
    """A mapping made by ``make`` when first read: the band and vendor alternatives (six more runs of the
    Russian build-out) cost more than the rest of the stage, and only notebook 03's table reads them."""

    def __init__(self, make: Callable[[], dict]):
        self._make, self._made = make, None

    def _found(self) -> dict:
        if self._made is None:
            self._made = self._make()
        return self._made

    def __getitem__(self, key):
        return self._found()[key]

    def __iter__(self) -> Iterator:
        return iter(self._found())

    def __len__(self) -> int:
        return len(self._found())


@dataclass(frozen=True)
class InvestmentNeeds:
    """The investment model's answer for one scenario: draws and their summaries."""

    scenario: Scenario
    inputs: Inputs
    params: dict
    russia: dict
    alternatives: Mapping  # (band, vendor) -> capex draws (n,), 2020-2030 total, real (made when first read)
    rip: list            # per ban with a removal deadline (econ.model.investment.rip_and_replace)
    values: dict         # headline figures per draw

    @property
    def outputs(self) -> dict:
        return {}

    @property
    def source(self) -> str:
        """Citation for the Russian build-out's charts."""
        return f"{self.inputs.source}; workbook model"

    @property
    def rip_source(self) -> str:
        """Citation for the rip-and-replace chart."""
        return f"{self.inputs.rip_source}; workbook model"

    @property
    def capex(self) -> np.ndarray:
        """Total capex per draw and year (n, Y), real 2020 RUB bn."""
        return self.russia["capex"].sum(axis=1)

    def operator_capex(self) -> np.ndarray:
        """Each operator's capex by draw and year (n, O, Y), real 2020 RUB bn: the path the 5G budget
        is a share of (:func:`~econ.model.investment.operator_capex_path`)."""
        return operator_capex_path(self.inputs, self.params, self.russia["equipment_shortfall"],
                                   self.scenario.parameters.russia_equipment_share_of_capex)

    def capacity(self) -> np.ndarray:
        """The four operators' 5G budget by draw and year from launch (n, Y), real 2020 RUB bn."""
        return capex_capacity(self.inputs, self.scenario, self.params, self.russia["equipment_shortfall"])

    def figure_draws(self) -> dict:
        return self.values

    def figures(self) -> list[Figure]:
        """The stage's figures (records with their draws), in declared order."""
        return figures(DECLARATION, self.figure_draws())

    def metrics(self) -> dict[str, float]:
        """results.json's older flat keys of :meth:`figures`."""
        return flat(self.figures())

    def fan(self) -> pd.DataFrame:
        """Russia's 5G capex by year over the draws: p05, p25, p50, p75, p95 (real 2020 RUB bn)."""
        return pd.DataFrame(uncertainty.fan(self.capex, YEARS)).assign(metric=f"russia_5g_capex_rub_bn ({REAL})")

    def capex_by_year_component(self) -> pd.DataFrame:
        """Median capex by year and component (RUB bn), real and nominal, with p05/p95. Tidy.

        Medians of parts need not add up to the median total (see :meth:`metrics`)."""
        real = self.russia["capex"]
        nom = nominal(real, self.params["inflation_rate"])
        rows = []
        for c, comp in enumerate(COMPONENTS):
            r, nm = _iv(real[:, c]), _iv(nom[:, c])
            for y, year in enumerate(YEARS):
                rows.append({"year": int(year), "component": comp, "capex_rub_bn": r["p50"][y],
                             "capex_p05_rub_bn": r["p05"][y], "capex_p95_rub_bn": r["p95"][y],
                             "capex_nominal_rub_bn": nm["p50"][y], "basis": REAL})
        return pd.DataFrame(rows)

    def by_band_and_vendor(self) -> pd.DataFrame:
        """Capex 2020-2030 (real 2020 RUB bn) under each band and vendor choice, the scenario's other
        settings unchanged: p05, p50, p95."""
        rows = []
        for (band, vendor), x in self.alternatives.items():
            iv = _iv(x)
            rows.append({"band": band, "vendor": vendor, "capex_rub_bn": iv["p50"], "capex_p05_rub_bn": iv["p05"],
                         "capex_p95_rub_bn": iv["p95"], "basis": REAL})
        return pd.DataFrame(rows)

    def financing_gap(self) -> pd.DataFrame:
        """Capex need against the operators' 5G capex capacity by year (real 2020 RUB bn). Tidy.

        Positive gap: more capex than the operators' usual 5G budget."""
        cap = self.capacity()
        short = budget_gap(self.capex, cap, self.scenario.parameters.russia_5g_launch_year)
        gap = _iv(short)
        cum = _iv(np.cumsum(short, axis=1))
        need = _iv(self.capex)
        return pd.DataFrame({"year": YEARS, "capex_rub_bn": need["p50"], "capacity_rub_bn": _iv(cap)["p50"],
                             "gap_rub_bn": gap["p50"], "gap_p05_rub_bn": gap["p05"], "gap_p95_rub_bn": gap["p95"],
                             "cumulative_gap_rub_bn": cum["p50"], "basis": REAL})

    def coverage(self) -> pd.DataFrame:
        """Medians by tier and year: population and built-up area covered, and sites of all networks
        (total, of which needed for coverage alone, new and upgraded existing sites). Tidy."""
        r, pop = self.russia, self.inputs.tiers["population_m"].to_numpy()
        med = {k: np.median(r[k], axis=0) for k in ("covered_pop_m", "area_km2", "sites", "coverage_sites",
                                                     "new_sites", "upgraded_sites")}
        return pd.DataFrame([{
            "year": int(year), "tier": tier, "covered_population_m": med["covered_pop_m"][t, y],
            "population_share_covered": med["covered_pop_m"][t, y] / pop[t], "covered_area_km2": med["area_km2"][t, y],
            "sites_thousand": med["sites"][t, y] / 1000, "coverage_sites_thousand": med["coverage_sites"][t, y] / 1000,
            "new_sites_thousand": med["new_sites"][t, y] / 1000,
            "upgraded_sites_thousand": med["upgraded_sites"][t, y] / 1000}
            for t, tier in enumerate(TIERS) for y, year in enumerate(YEARS)])

    def data_inputs(self) -> pd.DataFrame:
        """The data rows drawn over their ranges (value = mode of a triangular draw): name, value,
        low, high, p05-p95 of the draws, source and quality."""
        tables = {"five_g_costs": data.defaults("five_g_costs"), "russia_5g_plan": data.defaults("russia_5g_plan"),
                  "rip_and_replace": self.inputs.rip}
        rows = []
        for name, (ds, first, second) in DATA_DRAWN.items():
            value, low, high = self.inputs.ranges[name]
            frame = tables[ds]
            row = (frame[(frame["parameter"] == first) & (frame["geography"] == second)] if ds == "five_g_costs"
                   else frame[(frame["country"] == first) & (frame["item"] == second)] if ds == "rip_and_replace"
                   else frame[frame["item"] == first]).iloc[0]
            iv = _iv(self.params[name])
            rows.append({"input": name, "file": f"data/{ds}.csv", "value": value, "low": low, "high": high,
                         "unit": row["unit"], "p05": iv["p05"], "p95": iv["p95"], "source_id": row["source_id"],
                         "quality": row["quality"]})
        return pd.DataFrame(rows)

    def benchmarks(self) -> pd.DataFrame:
        """The model's 2020-2025 capex beside GSMA's published 5G capex estimates (USD bn at 2020
        rates; GSMA's are nominal and for Russia and the CIS, so a rough check only)."""
        plan = data.defaults("russia_5g_plan").set_index("item")["value"]
        capex = convert(self.capex[:, YEARS <= 2025].sum(axis=1), "RUB", "USD", START_YEAR, self.inputs.rates)
        iv = _iv(capex)
        launch = self.scenario.parameters.russia_5g_launch_year
        when = (f"commercial 5G from {launch}" if launch <= 2025 else
                f"commercial 5G only from {launch}, so 2020-2025 is pilots")
        return pd.DataFrame([
            {"estimate": "this model, Russia, 2020-2025 (median)", "capex_5g_usd_bn": iv["p50"],
             "p05": iv["p05"], "p95": iv["p95"], "basis": f"real, 2020 prices and exchange rates; {when}"},
            {"estimate": "GSMA 2020 edition, Russia & CIS, 2020-2025", "capex_5g_usd_bn":
             plan["gsma_capex_2020_2025"] * plan["gsma_capex_5g_share_2020_2025"], "p05": np.nan, "p95": np.nan,
             "basis": "nominal USD; 57% of USD 25bn; a 2020 forecast, made before Russia's launch slipped"},
            {"estimate": "GSMA 2019 edition, 2019-2025", "capex_5g_usd_bn":
             plan["gsma_capex_2019_2025"] * plan["gsma_capex_5g_share_2019_2025"], "p05": np.nan, "p95": np.nan,
             "basis": "nominal USD; about 70% of USD 39bn (region unclear); a 2019 forecast"}])

    def rip_and_replace(self) -> pd.DataFrame:
        """Each ban with a removal deadline: gross swap cost and what it adds over normal replacement
        (p05/p50/p95, local currency bn, constant 2020 prices), and the published estimates beside
        the UK and US. Tidy; an empty frame when the scenario has no removal deadline."""
        currency = {"uk": "GBP", "us": "USD", "other": "USD"}
        names = {"uk": "UK", "us": "US", "other": "elsewhere"}
        rows = []
        for r in self.rip:
            labels = {"gross": "gross swap cost", "added": "cost added over normal replacement",
                      "early": "of which: life left in kit retired early",
                      "price": "of which: replacement vendor's higher price"}
            for kind, label in labels.items():
                iv = _iv(r[kind])
                rows.append({"country": names[r["country"]], "ban": r["ban"], "kind": "model", "estimate": label,
                             "cost_bn": iv["p50"], "cost_p05_bn": iv["p05"], "cost_p95_bn": iv["p95"],
                             "currency": currency[r["country"]], "method": r["method"]})
        if rows:
            bench = self.inputs.rip[self.inputs.rip["role"] == "benchmark"]
            shown = {row["country"] for row in rows}
            for b in bench.itertuples():
                if names[b.country] in shown:
                    label = b.item.removeprefix("published_").replace("_", " ")
                    rows.append({"country": names[b.country], "ban": "", "kind": "published",
                                 "estimate": f"{label} ({b.year})", "cost_bn": b.value, "cost_p05_bn": np.nan,
                                 "cost_p95_bn": np.nan, "currency": currency[b.country], "method": b.note})
        columns = ["country", "ban", "kind", "estimate", "cost_bn", "cost_p05_bn", "cost_p95_bn", "currency", "method"]
        return pd.DataFrame(rows, columns=columns)

    def against_roadmap(self) -> pd.DataFrame:
        """5G base stations of all networks by 2024 beside the 2020 roadmap's 10,000 (a plan, not an outcome)."""
        plan = data.defaults("russia_5g_plan").set_index("item")["value"]
        iv = _iv(self.russia["sites"].sum(axis=1)[:, YEARS == 2024][:, 0])
        return pd.DataFrame([{"quantity": "5G base stations, end-2024", "roadmap": plan["base_stations_5g"],
                              "model": iv["p50"], "model_p05": iv["p05"], "model_p95": iv["p95"]}])
