"""Same inputs and seed, same numbers, on any machine: the draws themselves are pinned, the covariance
factor has a defined sign, and the thread count changes nothing.

tests/expected/draws.json holds the first draws of every stage's random inputs at a fixed seed (written
by `make expected`). A change of numpy's or scipy's random streams, of a distribution's quantile
function or of how a stage draws its data shows up here, before it shows up as a moved median."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from econ import uncertainty
from econ.model import world
from econ.scenario import load_scenario

HERE = Path(__file__).parent / "expected"
sys.path.insert(0, str(HERE))
import update  # noqa: E402


def test_the_first_draws_of_every_stage_are_the_committed_ones():
    expected = json.loads((HERE / "draws.json").read_text())
    got = update.pinned_draws()
    assert set(got) == set(expected), "stages added or removed: run `make expected`"
    for stage, values in expected.items():
        assert set(got[stage]) == set(values), f"{stage}: drawn inputs added or removed: run `make expected`"
        for name, first in values.items():
            np.testing.assert_allclose(got[stage][name], first, rtol=1e-12, atol=1e-15,
                                       err_msg=f"{stage}.{name}: the draws changed")


def test_the_factor_of_a_singular_covariance_has_a_defined_sign():
    """The Huawei and ZTE shifts share one source of error: a rank-one covariance. Its factor is the
    Cholesky one (positive diagonal, zero second column), whatever the LAPACK build."""
    cov = np.array([[4.0, 2.0], [2.0, 1.0]])
    factor = uncertainty.psd_cholesky(cov)
    np.testing.assert_array_equal(factor, [[2.0, 0.0], [1.0, 0.0]])
    full = np.array([[4.0, 2.0, 0.4], [2.0, 5.0, 1.0], [0.4, 1.0, 3.0]])
    factor = uncertainty.psd_cholesky(full)
    np.testing.assert_allclose(factor @ factor.T, full, rtol=1e-14)
    assert (np.diag(factor) > 0).all() and np.allclose(factor, np.tril(factor))


def test_a_covariance_that_is_not_positive_semi_definite_is_refused():
    with pytest.raises(ValueError, match="not positive semi-definite"):
        uncertainty.psd_cholesky(np.array([[1.0, 2.0], [2.0, 1.0]]))


def test_multivariate_draws_have_the_covariance_and_ignore_eigenvector_signs():
    rng = np.random.default_rng(7)
    cov = np.array([[0.0016, 0.0012], [0.0012, 0.0009]])   # rank one
    x = uncertainty.multivariate_normal(rng, [0.5, -0.1], cov, 200_000)
    np.testing.assert_allclose(np.cov(x.T), cov, rtol=0.02)
    # exactly on the line the covariance allows: x1 - mean1 = 0.75 (x0 - mean0)
    np.testing.assert_allclose(x[:, 1] + 0.1, 0.75 * (x[:, 0] - 0.5), atol=1e-15)


_RUN = """
import json, sys
from econ.model import world
from econ.scenario import load_scenario
import numba
m = world.assess(load_scenario("russia_2022_exit"), 400).metrics()
print(json.dumps({"threads": numba.get_num_threads(), "metrics": m}))
"""


@pytest.mark.slow
def test_one_and_two_numba_threads_give_identical_metrics():
    """The compiled share kernel splits draws into fixed blocks and does no reassociation (no fastmath),
    so the thread count cannot change a number: compared exactly, not within a tolerance."""
    out = {}
    for threads in (1, 2):
        env = {**os.environ, "NUMBA_NUM_THREADS": str(threads), "OMP_NUM_THREADS": "1"}
        proc = subprocess.run([sys.executable, "-c", _RUN], env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-2000:]
        out[threads] = json.loads(proc.stdout.strip().splitlines()[-1])
        assert out[threads]["threads"] == threads
    assert out[1]["metrics"] == out[2]["metrics"]


def test_the_same_seed_gives_the_same_draws_in_any_order_of_stages():
    scn = load_scenario("history")
    whole = world.draw(scn, 50)
    for name in world.stages():
        part = world.draw(scn, 50, [name])
        for k, v in part.items():
            np.testing.assert_array_equal(v, whole[k], err_msg=f"{k} drawn for {name} alone differs")
