"""The published pages in a real headless Chromium with the network blocked: every chart renders,
the console shows no error, no request leaves the page, no chart overflows its container or
overlaps another and no text is clipped, no raw output reaches a reader, the comparison page's
first screen holds every scenario's headline figures, the what-if slider moves the number to the
model's value, and a --site run loads one Vega bundle beside the pages. The checker itself is shown
to fail on a page that loads Vega from a CDN, logs an error, leaves a chart unrendered or lets a
chart overflow."""

import shutil

import nbformat
import pytest

from econ import batch, report
from econ.charts import SPEC_MIME

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _pages(run_dir):
    return [run_dir / "index.html", *sorted(run_dir.glob("*/*/*.html"))]


#: What a page of a site run (the default) may load from beside the pages, and nothing else.
LOCAL = (f'<script src="../../{report.BUNDLE_FILE}"></script>', f'<script src="{report.BUNDLE_FILE}"></script>',
         f'<link rel="stylesheet" href="../../{report.CSS_FILE}">')


def _assert_offline_source(path):
    """Nothing fetched from a network: the Vega bundle inlined exactly once, or (a site run) loaded from
    the run's one copy beside the pages, which must exist; no other script or stylesheet is loaded."""
    text = path.read_text(encoding="utf-8")
    local = "".join(text.split(LOCAL[0])).split(LOCAL[1])
    rest = "".join("".join(local).split(LOCAL[2]))
    inlined = text.count(report.vega_bundle()[:2000])
    linked = text.count(LOCAL[0]) + text.count(LOCAL[1])
    assert inlined + linked == 1, f"{path.name}: the Vega bundle must be inlined or linked exactly once"
    for name in (report.BUNDLE_FILE, report.CSS_FILE):
        if name in text.replace(report.vega_bundle()[:2000], ""):
            assert any(p.joinpath(name).exists() for p in path.parents), f"{path.name} loads {name}: not beside it"
    for needle in ("<script src=", "<link rel=\"stylesheet\"", "cdn.jsdelivr", "unpkg.com", "require.js"):
        assert needle not in rest, f"{path.name} has {needle!r}"
    return text


def test_hostile_titles_stay_text_in_the_browser(tmp_path, tiny_scenarios, browser):
    from tests.conftest import FIXTURE_NOTEBOOKS

    result = batch.run(["a"], outputs=tmp_path / "out", scenario_dir=tiny_scenarios, notebook_dir=FIXTURE_NOTEBOOKS,
                       progress=False, show_code=True)
    assert result.exit_code == 0
    for path in _pages(result.run_dir):
        check = browser.check(path.as_uri())
        assert check.ok, check  # an injected script or onerror handler would be an error or a request


def test_checker_catches_a_page_that_loads_vega_from_a_cdn(tmp_path, browser):
    page = tmp_path / "cdn.html"
    page.write_text('<!DOCTYPE html><html><head><script src="https://cdn.jsdelivr.net/npm/vega-embed@6"></script>'
                    '</head><body><div class="econ-chart" id="c"></div>'
                    '<script>vegaEmbed("#c", {"mark": "point"});</script></body></html>')
    check = browser.check(page.as_uri(), timeout=5)
    assert "https://cdn.jsdelivr.net/npm/vega-embed@6" in check.external_requests
    assert check.rendered == 0 and check.charts == 1
    assert any("vegaEmbed is not defined" in e for e in check.errors)
    assert not check.ok


def test_checker_catches_console_errors_and_images(tmp_path, browser):
    page = tmp_path / "errors.html"
    page.write_text('<!DOCTYPE html><html><body><img src="http://example.org/x.png">'
                    '<script>console.error("broken chart")</script></body></html>')
    check = browser.check(page.as_uri(), timeout=5)
    assert any("broken chart" in e for e in check.errors)
    assert any(u.startswith("http://example.org") for u in check.external_requests)


#: What a reader must never see: raw output (stderr, plain-text reprs, pandas tables with their index)
#: and identifiers where words belong (headings, table headers, figure labels, chart text).
RAW_OUTPUT = r"""(() => {
  const found = [];
  const sel = '[data-mime-type="application/vnd.jupyter.stderr"], .jp-OutputArea-output[data-mime-type="text/plain"], '
            + 'table.dataframe';
  for (const el of document.querySelectorAll(sel)) found.push('raw output: ' + el.textContent.trim().slice(0, 80));
  const snake = /\b[a-z][a-z0-9]*_[a-z0-9_]+\b/;
  const words = 'h1, h2, h3, th, summary, .econ-figure-label, .econ-figure-value, .econ-banner a, .vega-bind-name, '
              + '.econ-chart svg text';
  for (const el of document.querySelectorAll(words)) {
    if (el.closest('code') || el.closest('details.econ-technical')) continue;  // diagnostics, folded
    const text = [...el.childNodes].filter(n => n.nodeType === 3 || n.tagName !== 'CODE').map(n => n.textContent).join('');
    const m = text.match(snake);
    if (m) found.push(`identifier "${m[0]}" in <${el.tagName.toLowerCase()}>: ${text.trim().slice(0, 80)}`);
  }
  return found;
})()"""


