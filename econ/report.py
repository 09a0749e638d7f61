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

from econ import paths
from econ.charts import SPEC_MIME

TEMPLATES = Path(__file__).parent / "templates"


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """vega, vega-lite and vega-embed in one script with no external dependency (~1 MB).

    vl-convert assembles it in about 2 s, in every process that asks; it depends only on the
    vl-convert version, so it is kept in the cache folder (paths.CACHE) under that version.
    """
    from importlib.metadata import version

    cached = paths.CACHE / f"vega-bundle-vl-convert-{version('vl-convert-python')}.js"
    try:
        text = cached.read_text(encoding="utf-8")
        if "vegaEmbed" in text:
            return text
    except OSError:
        pass
    import vl_convert

    # A literal "</script>" inside the bundle would end the inline script early.
    text = vl_convert.javascript_bundle().replace("</script", "<\\/script")
    try:
        write_atomic(cached, text)
    except OSError:  # a read-only home: build it each time
        pass
    return text


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
    """With code hidden, drop the parameters cells from the reader's view: they have no output,
    and the values are in the assumptions table. (With ``--show-code`` they stay: a reader of the
    code must see what papermill injected.)"""

    def preprocess(self, nb, resources):
        hidden = {"parameters", "injected-parameters"}
        nb.cells = [c for c in nb.cells if not hidden & set(c.get("metadata", {}).get("tags", []))]
        return nb, resources


@functools.lru_cache(maxsize=2)
def exporter(show_code: bool = False) -> HTMLExporter:
    """The HTML exporter (built once per process: templates compile once, not per report)."""
    exp = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)],
                       exclude_input=not show_code, exclude_input_prompt=not show_code,
                       exclude_output_prompt=True)
    if not show_code:
        exp.register_preprocessor(HideParameters, enabled=True)
    exp.register_preprocessor(ChartsToHTML, enabled=True)
    return exp


def warm_up(show_code: bool = False) -> None:
    """Build the exporter and compile its templates now (the first conversion takes ~0.2 s), for a
    process that will fork children to publish reports (econ.batch.warm)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("warm-up")])
    nb.metadata["title"] = "warm-up"
    exporter(show_code).from_notebook_node(nb, resources={"vega_bundle": "", "econ_banner": ""})


def banner(scenario: str, notebook: str, title: str = "", index_href: str = "../../index.html") -> str:
    """The strip at the top of a report: which scenario and notebook, and the way back to the index."""
    esc = html.escape
    named = f"{esc(title)} (<code>{esc(scenario)}</code>)" if title else f"<code>{esc(scenario)}</code>"
    return (f'<nav class="econ-banner"><a href="{esc(index_href)}">&larr; Scenario comparison</a>'
            f" &middot; Scenario: {named} &middot; Notebook: <code>{esc(notebook)}</code></nav>")


def notebook_to_html(notebook: Path, scenario: str, name: str | None = None, title: str = "",
                     show_code: bool = False) -> str:
    """The offline HTML report of an executed notebook (code hidden unless ``show_code``).

    ``scenario``, ``name`` (the notebook's) and ``title`` (the scenario's) are plain text; they are
    escaped here.
    """
    nb = nbformat.read(notebook, as_version=4)
    name = name or Path(notebook).stem
    nb.metadata["title"] = f"{title or scenario} · {name}"  # the template escapes it
    resources = {"vega_bundle": vega_bundle(), "econ_banner": banner(scenario, name, title)}
    body, _ = exporter(show_code).from_notebook_node(nb, resources=resources)
    return body


def error_page(job) -> str:
    """The report of a job whose notebook never ran (its kernel did not start): what went wrong."""
    esc = html.escape
    error = job.error or {}
    body = (banner(job.scenario, job.notebook, job.title)
            + f"<h1>{esc(job.notebook)} did not run for scenario {esc(job.scenario)}</h1>"
            f'<p class="failed">{esc(str(error.get("name")))}: {esc(str(error.get("message")))}</p>'
            f"<p>Attempts: {job.attempts}. See manifest.json for the run's details.</p>")
    return page(f"{job.scenario} · {job.notebook}: failed", body)


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


PAGE_CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1200px; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
td.text, th.text { text-align: left; }
.scroll { overflow-x: auto; max-width: 100%; }
.failed { color: #b00020; } .interval { color: #666; font-size: 0.85em; } .muted { color: #666; }
.charts { display: flex; flex-wrap: wrap; gap: 1em 2em; }
code { font-size: 0.95em; }
"""


def page(title: str, body: str, head: str = "") -> str:
    """A self-contained page: inline style, no external resource."""
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">"
            f"<title>{html.escape(title)}</title><style>{PAGE_CSS}</style>{head}</head>\n"
            f"<body>\n{body}\n</body></html>\n")


__all__ = ["banner", "chart_html", "error_page", "notebook_to_html", "page", "vega_bundle", "warm_up", "write_atomic"]
