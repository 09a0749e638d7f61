"""Publishing primitives: atomic writes, escaped banners, titles escaped once."""

import os
from pathlib import Path

import nbformat
import numpy as np
import pytest

from econ import display, files, report
from tests.conftest import FIXTURE_NOTEBOOKS, HOSTILE_TITLE


def test_write_atomic_leaves_nothing_half_written(tmp_path, monkeypatch):
    target = tmp_path / "page.html"
    files.write_atomic(target, "old")

    def crash(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError):
        files.write_atomic(target, "new, half written")
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["page.html"]
    monkeypatch.undo()
    files.write_atomic(target, "new")
    assert target.read_text() == "new" and oct(target.stat().st_mode & 0o777) == "0o644"


def test_banner_escapes():
    html = report.banner("a", "00_x", HOSTILE_TITLE)
    assert "<script>" not in html and "&lt;script&gt;" in html and 'href="../../index.html"' in html


def test_report_title_escaped_once_and_code_hidden(tmp_path):
    nb = nbformat.read(FIXTURE_NOTEBOOKS / "01_second.ipynb", as_version=4)
    path = Path(tmp_path / "x.ipynb")
    nbformat.write(nb, path)
    page = report.notebook_to_html(path, "a", "01_second", HOSTILE_TITLE)
    assert "· A &lt;script&gt;alert(" in page and "&amp;lt;" not in page
    assert "<title>01_second" not in page  # the tab says the notebook's title in words, not its file name
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
        assert report.vega_bundle() == built  # read back from the cache, its digest checked
        report.vega_bundle.cache_clear()
        files[0].write_text(built[: len(built) // 2])  # truncated (a full disk, an interrupted copy)
        assert report.vega_bundle() == built  # refused and built again
        assert files[0].read_text() == built
    finally:
        report.vega_bundle.cache_clear()


# --- what a reader sees: no stderr, overrides named, navigation, contents, downloads -----------------

def _executed(tmp_path, cells, injected="scenario = \"a\"\noutput_dir = \".\"\n"):
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    param = nbformat.v4.new_code_cell(injected)
    param.metadata["tags"] = ["injected-parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# Revenue impacts: a test page"), param, *cells]
    path = tmp_path / "executed.ipynb"
    nbformat.write(nb, path)
    return path


def test_stderr_goes_to_the_log_never_to_the_page(tmp_path):
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="/home/me/.venv/x.py:1: ValueWarning: omni\n"),
                    nbformat.v4.new_output("stream", name="stdout", text="kept\n")]
    path = _executed(tmp_path, [cell])
    extra = {}
    page = report.notebook_to_html(path, "a", "01_x", "A", resources_out=extra)
    assert "ValueWarning" not in page and "/home/me" not in page and "kept" in page
    assert "ValueWarning" in extra["stderr"]

    class Job:
        scenario, notebook, title, error, attempts = "a", "01_x", "A", {}, 1

    report.publish_notebook(Job, path, tmp_path / "out", tmp_path / "run", {"show_code": False})
    assert "ValueWarning" in (tmp_path / "run" / "logs" / "a.01_x.stderr.log").read_text()
    assert "ValueWarning" not in (tmp_path / "out" / "01_x.html").read_text()


def test_overrides_of_a_run_are_in_the_page_header(tmp_path):
    path = _executed(tmp_path, [], 'scenario = "may2020_fdpr"\noutput_dir = "."\nsubstitution_rate = 0.3\n')
    assert report.run_settings(nbformat.read(path, as_version=4)) == {"substitution_rate": 0.3}
    page = report.notebook_to_html(path, "may2020_fdpr", "01_x", "May 2020 rule")
    assert "Modified run" in page and "substitution_rate = 0.3" in page
    plain = report.notebook_to_html(_executed(tmp_path, []), "a", "01_x", "A")
    assert "Modified run" not in plain


def test_navigation_links_neighbours_and_other_scenarios():
    scenarios = [("baseline", "Baseline"), ("may2020_fdpr", "May 2020 rule"), ("russia_pivot", "Russia <turns>")]
    notebooks = [("00_scenario_overview", "Scenario overview"), ("01_revenue_impact", "Revenue impacts"),
                 ("02_market_share", "Market shares")]
    nav = report.navigation("may2020_fdpr", "01_revenue_impact", scenarios, notebooks)
    assert 'rel="prev" href="../../may2020_fdpr/00_scenario_overview/00_scenario_overview.html"' in nav
    assert 'rel="next" href="../../may2020_fdpr/02_market_share/02_market_share.html"' in nav
    assert 'href="../../baseline/01_revenue_impact/01_revenue_impact.html"' in nav
    under = nav[nav.index("This page under"):]
    assert under.index("Baseline") < under.index("May 2020 rule") < under.index("Russia &lt;turns&gt;")  # order, escaped
    first = report.navigation("baseline", "00_scenario_overview", scenarios, notebooks)
    assert 'rel="prev"' not in first and 'rel="next"' in first