def _with_a_chart_notebook(folder):
    """The tiny fixture notebooks plus one that draws a chart (a Vega-Lite spec, no econ import)."""
    from tests.conftest import FIXTURE_NOTEBOOKS

    shutil.copytree(FIXTURE_NOTEBOOKS, folder)
    nb = nbformat.read(folder / "01_second.ipynb", as_version=4)
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "title": "A chart",
            "data": {"values": [{"x": 1, "y": 2}, {"x": 2, "y": 3}]}, "mark": "line",
            "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}}}
    nb.cells.append(nbformat.v4.new_code_cell(
        f"from IPython.display import display\ndisplay({{{SPEC_MIME!r}: {spec!r}, 'text/plain': 'chart'}}, raw=True)"))
    nbformat.write(nb, folder / "02_chart.ipynb")
    return folder


def test_a_site_run_loads_one_bundle_beside_its_pages(tmp_path, tiny_scenarios, browser):
    result = batch.run(["a", "b"], outputs=tmp_path / "out", scenario_dir=tiny_scenarios,
                       notebook_dir=_with_a_chart_notebook(tmp_path / "notebooks"), progress=False, site=True)
    assert result.exit_code == 0
    bundle = result.run_dir / report.BUNDLE_FILE
    assert bundle.read_text() == report.vega_bundle()
    for path in _pages(result.run_dir):
        text = path.read_text()
        assert report.vega_bundle()[:2000] not in text, f"{path.name} carries the bundle"
        if 'class="econ-chart"' in text:
            assert 'src="../../vega-bundle.js"' in text or 'src="vega-bundle.js"' in text
        check = browser.check(path.as_uri())
        assert check.ok, check
        limit = 400_000 if path.name == "index.html" else 150_000  # the bundle (0.9 MB) and styles are beside them
        assert len(text) < limit, f"{path.name}: {len(text)} bytes"
    charted = browser.check((result.run_dir / "a" / "02_chart" / "02_chart.html").as_uri())
    assert charted.charts == charted.rendered == 1, "a chart renders from the bundle beside the pages"
    page = (result.run_dir / "a" / "00_tiny" / "00_tiny.html").read_text()
    assert 'href="../../b/00_tiny/00_tiny.html"' in page and 'rel="next"' in page  # navigation


def test_layout_checker_catches_an_overflowing_chart(tmp_path, browser):
    page = tmp_path / "wide.html"
    page.write_text('<!DOCTYPE html><html><body><div style="width:300px"><div class="econ-chart" id="c">'
                    '<svg width="900" height="50"><g class="mark-text role-axis-title"><text x="0" y="20">'
                    'A title cut…</text></g></svg></div></div></body></html>')
    with browser.open(page.as_uri(), timeout=5) as p:
        problems = p.layout_problems()
    assert any("overflows its container" in x for x in problems) and any("cut off" in x for x in problems)


#: Text that would end or comment out a <script> block, or run as a formula in a spreadsheet.
PAYLOAD_TITLE = '=HYPERLINK("http://example.org/x","click") <!--<script> </script><!--'
PAYLOAD_DESCRIPTION = "+cmd|' /C calc'!A0 <!-- \u2028 \u2029 ]]> &lt;"


def _formula_cells(text: str) -> list[str]:
    """Cells of a CSV text that a spreadsheet would run (text starting =, +, -, @, tab or CR)."""
    import csv
    import io

    from econ.safe_text import FORMULA_START

    bad = []
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            if cell.startswith(FORMULA_START):
                try:
                    float(cell)
                except ValueError:
                    bad.append(cell)
    return bad


def test_text_cannot_break_a_page_or_a_spreadsheet(tmp_path, browser, data_copy, monkeypatch):
    """A scenario whose title and description, and a timeline event whose text, hold script-ending,
    comment-opening and formula payloads: every page keeps all its sections and draws every chart, and
    no CSV (written or downloaded from a page) has a cell a spreadsheet would run."""
    import pandas as pd
    import yaml

    from econ import paths
    from econ.data.manifest import rehash
    from tests.conftest import FIXTURE_NOTEBOOKS

    monkeypatch.setattr(paths, "MANIFEST", data_copy / "manifest.yaml")
    timeline = pd.read_csv(data_copy / "sanctions_timeline.csv", dtype=str, keep_default_na=False)
    timeline.loc[timeline["event_type"] == "ban_5g", "scope"] = PAYLOAD_TITLE
    timeline.to_csv(data_copy / "sanctions_timeline.csv", index=False)
    rehash()

    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "a.yaml").write_text(yaml.safe_dump({"title": PAYLOAD_TITLE, "description": PAYLOAD_DESCRIPTION,
                                                   "parameters": {"substitution_rate": 0.2}}, allow_unicode=True))
    result = batch.run(["a"], outputs=tmp_path / "out", scenario_dir=folder, notebook_dir=FIXTURE_NOTEBOOKS,
                       progress=False)
    assert result.exit_code == 0
    for path in _pages(result.run_dir):
        source = path.read_text(encoding="utf-8")
        with browser.open(path.as_uri()) as page:
            assert page.check.ok, page.check
            assert page.check.rendered == page.check.charts, f"{path.name}: a chart was not drawn"
            shown = page.evaluate("document.querySelectorAll('h2').length")
            assert shown == source.count("<h2"), f"{path.name}: {source.count('<h2') - shown} sections swallowed"
            ids = page.evaluate("Object.keys((window.econ && window.econ.specs) || {})")
            for chart in ids:
                assert not _formula_cells(page.evaluate(f"econ.csv({chart!r})")), f"{path.name}: chart {chart}"
    written = sorted(result.run_dir.rglob("*.csv"))
    assert written
    for path in written:
        assert not _formula_cells(path.read_text(encoding="utf-8")), path.name
