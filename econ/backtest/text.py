"""The back-test in words and tables: the skill sentence, the console summary, the reader's tables
and docs/backtest.md's generated part."""

from __future__ import annotations

import numpy as np
import pandas as pd

from econ.backtest.results import FORECASTS, Backtest, Summary
from econ.backtest.table import FAMILIES

#: Skill within this of zero reads as "about as well as".
EVEN = 0.05
UNITS = {"share": "", "usd_bn": " USD bn", "gbp_bn": " GBP bn", "cny_bn": " CNY bn", "rub_bn": " RUB bn",
         "thousand": " thousand"}


def _label(figure_id: str) -> str:
    from econ.words import label

    return label(figure_id)


def _num(x: float) -> str:
    return f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}"


def edge(x: float, published: float) -> str:
    """``x`` to three significant figures, or as many more as it takes (up to six) not to print the
    published figure itself: a bound that just misses must not read as equal to the figure."""
    for digits in range(3, 7):
        text, ref = f"{x:,.{digits}g}", f"{published:,.{digits}g}"
        if text != ref or x == published:
            return text if abs(x) < 1000 or digits > 3 else f"{x:,.0f}"
    return text


def verdict(inside: bool, published: float, p05: float, p95: float) -> str:
    """Inside, outside, or just outside with the bound that decides it."""
    if inside:
        return "inside"
    bound, name = (p05, "p05") if published < p05 else (p95, "p95")
    if abs(bound - published) <= 0.01 * abs(published):
        return f"just outside: the {name} is {edge(bound, published)}"
    return "outside"


def skill_words(skill: float, against: str = "persistence (“nothing changed since 2019”)") -> str:
    """"5% better than X", "about as well as X (2% worse)", "12% worse than X"."""
    if not np.isfinite(skill):
        return f"cannot be compared with {against}"
    pct = f"{100 * abs(skill):.0f}%"
    if abs(skill) < EVEN:
        return f"about as well as {against} ({pct} {'better' if skill >= 0 else 'worse'})"
    return f"{pct} {'better' if skill > 0 else 'worse'} than {against}"


def skill_sentence(count: int, skill: float, low: float, high: float, trend: float) -> str:
    """One sentence: the skill over persistence on clean outcomes, with its sign, in words (and
    whether it can be told from no skill)."""
    told = ("; the range includes zero, so it cannot be told from persistence" if low <= 0 <= high
            else "; the range excludes zero")
    return (f"On the {count:.0f} clean outcomes of 2020-2024, the model's forecasts score "
            f"{skill_words(skill)} by the CRPS (skill {skill:+.2f}, {low:+.2f} to {high:+.2f} when whole "
            f"families of figures are resampled{told}), and {skill_words(trend, 'the pre-2020 trend')}.")


def sentence(test: Backtest) -> str:
    """:func:`skill_sentence` of a back-test."""
    o = test.overall()
    return skill_sentence(o.count, o.skill["persistence"], *o.skill_interval, o.skill["trend"])


def summary(test: Backtest):
    """The back-test's answer first, for notebook 05: skill, coverage and width on clean outcomes."""
    from econ.findings import Findings

    o = test.overall()
    m = o.by_forecast.loc["model"]
    low, high = o.skill_interval
    rows = [("Skill over persistence (CRPS)", o.skill["persistence"], low, high, "skill",
             f"The model scores {skill_words(o.skill['persistence'])}."),
            ("Skill over the pre-2020 trend (CRPS)", o.skill["trend"], None, None, "skill",
             f"The model scores {skill_words(o.skill['trend'], 'the pre-2020 trend')}."),
            ("Clean outcomes inside the model's 90% interval", m["coverage_90"], None, None, "share",
             f"{100 * m['coverage_90']:.0f}% of {o.count} clean outcomes lie inside the model's p05-p95 "
             "(a calibrated 90% interval covers about 90%)."),
            ("Clean outcomes inside the model's 50% interval", m["coverage_50"], None, None, "share",
             f"{100 * m['coverage_50']:.0f}% lie inside its p25-p75 (about 50% if calibrated)."),
            ("Median width of the model's 90% interval", m["width_90"], None, None, "factor (p95 / p05)",
             f"The model's p95 is typically {m['width_90']:.2f} times its p05."),
            ("Clean outcomes scored", float(o.count), None, None, "figures",
             f"{o.count} clean outcomes scored; {len(test.others)} other figures are shown but left out of the "
             "headline.")]
    frame = pd.DataFrame(rows, columns=["figure", "median", "p05", "p95", "unit", "sentence"])
    return Findings(frame, "How the model compares with what happened")


