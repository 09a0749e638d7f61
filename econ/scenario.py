"""Scenarios: the typed, validated set of assumptions every model runs on.

Every user-settable parameter is declared once, in :class:`Parameters`, with its type, default,
unit, valid range and a one-line meaning. That declaration drives validation, ``econ params``,
the notebooks' parameter cells and the report's assumptions table.

A scenario file is YAML under ``data/scenarios/``::

    title: May 2020 foreign-direct-product rule
    description: ...
    inherits: baseline          # optional: list only what differs from the parent
    seed: 20200515              # optional (inherited)
    parameters:
      covered_categories: [foundry]
      substitution_rate: {dist: triangular, low: 0.1, mode: 0.3, high: 0.6}

A numeric parameter may be a point value or a bounded distribution (see :mod:`econ.uncertainty`).

A list of restrictions (``vendor_bans``, ``vendor_exits``) may be given as ``{add: [...]}``: the
parent's list and these. A scenario may inherit from several parents (``inherits: [a, b]``): their
restriction lists are joined (an entry two parents share counts once), and any other parameter two
parents set differently must be set in the file itself, so that nothing is settled by list order.
"""

from __future__ import annotations

import difflib
import functools
import math
import os
import re
import types
import typing
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from econ import _yaml, paths
from econ.errors import InputError, shown
from econ.uncertainty import DISTRIBUTIONS, Distribution, bounds, is_distribution

# \Z, not $: "$" also matches before a trailing newline, and a name is matched whole.
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
SAFE_NAME_RULE = "letters, digits, '_' and '-', starting with a letter or digit, at most 64 characters"
#: Largest scenario file read, and the longest chain of ``inherits`` followed.
MAX_SCENARIO_BYTES = 256_000
MAX_INHERITANCE_DEPTH = 32
#: The market-share model's years (econ.model.market_share.BASE_YEAR, END_YEAR; a test keeps them equal).
#: Ban years must lie in them; a ban from before the first simulated year is already in force then.
MARKET_YEARS = (2019, 2030)

#: Product categories of Huawei's purchases (data/procurement_category_mix.csv uses the same set).
Category = Literal["foundry", "memory", "image_sensors", "display", "chip_design",
                   "passive_components", "assembly", "other"]

#: Telecom-equipment vendors in the market-share model ("russian_made": Yadro, Bulat, Irteya and other Russian makers).
Vendor = Literal["huawei", "ericsson", "nokia", "zte", "samsung", "cisco", "russian_made", "others"]
#: Regions of the market-share model, and the national markets inside them (data/equipment_markets.csv).
Region = Literal["china", "north_america", "europe", "russia", "apac_ex_china", "rest_of_world"]
Market = Literal["china", "united_states", "canada", "united_kingdom", "germany", "france", "italy",
                 "other_europe", "russia", "japan", "india", "south_korea", "australia", "new_zealand",
                 "other_apac", "brazil", "saudi_arabia", "other_world"]
#: A ban may name a region (every market in it) or a single market.
Place = Literal[tuple(dict.fromkeys(Region.__args__ + Market.__args__))]

_DIST_ADAPTER = TypeAdapter(Distribution)


def _uncertain(value: Any):
    """A point value (finite number) or a distribution given as a mapping with ``dist``."""
    if is_distribution(value):
        return value
    if isinstance(value, bool):
        raise ValueError(f"expected a number or a distribution, got {_got(value)}")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError(f"{value} is not allowed: give a finite number")
        return float(value)
    if isinstance(value, dict):
        if value.get("dist") not in DISTRIBUTIONS:
            raise ValueError(f"a distribution needs 'dist', one of {', '.join(DISTRIBUTIONS)}; "
                             f"got {shown(value.get('dist'))}")
        try:
            return _DIST_ADAPTER.validate_python(value, strict=True)
        except ValidationError as e:
            raise ValueError("; ".join(_describe(err) for err in e.errors())) from None
    raise ValueError(f"expected a number or a distribution ({', '.join(DISTRIBUTIONS)}), got {_got(value)}")


def _got(value) -> str:
    """How a message names a value of the wrong type (text is not a number, a boolean is not a number)."""
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        try:
            float(value)
            return f"the text {shown(value)} (remove the quotes for a number)"
        except ValueError:
            return f"the text {shown(value)}"
    if isinstance(value, float) and value.is_integer():
        return f"{value!r} (whole numbers are written without a decimal point)"
    if isinstance(value, list | tuple):
        return f"the list {shown(value)}"
    if isinstance(value, dict):
        return f"the mapping {shown(value)}"
    return shown(value)


