"""Regression guard: every metric of every shipped scenario against tests/expected/SCENARIO.csv.

Changing a number is a deliberate commit: run `make expected` and say in the commit why it moved.
The tolerance covers floating-point noise between machines and library builds, not model changes."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from econ.scenario import scenario_names

HERE = Path(__file__).parent / "expected"
sys.path.insert(0, str(HERE))
import update  # noqa: E402

RTOL, ATOL = 1e-6, 1e-9


def test_every_shipped_scenario_has_expected_values():
    assert {p.stem for p in HERE.glob("*.csv")} == set(scenario_names()), "run `make expected`"


@pytest.mark.parametrize("name", scenario_names())
def test_numbers_match_the_committed_values(name):
    expected = pd.read_csv(HERE / f"{name}.csv").set_index("metric")
    got = update.table(name).set_index("metric")
    assert set(got.index) == set(expected.index), "metrics added or removed: run `make expected`"
    for column in ("median", "p05", "p95"):
        np.testing.assert_allclose(got.loc[expected.index, column], expected[column], rtol=RTOL, atol=ATOL,
                                   err_msg=f"{name} {column}: numbers moved; if on purpose, run `make expected`")
