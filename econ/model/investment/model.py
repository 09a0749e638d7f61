"""The investment stage's model: Russia's 5G build-out (timing, coverage and capacity sites, prices,
core and data centres, financing) and the cost of removing banned kit, for each parameter set (see the
package's docstring)."""

from __future__ import annotations

import functools

import numpy as np

from econ.model.investment import vintage
from econ.model.investment.declaration import (
    BANDS,
    COMPONENTS,
    CORES,
    DAYS_PER_MONTH,
    NETWORKS,
    SECTORS_PER_SITE,
    VENDOR_CHOICES,
)
from econ.model.investment.inputs import (
    END_YEAR,
    START_YEAR,
    TIERS,
    YEARS,
    Inputs,
    budget_gap,
    capex_capacity,
    convert,
    nominal,
)
from econ.model.investment.results import InvestmentNeeds, Later
from econ.model.market_share import YEARS as SHARE_YEARS
from econ.model.market_share import removal_years, restrictions
from econ.model.market_share.choice import RUSSIAN_MADE, WESTERN
from econ.scenario import Scenario


def vendor_price_index(vendor_choice: str, mix: np.ndarray, p: dict, fx: np.ndarray | float = 1.0) -> np.ndarray:
    """Kit price relative to Huawei's at 2020 rates, per draw and year (n, Y), from the Russian vendor
    mix of new contracts (n, Y, V); "huawei" or "western" gives the non-Russian-made part to them.
    Imported kit's price moves with ``fx`` (n, Y), the real rouble cost of a dollar (:func:`imported_kit_fx`)."""
    fx = np.broadcast_to(np.asarray(fx, dtype=float), mix.shape[:-1])
    if vendor_choice == "market" and mix.ndim == 3:  # the common case, compiled: no (n, Y, V) temporaries
        from econ.model.investment import _kernel

        n = len(mix)
        return _kernel.market_price_index(mix, fx, WESTERN, RUSSIAN_MADE,
                                          np.broadcast_to(np.asarray(p["western_price_premium"], dtype=float), (n,)),
                                          np.broadcast_to(np.asarray(p["domestic_price_premium"], dtype=float), (n,)))
    price = np.ones_like(mix) * fx[..., None]
    price[..., WESTERN] *= 1 + p["western_price_premium"][:, None, None]
    price[..., RUSSIAN_MADE] = 1 + p["domestic_price_premium"][:, None]
    domestic = mix[..., RUSSIAN_MADE]
    if vendor_choice == "huawei":
        return domestic * price[..., RUSSIAN_MADE] + (1 - domestic) * fx
    if vendor_choice == "western":
        return domestic * price[..., RUSSIAN_MADE] + (1 - domestic) * fx * (1 + p["western_price_premium"][:, None])
    return (mix * price).sum(axis=-1)


def rub_per_usd(scenario: Scenario, inputs: Inputs) -> np.ndarray:
    """The rouble's nominal rate by model year (Y,): the scenario's path, or data/exchange_rates.csv;
    linear between points, held before the first (nominal, then real below) and after the last."""
    path = scenario.parameters.rub_per_usd_path
    if not path:
        rows = inputs.rates[inputs.rates["currency"] == "RUB"].sort_values("year")
        path = tuple(zip(rows["year"].astype(int), rows["units_per_usd"].astype(float)))
    xs, ys = np.array([x for x, _ in path], float), np.array([y for _, y in path], float)
    return np.interp(YEARS.astype(float), xs, ys)


