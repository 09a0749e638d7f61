"""Investment needs: Russia's 5G build-out 2020-2030, how it compares with what the operators
spend, and the cost of ripping Huawei out where it is banned (the UK, US rural carriers).

Russia, per Monte Carlo draw (axis 0), population tier and year, in constant 2020 roubles:

* **Coverage.** Cities are sorted into tiers by population (million-plus first). Each tier's
  targets (data/russia_coverage_targets.csv: the roadmap's 10 million-plus cities by 2024, then
  labelled assumptions) ramp linearly; ``urban_coverage_share`` of a targeted city's population is
  covered, and its built-up area is that population over an assumed density.
* **Sites.** Coverage needs ``area / site area`` sites per network at 3.4-3.8 GHz and
  ``high_band_site_ratio`` times as many at 4.4-4.99 GHz, the band operators build on until the
  military's band is released (``military_band_release_year``); a year's new area is built on the
  band available that year. Capacity needs busy-hour traffic over what a three-sector site
  carries with the spectrum held. A network has the larger of the two, never fewer than before.
  Existing (LTE) sites are upgraded first, up to an assumed LTE site density in the covered
  area; the rest are new sites. With ``network_sharing`` "alone" four networks are built, "partial" two,
  "single" one; spectrum is pooled within a network, so sharing divides sites without changing
  a network's capacity per unit of traffic.
* **Cost per site.** China Mobile's all-in site cost is split into equipment (its Huawei unit
  price) and the rest (civil works, power, backhaul; times ``site_cost_multiplier``). Equipment
  is priced by vendor: Huawei, Ericsson/Nokia at ``western_price_premium`` above, Russian-made
  at ``domestic_price_premium`` above; the Russian-made share rises to ``domestic_share_target``
  by the roadmap's year and the rest follows ``vendor_choice``. An upgrade costs the equipment and
  a share of the rest.
* **Core and data centres.** One 5G core per operator (one in all for a single shared network),
  plus data-centre capacity per Gbps of busy-hour traffic added; **spectrum clearing** of
  3.4-3.8 GHz is paid in the release year.

Financing compares the capex with the operators' capex (latest reported; Beeline and Tele2
estimated from capex per subscriber) times GSMA's 5G share. The programme's present value
discounts real capex at the real ``discount_rate``; nominal figures apply ``inflation_rate``.

Rip-and-replace = installed base × replacement cost × (1 + early premium), where the premium is
``rip_replace_early_premium`` at the seven-year pace BT called ideal and scales with how much
shorter the window is (UK: 2021 to ``uk_removal_deadline``; US rural carriers: the Act's one year).

Numbers from the world are read from data/ (with their sources); ranges of data rows are drawn
as triangular(low, value, high) on their own seeded streams, like the scenario's parameters.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from econ import data, uncertainty
from econ._investment_inputs import (  # noqa: F401  (re-exported: the model's public inputs API)
    DATA_DRAWN,
    END_YEAR,
    OPERATORS,
    START_YEAR,
    TIERS,
    YEARS,
    Inputs,
    convert,
    coverage_targets,
    operator_capex,
    units_per_usd,
)
from econ.errors import InputError
from econ.scenario import Scenario

#: Networks built and 5G cores run, by sharing mode. "partial" is RAN sharing in two pairs with
#: each operator keeping its own core (a modelling choice, not a plan found in the sources).
NETWORKS = {"alone": 4, "partial": 2, "single": 1}
CORES = {"alone": 4, "partial": 4, "single": 1}
SECTORS_PER_SITE = 3  # the standard macro configuration (modelling constant)
DAYS_PER_MONTH = 365.25 / 12
BANDS = {"3.4-3.8 GHz": START_YEAR, "4.4-4.99 GHz": END_YEAR + 1}  # band label -> release year used
VENDORS = ("mixed", "huawei", "western")
COMPONENTS = ("spectrum clearing", "new sites", "site upgrades", "core network", "data centres")
REAL = "real, constant 2020 RUB"
DRAWN = ("spectrum_clearing_multiplier", "high_band_site_ratio", "site_coverage_km2", "urban_coverage_share",
         "traffic_growth", "domestic_share_target", "domestic_price_premium", "western_price_premium",
         "site_cost_multiplier", "discount_rate", "inflation_rate", "rip_replace_early_premium")

# --- the Russian build-out ----------------------------------------------------------------------

def vendor_price_index(vendor_choice: str, p: dict, inputs: Inputs) -> np.ndarray:
    """Equipment price relative to Huawei's, per draw and year (n, Y), with the Russian-made share
    rising linearly to its target by the roadmap's year."""
    ramp = np.clip((YEARS - START_YEAR) / (inputs.domestic_target_year - START_YEAR), 0, 1)
    domestic = p["domestic_share_target"][:, None] * ramp
    huawei = {"huawei": 1.0, "western": 0.0, "mixed": inputs.huawei_share_mixed}[vendor_choice]
    foreign = huawei + (1 - huawei) * (1 + p["western_price_premium"][:, None])
    return domestic * (1 + p["domestic_price_premium"][:, None]) + (1 - domestic) * foreign