def _iso_date(value):
    """A date from a date or from ISO text YYYY-MM-DD (YAML reads dates as text); nothing else."""
    if isinstance(value, datetime):
        raise ValueError(f"give a date (YYYY-MM-DD), not a date and time: got {shown(value)}")
    if isinstance(value, date) or value is None:
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError as e:
            raise ValueError(f"{value} is not a date: {e}") from None
    raise ValueError(f"a date is written YYYY-MM-DD (e.g. 2020-05-15); got {_got(value)}")


def _accepts(annotation, kind) -> bool:
    """Whether a field's annotation is ``kind`` or an optional/union containing it (tuple: any tuple[...])."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_accepts(a, kind) for a in typing.get_args(annotation))
    return (origin or annotation) is kind


class StrictModel(BaseModel):
    """Strict types for everything a user writes: text is not a number ('120' is refused), a boolean is
    not a number (``yes``/``true`` are refused for integers and floats), a float is not an integer.

    Only two conversions are made, for what YAML and papermill cannot say otherwise: a list for a
    ``tuple[...]`` field, and ISO text (``2020-05-15``) for a ``date`` field. A new field of any
    plain type (int, float, str, bool, Literal, date, tuple of these, a nested StrictModel) is strict
    with no further work.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _from_text_input(cls, value, info):
        annotation = cls.model_fields[info.field_name].annotation
        if isinstance(value, list) and _accepts(annotation, tuple):
            return tuple(value)
        if _accepts(annotation, date):
            return _iso_date(value)
        return value


#: A numeric parameter that may be uncertain.
Uncertain = Annotated[Any, PlainValidator(_uncertain)]


def param(default, *, unit: str, meaning: str, group: str, low=None, high=None):
    """Declare a parameter: default, unit, valid range [low, high], the group it belongs to (the
    stages that read a group are declared in :mod:`econ.model.world`) and a one-line meaning."""
    return Field(default, description=meaning,
                 json_schema_extra={"unit": unit, "low": low, "high": high, "group": group})


#: Parts of a telecom network a buyer's ban can name (data/equipment_parts.csv sizes each).
Part = Literal["ran", "core", "transport", "management"]
PARTS: tuple[str, ...] = Part.__args__


class Ban(StrictModel):
    """Vendors barred from new contracts for some parts of the network in some places from a year,
    optionally removed from those parts by a deadline.

    ``parts`` is the ban's scope (default: every part). The same scope drives the market-share
    stage (which contracts the vendors may not win, which installed kit must go) and the
    investment stage (what removing that kit costs): the UK's 2020 decision covers the radio
    network (``[ran]``), Germany's 2024 decision the core by 2026 and management systems by 2029.
    Installed kit in scope is removed in equal steps from ``remove_from`` (default ``from_year``)
    to ``remove_by`` and replaced by other vendors' equipment.

    Years lie in the market-share model's years (:data:`MARKET_YEARS`, 2019-2030): ``from_year`` up
    to the last one, and from 2010 for bans already in force (a ban from 2019 or before acts from 2020,
    the first simulated year: 2019's shares are data); ``remove_by`` from 2020 to 2030.
    """

    vendors: tuple[Vendor, ...] = Field(min_length=1)
    places: tuple[Place, ...] = Field(min_length=1)
    from_year: int
    remove_by: int | None = None
    remove_from: int | None = None
    parts: tuple[Part, ...] = Field(PARTS, min_length=1)

    @field_validator("from_year", "remove_by", "remove_from")
    @classmethod
    def _in_model_years(cls, year, info):
        first = 2010 if info.field_name == "from_year" else MARKET_YEARS[0] + 1
        if year is not None and not first <= year <= MARKET_YEARS[1]:
            note = " (before 2020: already in force when the model starts)" if info.field_name == "from_year" else ""
            raise ValueError(f"{year} is outside the model's years: allowed {first} to {MARKET_YEARS[1]}{note}")
        return year

    @model_validator(mode="after")
    def _deadline_after_start(self):
        if self.remove_by is not None and self.remove_by < self.from_year:
            raise ValueError(f"remove_by {self.remove_by} is before from_year {self.from_year}")
        if self.remove_from is not None:
            if self.remove_by is None:
                raise ValueError("remove_from needs remove_by (the removal deadline)")
            if not self.from_year <= self.remove_from <= self.remove_by:
                raise ValueError(f"remove_from {self.remove_from} must lie between from_year {self.from_year} "
                                 f"and remove_by {self.remove_by}")
        return self

    def __str__(self) -> str:
        return self.label()

    def label(self, exit: bool = False) -> str:
        """In words: "huawei barred in united_kingdom from 2020, ..." (``exit``: "... leave ..." for a
        vendor that withdraws: ``vendor_exits``, which are read as bans)."""
        scope = "" if set(self.parts) == set(PARTS) else f" ({'+'.join(self.parts)})"
        text = (f"{'+'.join(self.vendors)} {'leave' if exit else 'barred'}{scope} in {', '.join(self.places)} "
                f"from {self.from_year}")
        if self.remove_by is not None:
            text += f", installed kit removed by {self.remove_by}"
        return text


