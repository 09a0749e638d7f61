"""The published run: every shipped scenario through every notebook, built once per test session by the
``published_run`` fixture (tests/conftest.py) and read by every test here: its folder, each notebook's
results, its engine, and its pages in headless Chromium (they render offline, are laid out for a
reader, lead with every scenario's figures, and the what-if slider moves the number).

conftest sorts this file first, so that under pytest-xdist (``--dist worksteal``) one worker builds the
run and runs these tests while the other runs the rest of the suite.
"""

import json
import shutil
import time

import nbformat
import pandas as pd
import pytest

from econ import batch, notebook, report, uncertainty
from econ.charts import SPEC_MIME
from econ.notebook import RUN_WIDE, RUN_WIDE_FOLDER
from econ.scenario import scenario_names
from tests.batch_helpers import manifest
from tests.test_browser import RAW_OUTPUT, _assert_offline_source, _pages

NOTEBOOKS = batch.notebooks()


def test_published_run_layout(published_run):
    run_dir = published_run.run_dir
    record = manifest(run_dir)
    assert record["status"] == "complete" and record["summary"]["failed"] == 0
    assert {(j["scenario"], j["notebook"]) for j in record["jobs"]} == \
        {(s, nb.stem) for s in record["scenarios"] for nb in batch.notebooks() if nb.stem not in RUN_WIDE} \
        | {(RUN_WIDE_FOLDER, nb) for nb in RUN_WIDE}
    for job in record["jobs"]:
        folder = run_dir / job["scenario"] / job["notebook"]
        assert {p.name for p in folder.iterdir()} >= {f"{job['notebook']}.ipynb", f"{job['notebook']}.html",
                                                      "results.json", "job.json"}
        assert job["parameters"].get("scenario", RUN_WIDE_FOLDER) == job["scenario"]
    metrics = (run_dir / "metrics.csv").read_text().splitlines()
    assert metrics[0] == "notebook,scenario,metric,value" and len(metrics) > 10
    index = (run_dir / "index.html").read_text()
    assert "<h2 id='differences'>What each scenario changes</h2>" in index
    diffs = pd.read_csv(run_dir / "differences.csv")
    assert {"scenario", "reference", "metric", "unit", "median", "p05", "p95", "prob_positive"} <= set(diffs.columns)
    assert set(diffs["scenario"]) == set(record["scenarios"]) - {"baseline"}
    assert (diffs["p05"] <= diffs["median"] + 1e-12).all() and (diffs["median"] <= diffs["p95"] + 1e-12).all()
    assert "rated_revenue_loss_usd_bn" in index and "Assumptions that differ" in index and "Data sources" in index


def test_every_notebook_writes_its_results(published_run):
    """Every shipped notebook, run for every shipped scenario (once per session, in the published run)."""
    assert {(j.scenario, j.notebook) for j in published_run.jobs} == \
        {(s, p.stem) for s in scenario_names() for p in NOTEBOOKS if p.stem not in notebook.RUN_WIDE} \
        | {(notebook.RUN_WIDE_FOLDER, nb) for nb in notebook.RUN_WIDE}
    for job in published_run.jobs:
        results = json.loads((published_run.run_dir / job.folder / "results.json").read_text())
        assert results["scenario"] == job.scenario
        assert results["metrics"] and all(isinstance(v, int | float) for v in results["metrics"].values())


def test_the_published_run_is_warm(published_run):
    assert manifest(published_run.run_dir)["options"]["engine"] == "warm"
    assert {j.engine for j in published_run.jobs} == {"warm"}


def test_every_published_page_renders_offline_and_is_laid_out_for_a_reader(published_run, browser):
    """One visit per page (a page takes a second to settle): it renders offline, every chart the notebook
    produced is drawn, and nothing overflows, overlaps, is clipped or shows raw output."""
    run_dir = published_run.run_dir
    pages = _pages(run_dir)
    assert len(pages) == 1 + len(published_run.jobs)
    problems = {}
    for path in pages:
        with browser.open(path.as_uri(), timeout=60) as page:
            check = page.check
            found = page.layout_problems() + page.evaluate(RAW_OUTPUT)
        if found:
            problems[str(path.relative_to(run_dir))] = found
        text = _assert_offline_source(path)
        assert not check.external_requests, f"{path}: requests left the page: {check.external_requests}"
        assert not check.errors, f"{path}: console errors: {check.errors}"
        assert check.charts == text.count('class="econ-chart"'), path
        assert check.rendered == check.charts, f"{path}: {check.rendered} of {check.charts} charts rendered"
        if path.name != "index.html":  # one rendered chart per chart spec the notebook produced
            executed = nbformat.read(path.with_suffix(".ipynb"), as_version=4)
            specs = sum(SPEC_MIME in out.get("data", {}) for c in executed.cells for out in c.get("outputs", []))
            assert specs > 0 and check.charts == specs, f"{path}: {check.charts} charts for {specs} specs"
        elif path.parent == run_dir:
            assert check.charts >= 2, "the index charts the headline figures across scenarios, and has the what-if panel"
    assert not problems, json.dumps(problems, indent=1)