def summary_table(test: Backtest) -> pd.DataFrame:
    """Per family and overall: figures, coverage at 50% and 90%, median width, skill over each naive
    forecast; a family without clean outcomes says so."""
    rows = []
    for name, s in [("All clean outcomes", test.overall()), *test.by_family().items()]:
        if s is None:
            rows.append({"figures": name, "count": 0, "note": "no clean outcome: skill cannot be measured"})
            continue
        m = s.by_forecast.loc["model"]
        rows.append({"figures": name, "count": s.count, "coverage 50%": m["coverage_50"],
                     "coverage 90%": m["coverage_90"], "median width (p95/p05)": m["width_90"],
                     "skill over persistence": s.skill["persistence"],
                     "WIS skill over persistence": s.skill["persistence_wis"], "skill over trend": s.skill["trend"],
                     "persistence coverage 90%": s.by_forecast.loc["persistence", "coverage_90"], "note": ""})
    return pd.DataFrame(rows)


def leave_one_out(test: Backtest) -> pd.DataFrame:
    """The headline skill with each family left out in turn: how much one family carries it."""
    rows = [{"left out": family, "figures": (o := test.without(family)).count,
             "skill over persistence": o.skill["persistence"], "skill over trend": o.skill["trend"]}
            for family, s in test.by_family().items() if s is not None]
    return pd.DataFrame(rows)


def forecasts_table(s: Summary) -> pd.DataFrame:
    """Each forecast's scores over one set of figures."""
    return s.by_forecast.rename(columns={"coverage_50": "coverage 50%", "coverage_90": "coverage 90%",
                                         "width_90": "median width (p95/p05)", "abs_log_error": "median |log error|",
                                         "wis": "mean WIS", "crps": "mean CRPS"}).rename_axis("forecast").reset_index()


def figures_table(test: Backtest, headline: bool) -> pd.DataFrame:
    """Every scored figure (clean outcomes, or the others with their standing), each forecast's
    median and p05-p95 and whether the figure lies inside."""
    chosen = test.headline if headline else test.others
    wide = test.scores.pivot(index="figure", columns="forecast")
    rows = []
    for r in chosen.itertuples():
        row = {"figure": _label(r.figure), "year": r.year, "family": r.family, "published": _num(r.published),
               "unit": r.unit}
        if not headline:
            row["standing"] = r.standing
        for f in FORECASTS:
            if r.figure in wide.index and not pd.isna(wide.loc[r.figure, ("p50", f)]):
                w = wide.loc[r.figure]
                low, high = w[("p05", f)], w[("p95", f)]
                row[f] = f"{_num(w[('p50', f)])} [{edge(low, r.published)}, {edge(high, r.published)}]"
                row[f"{f} verdict"] = verdict(bool(w[("covered_90", f)]), r.published, low, high)
            else:
                row[f], row[f"{f} verdict"] = "n/a", "no forecast"
        if not headline:
            row["why"] = r.relation_note
        if r.figure in wide.index and not pd.isna(wide.loc[r.figure, ("basis", "persistence")]):
            row["persistence starts from"] = wide.loc[r.figure, ("basis", "persistence")]
        row["source"] = r.source_id
        rows.append(row)
    return pd.DataFrame(rows)


