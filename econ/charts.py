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


# --- market shares (econ.market_share) -------------------------------------------------------------

VENDOR_ORDER = ["huawei", "zte", "ericsson", "nokia", "samsung", "cisco", "others"]
VENDOR_COLOURS = ["#e45756", "#ff9da6", "#4c78a8", "#72b7b2", "#54a24b", "#b279a2", "#bab0ac"]


def share_areas(frame: pd.DataFrame, source: str, basis: str = "new contracts") -> alt.Chart:
    """Stacked areas of vendor shares by year, one panel per region.

    ``frame``: year, region, vendor, share (median), share_p05, share_p95.
    """
    return alt.Chart(frame).mark_area().encode(
        x=alt.X("year:O", title=None),
        y=alt.Y("share:Q", stack="normalize", title=f"Share of {basis} (median)", axis=alt.Axis(format="%")),
        color=alt.Color("vendor:N", sort=VENDOR_ORDER, scale=alt.Scale(domain=VENDOR_ORDER, range=VENDOR_COLOURS),
                        title="Vendor"),
        order=alt.Order("vendor_order:Q"),
        tooltip=["region:N", "year:O", "vendor:N", alt.Tooltip("share:Q", format=".1%", title="median"),
                 alt.Tooltip("share_p05:Q", format=".1%", title="p05"),
                 alt.Tooltip("share_p95:Q", format=".1%", title="p95")],
    ).transform_calculate(
        vendor_order=f"indexof({VENDOR_ORDER!r}, datum.vendor)"
    ).properties(width=200, height=140).facet(
        facet=alt.Facet("region:N", title=None), columns=4,
        title=titled(f"Vendor shares of {basis} by region", source))


