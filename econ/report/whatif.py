"""What if? A panel on the comparison page where a reader moves three key assumptions of the revenue
stage with sliders and sees the net revenue loss (and revenue at risk) of suppliers in Taiwan, South
Korea and Japan (the front page's scope, S&P's rated issuers) change, with no kernel: offline, from file://.

At publish time the model's fast path (:func:`econ.model.world.evaluate`, every other assumption at the
scenario's central value) is evaluated over a grid of the three assumptions for each scenario with
a rule in force; the grid goes into the chart as a Vega-Lite parameter, the sliders are parameters
bound to range inputs that step from grid point to grid point, and the chart looks the figure up
at the sliders' point. So the number shown is the model's own value at that point (no
interpolation). The grid's steps are chosen so that every scenario's central values lie on it,
and the sliders start there.

This is a what-if around the central values, not the Monte Carlo median: with every assumption
at its central value the model gives a figure a little away from the median of the draws (the
model is not linear), and the panel says so.
"""

from __future__ import annotations

import html
import json
import math

import altair as alt
import numpy as np

from econ import findings, report, uncertainty, words
from econ.model import world
from econ.scenario import Parameters, Scenario

#: The assumptions a reader moves (those that move the net loss most over the scenarios' ranges)
#: and the figures shown.
KNOBS = ("rival_recapture_rate", "merchant_chip_switch_share", "handset_chip_inventory_months")
FIGURES = ("rated_revenue_loss_usd_bn", "rated_revenue_at_risk_usd_bn")
#: The sliders' names (the declared meaning is in the panel's text).
LABELS = {"rival_recapture_rate": "Rivals' recapture", "merchant_chip_switch_share": "Merchant chips Huawei can switch to",
          "handset_chip_inventory_months": "Huawei's stock of handset chips"}
STAGE = "revenue"
MAX_STEPS = 12
NICE_STEPS = (0.01, 0.02, 0.025, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0)
ELEMENT = "econ-whatif-chart"


def _declared(name: str) -> tuple[float, float]:
    extra = Parameters.model_fields[name].json_schema_extra
    return float(extra["low"]), float(extra["high"])


def axis(name: str, scenarios: list[Scenario]) -> np.ndarray:
    """Grid values of one assumption: spanning every scenario's distribution (p01 to p99, or the
    point value), inside the declared range, in nice steps that every central value falls on."""
    low, high = _declared(name)
    centres, lows, highs = [], [], []
    for scn in scenarios:
        value = scn.value(name)
        centres.append(float(uncertainty.central(value)))
        if uncertainty.is_distribution(value):
            lo, hi = value.ppf(np.array([0.01, 0.99]))
            lows.append(float(lo))
            highs.append(float(hi))
    span_lo = min(lows + centres)
    span_hi = max(highs + centres)
    if span_hi <= span_lo:
        span_lo, span_hi = span_lo * 0.5, span_hi * 1.5 or 1.0
    for step in NICE_STEPS:
        lo = max(low, math.floor(span_lo / step + 1e-9) * step)
        hi = min(high, math.ceil(span_hi / step - 1e-9) * step)
        n = int(round((hi - lo) / step)) + 1
        on_grid = all(abs((c - lo) / step - round((c - lo) / step)) < 1e-6 for c in centres)
        if n <= MAX_STEPS and on_grid:
            return np.round(lo + step * np.arange(n), 10)
    return np.round(np.linspace(max(low, span_lo), min(high, span_hi), 9), 10)