def chart_frame(test: Backtest, headline: bool = True) -> pd.DataFrame:
    """Each figure's forecasts relative to the published figure, for :func:`econ.charts.backtest`."""
    chosen = test.headline if headline else test.others
    s = test.scores.merge(chosen[["figure", "family", "year", "published"]], on="figure")
    s = s.iloc[s["family"].map(FAMILIES.index).argsort(kind="stable")]
    labels = [_label(f) if str(y) in _label(f) else f"{_label(f)} ({y})" for f, y in zip(s["figure"], s["year"])]
    return pd.DataFrame({"family": s["family"], "label": labels,
                         "forecast": s["forecast"], "ratio": s["p50"] / s["published"],
                         "low_ratio": s["p05"] / s["published"], "high_ratio": s["p95"] / s["published"],
                         "inside": s["covered_90"].astype(bool)})


def fitted_table(test: Backtest) -> pd.DataFrame:
    f = test.fitted
    return pd.DataFrame({"figure": f["figure"].map(_label), "year": f["year"], "used by": f["relation_note"],
                         "source": f["source_id"]})


CAVEATS = ("The CRPS and WIS score the whole forecast distribution, so a forecast can win on them while its "
           "median is further from the figures (compare the median |log error|): persistence's intervals are wider.",
           "The model is given what happened (the rules, exits, Honor's sale) and some 2020 inputs "
           "(MTS's 2020 capex and revenue, Dell'Oro's 2020-21 world totals held after 2021, China's operators' "
           "capex to 2022); the naive forecasts "
           "only the record to 2019. Outside China no 2019 share is published, so persistence starts there from "
           "the model's 2019 base year.")


def console(test: Backtest) -> str:
    """What ``python -m econ.backtest`` prints."""
    fmt = lambda x: f"{x:.2f}"  # noqa: E731
    lines = [sentence(test), "", "Clean outcomes, by family (model's coverage and width; CRPS and WIS skill):",
             summary_table(test).fillna("").to_string(index=False, float_format=fmt), "",
             "The headline skill with each family left out:", leave_one_out(test).to_string(index=False,
                                                                                              float_format=fmt),
             "", "Each forecast over the clean outcomes:",
             forecasts_table(test.overall()).to_string(index=False, float_format=lambda x: f"{x:.3f}"),
             "", f"Left out of the headline: {len(test.others)} scored figures that are not clean outcomes "
             f"({', '.join(f'{n} {k}' for k, n in test.others['standing'].value_counts().items())}); "
             f"{len(test.fitted)} fitted inputs listed, not scored.", "", *CAVEATS]
    return "\n".join(lines)


def _md_table(frame: pd.DataFrame) -> list[str]:
    def cell(x):
        if isinstance(x, bool | np.bool_):
            return "yes" if x else "**no**"
        if isinstance(x, float):
            return "" if pd.isna(x) else f"{x:.2f}"
        return "" if x is None else str(x).replace("|", "/")

    head = "| " + " | ".join(frame.columns) + " |"
    return [head, "|" + "---|" * len(frame.columns)] + ["| " + " | ".join(cell(x) for x in row) + " |"
                                                         for row in frame.itertuples(index=False)]


def markdown(test: Backtest) -> str:
    """docs/backtest.md's generated part."""
    lines = [sentence(test), "", *CAVEATS, "", "### By family (clean outcomes)", "", *_md_table(summary_table(test)),
             "", "### The headline skill with each family left out", "", *_md_table(leave_one_out(test)), "",
             "### Each forecast over the clean outcomes", "", *_md_table(forecasts_table(test.overall())), "",
             "### Clean outcomes (the headline)", "", *_md_table(figures_table(test, True)), "",
             "### Scored, but not clean outcomes (left out of the headline)", "",
             *_md_table(figures_table(test, False)), "",
             "### Fitted inputs (listed, not scored)", "", *_md_table(fitted_table(test))]
    return "\n".join(lines) + "\n"


__all__ = ["CAVEATS", "chart_frame", "console", "edge", "figures_table", "fitted_table", "forecasts_table",
           "leave_one_out", "markdown", "sentence", "skill_sentence", "skill_words", "summary", "summary_table",
           "verdict"]