def imported_kit_fx(scenario: Scenario, inputs: Inputs, p: dict) -> np.ndarray:
    """Real rouble cost of a dollar of imported kit relative to 2020 (n, Y): the nominal rate's
    ratio to 2020 times US over Russian prices. Kit is priced in dollars rising with US prices
    (``usd_inflation_rate``); capex is in constant 2020 roubles (``inflation_rate``). After the
    path's last year the real rate is held (the nominal rate moves with the inflation gap)."""
    rate = rub_per_usd(scenario, inputs)
    path = scenario.parameters.rub_per_usd_path
    last = max(x for x, _ in path) if path else int(inputs.rates[inputs.rates["currency"] == "RUB"]["year"].max())
    years = np.minimum(YEARS, max(last, START_YEAR)) - START_YEAR                     # held after the last point
    gap = ((1 + p["usd_inflation_rate"][:, None]) / (1 + p["inflation_rate"][:, None])) ** years[None, :]
    return rate[None, :] / rate[YEARS == START_YEAR][0] * gap


def coverage_sites(area_km2, site_km2, high_band_ratio, released):
    """Coverage sites per network by tier and year (n, T, Y), cumulative: a year's new area is built
    at the density of the band available that year (``released`` (Y,) for 3.4-3.8 GHz)."""
    from econ.model.investment import _kernel  # compiled: the same steps without (n, T, Y) temporaries

    n = len(area_km2)
    return _kernel.coverage_sites(area_km2, np.broadcast_to(site_km2, area_km2.shape[:2]),
                                  np.broadcast_to(np.asarray(high_band_ratio, dtype=float), (n,)),
                                  np.asarray(released, dtype=np.bool_))


def split_new_and_upgrades(sites, existing):
    """Sites added each year (n, T, Y) split into upgrades of existing sites (used first, up to
    ``existing``, cumulative) and new sites."""
    from econ.model.investment import _kernel  # compiled, year by year for each row

    years = sites.shape[-1]
    existing = np.broadcast_to(existing, sites.shape)
    new, upgrades = _kernel.split_new_and_upgrades(np.ascontiguousarray(sites, dtype=float).reshape(-1, years),
                                                   np.ascontiguousarray(existing, dtype=float).reshape(-1, years))
    return new.reshape(sites.shape), upgrades.reshape(sites.shape)


