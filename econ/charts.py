"""Altair chart builders, the workbook's theme, and the renderer notebooks use.

Each builder takes a tidy frame and returns a chart; nothing is displayed or saved here.

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
    """A chart title with its data source underneath, so no chart leaves the page unsourced.

    A long source list is wrapped onto several subtitle lines so that it stays readable."""
    lines = textwrap.wrap(f"Source: {source}", SOURCE_LINE_CHARS)
    return alt.TitleParams(title, subtitle=lines[0] if len(lines) == 1 else lines)


def words(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """A copy of ``frame`` with the named columns' identifiers in words (south_korea -> South Korea)."""
    from econ.display import words as to_words

    out = frame.copy()
    for c in columns:
        if c in out:
            out[c] = out[c].map(lambda v: to_words(v) if isinstance(v, str) else v)
    return out


def empty(frame: pd.DataFrame, value_columns, why: str, title: str = ""):
    """A sentence in place of a chart when ``frame`` has nothing to draw (no rows, or every value
    zero); None when there is something to draw."""
    from econ.display import note

    cols = [c for c in ([value_columns] if isinstance(value_columns, str) else value_columns) if c in frame]
    if len(frame) and any((frame[c].fillna(0).abs() > 1e-12).any() for c in cols):
        return None
    return note(why, title)


#: Twelve colours that stay distinct side by side (Tableau 10 and two more), for up to 12 series.
DISTINCT = ["#4c78a8", "#f58518", "#54a24b", "#b279a2", "#72b7b2", "#eeca3b", "#9d755d", "#ff9da6",
            "#1f3b63", "#8cd17d", "#bab0ac", "#d37295"]
HIGHLIGHT = "#e45756"


# --- market shares (econ.market_share) -------------------------------------------------------------

VENDOR_ORDER = ["huawei", "zte", "ericsson", "nokia", "samsung", "cisco", "others"]
VENDOR_COLOURS = ["#e45756", "#ff9da6", "#4c78a8", "#72b7b2", "#54a24b", "#b279a2", "#bab0ac"]


def share_areas(frame: pd.DataFrame, source: str, basis: str = "new contracts") -> alt.Chart:
    """Stacked areas of vendor shares by year, one panel per region.

    ``frame``: year, region, vendor, share (median), share_p05, share_p95.
    """
    from econ.display import words as to_words

    order = [to_words(v) for v in VENDOR_ORDER]
    data = words(frame, "region", "vendor")
    regions = list(dict.fromkeys(data["region"]))
    return alt.Chart(data).mark_area().encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, values=[2020, 2025, 2030])),
        y=alt.Y("share:Q", stack="normalize", title="Share (median)", axis=alt.Axis(format="%", tickCount=5)),
        color=alt.Color("vendor:N", sort=order, scale=alt.Scale(domain=order, range=VENDOR_COLOURS), title="Vendor"),
        order=alt.Order("vendor_order:Q"),
        tooltip=["region:N", "year:O", "vendor:N", alt.Tooltip("share:Q", format=".1%", title="median"),
                 alt.Tooltip("share_p05:Q", format=".1%", title="p05"),
                 alt.Tooltip("share_p95:Q", format=".1%", title="p95")],
    ).transform_calculate(
        vendor_order=f"indexof({order!r}, datum.vendor)"
    ).properties(width=230, height=150).facet(
        facet=alt.Facet("region:N", title=None, sort=regions, header=alt.Header(labelFontSize=12, labelFontWeight="bold")),
        columns=3 if len(regions) % 3 == 0 or len(regions) > 4 else len(regions),
        title=titled(f"Vendor shares of {basis} by region, 2019-2030 (medians of the draws)", source))


def huawei_foreign_revenue(frame: pd.DataFrame, source: str, named: int = 6) -> alt.Chart:
    """Huawei's sales by foreign market over time: Russia in red with its p05-p95 band (the same
    colour), the other largest markets (by their 2019-2030 sum) each in a colour of its own, the
    rest as thin grey lines; click a legend entry to pick one market out.

    ``frame``: year, market, revenue_usd_bn, revenue_usd_bn_p05, revenue_usd_bn_p95.
    """
    data = words(frame, "market")
    totals = data.groupby("market")["revenue_usd_bn"].sum().sort_values(ascending=False)
    top = [m for m in totals.index if m != "Russia"][: named - 1]
    shown = ["Russia"] + top if "Russia" in set(data["market"]) else top
    data["series"] = data["market"].where(data["market"].isin(shown), "Other markets")
    domain = shown + (["Other markets"] if (data["series"] == "Other markets").any() else [])
    colours = ([HIGHLIGHT] if "Russia" in shown else []) + DISTINCT[: len(top)] + ["#cccccc"]
    pick = alt.selection_point(fields=["series"], bind="legend")
    colour = alt.Color("series:N", title="Market (click to pick one)", sort=domain,
                       scale=alt.Scale(domain=domain, range=colours[: len(domain)]))
    base = alt.Chart(data).encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
        tooltip=["market:N", "year:O", alt.Tooltip("revenue_usd_bn:Q", format=",.2f", title="median"),
                 alt.Tooltip("revenue_usd_bn_p05:Q", format=",.2f", title="p05"),
                 alt.Tooltip("revenue_usd_bn_p95:Q", format=",.2f", title="p95")])
    lines = base.mark_line(point=True).encode(
        y=alt.Y("revenue_usd_bn:Q", title="USD bn, nominal (median)"),
        color=colour, detail="market:N",
        strokeWidth=alt.condition("datum.market == 'Russia'", alt.value(3.5), alt.value(1.5)),
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.15))).add_params(pick)
    band = alt.Chart(data[data["market"] == "Russia"]).mark_area(opacity=0.18, color=HIGHLIGHT).encode(
        x="year:O", y="revenue_usd_bn_p05:Q", y2="revenue_usd_bn_p95:Q")
    return (band + lines).properties(width=620, height=300, title=titled(
        "Huawei's new-contract sales by foreign market (Russia in red, its p05-p95 shaded)", source))


