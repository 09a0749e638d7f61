"""Every assumption a scenario can set, declared once (:class:`Parameters`): type, default, unit, valid
range, group and a one-line meaning. The declaration drives validation, ``econ params``, the notebooks'
parameters cells and the report's assumptions table (:func:`parameter_table`)."""

from __future__ import annotations

import functools
from datetime import date
from typing import Literal

from pydantic import PlainValidator, field_validator

from econ.scenario.values import (
    Ban,
    Category,
    RatePath,
    SharePath,
    StrictModel,
    Uncertain,
    _path_points,
    _rate_points,
    _uncertain,
    distinct,
    param,
    removed_twice,
)
from econ.uncertainty import bounds, is_distribution


class Parameters(StrictModel):
    """Every assumption a scenario can set, by group. Which stages read which group is declared in
    :mod:`econ.model.world`; the ``policy`` group is what a counterfactual without the rules resets.

    Strict types (:class:`StrictModel`): a new parameter declared with :func:`param` and a plain
    annotation is validated strictly, with its declared range, on every path.
    """

    # --- policy: which rules are in force (the counterfactual takes these from baseline.yaml) -------
    rule_effective_date: date = param(
        date(2020, 5, 15), unit="date", group="policy", low=date(2019, 1, 1), high=date(2021, 12, 31),
        meaning="Date the export rule takes effect (the 12-month loss window starts here)")
    covered_categories: tuple[Category, ...] = param(
        (), unit="categories", group="policy",
        meaning="Product categories whose sales to Huawei the rule blocks (empty: no rule)")
    wind_down_days: int = param(
        120, unit="days", group="policy", low=0, high=365,
        meaning="Days after the effective date during which shipments already in production may go")
    licence_approval_rate: Uncertain = param(
        0.0, unit="fraction", group="policy", low=0.0, high=1.0,
        meaning="Share of blocked chip and component sales that a US licence lets through anyway")
    vendor_bans: tuple[Ban, ...] = param(
        (), unit="bans", group="policy",
        meaning="Vendors barred from new contracts for network parts in places from a year; "
                "optionally removed by a deadline")
    sanctions_penalty_scale: Uncertain = param(
        0.0, unit="multiple of the estimated shift", group="policy", low=0.0, high=3.0,
        meaning="Radio buyers' response to the rules outside China, as a multiple of the response to "
                "restrictions estimated by difference-in-differences (econ.model.market_share.ban_response)")
    china_response_scale: Uncertain = param(
        0.0, unit="multiple of the estimated shift", group="policy", low=0.0, high=3.0,
        meaning="Chinese operators' mark-down of Western vendors in their radio tenders after Western bans "
                "on Huawei, as a multiple of the shift estimated from the 2020 and 2021 tenders")
    vendor_exits: tuple[Ban, ...] = param(
        (), unit="exits", group="policy",
        meaning="Vendors that leave markets: no new contracts from the year they leave; their kit replaced by the "
                "removal deadline (support ends) or left to age out")
    licences_revoked_from: date | None = param(
        None, unit="date", group="policy", low=date(2020, 1, 1), high=date(2030, 12, 31),
        meaning="Date the US revokes the licences that let some blocked chips through (none: they stay)")
    honor_sale_date: date | None = param(
        None, unit="date", group="policy", low=date(2020, 1, 1), high=date(2030, 12, 31),
        meaning="Date Huawei sells its Honor handset brand (none: it keeps it)")

    # --- Huawei's chip supply (econ.model.chip_supply) ----------------------------------------------------
    domestic_chip_recovery: SharePath = param(
        (), unit="fraction of the unmet chip needs", group="supply",
        meaning="Share of the chip needs the rules leave unmet that Chinese-made chips fill, by year: "
                "[year, share] points (none: no recovery)")
    handset_chip_inventory_months: Uncertain = param(
        3.0, unit="months of production", group="supply", low=0.0, high=24.0,
        meaning="Months of handset production Huawei's stock of blocked chips covers after the wind-down")
    network_chip_inventory_months: Uncertain = param(
        12.0, unit="months of production", group="supply", low=0.0, high=48.0,
        meaning="Months of base-station production Huawei's stock of blocked chips covers after the wind-down")
    merchant_chip_switch_share: Uncertain = param(
        0.3, unit="fraction", group="supply", low=0.0, high=1.0,
        meaning="Share of its own-design chip needs Huawei can fill with merchant chips when a rule covers only its designs")
    network_chip_redesign_share: Uncertain = param(
        0.5, unit="fraction", group="supply", low=0.0, high=1.0,
        meaning="Share of blocked base-station chip needs met by redesigned boards once stocks run out")

    # --- suppliers' revenue (econ.model.revenue) ---------------------------------------------------------
    stockpile_months: Uncertain = param(
        0.0, unit="months of purchases", group="revenue", low=0.0, high=12.0,
        meaning="Orders of covered parts Huawei pulls forward into the wind-down, in months of normal purchases")
    substitution_rate: Uncertain = param(
        0.0, unit="fraction", group="revenue", low=0.0, high=1.0,
        meaning="Share of blocked sales resold to other customers once recovery is complete (capacity was short in 2020-21)")
    recovery_months: Uncertain = param(
        12.0, unit="months", group="revenue", low=1.0, high=36.0,
        meaning="Months after the deadline for resale to reach its full rate (linear ramp)")
    rival_recapture_rate: Uncertain = param(
        0.0, unit="fraction", group="revenue", low=0.0, high=1.0,
        meaning="Share of Huawei's lost device and base-station output that rivals build with parts from the same suppliers")
    supply_network_scale: Uncertain = param(
        1.0, unit="ratio", group="revenue", low=0.5, high=1.5,
        meaning="Scale of the upstream supplier network (data/supply_network.csv) that moves with lost sales")

    # --- vendor shares (econ.model.market_share) ---------------------------------------------------------
    vendor_nest_correlation: Uncertain = param(
        0.4, unit="nested-logit 1 - lambda", group="market_share", low=0.0, high=0.9,
        meaning="How alike buyers see vendors of one nest (Chinese, Western): 0 is plain logit")
    market_growth: Uncertain = param(
        0.02, unit="fraction per year", group="market_share", low=-0.05, high=0.10,
        meaning="Nominal growth of telecom-equipment spending each year outside 5G waves")
    five_g_wave_uplift: Uncertain = param(
        0.25, unit="fraction of base spend", group="market_share", low=0.0, high=1.0,
        meaning="Extra spending at the peak of a region's 5G build-out wave (China follows its operators' 5G "
                "and other capex)")
    china_5g_equipment_intensity: Uncertain = param(
        1.5, unit="ratio", group="market_share", low=1.0, high=4.0,
        meaning="Equipment bought per yuan of China's 5G capex relative to a yuan of its other capex "
                "(1: China's equipment spending follows total capex)")
    emerging_markets_spillover: Uncertain = param(
        0.0, unit="logit utility per unit of share", group="market_share", low=0.0, high=5.0,
        meaning="Huawei's extra attractiveness in the rest of the world per unit of its share of Russia's new "
                "contracts above 2019's, the year before (the 2020 argument that Russia strengthens it elsewhere)")
    # --- installed equipment (read by market shares and rip-and-replace) ---------------------------
    equipment_life_years: Uncertain = param(
        8.0, unit="years", group="equipment", low=4.0, high=15.0,
        meaning="Average service life of telecom equipment: 1/life of the installed base is replaced each year")

    # --- Russia (read by market shares and investment) ---------------------------------------------
    russia_5g_launch_year: int = param(
        2024, unit="year", group="russia", low=2020, high=2031,
        meaning="Year Russian commercial 5G starts (pilots only before it; 2031: not by 2030)")
    russian_made_target: SharePath = param(
        (), unit="fraction of new contracts", group="russia",
        meaning="Share of Russia's new equipment contracts reserved for Russian-made kit: [year, share] points")
    russia_domestic_capability: Uncertain = param(
        1.0, unit="fraction", group="russia", low=0.0, high=1.0,
        meaning="Share of the Russian-made target Russian industry can actually supply")
    russia_huawei_alignment: Uncertain = param(
        0.0, unit="logit utility", group="russia", low=0.0, high=3.0,
        meaning="Extra attractiveness of Huawei to Russian buyers from political alignment, from 2020")
    russia_huawei_pullback: Uncertain = param(
        0.0, unit="logit utility", group="russia", low=-5.0, high=0.0,
        meaning="Change in Huawei's attractiveness to Russian buyers from russia_huawei_pullback_from "
                "(negative: it holds back under secondary-sanction risk)")
    russia_zte_pullback_share: Uncertain = param(
        1.0, unit="fraction", group="russia", low=0.0, high=1.0,
        meaning="Share of Huawei's pull-back in Russia that ZTE also makes (it faces the same secondary-sanction "
                "risk; 0: it carries on as before)")
    russia_supplier_growth_limit: Uncertain = param(
        10.0, unit="fraction a year", group="russia", low=0.0, high=10.0,
        meaning="Most a vendor's deliveries to Russia can grow in a year (staff, logistics, certification); "
                "orders beyond it are not installed that year")
    russia_grey_import_share: Uncertain = param(
        0.0, unit="fraction of last deliveries a year", group="russia", low=0.0, high=1.0,
        meaning="Kit of vendors that left Russia still arriving through third countries each year, as a share of "
                "what each delivered in its last year there; it fills part of what the others cannot deliver")
    russia_huawei_pullback_from: int = param(
        2022, unit="year", group="russia", low=2020, high=2030,
        meaning="First year of Huawei's pull-back in Russia")
    russia_equipment_share_of_capex: float = param(
        0.5, unit="fraction of capex", group="russia", low=0.2, high=0.8,
        meaning="Share of Russian operators' capex spent on network equipment (sizes Russia's market)")

    # --- Huawei's own revenue (econ.model.huawei) --------------------------------------------------------
    huawei_consumer_growth: Uncertain = param(
        0.03, unit="fraction a year", group="huawei", low=-0.2, high=0.3,
        meaning="Growth of Huawei's consumer business a year had its chip supply been unrestricted")

    # --- investment needs (econ.model.investment) --------------------------------------------------------
    # Defaults are central judgements (see data/five_g_costs.csv for the evidence); baseline.yaml
    # gives the uncertain ones their distributions.
    network_sharing: Literal["alone", "partial", "single"] = param(
        "alone", unit="mode", group="investment",
        meaning="Russia's 5G networks: each of the four operators builds alone (the default: their 2019 joint "
                "venture clears the bands and each builds its own network, comnews_2019_znak_chetyrekh), two shared "
                "networks, or one")
    vendor_choice: Literal["market", "huawei", "western"] = param(
        "market", unit="vendor", group="investment",
        meaning="Who supplies Russia's non-Russian-made 5G kit: the vendor mix of the share stage, Huawei, or "
                "Ericsson and Nokia")
    military_band_release_year: int = param(
        2031, unit="year", group="investment", low=2020, high=2031,
        meaning="Year the military's 3.4-3.8 GHz band is cleared for operators (2031: not by 2030)")
    spectrum_clearing_multiplier: Uncertain = param(
        1.0, unit="ratio", group="investment", low=1.0, high=6.0,
        meaning="Cost of clearing 3.4-3.8 GHz as a multiple of the first RUB 12-16bn estimate")
    # Free-space path loss grows with frequency squared, so equal coverage needs (4.895/3.6)^2 = 1.85
    # times the sites at the centre of 4.8-4.99 GHz as at 3.6 GHz (physics, not data).
    high_band_site_ratio: Uncertain = param(
        1.85, unit="ratio", group="investment", low=1.0, high=3.0,
        meaning="Sites needed at 4.4-4.99 GHz per site at 3.4-3.8 GHz for the same coverage")
    site_coverage_km2: Uncertain = param(
        0.35, unit="km2 per site", group="investment", low=0.05, high=3.0,
        meaning="Area one 3.4-3.8 GHz macro site covers in a million-plus city")
    urban_coverage_share: Uncertain = param(
        0.8, unit="fraction", group="investment", low=0.0, high=1.0,
        meaning="Share of a targeted city's population (and built-up area) that its 5G layer covers once built")
    first_layer_coverage_share: Uncertain = param(
        0.3, unit="fraction of the full layer", group="investment", low=0.0, high=1.0,
        meaning="Population a city's first 5G layer (centres, transport hubs) covers, as a share of its full layer's")
    traffic_growth: Uncertain = param(
        0.25, unit="fraction a year", group="investment", low=0.0, high=0.5,
        meaning="Annual growth of traffic per 5G user (capacity sites)")
    radio_cost_bandwidth_elasticity: Uncertain = param(
        0.5, unit="elasticity", group="investment", low=0.0, high=1.0,
        meaning="How a site's radio kit cost rises with the bandwidth it carries (0: not at all, 1: in proportion)")
    domestic_price_premium: Uncertain = param(
        0.5, unit="fraction", group="investment", low=0.0, high=3.0,
        meaning="Price of Russian-made kit above Huawei's")
    western_price_premium: Uncertain = param(
        0.35, unit="fraction", group="investment", low=0.0, high=1.5,
        meaning="Price of Ericsson or Nokia kit above Huawei's (US rural carriers were quoted 30-40%)")
    site_cost_multiplier: Uncertain = param(
        1.0, unit="ratio", group="investment", low=0.5, high=3.0,
        meaning="Russian civil, power, backhaul and installation cost per site relative to China Mobile's")
    discount_rate: Uncertain = param(
        0.07, unit="fraction a year, real", group="investment", low=0.0, high=0.25,
        meaning="Real discount rate for the present value of the 5G programme's capex")
    rub_per_usd_path: RatePath = param(
        (), unit="RUB per USD", group="investment",
        meaning="Rouble exchange rate path for imported kit: [year, rate] points (none: data/exchange_rates.csv, "
                "held after its last year)")
    usd_inflation_rate: Uncertain = param(
        0.02, unit="fraction a year", group="investment", low=0.0, high=0.1,
        meaning="Rise in the dollar prices of imported kit a year (US prices)")
    inflation_rate: Uncertain = param(
        0.05, unit="fraction a year", group="investment", low=0.0, high=0.3,
        meaning="Russian inflation turning constant-2020 roubles into nominal roubles")
    operator_revenue_real_growth: Uncertain = param(
        0.01, unit="fraction a year, real", group="investment", low=-0.2, high=0.2,
        meaning="Real growth of the Russian operators' revenue after their last report; their capex is a "
                "drawn share of it (capital intensity from data/russia_operators.csv)")

    @field_validator("vendor_bans", "vendor_exits", mode="after")
    @classmethod
    def _each_kit_removed_once(cls, entries, info):
        """A repeated ban or exit is kept once; two that would remove the same kit are refused, so no kit is
        removed, nor its rip-and-replace cost counted, twice (the exits are checked against the bans too)."""
        kept, is_exit = distinct(entries), info.field_name == "vendor_exits"
        index = {id(b): i for i, b in reversed(list(enumerate(entries)))}  # each kept entry's place as given
        earlier = [(f"vendor_bans.{i}", b, False) for i, b in enumerate(info.data.get("vendor_bans", ()))] if is_exit else []
        found = removed_twice(earlier, [(f"{info.field_name}.{index[id(b)]}", b, is_exit) for b in kept])
        if found:
            raise ValueError("; ".join(found))
        return kept

    @field_validator("*", mode="after")
    @classmethod
    def _in_declared_range(cls, value, info):
        extra = cls.model_fields[info.field_name].json_schema_extra or {}
        low, high, unit = extra.get("low"), extra.get("high"), extra.get("unit")
        if low is None or high is None or value is None:
            return value
        lo, hi = bounds(value) if not isinstance(value, date) else (value, value)
        if lo < low or hi > high:
            what = f"distribution bounds [{lo}, {hi}]" if is_distribution(value) else f"value {value}"
            raise ValueError(f"{what} outside the allowed range [{low}, {high}] ({unit})")
        return value


