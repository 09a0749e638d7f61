"""The scenario-comparison page: metric grouping, intervals, differing assumptions, escaping."""

import html
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from econ.batch import Job
from econ.report import comparison, figures, sections
from econ.scenario import load_scenario
from tests.conftest import HOSTILE_TITLE


def test_figures_are_read_back_as_records_from_results_json(tmp_path):
    """results.json holds each figure as a record; the run's figures frame reads those records, never the
    older flat keys, so a figure's region, year and interval come from its declaration."""
    from econ import notebook
    from econ.model import world
    from econ.model.stage import Figure, figure

    declared = world.metrics_table()
    found = [figure(declared["huawei_share_ex_china_2022"][1], np.linspace(0.1, 0.2, 101), "market_share"),
             Figure("backtest_scored", "Published figures scored", "figures", "World", None, 52.0)]
    folder = tmp_path / "a" / "02_market_share"
    folder.mkdir(parents=True)
    notebook.write_results(folder, load_scenario("baseline"), found)
    job = Job("a", "02_market_share", "/x/02_market_share.ipynb", {}, status="ok")
    frame = figures.figures_frame(tmp_path, [job]).set_index("metric")
    share = frame.loc["huawei_share_ex_china_2022"]
    assert (share["region"], share["year"], share["variable"]) == ("World excl. China", 2022, "Huawei's share outside China")
    assert [share[k] for k in ("median", "p05", "p95")] == pytest.approx([0.15, 0.105, 0.195])
    assert frame.loc["backtest_scored", "median"] == 52 and math.isnan(frame.loc["backtest_scored", "p05"])
    legacy = figures.metrics_frame(tmp_path, [job]).set_index("metric")["value"]
    assert legacy["huawei_share_ex_china_2022_p95"] == pytest.approx(0.195)  # the older keys stay for other tools


def test_differing_assumptions_of_shipped_scenarios():
    scenarios = {n: load_scenario(n) for n in ("baseline", "may2020_fdpr", "aug2020_expansion")}
    table = figures.differing_assumptions(scenarios).set_index("parameter")
    assert "covered_categories" in table.index and "substitution_rate" in table.index
    assert "indirect_coverage" not in table.index  # the same in all three
    assert table.loc["covered_categories", "may2020_fdpr"] == "foundry"
    same = figures.differing_assumptions({"a": scenarios["baseline"], "b": scenarios["baseline"]})
    assert same.empty


def test_index_escapes_scenario_text_and_lists_failures(tiny_scenarios):
    scn = load_scenario(tiny_scenarios / "a.yaml")
    assert scn.title == HOSTILE_TITLE
    failed = Job("a", "00_tiny", "/x/00_tiny.ipynb", {}, title=scn.title, status="failed",
                 error={"cell": 4, "name": "ValueError", "message": "<b>bad</b> & worse"})
    page = comparison.index_html("run-1", [failed], {"a": scn}, {"summary": {"failed": 1}},
                                 figures.figures_frame(tiny_scenarios, []))
    assert "<script>alert(" not in page and "<img src=x" not in page and "&lt;script&gt;alert(" in page
    assert "&lt;b&gt;bad&lt;/b&gt; &amp; worse" in page and "href='a/00_tiny/00_tiny.html'" in page
    assert "econ-index-timeline" in page and "econ-index-chart-1" not in page  # no figures: only the timeline chart


