"""What each file in data/ must hold: its columns, types, ranges and keys (pandera schemas), the shared
vocabularies (economies, categories, tiers, event types, quality grades) and the timeline's own checks."""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from econ import paths
from econ.errors import suggest
from econ.scenario import PARTS, Market, Region, Vendor

QUALITY = ["primary", "good", "medium", "secondary", "low", "derived", "assumption"]


def _text(nullable=False, isin=None):
    checks = [pa.Check.isin(isin)] if isin else []
    return pa.Column(str, checks, nullable=nullable, coerce=True)


def _number(nullable=False, ge=None, le=None):
    checks = ([pa.Check.ge(ge)] if ge is not None else []) + ([pa.Check.le(le)] if le is not None else [])
    return pa.Column(float, checks, nullable=nullable, coerce=True)


def _share(nullable=False):
    return _number(nullable=nullable, ge=0.0, le=1.0)


def _year():
    return pa.Column(int, pa.Check.in_range(1990, 2040), coerce=True)


_DEFAULT = {"is_default": pa.Column(str, pa.Check.isin(["true", "false"]))}

ECONOMIES = ["united_states", "japan", "taiwan", "south_korea", "china", "other", "total"]
CATEGORIES = ["foundry", "memory", "image_sensors", "display", "passive_components", "chip_design",
              "assembly", "other"]
#: Russian population tiers of the 5G coverage targets, largest first (econ.model.investment assigns cities to them).
TIERS = ["million_plus", "cities_500k_1m", "other_urban"]
#: Kinds of event in sanctions_timeline.csv; docs/timeline.md says what each one means.
EVENT_TYPES = ["entity_list", "foreign_direct_product_rule", "general_licence", "export_control", "licence_revocation",
               "supply_halt", "vendor_exit", "divestiture", "ban_5g", "removal_deadline", "partnership",
               "domestic_programme", "funding", "market_event", "exchange_rate"]
#: Years an event may be dated in: the model's years (2019-2030) and 2018 for background (Australia's ban).
TIMELINE_YEARS = (2018, 2030)
#: data/backtest.csv's closed lists (econ.backtest.table says what each means).
BACKTEST_KINDS = ("outcome", "estimate", "plan")
BACKTEST_RELATIONS = ("clean", "fitted", "same_source", "seeded", "hindsight")
BACKTEST_FAMILIES = ("world shares", "shares outside China", "China", "Russia", "Huawei's carrier revenue",
                     "Huawei's consumer revenue", "Huawei's phone shipments", "capex", "removal costs", "revenue at risk",
                     "Russia's 5G build")
#: Latest year a removal deadline may name (beyond the model's years: a deadline may be set for after 2030).
DEADLINE_LAST_YEAR = 2040
#: Who may decide an event in sanctions_timeline.csv: ISO 3166 alpha-2 codes (EU for EU-level acts), each
#: with its name for readers and the market or region of the market-share model it lies in (a market of
#: data/equipment_markets.csv, or its region's remainder, other_europe, other_apac; EU: the region europe).
#: A code the model cannot place is refused: a new country is added here with its place first.
JURISDICTIONS: dict[str, tuple[str, str]] = {
    "AU": ("Australia", "australia"), "BE": ("Belgium", "other_europe"), "BR": ("Brazil", "brazil"),
    "CA": ("Canada", "canada"), "CN": ("China", "china"), "DE": ("Germany", "germany"),
    "DK": ("Denmark", "other_europe"), "EE": ("Estonia", "other_europe"), "ES": ("Spain", "other_europe"),
    "EU": ("European Union", "europe"), "FI": ("Finland", "other_europe"), "FR": ("France", "france"),
    "GB": ("United Kingdom", "united_kingdom"), "IN": ("India", "india"), "IT": ("Italy", "italy"),
    "JP": ("Japan", "japan"), "KR": ("South Korea", "south_korea"), "LT": ("Lithuania", "other_europe"),
    "LV": ("Latvia", "other_europe"), "NL": ("Netherlands", "other_europe"), "NZ": ("New Zealand", "new_zealand"),
    "PL": ("Poland", "other_europe"), "PT": ("Portugal", "other_europe"), "RO": ("Romania", "other_europe"),
    "RU": ("Russia", "russia"), "SA": ("Saudi Arabia", "saudi_arabia"), "SE": ("Sweden", "other_europe"),
    "SK": ("Slovakia", "other_europe"), "TW": ("Taiwan", "other_apac"), "US": ("United States", "united_states"),
}
#: Codes people write that ISO 3166 spells otherwise (the UK is GB), for "did you mean".
_JURISDICTION_ALIASES = {"uk": "GB", "britain": "GB", "great britain": "GB", "usa": "US", "america": "US"}