def _year_points(value, kind: str, example: str, valid, allowed: str) -> tuple:
    """A path of [year, ``kind``] points: years 2015-2040 increasing, each value ``valid``."""
    if isinstance(value, dict):
        value = sorted(value.items())
    if isinstance(value, list | tuple) and not value:
        return ()  # no path
    if not isinstance(value, list | tuple):
        raise ValueError(f"give a list of [year, {kind}] points, e.g. {example}")
    points = []
    for item in value:
        if not isinstance(item, list | tuple) or len(item) != 2:
            raise ValueError(f"{item!r} is not a [year, {kind}] point")
        year, x = item
        if isinstance(year, bool) or not isinstance(year, int) or not 2015 <= year <= 2040:
            raise ValueError(f"year {year!r} must be a whole year in 2015-2040")
        if isinstance(x, bool) or not isinstance(x, int | float) or not valid(x):
            raise ValueError(f"{kind} {x!r} must be {allowed}")
        points.append((year, float(x)))
    years = [y for y, _ in points]
    if years != sorted(set(years)):
        raise ValueError(f"years must increase with no repeats, got {years}")
    return tuple(points)


def _path_points(value):
    """A path of [year, share] points: years increasing, shares in [0, 1]."""
    return _year_points(value, "share", "[[2020, 0.0], [2024, 0.3]]", lambda x: 0.0 <= x <= 1.0, "a fraction in [0, 1]")


#: A piecewise-linear path over years: ((year, share), ...), zero before the first point.
SharePath = Annotated[Any, PlainValidator(_path_points)]


def _rate_points(value):
    """A path of [year, rate] points: years increasing, rates positive numbers."""
    return _year_points(value, "rate", "[[2022, 68.5], [2023, 85.3]]", lambda x: 0.0 < x < 1e6, "a positive number")


#: A piecewise-linear path of a rate over years: ((year, rate), ...), held before the first point
#: and after the last.
RatePath = Annotated[Any, PlainValidator(_rate_points)]


def path_value(path, years) -> np.ndarray:
    """A :data:`SharePath` at ``years``: linear between points, 0 before the first, held after the last."""
    years = np.asarray(years, dtype=float)
    if not path:
        return np.zeros_like(years)
    xs = np.array([p[0] for p in path], dtype=float)
    ys = np.array([p[1] for p in path], dtype=float)
    return np.where(years < xs[0], 0.0, np.interp(years, xs, ys))


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
        meaning="Buyers' mark-down of Huawei and ZTE outside China, as a multiple of the 2020 shift "
                "estimated from vendor shares")
    china_response_scale: Uncertain = param(
        0.0, unit="multiple of the estimated shift", group="policy", low=0.0, high=3.0,
        meaning="Chinese operators' mark-down of Western vendors in their radio tenders after Western bans "
                "on Huawei, as a multiple of the shift estimated from the 2020 and 2021 tenders")
    vendor_exits: tuple[Ban, ...] = param(
        (), unit="exits", group="policy",
        meaning="Vendors that leave markets: no new contracts from from_year; their kit replaced by remove_by "
                "(support ends) or left to age out")
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
        meaning="Russia's 5G networks: each of the four operators builds alone, two shared networks, or one")
    vendor_choice: Literal["market", "huawei", "western"] = param(
        "market", unit="vendor", group="investment",
        meaning="Who supplies Russia's non-Russian-made 5G kit: the market-share stage's mix, Huawei, or Ericsson and Nokia")
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


