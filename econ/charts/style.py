"""The workbook's chart theme, the renderer notebooks use, and the helpers every chart shares.

The renderer (``econ``) puts each chart's Vega-Lite spec in the notebook under two MIME types:
``application/vnd.vegalite.v6+json``, which :mod:`econ.report` turns into an offline, interactive
chart in the HTML report, and ``application/vnd.vegalite.v5+json``, which JupyterLab 4 renders
while an economist edits the notebook. (Altair's default HTML renderer loads Vega from a CDN;
its ``mimetype`` renderer writes a MIME type nbformat rejects under papermill.)
"""

from __future__ import annotations

import textwrap

import altair as alt
import pandas as pd

from econ.model.market_share.choice import NESTS

SPEC_MIME = "application/vnd.vegalite.v6+json"


LAB_MIME = "application/vnd.vegalite.v5+json"


SOURCE_FONT_SIZE = 10


SOURCE_LINE_CHARS = 140


def _render(spec: dict, **_) -> dict:
    title = spec.get("title")
    title = title.get("text") if isinstance(title, dict) else title
    lab = dict(spec, **{"$schema": "https://vega.github.io/schema/vega-lite/v5.json"})
    return {SPEC_MIME: spec, LAB_MIME: lab, "text/plain": f"<chart: {title or 'untitled'}>"}


def theme() -> dict:
    return {"config": {
        "view": {"continuousWidth": 480, "continuousHeight": 280, "stroke": None},
        "font": "Helvetica, Arial, sans-serif",
        "axis": {"labelFontSize": 11, "titleFontSize": 12, "grid": True, "gridOpacity": 0.4, "labelOverlap": "greedy",
                 "labelSeparation": 4},
        "legend": {"labelFontSize": 11, "titleFontSize": 12},
        "title": {"fontSize": 14, "anchor": "start", "subtitleFontSize": SOURCE_FONT_SIZE,
                  "subtitleColor": "#555"},
        "range": {"category": ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2",
                               "#ff9da6", "#9d755d", "#bab0ac"]},
    }}


def enable() -> None:
    """Register and enable the workbook's theme and renderer (idempotent; called on import of econ)."""
    alt.renderers.register("econ", _render)
    alt.renderers.enable("econ")
    alt.theme.register("econ", enable=True)(theme)


def titled(title: str, source: str) -> alt.TitleParams:
    """A chart title with its data source underneath, so no chart leaves the page unsourced.

    A long source list is wrapped onto several subtitle lines so that it stays readable."""
    lines = textwrap.wrap(f"Source: {source}", SOURCE_LINE_CHARS)
    return alt.TitleParams(title, subtitle=lines[0] if len(lines) == 1 else lines)


def words(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """A copy of ``frame`` with the named columns' identifiers in words (south_korea -> South Korea)."""
    from econ.words import words as to_words

    out = frame.copy()
    for c in columns:
        if c in out:
            out[c] = out[c].map(lambda v: to_words(v) if isinstance(v, str) else v)
    return out


def empty(frame: pd.DataFrame, value_columns, why: str, title: str = ""):
    """A sentence in place of a chart when ``frame`` has nothing to draw (no rows, or every value
    zero); None when there is something to draw."""
    from econ.words import note

    cols = [c for c in ([value_columns] if isinstance(value_columns, str) else value_columns) if c in frame]
    if len(frame) and any((frame[c].fillna(0).abs() > 1e-12).any() for c in cols):
        return None
    return note(why, title)


#: Twelve colours that stay distinct side by side (Tableau 10 and two more), for up to 12 series.
DISTINCT = ["#4c78a8", "#f58518", "#54a24b", "#b279a2", "#72b7b2", "#eeca3b", "#9d755d", "#ff9da6",
            "#1f3b63", "#8cd17d", "#bab0ac", "#d37295"]


HIGHLIGHT = "#e45756"


#: Every vendor the model has, nest by nest (econ.model.market_share.choice), so a new vendor cannot go undrawn.
VENDOR_ORDER = [v for members in NESTS.values() for v in members]


VENDOR_COLOURS = ["#e45756", "#ff9da6", "#4c78a8", "#72b7b2", "#54a24b", "#b279a2", "#9d755d", "#bab0ac"]


def stacked(charts: list) -> alt.VConcatChart:
    """Several charts one under the other (one per metric), as one output."""
    return alt.vconcat(*charts).resolve_scale(color="independent", x="independent")


def fan(frame: pd.DataFrame, title: str, y_title: str, source: str) -> alt.Chart:
    """Fan chart: p05–p95 and p25–p75 bands and the median over periods.

    ``frame``: period, p05, p25, p50, p75, p95.
    """
    base = alt.Chart(frame).encode(x=alt.X("period:O", title=None))
    outer = base.mark_area(opacity=0.25, color="#4c78a8").encode(y=alt.Y("p05:Q", title=y_title), y2="p95:Q")
    inner = base.mark_area(opacity=0.45, color="#4c78a8").encode(y="p25:Q", y2="p75:Q")
    line = base.mark_line(color="#1f3b63", point=True).encode(
        y="p50:Q", tooltip=["period:O"] + [alt.Tooltip(f"{p}:Q", format=".4g") for p in ("p05", "p25", "p50", "p75", "p95")])
    return (outer + inner + line).properties(title=titled(f"{title} (bands: p05–p95, p25–p75; line: median)", source))