def russia_capex(inputs: Inputs, p: dict, scenario: Scenario, mix: np.ndarray, vendor_choice: str | None = None,
                 release_year: int | None = None) -> dict:
    """The build-out per draw: capex by component (n, C, Y) in real 2020 RUB bn, and the quantities.

    ``mix`` (n, Y, V) is the market-share stage's Russian vendor mix of new contracts, 2020-2030.
    """
    s = scenario.parameters
    sharing, launch = s.network_sharing, s.russia_5g_launch_year
    vendor_choice = vendor_choice or s.vendor_choice
    release_year = s.military_band_release_year if release_year is None else release_year
    k = NETWORKS[sharing]
    n = len(p["discount_rate"])
    released = YEARS >= release_year
    pop = inputs.tiers["population_m"].to_numpy()
    layers = {"first": p["first_layer_coverage_share"] * p["urban_coverage_share"], "full": p["urban_coverage_share"]}
    covered_pop = inputs.coverage_share(launch, layers) * pop[None, :, None]              # (n, T, Y)
    density = np.stack([p[f"density_{t}"] for t in TIERS], axis=1)
    area = covered_pop * 1e6 / density[:, :, None]
    factor = np.stack([np.ones(n)] + [p[f"area_factor_{t}"] for t in TIERS[1:]], axis=1)
    site_km2 = p["site_coverage_km2"][:, None] * factor
    per_network = coverage_sites(area, site_km2, p["high_band_site_ratio"], released)
    # Pilots before launch: test base stations in the largest cities (all networks together).
    pilots = np.cumsum(np.where(YEARS < launch, 1.0, 0.0))[None, :] * p["pilot_sites_per_year"][:, None]
    physical = k * per_network
    physical[:, 0] += pilots
    # Busy-hour traffic: subscribers spread over the covered population, never more than it.
    share_of_covered = covered_pop / np.maximum(covered_pop.sum(axis=1, keepdims=True), 1e-12)
    subs_m = np.minimum(inputs.subscribers_m(launch)[None, :], covered_pop.sum(axis=1))[:, None, :] * share_of_covered
    gb_month = p["traffic_gb_month"][:, None] * (1 + p["traffic_growth"][:, None]) ** (YEARS - START_YEAR)
    gbps_per_user = gb_month * 8 * p["busy_hour_share"][:, None] / DAYS_PER_MONTH / 3600
    traffic = subs_m * 1e6 * gbps_per_user[:, None, :]                                 # (n, T, Y), all networks
    mhz = inputs.band_mhz["4.4-4.99 GHz"] + np.where(released, inputs.band_mhz["3.4-3.8 GHz"], 0.0)
    full_site_gbps = SECTORS_PER_SITE * mhz * p["spectral_efficiency"][:, None] / 1000   # (n, Y): all spectrum
    # The coverage layer of every sharing mode carries per_network x full_site_gbps (pooled spectrum);
    # capacity beyond it is extra radio capacity, in full-spectrum site equivalents.
    extra = np.maximum.accumulate(np.maximum(traffic / full_site_gbps[:, None, :] - per_network, 0.0), axis=-1)
    existing = p["lte_sites_per_km2"][:, None, None] / factor[:, :, None] * area * (4 / k)
    new, upgrades = split_new_and_upgrades(physical, existing)
    index = vendor_price_index(vendor_choice, mix, p, imported_kit_fx(scenario, inputs, p))  # (n, Y)
    # A site's radio is sized for the spectrum its network carries: a shared network's site carries all
    # of it, an operator's own site its part, and radio cost rises less than in proportion to bandwidth.
    carried = mhz[None, :] / k / p["kit_reference_mhz"][:, None]                       # (n, Y), per site
    kit = inputs.site_cost_rub_m * inputs.equipment_share * index * carried ** p["radio_cost_bandwidth_elasticity"][:, None]
    civil = inputs.site_cost_rub_m * (1 - inputs.equipment_share) * p["site_cost_multiplier"][:, None]
    reference_kit = inputs.site_cost_rub_m * inputs.equipment_share * index
    capacity_cost = (reference_kit * mhz[None, :] / p["kit_reference_mhz"][:, None]
                     + p["upgrade_civil_share"][:, None] * civil)
    capex = np.zeros((n, len(COMPONENTS), len(YEARS)))
    if release_year <= END_YEAR:
        capex[:, 0, release_year - START_YEAR] = p["clearing_cost_rub_bn"] * p["spectrum_clearing_multiplier"]
    capex[:, 1] = new.sum(axis=1) * (kit + civil) / 1000
    capex[:, 2] = upgrades.sum(axis=1) * (kit + p["upgrade_civil_share"][:, None] * civil) / 1000
    capex[:, 3] = np.diff(extra.sum(axis=1), axis=-1, prepend=0.0) * capacity_cost / 1000
    # The core is built over the launch year and the next, by the operators' own (or the shared) network.
    core_years = ((YEARS == launch) | (YEARS == launch + 1)).astype(float)
    capex[:, 4] = CORES[sharing] * p["core_cost_rub_bn"][:, None] * index * 0.5 * core_years[None, :]
    added_gbps = np.maximum(np.diff(traffic.sum(axis=1), axis=-1, prepend=0.0), 0.0)
    capex[:, 5] = added_gbps * p["dc_cost_rub_m_per_gbps"][:, None] * index / 1000
    return {"capex": capex, "sites": physical, "new_sites": np.cumsum(new, axis=-1),
            "upgraded_sites": np.cumsum(upgrades, axis=-1), "coverage_sites": k * per_network,
            "capacity_site_equivalents": extra, "covered_pop_m": covered_pop, "area_km2": area,
            "traffic_gbps": traffic.sum(axis=1), "price_index": index}


