"""The datasets in data/: loaded through schemas, with provenance checked.

Every CSV in data/ is tidy, ends with the columns ``source_id, quality, note``, and is listed in
data/manifest.yaml with its title, units and SHA-256. :func:`load` validates a file against its
schema before returning it; a malformed file fails with one message per problem naming the
file, the column and the line. Conflicting estimates are kept as separate rows and exactly one
row per key carries ``is_default``; :func:`load` returns all rows, :func:`defaults` the chosen ones.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
import yaml

from econ import _yaml, files, paths
from econ.errors import InputError
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
#: Latest year a removal deadline may name (beyond the model's years: a deadline may be set for after 2030).
DEADLINE_LAST_YEAR = 2040


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


def _timeline_problems(frame: pd.DataFrame, file: str) -> list[tuple[str, str, str]]:
    """sanctions_timeline.csv: dates in the model's years, known vendors and network parts, and a removal
    deadline on or after the event (compared at the coarser of the two precisions: 2024 is not before 2024-06)."""
    problems = []
    first, last = TIMELINE_YEARS
    lists = {"vendors": ("vendor", list(Vendor.__args__)), "parts": ("network part", list(PARTS))}
    for i, row in frame.iterrows():
        found = []  # (column, message)
        date, deadline = period(row["date"]), row["removal_deadline"]
        if date is None:
            found.append(("date", f"{row['date']!r} is not an ISO date: write YYYY-MM-DD, YYYY-MM or YYYY"))
        elif not first <= date[0] <= last:
            found.append(("date", f"{row['date']} is outside the model's years: events are dated {first} to {last}"))
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
        problems += [(file, f"column '{column}', {_line(i)}", message) for column, message in found]
    return problems


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
        "unit": _text()}),
    Dataset("huawei_business", {
        "item": _text(), "year": _year(), "value": _share(), "value_low": _share(), "value_high": _share(),
        "unit": _text()}),
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
        "unit": _text(), "scenario": _text(nullable=True), "used_to_fit": _text(isin=["true", "false"]),
        "fitted_by": _text(nullable=True)}),
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
        "date": _text(), "jurisdiction": pa.Column(str, pa.Check.str_matches(r"^[A-Z]{2}$"), coerce=True),
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


def _line(index) -> str:
    """The file line of a frame row: the header is line 1."""
    try:
        return f"line {int(index) + 2}"
    except (TypeError, ValueError):
        return "all rows"


def _read(file: Path) -> pd.DataFrame:
    rel = paths.relative(file)
    if file.is_dir():
        raise InputError.single(rel, "", "is a folder, not a data file")
    try:
        frame = pd.read_csv(file, dtype=str, keep_default_na=False, na_values=[""])
    except FileNotFoundError:
        raise InputError.single(rel, "", "data file is missing") from None
    except pd.errors.EmptyDataError:
        raise InputError.single(rel, "", "the file is empty: a data file starts with a header row of column "
                                "names, then one row per observation") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError, ValueError) as e:
        raise InputError.single(rel, "", f"not a readable CSV: {type(e).__name__}: {e}") from None
    if frame.empty:
        raise InputError.single(rel, "", "has a header but no rows: every data file holds at least one observation")
    return frame


def validate_frame(frame: pd.DataFrame, dataset: Dataset, file: str, sources: set[str] | None) -> pd.DataFrame:
    """``frame`` checked and typed by the dataset's schema, or InputError naming column and line."""
    problems: list[tuple[str, str, str]] = []
    try:
        out = dataset.schema().validate(frame, lazy=True)
        if dataset.default_key:
            out["is_default"] = out["is_default"] == "true"
    except pa.errors.SchemaErrors as e:
        for case in e.failure_cases.itertuples():
            column = case.column if isinstance(case.column, str) else ""
            if case.check == "column_in_dataframe":
                problems.append((file, f"column '{case.failure_case}'", "required column is missing"))
            elif case.check == "column_in_schema":
                problems.append((file, f"column '{case.failure_case}'", "unexpected column; allowed: "
                                 + ", ".join(dataset.schema().columns)))
            else:
                value = case.failure_case
                problems.append((file, f"column '{column}', {_line(case.index)}",
                                 f"value {value!r} fails {case.check}"))
        raise InputError(problems) from None
    cited = [c for c in out.columns if c.startswith("source_id")]  # source_id, and e.g. source_id_5g
    for i, row in out.iterrows():
        for column in cited if sources is not None else ():
            if row[column] not in sources:
                problems.append((file, f"column '{column}', {_line(i)}",
                                 f"{row[column]!r} is not a source_id in data/sources.csv"))
        if row["quality"] in ("derived", "assumption") and not (isinstance(row["note"], str) and row["note"].strip()):
            problems.append((file, f"column 'note', {_line(i)}",
                             f"a {row['quality']} figure needs a note saying how it was derived or why assumed"))
    if dataset.default_key:
        counts = out.groupby(list(dataset.default_key))["is_default"].sum()
        for key, n in counts.items():
            if n != 1:
                key_text = ", ".join(f"{k}={v}" for k, v in zip(dataset.default_key, key if isinstance(key, tuple)
                                                                 else (key,)))
                problems.append((file, "column 'is_default'",
                                 f"{key_text} has {n} default rows; exactly one row per key must be the default"))
    if dataset.check is not None:
        problems += dataset.check(out, file)
    if problems:
        raise InputError(problems)
    return out


