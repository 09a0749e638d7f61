"""The scenario-comparison page of a run (``index.html``) and the files beside it.

Findings first: the page opens with, for every scenario in story order (data/story.yaml), the
headline figures (:data:`econ.findings.HEADLINE`) as labelled numbers with their p05-p95 and
units, one sentence per figure generated from the numbers, and one small-multiples chart of those
figures across scenarios; then a what-if panel (:mod:`econ.whatif`); then the details: each
notebook's metrics across scenarios (a metric ``NAME`` is grouped with ``NAME_p05`` and
``NAME_p95``; ``NAME_p50`` stands for the median when there is no ``NAME``), the assumptions that
differ between scenarios, the data the models stand on (with hashes), and every failure, each
linking to its report. Labels and units come from the metric declarations; the names stay in the
files (metrics.csv, the IAMC file). Like every report, it is one self-contained file: the Vega
JavaScript is inlined once and nothing is fetched. Scenario names, titles and descriptions are
escaped wherever they appear.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import pandas as pd

from econ import charts, data, files, findings, iamc, report, story, words
from econ.model import world
from econ.notebook import RUN_WIDE, RUN_WIDE_FOLDER, assumptions
from econ.report import chart_html, page
from econ.scenario import Scenario

_BOUNDS = ("_p05", "_p50", "_p95")

esc = html.escape


def metrics_frame(run_dir: Path, jobs: list) -> pd.DataFrame:
    """Every metric of every successful job: notebook, scenario, metric, value (tidy)."""
    rows = []
    for job in jobs:
        path = Path(run_dir) / job.folder / "results.json"
        if job.status != "ok" or not path.exists():
            continue
        try:
            metrics = json.loads(path.read_text(encoding="utf-8"))["metrics"]
        except (ValueError, KeyError, TypeError):
            continue
        rows += [{"notebook": job.notebook, "scenario": job.scenario, "metric": name, "value": float(value)}
                 for name, value in metrics.items() if isinstance(value, int | float) and not isinstance(value, bool)]
    return pd.DataFrame(rows, columns=["notebook", "scenario", "metric", "value"])


def metric_groups(names) -> dict[str, dict[str, str]]:
    """Group metric names: {group: {"p50": name, "p05": name, "p95": name}} (p05/p95 only when both exist).

    ``loss``, ``loss_p05``, ``loss_p95`` form the group ``loss``; so do ``loss_p50``, ``loss_p05``,
    ``loss_p95``. Any other name is a group of its own.
    """
    names = set(names)
    groups: dict[str, dict[str, str]] = {}
    taken: set[str] = set()
    for name in sorted(names):
        if name in taken:
            continue
        base = name[:-4] if name.endswith(_BOUNDS) else name
        centre = base if base in names else (f"{base}_p50" if f"{base}_p50" in names else None)
        lo, hi = f"{base}_p05", f"{base}_p95"
        if centre and lo in names and hi in names:
            groups[base] = {"p50": centre, "p05": lo, "p95": hi}
            taken |= {centre, lo, hi}
        else:
            groups[name] = {"p50": name}
            taken.add(name)
    return dict(sorted(groups.items()))


def intervals(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per notebook, metric group and scenario: p05, p50, p95 (p05/p95 NaN for point values)."""
    rows = []
    for notebook, part in frame.groupby("notebook", sort=True):
        values = part.set_index(["scenario", "metric"])["value"]
        for group, members in metric_groups(part["metric"].unique()).items():
            for scenario in part["scenario"].unique():
                row = {"notebook": notebook, "metric": group, "scenario": scenario}
                for key in ("p05", "p50", "p95"):
                    row[key] = values.get((scenario, members[key]), math.nan) if key in members else math.nan
                if not math.isnan(row["p50"]):
                    rows.append(row)
    return pd.DataFrame(rows, columns=["notebook", "metric", "scenario", "p05", "p50", "p95"])