def sites_needed(area_km2, site_km2, high_band_ratio, released, traffic_gbps, site_capacity_gbps):
    """Sites per network by tier and year (n, T, Y), cumulative: (all sites, sites for coverage).

    ``area_km2`` (n, T, Y) is the area covered by the end of each year, ``site_km2`` (n, T) the area
    one 3.4-3.8 GHz site covers, ``released`` (Y,) whether that band is available in each year (new
    area is otherwise built at ``high_band_ratio`` (n,) times the density), ``traffic_gbps`` (n, T, Y)
    busy-hour traffic of all networks together and ``site_capacity_gbps`` (n, 1, Y) what one site
    carries with all the spectrum (a network with 1/k of the traffic and 1/k of the spectrum needs
    the same number of sites). Sites are never removed, so the count is the running maximum of
    coverage and capacity needs.
    """
    added_area = np.diff(area_km2, axis=-1, prepend=0.0)
    density = np.where(released, 1.0, high_band_ratio[:, None])[:, None, :]           # (n, 1, Y)
    coverage = np.cumsum(added_area / site_km2[:, :, None] * density, axis=-1)
    capacity = traffic_gbps / site_capacity_gbps
    return np.maximum.accumulate(np.maximum(coverage, capacity), axis=-1), coverage


def split_new_and_upgrades(sites, existing):
    """Sites added each year (n, T, Y) split into upgrades of existing sites (used first, up to
    ``existing``, cumulative) and new sites."""
    added = np.diff(sites, axis=-1, prepend=0.0)
    upgrades = np.zeros_like(added)
    used = np.zeros(sites.shape[:-1])
    for y in range(sites.shape[-1]):
        upgrades[..., y] = np.minimum(added[..., y], np.maximum(existing[..., y] - used, 0.0))
        used = used + upgrades[..., y]
    return added - upgrades, upgrades


def site_capex(new, upgrades, new_cost_rub_m, upgrade_cost_rub_m, networks: int):
    """Capex on new sites and on upgrades (n, Y), RUB bn, from sites added per network by tier and year
    (n, T, Y) and costs per site by year (n, Y), RUB m."""
    return (networks * new.sum(axis=1) * new_cost_rub_m / 1000,
            networks * upgrades.sum(axis=1) * upgrade_cost_rub_m / 1000)


