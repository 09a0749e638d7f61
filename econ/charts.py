"""Altair chart builders, the workbook's theme, and the renderer notebooks use.

Each builder takes a tidy frame and returns a chart; nothing is displayed or saved here.

The renderer (``econ``) puts each chart's Vega-Lite spec in the notebook under two MIME types:
``application/vnd.vegalite.v6+json``, which :mod:`econ.report` turns into an offline, interactive
chart in the HTML report, and ``application/vnd.vegalite.v5+json``, which JupyterLab 4 renders
while an economist edits the notebook. (Altair's default HTML renderer loads Vega from a CDN;
its ``mimetype`` renderer writes a MIME type nbformat rejects under papermill.)
"""

from __future__ import annotations

import altair as alt
import pandas as pd

SPEC_MIME = "application/vnd.vegalite.v6+json"
LAB_MIME = "application/vnd.vegalite.v5+json"
SOURCE_FONT_SIZE = 10


def _render(spec: dict, **_) -> dict:
    title = spec.get("title")
    title = title.get("text") if isinstance(title, dict) else title
    lab = dict(spec, **{"$schema": "https://vega.github.io/schema/vega-lite/v5.json"})
    return {SPEC_MIME: spec, LAB_MIME: lab, "text/plain": f"<chart: {title or 'untitled'}>"}