def differing_assumptions(scenarios: dict[str, Scenario]) -> pd.DataFrame:
    """The assumptions whose value differs between scenarios: parameter, unit, then one column each."""
    if not scenarios:
        return pd.DataFrame(columns=["parameter", "unit"])
    tables = {name: assumptions(s).set_index("parameter") for name, s in scenarios.items()}
    first = next(iter(tables.values()))
    frame = pd.DataFrame({name: t["value"] for name, t in tables.items()})
    frame.loc["seed"] = [str(s.seed) for s in scenarios.values()]
    differs = frame.nunique(axis=1) > 1
    out = frame[differs].copy()
    out.insert(0, "unit", [first["unit"].get(p, "") if p in first.index else "" for p in out.index])
    return out.rename_axis("parameter").reset_index()


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
            f"<table><tr><th>file</th><th class='text'>title</th><th class='text'>sha256</th></tr>{files}</table>"
            "<details><summary>Sources cited by the data files</summary><table><tr><th>title</th>"
            f"<th class='text'>publisher</th><th class='text'>date</th><th class='text'>address</th></tr>{sources}"
            "</table></details>")


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
    return (f"<p id='latest' class='failed'>This run did not become <code>outputs/latest</code>: {reason}; {still}. "
            f"To rerun only what failed: <code>econ run --resume {esc(run_id)}</code>.</p>")


def short_title(scenario: Scenario | None, name: str) -> str:
    """A scenario's title up to its dash ("August 2020 rule"), for columns and chart axes."""
    return scenario.short_title if scenario is not None else name


def metric_label(name: str) -> tuple[str, str]:
    """(label, unit) of a results.json metric: from its declaration, else from its name in words."""
    declared = world.metrics_table()
    if name in declared:
        m = declared[name][1]
        return m.label, m.unit
    for prefix, lead in (("tornado_max_swing_", "Widest one-at-a-time swing of "),
                         ("sobol_max_total_index_", "Largest total Sobol index of ")):
        if name.startswith(prefix):
            inner, unit = metric_label(name[len(prefix):])
            return lead + inner[:1].lower() + inner[1:], unit if prefix.startswith("tornado") else "fraction"
    from econ.scenario import PARAMETER_NAMES, parameter_table

    if name in PARAMETER_NAMES:
        unit = next((r["unit"] for r in parameter_table() if r["name"] == name), "")
        return f"Assumption: {words.parameter_label(name)}", unit
    fixed = {"backtest_scored": ("Published figures scored", "figures"),
             "backtest_inside_share": ("Published figures inside the model's p05-p95", "share"),
             "backtest_median_abs_log_ratio": ("Typical distance of the model's median from the figure (log ratio)", ""),
             "uncertain_parameters": ("Uncertain assumptions", "count"),
             "covered_categories": ("Product categories the rule covers", "count")}
    return fixed.get(name, (words.label(name), ""))


