"""Charts of the revenue and investment stages: suppliers' losses, Huawei's revenue gap, Russia's
5G capex and its financing, rip-and-replace."""

from __future__ import annotations

import altair as alt
import pandas as pd

from econ.charts.style import DISTINCT, HIGHLIGHT, empty, titled, words
from econ.model.revenue.results import CHANNEL_LABELS


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


#: One colour per loss channel on every chart that shows channels (the same names as the tables).
CHANNEL_SCALE = alt.Scale(domain=list(CHANNEL_LABELS.values()), range=["#4c78a8", "#f58518", "#54a24b"])


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
        color=alt.Color("channel:N", title="Channel", scale=CHANNEL_SCALE, legend=alt.Legend(labelLimit=400)),
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
        color=alt.Color("channel:N", title="Channel", scale=CHANNEL_SCALE,
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
    from econ.words import words as to_words

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
