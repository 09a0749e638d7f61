"""What a reader sees of a table or a diagnostic: human labels, sensible rounding, no index column,
and developer output (statsmodels summaries, fit diagnostics) folded into a "technical details" block.

Objects returned here render as HTML in JupyterLab and on the published page, and as plain text
anywhere else. snake_case names stay in the CSV and JSON files; only what is shown is relabelled.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

from econ.findings import rounded
from econ.scenario import Scenario

#: Words for identifiers that appear in tables (places, vendors, columns); anything else is
#: turned into words by :func:`label` (underscores to spaces, first letter capital).
WORDS = {
    "usd": "USD", "cny": "CNY", "rub": "RUB", "gbp": "GBP", "bn": "bn", "p05": "p05", "p50": "median", "p95": "p95",
    "south_korea": "South Korea", "united_states": "United States", "united_kingdom": "United Kingdom",
    "new_zealand": "New Zealand", "saudi_arabia": "Saudi Arabia", "north_america": "North America",
    "apac_ex_china": "Asia-Pacific ex China", "rest_of_world": "Rest of world", "world_ex_china": "World ex China",
    "other_europe": "Other Europe", "other_apac": "Other Asia-Pacific", "other_world": "Other world",
    "sk_hynix": "SK Hynix", "tsmc": "TSMC", "smic": "SMIC", "zte": "ZTE", "russian_made": "Russian-made",
    "mts": "MTS", "uk": "UK", "us": "US", "sp": "S&P", "huawei": "Huawei", "ericsson": "Ericsson", "nokia": "Nokia",
    "samsung": "Samsung", "cisco": "Cisco", "china": "China", "russia": "Russia", "japan": "Japan", "taiwan": "Taiwan",
    "india": "India", "europe": "Europe", "germany": "Germany", "france": "France", "italy": "Italy",
}


def label(name: str) -> str:
    """A column or value as words: ``loss_p05_usd_bn`` -> "Loss p05 USD bn", ``south_korea`` -> "South Korea"."""
    if not isinstance(name, str):
        return name
    if name in WORDS:
        return WORDS[name]
    parts = [WORDS.get(p, p) for p in name.split("_")]
    text = " ".join(parts)
    return text[:1].upper() + text[1:]


def _cell(value) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return ""
        if float(value).is_integer() and abs(value) < 10_000 and abs(value) >= 1900:
            return str(int(value))  # a year
        return rounded(float(value), 3)
    if isinstance(value, str):
        return label(value) if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+|[a-z]+", value) else value
    return str(value)


class Table:
    """A frame as a reader's table: labelled columns, rounded numbers, no index."""

    def __init__(self, frame: pd.DataFrame, unit: str = "", caption: str = ""):
        self.frame, self.unit, self.caption = frame.reset_index(drop=True), unit, caption

    def _repr_html_(self) -> str:
        head = "".join(f'<th class="{"text" if self.frame[c].dtype == object else ""}">{html.escape(label(c))}</th>'
                       for c in self.frame.columns)
        rows = "".join("<tr>" + "".join(
            f'<td class="{"text" if isinstance(v, str) else ""}">{html.escape(_cell(v))}</td>' for v in r) + "</tr>"
            for r in self.frame.itertuples(index=False))
        caption = self.caption or (f"Money in {self.unit}" if self.unit else "")
        cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
        return (f'<div class="scroll"><table class="econ-table">{cap}<thead><tr>{head}</tr></thead>'
                f'<tbody>{rows}</tbody></table></div>')

    def __repr__(self) -> str:
        shown = self.frame.copy()
        shown.columns = [label(c) for c in shown.columns]
        return shown.to_string(index=False)


def show(frame: pd.DataFrame, unit: str = "", caption: str = "") -> Table:
    """``frame`` for a reader (see :class:`Table`)."""
    return Table(frame, unit, caption)


class Technical:
    """A diagnostic (a statsmodels summary, a fit table) folded away under "Technical details"."""

    def __init__(self, obj, title: str = "Technical details"):
        self.obj, self.title = obj, title

    def _repr_html_(self) -> str:
        inner = self.obj._repr_html_() if hasattr(self.obj, "_repr_html_") else f"<pre>{html.escape(str(self.obj))}</pre>"
        if isinstance(self.obj, pd.DataFrame):
            inner = Table(self.obj)._repr_html_()
        return f'<details class="econ-technical"><summary>{html.escape(self.title)}</summary>{inner}</details>'

    def __repr__(self) -> str:
        return f"{self.title}:\n{self.obj}"


def technical(obj, title: str = "Technical details") -> Technical:
    return Technical(obj, title)


class Prose:
    """Paragraphs of plain text (a scenario's title and description), escaped, in the page's font."""

    def __init__(self, title: str, text: str):
        self.title, self.text = title, text

    def _repr_html_(self) -> str:
        return (f'<div class="econ-prose"><p><strong>{html.escape(self.title)}</strong></p>'
                f'<p>{html.escape(self.text)}</p></div>')

    def __repr__(self) -> str:
        return f"{self.title}\n\n{self.text}"


def describe(scenario: Scenario) -> Prose:
    """The scenario's title and description, as prose."""
    title = scenario.title + (f" (with overrides: {', '.join(sorted(scenario.overrides))})" if scenario.overrides else "")
    return Prose(title, " ".join(scenario.description.split()))


def sensitivity_summary(tornado: pd.DataFrame) -> Table:
    """For each figure, the assumption that moves it most over the scenario's own range."""
    if tornado.empty:
        return Table(pd.DataFrame({"note": ["This scenario has no uncertain assumptions."]}))
    top = tornado.sort_values("swing", ascending=False).groupby("metric", sort=False).head(1)
    from econ import world

    labels = {k: m.label for k, (_, m) in world.metrics_table().items()}
    frame = pd.DataFrame({"figure": top["metric"].map(lambda m: labels.get(m, label(m))),
                          "moved most by": top["parameter"].map(label),
                          "from": top[["at_low", "at_high"]].min(axis=1), "to": top[["at_low", "at_high"]].max(axis=1)})
    return Table(frame, caption="Each figure at the two ends of its most influential assumption's p05-p95")
