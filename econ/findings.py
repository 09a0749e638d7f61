"""Findings first: a scenario's headline figures as a reader reads them, from the metric declarations.

Each figure is its label, its median and p05-p95 rounded to the precision the evidence bears, its
unit, and one sentence generated from the numbers (never typed in). Notebook pages open with
:func:`table` for their stages; the comparison page uses :func:`figures` for every scenario.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable

import pandas as pd

from econ import world

#: The figures a policy reader asks for first, in the order the comparison page shows them.
HEADLINE = ("apac_revenue_at_risk_usd_bn", "apac_revenue_loss_usd_bn", "huawei_revenue_gap_cny_bn_2021",
            "huawei_share_ex_china_2022", "russia_5g_capex_rub_bn_2020_2030", "russia_5g_base_stations_thousand_2024",
            "uk_rip_and_replace_gbp_bn", "us_rip_and_replace_usd_bn")


def rounded(value: float, digits: int = 2) -> str:
    """``value`` to ``digits`` significant figures (at least whole units above 100), with thousands
    separators: 24.98731 -> "25", 0.1834 -> "0.18", 1346.2 -> "1,346"."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    return f"{value:,.{decimals}f}"


def _shown(value: float, unit: str) -> str:
    if unit.startswith("share") or unit.startswith("fraction") or unit == "probability":
        return f"{100 * value:.0f}%" if abs(value) >= 0.1 else f"{100 * value:.1f}%"
    return rounded(value)


def _unit_words(unit: str) -> str:
    return "" if unit.startswith(("share", "fraction", "probability")) else f" {unit}"


def sentence(label: str, unit: str, p50: float, p05: float | None, p95: float | None) -> str:
    """One plain sentence from the numbers: the median, then the range the draws give."""
    text = f"{label}: about {_shown(p50, unit)}{_unit_words(unit)}"
    if p05 is not None and p95 is not None and math.isfinite(p05) and math.isfinite(p95) and p95 > p05:
        text += f", and between {_shown(p05, unit)} and {_shown(p95, unit)} in nine draws out of ten"
    elif p05 is not None and p95 is not None and math.isfinite(p05) and p95 == p05:
        text += " in every draw"
    return text + "."


def figures(metrics: dict[str, float], names: Iterable[str]) -> pd.DataFrame:
    """The named metrics as a reader's table: figure, median, p05, p95, unit, sentence (declared
    labels and units; metrics that no stage declares are left out)."""
    declared = world.metrics_table()
    rows = []
    for name in names:
        if name not in metrics or name not in declared:
            continue
        _, m = declared[name]
        p05, p95 = metrics.get(f"{name}_p05"), metrics.get(f"{name}_p95")
        rows.append({"metric": name, "figure": m.label, "median": metrics[name], "p05": p05, "p95": p95,
                     "unit": m.unit, "sentence": sentence(m.label, m.unit, metrics[name], p05, p95)})
    return pd.DataFrame(rows, columns=["metric", "figure", "median", "p05", "p95", "unit", "sentence"])


def stage_metrics(result: world.World, stages: Iterable[str]) -> dict[str, float]:
    """The metrics (with their intervals) of the named stages only."""
    out = {}
    for name in stages:
        out.update(result[name].metrics())
    return out


class Findings:
    """Headline figures that show in JupyterLab and on the published page as a short list, the
    answer first (an HTML fragment; the plain-text form is the same sentences)."""

    def __init__(self, frame: pd.DataFrame, title: str = "What this scenario finds"):
        self.frame, self.title = frame, title

    def _repr_html_(self) -> str:
        items = "".join(
            f'<li><strong>{html.escape(r.figure)}</strong>: {html.escape(_shown(r.median, r.unit))}'
            f'{html.escape(_unit_words(r.unit))}'
            + (f' <span class="interval">({html.escape(_shown(r.p05, r.unit))} to {html.escape(_shown(r.p95, r.unit))})'
               f'</span>' if r.p05 is not None and not pd.isna(r.p05) and r.p95 != r.p05 else "")
            + "</li>" for r in self.frame.itertuples())
        return (f'<div class="econ-findings"><h2>{html.escape(self.title)}</h2><ul>{items}</ul>'
                '<p class="muted">Medians of the Monte Carlo draws; in brackets the range that nine draws in ten '
                "fall in (p05 to p95).</p></div>")

    def __repr__(self) -> str:
        return "\n".join(self.frame["sentence"])


def table(result: world.World, stages: Iterable[str], names: Iterable[str] | None = None,
          title: str = "What this scenario finds") -> Findings:
    """The findings of the named stages (or the named metrics), for the top of a notebook page."""
    stages = list(stages)
    metrics = stage_metrics(result, stages)
    if names is None:
        names = [m.name for s in stages for m in world.stages()[s].metrics]
    return Findings(figures(metrics, names), title)
