"""The sections of a run's comparison page, each a function of the run's figures, scenarios and jobs."""


from __future__ import annotations

import html
import math
from datetime import date

import pandas as pd

from econ import charts, data, findings, report, story, words
from econ.notebook import RUN_WIDE, RUN_WIDE_FOLDER
from econ.report.bundle import chart_html, stamped
from econ.report.figures import differing_assumptions, metric_label, short_title
from econ.scenario import Scenario

esc = html.escape

def _failure_section(jobs: list) -> str:
    failed = [j for j in jobs if j.status != "ok"]
    if not failed:
        return ""
    rows = []
    for j in failed:
        e = j.error or {}
        cell = "" if e.get("cell") is None else str(e.get("cell"))
        rows.append(f"<tr><td class='text'><code>{esc(j.scenario)}</code></td><td class='text'>"
                    f"<a href='{esc(j.report)}'>{esc(j.notebook)}</a></td><td>{esc(cell)}</td>"
                    f"<td class='text failed'>{esc(str(e.get('name', '')))}</td>"
                    f"<td class='text'>{esc(str(e.get('message', ''))[:600])}</td></tr>")
    return (f"<h2 id='failures' class='failed'>Failures ({len(failed)})</h2>"
            "<p>These notebooks did not finish; their metrics are missing below. The cell is its position "
            "in the notebook, counting from 1; each report shows the failing cell and its traceback.</p>"
            "<table><tr><th>scenario</th><th class='text'>notebook</th><th>cell</th>"
            f"<th class='text'>error</th><th class='text'>message</th></tr>{''.join(rows)}</table>")


def _sources_section(manifest: dict) -> str:
    hashes = manifest.get("data_sha256", {})
    try:
        entries = data.manifest()
        files = "".join(f"<tr><td><code>{esc(name)}</code></td><td class='text'>{esc(str(e.get('title', '')))}</td>"
                        f"<td class='text'><code>{esc(hashes.get(name, '')[:16])}</code></td></tr>"
                        for name, e in entries.items())
        src = data.sources()
        sources = "".join(
            f"<tr><td class='text'>{esc(str(r.title))}</td><td class='text'>{esc(str(r.publisher))}</td>"
            f"<td class='text'>{esc(str(r.date))}</td><td class='text'>{esc(str(r.address))}</td></tr>"
            for r in src.itertuples())
    except Exception as e:
        return ("<h2 id='data'>Data sources: the data behind the models</h2>"
                "<p class='failed'>Could not read the data manifest: "
                f"{esc(str(e))}</p>")
    return ("<h2 id='data'>Data sources: the data behind the models</h2>"
            "<p>The files every notebook read, with the first 16 hex digits of "
            "their SHA-256 (manifest.json has them in full).</p>"
            "<div class='scroll'><table><tr><th>file</th><th class='text'>title</th><th class='text'>sha256</th></tr>"
            f"{files}</table></div>"
            "<details><summary>Sources cited by the data files</summary><div class='scroll'><table><tr><th>title</th>"
            f"<th class='text'>publisher</th><th class='text'>date</th><th class='text'>address</th></tr>{sources}"
            "</table></div></details>")


def _latest_section(run_id: str, manifest: dict) -> str:
    """Whether this run became outputs/latest when it finished, and why."""
    latest = manifest.get("latest")
    if not latest:
        return ""
    reason = esc(str(latest.get("reason", "")))
    if latest.get("moved"):
        return f"<p id='latest'>When it finished, this run became <code>outputs/latest</code>: {reason}.</p>"
    previous = latest.get("previous")
    still = (f"it still points to <a href='../{esc(previous)}/index.html'>{esc(previous)}</a>" if previous
             else "no run has become latest yet")
    if not manifest.get("summary", {}).get("failed"):  # a partial run: nothing to rerun
        return (f"<p id='latest' class='econ-note'>This run did not become <code>outputs/latest</code>: {reason}; "
                f"{still}.</p>")
    return (f"<p id='latest' class='failed'>This run did not become <code>outputs/latest</code>: {reason}; {still}. "
            f"To rerun only what failed: <code>econ run --resume {esc(run_id)}</code>.</p>")




