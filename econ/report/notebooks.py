"""Executed notebooks as offline reader pages: charts as ``vegaEmbed`` calls, stderr to the run's logs,
parameters cells hidden, a banner naming the scenario and any override, and a failed notebook's page
saying what went wrong."""

from __future__ import annotations

import ast
import functools
import html
import json
import re
from datetime import date
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor

from econ import files
from econ.charts import SPEC_MIME
from econ.report.bundle import TEMPLATES, chart_html, link_notebook_css, stamped, vega_script
from econ.report.pages import READER_CSS, banner, contents, notebook_title, page


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
                out["data"] = {"text/html": chart_html(stamped(spec, resources.get("econ_stamp", "")),
                                                       f"econ-chart-{count}")}
        resources["chart_count"] = count
        return nb, resources


class HideParameters(Preprocessor):
    """With code hidden, drop the parameters cells from the reader's view: they have no output,
    and the values are in the assumptions table. (With ``--show-code`` they stay: a reader of the
    code must see what papermill injected.)"""

    def preprocess(self, nb, resources):
        hidden = {"parameters", "injected-parameters"}
        cells = [c for c in nb.cells if not hidden & set(c.get("metadata", {}).get("tags", []))]
        # a heading whose section shows nothing (the "Results" cell writes results.json) would be empty
        keep = []
        for i, cell in enumerate(cells):
            if cell.cell_type == "markdown" and re.fullmatch(r"#+ [^\n]+", cell.source.strip()):
                section = []
                for later in cells[i + 1:]:
                    if later.cell_type == "markdown":
                        break
                    section.append(later)
                if section and not any(c.get("outputs") for c in section):
                    continue
            keep.append(cell)
        nb.cells = keep
        return nb, resources


class StderrToLog(Preprocessor):
    """Take every stderr stream (warnings, a library's complaints, local paths) off the page; the
    text goes to ``resources["stderr"]`` for the run's logs."""

    def preprocess(self, nb, resources):
        taken = []
        for i, cell in enumerate(nb.cells):
            kept = []
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    taken.append(f"--- cell {i + 1}\n{out.get('text', '')}")
                else:
                    kept.append(out)
            if "outputs" in cell:
                cell["outputs"] = kept
        resources["stderr"] = "\n".join(taken)
        return nb, resources


@functools.lru_cache(maxsize=2)
def exporter(show_code: bool = False) -> HTMLExporter:
    """The HTML exporter (built once per process: templates compile once, not per report)."""
    exp = HTMLExporter(template_name="offline", extra_template_basedirs=[str(TEMPLATES)],
                       exclude_input=not show_code, exclude_input_prompt=not show_code,
                       exclude_output_prompt=True)
    if not show_code:
        exp.register_preprocessor(HideParameters, enabled=True)
    exp.register_preprocessor(StderrToLog, enabled=True)
    exp.register_preprocessor(ChartsToHTML, enabled=True)
    return exp


def warm_up(show_code: bool = False) -> None:
    """Build the exporter and compile its templates now (the first conversion takes ~0.2 s), for a
    process that will fork children to publish reports (econ.batch.warm)."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("warm-up")])
    nb.metadata["title"] = "warm-up"
    exporter(show_code).from_notebook_node(nb, resources={"vega_script": "", "reader_css": READER_CSS,
                                                          "econ_banner": ""})


def run_settings(nb) -> dict:
    """What a run changed for this notebook: the injected parameters other than the scenario and
    the output folder (``{"substitution_rate": 0.3, "draws": 2000}``); {} for the shipped settings."""
    found = {}
    for cell in nb.cells:
        if "injected-parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                try:
                    found[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    continue
    return {k: v for k, v in found.items() if k not in ("scenario", "output_dir")}


def _setting(name: str, value) -> str:
    if isinstance(value, dict) and "dist" in value:
        rest = ", ".join(f"{k} {v}" for k, v in value.items() if k != "dist")
        return f"{name} = {value['dist']} ({rest})"
    return f"{name} = {json.dumps(value) if not isinstance(value, str) else value}"


def overrides_note(settings: dict) -> str:
    """A strip saying the page is not the shipped scenario: every override the run applied."""
    if not settings:
        return ""
    items = "; ".join(html.escape(_setting(k, v)) for k, v in sorted(settings.items()))
    return (f'<div class="econ-overrides" role="note"><strong>Modified run.</strong> This page is not the shipped '
            f"scenario: the run set <code>{items}</code>.</div>")


def notebook_to_html(notebook: Path, scenario: str, name: str | None = None, title: str = "",
                     show_code: bool = False, site: bool = False, resources_out: dict | None = None) -> str:
    """The offline HTML report of an executed notebook (code hidden unless ``show_code``).

    ``scenario``, ``name`` (the notebook's) and ``title`` (the scenario's) are plain text; they are
    escaped here. ``resources_out`` receives what the page left out (``stderr``).
    """
    nb = nbformat.read(notebook, as_version=4)
    name = name or Path(notebook).stem
    nb.metadata["title"] = f"{notebook_title(notebook)} · {title or scenario}"  # in words; the template escapes it
    settings = run_settings(nb)
    resources = {"vega_script": vega_script(site), "reader_css": READER_CSS,
                 "econ_banner": banner(scenario, name, title) + overrides_note(settings),
                 "econ_stamp": f"Scenario: {title or scenario} \u00b7 made {date.today().isoformat()}"}
    body, out = exporter(show_code).from_notebook_node(nb, resources=resources)
    if site:
        body = link_notebook_css(body)
    toc = contents(body)
    if toc:
        body = body.replace("<!--econ-contents-->", toc, 1)
    if resources_out is not None:
        resources_out["stderr"] = out.get("stderr", "")
    return body


def publish_notebook(job, executed: Path, out_dir: Path, run_dir: Path, options: dict) -> None:
    """Write a job's report (``NOTEBOOK.html`` in ``out_dir``); stderr the page leaves out goes to
    ``run_dir/logs/SCENARIO.NOTEBOOK.stderr.log``."""
    extra: dict = {}
    if Path(executed).exists():
        page = notebook_to_html(executed, job.scenario, job.notebook, job.title, options.get("show_code", False),
                                options.get("site", False), extra)
    else:
        page = error_page(job, options.get("site", False))
    files.write_atomic(Path(out_dir) / f"{job.notebook}.html", page)
    if extra.get("stderr"):
        from econ.report.share import scrub_paths

        files.write_atomic(Path(run_dir) / "logs" / f"{job.scenario}.{job.notebook}.stderr.log",
                           scrub_paths(extra["stderr"]) + "\n")


def error_page(job, site: bool = False) -> str:
    """The report of a job whose notebook never ran (its kernel did not start): what went wrong."""
    esc = html.escape
    error = job.error or {}
    body = (banner(job.scenario, job.notebook, job.title)
            + f"<h1>{esc(job.notebook)} did not run for scenario {esc(job.scenario)}</h1>"
            f'<p class="failed">{esc(str(error.get("name")))}: {esc(str(error.get("message")))}</p>'
            f"<p>Attempts: {job.attempts}. See manifest.json for the run's details.</p>")
    return page(f"{job.scenario} · {job.notebook}: failed", body)
