"""Charts that sum a scenario or compare scenarios: sensitivity (tornado, Sobol, sweeps), the
back-test, the comparison page's intervals and small multiples, the timeline."""

from __future__ import annotations

import altair as alt
import pandas as pd

from econ.charts.style import HIGHLIGHT, titled


def tornado(frame: pd.DataFrame, metric: str, top: int = 8, declared: pd.DataFrame | None = None) -> alt.Chart:
    """Tornado for one metric: each assumption's bar runs from the metric with the assumption at its
    low end to its high end, the others at the scenario's central values.

    ``frame``: rows of econ.sensitivity.tornado over the scenario's own p05-p95 (the default view);
    ``declared``: the same over each assumption's whole declared range, offered as a second view
    (radio buttons under the chart).
    """
    from econ import findings
    from econ.model import world
    from econ.words import parameter_label

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
                scale=alt.Scale(zero=False), axis=alt.Axis(format=fmt.replace(".1%", ".1~%"))),
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


def sobol_indices(frame: pd.DataFrame, metric: str) -> alt.Chart:
    """First-order and total Sobol indices for one metric with their confidence intervals.

    ``frame``: rows of econ.sensitivity.global_indices (metric, parameter, S1, S1_conf, ST, ST_conf, n_base).
    """
    from econ.model import world
    from econ.words import parameter_label

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


def sweep_heatmap(frame: pd.DataFrame, x: str, y: str, metric: str, source: str) -> alt.Chart:
    """Heat map of one metric over a two-parameter sweep. ``frame``: rows of econ.sweep.sweep."""
    from econ.model import world
    from econ.words import parameter_label

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


def parameter_intervals(frame: pd.DataFrame, title: str = "Uncertain assumptions: p05-p95 and median") -> alt.Chart:
    """One row per uncertain assumption, one panel per unit (each with its own axis): the p05-p95
    range as a bar and the median as a point.

    ``frame`` has columns parameter, unit, p05, p50, p95.
    """
    from econ.words import parameter_label

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


#: How each forecast's interval is drawn in the back-test chart (the legend says which is which).
BACKTEST_FORECASTS = {"model": ("the linked model", []), "persistence": ("persistence (2019 carried forward)", [4, 2]),
                      "trend": ("the pre-2020 trend", [1, 2])}