@dataclass(frozen=True)
class Dataset:
    """One data file: its schema and, where conflicting estimates are kept, the key of a default."""

    name: str
    columns: dict
    default_key: tuple[str, ...] = ()
    #: Checks across the columns of a row, run after the schema: (frame, file) -> problems.
    check: Callable[[pd.DataFrame, str], list[tuple[str, str, str]]] | None = None

    @property
    def file(self) -> Path:
        return paths.DATA / f"{self.name}.csv"

    def schema(self) -> pa.DataFrameSchema:
        cols = dict(self.columns)
        if self.default_key:
            cols.update(_DEFAULT)
        cols.update({"source_id": _text(), "quality": _text(isin=QUALITY), "note": _text(nullable=True)})
        return pa.DataFrameSchema(cols, strict=True, ordered=False)


_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def period(text) -> tuple[int, ...] | None:
    """An ISO date, month or year ("2020-05-15", "2020-05", "2020") as (year[, month[, day]]); None if it is not one."""
    match = _PERIOD.match(text) if isinstance(text, str) else None
    if not match:
        return None
    parts = tuple(int(g) for g in match.groups() if g is not None)
    try:
        datetime.date(*parts, *(1,) * (3 - len(parts)))
    except ValueError:
        return None
    return parts


def names(cell) -> tuple[str, ...]:
    """A ';'-separated list cell (vendors, parts) as a tuple of names; () for an empty cell."""
    return tuple(n.strip() for n in cell.split(";")) if isinstance(cell, str) else ()


def _line(index) -> str:
    """The file line of a frame row: the header is line 1."""
    try:
        return f"line {int(index) + 2}"
    except (TypeError, ValueError):
        return "all rows"


def jurisdiction_hint(code) -> str:
    """" (did you mean 'GB'?)" for a jurisdiction the model does not know: a known alias ("UK"), a
    country's name ("germany", "Germny"), or the closest code; "" when nothing is close."""
    text = str(code).strip()
    if text.casefold() in _JURISDICTION_ALIASES:
        return f" (did you mean '{_JURISDICTION_ALIASES[text.casefold()]}'?)"
    by_name = {name.casefold(): c for c, (name, _) in JURISDICTIONS.items()}
    named = difflib.get_close_matches(text.casefold(), by_name, n=1)
    if named:
        return f" (did you mean '{by_name[named[0]]}', {JURISDICTIONS[by_name[named[0]]][0]}?)"
    return suggest(text.upper(), JURISDICTIONS)


def _event_problems(row) -> list[tuple[str, str]]:
    """One event's problems as (column, message): jurisdiction, date, vendors, parts, removal deadline."""
    found = []
    first, last = TIMELINE_YEARS
    if row["jurisdiction"] not in JURISDICTIONS:
        found.append(("jurisdiction", f"{row['jurisdiction']!r} is not a jurisdiction the model can place; allowed: "
                      f"{', '.join(JURISDICTIONS)} (ISO 3166 two-letter codes, EU for EU-level acts)"
                      f"{jurisdiction_hint(row['jurisdiction'])}"))
    date, deadline = period(row["date"]), row["removal_deadline"]
    if date is None:
        found.append(("date", f"{row['date']!r} is not an ISO date: write YYYY-MM-DD, YYYY-MM or YYYY"))
    elif not first <= date[0] <= last:
        found.append(("date", f"{row['date']} is outside the model's years: events are dated {first} to {last}"))
    lists = {"vendors": ("vendor", list(Vendor.__args__)), "parts": ("network part", list(PARTS))}
    for column, (what, allowed) in lists.items():
        found += [(column, f"{name!r} is not a {what}; allowed: {', '.join(allowed)} (several separated by ';')")
                  for name in names(row[column]) if name not in allowed]
    if isinstance(deadline, str):
        due = period(deadline)
        n = min(len(due or ()), len(date or ()))
        if due is None or not first <= due[0] <= DEADLINE_LAST_YEAR:
            found.append(("removal_deadline", f"{deadline!r} is not an ISO date (YYYY-MM-DD, YYYY-MM or YYYY) "
                          f"from {first} to {DEADLINE_LAST_YEAR}"))
        elif date is not None and due[:n] < date[:n]:
            found.append(("removal_deadline", f"{deadline} is before the event's date {row['date']}: a removal "
                          "deadline falls on or after the decision that sets it"))
    return found


def _repeated_events(frame: pd.DataFrame, file: str) -> list[tuple[str, str, str]]:
    """An event entered twice under two ids: the same date, jurisdiction, event type, vendors and parts (in
    any order) would be counted twice by the pages and the back-test's dates."""
    problems, first = [], {}
    for i, row in frame.iterrows():
        key = (row["date"], row["jurisdiction"], row["event_type"], tuple(sorted(names(row["vendors"]))),
               tuple(sorted(names(row["parts"]))))
        if key in first:
            j, earlier = first[key]
            problems.append((file, f"column 'event_id', {_line(i)}", f"{row['event_id']!r} repeats {earlier!r} "
                             f"({_line(j)}): the same date, jurisdiction, event_type, vendors and parts; keep one "
                             "event, or correct the field in which they differ"))
        first.setdefault(key, (i, row["event_id"]))
    return problems