def test_finish_pages_stamps_navigation_and_switches_the_bundle(tmp_path):
    path = _executed(tmp_path, [])

    class Job:
        def __init__(self, scenario):
            self.scenario, self.notebook, self.title, self.notebook_path = scenario, "01_x", scenario, str(path)

        @property
        def report(self):
            return f"{self.scenario}/01_x/01_x.html"

    jobs = [Job("a"), Job("b")]
    for j in jobs:
        files.write_atomic(tmp_path / j.report, report.notebook_to_html(path, j.scenario, "01_x", j.scenario))
    report.finish_pages(tmp_path, jobs, [("a", "A"), ("b", "B")], site=True)
    page = (tmp_path / "a" / "01_x" / "01_x.html").read_text()
    assert 'href="../../b/01_x/01_x.html"' in page and "This page under" in page
    assert '<script src="../../vega-bundle.js"></script>' in page and report.vega_bundle()[:2000] not in page
    assert (tmp_path / "vega-bundle.js").read_text() == report.vega_bundle()
    assert '<link rel="stylesheet" href="../../notebook.css">' in page and len(page) < 150_000
    assert (tmp_path / "notebook.css").read_text() == report.notebook_css() and "jp-" in report.notebook_css()
    report.finish_pages(tmp_path, jobs, [("a", "A"), ("b", "B")], site=False)
    page = (tmp_path / "a" / "01_x" / "01_x.html").read_text()
    assert page.count(report.vega_bundle()[:2000]) == 1 and "vega-bundle.js" not in page
    assert "notebook.css" not in page and report.notebook_css()[:2000] in page  # a single file again


def test_contents_list_on_long_pages_only():
    long = "".join(f'<h2 id="s{i}">Section {i}<a class="anchor-link" href="#s{i}">¶</a></h2>' for i in range(5))
    toc = report.contents(long)
    assert 'href="#s0"' in toc and "Section 4" in toc and "¶" not in toc
    assert report.contents(long[: long.index('<h2 id="s3"')]) == ""


def test_tables_for_readers_have_no_index_and_save_as_csv():
    import base64
    import re

    import pandas as pd

    from econ import display

    frame = pd.DataFrame({"economy": ["south_korea", "sk_hynix"], "loss_usd_bn": [24.98731, 8.881784e-16]})
    html = display.show(frame, "USD bn", name="losses")._repr_html_()
    assert "South Korea" in html and "SK Hynix" in html and "Loss USD bn" in html
    assert ">25.0<" in html and "e-16" not in html and ">0<" in html  # rounded; a residual is zero
    assert "<th></th>" not in html and "dataframe" not in html  # no index column
    data = re.search(r'download="losses.csv" href="data:text/csv;charset=utf-8;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(data).decode().splitlines()[0] == "economy,loss_usd_bn"  # names stay in the CSV


def test_findings_lead_with_labelled_numbers_and_sentences():

    from econ import findings
    from econ.model.stage import Figure

    found = [Figure("apac_revenue_at_risk_usd_bn", "Revenue at risk, Asia-Pacific with mainland China", "USD bn, nominal",
                    "Asia-Pacific", None, 41.8, 34.8, 49.6),
             Figure("apac_direct_at_risk_usd_bn", "Sales the rule blocks (a year)", "USD bn, nominal", "Asia-Pacific",
                    None, 6.0, 5.1, 6.8),
             Figure("huawei_share_ex_china_2022", "Huawei's share outside China, 2022", "share of new contracts",
                    "World excl. China", 2022, 0.152, 0.129, 0.169)]
    frame = findings.figures(found, ["apac_revenue_at_risk_usd_bn", "huawei_share_ex_china_2022"])
    assert list(frame["figure"]) == ["Revenue at risk, Asia-Pacific with mainland China",
                                     "Huawei's share outside China, 2022"]
    html = findings.Findings(frame)._repr_html_()
    assert "42" in html and "35\u201350" in html and "USD bn, nominal" in html and "15%" in html and "13\u201317%" in html
    assert "between 35 and 50 in nine draws out of ten" in html
    assert findings.compare("Loss", "USD bn", [("Baseline", 0, 0, 0), ("May", 6.5, 4.3, 9.3), ("August", 11, 4.7, 18)]) \
        == "Loss: 11 USD bn (4.7\u201318) under August, down to 6.5 (4.3\u20139.3) under May; none under Baseline."
    rows = [("A", 988, 608, 1638), ("B", 993, 611, 1643), ("C", 495, 302, 827)]
    assert findings.compare("Capex", "RUB bn, real 2020", rows) \
        == "Capex: about 993 RUB bn (real 2020) under A and B, down to 495 (302\u2013827) under C."


def test_coefficients_are_a_readers_table_not_a_raw_summary():
    import statsmodels.api as sm

    x = np.arange(10.0)
    y = 1.0 + 0.5 * x + np.array([0.1, -0.2, 0.05, 0.0, 0.1, -0.1, 0.2, -0.05, 0.0, 0.1])
    res = sm.OLS(y, sm.add_constant(x)).fit()
    table = display.coefficients(res, {"x1": "Slope"}, "constant not shown")
    frame = table.frame
    assert list(frame["term"]) == ["Slope"] and frame["estimate"].iloc[0] == pytest.approx(0.5, abs=0.05)
    assert frame["std_error"].iloc[0] == pytest.approx(round(float(res.bse[1]), 4))
    assert frame["ci90_low"].iloc[0] < frame["estimate"].iloc[0] < frame["ci90_high"].iloc[0]
    html = table._repr_html_()
    assert "10 observations" in html and "constant not shown" in html and "Dep. Variable" not in html
