"""The scenario-comparison page of a run (``index.html``) and the tidy metrics file beside it.

The page shows, for every notebook, each results.json metric across scenarios as "median
[p05, p95]" (a metric ``NAME`` is grouped with ``NAME_p05`` and ``NAME_p95``; ``NAME_p50`` stands
for the median when there is no ``NAME``), interval charts of those metrics across scenarios, the
assumptions that differ between scenarios, the data the models stand on (with hashes), and every
failure; each links to its notebook's report. Like every report, it is one self-contained file:
the Vega JavaScript is inlined once and nothing is fetched. Scenario names, titles and
descriptions are escaped wherever they appear.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path

import pandas as pd

from econ import charts, data
from econ.notebook import assumptions
from econ.report import chart_html, page, vega_bundle, write_atomic
from econ.scenario import Scenario

#: Interval charts shown per notebook (the table has every metric).
MAX_CHARTS_PER_NOTEBOOK = 8
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


def _format(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.3g}"


def _cell(row) -> str:
    text = _format(row["p50"])
    if not (math.isnan(row["p05"]) or math.isnan(row["p95"])):
        text += f' <span class="interval">[{_format(row["p05"])}, {_format(row["p95"])}]</span>'
    return text


def _scenario_section(scenarios: dict[str, Scenario], jobs: list) -> str:
    by_scenario: dict[str, list] = {}
    for job in jobs:
        by_scenario.setdefault(job.scenario, []).append(job)
    rows = []
    for name, scn in scenarios.items():
        links = " ".join(
            f'<a href="{esc(j.report)}">{esc(j.notebook)}</a>'
            + ("" if j.status == "ok" else ' <span class="failed">(failed)</span>') for j in by_scenario.get(name, []))
        parent = f"<br><span class='muted'>inherits {esc(scn.inherits)}</span>" if scn.inherits else ""
        rows.append(f"<tr><td class='text'><code>{esc(name)}</code>{parent}</td><td class='text'><b>{esc(scn.title)}</b>"
                    f"<br>{esc(scn.description)}</td><td class='text'>{links}</td></tr>")
    return ("<h2 id='scenarios'>Scenarios</h2><table><tr><th>scenario</th><th class='text'>what it assumes</th>"
            f"<th class='text'>reports</th></tr>{''.join(rows)}</table>")


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


def _results_section(ranges: pd.DataFrame, scenarios: list[str], jobs: list) -> tuple[str, int]:
    """The metrics tables and interval charts of every notebook: (html, number of charts)."""
    notebooks = sorted({j.notebook for j in jobs})
    status = {(j.scenario, j.notebook): j for j in jobs}
    parts, chart_no = [], 0
    for nb in notebooks:
        part = ranges[ranges["notebook"] == nb]
        parts.append(f"<h3 id='nb-{esc(nb)}'>{esc(nb)}</h3>")
        if part.empty:
            parts.append("<p class='muted'>No results (see failures).</p>")
            continue
        head = "".join(f"<th title='{esc(s)}'><a href='{esc(status[(s, nb)].report)}'>{esc(s)}</a></th>"
                       if (s, nb) in status else f"<th>{esc(s)}</th>" for s in scenarios)
        rows = []
        for metric, by_metric in part.groupby("metric", sort=True):
            cells = {r["scenario"]: _cell(r) for _, r in by_metric.iterrows()}
            tds = "".join(f"<td>{cells[s]}</td>" if s in cells else
                          ("<td class='failed'>failed</td>" if status.get((s, nb)) and status[(s, nb)].status != "ok"
                           else "<td></td>") for s in scenarios)
            rows.append(f"<tr><td><code>{esc(metric)}</code></td>{tds}</tr>")
        parts.append(f"<div class='scroll'><table><tr><th>metric</th>{head}</tr>{''.join(rows)}</table></div>")
        charted = [m for m, g in part.groupby("metric", sort=True)
                   if g["p05"].notna().any() and (g[["p05", "p50", "p95"]].abs().max().max() > 0)]
        if charted:
            shown = charted[:MAX_CHARTS_PER_NOTEBOOK]
            divs = []
            for metric in shown:
                frame = part[part["metric"] == metric][["scenario", "p05", "p50", "p95"]]
                frame = frame.set_index("scenario").reindex([s for s in scenarios if s in set(frame["scenario"])])
                chart_no += 1
                spec = charts.scenario_intervals(frame.reset_index(), metric, nb).to_dict()
                divs.append(chart_html(spec, f"econ-index-chart-{chart_no}"))
            more = (f"<p class='muted'>{len(charted) - len(shown)} more metrics with intervals are in the table.</p>"
                    if len(charted) > len(shown) else "")
            parts.append(f"<div class='charts'>{''.join(divs)}</div>{more}")
    return "".join(parts), chart_no


def _assumptions_section(scenarios: dict[str, Scenario]) -> str:
    try:
        table = differing_assumptions(scenarios)
    except Exception as e:  # never lose the page over one table
        return f"<h2 id='assumptions'>Assumptions that differ</h2><p class='failed'>{esc(str(e))}</p>"
    if len(scenarios) < 2:
        note = "<p class='muted'>One scenario: its report lists every assumption.</p>"
        return f"<h2 id='assumptions'>Assumptions that differ</h2>{note}"
    if table.empty:
        return "<h2 id='assumptions'>Assumptions that differ</h2><p>None: the scenarios assume the same.</p>"
    head = "".join(f"<th class='text'>{esc(s)}</th>" for s in scenarios)
    rows = "".join(f"<tr><td><code>{esc(str(r['parameter']))}</code></td><td class='text'>{esc(str(r['unit']))}</td>"
                   + "".join(f"<td class='text'>{esc(str(r[s]))}</td>" for s in scenarios) + "</tr>"
                   for _, r in table.iterrows())
    return ("<h2 id='assumptions'>Assumptions that differ between scenarios</h2>"
            "<p>Only the parameters whose value is not the same in every scenario; each report has the full table "
            f"with where each value was set.</p><div class='scroll'><table><tr><th>parameter</th>"
            f"<th class='text'>unit</th>{head}</tr>{rows}</table></div>")


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
        return f"<h2 id='data'>Data sources</h2><p class='failed'>Could not read the data manifest: {esc(str(e))}</p>"
    return ("<h2 id='data'>Data sources</h2><p>The files every notebook read, with the first 16 hex digits of "
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


def index_html(run_id: str, jobs: list, scenarios: dict[str, Scenario], manifest: dict, metrics: pd.DataFrame) -> str:
    """The run's front page."""
    names = list(scenarios) or sorted({j.scenario for j in jobs})
    results, chart_count = _results_section(intervals(metrics), names, jobs)
    summary = manifest.get("summary", {})
    git = manifest.get("git", {})
    versions = manifest.get("versions", {})
    failed = summary.get("failed", 0)
    meta = (f"<p>Run <code>{esc(run_id)}</code>, {esc(str(manifest.get('finished', '')))}: "
            f"{summary.get('notebook_runs', len(jobs))} notebook runs ({len(names)} scenarios), "
            f"{summary.get('ok', 0)} ok, " + (f"<a class='failed' href='#failures'>{failed} failed</a>" if failed
                                              else "0 failed")
            + f", {summary.get('reused', 0)} reused from an earlier run. econ {esc(str(versions.get('econ', '')))}, "
            f"commit <code>{esc(str(git.get('commit', ''))[:12])}</code>"
            f"{' (with local changes)' if git.get('dirty') else ''}."
            " <a href='manifest.json'>manifest.json</a> (parameters, hashes, versions, timings) &middot; "
            "<a href='metrics.csv'>metrics.csv</a> (every metric, tidy)</p>")
    body = (
        "<h1>Sanctions scenario workbook: scenario comparison</h1>" + meta + _latest_section(run_id, manifest)
        + _failure_section(jobs) + _scenario_section(scenarios, jobs)
        + "<h2 id='results'>Results</h2><p>Each number is the median of the scenario's Monte Carlo draws with "
          "its p05&ndash;p95 interval in brackets (a number alone has no interval). Column headers link to the "
          "report of that scenario.</p>" + results
        + _assumptions_section(scenarios) + _sources_section(manifest))
    head = f"<script>{vega_bundle()}</script><style>.econ-chart {{ margin: 0.5em 0; }}</style>" if chart_count else ""
    return page("Sanctions scenario workbook: scenario comparison", body, head)


def publish(run_dir: Path, run_id: str, jobs: list, scenarios: dict[str, Scenario], manifest: dict) -> None:
    """Write the run's metrics.csv and index.html (atomically) into ``run_dir``."""
    metrics = metrics_frame(run_dir, jobs)
    write_atomic(Path(run_dir) / "metrics.csv", metrics.to_csv(index=False, float_format="%.10g"))
    write_atomic(Path(run_dir) / "index.html", index_html(run_id, jobs, scenarios, manifest, metrics))


__all__ = ["differing_assumptions", "index_html", "intervals", "metric_groups", "metrics_frame", "publish"]
