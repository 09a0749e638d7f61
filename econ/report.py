"""Publishing: executed notebooks to self-contained, offline HTML reports.

Charts stay interactive: each chart output (the spec under ``application/vnd.vegalite.v6+json``)
becomes a ``<div>`` and a ``vegaEmbed`` call, and the Vega JavaScript from vl-convert is inlined
once in the page head. The template drops every script the stock nbconvert page loads from a CDN.
"""

from __future__ import annotations

import functools
import html
import json
import os
import tempfile
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor

from econ.charts import SPEC_MIME

TEMPLATES = Path(__file__).parent / "templates"


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """vega, vega-lite and vega-embed in one script with no external dependency (~1 MB)."""
    import vl_convert

    # A literal "</script>" inside the bundle would end the inline script early.
    return vl_convert.javascript_bundle().replace("</script", "<\\/script")


def chart_html(spec: dict, element_id: str) -> str:
    """A div and the script that renders ``spec`` into it (the bundle must already be on the page)."""
    payload = json.dumps(spec).replace("</", "<\\/")
    return (f'<div class="econ-chart" id="{element_id}"></div>\n'
            f'<script>vegaEmbed("#{element_id}", {payload}, {{"actions": {{"export": true, "source": false, '
            f'"compiled": false, "editor": false}}}}).catch(function (e) {{ console.error(e); }});</script>')


class ChartsToHTML(Preprocessor):
    """Replace each chart output's MIME bundle by its offline HTML."""

    def preprocess(self, nb, resources):
        count = 0
        for cell in nb.cells:
            for out in cell.get("outputs", []):
                spec = out.get("data", {}).get(SPEC_MIME)
                if spec is None:
                    continue
                count += 1
                out["data"] = {"text/html": chart_html(spec, f"econ-chart-{count}")}
        resources["chart_count"] = count
        return nb, resources


class HideParameters(Preprocessor):
    """Drop papermill's injected-parameters cell from the reader's view (its values are in the
    assumptions table)."""

    def preprocess(self, nb, resources):
        nb.cells = [c for c in nb.cells if "injected-parameters" not in c.get("metadata", {}).get("tags", [])]
        return nb, resources


def exporter(show_code: bool = False) -> HTMLExporter:
    exp = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)],
                       exclude_input=not show_code, exclude_input_prompt=True, exclude_output_prompt=True)
    exp.register_preprocessor(HideParameters, enabled=True)
    exp.register_preprocessor(ChartsToHTML, enabled=True)
    return exp


def notebook_to_html(notebook: Path, title: str, show_code: bool = False) -> str:
    """The offline HTML report of an executed notebook."""
    nb = nbformat.read(notebook, as_version=4)
    nb.metadata["title"] = html.escape(title)
    body, _ = exporter(show_code).from_notebook_node(nb, resources={"vega_bundle": vega_bundle()})
    return body


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; published pages are for readers
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_PAGE_CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.failed { color: #b00020; } .interval { color: #666; font-size: 0.85em; }
"""


def _page(title: str, body: str, head: str = "") -> str:
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{_PAGE_CSS}</style>{head}</head>\n"
            f"<body>\n{body}\n</body></html>\n")


def _results(run_dir: Path, job) -> dict:
    path = run_dir / job.scenario / job.notebook / "results.json"
    return json.loads(path.read_text())["metrics"] if path.exists() else {}


def _format(value: float) -> str:
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def index_html(run_dir: Path, jobs: list) -> str:
    """The run's front page: every metric by scenario with its p05–p95 interval, links, failures."""
    esc = html.escape
    scenarios = sorted({j.scenario for j in jobs})
    metrics: dict[tuple[str, str], dict[str, float]] = {}
    for job in jobs:
        for name, value in _results(run_dir, job).items():
            metrics.setdefault((job.notebook, name), {})[job.scenario] = value
    head = "".join(f"<th>{esc(s)}</th>" for s in scenarios)
    rows = []
    for (nb, name), by_scenario in sorted(metrics.items()):
        if name.endswith(("_p05", "_p95")) and name[:-4] in {m for _, m in metrics}:
            continue
        cells = []
        for s in scenarios:
            v = by_scenario.get(s)
            lo, hi = metrics.get((nb, f"{name}_p05"), {}).get(s), metrics.get((nb, f"{name}_p95"), {}).get(s)
            text = "" if v is None else _format(v)
            if lo is not None and hi is not None:
                text += f' <span class="interval">[{_format(lo)}, {_format(hi)}]</span>'
            cells.append(f"<td>{text}</td>")
        rows.append(f"<tr><td>{esc(name)} <span class='interval'>({esc(nb)})</span></td>{''.join(cells)}</tr>")
    links = []
    for job in jobs:
        href = f"{job.scenario}/{job.notebook}/{job.notebook}.html"
        status = "" if job.status == "ok" else ' <span class="failed">failed</span>'
        links.append(f'<li><a href="{esc(href)}">{esc(job.scenario)} · {esc(job.notebook)}</a>{status}</li>')
    failures = [f"<li class='failed'>{esc(j.scenario)} · {esc(j.notebook)}: cell {esc(str(j.error.get('cell')))} "
                f"— {esc(str(j.error.get('error')))}: {esc(str(j.error.get('message')))[:500]}</li>"
                for j in jobs if j.status != "ok"]
    body = (f"<h1>Scenario comparison</h1><p>Run {esc(run_dir.name.strip('.').removesuffix('.partial'))}. "
            "Each metric is the median of the Monte Carlo draws, with its p05–p95 interval in brackets.</p>"
            f"<h2>Headline metrics</h2><table><tr><th>metric (notebook)</th>{head}</tr>{''.join(rows)}</table>"
            f"<h2>Reports</h2><ul>{''.join(links)}</ul>"
            + (f"<h2>Failures</h2><ul>{''.join(failures)}</ul>" if failures else ""))
    return _page("Sanctions scenario workbook: scenario comparison", body)


__all__ = ["chart_html", "notebook_to_html", "vega_bundle", "write_atomic"]