def _range_problems(frame: pd.DataFrame, file: str) -> list[tuple[str, str, str]]:
    """Data rows of (item, year, value, value_low, value_high, unit), the files the stages draw over their
    ranges (huawei_chip_dependence, huawei_business, huawei_handsets): low <= value <= high, shares at
    most 1, and each (item, year) once."""
    problems = []
    for i, r in frame.iterrows():
        where = f"row {i + 2} ({r['item']}, {r['year']})"
        if not r["value_low"] <= r["value"] <= r["value_high"]:
            problems.append((file, "value", f"{where}: give value_low <= value <= value_high"))
        if r["unit"] == "share" and r["value_high"] > 1:
            problems.append((file, "value_high", f"{where}: a share is at most 1"))
    repeated = frame[frame.duplicated(["item", "year"], keep=False)]
    problems += [(file, "item", f"{r['item']} {r['year']} is given twice") for _, r in
                 repeated.drop_duplicates(["item", "year"]).iterrows()]
    return problems


def _timeline_problems(frame: pd.DataFrame, file: str) -> list[tuple[str, str, str]]:
    """sanctions_timeline.csv: a jurisdiction the model can place (:data:`JURISDICTIONS`), dates in the model's
    years, known vendors and network parts, a removal deadline on or after the event (compared at the coarser
    of the two precisions: 2024 is not before 2024-06), and no event entered twice under two ids."""
    problems = [(file, f"column '{column}', {_line(i)}", message)
                for i, row in frame.iterrows() for column, message in _event_problems(row)]
    return problems + _repeated_events(frame, file)


