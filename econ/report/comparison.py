"""The scenario-comparison page of a run (``index.html``) and the files beside it.

Findings first: the page opens with, for every scenario in story order (data/story.yaml), the
headline figures (:data:`econ.findings.HEADLINE`) as labelled numbers with their p05-p95 and
units, one sentence per figure generated from the numbers, and one small-multiples chart of those
figures across scenarios; then a what-if panel (:mod:`econ.report.whatif`); then the details: each
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
from pathlib import Path

import pandas as pd

from econ import arguments, files, findings, report, results, safe_text, story
from econ.report import iamc
from econ.report.figures import (  # noqa: F401
    differences_frame,
    differing_assumptions,
    figures_frame,
    headline_frame,
    metrics_frame,
    short_title,
    trajectories_frame,
)
from econ.report.lede import section as lede_section
from econ.report.pages import page
from econ.report.sections import (
    _assumptions_section,
    _backtest_section,
    _differences_section,
    _failure_section,
    _headline_section,
    _latest_section,
    _multiples_section,
    _results_section,
    _scenario_section,
    _sources_section,
    _timeline_section,
)
from econ.scenario import Scenario

esc = html.escape

INDEX_CSS = """
.econ-headline { border-collapse: collapse; font-size: 0.92em; margin: 0.3em 0; }
.econ-headline th, .econ-headline td { border: none; border-bottom: 1px solid #e1e4e8; padding: 1px 8px;
  line-height: 1.15; }