def huawei_foreign_revenue(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Huawei's sales by foreign market over time, with Russia highlighted.

    ``frame``: year, market, revenue_usd_bn, revenue_usd_bn_p05, revenue_usd_bn_p95.
    """
    base = alt.Chart(frame).encode(
        x=alt.X("year:O", title=None),
        color=alt.Color("market:N", title="Market"),
        tooltip=["market:N", "year:O", alt.Tooltip("revenue_usd_bn:Q", format=",.2f", title="median"),
                 alt.Tooltip("revenue_usd_bn_p05:Q", format=",.2f", title="p05"),
                 alt.Tooltip("revenue_usd_bn_p95:Q", format=",.2f", title="p95")])
    lines = base.mark_line(point=True).encode(
        y=alt.Y("revenue_usd_bn:Q", title="Huawei's new-contract sales (USD bn, nominal; median)"),
        strokeWidth=alt.condition("datum.market == 'russia'", alt.value(4), alt.value(1.5)))
    band = alt.Chart(frame[frame["market"] == "russia"]).mark_area(opacity=0.2, color="#e45756").encode(
        x="year:O", y="revenue_usd_bn_p05:Q", y2="revenue_usd_bn_p95:Q")
    return (band + lines).properties(
        title=titled("Huawei's foreign markets: sales by market (Russia bold, its p05–p95 shaded)", source))


def diversion(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Heat map of where Huawei's lost sales go: region by vendor, share of Huawei's loss.

    ``frame``: region, vendor, change_usd_bn, share_of_huawei_loss.
    """
    data = frame[frame["vendor"] != "huawei"].dropna(subset=["share_of_huawei_loss"])
    base = alt.Chart(data).encode(
        x=alt.X("vendor:N", sort=VENDOR_ORDER, title="Vendor gaining"),
        y=alt.Y("region:N", title=None))
    cells = base.mark_rect().encode(
        color=alt.Color("share_of_huawei_loss:Q", title="Share of Huawei's loss",
                        scale=alt.Scale(scheme="blues"), legend=alt.Legend(format="%")),
        tooltip=["region:N", "vendor:N", alt.Tooltip("change_usd_bn:Q", format=",.2f", title="USD bn"),
                 alt.Tooltip("share_of_huawei_loss:Q", format=".1%", title="share of loss")])
    text = base.mark_text(fontSize=10).encode(text=alt.Text("share_of_huawei_loss:Q", format=".0%"))
    return (cells + text).properties(
        width=360, title=titled("Where Huawei's lost sales go, 2020–2030 (vs Huawei unrestricted; means of draws)", source))


# --- sensitivity (econ.sweep) ----------------------------------------------------------------------

def tornado(frame: pd.DataFrame, metric: str, top: int = 10) -> alt.Chart:
    """Tornado for one metric: each parameter's bar runs from the metric at its low to its high end.

    ``frame``: tidy rows of econ.sweep.tornado (metric, parameter, low, high, base, at_low, at_high, swing).
    """
    data = frame[frame["metric"] == metric].nlargest(top, "swing").copy()
    data["label"] = data["parameter"] + " [" + data["low"].map("{:g}".format) + ", " + data["high"].map("{:g}".format) + "]"
    base = float(data["base"].iloc[0]) if len(data) else 0.0
    bars = alt.Chart(data).mark_bar().encode(
        y=alt.Y("label:N", sort=alt.SortField("swing", order="descending"), title=None,
                axis=alt.Axis(labelLimit=320)),
        x=alt.X("at_low:Q", title=f"{metric} (parameter at low → high end of its declared range)",
                scale=alt.Scale(zero=False)),
        x2="at_high:Q",
        color=alt.condition("datum.at_high >= datum.at_low", alt.value("#4c78a8"), alt.value("#e45756")),
        tooltip=["parameter:N", "unit:N", alt.Tooltip("low:Q", format=".3g"), alt.Tooltip("high:Q", format=".3g"),
                 alt.Tooltip("at_low:Q", format=".4g", title="metric at low"),
                 alt.Tooltip("at_high:Q", format=".4g", title="metric at high"),
                 alt.Tooltip("swing:Q", format=".4g")])
    rule = alt.Chart(pd.DataFrame({"base": [base]})).mark_rule(strokeDash=[4, 3]).encode(x="base:Q")
    return (bars + rule).properties(height=max(60, 22 * len(data)), title=titled(
        f"What moves {metric}: one parameter at a time (blue: rises with the parameter; dashed: scenario)",
        "workbook models; ranges from the parameter declarations"))


def stacked(charts: list) -> alt.VConcatChart:
    """Several charts one under the other (one per metric), as one output."""
    return alt.vconcat(*charts).resolve_scale(color="independent", x="independent")


def sobol_indices(frame: pd.DataFrame, metric: str) -> alt.Chart:
    """First-order and total Sobol indices for one metric with their confidence intervals.

    ``frame``: rows of econ.sweep.global_indices (metric, parameter, S1, S1_conf, ST, ST_conf, n_base).
    """
    data = frame[frame["metric"] == metric]
    long = pd.concat([
        pd.DataFrame({"parameter": data["parameter"], "index": "first order (S1)", "value": data["S1"],
                      "low": data["S1"] - data["S1_conf"], "high": data["S1"] + data["S1_conf"]}),
        pd.DataFrame({"parameter": data["parameter"], "index": "total (ST)", "value": data["ST"],
                      "low": data["ST"] - data["ST_conf"], "high": data["ST"] + data["ST_conf"]})])
    n = int(data["n_base"].iloc[0]) if len(data) else 0
    base = alt.Chart(long).encode(y=alt.Y("parameter:N", title=None, sort="-x"),
                                  yOffset="index:N", color=alt.Color("index:N", title=None))
    bars = base.mark_bar().encode(x=alt.X("value:Q", title="Share of the metric's variance"),
                                  tooltip=["parameter:N", "index:N", alt.Tooltip("value:Q", format=".3f"),
                                           alt.Tooltip("low:Q", format=".3f"), alt.Tooltip("high:Q", format=".3f")])
    err = base.mark_rule(color="black").encode(x="low:Q", x2="high:Q")
    return (bars + err).properties(title=titled(
        f"Sobol indices of {metric} over the scenario's distributions (N = {n}; lines: 95% bootstrap CI)",
        "workbook models; SALib"))


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
    data = frame[frame["metric"] == metric]
    return alt.Chart(data).mark_rect().encode(
        x=alt.X(f"{x}:O", title=x, axis=alt.Axis(format=".2f", labelAngle=-45)),
        y=alt.Y(f"{y}:O", title=y, sort="descending", axis=alt.Axis(format=".2f")),
        color=alt.Color("value:Q", title=metric, scale=alt.Scale(scheme="viridis")),
        tooltip=[alt.Tooltip(f"{x}:Q", format=".3g"), alt.Tooltip(f"{y}:Q", format=".3g"),
                 alt.Tooltip("value:Q", format=".4g", title=metric)],
    ).properties(title=titled(f"{metric} over {x} × {y} (other parameters at the scenario's central values)",
                              source))


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


# --- investment needs (econ.investment) ---------------------------------------------------------

def capex_by_component(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Stacked capex by year and component. ``frame``: year, component, capex_rub_bn, basis."""
    basis = frame["basis"].iloc[0]
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("year:O", title="Year"),
        y=alt.Y("sum(capex_rub_bn):Q", title=f"Capex (RUB bn, {basis}; medians)"),
        color=alt.Color("component:N", title="Component"),
        tooltip=["year:O", "component:N", alt.Tooltip("capex_rub_bn:Q", format=",.1f", title="median"),
                 alt.Tooltip("capex_p05_rub_bn:Q", format=",.1f", title="p05"),
                 alt.Tooltip("capex_p95_rub_bn:Q", format=",.1f", title="p95")],
    ).properties(title=titled(f"Russia's 5G capex by year and component ({basis})", source))


def coverage_by_tier(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Population covered by tier and year. ``frame``: year, tier, covered_population_m."""
    tiers = ["million_plus", "cities_500k_1m", "other_urban"]
    data = frame.assign(tier_rank=frame["tier"].map({t: i for i, t in enumerate(tiers)}))
    return alt.Chart(data).mark_area().encode(
        x=alt.X("year:O", title="Year"),
        y=alt.Y("covered_population_m:Q", stack=True, title="Population covered by 5G (million; median)"),
        color=alt.Color("tier:N", title="City tier", sort=tiers), order=alt.Order("tier_rank:Q"),
        tooltip=["year:O", "tier:N", alt.Tooltip("covered_population_m:Q", format=",.1f"),
                 alt.Tooltip("covered_area_km2:Q", format=",.0f", title="area km2"),
                 alt.Tooltip("sites_thousand:Q", format=",.1f", title="sites (thousand)")],
    ).properties(title=titled("Who is covered when: the million-plus cities first", source))


def capex_by_band_vendor(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Total capex under each band and vendor choice with p05-p95 bars.

    ``frame``: band, vendor, capex_rub_bn, capex_p05_rub_bn, capex_p95_rub_bn, basis.
    """
    basis = frame["basis"].iloc[0]
    base = alt.Chart(frame).encode(x=alt.X("vendor:N", title="Vendor of the non-Russian-made kit",
                                           axis=alt.Axis(labelAngle=0)),
                                   xOffset=alt.XOffset("band:N"), color=alt.Color("band:N", title="Band"))
    bars = base.mark_bar().encode(
        y=alt.Y("capex_rub_bn:Q", title=f"Capex 2020-2030 (RUB bn, {basis})"),
        tooltip=["band:N", "vendor:N", alt.Tooltip("capex_rub_bn:Q", format=",.0f", title="median"),
                 alt.Tooltip("capex_p05_rub_bn:Q", format=",.0f", title="p05"),
                 alt.Tooltip("capex_p95_rub_bn:Q", format=",.0f", title="p95")])
    ranges = base.mark_rule(color="black").encode(y="capex_p05_rub_bn:Q", y2="capex_p95_rub_bn:Q")
    return (bars + ranges).properties(
        title=titled("5G capex 2020-2030 by band and vendor (median, p05-p95)", source))


def financing_gap(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Capex need minus the operators' 5G capex capacity by year, with p05-p95.

    ``frame``: year, gap_rub_bn, gap_p05_rub_bn, gap_p95_rub_bn, capex_rub_bn, capacity_rub_bn, basis.
    """
    data = frame.assign(sign=["shortfall" if g > 0 else "headroom" for g in frame["gap_rub_bn"]])
    base = alt.Chart(data).encode(x=alt.X("year:O", title="Year"))
    bars = base.mark_bar().encode(
        y=alt.Y("gap_rub_bn:Q", title=f"Capex need minus 5G capex capacity (RUB bn, {frame['basis'].iloc[0]})"),
        color=alt.Color("sign:N", title=None, scale=alt.Scale(domain=["shortfall", "headroom"],
                                                             range=["#e45756", "#54a24b"])),
        tooltip=["year:O", alt.Tooltip("capex_rub_bn:Q", format=",.0f", title="capex need (median)"),
                 alt.Tooltip("capacity_rub_bn:Q", format=",.0f", title="operators' 5G capacity"),
                 alt.Tooltip("gap_rub_bn:Q", format=",.0f", title="gap (median)"),
                 alt.Tooltip("gap_p05_rub_bn:Q", format=",.0f", title="p05"),
                 alt.Tooltip("gap_p95_rub_bn:Q", format=",.0f", title="p95")])
    ranges = base.mark_rule(color="black").encode(y="gap_p05_rub_bn:Q", y2="gap_p95_rub_bn:Q")
    return (bars + ranges).properties(
        title=titled("Financing gap: 5G capex need against the four operators' 5G budgets", source))


def rip_and_replace_costs(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Gross swap cost and the cost a ban adds over normal replacement (bars, p05-p95 lines), and the
    published estimates (diamonds), one panel per country in its own currency.

    ``frame``: country, kind (model/published), estimate, cost_bn, cost_p05_bn, cost_p95_bn, currency.
    """
    data = frame.assign(panel=frame["country"] + " (" + frame["currency"] + " bn, 2020 prices)")
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
    return alt.layer(bars, ranges, published, data=data).properties(width=380, height=alt.Step(28)).facet(
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
    x = alt.X("year:O", title=None)
    colour = alt.Color("product:N", title=None, scale=alt.Scale(domain=["handset", "network"],
                                                               range=["#e45756", "#4c78a8"]))
    band = alt.Chart(frame).mark_area(opacity=0.2).encode(x=x, y=alt.Y("supply_share_p05:Q", title="share of needs met",
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