def russia_capex(inputs: Inputs, p: dict, sharing: str, vendor_choice: str, release_year: int) -> dict:
    """The build-out per draw: capex by component (n, C, Y) in real 2020 RUB bn, and the quantities.

    ``p`` holds the drawn parameters (:data:`DRAWN`) and data ranges (:data:`DATA_DRAWN`), each (n,).
    """
    k = NETWORKS[sharing]
    released = YEARS >= release_year
    pop = inputs.tiers["population_m"].to_numpy()
    covered_pop = inputs.coverage_share[None] * pop[None, :, None] * p["urban_coverage_share"][:, None, None]
    density = np.stack([p[f"density_{t}"] for t in TIERS], axis=1)                       # (n, T)
    area = covered_pop * 1e6 / density[:, :, None]
    factor = np.stack([np.ones_like(p["site_coverage_km2"])] + [p[f"area_factor_{t}"] for t in TIERS[1:]], axis=1)
    site_km2 = p["site_coverage_km2"][:, None] * factor
    # Busy-hour traffic: subscribers spread over the covered population, never more than it.
    share_of_covered = covered_pop / np.maximum(covered_pop.sum(axis=1, keepdims=True), 1e-12)
    subs_m = np.minimum(inputs.subscribers_m[None, :], covered_pop.sum(axis=1))[:, None, :] * share_of_covered
    gb_month = p["traffic_gb_month"][:, None] * (1 + p["traffic_growth"][:, None]) ** (YEARS - START_YEAR)
    gbps_per_user = gb_month * 8 * p["busy_hour_share"][:, None] / DAYS_PER_MONTH / 3600
    traffic = subs_m * 1e6 * gbps_per_user[:, None, :]                                   # (n, T, Y), all networks
    # Each network holds 1/k of the spectrum and carries 1/k of the traffic: per-network sites are
    # traffic over a site's capacity with all the spectrum. After release both bands are held.
    mhz = inputs.band_mhz["4.4-4.99 GHz"] + np.where(released, inputs.band_mhz["3.4-3.8 GHz"], 0.0)
    site_gbps = SECTORS_PER_SITE * mhz * p["spectral_efficiency"][:, None] / 1000       # (n, Y)
    sites, coverage = sites_needed(area, site_km2, p["high_band_site_ratio"], released, traffic,
                                   site_gbps[:, None, :])
    # Existing masts a network can upgrade: one operator's LTE grid in the covered area.
    existing = p["lte_sites_per_km2"][:, None, None] / factor[:, :, None] * area
    new, upgrades = split_new_and_upgrades(sites, existing)
    index = vendor_price_index(vendor_choice, p, inputs)                               # (n, Y)
    equipment = inputs.site_cost_rub_m * inputs.equipment_share * index
    rest = inputs.site_cost_rub_m * (1 - inputs.equipment_share) * p["site_cost_multiplier"][:, None]
    new_cost = equipment + rest
    upgrade_cost = equipment + p["upgrade_civil_share"][:, None] * rest
    capex = np.zeros((len(p["discount_rate"]), len(COMPONENTS), len(YEARS)))
    if release_year <= END_YEAR:
        capex[:, 0, release_year - START_YEAR] = p["clearing_cost_rub_bn"] * p["spectrum_clearing_multiplier"]
    capex[:, 1], capex[:, 2] = site_capex(new, upgrades, new_cost, upgrade_cost, k)
    # The core is built over the launch year and the next, by the operators' own (or the shared) network.
    launched = sites.sum(axis=1) > 0
    first = launched & ~np.concatenate([np.zeros((len(launched), 1), bool), launched[:, :-1]], axis=1)
    second = np.concatenate([np.zeros((len(first), 1), bool), first[:, :-1]], axis=1)
    capex[:, 3] = CORES[sharing] * p["core_cost_rub_bn"][:, None] * index * 0.5 * (first | second)
    added_gbps = np.maximum(np.diff(traffic.sum(axis=1), axis=-1, prepend=0.0), 0.0)
    capex[:, 4] = added_gbps * p["dc_cost_rub_m_per_gbps"][:, None] * index / 1000
    return {"capex": capex, "sites": k * sites, "new_sites": k * np.cumsum(new, axis=-1),
            "upgraded_sites": k * np.cumsum(upgrades, axis=-1), "coverage_sites": k * coverage,
            "covered_pop_m": covered_pop, "area_km2": area, "traffic_gbps": traffic.sum(axis=1), "price_index": index}