def _value_cell(p50, p05, p95, unit, href: str = "", inline: bool = False, label: str = "",
                inherited: str = "") -> str:
    """One figure's cell: the median (linked to its page) and its p05-p95. ``label``: the column's name,
    shown beside the number when a phone stacks the row; ``inherited``: the parent scenario whose value
    this is, unchanged (the cell says so)."""
    data = f" data-label='{esc(label)}'" if label else ""
    if p50 is None or (isinstance(p50, float) and math.isnan(p50)):
        return f"<td class='muted'{data}>&ndash;</td>"
    iv = findings.interval(p05, p95, unit)
    number = esc(findings.shown(p50, unit))
    number = f"<a href='{esc(href)}'>{number}</a>" if href else number
    between = " " if inline else "<br>"
    mark = (f" class='econ-inherited' title='The same as under {esc(inherited)}, which this scenario builds on'"
            if inherited else "")
    return (f"<td{mark}{data}><span class='econ-number'>{number}</span>"
            + (f"{between}<span class='interval'>{esc(iv)}</span>" if iv else "") + "</td>")


def _parent(scn: Scenario | None, names: list[str]) -> str | None:
    """The scenario of this run that ``scn`` builds on (its first parent shown), if any."""
    parents = (scn.inherits,) if scn is not None and isinstance(scn.inherits, str) else tuple(
        (scn.inherits or ()) if scn is not None else ())
    return next((p for p in parents if p in names), None)


def _same(a, b, unit: str) -> bool:
    """Two figures a reader cannot tell apart: the same rounded median and p05-p95."""
    return (a is not None and b is not None and findings.shown(a.median, unit) == findings.shown(b.median, unit)
            and findings.interval(a.p05, a.p95, unit) == findings.interval(b.p05, b.p95, unit))


def _anchors(shown: list[str]) -> str:
    """Published figures of the same concept as a headline column (econ.anchors), each with who
    published it and what kind of figure it is: the reader's anchors, never fitted."""
    from econ import anchors

    found = []
    for m in shown:
        for a in anchors.of(m):
            found.append(f"{esc(findings.SHORT.get(m, metric_label(m)[0]))}: {esc(a.named(findings.shown))}, "
                         f"{esc(anchors.KIND.get(a.kind, a.kind))}")
    return ("<p class='econ-footnote'><b>Published figures of the same concept:</b> " + "; ".join(found) + ".</p>"
            if found else "")


def _headline_section(head: pd.DataFrame, names: list[str], scenarios: dict[str, Scenario], jobs: list) -> str:
    """The headline figures of every scenario (rows, grouped by the story) as numbers with intervals,
    then one sentence per figure."""
    shown = [m for m in findings.HEADLINE if m in set(head["metric"])]
    if not shown:
        return ("<h2 id='headline'>Headline figures</h2><p class='econ-note'>No notebook of this run reported the "
                "headline figures (see the failures and the results by notebook below).</p>")
    values = {(r.metric, r.scenario): r for r in head.itertuples()}
    reports = {(j.scenario, j.notebook): j.report for j in jobs if j.status == "ok"}
    where = {}  # the notebook that reports each figure
    for metric in shown:
        nb = head.loc[head["metric"] == metric, "notebook"]
        where[metric] = nb.iloc[0] if len(nb) else None
    cols = "".join(
        f"<th title='{esc(metric_label(m)[0])}' data-metric='{esc(m)}'>{esc(findings.SHORT.get(m, metric_label(m)[0]))}"
        f"<br><span class='econ-unit'>{esc(findings.unit_words(metric_label(m)[1]) or '%')}</span></th>"
        for m in shown)
    body = []
    for group in story.groups(names):
        body.append(f"<tr class='econ-group'><th colspan='{len(shown) + 1}' class='text'>{esc(group.title)}"
                    f" <span class='muted'>&mdash; {esc(group.asks)}</span></th></tr>")
        for name in group.scenarios:
            scn = scenarios.get(name)
            parent = _parent(scn, names)
            cells = []
            for m in shown:
                r = values.get((m, name))
                unit = metric_label(m)[1]
                href = reports.get((name, where[m]), "")
                same = parent is not None and _same(r, values.get((m, parent)), unit)
                words_unit = findings.unit_words(unit).split(",")[0]
                column = findings.SHORT.get(m, metric_label(m)[0]) + (f" ({words_unit})" if words_unit else "")
                cells.append(_value_cell(r.median, r.p05, r.p95, unit, href, label=column,
                                         inherited=short_title(scenarios.get(parent), parent) if same else "")
                             if r is not None else f"<td class='muted' data-label='{esc(column)}'>&ndash;</td>")
            body.append(f"<tr><td class='text econ-scenario' title='{esc(scn.title if scn else name)}'>"
                        f"{esc(short_title(scn, name))}</td>{''.join(cells)}</tr>")
    csv = findings.csv_link(findings.reader_frame(head), "headline-figures.csv", "Download these figures (CSV)")
    sentences = []
    for m in shown:
        label, unit = metric_label(m)
        rows = [(short_title(scenarios.get(n), n), values[(m, n)].median, values[(m, n)].p05, values[(m, n)].p95)
                for n in names if (m, n) in values]
        sentences.append(f"<li>{esc(findings.compare(label, unit, rows))}</li>")
    return ("<h2 id='headline'>Headline figures</h2>"
            "<div class='scroll'><table class='econ-headline'><thead><tr><th class='text'>Scenario</th>"
            f"{cols}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
            "<p class='muted econ-footnote'>Median of each scenario's Monte Carlo draws; beside it, the range nine "
            "draws in ten fall in (p05&ndash;p95). Each number links to the page it comes from. "
            "<span class='econ-inherited'>Grey</span>: the same as the scenario this one builds on (inherited, unchanged). "
            "Gross rip-and-replace is the whole swap; added is what the ban adds over replacing the kit when it "
            f"wears out. {csv}</p>" + _anchors(shown)
            + f"<h2 id='in-words'>In words</h2><ul class='econ-sentences'>{''.join(sentences)}</ul>")


