"""Inputs of the investment model (:mod:`econ.model.investment`): everything it takes from data/,
checked before any computation, and the currency conversions it uses.

Private: import the public names from :mod:`econ.model.investment`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from econ import data, uncertainty
from econ.errors import InputError

START_YEAR, END_YEAR = 2020, 2030
YEARS = np.arange(START_YEAR, END_YEAR + 1)
TIERS = tuple(data.TIERS)
#: Tier floors in million people: definitions of the tiers, not data.
TIER_FLOORS_M = {"million_plus": 1.0, "cities_500k_1m": 0.5}
OPERATORS = ("mts", "megafon", "beeline", "tele2")
#: Data rows drawn over their low-high range: name -> (dataset, key column values).
DATA_DRAWN = {
    "density_million_plus": ("five_g_costs", "population_density_covered_area", "russia_million_plus"),
    "density_cities_500k_1m": ("five_g_costs", "population_density_covered_area", "russia_cities_500k_1m"),
    "density_other_urban": ("five_g_costs", "population_density_covered_area", "russia_other_urban"),
    "area_factor_cities_500k_1m": ("five_g_costs", "site_area_factor", "russia_cities_500k_1m"),
    "area_factor_other_urban": ("five_g_costs", "site_area_factor", "russia_other_urban"),
    "lte_sites_per_km2": ("five_g_costs", "lte_site_density", "russia_million_plus"),
    "upgrade_civil_share": ("five_g_costs", "upgrade_civil_share", "russia"),
    "traffic_gb_month": ("five_g_costs", "traffic_per_5g_user_gb_month", "russia"),
    "busy_hour_share": ("five_g_costs", "busy_hour_share_of_daily_traffic", "world"),
    "spectral_efficiency": ("five_g_costs", "effective_spectral_efficiency", "world"),
    "core_cost_rub_bn": ("five_g_costs", "core_network_cost", "russia"),
    "dc_cost_rub_m_per_gbps": ("five_g_costs", "data_centre_cost_per_gbps", "russia"),
    "clearing_cost_rub_bn": ("russia_5g_plan", "spectrum_clearing_cost_3400_3800mhz", None),
    "uk_sites_bt": ("rip_and_replace", "uk", "huawei_ran_sites_bt"),
    "uk_sites_vodafone": ("rip_and_replace", "uk", "huawei_ran_sites_vodafone"),
    "uk_sites_three": ("rip_and_replace", "uk", "huawei_ran_sites_three"),
    "uk_sites_o2": ("rip_and_replace", "uk", "huawei_ran_sites_o2"),
    "uk_swap_cost_gbp": ("rip_and_replace", "uk", "site_swap_cost"),
    "uk_5g_value_share": ("rip_and_replace", "uk", "kit_5g_value_share"),
    "us_base_usd_bn": ("rip_and_replace", "us", "replacement_cost_filed"),
    "pilot_sites_per_year": ("russia_5g_plan", "pilot_base_stations_per_year", None),
    "kit_reference_mhz": ("five_g_costs", "kit_reference_bandwidth", "china"),
}


# --- currencies ---------------------------------------------------------------------------------

def units_per_usd(rates: pd.DataFrame, currency: str, year: int) -> float:
    """Currency units per USD in ``year``: the annual average, or after the data the last observed
    year's (an assumption: no exchange-rate forecast). USD is 1."""
    if currency == "USD":
        return 1.0
    rows = rates[rates["currency"] == currency].set_index("year")["units_per_usd"]
    if rows.empty or year < rows.index.min():
        raise InputError.single("data/exchange_rates.csv", "currency",
                                f"no {currency} rate for {year}; have {sorted(rows.index)}")
    return float(rows[rows.index <= year].sort_index().iloc[-1])


def convert(amount, from_currency: str, to_currency: str, year: int, rates: pd.DataFrame):
    """``amount`` in ``from_currency`` expressed in ``to_currency`` at ``year``'s average rates."""
    return amount / units_per_usd(rates, from_currency, year) * units_per_usd(rates, to_currency, year)