class Scenario(StrictModel):
    """A named, validated scenario: metadata, a seed for draws, and the parameters."""

    name: str
    title: str
    description: str
    inherits: str | tuple[str, ...] | None = None
    seed: int = Field(20200515, ge=0, le=2**32 - 1)
    parameters: Parameters
    #: The files this scenario was built from, child first (set by the loader).
    files: tuple[str, ...] = ()
    #: Parameters set by override rather than by a file.
    overrides: dict[str, Any] = Field(default_factory=dict)
    #: Where each parameter set explicitly was set: a scenario file, or "override" (set by the loader).
    set_in: dict[str, str] = Field(default_factory=dict)

    def value(self, name: str):
        return getattr(self.parameters, name)

    @property
    def short_title(self) -> str:
        """The title up to its dash ("August 2020 rule"), for columns, chart axes and menus."""
        return (self.title or self.name).split(" \u2014 ")[0].split(" - ")[0].strip()


_TOP_KEYS = {"name", "title", "description", "inherits", "seed", "parameters"}
_REQUIRED_KEYS = ("title", "description")


def scenario_path(name: str, directory: Path | None = None) -> Path:
    return (directory or paths.SCENARIOS) / f"{name}.yaml"


def scenario_names(directory: Path | None = None) -> list[str]:
    """The shipped scenarios, baseline first then alphabetical."""
    names = sorted(p.stem for p in (directory or paths.SCENARIOS).glob("*.yaml"))
    return sorted(names, key=lambda n: (n != "baseline", n))


