"""Charts of the market-share, chip-supply and Huawei stages: who sells where, and what Huawei earns."""

from __future__ import annotations

import altair as alt
import pandas as pd

from econ.charts.style import DISTINCT, HIGHLIGHT, VENDOR_COLOURS, VENDOR_ORDER, empty, titled, words


def share_areas(frame: pd.DataFrame, source: str, basis: str = "new contracts") -> alt.Chart:
    """Stacked areas of vendor shares by year, one panel per region.

    ``frame``: year, region, vendor, share (median), share_p05, share_p95.
    """
    from econ.words import words as to_words

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


#: A region's share of Huawei's loss is shown only where Huawei lost at least this much there (USD bn over
#: 2020-2030): below it the denominator is so small that shares of several hundred per cent mean nothing.
MEANINGFUL_LOSS_USD_BN = 1.0


def diversion(frame: pd.DataFrame, source: str) -> alt.Chart:
    """Heat map of where Huawei's lost sales go, in money: each vendor's gain by region (USD bn over
    2020-2030, mean of draws). Its share of Huawei's loss in the region is in the tooltip, only where
    Huawei lost at least :data:`MEANINGFUL_LOSS_USD_BN` there.

    ``frame``: region, vendor, change_usd_bn, share_of_huawei_loss.
    """
    lost = -frame[frame["vendor"] == "huawei"].set_index("region")["change_usd_bn"]
    # every region stays, also one where Huawei gains (Russia): its share of a loss is undefined, not the row
    data = frame[frame["vendor"] != "huawei"].dropna(subset=["change_usd_bn"]).copy()
    none = empty(data, "change_usd_bn", "Huawei loses no sales to the rules in this scenario, so nothing is "
                 "diverted to other vendors.", "Where Huawei's lost sales go:")
    if none is not None:
        return none
    from econ.words import words as to_words

    data["huawei_loss_usd_bn"] = data["region"].map(lost)
    data.loc[data["huawei_loss_usd_bn"] < MEANINGFUL_LOSS_USD_BN, "share_of_huawei_loss"] = float("nan")
    data["gain"] = data["change_usd_bn"].map(lambda v: f"{v:+.1f}" if abs(v) >= 0.05 else "0")
    data = words(data, "region", "vendor")
    top = float(data["change_usd_bn"].abs().max()) or 1.0
    base = alt.Chart(data).encode(
        x=alt.X("vendor:N", sort=[to_words(v) for v in VENDOR_ORDER], title="Vendor gaining",
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("region:N", title=None))
    cells = base.mark_rect().encode(
        color=alt.Color("change_usd_bn:Q", title="Gain, USD bn", scale=alt.Scale(scheme="blueorange", domain=[-top, top]),
                        legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=220, titlePadding=6)),
        tooltip=["region:N", "vendor:N", alt.Tooltip("change_usd_bn:Q", format=",.2f", title="gain, USD bn"),
                 alt.Tooltip("huawei_loss_usd_bn:Q", format=",.1f", title="Huawei's loss there, USD bn"),
                 alt.Tooltip("share_of_huawei_loss:Q", format=".0%", title="share of Huawei's loss")])
    text = base.mark_text(fontSize=10).encode(
        text="gain:N", color=alt.condition(f"abs(datum.change_usd_bn) > {0.45 * top}", alt.value("white"),
                                           alt.value("#222")))
    return (cells + text).properties(width=540, title=titled(
        "Where Huawei's lost sales go: each vendor's gain, USD bn over 2020-2030 (vs Huawei unrestricted; "
        "means of draws)", source))


def huawei_revenue(frame: pd.DataFrame, dimension: str, source: str) -> alt.Chart:
    """Huawei's reported revenue by year for one breakdown (``total``, ``region``, ``business_group``).

    ``frame`` has columns year, dimension, segment, revenue_cny_bn.
    """
    part = frame[frame["dimension"] == dimension]
    data = words(part, "segment")
    mark = alt.Chart(data).mark_line(point=True) if dimension == "total" else alt.Chart(data).mark_bar()
    legend = None if dimension == "total" else alt.Legend(title=dimension.replace("_", " ").capitalize())
    by = "" if dimension == "total" else " by " + dimension.replace("_", " ")
    years = sorted(int(y) for y in frame["year"].unique())
    title = titled(f"Huawei's reported revenue{by}", source)
    gaps = _gaps(part, years)
    if gaps:  # say what the bars leave out rather than let a reader read a missing year as zero
        title.subtitle = [*([title.subtitle] if isinstance(title.subtitle, str) else title.subtitle), gaps]
    return mark.encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0), scale=alt.Scale(domain=years)),
        y=alt.Y("sum(revenue_cny_bn):Q", title="CNY bn, nominal"),
        color=alt.Color("segment:N", legend=legend, scale=alt.Scale(range=DISTINCT)),
        tooltip=["year:O", "segment:N", alt.Tooltip("sum(revenue_cny_bn):Q", title="CNY bn", format=",.1f")],
    ).properties(width=560, title=title)


def _gaps(part: pd.DataFrame, years: list[int]) -> str:
    """In words, the years this breakdown has no figure for, and those with only some of its parts."""
    from econ.words import words as to_words

    have = part.groupby("year")["segment"].apply(set)
    every = set().union(*have) if len(have) else set()
    missing = [y for y in years if y not in have.index]
    partial = {y: sorted(have[y]) for y in have.index if have[y] != every}
    out = []
    if missing:
        out.append(f"no breakdown in the data for {', '.join(map(str, missing))}")
    for y, segs in partial.items():
        out.append(f"{y}: only {', '.join(to_words(s) for s in segs)} reported separately")
    return ("Gaps: " + "; ".join(out) + ".") if out else ""


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
