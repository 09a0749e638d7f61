"""Publishing: executed notebooks to self-contained, offline HTML reports.

Charts stay interactive: each chart output (the spec under ``application/vnd.vegalite.v6+json``)
becomes a ``<div>`` and a ``vegaEmbed`` call, and the Vega JavaScript from vl-convert is inlined
once in the page head (or, for a site, loaded once per run from ``vega-bundle.js`` beside the
pages: :data:`BUNDLE_FILE`). The template drops every script the stock nbconvert page loads from a CDN.

What a reader never sees: stderr (warnings, a library's complaints) is taken off the page and
written to the run's logs; the parameters cells are hidden with the code. What a reader gets on
every page: a banner naming the scenario (and any override the run applied), links to the previous
and next notebook and to the same notebook under the other scenarios (:func:`navigation`, stamped
on every page of a run by :func:`finish_pages` once the run's pages are known), a contents list on
long pages, and under each chart links that save its data as CSV and the chart as PNG or SVG.
"""

from __future__ import annotations

import ast
import functools
import html
import json
import re
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor

from econ import files, paths
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
        files.write_atomic(cached, text)
    except OSError:  # a read-only home: build it each time
        pass
    return text


#: The Vega bundle's file beside the pages of a run published with ``--site``.
BUNDLE_FILE = "vega-bundle.js"
#: Options for every chart: vega-embed's own menu offers PNG and SVG too; the links below each chart
#: do the same in plain sight, plus the chart's data as CSV.
EMBED_OPTIONS = {"actions": {"export": True, "source": False, "compiled": False, "editor": False}}

#: Once per page: render charts, and save a chart's data (CSV) or image (PNG, SVG) from the page itself.
CHART_SCRIPT = r"""<script>
window.econ = window.econ || (function () {
  const specs = {}, views = {};
  function save(name, url) {
    const a = document.createElement('a'); a.href = url; a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
  }
  function cell(v) {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function rows(id) {
    const spec = specs[id], sets = Object.entries(spec.datasets || {});
    if (!sets.length && spec.data && spec.data.values) sets.push(['data', spec.data.values]);
    const many = sets.length > 1, out = [];
    for (const [name, values] of sets) for (const r of values) out.push(many ? Object.assign({dataset: name}, r) : r);
    return out;
  }
  function csv(id) {
    const data = rows(id), cols = [];
    for (const r of data) for (const k of Object.keys(r)) if (!cols.includes(k)) cols.push(k);
    return [cols.map(cell).join(',')].concat(data.map(r => cols.map(k => cell(r[k])).join(','))).join('\n') + '\n';
  }
  function name(id) {
    const t = specs[id].title, text = typeof t === 'object' && t ? t.text : t;
    return (String(text || id).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60)) || id;
  }
  return {
    specs, views, csv,
    embed(id, spec, options) {
      specs[id] = spec;
      return vegaEmbed('#' + id, spec, options).then(r => { views[id] = r.view; return r; })
        .catch(e => console.error(e));
    },
    data(id) {
      save(name(id) + '.csv', URL.createObjectURL(new Blob([csv(id)], {type: 'text/csv'})));
      return false;
    },
    image(id, type) {
      if (views[id]) views[id].toImageURL(type, type === 'png' ? 2 : 1).then(url => save(name(id) + '.' + type, url));
      return false;
    },
  };
})();
</script>"""


def chart_html(spec: dict, element_id: str) -> str:
    """A div, the links that save the chart's data and image, and the script that renders ``spec``
    into the div (:data:`CHART_SCRIPT` and the bundle must already be on the page)."""
    payload = json.dumps(spec).replace("</", "<\\/")
    tools = (f'<div class="econ-chart-tools">Save: <a href="#" onclick="return econ.data(\'{element_id}\')">data (CSV)</a>'
             f' &middot; <a href="#" onclick="return econ.image(\'{element_id}\', \'png\')">PNG</a>'
             f' &middot; <a href="#" onclick="return econ.image(\'{element_id}\', \'svg\')">SVG</a></div>')
    return (f'<div class="econ-chart-box"><div class="econ-chart" id="{element_id}"></div>{tools}</div>\n'
            f'<script>econ.embed("{element_id}", {payload}, {json.dumps(EMBED_OPTIONS)});</script>')


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


# --- what a page says about its run: scenario, overrides, navigation, contents ---------------------

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


