"""The kinds of value a scenario parameter takes, and how each is checked: safe names, numbers or
bounded distributions, dates, paths over years, and bans; the vendors, regions, markets and network
parts they may name; and :func:`param`, the one way a parameter is declared."""

from __future__ import annotations

import functools
import itertools
import math
import re
import types
import typing
from datetime import date, datetime
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

from econ.errors import shown
from econ.scenario import messages
from econ.scenario.messages import describe, got
from econ.uncertainty import DISTRIBUTIONS, Distribution, is_distribution

SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}\Z")
SAFE_NAME_RULE = "letters, digits, '_' and '-', starting with a letter or digit, at most 64 characters"
#: Largest scenario file read, and the longest chain of ``inherits`` followed.
MAX_SCENARIO_BYTES = 256_000
#: Between the files that set a joined list's entries (vendor_bans from two parents) in ``Scenario.set_in``.
ORIGIN_SEPARATOR = ", "
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
        raise ValueError(f"expected a number or a distribution, got {got(value)}")
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
            raise ValueError("; ".join(describe(err) for err in e.errors())) from None
    raise ValueError(f"expected a number or a distribution ({', '.join(DISTRIBUTIONS)}), got {got(value)}")


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
    raise ValueError(f"a date is written YYYY-MM-DD (e.g. 2020-05-15); got {got(value)}")


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

    @field_validator("vendors", "places", "parts")
    @classmethod
    def _each_once(cls, names):
        """A name given twice in one list is the same ban: kept once (``[huawei, huawei]`` is huawei)."""
        return tuple(dict.fromkeys(names))

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


def markets_of_region() -> dict[str, tuple[str, ...]]:
    """The national markets of each region, as data/equipment_markets.csv lists them (read here with the
    csv module: econ.data imports this package): a ban on a region covers every market in it."""
    from econ import paths

    return _markets_of_region(str(paths.DATA / "equipment_markets.csv"))


@functools.lru_cache(maxsize=4)
def _markets_of_region(file: str) -> dict[str, tuple[str, ...]]:
    import csv

    found: dict[str, list[str]] = {}
    with open(file, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            found.setdefault(row["region"], []).append(row["market"])
    return {region: tuple(markets) for region, markets in found.items()}


def kit(ban: Ban) -> frozenset[tuple[str, str, str]]:
    """The installed kit a ban or exit covers, as (vendor, market, part) triples (a region: its markets)."""
    regions = markets_of_region()
    markets = {m for place in ban.places for m in regions.get(place, (place,))}
    return frozenset(itertools.product(ban.vendors, markets, ban.parts))


def _effect(ban: Ban) -> tuple:
    """What a ban does, however it is written: its kit, its first year and its removal window."""
    removal = (ban.remove_from or ban.from_year, ban.remove_by) if ban.remove_by is not None else None
    return kit(ban), ban.from_year, removal


def distinct(entries) -> tuple[Ban, ...]:
    """``entries`` with each repeat dropped (an entry doing what an earlier one does: the same kit, years and
    removal, written in another order or spelling, or the same ban added by two parents), kept at its first place."""
    seen: set = set()
    out = []
    for ban in entries:
        if (effect := _effect(ban)) not in seen:
            seen.add(effect)
            out.append(ban)
    return tuple(out)


def _in_words(common: frozenset) -> str:
    vendors, markets, parts = (sorted({t[k] for t in common}) for k in range(3))
    return f"{'+'.join(vendors)}'s {'+'.join(p for p in PARTS if p in parts)} kit in {', '.join(markets)}"


def removed_twice(earlier: list[tuple[str, Ban, bool]], new: list[tuple[str, Ban, bool]]) -> list[str]:
    """Why some entries would remove the same installed kit twice (and count its rip-and-replace cost twice):
    each pair of entries with a removal deadline whose kit overlaps, among ``new`` and between ``earlier`` and
    ``new``; each entry is (field name such as ``vendor_bans.2``, ban, whether it is a vendor's exit)."""
    removing = [(name, ban, is_exit, kit(ban)) for name, ban, is_exit in earlier + new if ban.remove_by is not None]
    first_new = sum(1 for _, ban, _ in earlier if ban.remove_by is not None)
    found = []
    for j in range(first_new, len(removing)):
        name, ban, is_exit, covered = removing[j]
        for other, other_ban, other_exit, other_covered in removing[:j]:
            if common := covered & other_covered:
                found.append(f"{other} ({other_ban.label(exit=other_exit)}) and {name} ({ban.label(exit=is_exit)}) "
                             f"both remove {_in_words(common)}: it would be removed, and its cost counted, twice; "
                             "keep one, or narrow one's vendors, places or parts")
    return found


#: Unknown keys inside a list of bans are answered with the keys a ban takes.
messages.KEYS_BY_FIELD.update({"vendor_bans": tuple(Ban.model_fields), "vendor_exits": tuple(Ban.model_fields)})


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