# --- inputs -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Inputs:
    """Everything the model takes from data/, checked. Built by :meth:`load`; model functions only
    read it."""

    tiers: pd.DataFrame          # tier, cities, population_m
    targets: pd.DataFrame        # data/russia_coverage_targets.csv, in the 2020 plan's years
    city_tiers: dict             # tier -> city populations, largest first
    ranges: dict                 # name -> (value, low, high) of drawn data values
    site_cost_rub_m: float       # Huawei all-in cost of a new site, 2020 RUB m
    equipment_share: float       # equipment share of that cost
    band_mhz: dict               # band label -> MHz
    subscriber_plan: tuple       # (years, millions): the roadmap's 5G subscribers, from the planned launch
    planned_launch_year: int     # the year the 2020 plans put commercial 5G (targets are relative to it)
    capex_5g_share: float        # GSMA: share of operator capex going to 5G
    operator_capex: pd.DataFrame  # operator, capex_rub_bn, capex_year, basis, revenue_rub_bn, revenue_year
    rip: pd.DataFrame
    uk_5g_first_year: float      # first year Huawei 5G radios went into UK sites
    rates: pd.DataFrame
    source: str                  # citation of the rows behind the Russian build-out
    rip_source: str              # ... and behind rip-and-replace

    @classmethod
    def load(cls) -> Inputs:
        costs = data.defaults("five_g_costs")
        plan = data.defaults("russia_5g_plan")
        rip = data.load("rip_and_replace")
        targets = data.load("russia_coverage_targets")
        cities = data.load("russia_cities")
        rates = data.load("exchange_rates")
        tiers, city_tiers = _tiers(cities)
        _check_targets(targets, city_tiers)
        tables = {"five_g_costs": costs, "russia_5g_plan": plan, "rip_and_replace": rip}
        operators = data.defaults("russia_operators")
        # Every drawn data value: the rows named in DATA_DRAWN, and the operators' capital intensity.
        ranges = {**{name: _range(tables[ds], *key) for name, (ds, *key) in DATA_DRAWN.items()},
                  "capital_intensity": capital_intensity(operators)}

        def cost(param, geo):
            return float(costs[(costs["parameter"] == param) & (costs["geography"] == geo)]["value"].iloc[0])

        def item(name, year=None):
            rows = plan[plan["item"] == name]
            return rows if year is None else float(rows[rows["year"] == year]["value"].iloc[0])

        rub_per_cny = convert(1.0, "CNY", "RUB", START_YEAR, rates)
        all_in = cost("site_all_in_cost", "china")
        subs = item("subscribers_5g_m")
        launch = item("planned_commercial_launch")
        # No 5G subscribers before the planned launch; the roadmap's 5m by 2024 and 50m by 2030 after it.
        points = pd.concat([pd.DataFrame({"year": [int(launch["value"].iloc[0])], "value": [0.0]}),
                            subs[["year", "value"]]])
        fx_2020 = rates[(rates["year"] == START_YEAR) & rates["currency"].isin(["RUB", "CNY", "GBP"])]
        drawn_costs = {(ds_key[1], ds_key[2]) for ds_key in DATA_DRAWN.values() if ds_key[0] == "five_g_costs"}
        russia_rows = pd.concat([
            costs[[(a, b) in drawn_costs | {("site_all_in_cost", "china"), ("base_station_unit_price", "china")}
                   for a, b in zip(costs["parameter"], costs["geography"])]],
            plan[plan["item"].isin(["subscribers_5g_m", "planned_commercial_launch", "spectrum_clearing_cost_3400_3800mhz",
                                    "gsma_capex_5g_share_2020_2025", "band_3400_3800mhz_width",
                                    "band_4800_4990mhz_width", "pilot_base_stations_per_year"])],
            cities, targets, operators[operators["metric"].isin(["capex_rub_bn", "subscribers_m", "revenue_rub_bn"])],
            fx_2020])
        first_5g = _range(rip, "uk", "kit_5g_first_year")[0]
        if not 2018 <= first_5g <= START_YEAR:
            raise InputError.single("data/rip_and_replace.csv", "value (uk, kit_5g_first_year)",
                                    f"{first_5g:g} is outside 2018-{START_YEAR}: the UK's 5G radios went in "
                                    "before the 2021 ban")
        return cls(
            tiers=tiers, targets=targets, city_tiers=city_tiers, ranges=ranges,
            site_cost_rub_m=all_in * rub_per_cny / 1e6, equipment_share=cost("base_station_unit_price", "china") / all_in,
            band_mhz={"3.4-3.8 GHz": item("band_3400_3800mhz_width", 2019),
                      "4.4-4.99 GHz": item("band_4800_4990mhz_width", 2019)},
            subscriber_plan=(points["year"].to_numpy(dtype=float), points["value"].to_numpy(dtype=float)),
            planned_launch_year=int(launch["value"].iloc[0]),
            capex_5g_share=item("gsma_capex_5g_share_2020_2025", 2020),
            operator_capex=operator_capex(operators, ranges["capital_intensity"][0]), rip=rip,
            uk_5g_first_year=first_5g, rates=rates,
            source=data.cite(russia_rows), rip_source=data.cite(pd.concat([rip, fx_2020])))

    def coverage_share(self, launch_year: int, layers: dict | None = None) -> np.ndarray:
        """(n, T, Y) share of each tier's population covered by the end of each year, the 2020 plan's
        milestones shifted by ``launch_year`` less the planned launch (``layers``: see
        :func:`coverage_targets`)."""
        shift = launch_year - self.planned_launch_year
        moved = self.targets.assign(start_year=self.targets["start_year"] + shift,
                                    target_year=self.targets["target_year"] + shift)
        return coverage_targets(moved, self.city_tiers, layers)

    def subscribers_m(self, launch_year: int) -> np.ndarray:
        """(Y,) 5G subscribers, the roadmap's path shifted by ``launch_year`` less the planned launch."""
        years, values = self.subscriber_plan
        shifted = years + launch_year - self.planned_launch_year
        return np.where(YEARS < shifted[0], 0.0, np.interp(YEARS, shifted, values))

    def draw(self, name: str, n: int, seed: int) -> np.ndarray:
        return uncertainty.draw(uncertainty.data_range(*self.ranges[name]), n, seed, name)

    def central(self, name: str) -> np.ndarray:
        return np.array([self.ranges[name][0]])


