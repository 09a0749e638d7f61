"""A run's figures as data (issue 24): the long frame with unit and statistic columns, the codebook that
covers every metric, and the loader; on the published run, results.csv, results.parquet and codebook.csv."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from econ import results
from econ.model import world
from econ.model.stage import figure


def _record(metric: str, draws) -> dict:
    stage, declared = world.metrics_table()[metric]
    return {"scenario": "s", "notebook": "01_x", **figure(declared, draws, stage.name).record()}


def test_a_drawn_figure_is_one_row_per_statistic_with_its_unit_and_year():
    draws = np.linspace(0.0, 10.0, 1001)
    frame = results.tidy([_record("huawei_share_ex_china_2022", draws)], "RUN")
    assert list(frame.columns) == results.COLUMNS
    assert list(frame["statistic"].astype(str)) == ["p05", "p25", "median", "mean", "p75", "p95"]
    got = frame.set_index(frame["statistic"].astype(str))["value"]
    assert got["median"] == pytest.approx(5.0) and got["p25"] == pytest.approx(2.5) and got["mean"] == pytest.approx(5.0)
    assert set(frame["unit"]) == {"share of new contracts"} and set(frame["year"]) == {2022}
    assert set(frame["n_draws"]) == {1001} and set(frame["run_id"]) == {"RUN"}
    assert "2022" not in frame["variable"].iloc[0]  # the year is a column, not part of the variable


def test_a_value_that_is_not_drawn_is_a_value_not_a_median():
    from econ.model.stage import Figure

    record = {"scenario": "_run", "notebook": "05_backtest",
              **Figure("backtest_scored", "Clean outcomes scored", "figures", "World", None, 27.0).record()}
    frame = results.tidy([record])
    assert list(frame["statistic"].astype(str)) == ["value"] and frame["value"].iloc[0] == 27.0
    book = results.codebook(records=[record])
    assert book.set_index("metric").at["backtest_scored", "statistics"] == "value"


def test_the_codebook_names_every_declared_metric_once_with_unit_and_definition():
    book = results.codebook()
    assert list(book.columns) == results.CODEBOOK_COLUMNS
    assert set(world.metrics_table()) <= set(book["metric"]) and book["metric"].is_unique
    declared = book[book["declared_in"].str.startswith("econ.model")]
    assert declared["unit"].astype(bool).all() and declared["definition"].astype(bool).all()
    assert declared.set_index("metric").at["rated_revenue_at_risk_usd_bn", "iamc_variable"]


def test_a_metric_no_stage_declares_takes_its_record_and_says_which_notebook_wrote_it():
    from econ.model.stage import Figure

    record = {"scenario": "s", "notebook": "04_sensitivity",
              **Figure("sobol_max_total_index_x", "Largest total Sobol index of x", "fraction of variance", "World",
                       None, 0.4, 0.3, 0.5).record()}
    row = results.codebook(records=[record]).set_index("metric").loc["sobol_max_total_index_x"]
    assert row["unit"] == "fraction of variance" and row["declared_in"] == "written by notebook 04_sensitivity"


def test_an_unknown_run_is_refused_naming_what_exists(tmp_path):
    from econ.errors import InputError

    (tmp_path / "runs" / "20260101-000000-1").mkdir(parents=True)
    with pytest.raises(InputError, match="no such run.*20260101-000000-1"):
        results.load("20260102-nope", outputs=tmp_path)
    with pytest.raises(InputError, match="not a run folder"):
        results.load(tmp_path / "runs")


@pytest.mark.slow
def test_a_published_run_holds_its_figures_long_with_a_codebook_for_every_metric(published_run):
    run_dir = published_run.run_dir
    frame = results.load(run_dir)
    assert {"unit", "statistic", "value", "year", "region"} <= set(frame.columns) and len(frame)
    assert frame["unit"].notna().all()
    saved = pd.read_csv(run_dir / "results.csv")
    assert len(saved) == len(frame) and list(saved.columns) == results.COLUMNS
    parquet = pd.read_parquet(run_dir / "results.parquet")
    assert len(parquet) == len(frame) and np.allclose(parquet["value"], frame["value"], rtol=1e-9)
    book = pd.read_csv(run_dir / "codebook.csv")
    metrics = pd.read_csv(run_dir / "metrics.csv")["metric"]
    named = set(book["metric"])
    bare = {m.removesuffix("_p05").removesuffix("_p95").removesuffix("_p50") for m in metrics}
    assert bare <= named, sorted(bare - named)[:10]
    drawn = frame[frame["statistic"] == "p25"]
    assert len(drawn) and drawn["n_draws"].notna().all()  # this version records quartiles and the draw count