.econ-headline .interval { font-size: 0.82em; }
.econ-headline tbody td { white-space: nowrap; }
h1 { margin: 0.2em 0 0.1em; }
.econ-headline thead th { vertical-align: bottom; font-size: 0.9em; max-width: 7.5em; text-align: right; }
.econ-headline tbody td { text-align: right; } .econ-headline tbody td.econ-scenario { text-align: left; }
.econ-headline tr.econ-group th { background: #f3f5f8; font-size: 0.85em; text-align: left; padding-top: 2px; }
.econ-headline td.econ-scenario { font-weight: bold; max-width: 16em; white-space: nowrap; }
.econ-unit { font-weight: normal; color: #666; } .econ-number { font-weight: bold; font-size: 1.05em; }
.econ-number a { color: #1f3b63; text-decoration: none; } .econ-number a:hover { text-decoration: underline; }
.econ-sentences { margin: 0.3em 0; padding-left: 1.2em; font-size: 0.95em; max-width: 70em; }
.econ-sentences li { margin: 0.15em 0; }
.econ-answer { margin: 0.2em 0 0.3em; padding-left: 1.2em; max-width: 62em; font-size: 1.0em; line-height: 1.35; }
.econ-answer li { margin: 0.1em 0; }
.econ-cite { font-size: 0.85em; color: #444; margin: 0.2em 0 0.5em; max-width: 70em; }
.econ-lede { font-size: 1.05em; margin: 0.2em 0 0.4em; max-width: 60em; }
.econ-scenarios td.econ-prose { max-width: 40em; }
tr.econ-group th { background: #f3f5f8; }
.econ-inherited, .econ-inherited .econ-number a { color: #8a8f98; }
@media (max-width: 600px) {
  .econ-headline thead { display: none; }
  .econ-headline, .econ-headline tbody, .econ-headline tr, .econ-headline td, .econ-headline th { display: block; }
  .econ-headline tr { border-bottom: 2px solid #d0d4da; padding: 4px 0; }
  .econ-headline td.econ-scenario { max-width: none; white-space: normal; font-size: 1.05em; }
  .econ-headline tbody td[data-label] { display: flex; justify-content: space-between; gap: 1em; white-space: normal; }
  .econ-headline tbody td[data-label]::before { content: attr(data-label); color: #555; text-align: left; flex: 1; }
  .econ-headline tbody td[data-label] br { display: none; }
  .econ-headline tbody td[data-label] .interval { margin-left: 0.4em; white-space: nowrap; }
}
@media print {
  .econ-contents, .econ-chart-tools, #what-if { display: none; }
  .scroll { overflow: visible !important; } table { font-size: 8pt; } a { color: inherit; text-decoration: none; }
}
"""


def beside_latest(found: pd.DataFrame, latest: pd.DataFrame, latest_id: str, names: list[str]) -> str:
    """A partial run's headline figures beside the same scenarios' in the latest full run (its
    figures.csv): so a one-scenario run with a changed assumption is read against the comparison it
    did not replace."""
    pick = lambda f: f[f["metric"].isin(findings.HEADLINE)].drop_duplicates(["scenario", "metric"])  # noqa: E731
    both = pick(found).merge(pick(latest)[["scenario", "metric", "median"]], on=["scenario", "metric"],
                             suffixes=("", "_latest"))
    both = both[both["scenario"].isin(names)]
    if both.empty:
        return ""
    rank = {m: i for i, m in enumerate(findings.HEADLINE)}
    both = both.assign(order=both["metric"].map(rank)).sort_values(["scenario", "order"])
    rows = "".join(
        f"<tr><td class='text'>{esc(r.scenario)}</td>"
        f"<td class='text'>{esc(findings.SHORT.get(r.metric, r.label))}</td>"
        f"<td>{esc(findings.shown(r.median, r.unit))}</td><td>{esc(findings.shown(r.median_latest, r.unit))}</td>"
        f"<td class='text'>{esc(findings.unit_words(r.unit) or r.unit)}</td></tr>" for r in both.itertuples())
    return (f"<h2 id='beside-latest'>Beside the latest full run</h2><p>This run covers only some scenarios or "
            f"notebooks, so <code>outputs/latest</code> stays on the full comparison, "
            f"<a href='../{esc(latest_id)}/index.html'>{esc(latest_id)}</a>. Its headline figures beside that run's "
            "for the same scenarios (medians; <code>econ diff</code> lists every figure and input that "
            "changed):</p><div class='scroll'><table class='econ-table'><thead><tr><th class='text'>scenario</th>"
            "<th class='text'>figure</th><th>this run</th><th>latest full run</th><th class='text'>unit</th></tr>"
            f"</thead><tbody>{rows}</tbody></table></div>")


def index_html(run_id: str, jobs: list, scenarios: dict[str, Scenario], manifest: dict, found: pd.DataFrame,
               whatif: str = "", diffs: pd.DataFrame | None = None, beside: str = "") -> str:
    """The run's front page: findings first, then the details. ``found``: the run's figures
    (:func:`econ.report.figures.figures_frame`)."""
    names = story.ordered(list(scenarios) or sorted({j.scenario for j in jobs}))
    head = headline_frame(found, names)
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
            "draws.</p>" + lede_section(head, scenarios, run_id, manifest))
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
            "<ul><li><a href='results.csv'>results.csv</a> (and results.parquet): every figure of every page, long "
            "(scenario, notebook, metric, unit, region, year, statistic, value), with "
            "<a href='codebook.csv'>codebook.csv</a> saying what each metric is</li>"
            "<li><a href='metrics.csv'>metrics.csv</a>: the same with results.json's flat names</li>"
            f"<li><a href='{iamc.FILE}'>{iamc.FILE}</a>: the model's declared figures in the IAMC format pyam reads "
            f"(model, scenario, region, variable, unit, year, quantile, value), with <a href='{iamc.META_FILE}'>"
            f"{iamc.META_FILE}</a> and the currency definitions <a href='{iamc.UNITS_FILE}'>{iamc.UNITS_FILE}</a></li>"
            "<li><a href='manifest.json'>manifest.json</a>: parameters, input and data hashes, versions, timings</li>"
            "</ul>")
    sections = [
        _headline_section(head, names, scenarios, jobs) + beside,
        multiples,
        whatif,
        _failure_section(jobs),
        _differences_section(diffs if diffs is not None else pd.DataFrame(), names, scenarios),
        _backtest_section(found),
        _scenario_section(scenarios, jobs, names),
        events,
        _results_section(found, scenarios, names, jobs),
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
    found = figures_frame(run_dir, jobs)
    names = story.ordered(list(scenarios) or sorted({j.scenario for j in jobs}))
    files.write_atomic(run_dir / "metrics.csv", safe_text.csv_text(metrics_frame(run_dir, jobs), float_format="%.10g"))
    files.write_atomic(run_dir / "figures.csv", safe_text.csv_text(found, float_format="%.10g"))
    for name, content in results.write(run_dir, results.figure_records(run_dir, jobs)).items():
        files.write_atomic(run_dir / name, content)
    diffs = differences_frame(run_dir, jobs)
    files.write_atomic(run_dir / "differences.csv", safe_text.csv_text(diffs, float_format="%.10g"))
    overrides = manifest.get("options", {}).get("overrides") or {}
    files.write_atomic(run_dir / iamc.FILE, iamc.to_csv(iamc.frame(found, scenarios, overrides,
                                                                 trajectories_frame(run_dir, jobs))))
    default = arguments.Arguments.model_fields["draws"].default
    draws = {j.scenario: (j.parameters or {}).get("draws", default) for j in jobs if j.scenario in scenarios}
    files.write_atomic(run_dir / iamc.META_FILE, iamc.to_csv(iamc.meta(scenarios, overrides, draws)))
    files.write_atomic(run_dir / iamc.UNITS_FILE, iamc.units_definitions())
    try:
        from econ.report import whatif

        panel = whatif.panel({n: scenarios[n] for n in names if n in scenarios}, whatif.drawn_ranges(found, names))
    except Exception as e:  # the what-if is an extra: never lose the page over it
        panel = f"<h2 id='what-if'>What if?</h2><p class='econ-note'>The what-if panel could not be built: {esc(str(e))}</p>"
    decision = manifest.get("latest") or {}
    previous = run_dir.parent / str(decision.get("previous")) / "figures.csv"
    beside = beside_latest(found, pd.read_csv(previous), str(decision["previous"]), names) \
        if not decision.get("moved") and decision.get("previous") and previous.is_file() else ""
    files.write_atomic(run_dir / "index.html", index_html(run_id, jobs, scenarios, manifest, found, panel, diffs,
                                                          beside))
    report.finish_pages(run_dir, jobs, [(n, short_title(scenarios.get(n), n)) for n in names], site)


__all__ = ["differing_assumptions", "figures_frame", "headline_frame", "index_html", "metrics_frame", "publish",
           "short_title"]