def backtest(frame: pd.DataFrame) -> alt.VConcatChart:
    """One panel per family: each figure's forecasts (model, persistence, trend) as median and p05-p95
    relative to the published figure (1 = equal, log scale), side by side. Inside or outside the
    p05-p95 is shown by shape (circle, cross) as well as colour; the forecast by the line's dash.

    ``frame``: family, label, forecast, ratio, low_ratio, high_ratio, inside (econ.backtest.text.chart_frame).
    """
    names = {k: v[0] for k, v in BACKTEST_FORECASTS.items()}
    data = frame.assign(verdict=frame["inside"].map({True: "inside its p05-p95", False: "outside"}),
                        forecaster=frame["forecast"].map(names))
    verdicts = ["inside its p05-p95", "outside"]
    colour = alt.Color("verdict:N", title="The published figure", scale=alt.Scale(domain=verdicts,
                                                                                   range=["#2b6cb0", "#d95f02"]))
    shape = alt.Shape("verdict:N", title="The published figure", scale=alt.Scale(domain=verdicts,
                                                                                  range=["circle", "cross"]))
    dash = alt.StrokeDash("forecaster:N", title="Forecast", legend=alt.Legend(labelLimit=300), scale=alt.Scale(
        domain=list(names.values()), range=[v[1] for v in BACKTEST_FORECASTS.values()]))
    offset = alt.YOffset("forecaster:N", sort=list(names.values()), scale=alt.Scale(domain=list(names.values())))
    x = alt.X("low_ratio:Q", title="forecast / published (log scale)",
              scale=alt.Scale(type="log", domain=[0.25, 4], clamp=True))
    panels = []
    for family in dict.fromkeys(data["family"]):
        part = data[data["family"] == family]
        y = alt.Y("label:N", sort=list(dict.fromkeys(part["label"])), title=None, axis=alt.Axis(labelLimit=260))
        base = alt.Chart(part).encode(y=y, yOffset=offset)
        rule = base.mark_rule(strokeWidth=2, color="#555").encode(x=x, x2="high_ratio:Q", strokeDash=dash)
        point = base.mark_point(size=55, filled=True, opacity=1).encode(
            x=alt.X("ratio:Q", scale=alt.Scale(type="log", domain=[0.25, 4], clamp=True)), color=colour, shape=shape,
            tooltip=["label:N", "forecaster:N", alt.Tooltip("ratio:Q", format=".2f", title="median / published"),
                     alt.Tooltip("low_ratio:Q", format=".2f", title="p05 / published"),
                     alt.Tooltip("high_ratio:Q", format=".2f", title="p95 / published"), "verdict:N"])
        one = alt.Chart(pd.DataFrame({"one": [1.0]})).mark_rule(color="#222").encode(x="one:Q")
        panels.append((rule + point + one).properties(width=420, height=alt.Step(11), title=family))
    return alt.vconcat(*panels).resolve_scale(y="independent").properties(title=alt.TitleParams(
        "Each clean outcome against the model and the two naive forecasts",
        subtitle=["Each forecast's median (mark) and p05-p95 (line) over the published figure, which is the black line "
                  "at 1; blue circle: the figure lies inside that forecast's p05-p95, orange cross: outside",
                  "Solid: the linked model; dashed: persistence; dotted: the pre-2020 trend. Ratios beyond 0.25 and 4 "
                  "are drawn at the edge (hover for the value)"]))


def headline_multiples(frame: pd.DataFrame, figures: list[tuple[str, str, str]], order: list[str]) -> alt.ConcatChart:
    """Small multiples of the headline figures across scenarios: one panel per figure (its own scale
    and unit), scenarios down the side in story order, the median as a point and p05-p95 as a bar.

    ``frame``: metric, scenario_title, median, p05, p95 (figures' records); ``figures``: (metric, label, unit) in order.
    """
    panels = []
    for i, (metric, label, unit) in enumerate(figures):
        data = frame[frame["metric"] == metric][["scenario_title", "p05", "median", "p95"]].copy()
        share = unit.startswith(("share", "fraction")) or unit == "probability"
        fmt = ".0%" if share else ",~r"
        first = i % 4 == 0
        y = alt.Y("scenario_title:N", sort=order, scale=alt.Scale(domain=order), title=None,
                  axis=alt.Axis(labels=first, ticks=first, labelLimit=250, domain=False))
        x = alt.X("median:Q", title=None, axis=alt.Axis(format=fmt, tickCount=4, labelOverlap=True),
                  scale=alt.Scale(zero=True, nice=True))
        base = alt.Chart(data).encode(y=y)
        bar = base.mark_rule(strokeWidth=5, color="#9ecae9").encode(x=alt.X("p05:Q"), x2="p95:Q")
        point = base.mark_point(filled=True, size=60, color="#1f3b63").encode(
            x=x, tooltip=[alt.Tooltip("scenario_title:N", title="scenario"),
                          alt.Tooltip("median:Q", format=fmt, title="median"),
                          alt.Tooltip("p05:Q", format=fmt, title="p05"), alt.Tooltip("p95:Q", format=fmt, title="p95")])
        unit_text = "per cent" if share else unit
        panels.append((bar + point).properties(
            width=165, height=alt.Step(20),
            title=alt.TitleParams(label, subtitle=unit_text, fontSize=12, subtitleFontSize=10, anchor="start")))
    return alt.concat(*panels, columns=4, spacing=18).properties(title=titled(
        "The headline figures by scenario: median (dot) and p05-p95 (bar)", "workbook model, this run"))


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
