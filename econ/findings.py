"""Findings first: a scenario's headline figures as a reader reads them, from the metric declarations.

Each figure is its label, its median and p05-p95 rounded to the precision the evidence bears, its
unit, and one sentence generated from the numbers (never typed in). Notebook pages open with
:func:`table` for their stages; the comparison page uses :func:`figures` for every scenario and
:func:`compare` for one sentence per figure across scenarios.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Iterable

import pandas as pd

from econ import safe_text
from econ.model import world
from econ.model.stage import Figure

#: The figures a policy reader asks for first, in the order the comparison page shows them.
HEADLINE = ("rated_revenue_at_risk_usd_bn", "rated_revenue_loss_usd_bn", "huawei_revenue_gap_cny_bn_2021",
            "huawei_share_ex_china_2022", "russia_5g_capex_rub_bn_2020_2030", "russia_5g_base_stations_thousand_2024",
            "uk_rip_and_replace_gross_gbp_bn", "uk_rip_and_replace_gbp_bn", "us_rip_and_replace_gross_usd_bn",
            "us_rip_and_replace_usd_bn")
#: Shorter labels for the comparison page's columns (the declared label is in each cell's title). A short
#: label keeps its figure's scope: Taiwan, South Korea and Japan are S&P's rated issuers' economies.
SHORT = {"apac_revenue_at_risk_usd_bn": "Revenue at risk, Asia-Pacific with China",
         "rated_revenue_at_risk_usd_bn": "Revenue at risk, Taiwan, Korea, Japan",
         "rated_revenue_loss_usd_bn": "Net loss, Taiwan, Korea, Japan",
         "apac_revenue_loss_usd_bn": "Net loss, Asia-Pacific with China",
         "huawei_revenue_gap_cny_bn_2021": "Huawei's revenue lost, 2021",
         "huawei_share_ex_china_2022": "Huawei's share outside China, 2022",
         "russia_5g_capex_rub_bn_2020_2030": "Russia's 5G capex, 2020-2030",
         "russia_5g_base_stations_thousand_2024": "Russia's 5G base stations, 2024",
         "uk_rip_and_replace_gross_gbp_bn": "UK rip-and-replace, gross",
         "uk_rip_and_replace_gbp_bn": "UK rip-and-replace, added",
         "us_rip_and_replace_gross_usd_bn": "US rip-and-replace, gross",
         "us_rip_and_replace_usd_bn": "US rip-and-replace, added",
         "other_rip_and_replace_usd_bn": "Rip-and-replace elsewhere, added"}
#: The figures a notebook page leads with, per stage (the stage's other figures follow in a table).
LEAD = {
    "revenue": ("rated_revenue_at_risk_usd_bn", "rated_revenue_loss_usd_bn", "apac_revenue_at_risk_usd_bn",
                "apac_revenue_loss_usd_bn"),
    "huawei": ("huawei_revenue_gap_cny_bn_2021",),
    "market_share": ("huawei_share_ex_china_2022", "huawei_share_russia_2025", "russia_rank_in_huawei_foreign_markets_2025",
                     "ericsson_share_ex_china_2022"),
    "chip_supply": ("huawei_handset_chip_supply_2021",),
    "investment": ("russia_5g_capex_rub_bn_2020_2030", "uk_rip_and_replace_gross_gbp_bn", "uk_rip_and_replace_gbp_bn",
                   "us_rip_and_replace_gross_usd_bn", "us_rip_and_replace_usd_bn", "russia_5g_base_stations_thousand_2024"),
}
MAX_LEAD = 6


def rounded(value: float, digits: int = 2) -> str:
    """``value`` to ``digits`` significant figures (at least whole units above 100), with thousands
    separators: 24.98731 -> "25", 0.1834 -> "0.18", 1346.2 -> "1,346"."""
    if value is None or not math.isfinite(value):
        return "n/a"
    if value == 0 or abs(value) < 5e-13:  # a residual of the float arithmetic is zero to a reader
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    return f"{value:,.{decimals}f}"


def _is_share(unit: str) -> bool:
    return unit.startswith(("share", "fraction")) or unit == "probability"


def shown(value: float, unit: str) -> str:
    """A number as a reader sees it in ``unit``: shares as per cent, ranks whole, the rest rounded."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "n/a"
    if _is_share(unit):
        return f"{100 * value:.0f}%" if abs(value) >= 0.1 or value == 0 else f"{100 * value:.1f}%"
    if unit.startswith("rank"):
        return f"{value:.0f}"
    return rounded(value)


