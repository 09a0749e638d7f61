"""The published pages in a real headless Chromium with the network blocked: every chart renders,
the console shows no error, and no request leaves the page. The checker itself is shown to fail on
a page that loads Vega from a CDN, logs an error, or leaves a chart unrendered."""

import os
import shutil

import nbformat
import pytest

from econ import batch, report
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
    assert index.charts >= len(batch.notebooks()), "the index shows the key metrics across scenarios as charts"


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