def notebook_title(path) -> str:
    """A notebook's name for a reader: its first heading up to the colon ("Revenue impacts")."""
    try:
        nb = nbformat.read(path, as_version=4)
        first = next(c.source for c in nb.cells if c.cell_type == "markdown")
        heading = next(line for line in first.splitlines() if line.startswith("# "))
        return heading[2:].split(":")[0].strip()
    except (OSError, StopIteration, ValueError, KeyError, AttributeError):
        stem = Path(path).stem
        return stem.split("_", 1)[-1].replace("_", " ").capitalize()


def navigation(scenario: str, notebook: str, scenarios: list[tuple[str, str]] | None = None,
               notebooks: list[tuple[str, str]] | None = None, index_href: str = "../../index.html",
               available: set | None = None) -> str:
    """The navigation strip of a report: back to the comparison, this scenario and notebook, the
    previous and next notebook, and the same notebook under the other scenarios (story order).

    ``scenarios``: (name, title) in story order; ``notebooks``: (stem, title) in run order;
    ``available``: the (scenario, notebook) pairs that have a page (default: all). Plain text in,
    escaped here.
    """
    from econ.arguments import RUN_WIDE
    from econ.paths import RUN_WIDE_FOLDER

    esc = html.escape
    scenarios = scenarios or [(scenario, "")]
    notebooks = notebooks or [(notebook, "")]
    titles = dict(scenarios)
    nb_titles = dict(notebooks)

    def owner(scn, nb):  # a run-wide notebook has one page, in the run's _run folder, for every scenario
        return RUN_WIDE_FOLDER if nb in RUN_WIDE else scn

    def href(scn, nb):
        return f"../../{owner(scn, nb)}/{nb}/{nb}.html"

    def has(scn, nb):
        return available is None or (owner(scn, nb), nb) in available

    title = titles.get(scenario) or ""
    pages_of = "Pages of this scenario:"
    if scenario == RUN_WIDE_FOLDER:
        scenarios = [s for s in scenarios if s[0] != RUN_WIDE_FOLDER]
        scenario = scenarios[0][0] if scenarios else scenario  # its neighbours: the first scenario's pages
        named = "all scenarios (one page for the run)"
        pages_of = f"Pages of {esc(titles.get(scenario) or scenario)}:"
    else:
        named = f"{esc(title)} <code>{esc(scenario)}</code>" if title else f"<code>{esc(scenario)}</code>"
    stems = [n for n, _ in notebooks]
    here = stems.index(notebook) if notebook in stems else -1
    steps = []
    if here > 0 and has(scenario, stems[here - 1]):
        prev = stems[here - 1]
        steps.append(f'<a rel="prev" href="{esc(href(scenario, prev))}">&larr; {esc(nb_titles.get(prev) or prev)}</a>')
    if 0 <= here < len(stems) - 1 and has(scenario, stems[here + 1]):
        nxt = stems[here + 1]
        steps.append(f'<a rel="next" href="{esc(href(scenario, nxt))}">{esc(nb_titles.get(nxt) or nxt)} &rarr;</a>')
    pages = " ".join(
        (f'<b aria-current="page">{esc(nb_titles.get(n) or n)}</b>' if n == notebook else
         f'<a href="{esc(href(scenario, n))}">{esc(nb_titles.get(n) or n)}</a>') for n in stems if has(scenario, n))
    others = " ".join(
        (f'<b aria-current="page">{esc(t or s)}</b>' if s == scenario else
         f'<a href="{esc(href(s, notebook))}" title="{esc(s)}">{esc(t or s)}</a>')
        for s, t in scenarios if has(s, notebook))
    rows = [f'<a href="{esc(index_href)}">&uarr; All scenarios</a> &middot; Scenario: {named} &middot; '
            f'{esc(nb_titles.get(notebook) or notebook)}' + (f' <span class="econ-steps">{" ".join(steps)}</span>'
                                                              if steps else "")]
    if len(stems) > 1:
        rows.append(f'<span class="muted">{pages_of}</span> {pages}')
    if len(scenarios) > 1 and notebook not in RUN_WIDE:
        rows.append(f'<span class="muted">This page under:</span> {others}')
    return ('<nav class="econ-banner" aria-label="Navigation"><!--econ-nav-->'
            + "".join(f"<div>{r}</div>" for r in rows) + "<!--/econ-nav--></nav>")


def banner(scenario: str, notebook: str, title: str = "", index_href: str = "../../index.html") -> str:
    """The strip at the top of a report before the run's other pages are known (see :func:`navigation`)."""
    return navigation(scenario, notebook, [(scenario, title)], None, index_href)


_HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
#: A page with at least this many sections gets a contents list.
CONTENTS_FROM = 4


def contents(body: str) -> str:
    """A contents list of the page's second-level headings (and third-level under them), or ""."""
    found = [(int(level), ident, re.sub(r"<[^>]+>|¶", "", text).strip()) for level, ident, text in _HEADING.findall(body)]
    found = [f for f in found if f[2]]
    if sum(1 for f in found if f[0] == 2) < CONTENTS_FROM:
        return ""
    items = "".join(f'<li class="level{level}"><a href="#{html.escape(ident, quote=True)}">{text}</a></li>'
                    for level, ident, text in found if level == 2)
    return f'<nav class="econ-contents" aria-label="Contents"><b>On this page</b><ol>{items}</ol></nav>'


def vega_script(site: bool, prefix: str = "../../") -> str:
    """The Vega bundle for a page: inlined (self-contained) or, for a site, loaded from the run's copy."""
    if site:
        return f'<script src="{prefix}{BUNDLE_FILE}"></script>' + CHART_SCRIPT
    return f"<script>{vega_bundle()}</script>" + CHART_SCRIPT


def notebook_to_html(notebook: Path, scenario: str, name: str | None = None, title: str = "",
                     show_code: bool = False, site: bool = False, resources_out: dict | None = None) -> str:
    """The offline HTML report of an executed notebook (code hidden unless ``show_code``).

    ``scenario``, ``name`` (the notebook's) and ``title`` (the scenario's) are plain text; they are
    escaped here. ``resources_out`` receives what the page left out (``stderr``).
    """
    nb = nbformat.read(notebook, as_version=4)
    name = name or Path(notebook).stem
    nb.metadata["title"] = f"{title or scenario} · {name}"  # the template escapes it
    settings = run_settings(nb)
    resources = {"vega_script": vega_script(site), "reader_css": READER_CSS,
                 "econ_banner": banner(scenario, name, title) + overrides_note(settings)}
    body, out = exporter(show_code).from_notebook_node(nb, resources=resources)
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
        files.write_atomic(Path(run_dir) / "logs" / f"{job.scenario}.{job.notebook}.stderr.log", extra["stderr"] + "\n")


def error_page(job, site: bool = False) -> str:
    """The report of a job whose notebook never ran (its kernel did not start): what went wrong."""
    esc = html.escape
    error = job.error or {}
    body = (banner(job.scenario, job.notebook, job.title)
            + f"<h1>{esc(job.notebook)} did not run for scenario {esc(job.scenario)}</h1>"
            f'<p class="failed">{esc(str(error.get("name")))}: {esc(str(error.get("message")))}</p>'
            f"<p>Attempts: {job.attempts}. See manifest.json for the run's details.</p>")
    return page(f"{job.scenario} · {job.notebook}: failed", body)


_NAV = re.compile(r"<!--econ-nav-->.*?<!--/econ-nav-->", re.S)


def restamp(text: str, nav: str, site: bool) -> str:
    """A published page with ``nav`` as its navigation and the Vega bundle inlined or (``site``) loaded."""
    inner = _NAV.search(nav)
    if inner is not None:
        text = _NAV.sub(lambda _: inner.group(0), text, count=1)
    inline, linked = f"<script>{vega_bundle()}</script>", f'<script src="../../{BUNDLE_FILE}"></script>'
    if site and inline in text:
        text = text.replace(inline, linked, 1)
    elif not site and linked in text:
        text = text.replace(linked, inline, 1)
    return text


def finish_pages(run_dir: Path, jobs: list, scenarios: list[tuple[str, str]], site: bool = False) -> None:
    """Once a run's pages are known: stamp every report with the run's navigation (previous and next
    notebook, the same notebook under the other scenarios, in story order) and make each load the
    Vega bundle the run's way (inlined, or from ``vega-bundle.js`` beside the pages with ``site``).
    Pages reused from an earlier run get the same treatment (a new file, never a write through a link)."""
    run_dir = Path(run_dir)
    stems = list(dict.fromkeys(j.notebook for j in jobs))
    titles = {}
    for j in jobs:
        titles.setdefault(j.notebook, notebook_title(j.notebook_path))
    notebooks = [(n, titles[n]) for n in stems]
    available = {(j.scenario, j.notebook) for j in jobs if (run_dir / j.report).exists()}
    for j in jobs:
        path = run_dir / j.report
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        new = restamp(text, navigation(j.scenario, j.notebook, scenarios, notebooks, available=available), site)
        if new != text:
            files.write_atomic(path, new)
    if site:
        files.write_atomic(run_dir / BUNDLE_FILE, vega_bundle())