_shown = shown  # older name


def unit_words(unit: str) -> str:
    """The unit written after a number ("" for shares, shown as %; "of N" for ranks)."""
    if _is_share(unit):
        return ""
    if unit.startswith("rank"):
        return ""
    return unit


def _unit_words(unit: str) -> str:
    words = unit_words(unit)
    return f" {words}" if words else ""


def has_interval(p05, p95) -> bool:
    return (p05 is not None and p95 is not None and not pd.isna(p05) and not pd.isna(p95)
            and math.isfinite(p05) and math.isfinite(p95))


def interval(p05, p95, unit: str) -> str:
    """ "35-50" or "16-19%" (the p05-p95 of the draws), "" when there is none or it has no width."""
    if not has_interval(p05, p95) or shown(p05, unit) == shown(p95, unit):
        return ""
    low = shown(p05, unit)
    return f"{low[:-1] if low.endswith('%') else low}\u2013{shown(p95, unit)}"


def sentence(label: str, unit: str, p50: float, p05: float | None, p95: float | None) -> str:
    """One plain sentence from the numbers: the median, then the range the draws give."""
    if unit.startswith("rank"):
        text = f"{label}: {_ordinal(p50)}"
        if has_interval(p05, p95) and round(p95) > round(p05):
            text += f", between {_ordinal(p05)} and {_ordinal(p95)} in nine draws out of ten"
        elif has_interval(p05, p95):
            text += " in nine draws out of ten or more"
        return text + "."
    if rounded(p50) == "0" and (not has_interval(p05, p95) or (rounded(p05) == "0" and rounded(p95) == "0")):
        return f"{label}: none in this scenario."
    text = f"{label}: about {shown(p50, unit)}{_unit_words(unit)}"
    if has_interval(p05, p95) and shown(p95, unit) != shown(p05, unit):
        text += f", and between {shown(p05, unit)} and {shown(p95, unit)} in nine draws out of ten"
    elif has_interval(p05, p95) and shown(p50, unit) == shown(p05, unit):
        text += " in every draw"
    return text + "."


def _ordinal(value: float) -> str:
    n = int(round(value))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return "the largest" if n == 1 else f"the {n}{suffix} largest"


#: Relative difference below which two scenarios' medians are called the same (draws' noise).
NOISE = 0.01


def compare(label: str, unit: str, rows: list[tuple[str, float, float | None, float | None]]) -> str:
    """One sentence about a figure across scenarios: ``rows`` are (scenario title, p50, p05, p95) in
    story order. Names the largest and the smallest non-zero case and the scenarios where it is zero."""
    rows = [r for r in rows if r[1] is not None and math.isfinite(r[1])]
    if not rows:
        return f"{label}: no scenario of this run computes it."
    zero = [r for r in rows if shown(r[1], unit) in ("0", "0%") and not interval(r[2], r[3], unit)]
    rest = [r for r in rows if r not in zero]
    if not rest:
        return f"{label}: none in any scenario."

    main, _, qualifier = unit_words(unit).partition(", ")

    def number(r, with_unit=True, grouped=False):
        """A scenario's figure in words; for several scenarios within noise of each other (``grouped``),
        "about" the figure, without one scenario's interval standing for all of them."""
        iv = "" if grouped else interval(r[2], r[3], unit)
        inside = ", ".join(x for x in (iv, qualifier if with_unit else "") if x)
        return (("about " if grouped else "") + f"{shown(r[1], unit)}" + (f" {main}" if with_unit and main else "")
                + (f" ({inside})" if inside else ""))

    def near(ref):
        """The scenarios within 1% of ``ref``: differences that small are Monte Carlo noise, not a ranking."""
        group = _within_noise(rest, ref)
        if len(group) == 1:
            return group[0][0]
        return _join([r[0] for r in group]) if len(group) <= 3 else f"{len(group)} scenarios"

    if unit.startswith("rank"):
        best = min(rest, key=lambda r: r[1])
        return f"{label}: from {_ordinal(best[1])} under {best[0]} to {_ordinal(max(r[1] for r in rest))}."
    high, low = max(rest, key=lambda r: r[1]), min(rest, key=lambda r: r[1])
    if shown(high[1], unit) == shown(low[1], unit):
        where = "every scenario" if len(rest) == len(rows) else (
            rest[0][0] if len(rest) == 1 else f"{len(rest)} scenarios ({_join([r[0] for r in rest])})")
        text = f"{label}: {number(high)} under {where}"
    elif abs(high[1] - low[1]) <= NOISE * abs(high[1]):
        text = f"{label}: about {number(high)} under every scenario where it is not zero"
    else:
        text = (f"{label}: {number(high, grouped=len(_within_noise(rest, high)) > 1)} under {near(high)}, down to "
                f"{number(low, False, grouped=len(_within_noise(rest, low)) > 1)} under {near(low)}")
    if zero:
        text += "; none under " + _join([r[0] for r in zero])
    return text + "."


