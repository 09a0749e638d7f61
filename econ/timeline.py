"""The sanctions timeline: what happened from the 2019 Entity List to the removal deadlines of 2029.

data/sanctions_timeline.csv holds one row per event (a rule, a ban, a deadline, a company's exit, a
milestone of Russia's programmes or of US rip-and-replace, a rouble rate), each with its source and a
quality grade; :mod:`econ.data` refuses a malformed row (docs/timeline.md says how to add one). This
module reads it for people and pages:

- :func:`events`: the validated rows, tidy: the date parsed, vendors and parts as tuples, a theme;
- :func:`theme`: which of the four stories an event belongs to (:data:`THEMES`: the 2020 rules, the
  bans, Russia, the chips: data/story.yaml's four groups, in its order);
- :func:`table`: the reader's table (date, where, what, source), optionally for some themes only.

A date may be a day, a month or a year ("2020-05-15", "2020-05", "2020"): ``start`` is the first day of
the period it names and ``precision`` says which it was, so nothing more exact than the source is shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from econ import data

FILE = "sanctions_timeline"
#: The story's four themes: data/story.yaml's group titles, in the order the comparison page tells them.
THEMES = ("The 2020 rules", "The bans", "Russia", "The chips")
#: The theme of each event type. The US rules of 2019-2021 and their consequences are "The 2020 rules";
#: the same kinds of rule from CHIP_RULES_FROM on (the October 2022 controls) are "The chips".
THEME_OF_TYPE = {
    "entity_list": "The 2020 rules", "foreign_direct_product_rule": "The 2020 rules",
    "general_licence": "The 2020 rules", "supply_halt": "The 2020 rules", "divestiture": "The 2020 rules",
    "ban_5g": "The bans", "removal_deadline": "The bans", "partnership": "The bans", "funding": "The bans",
    "export_control": "The chips", "licence_revocation": "The chips", "market_event": "The chips",
    "vendor_exit": "Russia", "domestic_programme": "Russia", "exchange_rate": "Russia",
}
CHIP_RULES_FROM = 2022
#: An event about the Russian market, wherever it was decided (a company's home, the EU), says so in its scope.
_ABOUT_RUSSIA = re.compile(r"\bRussia")
#: Jurisdictions as a reader names them (ISO 3166 alpha-2, and EU for EU-level acts): the names of
#: :data:`econ.data.JURISDICTIONS`, the codes the timeline may use.
PLACES = {code: name for code, (name, _) in data.JURISDICTIONS.items()}
_PRECISION = {1: "year", 2: "month", 3: "day"}
#: Grades a reader is warned of next to the source.
_CAVEAT = {"secondary", "low", "derived", "assumption"}


def theme(event: Mapping) -> str:
    """The theme of one event (a row of :func:`events` or of the CSV: event_type, jurisdiction, date, scope).

    Russia first: an event decided there (jurisdiction RU) or about its market (the scope names Russia).
    Otherwise by event type (:data:`THEME_OF_TYPE`), with the 2020-rules kinds dated from CHIP_RULES_FROM on
    counted as "The chips".
    """
    if event["jurisdiction"] == "RU" or _ABOUT_RUSSIA.search(str(event["scope"])):
        return "Russia"
    found = THEME_OF_TYPE[event["event_type"]]
    year = int(str(event["date"])[:4])
    return "The chips" if found == "The 2020 rules" and year >= CHIP_RULES_FROM else found


def _start(parts: tuple[int, ...]) -> pd.Timestamp:
    return pd.Timestamp(*parts, *(1,) * (3 - len(parts)))


def events() -> pd.DataFrame:
    """Every event, validated and in date order.

    Returns
    -------
    DataFrame
        The CSV's columns, with ``vendors`` and ``parts`` as tuples of names (``()`` when empty) and
        added: ``start`` (Timestamp, first day of the date's period), ``precision`` (day, month or year),
        ``deadline_start`` (Timestamp or NaT) and ``theme`` (one of :data:`THEMES`).
    """
    frame = data.load(FILE)
    dates = frame["date"].map(data.period)
    deadlines = frame["removal_deadline"].map(data.period)
    frame = frame.assign(
        vendors=frame["vendors"].map(data.names), parts=frame["parts"].map(data.names),
        start=dates.map(_start), precision=dates.map(lambda p: _PRECISION[len(p)]),
        deadline_start=pd.to_datetime(deadlines.map(lambda p: _start(p) if p else pd.NaT)))
    frame["theme"] = [theme(row) for _, row in frame.iterrows()]
    return frame.sort_values(["start", "event_id"], kind="stable").reset_index(drop=True)


def _when(start: pd.Timestamp, precision: str) -> str:
    if precision == "year":
        return f"{start.year}"
    return f"{start:%b %Y}" if precision == "month" else f"{start.day} {start:%b %Y}"


def _source(source_id: str, quality: str, table: pd.DataFrame) -> str:
    text = (f"{table.at[source_id, 'publisher']} ({table.at[source_id, 'date']})" if source_id in table.index
            else source_id)
    return f"{text}; {quality} source" if quality in _CAVEAT else text


def table(themes=None) -> pd.DataFrame:
    """The timeline as a reader reads it, in date order.

    Parameters
    ----------
    themes : list of str, optional
        Keep only events of these themes (names from :data:`THEMES`); default every event.

    Returns
    -------
    DataFrame
        ``date`` (as precise as the source: "15 May 2020", "May 2020", "2020"), ``where`` (the
        jurisdiction in words), ``what`` (the event), ``source`` (publisher and date, with the grade when
        it is below good), ``theme``, and ``start`` (Timestamp of the date, for sorting and charts).
    """
    chosen = list(THEMES) if themes is None else list(themes)
    unknown = [t for t in chosen if t not in THEMES]
    if unknown:
        raise ValueError(f"unknown theme(s) {', '.join(map(repr, unknown))}; the themes are: {', '.join(THEMES)}")
    frame = events()
    frame = frame[frame["theme"].isin(chosen)]
    cited = data.sources().set_index("source_id")
    return pd.DataFrame({
        "date": [_when(s, p) for s, p in zip(frame["start"], frame["precision"])],
        "where": frame["jurisdiction"].map(lambda code: PLACES.get(code, code)),
        "what": frame["scope"],
        "source": [_source(s, q, cited) for s, q in zip(frame["source_id"], frame["quality"])],
        "theme": frame["theme"],
        "start": frame["start"],
    }).reset_index(drop=True)


def counts() -> pd.DataFrame:
    """Number of events by theme and event type (theme, event_type, events), themes in story order."""
    frame = events()
    out = frame.groupby(["theme", "event_type"]).size().rename("events").reset_index()
    out["order"] = out["theme"].map(THEMES.index)
    return out.sort_values(["order", "events"], ascending=[True, False]).drop(columns="order").reset_index(drop=True)
