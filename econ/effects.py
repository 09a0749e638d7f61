"""What a scenario changes, as a reader reads it: each figure's paired difference from a reference
scenario (:mod:`econ.model.differences`), with its range and how often it is above zero, in a table
and in sentences; the same table ``econ compare A B`` prints.

A difference of shares is in percentage points; any other difference is in its figure's unit.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd

from econ import findings
from econ.model import differences
from econ.model.differences import Difference
from econ.scenario import Scenario

#: The columns a reader's table of differences has (the CSV keeps the records' names).
SHOWN = ("figure", "reference", "difference", "p05-p95", "above zero in", "unit")


def _is_share(unit: str) -> bool:
    return unit.startswith(("share", "fraction")) or unit == "probability"


#: Below this size a difference of money (bn), thousands or ranks is Monte Carlo noise to a reader (5
#: million, 5 base stations): it is written 0, not -0.00050.
NEGLIGIBLE = 0.005


def shown(value: float, unit: str) -> str:
    """A difference with its sign: "+2.6 pp" for shares, "-43 USD bn" as the figure's unit words; a
    difference below (:data:`NEGLIGIBLE`; 0.05 pp for shares) is 0."""
    if value is None or pd.isna(value):
        return "n/a"
    if _is_share(unit):
        return "0 pp" if abs(100 * value) < 0.05 else f"{100 * value:+.1f} pp"
    if abs(value) < NEGLIGIBLE:
        return "0"
    text = findings.rounded(abs(value))
    return "0" if text == "0" else f"{'+' if value > 0 else '-'}{text}"


def no_change(d) -> bool:
    """Whether a difference is zero to a reader in nine draws out of ten (its median, p05 and p95 all show 0).
    ``d`` is a :class:`Difference` or a row of differences.csv (a mapping with the same keys)."""
    get = d.__getitem__ if isinstance(d, pd.Series | dict) else d.__getattribute__
    return all(shown(get(k), get("unit")) in ("0", "0 pp") for k in ("median", "p05", "p95"))


def unit_of(unit: str) -> str:
    return "percentage points" if _is_share(unit) else unit


def sentence(d: Difference, reference_title: str) -> str:
    """One sentence from the numbers: how much higher or lower, the range, and how sure."""
    if no_change(d):
        return f"{d.label}: the same as under {reference_title} in nine draws out of ten or more."
    if shown(d.median, d.unit) in ("0", "0 pp"):
        return (f"{d.label}: about the same as under {reference_title} at the median (from {shown(d.p05, d.unit)} "
                f"to {shown(d.p95, d.unit)} in nine draws out of ten; higher in {100 * d.prob_positive:.0f}%, lower "
                f"in {100 * d.prob_negative:.0f}% of draws).")
    direction = "higher" if d.median > 0 else "lower"
    size = shown(abs(d.median), d.unit).lstrip("+")
    main, _, qualifier = ("", "", "") if _is_share(d.unit) else findings.unit_words(d.unit).partition(", ")
    sure = d.prob_positive if d.median > 0 else d.prob_negative
    return (f"{d.label}: {size}{' ' + main if main else ''} {direction} than under {reference_title} "
            f"({qualifier + '; ' if qualifier else ''}from {shown(d.p05, d.unit)} to {shown(d.p95, d.unit)} in nine "
            f"draws out of ten; {direction} in {100 * sure:.0f}% of draws).")


def sentences(diffs: Iterable[Difference]) -> list[str]:
    """One sentence per figure that moves against its reference; the figures that do not move, one
    sentence per reference (a list of "the same as" lines reads as noise)."""
    out, same = [], {}
    for d in diffs:
        title = d.reference_title or d.reference
        if no_change(d):
            same.setdefault(title, []).append(d.label)
        else:
            out.append(sentence(d, title))
    for title, labels in same.items():
        out.append(f"The same as under {title} in nine draws out of ten or more: {'; '.join(labels)}.")
    return out


def frame(diffs: Iterable[Difference]) -> pd.DataFrame:
    """A reader's table: one row per figure and reference, in the order given."""
    rows = [{"figure": d.label, "reference": d.reference_title or d.reference, "difference": shown(d.median, d.unit),
             "p05-p95": f"{shown(d.p05, d.unit)} to {shown(d.p95, d.unit)}",
             "above zero in": f"{100 * d.prob_positive:.0f}% of draws", "unit": unit_of(d.unit)} for d in diffs]
    return pd.DataFrame(rows, columns=list(SHOWN))


def headline(diffs: Iterable[Difference], metrics: Iterable[str] | None = None) -> list[Difference]:
    """The differences of the headline figures (the comparison page's; or of ``metrics``), in that order."""
    diffs = list(diffs)
    rank = {m: i for i, m in enumerate(findings.HEADLINE if metrics is None else metrics)}
    order = {r: i for i, r in enumerate(dict.fromkeys(d.reference for d in diffs))}
    return sorted((d for d in diffs if d.metric in rank), key=lambda d: (order[d.reference], rank[d.metric]))


class Effects:
    """The differences a scenario makes against its references, for the top of a page: one sentence per
    headline figure and reference, the table, and a link that saves every figure's difference."""

    def __init__(self, diffs: list[Difference], title: str = "Compared with the scenarios it builds on",
                 metrics: Iterable[str] | None = None):
        self.diffs, self.title = list(diffs), title
        self.metrics = None if metrics is None else list(metrics)

    def _repr_html_(self) -> str:
        esc = html.escape
        shown_diffs = headline(self.diffs, self.metrics)
        if not shown_diffs:
            return (f'<h2 id="compared">{esc(self.title)}</h2><p class="econ-note">No reference to compare with '
                    "(this is the baseline, or no headline figure has draws).</p>")
        items = "".join(f"<li>{esc(line)}</li>" for line in sentences(shown_diffs))
        table = frame(shown_diffs)
        head = "".join(f"<th class='text'>{esc(c)}</th>" for c in table.columns)
        body = "".join("<tr>" + "".join(f"<td class='text'>{esc(str(v))}</td>" for v in row) + "</tr>"
                       for row in table.itertuples(index=False))
        records = pd.DataFrame([d.record() for d in self.diffs])
        return (f'<div class="econ-effects"><h2 id="compared">{esc(self.title)}</h2>'
                f"<p>Each {'headline' if self.metrics is None else 'lead'} figure of this scenario minus the same "
                "figure of the scenario it builds on (and of "
                "the baseline), draw by draw over the same random draws: the range is the uncertainty of the "
                f"difference itself.</p><ul class='econ-sentences'>{items}</ul>"
                f"<details class='econ-more'><summary>Every {'headline' if self.metrics is None else 'lead'} figure "
                f"against each reference ({len(table)} rows)</summary><div class='scroll'><table class='econ-table'>"
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></details>"
                "<p class='muted econ-footnote'>"
                f"{findings.csv_link(records, 'differences.csv', 'Download every figure’s difference (CSV)')}</p></div>")

    def __repr__(self) -> str:
        return "\n".join(sentences(headline(self.diffs, self.metrics)))


def of_page(scenario: Scenario, draws: int, stages: Iterable[str]) -> Effects:
    """What ``scenario`` changes in a page's lead figures (those of ``stages``) against each of its
    references, over at most :data:`~econ.model.differences.DRAWS` common draws: the opening of a
    scenario's notebook page, after its findings."""
    stages = list(stages)
    diffs = differences.against_references(scenario, min(draws, differences.DRAWS), stages)
    return Effects(diffs, metrics=findings.lead_of(stages))


__all__ = ["Effects", "frame", "headline", "of_page", "sentence", "sentences", "shown"]