def npv(flows: np.ndarray, rate, base_year: int = START_YEAR) -> np.ndarray:
    """Present value at ``base_year`` of yearly flows (n, Y) over :data:`YEARS` at ``rate`` (n,)."""
    factor = (1 + np.asarray(rate, dtype=float)[:, None]) ** (YEARS - base_year)
    return (flows / factor).sum(axis=-1)


UK, US = ("united_kingdom", "europe"), ("united_states", "north_america")


def _country(ban) -> str:
    if set(ban.places) & set(UK):
        return "uk"
    if set(ban.places) & set(US):
        return "us"
    return "other"


def rip_and_replace(scenario: Scenario, inputs: Inputs, p: dict, removed: np.ndarray) -> list[dict]:
    """Each ban with a removal deadline: gross swap cost and the cost it adds over the normal
    replacement path (:mod:`econ.model.investment.vintage`: kit retired before its life ends, given when
    it was installed, plus the replacement vendor's higher price), per draw (UK in GBP bn, the rest in
    USD bn, constant 2020 prices).

    ``removed`` (n, Y, B) is the installed value (USD bn) the market-share stage removes per ban.
    """
    rows = []
    all_in_ratio = 1 / inputs.equipment_share  # China Mobile's all-in site cost over its kit price
    exits_from = len(scenario.parameters.vendor_bans)
    for i, ban in enumerate(restrictions(scenario.parameters)):
        if ban.remove_by is None:
            continue
        start, end = removal_years(ban)
        country = _country(ban)
        parts = [(1.0, None)]  # steady state: installed evenly over the kit's life until the ban stopped it
        if country == "uk" and set(ban.parts) == {"ran"} and "huawei" in ban.vendors:
            sites = sum(p[f"uk_sites_{op}"] for op in ("bt", "vodafone", "three", "o2"))
            gross, method = sites * p["uk_swap_cost_gbp"] / 1e9, "operators' Huawei radio sites x swap cost per site"
            share_5g = np.asarray(p["uk_5g_value_share"], dtype=float)
            parts = [(share_5g, (inputs.uk_5g_first_year, float(ban.from_year))), (1 - share_5g, None)]
        elif country == "us" and {"huawei", "zte"} & set(ban.vendors):
            gross, method = p["us_base_usd_bn"], "carriers' filed replacement cost (FCC, Sep 2020)"
        else:
            gross = removed[:, :, i].sum(axis=1) * all_in_ratio
            if country == "uk":
                gross = convert(gross, "USD", "GBP", START_YEAR, inputs.rates)
            method = "installed value removed (market-share stage) x all-in cost per unit of kit"
        share = vintage.added_share(parts, start, end, p["equipment_life_years"], p["western_price_premium"],
                                    inputs.equipment_share, until=ban.from_year)
        gross = np.broadcast_to(gross, share["early"].shape).astype(float)
        rows.append({"ban": ban.label(exit=i >= exits_from), "country": country,
                     "method": method, "gross": gross, "early": gross * share["early"], "price": gross * share["price"],
                     "added": gross * (share["early"] + share["price"])})
    return rows


# --- the stage interface ----------------------------------------------------------------------------

def check(scenario: Scenario) -> None:
    """The inputs from data/ are checked when first read (named file and field)."""
    _inputs()


def draw_inputs(scenario: Scenario, n: int) -> dict[str, np.ndarray]:
    inputs = _inputs()
    return {k: inputs.draw(k, n, scenario.seed) for k in inputs.ranges}


def central_inputs(scenario: Scenario) -> dict[str, np.ndarray]:
    inputs = _inputs()
    return {k: inputs.central(k) for k in inputs.ranges}