def test_import_skips_the_rfc3987_grammar_and_charts_still_validate():
    code = ("import sys, econ, altair as alt, pandas as pd\n"
            "assert sys.modules.get('rfc3987_syntax') is None\n"
            "alt.Chart(pd.DataFrame({'x': [1]})).mark_point().encode(x='x:Q').to_dict(validate=True)\n")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def _headline_metrics(scenarios=("baseline", "may2020_fdpr", "aug2020_expansion", "russia_pivot")):
    """A figures frame (econ.report.figures.figures_frame) with three declared figures per scenario."""
    from econ.model import world

    declared = world.metrics_table()
    rows = []
    for i, s in enumerate(scenarios):
        for metric, value in (("rated_revenue_at_risk_usd_bn", 20.0 * i), ("apac_revenue_at_risk_usd_bn", 30.0 * i),
                              ("huawei_share_ex_china_2022", 0.18 - 0.01 * i)):
            m = declared[metric][1]
            rows.append({"notebook": "01_revenue_impact", "scenario": s, "metric": metric, "label": m.label,
                         "unit": m.unit, "region": m.region, "year": m.year, "first_year": m.first_year,
                         "variable": m.iamc_variable, "median": value, "p05": value * 0.8, "p95": value * 1.2})
    return pd.DataFrame(rows, columns=figures.FIGURE_COLUMNS)


def test_index_opens_with_every_scenarios_headline_figures_in_story_order():
    names = ("russia_pivot", "baseline", "aug2020_expansion", "may2020_fdpr")  # alphabet and run order differ
    scenarios = {n: load_scenario(n) for n in names}
    jobs = [Job(n, "01_revenue_impact", "/x/notebooks/01_revenue_impact.ipynb", {}, title=s.title, status="ok")
            for n, s in scenarios.items()]
    page = comparison.index_html("run-1", jobs, scenarios, {"summary": {}}, _headline_metrics())
    headline = page[page.index("<h2 id='headline'>"):page.index("<h2 id='in-words'>")]
    order = [headline.index(figures.short_title(scenarios[n], n)) for n in
             ("baseline", "may2020_fdpr", "aug2020_expansion", "russia_pivot")]
    assert order == sorted(order), "scenarios in story order (data/story.yaml)"
    assert page.index("<h2 id='headline'>") < page.index("<h2 id='scenarios'>") < page.index("<h2 id='results'>")
    assert "Revenue at risk, Taiwan, Korea, Japan" in headline and "USD bn, nominal" in headline
    assert "<span class='econ-number'>" in headline and "48\u201372" in headline  # 60 [48, 72]
    assert "rated_revenue_at_risk_usd_bn" not in headline.replace("data-metric='rated_revenue_at_risk_usd_bn'", "")
    words = page[page.index("<h2 id='in-words'>"):]
    assert ("Revenue at risk, Taiwan, South Korea and Japan: 60 USD bn (48\u201372, nominal) under Russia turns to Huawei"
            in words)


def test_index_names_the_overrides_of_a_modified_run():
    scenarios = {"may2020_fdpr": load_scenario("may2020_fdpr", overrides={"substitution_rate": 0.3})}
    page = comparison.index_html("run-1", [], scenarios, {"options": {"overrides": {"substitution_rate": 0.3}}},
                                 _headline_metrics(("may2020_fdpr",)))
    assert "Modified run" in page and "substitution_rate = 0.3" in page


