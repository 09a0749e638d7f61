"""Publishing primitives: atomic writes, escaped banners, titles escaped once."""

import os
from pathlib import Path

import nbformat
import pytest

from econ import report
from tests.conftest import FIXTURE_NOTEBOOKS, HOSTILE_TITLE


def test_write_atomic_leaves_nothing_half_written(tmp_path, monkeypatch):
    target = tmp_path / "page.html"
    report.write_atomic(target, "old")

    def crash(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError):
        report.write_atomic(target, "new, half written")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["page.html"]
    monkeypatch.undo()
    report.write_atomic(target, "new")
    assert target.read_text() == "new" and oct(target.stat().st_mode & 0o777) == "0o644"


def test_banner_escapes():
    html = report.banner("a", "00_x", HOSTILE_TITLE)
    assert "<script>" not in html and "&lt;script&gt;" in html and 'href="../../index.html"' in html


def test_report_title_escaped_once_and_code_hidden(tmp_path):
    nb = nbformat.read(FIXTURE_NOTEBOOKS / "01_second.ipynb", as_version=4)
    path = Path(tmp_path / "x.ipynb")
    nbformat.write(nb, path)
    page = report.notebook_to_html(path, "a", "01_second", HOSTILE_TITLE)
    assert "<title>A &lt;script&gt;alert(" in page and "&amp;lt;" not in page
    assert "<script>alert(" not in page
    assert "pathlib" not in page  # code hidden by default
    assert "pathlib" in report.notebook_to_html(path, "a", "01_second", HOSTILE_TITLE, show_code=True)
    assert page.count(report.vega_bundle()[:2000]) == 1


def test_vega_bundle_cached_by_version(tmp_path, monkeypatch):
    from econ import paths

    monkeypatch.setattr(paths, "CACHE", tmp_path / "cache")
    report.vega_bundle.cache_clear()
    try:
        built = report.vega_bundle()
        files = list((tmp_path / "cache").glob("vega-bundle-vl-convert-*.js"))
        assert len(files) == 1 and "vegaEmbed" in built and "</script" not in built
        report.vega_bundle.cache_clear()
        files[0].write_text(files[0].read_text() + "// from the cache\n")
        assert report.vega_bundle().endswith("// from the cache\n")
    finally:
        report.vega_bundle.cache_clear()