SOURCES_SCHEMA = pa.DataFrameSchema({
    "source_id": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$"), unique=True, coerce=True),
    "title": _text(), "publisher": _text(), "address": _text(), "date": _text(), "note": _text(nullable=True),
}, strict=True)


@functools.lru_cache(maxsize=1)
def _sources_cached(mtime_ns: int) -> pd.DataFrame:
    frame = _read(paths.SOURCES)
    try:
        return SOURCES_SCHEMA.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as e:
        raise InputError([(paths.relative(paths.SOURCES), f"column '{c.column}', {_line(c.index)}",
                           f"value {c.failure_case!r} fails {c.check}") for c in e.failure_cases.itertuples()]) from None


def sources() -> pd.DataFrame:
    """data/sources.csv: one row per source (title, publisher, address, date)."""
    return _sources_cached(paths.SOURCES.stat().st_mtime_ns if paths.SOURCES.exists() else 0)


@functools.lru_cache(maxsize=64)
def _load_cached(name: str, file: str, mtime_ns: int) -> pd.DataFrame:
    dataset = DATASETS[name]
    return validate_frame(_read(Path(file)), dataset, paths.relative(file), set(sources()["source_id"]))


def load(name: str) -> pd.DataFrame:
    """All rows of dataset ``name``, validated (a copy: callers may modify it)."""
    if name not in DATASETS:
        raise KeyError(f"unknown dataset {name!r}; have: {', '.join(DATASETS)}")
    file = DATASETS[name].file
    mtime = file.stat().st_mtime_ns if file.exists() else 0
    return _load_cached(name, str(file), mtime).copy()


def defaults(name: str) -> pd.DataFrame:
    """The default rows of dataset ``name`` (all rows where the dataset keeps no alternatives)."""
    frame = load(name)
    if "is_default" in frame:
        frame = frame[frame["is_default"]].drop(columns="is_default")
    return frame.reset_index(drop=True)


def validate_file(path: Path) -> None:
    """Validate one data file (its dataset is its file name); InputError when it is malformed."""
    name = path.stem
    if paths.same(path, paths.SOURCES):
        sources()
        return
    if name not in DATASETS:
        raise InputError.single(paths.relative(path), "", f"unknown dataset; known: {', '.join(DATASETS)}")
    validate_frame(_read(path), DATASETS[name], paths.relative(path), set(sources()["source_id"]))


