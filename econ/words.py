"""Words for readers: identifiers, parameters and values as a reader reads them, and a sentence in place
of a chart or table with nothing to show. Every page, chart, table and CSV label comes through here, so
a name reads the same everywhere."""

from __future__ import annotations

import functools
import html
import re
from datetime import date

from econ import paths, uncertainty
from econ.scenario import parameter_table

#: Words for identifiers that appear in tables (places, vendors, columns); anything else is
#: turned into words by :func:`label` (underscores to spaces, first letter capital).
WORDS = {
    "usd": "USD", "cny": "CNY", "rub": "RUB", "gbp": "GBP", "bn": "bn", "p05": "p05", "p50": "median", "p95": "p95",
    "south_korea": "South Korea", "united_states": "United States", "united_kingdom": "United Kingdom",
    "new_zealand": "New Zealand", "saudi_arabia": "Saudi Arabia", "north_america": "North America",
    "apac_ex_china": "Asia-Pacific ex China", "rest_of_world": "Rest of world", "world_ex_china": "World ex China",
    "other_europe": "Other Europe", "other_apac": "Other Asia-Pacific", "other_world": "Other world",
    "sk_hynix": "SK Hynix", "tsmc": "TSMC", "smic": "SMIC", "zte": "ZTE", "russian_made": "Russian-made",
    "mts": "MTS", "fcc": "FCC", "gsma": "GSMA", "ran": "RAN", "bs": "BS", "5g": "5G", "4g": "4G", "uk": "UK",
    "us": "US", "sp": "S&P", "huawei": "Huawei", "ericsson": "Ericsson", "nokia": "Nokia",
    "samsung": "Samsung", "cisco": "Cisco", "china": "China", "russia": "Russia", "japan": "Japan", "taiwan": "Taiwan",
    "india": "India", "europe": "Europe", "germany": "Germany", "france": "France", "italy": "Italy",
    "australia": "Australia", "canada": "Canada", "sweden": "Sweden", "poland": "Poland", "brazil": "Brazil",
    "vietnam": "Vietnam", "indonesia": "Indonesia", "thailand": "Thailand", "malaysia": "Malaysia",
    "turkey": "Turkey", "mexico": "Mexico", "spain": "Spain", "netherlands": "Netherlands", "world": "World",
    "americas": "Americas", "emea": "Europe, Middle East and Africa", "asia_pacific_ex_china": "Asia-Pacific ex China",
    "carrier": "Carrier", "consumer": "Consumer", "enterprise": "Enterprise", "group": "Group", "other": "Other",
    "others": "Others", "western": "Ericsson and Nokia",
    "million_plus": "Million-plus cities", "cities_500k_1m": "Cities of 500k-1m", "other_urban": "Other urban areas",
    "none": "none", "None": "none",
}


#: Whole parameter values that read differently from the same word in a sentence.
VALUES = {"market": "the market's mix"}


def words(text: str) -> str:
    """Identifiers inside a text as words: "huawei+zte barred in united_kingdom" -> "Huawei+ZTE barred in
    United Kingdom" (known names and snake_case only; other words stay as they are)."""
    def one(m):
        token = m.group(0)
        return WORDS.get(token) or (label(token) if "_" in token else token)

    # a file name (may2020_fdpr.yaml) stays as it is
    return re.sub(r"(?<![\w./-])[A-Za-z][a-z0-9]*(?:_[a-z0-9]+)*\b(?![./]\w)", one, str(text))


@functools.lru_cache(maxsize=1)
def _scenario_titles() -> dict[str, str]:
    """Each shipped scenario's short title, so a scenario's name reads as its title wherever it appears."""
    from econ import _yaml
    from econ.scenario import Scenario, scenario_names

    out = {}
    for name in scenario_names():  # the title alone (reading and checking every parameter takes 0.5 s)
        try:
            raw = _yaml.read(paths.SCENARIOS / f"{name}.yaml", "scenario file")
        except Exception:  # a broken scenario file is reported by validation, not here
            continue
        if isinstance(raw, dict) and isinstance(raw.get("title"), str):
            out[name] = Scenario.model_construct(name=name, title=raw["title"]).short_title
    return out


def label(name: str) -> str:
    """A column or value as words: ``loss_p05_usd_bn`` -> "Loss p05 USD bn", ``south_korea`` -> "South Korea",
    a shipped scenario's name (``may2020_fdpr``) -> its short title ("May 2020 rule")."""
    if not isinstance(name, str):
        return name
    if name in WORDS:
        return WORDS[name]
    if re.fullmatch(r"[a-z0-9_]+", name) and name in _scenario_titles():
        return _scenario_titles()[name]
    name = re.sub(r"(^|_)five_g(_|$)", r"\g<1>5g\g<2>", name)
    parts = [WORDS.get(p, p) for p in name.split("_")]
    text = " ".join(parts)
    return text[:1].upper() + text[1:]


def value_words(value: str) -> str:
    """A parameter's value as a reader reads it: distributions in words, identifiers as words."""
    m = re.fullmatch(r"(uniform|triangular|normal|lognormal)\((.*)\)", str(value))
    if str(value) in VALUES:
        return VALUES[str(value)]
    if not m:
        return words(value)
    fields = dict(f.split("=") for f in m.group(2).split(", "))
    if m.group(1) == "triangular":
        return f"{fields['low']} to {fields['high']}, most likely {fields['mode']}"
    if m.group(1) == "uniform":
        return f"{fields['low']} to {fields['high']}, evenly"
    centre = fields.get("mean") or fields.get("median")
    return f"about {centre}, within {fields.get('low')} to {fields.get('high')} ({m.group(1)})"


def parameter_label(name: str) -> str:
    """A parameter's short reader label, from its name in words ("Rival recapture rate"); the
    declared meaning is the long form (tables and tooltips carry it)."""
    return label(name).replace(" km2", " (km\u00b2)").replace("Num ", "Number of ")


def parameter_meaning(name: str) -> str:
    return next((r["meaning"] for r in parameter_table() if r["name"] == name), label(name))



def shown_value(value) -> str:
    """A parameter's value as compact text: a distribution as ``triangular(low=..., ...)``, a tuple of
    bans joined by "; ", a date in ISO, a float in the shortest form."""
    if uncertainty.is_distribution(value):
        fields = {k: v for k, v in value.model_dump().items() if k != "dist"}
        return f"{value.dist}(" + ", ".join(f"{k}={v:g}" for k, v in fields.items()) + ")"
    if isinstance(value, tuple):
        return "; ".join(str(v) for v in value) if value else "(none)"
    if isinstance(value, date):
        return value.isoformat()
    return f"{value:g}" if isinstance(value, float) else str(value)


class Note:
    """A sentence in place of a chart or table that has nothing to show, saying why."""

    def __init__(self, text: str, title: str = ""):
        self.text, self.title = text, title

    def _repr_html_(self) -> str:
        title = f"<strong>{html.escape(self.title)}</strong> " if self.title else ""
        return f'<p class="econ-note">{title}{html.escape(self.text)}</p>'

    def __repr__(self) -> str:
        return (f"{self.title}: " if self.title else "") + self.text


def note(text: str, title: str = "") -> Note:
    return Note(text, title)
