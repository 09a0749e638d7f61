"""Regression guard: every metric of every shipped scenario against tests/expected/SCENARIO.csv.

Changing a number is a deliberate commit: run `make expected` and say in the commit why it moved.
The values belong to the locked environment (requirements-lock.txt): every draw comes from the
scenario's seeded streams through operations defined the same everywhere (tests/test_determinism.py),
so the tolerance only covers floating-point noise between CPUs and BLAS kernels on that deterministic
path (seen up to 3e-10 relative, from LAPACK's solve and libm's exp and log), not other draws: a single
changed draw moves a median of 2,000 by far more than 1e-7."""

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from econ.scenario import scenario_names

HERE = Path(__file__).parent / "expected"
sys.path.insert(0, str(HERE))
import update  # noqa: E402

RTOL, ATOL = 1e-7, 1e-9


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