def npv(flows: np.ndarray, rate, base_year: int = START_YEAR) -> np.ndarray:
    """Present value at ``base_year`` of yearly flows (n, Y) over :data:`YEARS` at ``rate`` (n,)."""
    factor = (1 + np.asarray(rate, dtype=float)[:, None]) ** (YEARS - base_year)
    return (flows / factor).sum(axis=-1)


def nominal(real: np.ndarray, inflation) -> np.ndarray:
    """Real constant-2020 flows (n, ..., Y) in nominal terms at ``inflation`` (n,) a year."""
    infl = np.asarray(inflation, dtype=float).reshape((-1,) + (1,) * (real.ndim - 1))
    return real * (1 + infl) ** (YEARS - START_YEAR)


# --- rip and replace ------------------------------------------------------------------------------

def rip_and_replace(installed_units, unit_cost, early_premium, window_years, orderly_years) -> dict:
    """Cost of removing installed kit and replacing it within ``window_years``.

    The replacement at normal pace is installed units × all-in replacement cost per unit; doing it
    early adds ``early_premium`` of that at the ``orderly_years`` pace, scaled by
    ``orderly_years / window_years`` (a labelled assumption: the same work in half the time needs
    twice the crews at spot rates and strands twice as much kit). Returns arrays of the inputs'
    shape under "replacement" and "early premium".
    """
    if np.any(np.asarray(window_years) < 1):
        raise ValueError("the removal window must be at least one year")
    normal = np.asarray(installed_units, dtype=float) * np.asarray(unit_cost, dtype=float)
    return {"replacement": normal, "early premium": normal * early_premium * orderly_years / window_years}


def rip_and_replace_costs(inputs: Inputs, p: dict, uk_deadline: int) -> dict:
    """UK (GBP bn) and US rural carriers (USD bn), constant 2020 prices, per draw."""
    uk_sites = sum(p[f"uk_sites_{op}"] for op in ("bt", "vodafone", "three", "o2"))
    uk_window = uk_deadline - inputs.rip_item("uk", "removal_start_year") + 1
    uk = rip_and_replace(uk_sites, p["uk_swap_cost_gbp"] / 1e9, p["rip_replace_early_premium"], uk_window,
                         inputs.rip_item("uk", "orderly_removal_years"))
    # The US filing already values the installed base at replacement cost: one "unit" of USD bn.
    us = rip_and_replace(1.0, p["us_base_usd_bn"], p["rip_replace_early_premium"],
                         inputs.rip_item("us", "removal_window_years"), inputs.rip_item("uk", "orderly_removal_years"))
    return {"uk": uk, "us": us}


# --- the scenario-facing view ---------------------------------------------------------------------

def check_scenario(scenario: Scenario, inputs: Inputs) -> None:
    """Parameter combinations the declared ranges cannot catch."""
    start = int(inputs.rip_item("uk", "removal_start_year"))
    deadline = scenario.parameters.uk_removal_deadline
    if deadline < start:
        file = scenario.set_in.get("uk_removal_deadline", scenario.files[0] if scenario.files else "scenario")
        raise InputError.single(file, "parameters.uk_removal_deadline", f"{deadline} is before the start year of "
                                f"UK removal ({start}, data/rip_and_replace.csv); allowed {start}-2035")


def draw_params(scenario: Scenario, inputs: Inputs, n: int) -> dict[str, np.ndarray]:
    p = {k: uncertainty.draw(scenario.value(k), n, scenario.seed, k) for k in DRAWN}
    p.update({k: inputs.draw(k, n, scenario.seed) for k in DATA_DRAWN})
    return p


def central_params(scenario: Scenario, inputs: Inputs) -> dict[str, np.ndarray]:
    p = {k: np.array([uncertainty.central(scenario.value(k))]) for k in DRAWN}
    p.update({k: inputs.central(k) for k in DATA_DRAWN})
    return p