def test_iamc_file_follows_the_long_format(tmp_path):
    """The IAMC long format pyam reads: lower-case columns with quantile as an extra column (so the p05
    and p95 are never taken for components), one value per model, scenario, region, variable, unit,
    year and quantile, a `|` hierarchy of variables, units pint reads; every declared variable has its
    IAMC name."""
    from econ.model import world
    from econ.report import iamc

    declared = world.metrics_table()
    assert {m.iamc_variable for _, m in declared.values()} <= set(iamc.VARIABLES), "a declared variable has no IAMC name"
    scenarios = {n: load_scenario(n) for n in ("baseline", "may2020_fdpr")}
    table = iamc.frame(_headline_metrics(tuple(scenarios)), scenarios, {"substitution_rate": 0.3})
    path = tmp_path / iamc.FILE
    path.write_text(iamc.to_csv(table))
    df = pd.read_csv(path)
    assert list(df.columns) == iamc.COLUMNS
    assert df.notna().all().all() and np.isfinite(df["value"]).all()
    assert pd.api.types.is_integer_dtype(df["year"]) and set(df["quantile"]) == {0.05, 0.5, 0.95}
    assert not df.duplicated(["model", "scenario", "region", "variable", "unit", "year", "quantile"]).any()
    assert set(df["model"]) == {iamc.MODEL}
    assert set(df["scenario"]) == {"baseline (substitution_rate=0.3)", "may2020_fdpr (substitution_rate=0.3)"}
    assert not df["variable"].str.contains("percentile|'", regex=True).any()  # no quantile children, no prose
    risks = df[df["variable"] == "Suppliers|Revenue at Risk"]
    assert set(risks["region"]) == {"Asia-Pacific", "Taiwan, South Korea and Japan"}  # one variable, two scopes
    units = df.groupby("variable")["unit"].first()
    assert units["Suppliers|Revenue at Risk"] == "billion USD_2020"  # nominal, in the rule's year
    assert units["Market Share|New Contracts|Huawei"] == "dimensionless"
    may = df[df["scenario"].str.startswith("may2020_fdpr") & (df["quantile"] == 0.5)]
    share = may[(may["variable"] == "Market Share|New Contracts|Huawei") & (may["region"] == "World excl. China")]
    assert list(share["year"]) == [2022] and abs(share["value"].iloc[0] - 0.17) < 1e-9
    risk = may[(may["variable"] == "Suppliers|Revenue at Risk") & (may["region"] == "Asia-Pacific")]
    assert list(risk["year"]) == [2020]  # the 12 months after the rule
    assert "CNY_2021 = USD_2021 / 6.4508" in iamc.units_definitions()  # the Fed's 2021 average


def _trajectories(scenarios: dict) -> pd.DataFrame:
    """Every yearly path of each scenario at a few draws, as a run's trajectories_frame holds them."""
    from econ import trajectories
    from econ.model import world
    from econ.report.figures import TRAJECTORY_COLUMNS

    rows = [{"scenario": name, **row} for name, scn in scenarios.items()
            for row in trajectories.of_world(world.assess(scn, 200))]
    return pd.DataFrame(rows, columns=TRAJECTORY_COLUMNS)


def test_pyam_reads_the_iamc_file_converts_its_units_and_finds_no_quantile_children(tmp_path):
    """With pyam installed (`pip install pyam-iamc "sqlalchemy<2.1"`; not in the lock), the file loads,
    every unit converts to dollars with the run's currency definitions, and check_aggregate compares a
    total only with its components at the same quantile."""
    pyam = pytest.importorskip("pyam", reason="pyam is optional: pip install pyam-iamc 'sqlalchemy<2.1'")
    from iam_units import registry

    from econ.report import iamc

    scenarios = {n: load_scenario(n) for n in ("baseline", "may2020_fdpr")}
    path = tmp_path / iamc.FILE
    path.write_text(iamc.to_csv(iamc.frame(_headline_metrics(tuple(scenarios)), scenarios, None,
                                           _trajectories(scenarios))))
    (tmp_path / iamc.UNITS_FILE).write_text(iamc.units_definitions())
    registry.load_definitions(str(tmp_path / iamc.UNITS_FILE))
    df = pyam.IamDataFrame(str(path))
    assert df.extra_cols == ["quantile"]
    totals = sorted({v.rsplit("|", 1)[0] for v in df.variable if "|" in v} & set(df.variable))
    for quantile in sorted(set(df.data["quantile"])):
        for total in totals:
            flagged = df.filter(quantile=quantile).check_aggregate(total)
            assert flagged is None or flagged.empty, (total, quantile, flagged)
    for unit in df.unit:
        if unit.startswith("billion "):
            currency = unit.split()[1]
            df.filter(unit=unit).convert_unit(unit, to=f"billion USD_{currency[-4:]}", registry=registry)