def _within_noise(rows: list, ref) -> list:
    """The rows whose median is within :data:`NOISE` of ``ref``'s."""
    return [r for r in rows if abs(r[1] - ref[1]) <= NOISE * abs(ref[1])]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def figures(found: Iterable[Figure], names: Iterable[str] | None = None) -> pd.DataFrame:
    """Figures as a reader's table (the named ones, in that order; default all): figure, median, p05,
    p95, unit, meaning and one sentence, from each figure's record."""
    by_name = {f.metric: f for f in found}
    rows = [{"metric": f.metric, "figure": f.label, "median": f.median, "p05": f.p05, "p95": f.p95, "unit": f.unit,
             "meaning": f.meaning, "sentence": sentence(f.label, f.unit, f.median, f.p05, f.p95)}
            for f in (by_name[n] for n in (names or by_name) if n in by_name)]
    return pd.DataFrame(rows, columns=["metric", "figure", "median", "p05", "p95", "unit", "meaning", "sentence"])


def stage_figures(result: world.World, stages: Iterable[str]) -> list[Figure]:
    """The figures of the named stages only (records, with their draws)."""
    return result.figures(list(stages))


def csv_link(frame: pd.DataFrame, filename: str, text: str = "Download CSV") -> str:
    """A link that saves ``frame`` as CSV from the page itself (a data: address: works from file://)."""
    data = base64.b64encode(safe_text.csv_text(frame).encode("utf-8")).decode("ascii")
    return (f'<a class="econ-download" download="{html.escape(filename)}" '
            f'href="data:text/csv;charset=utf-8;base64,{data}">{html.escape(text)}</a>')


#: The columns of every figures CSV a reader downloads (the headline table, a page's findings).
READER_COLUMNS = ["metric", "figure", "scenario", "unit", "p05", "median", "p95", "run_date"]


def reader_frame(frame: pd.DataFrame, scenario: str = "") -> pd.DataFrame:
    """Figures as a reader's CSV: figure (its label), scenario, unit, p05, median and p95 rounded to
    four significant digits, and the date the page was made. ``frame`` has metric, figure or label,
    unit, median, p05, p95 and (or ``scenario`` gives) the scenario."""
    from datetime import date

    out = frame.rename(columns={"label": "figure"}).copy()
    if "scenario" not in out:
        out["scenario"] = scenario
    for c in ("p05", "median", "p95"):
        out[c] = out[c].map(lambda v: float(f"{v:.4g}") if v is not None and pd.notna(v) else v)
    out["run_date"] = date.today().isoformat()
    return out[READER_COLUMNS]