def capex_capacity(inputs: Inputs) -> float:
    """The four operators' 5G capex capacity a year: their capex times GSMA's 5G share (real 2020 RUB bn)."""
    return float(inputs.operator_capex["capex_rub_bn"].sum() * inputs.capex_5g_share)


def _headline(inputs: Inputs, params: dict, russia: dict, rip: dict) -> dict[str, np.ndarray]:
    """The headline figures per draw (names carry unit and basis)."""
    real = russia["capex"].sum(axis=1)
    nom = nominal(real, params["inflation_rate"])
    upto = {y: YEARS <= y for y in (2024, 2027, 2030)}
    gap = np.clip(real - capex_capacity(inputs), 0, None)
    return {
        **{f"russia_5g_capex_rub_bn_2020_{y}": real[:, m].sum(axis=1) for y, m in upto.items()},
        **{f"russia_5g_capex_nominal_rub_bn_2020_{y}": nom[:, m].sum(axis=1) for y, m in upto.items()},
        "russia_5g_capex_usd_bn_2020_2024": convert(real[:, upto[2024]].sum(axis=1), "RUB", "USD", START_YEAR,
                                                    inputs.rates),
        "russia_5g_capex_npv_rub_bn": npv(real, params["discount_rate"]),
        "russia_5g_sites_thousand_2030": russia["sites"][:, :, -1].sum(axis=1) / 1000,
        "russia_5g_financing_gap_rub_bn_2020_2024": gap[:, upto[2024]].sum(axis=1),
        "russia_5g_financing_gap_rub_bn_2020_2030": gap.sum(axis=1),
        "uk_rip_and_replace_gbp_bn": sum(rip["uk"].values()),
        "us_rip_and_replace_usd_bn": sum(rip["us"].values()),
    }


#: Headline metrics for sensitivity analysis and sweeps (see :func:`evaluate`).
METRICS = ("russia_5g_capex_rub_bn_2020_2024", "russia_5g_capex_rub_bn_2020_2027", "russia_5g_capex_npv_rub_bn",
           "uk_rip_and_replace_gbp_bn", "us_rip_and_replace_usd_bn")


@functools.lru_cache(maxsize=1)
def _inputs() -> Inputs:
    return Inputs.load()


