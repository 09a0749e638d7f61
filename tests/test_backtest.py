"""The back-test: the table's rows, fitted figures never scored, the verdicts, and the committed level."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from econ import backtest
from econ.errors import InputError

LEVEL = json.loads((Path(__file__).parent / "expected" / "backtest.json").read_text())


@pytest.fixture(scope="module")
def result():
    return backtest.run(draws=2000)


def test_every_figure_names_its_source_and_fitted_figures_say_what_used_them():
    table = backtest.figures()
    assert table["source_id"].notna().all()
    fitted = table[table["used_to_fit"]]
    assert len(fitted) and fitted["fitted_by"].notna().all()


def test_fitted_figures_are_listed_not_scored(result):
    assert set(result.fitted["figure"]) == set(backtest.figures().query("used_to_fit")["figure_id"])
    assert "model" not in result.fitted or result.fitted["model"].isna().all()


def test_verdicts_follow_the_interval(result):
    s = result.scored
    inside = (s["model_p05"] <= s["published"] + 1e-9) & (s["published"] <= s["model_p95"] + 1e-9)
    assert (inside == s["inside"]).all()
    np.testing.assert_allclose(s["ratio"], s["model"] / s["published"])


def test_the_share_inside_stays_at_or_above_the_committed_level(result):
    m = result.metrics()
    assert m["backtest_scored"] >= LEVEL["backtest_scored"]
    assert m["backtest_inside_share"] >= LEVEL["backtest_inside_share"] - 1e-9, \
        "the model got worse against what was published; fix the mechanism, or say why and lower the level"


def test_a_bad_row_is_named():
    table = backtest.figures()
    bad = pd.concat([table, table.iloc[[0]].assign(quantity="guess:huawei", figure_id="x")], ignore_index=True)
    with pytest.raises(InputError, match=r"backtest.csv: column 'quantity', line \d+: 'guess:huawei'"):
        backtest.check(bad)


def test_reader_tables(result):
    assert {"figure", "published", "model median", "inside"} <= set(result.scored_table().columns)
    assert len(result.chart_frame()) == len(result.scored)


def test_a_bound_that_just_misses_is_printed_with_the_digits_that_show_it():
    from types import SimpleNamespace

    assert backtest._edge(25.0009, 25) == "25.001"       # three figures would print "25": looks inside
    assert backtest._edge(28.94, 25) == "28.9"            # far from the figure: three figures
    assert backtest._edge(25.0, 25) == "25"
    row = SimpleNamespace(inside=False, published=25.0, model_p05=25.0009, model_p95=32.5)
    assert backtest._verdict(row) == "just outside: the model's p05 is 25.001"
    assert backtest._verdict(SimpleNamespace(inside=False, published=4.98, model_p05=1.68, model_p95=1.94)) == "outside"
    assert backtest._verdict(SimpleNamespace(inside=True, published=1, model_p05=0.5, model_p95=2)) == "inside"