def _message(err: dict) -> str:
    """A pydantic error as a user reads it: what is wrong, what was given (cut short), what is allowed."""
    kind, msg = err["type"], err["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        loc = [x for x in err["loc"] if isinstance(x, str)]
        allowed = tuple(Ban.model_fields) if "vendor_bans" in loc else ()
        name = str(loc[-1]) if loc else ""
        return f"unknown key{_suggest(name, allowed)}" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
    if kind in ("value_error", "missing", "assertion_error") or "input" not in err:
        return msg
    if kind in _WANTED:
        hint = ""
        if isinstance(err["input"], str) and kind in ("tuple_type", "list_type", "dict_type", "model_type"):
            hint = " (papermill: give lists and mappings with -y 'NAME: [...]', not -p)"
        return f"{_got(err['input'])} is not {_WANTED[kind]}{hint}"
    return f"{msg}; got {_got(err['input'])}"


#: What a strict type error says was wanted.
_WANTED = {"int_type": "a whole number", "int_parsing": "a whole number", "int_from_float": "a whole number",
           "float_type": "a number", "float_parsing": "a number", "string_type": "text",
           "bool_type": "true or false", "bool_parsing": "true or false", "tuple_type": "a list",
           "list_type": "a list", "dict_type": "a mapping", "model_type": "a mapping (key: value)",
           "model_attributes_type": "a mapping (key: value)", "date_type": "a date (YYYY-MM-DD)"}


def _describe(err: dict) -> str:
    loc = ".".join(str(x) for x in err["loc"])
    msg = _message(err)
    return f"{loc}: {msg}" if loc else msg


def _suggest(name: str, allowed) -> str:
    close = difflib.get_close_matches(name, allowed, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _check_name(value, file: str, field: str) -> list[tuple[str, str, str]]:
    if not isinstance(value, str) or not SAFE_NAME.match(value):
        return [(file, field, f"{shown(value)} is not a safe scenario name: use {SAFE_NAME_RULE}")]
    return []


def _exists_exactly(path: Path) -> bool:
    """``path`` exists with exactly this name (on a case-insensitive file system ``Baseline.yaml``
    would otherwise open ``baseline.yaml`` under another name)."""
    try:
        return path.is_file() and path.name in os.listdir(path.parent)
    except OSError:
        return False


def _read_yaml(path: Path) -> dict:
    raw = _yaml.read(path, "scenario file", MAX_SCENARIO_BYTES)
    if not isinstance(raw, dict):
        raise InputError.single(paths.relative(path), "", "a scenario file must be a mapping of keys "
                                f"({', '.join(sorted(_TOP_KEYS))})")
    return raw


def _check_file(raw: dict, path: Path) -> list[tuple[str, str, str]]:
    """Problems visible in one file on its own: keys, names, parameter names."""
    file, problems = paths.relative(path), []
    for key in raw:
        if key not in _TOP_KEYS:
            problems.append((file, str(key), f"unknown key{_suggest(str(key), _TOP_KEYS)}; "
                             f"allowed: {', '.join(sorted(_TOP_KEYS))}"))
    for key in _REQUIRED_KEYS:
        if not isinstance(raw.get(key), str) or not raw.get(key, "").strip():
            problems.append((file, key, "required text is missing"))
    if "name" in raw:
        problems += _check_name(raw["name"], file, "name")
        if raw["name"] != path.stem and not problems:
            problems.append((file, "name", f"{raw['name']!r} differs from the file name {path.stem!r}"))
    problems += _check_name(path.stem, file, "file name")
    parents = raw.get("inherits")
    if isinstance(parents, list):
        if not parents:
            problems.append((file, "inherits", "give a scenario name or a non-empty list of names"))
        for i, parent in enumerate(parents):
            problems += _check_name(parent, file, f"inherits.{i}")
        if len(set(map(str, parents))) != len(parents):
            problems.append((file, "inherits", "a parent is named twice"))
    elif parents is not None:
        problems += _check_name(parents, file, "inherits")
    params = raw.get("parameters", {}) or {}
    if not isinstance(params, dict):
        problems.append((file, "parameters", "must be a mapping of parameter names to values"))
    else:
        for key in params:
            if key not in PARAMETER_NAMES:
                problems.append((file, f"parameters.{key}", "unknown parameter"
                                 f"{_suggest(str(key), PARAMETER_NAMES)}; see `econ params` for the list"))
    return problems


def _resolve(path: Path, chain: tuple[str, ...] = ()) -> tuple[dict, dict[str, str], list[str]]:
    """Merge a file with its ancestors: (merged raw mapping, parameter -> file that set it, files)."""
    raw = _read_yaml(path)
    file = paths.relative(path)
    problems = _check_file(raw, path)
    if problems:
        raise InputError(problems)
    merged: dict = {"seed": Scenario.model_fields["seed"].default, "parameters": {}}
    origin: dict[str, str] = {}
    files = [file]
    parents = raw.get("inherits")
    resolved = [_resolve_parent(parent, path, chain) for parent in
                (parents if isinstance(parents, list) else [parents] if parents else [])]
    if resolved:
        merged, origin, files = _join_parents(resolved, raw, file, files)
    if "seed" in raw:
        merged["seed"] = raw["seed"]
        origin["seed"] = file
    for key, value in (raw.get("parameters") or {}).items():
        if isinstance(value, dict) and set(value) == {"add"} and key in JOINED_LISTS:
            if not isinstance(value["add"], list):
                raise InputError.single(file, f"parameters.{key}.add", "give a list of entries to add")
            value = _join_lists([merged["parameters"].get(key) or [], value["add"]])
        merged["parameters"][key] = value
        origin[f"parameters.{key}"] = file
    merged.update({k: raw[k] for k in ("title", "description") if k in raw})
    merged["inherits"] = tuple(parents) if isinstance(parents, list) else parents
    merged["name"] = path.stem
    return merged, origin, files


#: List parameters that inheritance joins rather than replaces.
JOINED_LISTS = ("vendor_bans", "vendor_exits")


def _join_lists(lists) -> list:
    out: list = []
    for entries in lists:
        for entry in entries:
            if entry not in out:
                out.append(entry)
    return out


def _join_parents(resolved: list, raw: dict, file: str, files: list[str]):
    """Several parents' merged mappings as one: restriction lists joined; a parameter (or seed) that
    parents set differently must be set in ``raw`` itself."""
    merged: dict = {"seed": resolved[0][0]["seed"], "parameters": {}}
    origin: dict[str, str] = {}
    own = set(raw.get("parameters") or {})
    problems = []
    keys = dict.fromkeys(k for m, _, _ in resolved for k in m["parameters"])
    for key in keys:
        given = [(m["parameters"][key], o.get(f"parameters.{key}", ""), chain_files)
                 for m, o, chain_files in resolved if key in m["parameters"]]
        if key in JOINED_LISTS:
            merged["parameters"][key] = _join_lists(v or [] for v, _, _ in given)
            origin[f"parameters.{key}"] = given[-1][1]
            continue
        # A value a parent only inherited from a file another parent overrides is not a choice.
        kept = [(v, where) for v, where, _ in given
                if not any(w2 != where and where in fs[fs.index(w2) + 1:] for _, w2, fs in given if w2 in fs)]
        if any(v != kept[0][0] for v, _ in kept) and key not in own:
            problems.append((file, f"parameters.{key}", "the parents set it differently ("
                             + "; ".join(f"{where}: {shown(v)}" for v, where in kept) + "): set it here"))
        merged["parameters"][key], origin[f"parameters.{key}"] = kept[-1]
    seeds = {m["seed"] for m, _, _ in resolved}
    if len(seeds) > 1 and "seed" not in raw:
        problems.append((file, "seed", f"the parents' seeds differ ({sorted(seeds)}): set it here"))
    if problems:
        raise InputError(problems)
    for _, _, parent_files in resolved:
        files += [f for f in parent_files if f not in files]
    return merged, origin, files


def _resolve_parent(parent: str, path: Path, chain: tuple[str, ...]):
    """A parent's merged mapping, refusing cycles, too long chains and missing parents."""
    file = paths.relative(path)
    if parent in chain or parent == path.stem:
        cycle = " -> ".join((*chain, path.stem, parent))
        raise InputError.single(file, "inherits", f"inheritance cycle: {cycle}")
    if len(chain) + 1 >= MAX_INHERITANCE_DEPTH:
        raise InputError.single(file, "inherits", f"the chain of inherits is longer than {MAX_INHERITANCE_DEPTH} "
                                f"files ({' -> '.join((*chain[:3], '...', path.stem, parent))}): "
                                "inherit from a scenario nearer the baseline")
    parent_path = scenario_path(parent, path.parent)
    if not _exists_exactly(parent_path):
        raise InputError.single(file, "inherits", f"no scenario named {parent!r} in "
                                f"{paths.relative(path.parent)} (have: {', '.join(scenario_names(path.parent))})")
    return _resolve(parent_path, (*chain, path.stem))


def load_scenario(name_or_path: str | Path, overrides: dict | None = None) -> Scenario:
    """Load, merge (inheritance) and validate a scenario, then apply ``overrides``.

    Parameters
    ----------
    name_or_path : str or Path
        A shipped scenario's name (``"may2020_fdpr"``) or the path of a YAML file.
    overrides : dict, optional
        Parameter values that replace the file's, validated the same way (used for papermill
        parameters and ``econ`` command-line options).

    Raises
    ------
    InputError
        Naming the file and field of every problem found; nothing has run.
    """
    text = str(name_or_path)
    if text.endswith((".yaml", ".yml")) or "/" in text:
        path = Path(text)
    else:
        problems = _check_name(text, "scenario", "name")
        if problems:
            raise InputError(problems)
        path = scenario_path(text)
        if not _exists_exactly(path):
            raise InputError.single(paths.relative(path), "", f"no scenario named {text!r}; "
                                    f"shipped: {', '.join(scenario_names())}")
    merged, origin, files = _resolve(path)
    overrides = dict(overrides or {})
    unknown = [k for k in overrides if k not in PARAMETER_NAMES]
    if unknown:
        raise InputError([("override", str(k), f"unknown parameter{_suggest(str(k), PARAMETER_NAMES)}; "
                           "see `econ params` for the list") for k in unknown])
    for key, value in overrides.items():
        merged["parameters"][key] = value
        origin[f"parameters.{key}"] = "override"
    try:
        set_in = {k.removeprefix("parameters."): v for k, v in origin.items() if k.startswith("parameters.")}
        return Scenario(**merged, files=tuple(files), overrides=overrides, set_in=set_in)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = ".".join(str(x) for x in err["loc"][:2])
            file = origin.get(loc, paths.relative(path))
            field = ".".join(str(x) for x in err["loc"])
            problems.append((file, field, _message(err)))
        raise InputError(problems) from None


def with_values(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    """A copy of ``scenario`` with some parameters replaced, validated like an override."""
    merged = {**scenario.parameters.model_dump(), **values}
    try:
        parameters = Parameters(**merged)
    except ValidationError as e:
        raise InputError([("override", ".".join(str(x) for x in err["loc"]), _message(err))
                          for err in e.errors()]) from None
    return scenario.model_copy(update={"parameters": parameters,
                                       "overrides": {**scenario.overrides, **values},
                                       "set_in": {**scenario.set_in, **dict.fromkeys(values, "override")}})


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


def counterfactual(scenario: Scenario, reference: Scenario | None = None) -> Scenario:
    """The same scenario without its rules: the ``policy`` group taken from ``reference``
    (default baseline.yaml), every other assumption (and the seed) unchanged.

    "Scenario minus counterfactual" is then the effect of the rules alone, over the same draws.
    """
    reference = reference or load_scenario("baseline")
    policy = {r["name"] for r in _table() if r["group"] == "policy"}
    values = {k: getattr(reference.parameters, k) for k in policy}
    parameters = scenario.parameters.model_copy(update=values)
    return scenario.model_copy(update={"parameters": parameters, "name": f"{scenario.name} without its rules"})