def diversion(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Heat map of where Huawei's lost sales go: region by vendor, share of Huawei's loss.

    ``frame``: region, vendor, change_usd_bn, share_of_huawei_loss.
    """
    data = frame[frame["vendor"] != "huawei"].dropna(subset=["share_of_huawei_loss"])
    none = empty(data, "share_of_huawei_loss", "Huawei loses no sales to the rules in this scenario, so nothing is "
                 "diverted to other vendors.", "Where Huawei's lost sales go:")
    if none is not None:
        return none
    from econ.display import words as to_words

    data = words(data, "region", "vendor")
    base = alt.Chart(data).encode(
        x=alt.X("vendor:N", sort=[to_words(v) for v in VENDOR_ORDER], title="Vendor gaining",
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("region:N", title=None))
    cells = base.mark_rect().encode(
        color=alt.Color("share_of_huawei_loss:Q", title="Share of Huawei's loss",
                        scale=alt.Scale(scheme="blues"), legend=alt.Legend(format="%")),
        tooltip=["region:N", "vendor:N", alt.Tooltip("change_usd_bn:Q", format=",.2f", title="USD bn"),
                 alt.Tooltip("share_of_huawei_loss:Q", format=".1%", title="share of loss")])
    text = base.mark_text(fontSize=10).encode(text=alt.Text("share_of_huawei_loss:Q", format=".0%"))
    return (cells + text).properties(
        width=540, title=titled("Where Huawei's lost sales go, 2020–2030 (vs Huawei unrestricted; means of draws)", source))


# --- sensitivity (econ.sweep) ----------------------------------------------------------------------

def tornado(frame: pd.DataFrame, metric: str, top: int = 8, declared: pd.DataFrame | None = None) -> alt.Chart:
    """Tornado for one metric: each assumption's bar runs from the metric with the assumption at its
    low end to its high end, the others at the scenario's central values.

    ``frame``: rows of econ.sweep.tornado over the scenario's own p05-p95 (the default view);
    ``declared``: the same over each assumption's whole declared range, offered as a second view
    (radio buttons under the chart).
    """
    from econ import findings, world
    from econ.display import parameter_label

    views = {"the scenario's p05-p95": frame}
    if declared is not None:
        views["the whole allowed range"] = declared
    parts = []
    for view, rows in views.items():
        part = rows[rows["metric"] == metric].nlargest(top, "swing").copy()
        part["view"] = view
        parts.append(part)
    data = pd.concat(parts, ignore_index=True)
    declared_metric = world.metrics_table().get(metric)
    label, unit = (declared_metric[1].label, declared_metric[1].unit) if declared_metric else (metric, "")
    data["assumption"] = data["parameter"].map(parameter_label)
    data["range"] = [f"{findings.rounded(lo, 2)} to {findings.rounded(hi, 2)} {u}" for lo, hi, u in
                     zip(data["low"], data["high"], data["unit"])]
    base = float(data["base"].iloc[0]) if len(data) else 0.0
    share = unit.startswith(("share", "fraction")) or unit == "probability"
    fmt = ".1%" if share else ",.3~r"
    pick = alt.param(name="tornado_view", value=next(iter(views)),
                     bind=alt.binding_radio(options=list(views), name="Move each assumption over: ")) \
        if len(views) > 1 else None
    chart = alt.Chart(data)
    if pick is not None:
        chart = chart.transform_filter("datum.view == tornado_view")
    bars = chart.mark_bar().encode(
        y=alt.Y("assumption:N", sort=alt.SortField("swing", order="descending"), title=None,
                axis=alt.Axis(labelLimit=420)),
        x=alt.X("at_low:Q", title=f"{label} ({'per cent' if share else unit})",
                scale=alt.Scale(zero=False), axis=alt.Axis(format=fmt.replace(".1%", ".0%"))),
        x2="at_high:Q",
        color=alt.condition("datum.at_high >= datum.at_low", alt.value("#4c78a8"), alt.value(HIGHLIGHT)),
        tooltip=[alt.Tooltip("assumption:N"), alt.Tooltip("range:N", title="moved over"),
                 alt.Tooltip("at_low:Q", format=fmt, title="figure at the low end"),
                 alt.Tooltip("at_high:Q", format=fmt, title="figure at the high end")])
    rule = alt.Chart(pd.DataFrame({"base": [base]})).mark_rule(strokeDash=[4, 3]).encode(x="base:Q")
    out = (bars + rule).properties(width=520, height=alt.Step(20), title=titled(
        f"{label}: what moves it, one assumption at a time",
        "workbook model; blue: the figure rises with the assumption, red: it falls; dashed: all at central values"))
    return out.add_params(pick) if pick is not None else out


def stacked(charts: list) -> alt.VConcatChart:
    """Several charts one under the other (one per metric), as one output."""
    return alt.vconcat(*charts).resolve_scale(color="independent", x="independent")


def sobol_indices(frame: pd.DataFrame, metric: str) -> alt.Chart:
    """First-order and total Sobol indices for one metric with their confidence intervals.

    ``frame``: rows of econ.sweep.global_indices (metric, parameter, S1, S1_conf, ST, ST_conf, n_base).
    """
    from econ import world
    from econ.display import parameter_label

    data = frame[frame["metric"] == metric].nlargest(8, "ST").assign(
        parameter=lambda f: f["parameter"].map(parameter_label))
    declared_metric = world.metrics_table().get(metric)
    label = declared_metric[1].label if declared_metric else metric
    long = pd.concat([
        pd.DataFrame({"parameter": data["parameter"], "index": "first order (S1)", "value": data["S1"],
                      "low": data["S1"] - data["S1_conf"], "high": data["S1"] + data["S1_conf"]}),
        pd.DataFrame({"parameter": data["parameter"], "index": "total (ST)", "value": data["ST"],
                      "low": data["ST"] - data["ST_conf"], "high": data["ST"] + data["ST_conf"]})])
    n = int(data["n_base"].iloc[0]) if len(data) else 0
    base = alt.Chart(long).encode(y=alt.Y("parameter:N", title=None, sort="-x", axis=alt.Axis(labelLimit=420)),
                                  yOffset="index:N", color=alt.Color("index:N", title=None))
    bars = base.mark_bar().encode(x=alt.X("value:Q", title="Share of the metric's variance"),
                                  tooltip=["parameter:N", "index:N", alt.Tooltip("value:Q", format=".3f"),
                                           alt.Tooltip("low:Q", format=".3f"), alt.Tooltip("high:Q", format=".3f")])
    err = base.mark_rule(color="black").encode(x="low:Q", x2="high:Q")
    return (bars + err).properties(width=520, title=titled(
        f"{label}: its uncertainty, assumption by assumption (the eight largest)",
        f"workbook model; Sobol indices over the scenario's distributions (SALib, N = {n}; lines: 95% bootstrap CI)"))


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


def sweep_heatmap(frame: pd.DataFrame, x: str, y: str, metric: str, source: str) -> alt.Chart:
    """Heat map of one metric over a two-parameter sweep. ``frame``: rows of econ.sweep.sweep."""
    from econ import world
    from econ.display import parameter_label

    data = frame[frame["metric"] == metric]
    declared_metric = world.metrics_table().get(metric)
    label, unit = (declared_metric[1].label, declared_metric[1].unit) if declared_metric else (metric, "")
    return alt.Chart(data).mark_rect().encode(
        x=alt.X(f"{x}:O", title=parameter_label(x), axis=alt.Axis(format=".2f", labelAngle=-45, titleLimit=520)),
        y=alt.Y(f"{y}:O", title=parameter_label(y), sort="descending", axis=alt.Axis(format=".2f", titleLimit=400)),
        color=alt.Color("value:Q", title=unit or label, scale=alt.Scale(scheme="viridis")),
        tooltip=[alt.Tooltip(f"{x}:Q", format=".3g", title=parameter_label(x)),
                 alt.Tooltip(f"{y}:Q", format=".3g", title=parameter_label(y)),
                 alt.Tooltip("value:Q", format=".4g", title=label)],
    ).properties(width=420, height=420, title=titled(
        f"{label} over two assumptions together (every other at the scenario's central value)", source))


def huawei_revenue(frame: pd.DataFrame, dimension: str, source: str) -> alt.Chart:
    """Huawei's reported revenue by year for one breakdown (``total``, ``region``, ``business_group``).

    ``frame`` has columns year, dimension, segment, revenue_cny_bn.
    """
    data = words(frame[frame["dimension"] == dimension], "segment")
    mark = alt.Chart(data).mark_line(point=True) if dimension == "total" else alt.Chart(data).mark_bar()
    legend = None if dimension == "total" else alt.Legend(title=dimension.replace("_", " ").capitalize())
    by = "" if dimension == "total" else " by " + dimension.replace("_", " ")
    return mark.encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("sum(revenue_cny_bn):Q", title="CNY bn, nominal"),
        color=alt.Color("segment:N", legend=legend, scale=alt.Scale(range=DISTINCT)),
        tooltip=["year:O", "segment:N", alt.Tooltip("sum(revenue_cny_bn):Q", title="CNY bn", format=",.1f")],
    ).properties(width=560, title=titled(f"Huawei's reported revenue{by}", source))


def parameter_intervals(frame: pd.DataFrame, title: str = "Uncertain assumptions: p05-p95 and median") -> alt.Chart:
    """One row per uncertain assumption, one panel per unit (each with its own axis): the p05-p95
    range as a bar and the median as a point.

    ``frame`` has columns parameter, unit, p05, p50, p95.
    """
    from econ.display import parameter_label

    data = frame.assign(assumption=frame["parameter"].map(parameter_label))
    panels = []
    for unit, part in data.groupby("unit", sort=True):
        base = alt.Chart(part).encode(y=alt.Y("assumption:N", title=None, axis=alt.Axis(labelLimit=520)))
        rule = base.mark_rule(strokeWidth=4, color="#9ecae9").encode(
            x=alt.X("p05:Q", title=None, scale=alt.Scale(zero=False)), x2="p95:Q")
        point = base.mark_point(filled=True, size=60, color="#1f3b63").encode(
            x="p50:Q", tooltip=["assumption:N", "unit:N", alt.Tooltip("p05:Q", format=".3g"),
                                alt.Tooltip("p50:Q", format=".3g", title="median"), alt.Tooltip("p95:Q", format=".3g")])
        panels.append((rule + point).properties(width=300, height=alt.Step(18), title=alt.TitleParams(
            unit, fontSize=12, anchor="start")))
    return alt.vconcat(*panels, spacing=14).resolve_scale(y="independent").properties(
        title=titled(title, "the scenario's files (every assumption is in the table above)"))


def loss_waterfall(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Waterfall from revenue at risk to the net loss, one step a row (its label in full).

    ``frame``: step, kind (level/change), loss_usd_bn."""
    none = empty(frame, "loss_usd_bn", "No revenue is at risk in this scenario: no rule blocks sales to Huawei, "
                 "so there is nothing to lose.", "From blocked sales to net loss:")
    if none is not None:
        return none
    data = frame.copy()
    data["order"] = range(len(data))
    running = (data["loss_usd_bn"].where(data["kind"] == "change").fillna(0)).cumsum()
    first = data["loss_usd_bn"].iloc[0]
    data["end"] = first + running
    data.loc[data.index[-1], "end"] = data["loss_usd_bn"].iloc[-1]
    data["start"] = data["end"] - data["loss_usd_bn"].where(data["kind"] == "change").fillna(data["end"])
    data["sign"] = ["total" if k == "level" else ("adds to the loss" if v > 0 else "reduces the loss")
                    for k, v in zip(data["kind"], data["loss_usd_bn"])]
    data["label"] = data["loss_usd_bn"].map(lambda v: f"{v:+,.1f}").where(data["kind"] == "change",
                                                                       data["loss_usd_bn"].map(lambda v: f"{v:,.1f}"))
    y = alt.Y("step:N", sort=alt.SortField("order"), title=None, axis=alt.Axis(labelLimit=420))
    bars = alt.Chart(data).mark_bar().encode(
        y=y, x=alt.X("start:Q", title="USD bn, nominal (medians of the draws)"), x2="end:Q",
        color=alt.Color("sign:N", title=None, scale=alt.Scale(domain=["total", "reduces the loss", "adds to the loss"],
                                                             range=["#4c78a8", "#54a24b", HIGHLIGHT])),
        tooltip=["step:N", alt.Tooltip("loss_usd_bn:Q", title="USD bn", format=",.2f")])
    text = alt.Chart(data).mark_text(align="left", dx=4, fontSize=11).encode(
        y=y, x=alt.X("max_end:Q"), text="label:N").transform_calculate(max_end="max(datum.start, datum.end)")
    return (bars + text).properties(width=520, height=alt.Step(26), title=titled(
        "From a year of sales at risk to the net loss over 12 months", source))


def losses_by_economy(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Stacked loss by supplier economy and channel with the p05–p95 of each bar's parts in tooltips.

    ``frame``: economy, channel, loss_usd_bn, loss_p05_usd_bn, loss_p95_usd_bn.
    """
    none = empty(frame, "loss_usd_bn", "No supplier economy loses revenue in this scenario: no rule blocks sales to "
                 "Huawei.", "Revenue loss by supplier economy:")
    if none is not None:
        return none
    frame = words(frame, "economy", "channel")
    return alt.Chart(frame).mark_bar().encode(
        y=alt.Y("economy:N", title=None, sort="-x"),
        x=alt.X("sum(loss_usd_bn):Q", title="Net loss over 12 months (USD bn, nominal; median)"),
        color=alt.Color("channel:N", title="Channel", scale=alt.Scale(range=DISTINCT),
                        legend=alt.Legend(labelLimit=400)),
        tooltip=["economy:N", "channel:N", alt.Tooltip("loss_usd_bn:Q", format=",.2f", title="median"),
                 alt.Tooltip("loss_p05_usd_bn:Q", format=",.2f", title="p05"),
                 alt.Tooltip("loss_p95_usd_bn:Q", format=",.2f", title="p95")],
    ).properties(width=520, title=titled("Revenue loss by supplier economy (the US shown for comparison)", source))


def loss_time_profile(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Monthly loss by channel after the effective date. ``frame``: month, channel, loss_usd_bn."""
    none = empty(frame, "loss_usd_bn", "Nothing is lost month by month in this scenario: no rule blocks sales to "
                 "Huawei.", "When the loss falls:")
    if none is not None:
        return none
    frame = words(frame, "channel")
    return alt.Chart(frame).mark_area().encode(
        x=alt.X("month:O", title=None),
        y=alt.Y("loss_usd_bn:Q", stack=True, title="USD bn per month (median)"),
        color=alt.Color("channel:N", title="Channel", scale=alt.Scale(range=DISTINCT),
                        legend=alt.Legend(labelLimit=400, orient="bottom", direction="vertical")),
        tooltip=["month:O", "channel:N", alt.Tooltip("loss_usd_bn:Q", format=",.2f")],
    ).properties(width=560, height=260, title=titled(
        "When the loss falls: Asia-Pacific suppliers' loss month by month after the rule", source))


def revenue_gap(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Counterfactual trend with its prediction interval against actual revenue, by series and year.

    ``frame``: segment, year, actual_cny_bn, counterfactual_cny_bn, lower_cny_bn, upper_cny_bn.
    """
    frame = words(frame, "segment")
    segments = list(dict.fromkeys(frame["segment"]))
    base = alt.Chart(frame).encode(x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)))
    band = base.mark_errorbar(ticks=True, thickness=2).encode(
        y=alt.Y("lower_cny_bn:Q", title="CNY bn, nominal"), y2="upper_cny_bn:Q")
    trend = base.mark_point(shape="diamond", size=80, filled=True, color="#f58518").encode(
        y="counterfactual_cny_bn:Q",
        tooltip=["segment:N", "year:O", alt.Tooltip("counterfactual_cny_bn:Q", format=",.0f", title="trend"),
                 alt.Tooltip("lower_cny_bn:Q", format=",.0f", title="p05"),
                 alt.Tooltip("upper_cny_bn:Q", format=",.0f", title="p95"),
                 alt.Tooltip("gap_cny_bn:Q", format=",.0f", title="gap")])
    actual = base.mark_point(size=80, filled=True, color="#4c78a8").encode(y="actual_cny_bn:Q")
    return (band + trend + actual).properties(width=200, height=160).facet(
        facet=alt.Facet("segment:N", title=None, sort=segments, header=alt.Header(labelFontWeight="bold")),
        columns=3 if len(segments) % 3 == 0 else 4,
        title=titled("Huawei revenue: 2013–2019 trend (orange, 90% prediction interval) vs actual (blue)", source),
    ).resolve_scale(y="independent")


# --- investment needs (econ.investment) ---------------------------------------------------------

def capex_by_component(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Stacked capex by year and component. ``frame``: year, component, capex_rub_bn, basis."""
    basis = frame["basis"].iloc[0]
    frame = words(frame, "component")
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("sum(capex_rub_bn):Q", title="RUB bn (medians)"),
        color=alt.Color("component:N", title="Component", scale=alt.Scale(range=DISTINCT)),
        tooltip=["year:O", "component:N", alt.Tooltip("capex_rub_bn:Q", format=",.1f", title="median"),
                 alt.Tooltip("capex_p05_rub_bn:Q", format=",.1f", title="p05"),
                 alt.Tooltip("capex_p95_rub_bn:Q", format=",.1f", title="p95")],
    ).properties(width=560, title=titled(f"Russia's 5G capex by year and component ({basis})", source))


def coverage_by_tier(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Population covered by tier and year. ``frame``: year, tier, covered_population_m."""
    tiers = ["million_plus", "cities_500k_1m", "other_urban"]
    data = frame.assign(tier_rank=frame["tier"].map({t: i for i, t in enumerate(tiers)}))
    data = words(data, "tier")
    from econ.display import words as to_words

    return alt.Chart(data).mark_area().encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("covered_population_m:Q", stack=True, title="Million people (median)"),
        color=alt.Color("tier:N", title="City tier", sort=[to_words(t) for t in tiers]), order=alt.Order("tier_rank:Q"),
        tooltip=["year:O", "tier:N", alt.Tooltip("covered_population_m:Q", format=",.1f"),
                 alt.Tooltip("covered_area_km2:Q", format=",.0f", title="area km2"),
                 alt.Tooltip("sites_thousand:Q", format=",.1f", title="sites (thousand)")],
    ).properties(width=560, title=titled("Who is covered by 5G when: the million-plus cities first", source))


def capex_by_band_vendor(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Total capex under each band and vendor choice with p05-p95 bars.

    ``frame``: band, vendor, capex_rub_bn, capex_p05_rub_bn, capex_p95_rub_bn, basis.
    """
    basis = frame["basis"].iloc[0]
    frame = words(frame, "vendor", "band")
    base = alt.Chart(frame).encode(x=alt.X("vendor:N", title="Who supplies the kit that is not Russian-made",
                                           axis=alt.Axis(labelAngle=0)),
                                   xOffset=alt.XOffset("band:N"), color=alt.Color("band:N", title="Band"))
    bars = base.mark_bar().encode(
        y=alt.Y("capex_rub_bn:Q", title="RUB bn (median, p05-p95)"),
        tooltip=["band:N", "vendor:N", alt.Tooltip("capex_rub_bn:Q", format=",.0f", title="median"),
                 alt.Tooltip("capex_p05_rub_bn:Q", format=",.0f", title="p05"),
                 alt.Tooltip("capex_p95_rub_bn:Q", format=",.0f", title="p95")])
    ranges = base.mark_rule(color="black").encode(y="capex_p05_rub_bn:Q", y2="capex_p95_rub_bn:Q")
    return (bars + ranges).properties(width=460, height=260,
                                      title=titled(f"5G capex 2020-2030 by band and vendor ({basis})", source))


def financing_gap(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Capex need minus the operators' 5G capex capacity by year, with p05-p95.

    ``frame``: year, gap_rub_bn, gap_p05_rub_bn, gap_p95_rub_bn, capex_rub_bn, capacity_rub_bn, basis.
    """
    data = frame.assign(sign=["shortfall" if g > 0 else "headroom" for g in frame["gap_rub_bn"]])
    base = alt.Chart(data).encode(x=alt.X("year:O", title="Year"))
    bars = base.mark_bar().encode(
        y=alt.Y("gap_rub_bn:Q", title="RUB bn (median, p05-p95)"),
        color=alt.Color("sign:N", title=None, scale=alt.Scale(domain=["shortfall", "headroom"],
                                                             range=["#e45756", "#54a24b"])),
        tooltip=["year:O", alt.Tooltip("capex_rub_bn:Q", format=",.0f", title="capex need (median)"),
                 alt.Tooltip("capacity_rub_bn:Q", format=",.0f", title="operators' 5G capacity"),
                 alt.Tooltip("gap_rub_bn:Q", format=",.0f", title="gap (median)"),
                 alt.Tooltip("gap_p05_rub_bn:Q", format=",.0f", title="p05"),
                 alt.Tooltip("gap_p95_rub_bn:Q", format=",.0f", title="p95")])
    ranges = base.mark_rule(color="black").encode(y="gap_p05_rub_bn:Q", y2="gap_p95_rub_bn:Q")
    return (bars + ranges).properties(width=560, height=260, title=titled(
        f"Financing gap: capex need minus the four operators' usual 5G budgets ({frame['basis'].iloc[0]})", source))


def rip_and_replace_costs(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Gross swap cost and the cost a ban adds over normal replacement (bars, p05-p95 lines), and the
    published estimates (diamonds), one panel per country in its own currency.

    ``frame``: country, kind (model/published), estimate, cost_bn, cost_p05_bn, cost_p95_bn, currency.
    """
    none = empty(frame, "cost_bn", "No ban in this scenario has a removal deadline, so no kit is ripped out and "
                 "replaced.", "Rip-and-replace:")
    if none is not None:
        return none
    data = words(frame, "country").assign(panel=lambda f: f["country"] + " (" + f["currency"] + " bn, 2020 prices)")
    data["value_label"] = data["cost_bn"].map(lambda v: f"{v:,.2f}")
    y = alt.Y("estimate:N", title=None, axis=alt.Axis(labelLimit=320))
    model = alt.Chart().transform_filter(alt.datum.kind == "model")
    bars = model.mark_bar(color="#4c78a8").encode(
        y=y, x=alt.X("cost_bn:Q", title=None),
        tooltip=["estimate:N", alt.Tooltip("cost_bn:Q", format=",.2f", title="median"),
                 alt.Tooltip("cost_p05_bn:Q", format=",.2f", title="p05"),
                 alt.Tooltip("cost_p95_bn:Q", format=",.2f", title="p95")])
    ranges = model.mark_rule(color="black").encode(y=y, x="cost_p05_bn:Q", x2="cost_p95_bn:Q")
    published = alt.Chart().transform_filter(alt.datum.kind == "published").mark_point(
        shape="diamond", size=90, filled=True, color="#f58518").encode(
        y=y, x="cost_bn:Q", tooltip=[alt.Tooltip("estimate:N", title="published"),
                                    alt.Tooltip("cost_bn:Q", format=",.2f", title="bn")])
    labels = alt.Chart().transform_filter(alt.datum.kind == "published").mark_text(
        align="left", dx=9, fontSize=11, color="#b35806").encode(y=y, x="cost_bn:Q", text="value_label:N")
    return alt.layer(bars, ranges, published, labels, data=data).properties(width=380, height=alt.Step(28)).facet(
        row=alt.Row("panel:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left", labelFontSize=12)),
        title=titled("Rip-and-replace: model (bars, p05-p95) and published estimates (diamonds)", source),
    ).resolve_scale(x="independent", y="independent")


def huawei_business(frame: pd.DataFrame, reported: pd.DataFrame, source: str) -> alt.Chart:
    """Huawei's carrier and consumer revenue by year, with and without the rules (medians and
    p05-p95), and what it reported (diamonds).

    ``frame``: year, business, case, revenue_cny_bn, revenue_p05_cny_bn, revenue_p95_cny_bn;
    ``reported``: year, business, reported_cny_bn.
    """
    model = frame[frame["year"] <= 2024].assign(kind="model")
    points = reported.rename(columns={"reported_cny_bn": "revenue_cny_bn"}).assign(kind="reported", case="reported")
    data = pd.concat([model, points[["year", "business", "case", "revenue_cny_bn", "kind"]]], ignore_index=True)
    x = alt.X("year:O", title=None)
    colour = alt.Color("case:N", title=None, scale=alt.Scale(domain=["with the rules", "without the rules", "reported"],
                                                            range=["#e45756", "#4c78a8", "#222222"]))
    band = alt.Chart().transform_filter(alt.datum.kind == "model").mark_area(opacity=0.2).encode(
        x=x, y=alt.Y("revenue_p05_cny_bn:Q", title="CNY bn, nominal"), y2="revenue_p95_cny_bn:Q", color=colour)
    line = alt.Chart().transform_filter(alt.datum.kind == "model").mark_line().encode(
        x=x, y="revenue_cny_bn:Q", color=colour,
        tooltip=["business:N", "case:N", "year:O", alt.Tooltip("revenue_cny_bn:Q", format=",.0f", title="median")])
    dots = alt.Chart().transform_filter(alt.datum.kind == "reported").mark_point(
        filled=True, size=70, shape="diamond").encode(
        x=x, y="revenue_cny_bn:Q", color=colour,
        tooltip=["business:N", "year:O", alt.Tooltip("revenue_cny_bn:Q", format=",.1f", title="reported")])
    return alt.layer(band, line, dots, data=data).properties(width=300, height=220).facet(
        column=alt.Column("business:N", title=None),
        title=titled("Huawei's revenue by business: the model with and without the rules, and what Huawei reported",
                     source)).resolve_scale(y="independent")


def chip_supply(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Share of Huawei's chip needs met by year and product: median and p05-p95.

    ``frame``: year, product, supply_share, supply_share_p05, supply_share_p95.
    """
    x = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0))
    frame = frame.assign(product=frame["product"].map({"handset": "handsets", "network": "base stations"}).fillna(
        frame["product"]))
    colour = alt.Color("product:N", title=None, scale=alt.Scale(domain=["handsets", "base stations"],
                                                               range=[HIGHLIGHT, "#4c78a8"]))
    band = alt.Chart(frame).mark_area(opacity=0.2).encode(x=x, y=alt.Y("supply_share_p05:Q", title="Share of chip needs met",
                                                                        axis=alt.Axis(format="%")),
                                                          y2="supply_share_p95:Q", color=colour)
    line = alt.Chart(frame).mark_line(point=True).encode(
        x=x, y="supply_share:Q", color=colour,
        tooltip=["product:N", "year:O", alt.Tooltip("supply_share:Q", format=".0%", title="median")])
    return (band + line).properties(width=480, height=220, title=titled(
        "Huawei's chip supply: handsets lose their chips as stocks run out; base stations are redesigned", source))


def backtest(frame: pd.DataFrame) -> alt.Chart:
    """Each scored figure: the model's median and p05-p95 relative to the published figure (1 = equal),
    on a log scale; green where the published figure lies inside the interval.

    ``frame``: label, ratio, low_ratio, high_ratio, inside.
    """
    data = frame.assign(verdict=frame["inside"].map({True: "inside the model's range", False: "outside"}))
    y = alt.Y("label:N", sort=list(data["label"]), title=None, axis=alt.Axis(labelLimit=360))
    colour = alt.Color("verdict:N", title=None, scale=alt.Scale(domain=["inside the model's range", "outside"],
                                                               range=["#54a24b", "#e45756"]))
    x = alt.X("ratio:Q", title="model / published (log scale)", scale=alt.Scale(type="log"))
    rule = alt.Chart(data).mark_rule(strokeWidth=3).encode(y=y, x=alt.X("low_ratio:Q", scale=alt.Scale(type="log"),
                                                                          title="model / published (log scale)"),
                                                           x2="high_ratio:Q", color=colour)
    point = alt.Chart(data).mark_point(filled=True, size=60).encode(
        y=y, x=x, color=colour, tooltip=["label:N", alt.Tooltip("ratio:Q", format=".2f", title="median / published"),
                                         "verdict:N"])
    one = alt.Chart(pd.DataFrame({"one": [1.0]})).mark_rule(strokeDash=[4, 3], color="#333").encode(x="one:Q")
    return (rule + point + one).properties(width=420, height=alt.Step(16), title=alt.TitleParams(
        "The model against what was published: median (dot) and p05-p95 (bar) over the published figure",
        subtitle="Green: the published figure lies inside the model's p05-p95; 1 = the model's median equals it"))


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


def headline_multiples(frame: pd.DataFrame, figures: list[tuple[str, str, str]], order: list[str]) -> alt.ConcatChart:
    """Small multiples of the headline figures across scenarios: one panel per figure (its own scale
    and unit), scenarios down the side in story order, the median as a point and p05-p95 as a bar.

    ``frame``: metric, scenario_title, p05, p50, p95; ``figures``: (metric, label, unit) in order.
    """
    panels = []
    for i, (metric, label, unit) in enumerate(figures):
        data = frame[frame["metric"] == metric][["scenario_title", "p05", "p50", "p95"]].copy()
        share = unit.startswith(("share", "fraction")) or unit == "probability"
        fmt = ".0%" if share else ",~r"
        first = i % 4 == 0
        y = alt.Y("scenario_title:N", sort=order, scale=alt.Scale(domain=order), title=None,
                  axis=alt.Axis(labels=first, ticks=first, labelLimit=250, domain=False))
        x = alt.X("p50:Q", title=None, axis=alt.Axis(format=fmt, tickCount=4, labelOverlap=True),
                  scale=alt.Scale(zero=True, nice=True))
        base = alt.Chart(data).encode(y=y)
        bar = base.mark_rule(strokeWidth=5, color="#9ecae9").encode(x=alt.X("p05:Q"), x2="p95:Q")
        point = base.mark_point(filled=True, size=60, color="#1f3b63").encode(
            x=x, tooltip=[alt.Tooltip("scenario_title:N", title="scenario"),
                          alt.Tooltip("p50:Q", format=fmt, title="median"),
                          alt.Tooltip("p05:Q", format=fmt, title="p05"), alt.Tooltip("p95:Q", format=fmt, title="p95")])
        unit_text = "per cent" if share else unit
        panels.append((bar + point).properties(
            width=165, height=alt.Step(20),
            title=alt.TitleParams(label, subtitle=unit_text, fontSize=12, subtitleFontSize=10, anchor="start")))
    return alt.concat(*panels, columns=4, spacing=18).properties(title=titled(
        "The headline figures by scenario: median (dot) and p05-p95 (bar)", "workbook model, this run"))


# --- the sanctions timeline (econ.timeline) --------------------------------------------------------

TIMELINE_TITLE = ("The rules kept coming after 2020: chip controls every year from 2022, and ban deadlines and "
                  "Russia's quotas running to 2029")


def timeline(frame: pd.DataFrame, source: str, themes: list[str] | None = None,
             title: str = TIMELINE_TITLE) -> alt.Chart:
    """One dot per event on a time axis, one row per theme; the tooltip says when, where, what and the source.

    ``frame``: rows of econ.timeline.table (date, where, what, source, theme, start); ``themes`` orders the
    rows (default: as they first appear). Dots of the same theme are spread over three lanes so that events
    of the same month stay visible.
    """
    order = list(themes) if themes is not None else list(dict.fromkeys(frame["theme"]))
    data = frame.assign(start=frame["start"].dt.strftime("%Y-%m-%d"),
                        lane=frame.groupby("theme").cumcount() % 3)
    return alt.Chart(data).mark_circle(size=70, opacity=0.75).encode(
        x=alt.X("start:T", title="Date (later dates are deadlines and targets already set)",
                scale=alt.Scale(domain=["2018-01-01", "2030-12-31"]), axis=alt.Axis(format="%Y", tickCount=13)),
        y=alt.Y("theme:N", sort=order, title=None),
        yOffset=alt.YOffset("lane:O"),
        color=alt.Color("theme:N", sort=order, legend=None),
        tooltip=[alt.Tooltip("date:N", title="when"), alt.Tooltip("where:N"), alt.Tooltip("what:N"),
                 alt.Tooltip("source:N")],
    ).properties(width=640, height=260, title=titled(title, source))