#: The reader's styles, on every page (the comparison page and the notebook reports).
READER_CSS = """
.econ-banner { font-family: Helvetica, Arial, sans-serif; font-size: 0.9em; line-height: 1.6; padding: 0.4em 1em;
  margin-bottom: 1em; background: #f3f5f8; border-bottom: 1px solid #d5dae1; }
.econ-banner a, .econ-contents a, .econ-chart-tools a, .econ-table-tools a, a.econ-download { color: #1f5fa8;
  text-decoration: underline; } .econ-banner a { margin-right: 0.5em; } .econ-banner b { margin-right: 0.5em; }
.econ-steps { float: right; } .econ-steps a { margin-left: 1em; }
.econ-overrides { margin: -0.5em 0 1em; padding: 0.5em 1em; background: #fff4d6; border-left: 4px solid #e0a100; }
.econ-contents { font-size: 0.9em; margin: 0 0 1em; } .econ-contents ol { display: inline; padding: 0; }
.econ-contents li { display: inline; margin: 0 0.9em 0 0; } .econ-contents b { margin-right: 0.9em; }
.econ-figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 0.8em; margin: 0.6em 0; }
.econ-figure { border: 1px solid #d5dae1; border-top: 3px solid #4c78a8; padding: 0.5em 0.8em; background: #fff; }
.econ-figure-label { font-size: 0.85em; color: #444; font-weight: bold; }
.econ-figure-value { font-size: 1.6em; font-weight: bold; color: #1f3b63; }
.econ-figure-unit { font-size: 0.55em; font-weight: normal; color: #444; }
.econ-figure-range { font-size: 0.9em; } .econ-figure-sentence { font-size: 0.85em; margin: 0.3em 0 0; color: #333; }
.econ-findings h2 { margin-top: 0.4em; } .econ-footnote { font-size: 0.85em; }
.econ-note { padding: 0.6em 1em; background: #f6f6f6; border-left: 4px solid #9aa5b1; max-width: 60em; }
.econ-prose { max-width: 60em; } .econ-prose p { margin: 0.3em 0; }
.econ-table { border-collapse: collapse; font-size: 0.9em; margin: 0.3em 0; }
.econ-table th, .econ-table td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: right; vertical-align: top; }
.econ-table th.text, .econ-table td.text { text-align: left; } .econ-table caption { text-align: left; color: #444; }
.econ-table td.text { max-width: 36em; white-space: normal; }
.econ-table-tools, .econ-chart-tools { font-size: 0.8em; color: #666; margin: 0.1em 0 1em; }
.econ-chart-box { margin: 0.5em 0 1em; max-width: 100%; }
.econ-chart { margin: 0.3em 0 0; } .vega-embed { max-width: 100%; } .vega-bindings { font-size: 0.9em; }
.vega-bind { display: inline-block; margin: 0.2em 1.5em 0.2em 0; } .vega-bind-name { margin-right: 0.4em; }
details.econ-technical, details.econ-more { margin: 0.5em 0 1em; } details > summary { cursor: pointer; color: #1f3b63; }
.scroll { overflow-x: auto; max-width: 100%; } .muted { color: #666; } .interval { color: #555; font-size: 0.85em; }
"""

PAGE_CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 1em auto 2em; max-width: 1240px; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; margin: 0.3em 0 0.2em; } h2 { margin: 1.2em 0 0.4em; } h3 { margin: 1em 0 0.3em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
td.text, th.text { text-align: left; }
.failed { color: #b00020; }
.charts { display: flex; flex-wrap: wrap; gap: 1em 2em; }
code { font-size: 0.95em; }
""" + READER_CSS


def page(title: str, body: str, head: str = "") -> str:
    """A self-contained page: inline style, no external resource."""
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1.0\">"
            f"<title>{html.escape(title)}</title><style>{PAGE_CSS}</style>{head}</head>\n"
            f"<body>\n{body}\n</body></html>\n")


__all__ = ["banner", "chart_html", "contents", "error_page", "finish_pages", "navigation", "notebook_to_html", "page",
           "publish_notebook", "run_settings", "vega_bundle", "vega_script", "warm_up"]