def headline_frame(ranges: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """One row per scenario and headline figure: metric, scenario, p05, p50, p95 (the first notebook
    that reports it), in story order."""
    part = ranges[ranges["metric"].isin(findings.HEADLINE)].drop_duplicates(["metric", "scenario"])
    rank = {m: i for i, m in enumerate(findings.HEADLINE)}
    order = {n: i for i, n in enumerate(names)}
    part = part[part["scenario"].isin(order)].assign(r1=lambda f: f["metric"].map(rank),
                                                     r2=lambda f: f["scenario"].map(order))
    return part.sort_values(["r1", "r2"]).drop(columns=["r1", "r2"]).reset_index(drop=True)


def _value_cell(p50, p05, p95, unit, href: str = "", inline: bool = False) -> str:
    if p50 is None or (isinstance(p50, float) and math.isnan(p50)):
        return "<td class='muted'>&ndash;</td>"
    iv = findings.interval(p05, p95, unit)
    number = esc(findings.shown(p50, unit))
    number = f"<a href='{esc(href)}'>{number}</a>" if href else number
    between = " " if inline else "<br>"
    return (f"<td><span class='econ-number'>{number}</span>"
            + (f"{between}<span class='interval'>{esc(iv)}</span>" if iv else "") + "</td>")


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
            cells = []
            for m in shown:
                r = values.get((m, name))
                unit = metric_label(m)[1]
                href = reports.get((name, where[m]), "")
                cells.append(_value_cell(r.p50, r.p05, r.p95, unit, href, inline=True) if r is not None else
                             "<td class='muted'>&ndash;</td>")
            body.append(f"<tr><td class='text econ-scenario' title='{esc(scn.title if scn else name)}'>"
                        f"{esc(short_title(scn, name))}</td>{''.join(cells)}</tr>")
    csv = findings.csv_link(head, "headline-figures.csv", "Download these figures (CSV)")
    sentences = []
    for m in shown:
        label, unit = metric_label(m)
        rows = [(short_title(scenarios.get(n), n), values[(m, n)].p50, values[(m, n)].p05, values[(m, n)].p95)
                for n in names if (m, n) in values]
        sentences.append(f"<li>{esc(findings.compare(label, unit, rows))}</li>")
    return ("<h2 id='headline'>Headline figures</h2>"
            "<div class='scroll'><table class='econ-headline'><thead><tr><th class='text'>Scenario</th>"
            f"{cols}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
            "<p class='muted econ-footnote'>Median of each scenario's Monte Carlo draws; beside it, the range nine "
            "draws in ten fall in (p05&ndash;p95). Each number links to the page it comes from. "
            f"{csv}</p>"
            f"<h2 id='in-words'>In words</h2><ul class='econ-sentences'>{''.join(sentences)}</ul>")


def _backtest_section(metrics: pd.DataFrame) -> str:
    """How the model compares with what was published: the back-test notebook's verdict, with a link."""
    rows = metrics[(metrics["notebook"] == "05_backtest") & metrics["metric"].str.startswith("backtest_")]
    if rows.empty:
        return ""
    scenario = rows["scenario"].iloc[0]  # the run's one back-test (folder _run)
    m = rows[rows["scenario"] == scenario].set_index("metric")["value"]
    if not {"backtest_scored", "backtest_inside_share", "backtest_median_abs_log_ratio"} <= set(m.index):
        return ""
    typical = 100 * (math.exp(m["backtest_median_abs_log_ratio"]) - 1)
    href = f"{esc(scenario)}/05_backtest/05_backtest.html"
    return ("<h2 id='backtest'>How the model compares with what was published</h2>"
            f"<p>Of {m['backtest_scored']:.0f} published figures the model was not fitted to (vendor shares "
            "2020-2024, Huawei's revenue by business, S&amp;P's 2020 estimate, operators' capex, the UK and US "
            f"removal costs), <strong>{100 * m['backtest_inside_share']:.0f}%</strong> lie inside the model's "
            f"p05&ndash;p95 under the scenario that stands for each, and its median is typically {typical:.0f}% "
            f"from the figure. <a href='{href}'>Every figure, the verdict and the misses</a>.</p>")


def _timeline_section() -> tuple[str, int]:
    """What happened, 2018-2024, and the deadlines already set: the events behind the scenarios."""
    from econ import timeline

    themes = list(timeline.THEMES)
    frame = timeline.table(themes)
    spec = charts.timeline(frame, "the workbook's timeline of sourced events", themes).to_dict()
    return ("<h2 id='timeline'>What happened: the events behind the scenarios</h2>"
            f"<p>{len(frame)} dated events, each with its source (hover over a dot); the scenarios above put "
            "them together, and the scenario “What happened, 2020-2024” takes them as they happened.</p>"
            + chart_html(spec, "econ-index-timeline")), 1


def _multiples_section(head: pd.DataFrame, names: list[str], scenarios: dict[str, Scenario]) -> tuple[str, int]:
    shown = [m for m in findings.HEADLINE if m in set(head["metric"])]
    if not shown:
        return "", 0
    frame = head.assign(scenario_title=head["scenario"].map(lambda n: short_title(scenarios.get(n), n)))
    figures = [(m, findings.SHORT.get(m, metric_label(m)[0]), metric_label(m)[1]) for m in shown]
    order = [short_title(scenarios.get(n), n) for n in names]
    spec = charts.headline_multiples(frame, figures, order).to_dict()
    return ("<h2 id='chart'>The headline figures across scenarios</h2>" + chart_html(spec, "econ-index-chart-1")), 1


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


def _results_section(ranges: pd.DataFrame, scenarios: dict[str, Scenario], names: list[str], jobs: list) -> str:
    """Every notebook's metrics across scenarios, one folded table per notebook."""
    notebooks = list(dict.fromkeys(j.notebook for j in sorted(jobs, key=lambda j: j.notebook)))
    status = {(j.scenario, j.notebook): j for j in jobs}
    titles = {}
    for j in jobs:
        titles.setdefault(j.notebook, report.notebook_title(j.notebook_path))
    parts = []
    for nb in notebooks:
        part = ranges[ranges["notebook"] == nb]
        if part.empty:
            parts.append(f"<h3 id='nb-{esc(nb)}'>{esc(titles[nb])}</h3><p class='muted'>No results (see failures).</p>")
            continue
        columns = [RUN_WIDE_FOLDER] if nb in RUN_WIDE else names  # a run-wide page: one column for the run

        def heading(s):
            return "All scenarios" if s == RUN_WIDE_FOLDER else short_title(scenarios.get(s), s)

        head = "".join(f"<th><a href='{esc(status[(s, nb)].report)}'>{esc(heading(s))}</a></th>"
                       if (s, nb) in status else f"<th>{esc(heading(s))}</th>" for s in columns)
        rows = []
        for metric, by_metric in part.groupby("metric", sort=True):
            label, unit = metric_label(metric)
            cells = {r["scenario"]: r for _, r in by_metric.iterrows()}
            tds = "".join(_value_cell(cells[s]["p50"], cells[s]["p05"], cells[s]["p95"], unit) if s in cells else
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
        + "".join(f"<td class='text'>{esc(words.words(str(r[s])))}</td>" for s in shown) + "</tr>"
        for _, r in table.iterrows())
    return ("<h2 id='assumptions'>Assumptions that differ between scenarios</h2>"
            "<p>Only the assumptions whose value is not the same in every scenario; each overview page has the full "
            "table with where each value was set.</p><div class='scroll'><table class='econ-table'><thead><tr>"
            f"<th class='text'>Assumption</th><th class='text'>Unit</th>{head}</tr></thead><tbody>{rows}</tbody>"
            "</table></div>")


INDEX_CSS = """
.econ-headline { border-collapse: collapse; font-size: 0.92em; margin: 0.3em 0; }
.econ-headline th, .econ-headline td { border: none; border-bottom: 1px solid #e1e4e8; padding: 1px 8px;
  line-height: 1.15; }
.econ-headline .interval { font-size: 0.82em; }
.econ-headline tbody td { white-space: nowrap; }
h1 { margin: 0.2em 0 0.1em; }
.econ-headline thead th { vertical-align: bottom; font-size: 0.9em; max-width: 9.5em; text-align: right; }
.econ-headline tr.econ-group th { background: #f3f5f8; font-size: 0.85em; text-align: left; padding-top: 2px; }
.econ-headline td.econ-scenario { font-weight: bold; max-width: 16em; white-space: nowrap; }
.econ-unit { font-weight: normal; color: #666; } .econ-number { font-weight: bold; font-size: 1.05em; }
.econ-number a { color: #1f3b63; text-decoration: none; } .econ-number a:hover { text-decoration: underline; }
.econ-sentences { margin: 0.3em 0; padding-left: 1.2em; font-size: 0.95em; max-width: 70em; }
.econ-sentences li { margin: 0.15em 0; } .econ-lede { font-size: 1.05em; margin: 0.2em 0 0.4em; max-width: 60em; }
.econ-scenarios td.econ-prose { max-width: 40em; }
tr.econ-group th { background: #f3f5f8; }
"""


def index_html(run_id: str, jobs: list, scenarios: dict[str, Scenario], manifest: dict, metrics: pd.DataFrame,
               whatif: str = "") -> str:
    """The run's front page: findings first, then the details."""
    names = story.ordered(list(scenarios) or sorted({j.scenario for j in jobs}))
    ranges = intervals(metrics)
    head = headline_frame(ranges, names)
    multiples, chart_count = _multiples_section(head, names, scenarios)
    chart_count += whatif.count('class="econ-chart"')
    events, count = _timeline_section()
    chart_count += count
    summary = manifest.get("summary", {})
    git = manifest.get("git", {})
    versions = manifest.get("versions", {})
    options = manifest.get("options", {})
    failed = summary.get("failed", 0)
    overrides = options.get("overrides") or {}
    lede = (f"<p class='econ-lede'>What did the 2020 US export rules on Huawei cost, and whom? {len(names)} scenario"
            f"{'s' if len(names) != 1 else ''} of the workbook's linked model, each run over its own Monte Carlo "
            "draws.</p>")
    warning = ""
    if failed:
        warning += (f"<p class='econ-note failed'><a class='failed' href='#failures'>{failed} notebook run"
                    f"{'s' if failed != 1 else ''} failed</a>: their figures are missing below.</p>")
    warning += report.overrides_note(overrides)
    meta = (f"<p>Run <code>{esc(run_id)}</code>, finished {esc(str(manifest.get('finished', '')).replace('T', ' '))}: "
            f"{summary.get('notebook_runs', len(jobs))} notebook runs ({len(names)} scenarios), "
            f"{summary.get('ok', 0)} ok, " + (f"<a class='failed' href='#failures'>{failed} failed</a>" if failed
                                              else "0 failed")
            + f", {summary.get('reused', 0)} reused from an earlier run. econ {esc(str(versions.get('econ', '')))}, "
            f"commit <code>{esc(str(git.get('commit', ''))[:12])}</code>"
            f"{' (with local changes)' if git.get('dirty') else ''}.</p>"
            "<ul><li><a href='metrics.csv'>metrics.csv</a>: every figure of every page, tidy (notebook, scenario, "
            "metric, value)</li>"
            f"<li><a href='{iamc.FILE}'>{iamc.FILE}</a>: the same figures in the IAMC format (model, scenario, region, "
            "variable, unit, year, value) that pyam and the IIASA Scenario Explorer read</li>"
            "<li><a href='manifest.json'>manifest.json</a>: parameters, input and data hashes, versions, timings</li>"
            "</ul>")
    sections = [
        _headline_section(head, names, scenarios, jobs),
        multiples,
        whatif,
        _failure_section(jobs),
        _backtest_section(metrics),
        _scenario_section(scenarios, jobs, names),
        events,
        _results_section(ranges, scenarios, names, jobs),
        _assumptions_section(scenarios, names),
        _sources_section(manifest),
        f"<h2 id='run'>About this run, and its files</h2>{meta}",
    ]
    latest = _latest_section(run_id, manifest)
    moved = bool((manifest.get("latest") or {}).get("moved"))
    sections[-1] += latest if moved else ""             # a run that became latest says so at the end
    first, rest = sections[0], "".join(sections[1:])
    body = ("<h1>Sanctions scenario workbook: what the scenarios find</h1>" + lede + warning
            + ("" if moved else latest) + first + _contents(first + rest) + rest)
    head_html = (report.vega_script(options.get("site", False), "") if chart_count else "") + f"<style>{INDEX_CSS}</style>"
    return page("Sanctions scenario workbook: what the scenarios find", body, head_html)


def _contents(body: str) -> str:
    import re

    found = re.findall(r"<h2 id='([^']+)'[^>]*>(.*?)</h2>", body)
    items = "".join(f"<li><a href='#{esc(i)}'>{re.sub(r'<[^>]+>', '', t)}</a></li>" for i, t in found)
    return f'<nav class="econ-contents" aria-label="Contents"><b>On this page</b><ol>{items}</ol></nav>'


def publish(run_dir: Path, run_id: str, jobs: list, scenarios: dict[str, Scenario], manifest: dict) -> None:
    """Write the run's metrics.csv, its IAMC file and index.html (atomically) into ``run_dir``, and
    give every report the run's navigation (and its way of loading the Vega bundle)."""
    run_dir = Path(run_dir)
    site = bool(manifest.get("options", {}).get("site"))
    metrics = metrics_frame(run_dir, jobs)
    names = story.ordered(list(scenarios) or sorted({j.scenario for j in jobs}))
    files.write_atomic(run_dir / "metrics.csv", metrics.to_csv(index=False, float_format="%.10g"))
    overrides = manifest.get("options", {}).get("overrides") or {}
    files.write_atomic(run_dir / iamc.FILE, iamc.to_csv(iamc.frame(metrics, scenarios, overrides)))
    try:
        from econ import whatif

        panel = whatif.panel({n: scenarios[n] for n in names if n in scenarios})
    except Exception as e:  # the what-if is an extra: never lose the page over it
        panel = f"<h2 id='what-if'>What if?</h2><p class='econ-note'>The what-if panel could not be built: {esc(str(e))}</p>"
    files.write_atomic(run_dir / "index.html", index_html(run_id, jobs, scenarios, manifest, metrics, panel))
    report.finish_pages(run_dir, jobs, [(n, short_title(scenarios.get(n), n)) for n in names], site)


__all__ = ["differing_assumptions", "headline_frame", "index_html", "intervals", "metric_groups", "metrics_frame",
           "publish", "short_title"]