def card(label: str, unit: str, p50: float, p05, p95, text: str = "", title: str = "", flag: str = "") -> str:
    """One figure as a card: label, the number and its unit, the p05-p95 range, its sentence and, under
    it, ``flag``: what was published about the same thing (:mod:`econ.anchors`)."""
    esc = html.escape
    iv = interval(p05, p95, unit)
    words = unit_words(unit) or ("rank, 1 = largest" if unit.startswith("rank") else "")
    tip = f' title="{esc(title)}"' if title else ""
    return (f'<div class="econ-figure"{tip}>'
            f'<div class="econ-figure-label">{esc(label)}</div>'
            f'<div class="econ-figure-value">{esc(shown(p50, unit))} '
            f'<span class="econ-figure-unit">{esc(words)}</span></div>'
            + (f'<div class="econ-figure-range">{esc(iv)} <span class="muted">(p05\u2013p95)</span></div>' if iv else
               '<div class="econ-figure-range muted">no uncertainty in this scenario</div>')
            + (f'<p class="econ-figure-sentence">{esc(text)}</p>' if text else "")
            + (f'<p class="econ-flag">{esc(flag)}</p>' if flag else "") + "</div>")


def flag(metric: str, unit: str, median: float | None = None) -> str:
    """What was published about the same thing as ``metric``, in sentences (empty: nothing, or the
    figure is zero in this scenario: an anchor beside a zero reads as a contradiction)."""
    from econ import anchors

    if median is not None and rounded(median) == "0":
        return ""
    return " ".join(a.words(shown) for a in anchors.of(metric))


class Findings:
    """Headline figures that show in JupyterLab and on the published page, the answer first: the
    lead figures as cards (number, unit, interval, one sentence), the others in a compact table
    (an HTML fragment; the plain-text form is the same sentences)."""

    def __init__(self, frame: pd.DataFrame, title: str = "What this scenario finds", lead: Iterable[str] | None = None,
                 scenario: str = ""):
        frame = frame.copy()
        if "metric" not in frame:
            frame["metric"] = frame["figure"]
        if "meaning" not in frame:
            frame["meaning"] = ""
        self.frame, self.title, self.scenario = frame, title, scenario
        have = list(frame["metric"])
        self.lead = [m for m in (lead or []) if m in have] or have[:MAX_LEAD]

    def _repr_html_(self) -> str:
        esc = html.escape
        lead = self.frame.set_index("metric").loc[self.lead].reset_index()
        rest = self.frame[~self.frame["metric"].isin(self.lead)]
        cards = "".join(card(r.figure, r.unit, r.median, r.p05, r.p95, r.sentence, r.meaning,
                             flag(r.metric, r.unit, r.median)) for r in lead.itertuples())
        table = ""
        if len(rest):
            rows = "".join(
                f'<tr><td class="text">{esc(r.figure)}</td><td>{esc(shown(r.median, r.unit))}</td>'
                f'<td>{esc(interval(r.p05, r.p95, r.unit))}</td><td class="text">{esc(unit_words(r.unit) or r.unit)}</td>'
                f'<td class="text">{esc(r.meaning)}</td></tr>' for r in rest.itertuples())
            table = ('<details class="econ-more"><summary>More figures of this page ('
                     f'{len(rest)})</summary><div class="scroll"><table class="econ-table"><thead><tr>'
                     '<th class="text">Figure</th><th>Median</th><th>p05\u2013p95</th><th class="text">Unit</th>'
                     f'<th class="text">Meaning</th></tr></thead><tbody>{rows}</tbody></table></div></details>')
        download = csv_link(reader_frame(self.frame, self.scenario), "findings.csv", "Download these figures (CSV)")
        return (f'<div class="econ-findings"><h2 id="findings">{esc(self.title)}</h2>'
                f'<div class="econ-figures">{cards}</div>{table}'
                '<p class="muted econ-footnote">Medians of the Monte Carlo draws; the range is the one nine draws in '
                f"ten fall in (p05 to p95). {download}</p></div>")

    def __repr__(self) -> str:
        return "\n".join(self.frame["sentence"])


def lead_of(stages: Iterable[str]) -> list[str]:
    """The lead figures of the named stages, in the stages' order."""
    return [m for s in stages for m in LEAD.get(s, ())][:MAX_LEAD]


def table(result: world.World, stages: Iterable[str], names: Iterable[str] | None = None,
          title: str = "What this scenario finds") -> Findings:
    """The findings of the named stages (or the named metrics), for the top of a notebook page."""
    stages = list(stages)
    return Findings(figures(stage_figures(result, stages), names), title, lead_of(stages), result.scenario.name)