def _backtest_section(found: pd.DataFrame) -> str:
    """How the model compares with what happened: the back-test's skill sentence first, then its
    coverage and width on clean outcomes, with a link to every figure."""
    from econ.backtest.text import skill_sentence

    rows = found[found["notebook"] == "05_backtest"]
    if rows.empty:
        return ""
    scenario = rows["scenario"].iloc[0]  # the run's one back-test (folder _run)
    mine = rows[rows["scenario"] == scenario].set_index("metric")
    need = {"backtest_scored", "backtest_skill_persistence", "backtest_skill_trend", "backtest_inside_share",
            "backtest_coverage_50_model", "backtest_width_90_model", "backtest_not_clean"}
    if not need <= set(mine.index):
        return ""
    m, skill = mine["median"], mine.loc["backtest_skill_persistence"]
    opening = skill_sentence(m["backtest_scored"], skill["median"], skill["p05"], skill["p95"], m["backtest_skill_trend"])
    href = f"{esc(scenario)}/05_backtest/05_backtest.html"
    return ("<h2 id='backtest'>How the model compares with what happened</h2>"
            f"<p><strong>{esc(opening)}</strong> {100 * m['backtest_inside_share']:.0f}% of those outcomes lie "
            "inside the model's 90% interval "
            f"and {100 * m['backtest_coverage_50_model']:.0f}% inside its 50% interval; its p95 is typically "
            f"{m['backtest_width_90_model']:.2f} times its p05. Clean outcomes are published figures the model was "
            f"neither fitted to, seeded from nor set by; {m['backtest_not_clean']:.0f} other figures (estimates, plans, "
            "and outcomes the model has seen) are shown but not counted. Persistence carries 2019 forward (from the "
            "model's 2019 base year where no 2019 figure is published); both naive forecasts take their intervals "
            f"from the years before 2020, while the model is also given what happened. <a href='{href}'>Every figure, "
            "each forecast and the misses</a>.</p>")


def _timeline_section() -> tuple[str, int]:
    """What happened, 2018-2024, and the deadlines already set: the events behind the scenarios."""
    from econ import timeline

    themes = list(timeline.THEMES)
    frame = timeline.table(themes)
    spec = charts.timeline(frame, "the workbook's timeline of sourced events", themes).to_dict()
    return ("<h2 id='timeline'>What happened: the events behind the scenarios</h2>"
            f"<p>{len(frame)} dated events, each with its source (hover over a dot); the scenarios above put "
            "them together, and the scenario “What happened, 2020-2024” takes them as they happened.</p>"
            + chart_html(spec, "econ-index-timeline", name="events-timeline")), 1


def _multiples_section(head: pd.DataFrame, names: list[str], scenarios: dict[str, Scenario]) -> tuple[str, int]:
    shown = [m for m in findings.HEADLINE if m in set(head["metric"])]
    if not shown:
        return "", 0
    frame = head.assign(scenario_title=head["scenario"].map(lambda n: short_title(scenarios.get(n), n)))
    figures = [(m, findings.SHORT.get(m, metric_label(m)[0]), metric_label(m)[1]) for m in shown]
    order = [short_title(scenarios.get(n), n) for n in names]
    spec = charts.headline_multiples(frame, figures, order).to_dict()
    return ("<h2 id='chart'>The headline figures across scenarios</h2>"
            + chart_html(stamped(spec, f"All scenarios of this run \u00b7 made {date.today().isoformat()}"),
                         "econ-index-chart-1", name="headline-figures-by-scenario")), 1