def _headline(scenario: Scenario, inputs: Inputs, p: dict, russia: dict, rip: list[dict]) -> dict[str, np.ndarray]:
    """The headline figures per draw (names carry unit and basis)."""
    real = russia["capex"].sum(axis=1)
    nom = nominal(real, p["inflation_rate"])
    upto = {y: YEARS <= y for y in (2024, 2027, 2030)}
    capacity = capex_capacity(inputs, scenario, p, russia["equipment_shortfall"])
    gap = np.clip(budget_gap(real, capacity, scenario.parameters.russia_5g_launch_year), 0, None)
    n = len(real)
    costs = {f"{c}_{k}": np.zeros(n) for c in ("uk", "us", "other") for k in ("gross", "added")}
    for row in rip:
        costs[f"{row['country']}_gross"] = costs[f"{row['country']}_gross"] + row["gross"]
        costs[f"{row['country']}_added"] = costs[f"{row['country']}_added"] + row["added"]
    sites = russia["sites"].sum(axis=1)
    return {
        **{f"russia_5g_capex_rub_bn_2020_{y}": real[:, m].sum(axis=1) for y, m in upto.items()},
        **{f"russia_5g_capex_nominal_rub_bn_2020_{y}": nom[:, m].sum(axis=1) for y, m in upto.items()},
        "russia_5g_capex_usd_bn_2020_2024": convert(real[:, upto[2024]].sum(axis=1), "RUB", "USD", START_YEAR,
                                                    inputs.rates),
        "russia_5g_capex_npv_rub_bn": npv(real, p["discount_rate"]),
        "russia_5g_base_stations_thousand_2024": sites[:, YEARS == 2024][:, 0] / 1000,
        "russia_5g_sites_thousand_2030": sites[:, -1] / 1000,
        "russia_5g_financing_gap_rub_bn_2020_2024": gap[:, upto[2024]].sum(axis=1),
        "russia_5g_financing_gap_rub_bn_2020_2030": gap.sum(axis=1),
        "uk_rip_and_replace_gbp_bn": costs["uk_added"], "uk_rip_and_replace_gross_gbp_bn": costs["uk_gross"],
        "us_rip_and_replace_usd_bn": costs["us_added"], "us_rip_and_replace_gross_usd_bn": costs["us_gross"],
        "other_rip_and_replace_usd_bn": costs["other_added"],
    }


@functools.lru_cache(maxsize=1)
def _inputs() -> Inputs:
    return Inputs.load()


def _from_shares(shares: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The market-share stage's Russian vendor mix, removed value and the share of Russia's equipment
    orders no vendor could deliver, for this stage's years."""
    first = SHARE_YEARS.index(START_YEAR)
    return shares["russia_mix"][:, first:], shares["removed_usd_bn"][:, first:], shares["russia_shortfall"][:, first:]


def evaluate(scenario: Scenario, params: dict, upstream: dict) -> dict[str, np.ndarray]:
    """Headline metrics for each parameter set, from the market-share stage's outputs."""
    inputs = _inputs()
    mix, removed, short = _from_shares(upstream["market_share"])
    russia = {**russia_capex(inputs, params, scenario, mix), "equipment_shortfall": short}
    return _headline(scenario, inputs, params, russia, rip_and_replace(scenario, inputs, params, removed))


def assess(scenario: Scenario, params: dict, upstream: dict):
    """The stage's answer for one scenario's draws, with the band and vendor alternatives."""
    inputs = _inputs()
    mix, removed, short = _from_shares(upstream["market_share"].outputs)
    russia = {**russia_capex(inputs, params, scenario, mix), "equipment_shortfall": short}
    alternatives = Later(functools.partial(_alternatives, inputs, params, scenario, mix))
    rip = rip_and_replace(scenario, inputs, params, removed)
    return InvestmentNeeds(scenario, inputs, params, russia, alternatives, rip,
                           _headline(scenario, inputs, params, russia, rip))


def _alternatives(inputs, params: dict, scenario: Scenario, mix) -> dict:
    """Capex 2020-2030 by draw under each band and vendor choice (InvestmentNeeds.alternatives)."""
    return {(band, vendor): russia_capex(inputs, params, scenario, mix, vendor, year)["capex"].sum(axis=(1, 2))
            for band, year in BANDS.items() for vendor in VENDOR_CHOICES}
