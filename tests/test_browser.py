"""The published pages in a real headless Chromium with the network blocked: every chart renders,
the console shows no error, no request leaves the page, no chart overflows its container or
overlaps another and no text is clipped, no raw output reaches a reader, the comparison page's
first screen holds every scenario's headline figures, the what-if slider moves the number to the
model's value, and a --site run loads one Vega bundle beside the pages. The checker itself is shown
to fail on a page that loads Vega from a CDN, logs an error, leaves a chart unrendered or lets a
chart overflow."""

import json
import os
import shutil
import time

import nbformat
import pytest

from econ import batch, report, uncertainty
from econ.charts import SPEC_MIME
from tests.browser import Chromium, find_chromium

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser():
    binary = find_chromium()
    if binary is None:
        message = ("Chromium is not installed: `make test` installs Debian's chromium package when it can "
                   "(root or sudo, apt-get); or run `apt-get install chromium`")
        if os.environ.get("CI"):
            pytest.fail(message + " (CI must run the browser tests)")
        pytest.skip(message)
    with Chromium(binary) as b:
        yield b


def _pages(run_dir):
    return [run_dir / "index.html", *sorted(run_dir.glob("*/*/*.html"))]


def _assert_offline_source(path):
    text = path.read_text(encoding="utf-8")
    assert text.count(report.vega_bundle()[:2000]) == 1, f"{path.name}: the Vega bundle must be inlined exactly once"
    for needle in ("<script src=", "<link rel=\"stylesheet\" href=\"http", "cdn.jsdelivr", "unpkg.com", "require.js"):
        assert needle not in text, f"{path.name} has {needle!r}"
    return text


def test_every_published_page_renders_offline(published_run, browser):
    run_dir = published_run.run_dir
    pages = _pages(run_dir)
    assert len(pages) == 1 + len(published_run.jobs)
    for path, check in zip(pages, browser.check_many([p.as_uri() for p in pages])):
        text = _assert_offline_source(path)
        assert not check.external_requests, f"{path}: requests left the page: {check.external_requests}"
        assert not check.errors, f"{path}: console errors: {check.errors}"
        assert check.charts == text.count('class="econ-chart"'), path
        assert check.rendered == check.charts, f"{path}: {check.rendered} of {check.charts} charts rendered"
        if path.name != "index.html":  # one rendered chart per chart spec the notebook produced
            executed = nbformat.read(path.with_suffix(".ipynb"), as_version=4)
            specs = sum(SPEC_MIME in out.get("data", {}) for c in executed.cells for out in c.get("outputs", []))
            assert specs > 0 and check.charts == specs, f"{path}: {check.charts} charts for {specs} specs"
    index = browser.check((run_dir / "index.html").as_uri())
    assert index.charts >= 2, "the index charts the headline figures across scenarios, and has the what-if panel"


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


def test_offline_source_check_can_fail(tmp_path, published_run):
    bad = tmp_path / "twice.html"
    shutil.copy(published_run.run_dir / "index.html", bad)
    bad.write_text(bad.read_text() + f"<script>{report.vega_bundle()}</script>")
    with pytest.raises(AssertionError, match="exactly once"):
        _assert_offline_source(bad)


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


def test_every_page_is_laid_out_for_a_reader(published_run, browser):
    problems = {}
    for path in _pages(published_run.run_dir):
        with browser.open(path.as_uri(), timeout=60) as page:
            found = page.layout_problems() + page.evaluate(RAW_OUTPUT)
        if found:
            problems[str(path.relative_to(published_run.run_dir))] = found
    assert not problems, json.dumps(problems, indent=1)


def test_first_screen_of_the_comparison_shows_every_scenarios_headline_figures(published_run, browser):
    with browser.open((published_run.run_dir / "index.html").as_uri(), width=1366, height=768) as page:
        shown = page.evaluate("""(() => {
          const rows = [...document.querySelectorAll('table.econ-headline tbody tr:not(.econ-group)')];
          return rows.map(r => ({name: r.cells[0].textContent.trim(), bottom: r.getBoundingClientRect().bottom,
                                 numbers: r.querySelectorAll('.econ-number').length,
                                 intervals: r.querySelectorAll('.interval').length}));
        })()""")
    scenarios = {j.scenario for j in published_run.jobs}
    assert len(shown) == len(scenarios)
    for row in shown:
        assert row["bottom"] <= 768, f"{row['name']} is below the first screen"
        assert row["numbers"] >= 6
    assert sum(r["intervals"] for r in shown) >= 3 * len(shown), "headline figures carry their p05-p95"


def test_what_if_slider_moves_the_number_to_the_models_value(published_run, browser):
    from econ import whatif
    from econ.scenario import load_scenario

    knob = whatif.KNOBS[0]
    with browser.open((published_run.run_dir / "index.html").as_uri()) as page:
        read = """(() => [...document.querySelectorAll('#econ-whatif-chart svg text')].map(t => t.textContent)
                  .find(t => t.startsWith('Net revenue loss:')))()"""
        before = page.evaluate(read)
        scenario = page.evaluate("document.querySelector('#econ-whatif-chart select').value")
        slider = page.evaluate("""(() => {
          const input = [...document.querySelectorAll('#econ-whatif-chart input[type=range]')][0];
          input.value = input.max; input.dispatchEvent(new Event('input', {bubbles: true}));
          return [input.value, input.max];
        })()""")
        time.sleep(0.5)
        after = page.evaluate(read)
    scn = load_scenario(scenario)
    point = {k: float(uncertainty.central(scn.value(k))) for k in whatif.KNOBS}
    point[knob] = float(slider[0])
    expected = whatif.value_at(scn, point)[whatif.FIGURES[0]]
    assert before != after, "the number moves with the slider"
    shown = float(after.split(":")[1].split()[0].replace(",", ""))
    assert abs(shown - expected) <= 0.005 * abs(expected) + 1e-9, (after, expected)
    size = len((published_run.run_dir / "index.html").read_text()) - len(report.vega_bundle())
    assert whatif.payload_bytes({j.scenario: load_scenario(j.scenario) for j in published_run.jobs}) < 300_000, size


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
        assert len(text) < 400_000, f"{path.name}: {len(text)} bytes"  # the lab styles; the bundle is 0.9 MB
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