def _scenario_section(scenarios: dict[str, Scenario], jobs: list, names: list[str]) -> str:
    by_scenario: dict[str, list] = {}
    for job in jobs:
        by_scenario.setdefault(job.scenario, []).append(job)
    titles = {}
    for j in jobs:
        titles.setdefault(j.notebook, report.notebook_title(j.notebook_path))
    rows = []
    for group in story.groups(names):
        rows.append(f"<tr class='econ-group'><th colspan='3' class='text'>{esc(group.title)}</th></tr>")
        for name in group.scenarios:
            scn = scenarios.get(name)
            links = "<br>".join(
                f'<a href="{esc(j.report)}">{esc(titles[j.notebook])}</a>'
                + ("" if j.status == "ok" else ' <span class="failed">(failed)</span>')
                for j in by_scenario.get(name, []) + by_scenario.get(RUN_WIDE_FOLDER, []))
            parents = (() if not scn or not scn.inherits else
                       (scn.inherits,) if isinstance(scn.inherits, str) else tuple(scn.inherits))
            inherits = ("<br><span class='muted'>builds on "
                        + ", ".join(esc(short_title(scenarios.get(p), p)) for p in parents) + "</span>" if parents else "")
            title = esc(scn.title) if scn else esc(name)
            text = esc(" ".join(scn.description.split())) if scn else ""
            rows.append(f"<tr><td class='text'><b>{title}</b><br><span class='muted'>run as <code>{esc(name)}</code>"
                        f"</span>{inherits}</td><td class='text econ-prose'>{text}</td><td class='text'>{links}</td></tr>")
    return ("<h2 id='scenarios'>The scenarios</h2><div class='scroll'><table class='econ-table econ-scenarios'><thead><tr>"
            "<th class='text'>Scenario</th><th class='text'>What it assumes</th><th class='text'>Pages</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def _results_section(found: pd.DataFrame, scenarios: dict[str, Scenario], names: list[str], jobs: list) -> str:
    """Every notebook's figures across scenarios, one folded table per notebook, labelled from their records."""
    notebooks = list(dict.fromkeys(j.notebook for j in sorted(jobs, key=lambda j: j.notebook)))
    status = {(j.scenario, j.notebook): j for j in jobs}
    titles = {}
    for j in jobs:
        titles.setdefault(j.notebook, report.notebook_title(j.notebook_path))
    parts = []
    for nb in notebooks:
        part = found[found["notebook"] == nb]
        if part.empty:
            parts.append(f"<h3 id='nb-{esc(nb)}'>{esc(titles[nb])}</h3><p class='muted'>No results (see failures).</p>")
            continue
        columns = [RUN_WIDE_FOLDER] if nb in RUN_WIDE else names  # a run-wide page: one column for the run

        def heading(s):
            return "All scenarios" if s == RUN_WIDE_FOLDER else short_title(scenarios.get(s), s)

        head = "".join(f"<th><a href='{esc(status[(s, nb)].report)}'>{esc(heading(s))}</a></th>"
                       if (s, nb) in status else f"<th>{esc(heading(s))}</th>" for s in columns)
        rows = []
        for _, by_metric in part.groupby("metric", sort=False):
            label, unit = by_metric["label"].iloc[0], by_metric["unit"].iloc[0]
            cells = {r["scenario"]: r for _, r in by_metric.iterrows()}
            tds = "".join(_value_cell(cells[s]["median"], cells[s]["p05"], cells[s]["p95"], unit) if s in cells else
                          ("<td class='failed'>failed</td>" if status.get((s, nb)) and status[(s, nb)].status != "ok"
                           else "<td></td>") for s in columns)
            rows.append(f"<tr><td class='text'>{esc(label)}</td><td class='text muted'>{esc(unit)}</td>{tds}</tr>")
        parts.append(f"<details class='econ-more' id='nb-{esc(nb)}'><summary>{esc(titles[nb])}: {len(rows)} figures"
                     "</summary><div class='scroll'><table class='econ-table'><thead><tr><th class='text'>Figure</th>"
                     f"<th class='text'>Unit</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div></details>")
    return ("<h2 id='results'>Every figure, by page</h2><p>Each page's figures across the scenarios: median, and under "
            "it the p05&ndash;p95 range (a number alone has no uncertainty). Column headers link to the page.</p>"
            + "".join(parts))


def _assumptions_section(scenarios: dict[str, Scenario], names: list[str]) -> str:
    try:
        table = differing_assumptions({n: scenarios[n] for n in names if n in scenarios})
    except Exception as e:  # never lose the page over one table
        return f"<h2 id='assumptions'>Assumptions that differ</h2><p class='failed'>{esc(str(e))}</p>"
    if len(scenarios) < 2:
        note = "<p class='muted'>One scenario: its overview page lists every assumption.</p>"
        return f"<h2 id='assumptions'>Assumptions that differ</h2>{note}"
    if table.empty:
        return "<h2 id='assumptions'>Assumptions that differ</h2><p>None: the scenarios assume the same.</p>"
    shown = [n for n in names if n in table.columns]
    head = "".join(f"<th class='text'>{esc(short_title(scenarios.get(s), s))}</th>" for s in shown)
    def name(p):
        return "Seed of the draws" if p == "seed" else words.parameter_label(str(p))

    rows = "".join(
        f"<tr><td class='text'>{esc(name(r['parameter']))}</td><td class='text muted'>{esc(str(r['unit']))}</td>"
        + "".join(f"<td class='text'>{esc(words.value_words(str(r[s])))}</td>" for s in shown) + "</tr>"
        for _, r in table.iterrows())
    return ("<h2 id='assumptions'>Assumptions that differ between scenarios</h2>"
            "<p>Only the assumptions whose value is not the same in every scenario; each overview page has the full "
            "table with where each value was set.</p><div class='scroll'><table class='econ-table'><thead><tr>"
            f"<th class='text'>Assumption</th><th class='text'>Unit</th>{head}</tr></thead><tbody>{rows}</tbody>"
            "</table></div>")


def _differences_section(diffs: pd.DataFrame, names: list[str], scenarios: dict[str, Scenario]) -> str:
    """What each scenario changes against the scenario it builds on (its first parent; the baseline for
    a scenario with none): the headline figures' paired differences, with ranges and how often above zero."""
    from econ import effects

    if diffs.empty:
        return ""
    shown = [m for m in findings.HEADLINE if m in set(diffs["metric"])]
    head = "".join(f"<th title='{esc(metric_label(m)[0])}'>{esc(findings.SHORT.get(m, metric_label(m)[0]))}</th>"
                   for m in shown)
    rows = []
    for name in names:
        mine = diffs[diffs["scenario"] == name]
        if mine.empty:
            continue
        reference = mine["reference"].iloc[0]  # the first parent, else the baseline
        cells = mine[mine["reference"] == reference].set_index("metric")
        tds = []
        for m in shown:
            if m not in cells.index:
                tds.append("<td></td>")
                continue
            r = cells.loc[m]
            if effects.no_change(r):
                tds.append("<td class='muted'>no change</td>")
                continue
            tds.append(f"<td><span class='econ-number'>{esc(effects.shown(r['median'], r['unit']))}</span>"
                       f"<br><span class='interval'>{esc(effects.shown(r['p05'], r['unit']))} to "
                       f"{esc(effects.shown(r['p95'], r['unit']))}</span><br><span class='muted'>above zero in "
                       f"{100 * r['prob_positive']:.0f}%</span></td>")
        title = short_title(scenarios.get(name), name)
        rows.append(f"<tr><td class='text econ-scenario'>{esc(title)}<br><span class='muted'>against "
                    f"{esc(str(cells['reference_title'].iloc[0]))}</span></td>{''.join(tds)}</tr>")
    return ("<h2 id='differences'>What each scenario changes</h2><p>Each scenario's headline figures minus those of "
            "the scenario it builds on, draw by draw over the same random draws: the range (p05 to p95) is the "
            "uncertainty of the difference itself, and “above zero in” how often the scenario's figure is the "
            "higher. Shares differ in percentage points. Every figure against every reference is in "
            "<a href='differences.csv'>differences.csv</a>.</p><div class='scroll'><table class='econ-table "
            f"econ-differences'><thead><tr><th class='text'>Scenario</th>{head}</tr></thead><tbody>{''.join(rows)}"
            "</tbody></table></div>")
