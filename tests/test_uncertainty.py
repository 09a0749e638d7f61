import numpy as np
import pytest
from pydantic import ValidationError

from econ import uncertainty as u


@pytest.mark.parametrize("dist", [
    u.Uniform(low=0.1, high=0.5),
    u.Triangular(low=0.0, mode=0.2, high=1.0),
    u.Normal(mean=0.3, sd=0.5, low=0.0, high=0.6),
    u.LogNormal(median=2.0, sigma=1.0, low=0.5, high=5.0),
])
def test_draws_stay_in_bounds_and_are_seeded(dist):
    a = u.draw(dist, 50_000, seed=7, name="x")
    b = u.draw(dist, 50_000, seed=7, name="x")
    c = u.draw(dist, 50_000, seed=8, name="x")
    assert a.min() >= dist.low and a.max() <= dist.high
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_closed_form_moments():
    # Uniform(a, b) mean (a+b)/2; triangular mean (a+b+c)/3; untruncated-ish normal mean.
    assert u.draw(u.Uniform(low=2, high=4), 200_000, 1, "a").mean() == pytest.approx(3, abs=0.01)
    tri = u.draw(u.Triangular(low=0, mode=1, high=5), 200_000, 1, "b")
    assert tri.mean() == pytest.approx(2.0, abs=0.02)
    norm = u.draw(u.Normal(mean=1, sd=0.1, low=0, high=2), 200_000, 1, "c")
    assert norm.mean() == pytest.approx(1, abs=0.002) and norm.std() == pytest.approx(0.1, abs=0.002)
    logn = u.draw(u.LogNormal(median=3, sigma=0.2, low=0.1, high=100), 200_000, 1, "d")
    assert np.median(logn) == pytest.approx(3, rel=0.01)


def test_streams_are_per_parameter():
    dist = u.Uniform(low=0, high=1)
    assert not np.array_equal(u.draw(dist, 10, 1, "a"), u.draw(dist, 10, 1, "b"))


def test_point_value_repeats():
    np.testing.assert_array_equal(u.draw(0.25, 3, 1, "x"), [0.25, 0.25, 0.25])


@pytest.mark.parametrize("bad", [
    dict(cls=u.Uniform, low=1, high=0),
    dict(cls=u.Triangular, low=0, mode=2, high=1),
    dict(cls=u.Normal, mean=5, sd=1, low=0, high=1),
    dict(cls=u.Normal, mean=0.5, sd=0, low=0, high=1),
    dict(cls=u.LogNormal, median=1, sigma=1, low=0, high=2),
    dict(cls=u.Uniform, low=0, high=float("nan")),
])
def test_bad_distributions_rejected(bad):
    cls = bad.pop("cls")
    with pytest.raises(ValidationError):
        cls(**bad)


def test_interval():
    iv = u.interval(np.arange(101.0))
    assert (iv["p05"], iv["p50"], iv["p95"]) == (5.0, 50.0, 95.0)


def test_sobol_confidence_intervals_are_the_same_on_every_run_even_at_seed_zero():
    """The bootstrap behind the Sobol' confidence intervals draws from the given seed, 0 included."""
    rng = np.random.default_rng(3)
    k, n_base = 2, 64
    ys = rng.normal(size=(n_base * (k + 2), 1))
    a, b = u.sobol_indices(ys, k, n_base, seed=0), u.sobol_indices(ys, k, n_base, seed=0)
    np.testing.assert_array_equal(a["S1_conf"], b["S1_conf"])
    np.testing.assert_array_equal(a["ST_conf"], b["ST_conf"])


def test_a_data_row_is_triangular_around_its_value_or_fixed_without_a_range():
    ranged, fixed = u.data_range(0.3, 0.2, 0.5), u.data_range(0.3, 0.3, 0.3)
    assert u.central(ranged) == 0.3 and u.bounds(ranged) == (0.2, 0.5)
    np.testing.assert_array_equal(u.draw(fixed, 4, 1, "x"), np.full(4, 0.3))