def evaluate(scenario: Scenario, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Headline metrics for each parameter set: ``params`` maps each name in DRAWN to an (n,) array.

    The fast path for sensitivity analysis and sweeps. Ranged data rows (DATA_DRAWN) are held at
    their central values: only scenario parameters move.
    """
    inputs = _inputs()
    check_scenario(scenario, inputs)
    s = scenario.parameters
    n = len(next(iter(params.values())))
    p = {k: np.asarray(v, dtype=float) for k, v in params.items()}
    p.update({k: np.full(n, float(np.ravel(inputs.central(k))[0])) for k in DATA_DRAWN})
    russia = russia_capex(inputs, p, s.network_sharing, s.vendor_choice, s.military_band_release_year)
    values = _headline(inputs, p, russia, rip_and_replace_costs(inputs, p, s.uk_removal_deadline))
    return {k: values[k] for k in METRICS}


def _iv(x) -> dict:
    return uncertainty.interval(np.asarray(x))


@dataclass(frozen=True)
class InvestmentNeeds:
    """The investment model's answer for one scenario: draws and their summaries."""

    scenario: Scenario
    inputs: Inputs
    params: dict
    russia: dict
    alternatives: dict   # (band, vendor) -> capex draws (n,), 2020-2030 total, real
    rip: dict

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

    def capacity(self) -> float:
        """The four operators' 5G capex capacity a year, real 2020 RUB bn."""
        return capex_capacity(self.inputs)

    def metrics(self) -> dict[str, float]:
        """p50 and _p05/_p95 of the headline figures (names carry unit and basis)."""
        values = _headline(self.inputs, self.params, self.russia, self.rip)
        out = {}
        for name, x in values.items():
            iv = _iv(x)
            out.update({name: iv["p50"], f"{name}_p05": iv["p05"], f"{name}_p95": iv["p95"]})
        return out

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
        gap = _iv(self.capex - cap)
        cum = _iv(np.cumsum(self.capex - cap, axis=1))
        need = _iv(self.capex)
        return pd.DataFrame({"year": YEARS, "capex_rub_bn": need["p50"], "capacity_rub_bn": cap,
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
        return pd.DataFrame([
            {"estimate": "this model, Russia, 2020-2025 (median)", "capex_5g_usd_bn": iv["p50"],
             "p05": iv["p05"], "p95": iv["p95"], "basis": "real, 2020 prices and exchange rates"},
            {"estimate": "GSMA 2020 edition, Russia & CIS, 2020-2025", "capex_5g_usd_bn":
             plan["gsma_capex_2020_2025"] * plan["gsma_capex_5g_share_2020_2025"], "p05": np.nan, "p95": np.nan,
             "basis": "nominal USD; 57% of USD 25bn"},
            {"estimate": "GSMA 2019 edition, 2019-2025", "capex_5g_usd_bn":
             plan["gsma_capex_2019_2025"] * plan["gsma_capex_5g_share_2019_2025"], "p05": np.nan, "p95": np.nan,
             "basis": "nominal USD; about 70% of USD 39bn (region unclear)"}])

    def rip_and_replace_by_country(self) -> pd.DataFrame:
        """Model cost by country and component (local currency and USD at 2020 rates, constant 2020
        prices) with p05/p95 of the total, and the published estimates as benchmark rows. Tidy."""
        rates, rows = self.inputs.rates, []
        currency = {"uk": "GBP", "us": "USD"}
        names = {"uk": "UK: Huawei RAN sites, removed by the deadline", "us": "US: rural carriers in the FCC programme"}
        for country, parts in self.rip.items():
            total = _iv(sum(parts.values()))
            for comp, x in parts.items():
                local = float(np.median(x))
                rows.append({"country": names[country], "kind": "model", "estimate": comp, "cost_local_bn": local,
                             "currency": currency[country],
                             "cost_usd_bn": convert(local, currency[country], "USD", START_YEAR, rates),
                             "total_p05_usd_bn": convert(total["p05"], currency[country], "USD", START_YEAR, rates),
                             "total_p95_usd_bn": convert(total["p95"], currency[country], "USD", START_YEAR, rates)})
        bench = self.inputs.rip[self.inputs.rip["role"] == "benchmark"]
        for r in bench.itertuples():
            label = r.item.removeprefix("published_").replace("_", " ")
            rows.append({"country": names[r.country], "kind": "published", "estimate": f"{label} ({r.year})",
                         "cost_local_bn": r.value, "currency": currency[r.country],
                         "cost_usd_bn": convert(r.value, currency[r.country], "USD", START_YEAR, rates),
                         "total_p05_usd_bn": np.nan, "total_p95_usd_bn": np.nan})
        return pd.DataFrame(rows)


def assess(scenario: Scenario, n: int = 10_000, inputs: Inputs | None = None) -> InvestmentNeeds:
    """Run the investment model for ``scenario`` over ``n`` seeded draws (inputs checked first)."""
    inputs = inputs or Inputs.load()
    check_scenario(scenario, inputs)
    s = scenario.parameters
    p = draw_params(scenario, inputs, n)
    russia = russia_capex(inputs, p, s.network_sharing, s.vendor_choice, s.military_band_release_year)
    alternatives = {(band, vendor): russia_capex(inputs, p, s.network_sharing, vendor, year)["capex"].sum(axis=(1, 2))
                    for band, year in BANDS.items() for vendor in VENDORS}
    return InvestmentNeeds(scenario, inputs, p, russia, alternatives,
                           rip_and_replace_costs(inputs, p, s.uk_removal_deadline))
