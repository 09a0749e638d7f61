"""What every published page shares: its frame (styles, head, body), its navigation strip (back to the
comparison, the previous and next notebook, the same notebook under the other scenarios), a contents
list on long pages, and the restamping of a run's pages once all of them are known."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat

from econ import files, paths
from econ.report.bundle import BUNDLE_FILE, CSS_FILE, inline_notebook_css, link_notebook_css, notebook_css, vega_bundle


def notebook_title(path) -> str:
    """A notebook's name for a reader: its first heading up to the colon ("Revenue impacts")."""
    try:  # a manifest's path is relative to the project
        nb = nbformat.read(path if Path(path).is_absolute() else paths.ROOT / path, as_version=4)
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
        pages_of = f"Each scenario's pages (here {esc(titles.get(scenario) or scenario)}'s; the front page lists all):"
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
    items = "".join(f'<li class="level{level}"><a href="#{html.escape(html.unescape(ident), quote=True)}">{text}</a></li>'
                    for level, ident, text in found if level == 2)
    return f'<nav class="econ-contents" aria-label="Contents"><b>On this page</b><ol>{items}</ol></nav>'


_NAV = re.compile(r"<!--econ-nav-->.*?<!--/econ-nav-->", re.S)


def restamp(text: str, nav: str, site: bool, prefix: str = "../../") -> str:
    """A published page with ``nav`` as its navigation and the Vega bundle inlined or (``site``) loaded
    from ``prefix`` (the run's folder: "../../" from a report, "" from the comparison page)."""
    inner = _NAV.search(nav)
    if inner is not None:
        text = _NAV.sub(lambda _: inner.group(0), text, count=1)
    inline, linked = f"<script>{vega_bundle()}</script>", f'<script src="{prefix}{BUNDLE_FILE}"></script>'
    if site and inline in text:
        text = text.replace(inline, linked, 1)
    elif not site and linked in text:
        text = text.replace(linked, inline, 1)
    return link_notebook_css(text, prefix) if site else inline_notebook_css(text) if CSS_FILE in text else text


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
        files.write_atomic(run_dir / CSS_FILE, notebook_css())


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
.econ-flag { font-size: 0.8em; margin: 0.3em 0 0; padding: 0.2em 0.4em; background: #fff7e0;
  border-left: 3px solid #e0a100; }
.econ-figure-range { font-size: 0.9em; } .econ-figure-sentence { font-size: 0.85em; margin: 0.3em 0 0; color: #333; }
.econ-findings h2 { margin-top: 0.4em; } .econ-footnote { font-size: 0.85em; }
.econ-note { padding: 0.6em 1em; background: #f6f6f6; border-left: 4px solid #9aa5b1; max-width: 60em; }
.econ-prose { max-width: 60em; } .econ-prose p { margin: 0.3em 0; }
.econ-table { border-collapse: collapse; font-size: 0.9em; margin: 0.3em 0; }
.econ-table th, .econ-table td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: right; vertical-align: top; }
.econ-table th.text, .econ-table td.text { text-align: left; } .econ-table caption { text-align: left; color: #444; }
.econ-table td.text { max-width: 36em; white-space: normal; }
.econ-table-tools, .econ-chart-tools { font-size: 0.8em; color: #666; margin: 0.1em 0 1em; }
.econ-chart-box { margin: 0.5em 0 1em; max-width: 100%; overflow-x: auto; }
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