PARAMETER_NAMES = tuple(Parameters.model_fields)


def _kind(field) -> str:
    ann = field.annotation
    args = getattr(ann, "__args__", ())
    if field.metadata and any(isinstance(m, PlainValidator) and m.func is _uncertain for m in field.metadata):
        return "number or distribution"
    if field.metadata and any(isinstance(m, PlainValidator) and m.func is _path_points for m in field.metadata):
        return "path of [year, share] points"
    if field.metadata and any(isinstance(m, PlainValidator) and m.func is _rate_points for m in field.metadata):
        return "path of [year, rate] points"
    if getattr(ann, "__origin__", None) is tuple and args and args[0] is Ban:
        return "list of bans {vendors, places, from_year, remove_from, remove_by, parts}"
    if getattr(ann, "__origin__", None) is tuple:
        return "list of " + ", ".join(Category.__args__)
    if getattr(ann, "__origin__", None) is Literal:
        return "one of " + ", ".join(ann.__args__)
    if date in args and type(None) in args:
        return "date or none"
    return getattr(ann, "__name__", str(ann))


@functools.lru_cache(maxsize=1)
def _table() -> tuple[dict, ...]:
    rows = []
    for name, field in Parameters.model_fields.items():
        extra = field.json_schema_extra or {}
        low, high = extra.get("low"), extra.get("high")
        default = field.default
        rows.append({
            "name": name, "group": extra.get("group"), "type": _kind(field),
            "default": [list(x) if isinstance(x, tuple) else x for x in default] if isinstance(default, tuple) else default,
            "unit": extra.get("unit"),
            "range": f"[{low}, {high}]" if low is not None else "",
            "meaning": field.description,
        })
    return tuple(rows)


def parameter_table() -> list[dict]:
    """Every parameter's declaration: name, group, type, default, unit, range and meaning."""
    return [dict(r) for r in _table()]