# --- provenance manifest ------------------------------------------------------------------------

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manifest_document() -> dict:
    """data/manifest.yaml read strictly and checked for shape: ``files:`` mapping each file name to its
    entry (a mapping); InputError naming the manifest otherwise."""
    rel = paths.relative(paths.MANIFEST)
    doc = _yaml.read(paths.MANIFEST, "data manifest")
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), dict) or not doc["files"]:
        raise InputError.single(rel, "files", "the manifest must be a mapping with `files:`, one entry per data "
                                "file (title, description, units, sha256); restore it from git")
    bad = [str(name) for name, entry in doc["files"].items() if not isinstance(name, str) or not isinstance(entry, dict)]
    if bad:
        raise InputError([(rel, f"files.{name}", "each entry must be a mapping (title, description, units, sha256)")
                          for name in bad])
    return doc


def manifest() -> dict:
    """data/manifest.yaml: for each data file its title, description, units and recorded hash."""
    return _manifest_document()["files"]


def check_manifest() -> list[tuple[str, str, str]]:
    """Problems with provenance: files missing from the manifest, or whose hash has changed."""
    problems = []
    try:
        entries = manifest()
    except InputError as e:
        return e.problems
    rel_manifest = paths.relative(paths.MANIFEST)
    on_disk = {p.name for p in paths.DATA.glob("*.csv")}
    for name in sorted(on_disk - set(entries)):
        problems.append((rel_manifest, name, "data file has no manifest entry (title, description, units, sha256)"))
    for name, entry in entries.items():
        path = paths.DATA / name
        if not path.exists():
            problems.append((rel_manifest, name, "listed but the file is missing"))
            continue
        for key in ("title", "description", "units", "sha256"):
            if not entry.get(key):
                problems.append((rel_manifest, f"{name}.{key}", "missing"))
        if entry.get("sha256") and not isinstance(entry["sha256"], str):
            problems.append((rel_manifest, f"{name}.sha256", "must be the file's SHA-256 as text"))
        elif entry.get("sha256") and entry["sha256"] != sha256(path):
            problems.append((rel_manifest, f"{name}.sha256", "does not match the file: the data changed without "
                             "its provenance being updated (run `econ data --rehash` after checking the sources)"))
    return problems


def _check_listed(name: str) -> list[tuple[str, str, str]]:
    """Problems with one manifest entry's file: missing, or failing its schema (sources.csv included)."""
    path = paths.DATA / name
    try:
        if not path.is_file():
            return [(paths.relative(path), "", "listed in the manifest but missing")]
        validate_file(path)
    except InputError as e:
        return e.problems
    return []


def rehash() -> list[str]:
    """Record the current hash of every file listed in the manifest; returns the names changed.

    Every listed file is first validated against its schema: if any fails, nothing is recorded
    (InputError naming each problem). The manifest is replaced atomically (temporary file, fsync,
    rename, fsync of the folder), so an interrupted rehash leaves the old manifest whole.
    """
    doc = _manifest_document()
    rel = paths.relative(paths.MANIFEST)
    problems = [(rel, name, "data file has no manifest entry: write its title, description and units first")
                for name in sorted({p.name for p in paths.DATA.glob("*.csv")} - set(doc["files"]))]
    problems += [(rel, f"{name}.{key}", "missing: write it before rehashing") for name, entry in doc["files"].items()
                 for key in ("title", "description", "units") if not entry.get(key)]
    problems += [p for name in doc["files"] for p in _check_listed(name)]
    if problems:
        raise InputError(problems + [(paths.relative(paths.MANIFEST), "",
                                      "unchanged: fix the files above, then rehash")])
    changed = []
    for name, entry in doc["files"].items():
        digest = sha256(paths.DATA / name)
        if entry.get("sha256") != digest:
            entry["sha256"] = digest
            changed.append(name)
    if changed:
        files.write_atomic(paths.MANIFEST, yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100),
                     sync_folder=True)
    return changed


def cite(frame: pd.DataFrame) -> str:
    """A short citation of the sources behind ``frame``'s rows: "publisher (date); ..." in row order."""
    table = sources().set_index("source_id")
    seen = dict.fromkeys(frame["source_id"])
    parts = [f"{table.at[s, 'publisher']} ({table.at[s, 'date']})" for s in seen if s in table.index]
    return "; ".join(dict.fromkeys(parts))