def test_offline_source_check_can_fail(tmp_path, published_run):
    bad = tmp_path / "twice.html"
    shutil.copy(published_run.run_dir / "index.html", bad)
    bad.write_text(bad.read_text() + f"<script>{report.vega_bundle()}</script>")
    with pytest.raises(AssertionError, match="exactly once"):
        _assert_offline_source(bad)


def test_first_screen_of_the_comparison_answers_in_words_then_every_scenarios_figures(published_run, browser):
    """The answer first (issue 23): at 1366 x 768 the first screen holds the answer in sentences with
    ranges and S&P's estimate; every scenario's row of headline figures follows, with their p05-p95;
    on a phone (390 px) the table reflows: one scenario's figures stacked, nothing wider than the screen."""
    read_rows = """(() => {
          const rows = [...document.querySelectorAll('table.econ-headline tbody tr:not(.econ-group)')];
          return rows.map(r => ({name: r.cells[0].textContent.trim(), width: r.getBoundingClientRect().width,
                                 numbers: r.querySelectorAll('.econ-number').length,
                                 intervals: r.querySelectorAll('.interval').length}));
        })()"""
    with browser.open((published_run.run_dir / "index.html").as_uri(), width=1366, height=768) as page:
        answer = page.evaluate("""(() => [...document.querySelectorAll('.econ-answer li')].map(li =>
            ({text: li.textContent, bottom: li.getBoundingClientRect().bottom})))()""")
        shown = page.evaluate(read_rows)
    assert 3 <= len(answer) <= 5, answer
    assert all(a["bottom"] <= 768 for a in answer), "the answer is on the first screen"
    text = " ".join(a["text"] for a in answer)
    assert "US$25bn" in text and "\u2013" in text, "S&P's anchor and ranges"
    scenarios = {j.scenario for j in published_run.jobs if j.notebook not in RUN_WIDE}
    assert len(shown) == len(scenarios)
    for row in shown:
        assert row["numbers"] >= 6
    assert sum(r["intervals"] for r in shown) >= 3 * len(shown), "headline figures carry their p05-p95"
    with browser.open((published_run.run_dir / "index.html").as_uri(), width=390, height=844) as page:
        phone = page.evaluate(read_rows)
        wide = page.evaluate("document.querySelector('table.econ-headline').getBoundingClientRect().width")
        page_width = page.size()["width"]
    assert wide <= 390 and all(r["width"] <= 390 for r in phone), "the table reflows on a phone"
    assert page_width <= 390, f"the front page scrolls sideways on a phone ({page_width} px)"


def test_what_if_slider_moves_the_number_to_the_models_value(published_run, browser):
    from econ.report import whatif
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
    assert whatif.payload_bytes({j.scenario: load_scenario(j.scenario) for j in published_run.jobs
                                 if j.notebook not in RUN_WIDE}) < 300_000, size


def test_the_iamc_file_holds_every_model_year_of_the_main_paths(published_run):
    """pyam reads a variable's years as its trajectory: the shares, Huawei's revenue, its chip supply and
    Russia's capex are there for every model year, and where a declared figure gives a year the path's
    point is that figure (the same draws)."""
    import pandas as pd

    from econ.model.market_share.declaration import YEARS

    frame = pd.read_csv(published_run.run_dir / "iamc.csv")
    for variable, region in [("Market Share|New Contracts|Huawei", "World excl. China"),
                             ("Huawei|Revenue|Carrier", "World"), ("Chip Supply|Huawei|Base Stations", "World")]:
        years = frame[(frame["variable"] == variable) & (frame["region"] == region) & (frame["scenario"] == "history")]
        assert sorted(years["year"].unique()) == list(range(YEARS[0], YEARS[-1] + 1)), variable
    capex = frame[(frame["variable"] == "Investment|5G|Capex|Annual") & (frame["scenario"] == "history")]
    assert capex["year"].nunique() >= 10 and set(capex["unit"]) == {"billion RUB_2020"}
    figures = pd.read_csv(published_run.run_dir / "figures.csv")
    declared = figures[(figures["metric"] == "huawei_share_ex_china_2022") & (figures["scenario"] == "history")]
    point = frame[(frame["variable"] == "Market Share|New Contracts|Huawei") & (frame["region"] == "World excl. China")
                  & (frame["scenario"] == "history") & (frame["year"] == 2022) & (frame["quantile"] == 0.5)]
    assert len(point) == 1 and point["value"].iloc[0] == pytest.approx(declared["median"].iloc[0], rel=1e-9)