def _range(frame, first, second):
    if "parameter" in frame:
        rows = frame[(frame["parameter"] == first) & (frame["geography"] == second)]
    elif "country" in frame:
        rows = frame[(frame["country"] == first) & (frame["item"] == second)]
    else:
        rows = frame[frame["item"] == first]
    if rows.empty:
        raise InputError.single("data/", f"{first} {second or ''}".strip(), "row the investment model needs is missing")
    r = rows.iloc[0]
    low = r["value"] if pd.isna(r["value_low"]) else r["value_low"]
    high = r["value"] if pd.isna(r["value_high"]) else r["value_high"]
    return float(r["value"]), float(low), float(high)


def _tiers(cities: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """Population by tier, and each city tier's city populations (largest first)."""
    listed = cities[cities["kind"] == "city"].sort_values("population_m", ascending=False)
    urban = float(cities.loc[cities["kind"] == "urban_total", "population_m"].iloc[0])
    city_tiers = {}
    for tier, floor in TIER_FLOORS_M.items():
        higher = [f for f in TIER_FLOORS_M.values() if f > floor]
        ceiling = min(higher) if higher else np.inf
        pops = listed["population_m"]
        city_tiers[tier] = pops[(pops >= floor) & (pops < ceiling)].to_numpy()
    rest = urban - listed["population_m"].sum()
    if rest <= 0:
        raise InputError.single("data/russia_cities.csv", "population_m",
                                f"listed cities hold {listed['population_m'].sum():.1f}m, "
                                f"more than the urban total {urban}m")
    tiers = pd.DataFrame({"tier": TIERS, "cities": [len(city_tiers[t]) for t in TIER_FLOORS_M] + [np.nan],
                          "population_m": [city_tiers[t].sum() for t in TIER_FLOORS_M] + [rest]})
    return tiers, city_tiers


def _check_targets(targets: pd.DataFrame, city_tiers: dict) -> None:
    """Target years in order and inside the model's years; each row names cities or a share."""
    file, problems = "data/russia_coverage_targets.csv", []
    for i, r in targets.iterrows():
        line = f"line {i + 2}"
        if r["target_year"] < r["start_year"]:
            problems.append((file, f"column 'target_year', {line}", f"{r['target_year']} is before the start year "
                             f"{r['start_year']}; a target year must be on or after its start year"))
        for col in ("start_year", "target_year"):
            if not START_YEAR <= r[col] <= END_YEAR:
                problems.append((file, f"column '{col}', {line}", f"{r[col]} is outside the model's years "
                                 f"{START_YEAR}-{END_YEAR}"))
        has_cities, has_share = pd.notna(r["largest_cities"]), pd.notna(r["population_share"])
        if has_cities == has_share:
            problems.append((file, f"columns 'largest_cities', 'population_share', {line}",
                             "give exactly one: the number of largest cities covered, or a share of the tier"))
        elif has_cities and r["tier"] not in city_tiers:
            problems.append((file, f"column 'largest_cities', {line}", f"tier {r['tier']} has no city list; "
                             "give population_share instead"))
        elif has_cities and r["largest_cities"] > len(city_tiers[r["tier"]]):
            problems.append((file, f"column 'largest_cities', {line}", f"{int(r['largest_cities'])} exceeds the "
                             f"{len(city_tiers[r['tier']])} cities of tier {r['tier']}"))
    if problems:
        raise InputError(problems)


def coverage_targets(targets: pd.DataFrame, city_tiers: dict, layers: dict | None = None) -> np.ndarray:
    """Share of each tier's population covered by the end of each year, (n, T, Y): linear ramps over
    each milestone's years of building (start year to target year, both included), held afterwards.

    A milestone names a share of the tier (or its largest cities) and a layer: ``layers`` maps
    "first" and "full" to the share of a targeted city's population each layer covers, per draw
    (n,) (default 1: the milestone's share itself).
    """
    layers = layers or {"first": np.ones(1), "full": np.ones(1)}
    n = max(len(np.atleast_1d(v)) for v in layers.values())
    out = np.zeros((n, len(TIERS), len(YEARS)))
    for i, tier in enumerate(TIERS):
        level = np.zeros(n)
        for r in targets[targets["tier"] == tier].sort_values("target_year").itertuples():
            if pd.notna(r.largest_cities):
                pops = city_tiers[tier]
                share = pops[: int(r.largest_cities)].sum() / pops.sum()
            else:
                share = r.population_share
            target = share * np.broadcast_to(np.asarray(layers[r.layer], dtype=float), (n,))
            s, t = r.start_year, r.target_year
            ramp = np.clip((YEARS - s + 1) / (t - s + 1), 0, 1)  # building from start to target year, inclusive
            out[:, i] = np.where(YEARS[None] >= s, level[:, None] + (target - level)[:, None] * ramp[None], out[:, i])
            level = np.maximum(level, target)
    return out


def operator_capex(operators: pd.DataFrame, kappa: float) -> pd.DataFrame:
    """Each operator's capex in its latest reported year (RUB bn, read as constant 2020 roubles) and
    the revenue its later capex is a share of (RUB bn, in ``revenue_year``).

    Beeline's and Tele2's capex were not found: they are estimated as their 2020 subscribers times
    the average capex per subscriber of MTS and MegaFon in their reported years (an assumption), and
    their revenue as that capex over ``kappa``, the mean reported capital intensity
    (:func:`capital_intensity`).
    """
    capex = operators[operators["metric"] == "capex_rub_bn"].sort_values("year").groupby("operator").last()
    revenue = operators[operators["metric"] == "revenue_rub_bn"].sort_values("year").groupby("operator").last()
    subs = operators[operators["metric"] == "subscribers_m"].set_index(["operator", "year"])["value"]
    intensity = np.mean([r.value / subs[(op, r.year)] for op, r in capex.iterrows() if (op, r.year) in subs])
    rows = []
    for op in OPERATORS:
        if op in capex.index:
            row = {"operator": op, "capex_rub_bn": float(capex.at[op, "value"]), "capex_year": int(capex.at[op, "year"]),
                   "basis": f"reported {int(capex.at[op, 'year'])}"}
        else:
            row = {"operator": op, "capex_rub_bn": float(intensity * subs[(op, 2020)]), "capex_year": START_YEAR,
                   "basis": "assumption: 2020 subscribers x average capex per subscriber of MTS and MegaFon"}
        if op in revenue.index:
            row.update(revenue_rub_bn=float(revenue.at[op, "value"]), revenue_year=int(revenue.at[op, "year"]))
        else:
            row.update(revenue_rub_bn=row["capex_rub_bn"] / kappa, revenue_year=row["capex_year"])
        rows.append(row)
    return pd.DataFrame(rows)


def capital_intensity(operators: pd.DataFrame) -> tuple[float, float, float]:
    """Capex over revenue in every year an operator reported both (MTS 2019-2020, MegaFon 2018):
    (mean, lowest, highest). After its last reported capex an operator spends a drawn share of its
    revenue in this range: its capex is not a trend but a share of what it earns."""
    rows = operators[operators["metric"].isin(["capex_rub_bn", "revenue_rub_bn"])]
    both = rows.pivot_table(index=["operator", "year"], columns="metric", values="value").dropna()
    if both.empty:
        raise InputError.single("data/russia_operators.csv", "metric",
                                "no operator-year with both capex_rub_bn and revenue_rub_bn: capital intensity needs one")
    ratio = both["capex_rub_bn"] / both["revenue_rub_bn"]
    return float(ratio.mean()), float(ratio.min()), float(ratio.max())


def operator_capex_path(inputs: Inputs, p: dict, shortfall: np.ndarray | None = None,
                        equipment_share: float = 0.0) -> np.ndarray:
    """Each operator's capex by draw and year (n, O, Y), real 2020 RUB bn: the reported capex up to its
    latest year, then its revenue, grown at ``operator_revenue_real_growth``, times the drawn
    ``capital_intensity``, less the equipment it could not get: ``shortfall`` (n, Y) is the share of
    Russia's equipment orders no vendor could deliver (the market-share stage's), ``equipment_share``
    the equipment share of capex."""
    kappa = np.asarray(p["capital_intensity"], dtype=float)
    growth = np.asarray(p["operator_revenue_real_growth"], dtype=float)
    n = max(len(np.atleast_1d(kappa)), len(np.atleast_1d(growth)))
    kappa, growth = np.broadcast_to(kappa, (n,)), np.broadcast_to(growth, (n,))
    got = 1.0 if shortfall is None else 1.0 - equipment_share * np.broadcast_to(shortfall, (n, len(YEARS)))
    out = np.empty((n, len(OPERATORS), len(YEARS)))
    for o, r in enumerate(inputs.operator_capex.itertuples()):
        later = kappa[:, None] * r.revenue_rub_bn * (1 + growth[:, None]) ** (YEARS[None, :] - r.revenue_year) * got
        out[:, o] = np.where(YEARS[None, :] <= r.capex_year, r.capex_rub_bn, later)
    return out


def nominal(real: np.ndarray, inflation) -> np.ndarray:
    """Real constant-2020 flows (n, ..., Y) in nominal terms at ``inflation`` (n,) a year."""
    infl = np.asarray(inflation, dtype=float).reshape((-1,) + (1,) * (real.ndim - 1))
    return real * (1 + infl) ** (YEARS - START_YEAR)


def capex_capacity(inputs: Inputs, scenario, p: dict, shortfall: np.ndarray | None = None) -> np.ndarray:
    """The four operators' 5G budget a year from launch (n, Y): their capex
    (:func:`operator_capex_path`, less the equipment no vendor could deliver) times GSMA's 5G share
    (real 2020 RUB bn); zero before launch (pilots come out of the usual budget)."""
    s = scenario.parameters
    budget = operator_capex_path(inputs, p, shortfall, s.russia_equipment_share_of_capex).sum(axis=1)
    return np.where(YEARS[None, :] >= s.russia_5g_launch_year, budget * inputs.capex_5g_share, 0.0)


def budget_gap(capex: np.ndarray, capacity: np.ndarray, launch_year: int) -> np.ndarray:
    """5G capex beyond the operators' 5G budget by draw and year (n, Y), real 2020 RUB bn; negative
    where the budget is not spent; zero before launch (pilots come out of the usual budget)."""
    return np.where(YEARS[None, :] >= launch_year, capex - capacity, 0.0)