DATASETS: dict[str, Dataset] = {d.name: d for d in [
    Dataset("huawei_revenue", {
        "year": _year(), "dimension": _text(isin=["total", "region", "business_group"]),
        "segment": _text(isin=["group", "china", "emea", "asia_pacific_ex_china", "americas", "other",
                               "carrier", "consumer", "enterprise"]),
        "revenue_cny_bn": _number(ge=0)}, ("year", "dimension", "segment")),
    Dataset("huawei_procurement", {
        "year": _year(), "supplier_economy": _text(isin=ECONOMIES),
        "procurement_usd_bn": _number(ge=0), "procurement_low_usd_bn": _number(ge=0, nullable=True),
        "procurement_high_usd_bn": _number(ge=0, nullable=True)}, ("year", "supplier_economy")),
    Dataset("procurement_by_business", {
        "product_category": _text(isin=CATEGORIES), "consumer_share": _share(), "consumer_share_low": _share(),
        "consumer_share_high": _share()}),
    Dataset("huawei_chip_dependence", {
        "item": _text(), "year": _year(), "value": _share(), "value_low": _share(), "value_high": _share(),
        "unit": _text()}, check=_range_problems),
    Dataset("huawei_business", {
        "item": _text(), "year": _year(), "value": _share(), "value_low": _share(), "value_high": _share(),
        "unit": _text()}, check=_range_problems),
    Dataset("huawei_handsets", {
        "item": _text(isin=["phone_units_m", "five_g_share_of_demand", "honor_share_of_phone_units",
                            "five_g_buyers_taking_4g", "phone_price_spread", "nonphone_chip_exposure"]),
        "year": _year(), "value": _number(ge=0), "value_low": _number(ge=0), "value_high": _number(ge=0),
        "unit": _text()}, check=_range_problems),
    Dataset("china_operator_capex", {
        "operator": _text(isin=["china_mobile", "china_telecom", "china_unicom"]), "year": _year(),
        "capex_cny_bn": _number(ge=0), "basis": _text(isin=["outturn", "plan", "derived"]),
        "capex_5g_cny_bn": _number(ge=0), "basis_5g": _text(isin=["outturn", "plan", "derived"]),
        "source_id_5g": _text()}),
    Dataset("china_5g_tenders", {
        "tender": _text(), "operator": _text(), "year": _year(), "vendor": _text(isin=list(Vendor.__args__)),
        "share": _share(), "value_cny_bn": _number(ge=0, nullable=True), "complete": _text(isin=["true", "false"])}),
    Dataset("backtest", {
        "figure_id": _text(), "quantity": _text(), "year": _year(), "value": _number(nullable=True),
        "unit": _text(), "scenario": _text(nullable=True), "kind": _text(isin=list(BACKTEST_KINDS)),
        "relation": _text(isin=list(BACKTEST_RELATIONS)), "relation_note": _text(),
        "family": _text(isin=list(BACKTEST_FAMILIES))}),
    Dataset("equipment_parts", {
        "part": _text(isin=list(PARTS)), "share_of_spend": _share(), "share_low": _share(), "share_high": _share()}),
    Dataset("supplier_exposure", {
        "supplier": _text(), "supplier_economy": _text(isin=ECONOMIES), "product_category": _text(isin=CATEGORIES),
        "year": _year(), "huawei_share_of_revenue": _share(), "share_low": _share(), "share_high": _share()},
        ("supplier",)),
    Dataset("procurement_category_mix", {
        "supplier_economy": _text(isin=ECONOMIES), "product_category": _text(isin=CATEGORIES), "share": _share(),
        "share_low": _share(), "share_high": _share()}),
    Dataset("supply_network", {
        "input_category": _text(isin=CATEGORIES), "output_category": _text(isin=CATEGORIES),
        "coefficient": _share(), "coefficient_low": _share(), "coefficient_high": _share()}),
    Dataset("supplier_revenue", {
        "supplier": _text(), "year": _year(), "segment": _text(), "revenue_usd_bn": _number(ge=0)}),
    Dataset("calibration_targets", {
        "target": _text(), "scenario": _text(), "value_usd_bn": _number(ge=0), "qualifier": _text()}),
    Dataset("europe_5g_vendor_panel", {
        "country": _text(), "year": _year(), "technology": _text(isin=["4g", "5g"]), "chinese_share": _share(),
        "share_low": _share(), "share_high": _share(), "decision_event": _text(nullable=True)}),
    Dataset("vendor_shares", {
        "year": _year(), "market": _text(), "region": _text(), "vendor": _text(), "share": _share()},
        ("year", "market", "region", "vendor")),
    Dataset("market_size", {
        "year": _year(), "market": _text(), "region": _text(), "size_usd_bn": _number(ge=0),
        "size_low_usd_bn": _number(ge=0, nullable=True), "size_high_usd_bn": _number(ge=0, nullable=True)},
        ("year", "market", "region")),
    Dataset("russia_operators", {
        "operator": _text(isin=["mts", "megafon", "beeline", "tele2"]), "year": _year(),
        "metric": _text(isin=["subscribers_m", "revenue_rub_bn", "capex_rub_bn", "base_stations_count",
                              "subscriber_share"]),
        "value": _number(ge=0)}, ("operator", "year", "metric")),
    Dataset("russia_5g_plan", {
        "item": _text(), "year": _year(), "value": _number(ge=0), "value_low": _number(ge=0, nullable=True),
        "value_high": _number(ge=0, nullable=True), "unit": _text()}, ("item", "year")),
    Dataset("five_g_costs", {
        "parameter": _text(), "geography": _text(), "year": _year(), "value": _number(ge=0),
        "value_low": _number(ge=0, nullable=True), "value_high": _number(ge=0, nullable=True),
        "unit": _text()}, ("parameter", "geography", "year")),
    Dataset("sanctions_timeline", {
        "event_id": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$"), unique=True, coerce=True),
        "date": _text(), "jurisdiction": _text(),
        "event_type": _text(isin=EVENT_TYPES), "vendors": _text(nullable=True), "parts": _text(nullable=True),
        "removal_deadline": _text(nullable=True), "scope": _text()}, check=_timeline_problems),
    Dataset("exchange_rates", {
        "year": _year(), "currency": _text(), "units_per_usd": _number(ge=0)}),
    Dataset("equipment_regions", {
        "region": _text(isin=list(Region.__args__)), "share_of_world_ex_russia": _share(),
        "share_low": _share(), "share_high": _share(), "five_g_launch_year": _year()}),
    Dataset("equipment_markets", {
        "market": _text(isin=list(Market.__args__)), "region": _text(isin=list(Region.__args__)),
        "weight_in_region": _share()}),
    Dataset("vendor_share_priors", {
        "region": _text(isin=list(Region.__args__)), "vendor": _text(isin=list(Vendor.__args__)),
        "prior_share": _share(), "fixed": _text(isin=["true", "false"])}),
    Dataset("russia_cities", {
        "area": _text(), "kind": _text(isin=["city", "urban_total", "national_total"]), "year": _year(),
        "population_m": _number(ge=0)}),
    Dataset("russia_coverage_targets", {
        "tier": _text(isin=TIERS), "start_year": _year(), "target_year": _year(),
        "largest_cities": _number(nullable=True, ge=1), "population_share": _share(nullable=True),
        "layer": _text(isin=["first", "full"])}),
    Dataset("rip_and_replace", {
        "country": _text(isin=["uk", "us"]), "item": _text(), "year": _year(), "value": _number(ge=0),
        "value_low": _number(ge=0, nullable=True), "value_high": _number(ge=0, nullable=True), "unit": _text(),
        "role": _text(isin=["input", "benchmark", "context"])}),
]}