def theme() -> dict:
    return {"config": {
        "view": {"continuousWidth": 480, "continuousHeight": 280, "stroke": None},
        "font": "Helvetica, Arial, sans-serif",
        "axis": {"labelFontSize": 11, "titleFontSize": 12, "grid": True, "gridOpacity": 0.4},
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
    """A chart title with its data source underneath, so no chart leaves the page unsourced."""
    return alt.TitleParams(title, subtitle=f"Source: {source}")


def huawei_revenue(frame: pd.DataFrame, dimension: str, source: str) -> alt.Chart:
    """Huawei's reported revenue by year for one breakdown (``total``, ``region``, ``business_group``).

    ``frame`` has columns year, dimension, segment, revenue_cny_bn.
    """
    data = frame[frame["dimension"] == dimension]
    mark = alt.Chart(data).mark_line(point=True) if dimension == "total" else alt.Chart(data).mark_bar()
    return mark.encode(
        x=alt.X("year:O", title="Year"),
        y=alt.Y("sum(revenue_cny_bn):Q", title="Revenue (CNY bn, nominal)"),
        color=alt.Color("segment:N", title=dimension.replace("_", " ").capitalize()),
        tooltip=["year:O", "segment:N", alt.Tooltip("sum(revenue_cny_bn):Q", title="CNY bn", format=",.1f")],
    ).properties(title=titled(f"Huawei revenue by {dimension.replace('_', ' ')}", source))


def parameter_intervals(frame: pd.DataFrame, title: str = "Uncertain assumptions: p05–p95 and median") -> alt.Chart:
    """One row per uncertain parameter: the p05–p95 range as a rule and the median as a point.

    ``frame`` has columns parameter, unit, p05, p50, p95.
    """
    base = alt.Chart(frame).encode(y=alt.Y("parameter:N", title=None))
    rule = base.mark_rule(strokeWidth=3).encode(x=alt.X("p05:Q", title="Value (in the parameter's unit)"),
                                                x2="p95:Q")
    point = base.mark_point(filled=True, size=60).encode(
        x="p50:Q", tooltip=["parameter:N", "unit:N", alt.Tooltip("p05:Q", format=".3g"),
                            alt.Tooltip("p50:Q", format=".3g"), alt.Tooltip("p95:Q", format=".3g")])
    return (rule + point).properties(title=titled(title, "scenario file (assumptions, see table)"))


def loss_waterfall(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Waterfall from gross exposure to net loss. ``frame``: step, kind (level/change), loss_usd_bn."""
    data = frame.copy()
    data["order"] = range(len(data))
    running = (data["loss_usd_bn"].where(data["kind"] == "change").fillna(0)).cumsum()
    first = data["loss_usd_bn"].iloc[0]
    data["end"] = first + running
    data.loc[data.index[-1], "end"] = data["loss_usd_bn"].iloc[-1]
    data["start"] = data["end"] - data["loss_usd_bn"].where(data["kind"] == "change").fillna(data["end"])
    data["sign"] = ["total" if k == "level" else ("rise" if v > 0 else "fall")
                    for k, v in zip(data["kind"], data["loss_usd_bn"])]
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("step:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelAngle=-30)),
        y=alt.Y("start:Q", title="Asia-Pacific revenue loss, 12 months (USD bn, nominal)"), y2="end:Q",
        color=alt.Color("sign:N", title=None, scale=alt.Scale(domain=["total", "fall", "rise"],
                                                             range=["#4c78a8", "#54a24b", "#e45756"])),
        tooltip=["step:N", alt.Tooltip("loss_usd_bn:Q", title="USD bn", format=",.2f")],
    ).properties(title=titled("From blocked sales to net loss (medians of the draws)", source))


def losses_by_economy(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Stacked loss by supplier economy and channel with the p05–p95 of each bar's parts in tooltips.

    ``frame``: economy, channel, loss_usd_bn, loss_p05_usd_bn, loss_p95_usd_bn.
    """
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("economy:N", title=None, sort="-x"),
        x=alt.X("sum(loss_usd_bn):Q", title="Revenue loss, 12 months (USD bn, nominal; median)"),
        color=alt.Color("channel:N", title="Channel"),
        tooltip=["economy:N", "channel:N", alt.Tooltip("loss_usd_bn:Q", format=",.2f", title="median"),
                 alt.Tooltip("loss_p05_usd_bn:Q", format=",.2f", title="p05"),
                 alt.Tooltip("loss_p95_usd_bn:Q", format=",.2f", title="p95")],
    ).properties(title=titled("Revenue loss by supplier economy (the US shown for comparison)", source))


def loss_time_profile(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Monthly loss by channel after the effective date. ``frame``: month, channel, loss_usd_bn."""
    return alt.Chart(frame).mark_area().encode(
        x=alt.X("month:O", title="Month"),
        y=alt.Y("loss_usd_bn:Q", stack=True, title="Asia-Pacific revenue loss (USD bn per month, median)"),
        color=alt.Color("channel:N", title="Channel"),
        tooltip=["month:O", "channel:N", alt.Tooltip("loss_usd_bn:Q", format=",.2f")],
    ).properties(title=titled("When the loss falls: month by month after the rule", source))


def revenue_gap(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Counterfactual trend with its prediction interval against actual revenue, by series and year.

    ``frame``: segment, year, actual_cny_bn, counterfactual_cny_bn, lower_cny_bn, upper_cny_bn.
    """
    base = alt.Chart(frame).encode(x=alt.X("year:O", title="Year"))
    band = base.mark_errorbar(ticks=True, thickness=2).encode(
        y=alt.Y("lower_cny_bn:Q", title="Revenue (CNY bn, nominal)"), y2="upper_cny_bn:Q")
    trend = base.mark_point(shape="diamond", size=80, filled=True, color="#f58518").encode(
        y="counterfactual_cny_bn:Q",
        tooltip=["segment:N", "year:O", alt.Tooltip("counterfactual_cny_bn:Q", format=",.0f", title="trend"),
                 alt.Tooltip("lower_cny_bn:Q", format=",.0f", title="p05"),
                 alt.Tooltip("upper_cny_bn:Q", format=",.0f", title="p95"),
                 alt.Tooltip("gap_cny_bn:Q", format=",.0f", title="gap")])
    actual = base.mark_point(size=80, filled=True, color="#4c78a8").encode(y="actual_cny_bn:Q")
    return (band + trend + actual).properties(width=160, height=200).facet(
        facet=alt.Facet("segment:N", title=None), columns=4,
        title=titled("Huawei revenue: 2013–2019 trend (orange, 90% prediction interval) vs actual (blue)", source),
    ).resolve_scale(y="independent")


def scenario_intervals(frame: pd.DataFrame, metric: str, notebook: str) -> alt.Chart:
    """One metric across scenarios: the median as a point, the p05–p95 interval as a bar.

    ``frame`` has columns scenario, p05, p50, p95 (p05/p95 empty for a point value), one row per
    scenario in the order to show them.
    """
    order = list(frame["scenario"])
    base = alt.Chart(frame).encode(y=alt.Y("scenario:N", sort=order, title=None))
    interval = base.mark_rule(strokeWidth=4, color="#9ecae9").encode(x=alt.X("p05:Q", title=metric), x2="p95:Q")
    median = base.mark_point(filled=True, size=70, color="#4c78a8").encode(
        x="p50:Q", tooltip=["scenario:N", alt.Tooltip("p05:Q", format=",.3g"), alt.Tooltip("p50:Q", format=",.3g"),
                            alt.Tooltip("p95:Q", format=",.3g")])
    return (interval + median).properties(
        width=380, height=alt.Step(24),
        title=alt.TitleParams(metric, subtitle=f"median and p05–p95 by scenario · {notebook}"))