def grid(scenario: Scenario, axes: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The figures at every point of the grid (first axis slowest), the others at central values."""
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    points = {name: m.ravel() for name, m in zip(axes, mesh)}
    out = world.evaluate(scenario, points, [STAGE])
    return {m: np.asarray(out[m], dtype=float) for m in FIGURES}


def value_at(scenario: Scenario, point: dict[str, float]) -> dict[str, float]:
    """The figures the model gives at one point (the other assumptions at central values)."""
    out = world.evaluate(scenario, {k: np.array([float(v)]) for k, v in point.items()}, [STAGE])
    return {m: float(out[m][0]) for m in FIGURES}


def usable(scenarios: dict[str, Scenario]) -> dict[str, Scenario]:
    """The scenarios in which the figures are not zero at the central values (a rule is in force)."""
    out = {}
    for name, scn in scenarios.items():
        centre = value_at(scn, {k: uncertainty.central(scn.value(k)) for k in KNOBS})
        if abs(centre[FIGURES[0]]) > 1e-9:
            out[name] = scn
    return out


def spec(scenarios: dict[str, Scenario], ranges: dict[str, str] | None = None) -> dict:
    """The Vega-Lite spec of the panel (the grid inside it). ``ranges``: each scenario's net loss over
    its Monte Carlo draws in words (median and p05-p95), shown under the slider's value."""
    names = list(scenarios)
    axes = {k: axis(k, list(scenarios.values())) for k in KNOBS}
    sizes = [len(v) for v in axes.values()]
    lows = {k: float(v[0]) for k, v in axes.items()}
    steps = {k: float(v[1] - v[0]) if len(v) > 1 else 1.0 for k, v in axes.items()}
    values = {n: {m: [float(f"{x:.4g}") for x in arr] for m, arr in grid(s, axes).items()} for n, s in scenarios.items()}
    centres = {n: {k: float(uncertainty.central(s.value(k))) for k in KNOBS} for n, s in scenarios.items()}
    first = names[0]
    labels = {k: LABELS.get(k) or words.parameter_label(k) for k in KNOBS}
    units = {k: Parameters.model_fields[k].json_schema_extra["unit"] for k in KNOBS}
    k1, k2, k3 = KNOBS
    n2, n3 = sizes[1], sizes[2]

    def idx(k):
        return f"round(({k} - {lows[k]}) / {steps[k]})"

    point = f"({idx(k1)} * {n2 * n3} + {idx(k2)} * {n3} + {idx(k3)})"
    params = [alt.param(name="scenario", value=first, bind=alt.binding_select(
        options=names, labels=[scenarios[n].short_title for n in names], name="Scenario: "))]
    for k in KNOBS:
        params.append(alt.param(name=k, value=centres[first][k], bind=alt.binding_range(
            min=float(axes[k][0]), max=float(axes[k][-1]), step=steps[k], name=f"{labels[k]} ({units[k]}): ")))
    params += [alt.param(name="grid", value=values), alt.param(name="centre", value=centres),
               alt.param(name="drawn", value={n: (ranges or {}).get(n, "") for n in names})]
    loss, risk = FIGURES
    unit = world.metrics_table()[loss][1].unit
    numbers = alt.Chart(alt.sequence(0, 1, as_="i")).transform_calculate(
        loss=f"grid[scenario]['{loss}'][{point}]", risk=f"grid[scenario]['{risk}'][{point}]",
        line1="'Net revenue loss: ' + format(datum.loss, ',.3r') + ' {}'".format(findings.unit_words(unit).split(",")[0]),
        line2="'Revenue at risk: ' + format(datum.risk, ',.3r') + ' {}'".format(
            findings.unit_words(unit).split(",")[0]),
    )
    big = numbers.mark_text(align="left", baseline="top", fontSize=22, fontWeight="bold", color="#1f3b63",
                            x=0, y=10).encode(text="line1:N")
    small = numbers.mark_text(align="left", baseline="top", fontSize=15, color="#333", x=0, y=48).encode(text="line2:N")
    drawn = numbers.transform_calculate(line3="drawn[scenario]").mark_text(
        align="left", baseline="top", fontSize=12, color="#1f3b63", x=0, y=72).encode(text="line3:N")
    note = numbers.mark_text(align="left", baseline="top", fontSize=11, color="#555", x=0, y=96, lineHeight=15).encode(
        text=alt.value(["Suppliers in Taiwan, South Korea and Japan, 12 months", "after the rule, at the sliders' values;",
                        "every other assumption at its central value"]))
    text_panel = alt.layer(big, small, drawn, note).properties(width=300, height=150)
    line_data = alt.Chart(alt.sequence(0, sizes[0], as_="i")).transform_calculate(
        x=f"{lows[k1]} + datum.i * {steps[k1]}",
        y=f"grid[scenario]['{loss}'][datum.i * {n2 * n3} + {idx(k2)} * {n3} + {idx(k3)}]")
    x = alt.X("x:Q", title=f"{labels[k1]} ({units[k1]})", scale=alt.Scale(domain=[float(axes[k1][0]),
                                                                                 float(axes[k1][-1])]))
    line = line_data.mark_line(point=True, color="#4c78a8").encode(
        x=x, y=alt.Y("y:Q", title=f"Net loss ({unit})", scale=alt.Scale(zero=True)),
        tooltip=[alt.Tooltip("x:Q", title=labels[k1], format=".3~g"), alt.Tooltip("y:Q", title="net loss", format=",.3r")])
    here = line_data.transform_filter(f"datum.i == {idx(k1)}").mark_point(
        filled=True, size=160, color="#e45756").encode(x="x:Q", y="y:Q")
    centre_rule = alt.Chart(alt.sequence(0, 1, as_="i")).transform_calculate(c=f"centre[scenario]['{k1}']").mark_rule(
        strokeDash=[4, 3], color="#666").encode(x="c:Q")
    line_panel = alt.layer(line, here, centre_rule).properties(width=430, height=200, title=alt.TitleParams(
        f"Net loss as the first slider ({labels[k1].lower()}) moves",
        subtitle="red: the sliders' point; dashed: the scenario's central value",
        fontSize=12, subtitleFontSize=10))
    chart = alt.hconcat(text_panel, line_panel, spacing=30).add_params(*params).properties(title=report_title())
    return chart.to_dict()


def report_title() -> alt.TitleParams:
    return alt.TitleParams("What if? Move three assumptions around the scenario's central values",
                           subtitle="Source: workbook model (the revenue stage's fast path, evaluated at publish time)",
                           anchor="start", fontSize=14, subtitleFontSize=10, subtitleColor="#555")


def grid_axes(scenarios: dict[str, Scenario]) -> dict:
    """What a reader's CSV of the panel is built from in the page (the grid itself is in the spec's
    ``grid`` parameter): the sliders' axes, first slowest, the figures and their unit. The page expands
    it into one row per scenario and slider point (see ``econ.report.bundle.CHART_SCRIPT``)."""
    axes = {k: [float(f"{x:.4g}") for x in axis(k, list(scenarios.values()))] for k in KNOBS}
    return {"param": "grid", "axes": axes, "figures": list(FIGURES), "unit": world.metrics_table()[FIGURES[0]][1].unit}


def inert(scenarios: dict[str, Scenario]) -> dict[str, list[str]]:
    """For each slider, the scenarios in which moving it alone (the others at their central values) does
    not change the net loss: the reader is told, rather than left to wonder."""
    axes = {k: axis(k, list(scenarios.values())) for k in KNOBS}
    out: dict[str, list[str]] = {k: [] for k in KNOBS}
    for name, scn in scenarios.items():
        centre = {k: float(uncertainty.central(scn.value(k))) for k in KNOBS}
        for k in KNOBS:
            ends = [value_at(scn, {**centre, k: float(x)})[FIGURES[0]] for x in (axes[k][0], axes[k][-1])]
            if abs(ends[1] - ends[0]) <= 1e-9 * max(1.0, abs(ends[0])):
                out[k].append(name)
    return out


def _inert_note(scenarios: dict[str, Scenario]) -> str:
    sentences = []
    for k, names in inert(scenarios).items():
        if not names:
            continue
        where = ("any scenario shown" if len(names) == len(scenarios) else
                 f"{len(names)} of the {len(scenarios)} scenarios shown ("
                 + ", ".join(scenarios[n].short_title for n in names) + ")")
        why = {"merchant_chip_switch_share": " From August 2020 the rule also covers merchant chips made with US "
               "technology, so there is nothing left to switch to; it matters only under the May 2020 rule."}.get(k, "")
        sentences.append(f"<b>{html.escape(LABELS.get(k, k))}</b> does not move the figure under "
                         f"{html.escape(where)}.{html.escape(why)}")
    return f"<p class='econ-prose econ-note'>{' '.join(sentences)}</p>" if sentences else ""


def drawn_ranges(found, names) -> dict[str, str]:
    """Each scenario's net loss over its draws, in words ("over the draws: 9.7 (5.1-14)"), from the run's
    figures (econ.report.figures.figures_frame)."""
    unit = world.metrics_table()[FIGURES[0]][1].unit
    rows = found[found["metric"] == FIGURES[0]].drop_duplicates("scenario").set_index("scenario")
    return {n: f"Over the draws: {findings.shown(rows.at[n, 'median'], unit)} "
               f"({findings.interval(rows.at[n, 'p05'], rows.at[n, 'p95'], unit) or 'no range'}), p05-p95"
            for n in names if n in rows.index}


def panel(scenarios: dict[str, Scenario], ranges: dict[str, str] | None = None) -> str:
    """The what-if section of the comparison page (HTML), or a sentence saying why there is none.
    ``ranges``: each scenario's figure over its draws (:func:`drawn_ranges`), shown beside the what-if."""
    heading = "<h2 id='what-if'>What if?</h2>"
    chosen = usable(scenarios)
    if not chosen:
        return (heading + "<p class='econ-note'>No scenario of this run has a rule in force, so there is no revenue "
                "loss to vary.</p>")
    left_out = [n for n in scenarios if n not in chosen]
    body = report.chart_html(spec(chosen, ranges), ELEMENT, name="what-if-grid", grid=grid_axes(chosen),
                             state={"by": "scenario", "knobs": list(KNOBS), "centre": "centre"})
    why = (f" Left out: {html.escape(' and '.join(scenarios[n].short_title for n in left_out))}, with no rule in force, "
           "so nothing is lost whatever these assumptions." if left_out else "")
    knobs = "".join(f"<li><b>{html.escape(LABELS.get(k, k))}</b>: {html.escape(words.parameter_meaning(k))} "
                    f"({html.escape(Parameters.model_fields[k].json_schema_extra['unit'])})</li>" for k in KNOBS)
    return (heading + "<p class='econ-prose'>A what-if around each scenario's central values, not a forecast: move the "
            "sliders under the chart and the net loss is the model's own value at that point, every other "
            "assumption held at the scenario's central value (the address keeps the view, so a link shares it; "
            "'Reset the sliders' goes back to the central values). Both figures count suppliers in Taiwan, South "
            "Korea and Japan, the economies of S&amp;P's rated issuers, as the front page's first two columns do. "
            "At the central values the model's figure can differ noticeably from the median of the draws (the "
            f"model is not linear).{why}</p><ul class='econ-prose'>"
            f"{knobs}</ul>" + _inert_note(chosen) + body)


def payload_bytes(scenarios: dict[str, Scenario]) -> int:
    """Bytes the panel adds to the page (its spec, grid included)."""
    return len(json.dumps(spec(usable(scenarios))))


__all__ = ["FIGURES", "KNOBS", "axis", "drawn_ranges", "grid", "grid_axes", "inert", "panel", "payload_bytes", "spec",
           "usable", "value_at"]
