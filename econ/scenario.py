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
"""

from __future__ import annotations

import difflib
import math
import os
import re
import types
import typing
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

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
#: The market-share model's years (econ.market_share.BASE_YEAR, END_YEAR; a test keeps them equal).
#: Ban years must lie in them; a ban from before the first simulated year is already in force then.
MARKET_YEARS = (2019, 2030)

#: Product categories of Huawei's purchases (data/procurement_category_mix.csv uses the same set).
Category = Literal["foundry", "memory", "image_sensors", "display", "chip_design",
                   "passive_components", "assembly", "other"]

#: Telecom-equipment vendors in the market-share model ("others" includes domestic Russian makers).
Vendor = Literal["huawei", "ericsson", "nokia", "zte", "samsung", "cisco", "others"]
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


def param(default, *, unit: str, meaning: str, model: str, low=None, high=None):
    """Declare a parameter: default, unit, valid range [low, high] and a one-line meaning."""
    return Field(default, description=meaning,
                 json_schema_extra={"unit": unit, "low": low, "high": high, "model": model})


class Ban(StrictModel):
    """Vendors barred from new contracts in some places from a year, optionally ripped out by a deadline.

    ``removal_share`` is the part of the vendor's installed base there that must go (the UK's rule
    covers 5G kit only, not all of Huawei's equipment); it is removed in equal steps from
    ``from_year`` to ``remove_by`` and replaced by other vendors' equipment.

    Years lie in the market-share model's years (:data:`MARKET_YEARS`, 2019-2030): ``from_year`` up
    to the last one, and from 2010 for bans already in force (a ban from 2019 or before acts from 2020,
    the first simulated year: 2019's shares are data); ``remove_by`` from 2020 to 2030.
    """

    vendors: tuple[Vendor, ...] = Field(min_length=1)
    places: tuple[Place, ...] = Field(min_length=1)
    from_year: int
    remove_by: int | None = None
    removal_share: float = Field(1.0, ge=0.0, le=1.0)

    @field_validator("from_year", "remove_by")
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
        return self

    def __str__(self) -> str:
        text = f"{'+'.join(self.vendors)} barred in {', '.join(self.places)} from {self.from_year}"
        if self.remove_by is not None:
            text += f", {self.removal_share:.0%} of installed kit removed by {self.remove_by}"
        return text


class Parameters(StrictModel):
    """Every assumption a scenario can set. Grouped by the model that reads it.

    Strict types (:class:`StrictModel`): a new parameter declared with :func:`param` and a plain
    annotation is validated strictly, with its declared range, on every path.
    """

    # --- policy: which rules are in force -------------------------------------------------------
    rule_effective_date: date = param(
        date(2020, 5, 15), unit="date", model="policy", low=date(2019, 1, 1), high=date(2021, 12, 31),
        meaning="Date the export rule takes effect (the 12-month loss window starts here)")
    covered_categories: tuple[Category, ...] = param(
        (), unit="categories", model="policy",
        meaning="Product categories whose sales to Huawei the rule blocks (empty: no rule)")
    wind_down_days: int = param(
        120, unit="days", model="policy", low=0, high=365,
        meaning="Days after the effective date during which shipments already in production may go")

    # --- revenue impacts (econ.revenue) ---------------------------------------------------------
    licence_approval_rate: Uncertain = param(
        0.0, unit="fraction", model="revenue", low=0.0, high=1.0,
        meaning="Share of blocked sales that a US licence lets through anyway")
    stockpile_months: Uncertain = param(
        0.0, unit="months of purchases", model="revenue", low=0.0, high=12.0,
        meaning="Orders Huawei pulls forward into the wind-down, in months of normal purchases")
    substitution_rate: Uncertain = param(
        0.0, unit="fraction", model="revenue", low=0.0, high=1.0,
        meaning="Share of lost sales resold to other customers once recovery is complete")
    recovery_months: Uncertain = param(
        12.0, unit="months", model="revenue", low=1.0, high=36.0,
        meaning="Months after the deadline for substitution to reach its full rate (linear ramp)")
    indirect_coverage: Uncertain = param(
        1.0, unit="fraction", model="revenue", low=0.0, high=1.0,
        meaning="Share of second-round (supply-chain) exposure that turns into lost sales")

    # --- market shares (econ.market_share) ------------------------------------------------------
    vendor_bans: tuple[Ban, ...] = param(
        (), unit="bans", model="market_share",
        meaning="Vendors barred from new contracts in places from a year; optionally removed by a deadline")
    huawei_sanctions_penalty: Uncertain = param(
        0.0, unit="logit utility", model="market_share", low=0.0, high=3.0,
        meaning="Loss of Huawei's attractiveness outside China from the rule's effective date (chips, support risk)")
    russia_huawei_alignment: Uncertain = param(
        0.0, unit="logit utility", model="market_share", low=0.0, high=3.0,
        meaning="Extra attractiveness of Huawei to Russian buyers from political alignment, from 2020")
    russia_domestic_target: float = param(
        0.0, unit="fraction of new contracts", model="market_share", low=0.0, high=1.0,
        meaning="Share of Russia's new equipment contracts required to go to domestic makers")
    russia_domestic_target_year: int = param(
        2024, unit="year", model="market_share", low=2020, high=2030,
        meaning="Year the domestic target is reached (linear ramp from 2020)")
    russia_domestic_capability: Uncertain = param(
        1.0, unit="fraction", model="market_share", low=0.0, high=1.0,
        meaning="Share of the domestic target Russian industry can actually supply")
    russia_5g_launch_year: int = param(
        2024, unit="year", model="market_share", low=2020, high=2030,
        meaning="Year Russian commercial 5G starts; its build-out wave peaks two years later")
    russia_equipment_share_of_capex: float = param(
        0.5, unit="fraction of capex", model="market_share", low=0.2, high=0.8,
        meaning="Share of Russian operators' capex spent on network equipment (sizes Russia's market)")
    equipment_life_years: Uncertain = param(
        8.0, unit="years", model="market_share", low=4.0, high=15.0,
        meaning="Average service life of telecom equipment: 1/life of the installed base is replaced each year")
    market_growth: Uncertain = param(
        0.02, unit="fraction per year", model="market_share", low=-0.05, high=0.10,
        meaning="Nominal growth of telecom-equipment spending each year outside 5G waves")
    five_g_wave_uplift: Uncertain = param(
        0.25, unit="fraction of base spend", model="market_share", low=0.0, high=1.0,
        meaning="Extra spending at the peak of a region's 5G build-out wave")
    vendor_nest_correlation: Uncertain = param(
        0.4, unit="nested-logit 1 - lambda", model="market_share", low=0.0, high=0.9,
        meaning="How alike buyers see vendors of one nest (Chinese, Western): 0 is plain logit")

    # --- investment needs (econ.investment) -----------------------------------------------------
    # Defaults are central judgements (see data/five_g_costs.csv and data/rip_and_replace.csv for the
    # evidence); baseline.yaml gives the uncertain ones their distributions.
    network_sharing: Literal["alone", "partial", "single"] = param(
        "alone", unit="mode", model="investment",
        meaning="Russia's 5G networks: each of the four operators builds alone, two shared networks, or one")
    vendor_choice: Literal["mixed", "huawei", "western"] = param(
        "mixed", unit="vendor", model="investment",
        meaning="Who supplies the kit that is not Russian-made: today's mix, Huawei, or Ericsson and Nokia")
    military_band_release_year: int = param(
        2031, unit="year", model="investment", low=2020, high=2031,
        meaning="Year the military's 3.4-3.8 GHz band is cleared for operators (2031: not by 2030)")
    spectrum_clearing_multiplier: Uncertain = param(
        1.0, unit="ratio", model="investment", low=1.0, high=6.0,
        meaning="Cost of clearing 3.4-3.8 GHz as a multiple of the first RUB 12-16bn estimate")
    # Free-space path loss grows with frequency squared, so equal coverage needs (4.895/3.6)^2 = 1.85
    # times the sites at the centre of 4.8-4.99 GHz as at 3.6 GHz (physics, not data).
    high_band_site_ratio: Uncertain = param(
        1.85, unit="ratio", model="investment", low=1.0, high=3.0,
        meaning="Sites needed at 4.4-4.99 GHz per site at 3.4-3.8 GHz for the same coverage")
    site_coverage_km2: Uncertain = param(
        0.35, unit="km2 per site", model="investment", low=0.05, high=3.0,
        meaning="Area one 3.4-3.8 GHz macro site covers in a million-plus city")
    urban_coverage_share: Uncertain = param(
        0.8, unit="fraction", model="investment", low=0.0, high=1.0,
        meaning="Share of a targeted city's population (and built-up area) that its 5G layer covers")
    traffic_growth: Uncertain = param(
        0.25, unit="fraction a year", model="investment", low=0.0, high=0.5,
        meaning="Annual growth of traffic per 5G user (capacity sites)")
    domestic_share_target: Uncertain = param(
        0.3, unit="fraction", model="investment", low=0.0, high=1.0,
        meaning="Share of Russian-made kit required from the roadmap's target year (roadmap: 30% by 2024)")
    domestic_price_premium: Uncertain = param(
        0.5, unit="fraction", model="investment", low=0.0, high=3.0,
        meaning="Price of Russian-made kit above Huawei's")
    western_price_premium: Uncertain = param(
        0.35, unit="fraction", model="investment", low=0.0, high=1.5,
        meaning="Price of Ericsson or Nokia kit above Huawei's (US rural carriers were quoted 30-40%)")
    site_cost_multiplier: Uncertain = param(
        1.0, unit="ratio", model="investment", low=0.5, high=3.0,
        meaning="Russian civil, power, backhaul and installation cost per site relative to China Mobile's")
    discount_rate: Uncertain = param(
        0.07, unit="fraction a year, real", model="investment", low=0.0, high=0.25,
        meaning="Real discount rate for the present value of the 5G programme's capex")
    inflation_rate: Uncertain = param(
        0.05, unit="fraction a year", model="investment", low=0.0, high=0.3,
        meaning="Russian inflation turning constant-2020 roubles into nominal roubles")
    rip_replace_early_premium: Uncertain = param(
        0.12, unit="fraction", model="investment", low=0.0, high=0.5,
        meaning="Extra cost of replacing working kit early, at a seven-year pace (scales with a shorter window)")
    uk_removal_deadline: int = param(
        2027, unit="year", model="investment", low=2021, high=2035,
        meaning="Year by which UK operators must have removed Huawei 5G kit (the 2020 decision: 2027)")

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
    inherits: str | None = None
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
    if raw.get("inherits") is not None:
        problems += _check_name(raw["inherits"], file, "inherits")
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
    parent = raw.get("inherits")
    if parent:
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
        merged, origin, parent_files = _resolve(parent_path, (*chain, path.stem))
        files += parent_files
    if "seed" in raw:
        merged["seed"] = raw["seed"]
        origin["seed"] = file
    for key, value in (raw.get("parameters") or {}).items():
        merged["parameters"][key] = value
        origin[f"parameters.{key}"] = file
    merged.update({k: raw[k] for k in ("title", "description", "inherits") if k in raw})
    merged["name"] = path.stem
    return merged, origin, files


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


def parameter_table() -> list[dict]:
    """Every parameter's declaration: name, model, type, default, unit, range and meaning."""
    rows = []
    for name, field in Parameters.model_fields.items():
        extra = field.json_schema_extra or {}
        ann = field.annotation
        if field.metadata and any(isinstance(m, PlainValidator) for m in field.metadata):
            kind = "number or distribution"
        elif getattr(ann, "__origin__", None) is tuple and ann.__args__[0] is Ban:
            kind = "list of bans {vendors, places, from_year, remove_by, removal_share}"
        elif getattr(ann, "__origin__", None) is tuple:
            kind = "list of " + ", ".join(Category.__args__)
        elif getattr(ann, "__origin__", None) is Literal:
            kind = "one of " + ", ".join(ann.__args__)
        else:
            kind = getattr(ann, "__name__", str(ann))
        low, high = extra.get("low"), extra.get("high")
        rows.append({
            "name": name, "model": extra.get("model"), "type": kind,
            "default": list(field.default) if isinstance(field.default, tuple) else field.default,
            "unit": extra.get("unit"),
            "range": f"[{low}, {high}]" if low is not None else "",
            "meaning": field.description,
        })
    return rows