def test_the_backtest_section_opens_with_the_skill_in_words_and_links_to_its_page():
    values = {"backtest_scored": (29, None, None), "backtest_skill_persistence": (-0.12, -0.3, 0.05),
              "backtest_skill_trend": (0.4, None, None), "backtest_inside_share": (0.83, None, None),
              "backtest_coverage_50_model": (0.45, None, None), "backtest_width_90_model": (1.66, None, None),
              "backtest_not_clean": (25, None, None)}
    rows = [{"notebook": "05_backtest", "scenario": "_run", "metric": k, "median": v[0], "p05": v[1], "p95": v[2]}
            for k, v in values.items()]
    section = sections._backtest_section(pd.DataFrame(rows))
    opening = html.unescape(section.split("<p><strong>", 1)[1])
    assert opening.startswith("On the 29 clean outcomes of 2020-2024, the model's forecasts score 12% worse than "
                              "persistence"), opening
    assert "skill -0.12, -0.30 to +0.05" in section and "40% better than the pre-2020 trend" in section
    assert "83% of those outcomes" in section and "25 other figures" in section
    assert "_run/05_backtest/05_backtest.html" in section
    assert sections._backtest_section(pd.DataFrame(columns=["notebook", "scenario", "metric", "median"])) == ""


def test_the_what_if_says_which_slider_moves_nothing_where():
    """Merchant chips are blocked too from the August 2020 rule on: switching to them changes nothing
    there, and the panel says so; under the May rule the slider moves the loss."""
    from econ.report import whatif

    scenarios = {n: load_scenario(n) for n in ("may2020_fdpr", "aug2020_expansion")}
    inert = whatif.inert(scenarios)
    assert inert["merchant_chip_switch_share"] == ["aug2020_expansion"]
    assert inert["rival_recapture_rate"] == []
    assert "does not move the figure under" in whatif.panel(scenarios)


def test_a_readers_figures_csv_has_the_figure_scenario_unit_and_range_rounded():
    from econ import findings

    frame = _headline_metrics(("may2020_fdpr",)).assign(median=lambda f: f["median"] + 1 / 3)
    out = findings.reader_frame(frame)
    assert list(out.columns) == findings.READER_COLUMNS
    assert set(out["scenario"]) == {"may2020_fdpr"} and out["run_date"].str.fullmatch(r"\d{4}-\d\d-\d\d").all()
    assert (out["median"] == out["median"].map(lambda v: float(f"{v:.4g}"))).all() and out["figure"].notna().all()


def test_a_partial_run_shows_its_headline_beside_the_latest_full_run():
    from econ.report.comparison import beside_latest

    row = {"notebook": "01_revenue_impact", "metric": "rated_revenue_loss_usd_bn", "label": "Net loss",
           "unit": "USD bn, nominal", "region": "Asia-Pacific", "p05": 4.0, "p95": 7.0}
    mine = pd.DataFrame([{**row, "scenario": "may2020_fdpr", "median": 5.4}])
    latest = pd.DataFrame([{**row, "scenario": "may2020_fdpr", "median": 5.1},
                           {**row, "scenario": "history", "median": 9.7}])
    html_text = beside_latest(mine, latest, "20261207-000000-1", ["may2020_fdpr"])
    assert "<h2 id='beside-latest'>" in html_text and "../20261207-000000-1/index.html" in html_text
    assert html_text.count("<tr><td") == 1 and "5.4" in html_text and "5.1" in html_text and "9.7" not in html_text
    assert beside_latest(mine, latest.iloc[1:], "x", ["may2020_fdpr"]) == ""  # nothing in common: no section


def test_the_iamc_meta_table_has_one_row_per_scenario_with_its_parents_seed_and_story_group():
    from econ.report import iamc

    scenarios = {n: load_scenario(n) for n in ("baseline", "may2020_fdpr")}
    meta = iamc.meta(scenarios, {"substitution_rate": 0.3}, {"may2020_fdpr": 2000})
    rows = meta.set_index("scenario")
    assert list(rows.index) == ["baseline (substitution_rate=0.3)", "may2020_fdpr (substitution_rate=0.3)"]
    may = rows.loc["may2020_fdpr (substitution_rate=0.3)"]
    assert may["parents"] == "baseline" and may["seed"] == scenarios["may2020_fdpr"].seed and may["draws"] == 2000
    assert may["overrides"] == "substitution_rate=0.3" and may["story_group"] and may["title"]
    assert set(meta["model"]) == {iamc.MODEL}
