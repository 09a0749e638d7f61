"""Pre-sanction revenue trend: closed-form answers, simulated coverage, the gap, and bad inputs.

Every frame here is built in the test (no dependency on data/), so the expected values are
known from outside the code: an exact geometric or arithmetic series, or a simulation whose
true parameters are set below.
"""

import numpy as np
import pandas as pd
import pytest

from econ.errors import InputError
from econ.model.huawei.trend import RevenueTrend, RevenueTrendResults
from econ.uncertainty import interval

YEARS = np.arange(2013, 2020)  # 2013-2019: the trend period of the real series


def frame(years, revenue, dimension="total", segment="group") -> pd.DataFrame:
    return pd.DataFrame({"year": np.asarray(years, dtype=int), "dimension": dimension, "segment": segment,
                         "revenue_cny_bn": np.asarray(revenue, dtype=float)})


def geometric(growth=0.2, base=100.0, years=YEARS, **key) -> pd.DataFrame:
    """revenue = base * (1 + growth) ** (year - 2013), exactly."""
    return frame(years, base * (1 + growth) ** (np.asarray(years) - 2013), **key)


def noisy_panel(n_series, growth, sigma, seed, years=tuple(range(2013, 2021)), base=200.0) -> pd.DataFrame:
    """``n_series`` loglinear series (2013-2020 by default) with iid normal log errors of sd ``sigma``."""
    rng = np.random.default_rng(seed)
    t = np.asarray(years) - 2013
    log_revenue = np.log(base) + np.log1p(growth) * t + sigma * rng.standard_normal((n_series, len(t)))
    return pd.concat([frame(years, np.exp(log_revenue[i]), "business_group", f"s{i:03d}")
                      for i in range(n_series)], ignore_index=True)


# Known answers: an exact series has growth 0.2, forecast 100 * 1.2**7, and a zero-width interval.

def test_exact_geometric_series_recovers_growth_forecast_and_zero_width_interval():
    res = RevenueTrend(geometric(), until=2019).fit()
    assert isinstance(res, RevenueTrendResults)
    p = res.params.set_index(["dimension", "segment"]).loc[("total", "group")]
    assert p["growth_rate"] == pytest.approx(0.2, abs=1e-9)
    assert p["slope"] == pytest.approx(np.log(1.2), abs=1e-9)
    assert p["intercept"] == pytest.approx(np.log(100 * 1.2**6), abs=1e-9)  # level in 2019
    assert p["r_squared"] == pytest.approx(1.0, abs=1e-9)
    assert (p["n_obs"], p["first_year"], p["last_year"]) == (7, 2013, 2019)

    f = res.forecast([2020, 2021], alpha=0.10).set_index("year")
    assert f.loc[2020, "counterfactual_cny_bn"] == pytest.approx(100 * 1.2**7, abs=1e-6)
    assert f.loc[2021, "counterfactual_cny_bn"] == pytest.approx(100 * 1.2**8, abs=1e-6)
    width = f["upper_cny_bn"] - f["lower_cny_bn"]
    assert (width < 1e-6).all()
    assert (f["lower_cny_bn"] <= f["counterfactual_cny_bn"] + 1e-9).all()

    ci = res.conf_int().set_index("parameter")
    assert ci.loc["growth_rate", "estimate"] == pytest.approx(0.2, abs=1e-9)
    assert ci.loc["growth_rate", "upper"] - ci.loc["growth_rate", "lower"] < 1e-9


def test_linear_form_recovers_exact_arithmetic_series():
    history = frame(YEARS, 100 + 10 * (YEARS - 2013))
    res = RevenueTrend(history, until=2019, form="linear").fit()
    p = res.params.iloc[0]
    assert p["slope"] == pytest.approx(10, abs=1e-9)
    assert p["intercept"] == pytest.approx(160, abs=1e-9)
    assert p["growth_rate"] == pytest.approx(10 / 160, abs=1e-12)
    f = res.forecast(2022).iloc[0]
    assert f["counterfactual_cny_bn"] == pytest.approx(190, abs=1e-6)
    assert f["upper_cny_bn"] - f["lower_cny_bn"] < 1e-6


def test_linear_form_accepts_zero_revenue_that_loglinear_rejects():
    history = frame(YEARS, [0, 10, 20, 30, 40, 50, 60])
    assert RevenueTrend(history, form="linear").fit().params["slope"].iloc[0] == pytest.approx(10)
    with pytest.raises(InputError):
        RevenueTrend(history, form="loglinear")


# Simulation: true growth 8% a year, log errors with sd 0.05.

TRUE_GROWTH, SIGMA = 0.08, 0.05


def test_true_growth_inside_confidence_interval_for_a_noisy_series():
    history = noisy_panel(1, TRUE_GROWTH, SIGMA, seed=20200515)
    res = RevenueTrend(history[history.year <= 2019], until=2019).fit()
    ci = res.conf_int(alpha=0.05).set_index("parameter")
    assert ci.loc["growth_rate", "lower"] < TRUE_GROWTH < ci.loc["growth_rate", "upper"]
    assert ci.loc["slope", "lower"] < np.log1p(TRUE_GROWTH) < ci.loc["slope", "upper"]
    # the estimate is not exact, so the interval has width
    assert ci.loc["growth_rate", "upper"] - ci.loc["growth_rate", "lower"] > 0.005


def test_prediction_interval_covers_held_out_year_about_ninety_percent_of_the_time():
    panel = noisy_panel(200, TRUE_GROWTH, SIGMA, seed=7)
    res = RevenueTrend(panel, until=2019).fit()  # 2020 is in the history but after until: held out
    assert len(res.models) == 200
    gap = res.counterfactual_gap(panel, years=[2020], alpha=0.10)
    assert len(gap) == 200
    covered = (gap["lower_cny_bn"] <= gap["actual_cny_bn"]) & (gap["actual_cny_bn"] <= gap["upper_cny_bn"])
    assert 0.8 <= covered.mean() <= 0.97
    # the interval is not trivially wide either: a 50% interval covers far fewer
    narrow = res.counterfactual_gap(panel, years=[2020], alpha=0.50)
    narrow_covered = (narrow["lower_cny_bn"] <= narrow["actual_cny_bn"]) & (
        narrow["actual_cny_bn"] <= narrow["upper_cny_bn"])
    assert 0.35 <= narrow_covered.mean() <= 0.65


@pytest.mark.filterwarnings("ignore:omni_normtest is not valid")  # statsmodels warns below 8 observations
def test_summary_is_the_statsmodels_table():
    noisy = noisy_panel(1, TRUE_GROWTH, SIGMA, seed=1).assign(dimension="total", segment="group")
    history = pd.concat([noisy, geometric(0.1, 50, dimension="region", segment="china")], ignore_index=True)
    res = RevenueTrend(history, until=2019).fit()
    text = str(res.summary())
    assert "OLS Regression Results" in text
    assert "year_minus_2019" in text and "log_revenue_cny_bn" in text
    assert "OLS Regression Results" in str(res.summary("region", "china"))
    assert hasattr(res.summary(), "_repr_html_")


# The gap.

def test_gap_is_counterfactual_minus_actual_and_positive_below_trend():
    history = geometric()
    res = RevenueTrend(history, until=2019).fit()
    trend_2020, trend_2021 = 100 * 1.2**7, 100 * 1.2**8
    actual = frame([2020, 2021], [0.8 * trend_2020, 1.1 * trend_2021])
    gap = res.counterfactual_gap(actual, years=(2020, 2021)).set_index("year")
    assert list(gap.columns) == ["dimension", "segment", "actual_cny_bn", "counterfactual_cny_bn",
                                 "lower_cny_bn", "upper_cny_bn", "gap_cny_bn", "gap_lower_cny_bn",
                                 "gap_upper_cny_bn", "gap_share"]
    assert (gap["gap_cny_bn"] == gap["counterfactual_cny_bn"] - gap["actual_cny_bn"]).all()
    assert (gap["gap_lower_cny_bn"] == gap["lower_cny_bn"] - gap["actual_cny_bn"]).all()
    assert (gap["gap_upper_cny_bn"] == gap["upper_cny_bn"] - gap["actual_cny_bn"]).all()
    assert (gap["gap_share"] == gap["gap_cny_bn"] / gap["counterfactual_cny_bn"]).all()
    # below trend: positive gap of 20%; above trend: negative gap of 10%
    assert gap.loc[2020, "gap_cny_bn"] == pytest.approx(0.2 * trend_2020, rel=1e-9)
    assert gap.loc[2020, "gap_share"] == pytest.approx(0.2, abs=1e-9)
    assert gap.loc[2021, "gap_cny_bn"] < 0
    assert gap.loc[2021, "gap_share"] == pytest.approx(-0.1, abs=1e-9)


def test_gap_omits_years_and_series_without_an_actual_value():
    history = pd.concat([geometric(), geometric(0.1, dimension="region", segment="china")], ignore_index=True)
    res = RevenueTrend(history, until=2019).fit()
    actual = pd.concat([frame([2020, 2021], [500.0, np.nan]), frame([2021], [150.0], "region", "china")],
                       ignore_index=True)
    gap = res.counterfactual_gap(actual, years=(2020, 2021))
    assert list(zip(gap["dimension"], gap["segment"], gap["year"], strict=True)) == [
        ("region", "china", 2021), ("total", "group", 2020)]


def test_gap_draws_are_seeded_and_centred_on_the_point_gap():
    history = noisy_panel(1, TRUE_GROWTH, SIGMA, seed=3).assign(dimension="total", segment="group")
    res = RevenueTrend(history, until=2019).fit()
    counterfactual = res.forecast(2021)["counterfactual_cny_bn"].iloc[0]
    actual = frame([2021], [0.7 * counterfactual])
    point_gap = res.counterfactual_gap(actual, years=2021, alpha=0.10).iloc[0]

    a = res.gap_draws(actual, 2021, n=20_000, seed=11)
    b = res.gap_draws(actual, 2021, n=20_000, seed=11)
    c = res.gap_draws(actual, 2021, n=20_000, seed=12)
    assert a.shape == (20_000,)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)

    q = interval(a)
    assert q["p50"] == pytest.approx(point_gap["gap_cny_bn"], rel=0.05)
    # the draws' 90% band matches the analytic prediction interval of the gap
    assert q["p05"] == pytest.approx(point_gap["gap_lower_cny_bn"], rel=0.05)
    assert q["p95"] == pytest.approx(point_gap["gap_upper_cny_bn"], rel=0.05)
    assert q["p05"] < q["p50"] < q["p95"]


# Skipped series and bad inputs.

def test_series_with_fewer_than_three_trend_points_are_skipped_with_a_reason():
    history = pd.concat([geometric(), frame([2018, 2019, 2020], [10, 11, 12], "region", "americas")],
                        ignore_index=True)
    res = RevenueTrend(history, until=2019).fit()
    assert list(res.models) == [("total", "group")]
    skipped = res.skipped.set_index(["dimension", "segment"])
    assert skipped.loc[("region", "americas"), "n_obs"] == 2
    assert "at least 3" in skipped.loc[("region", "americas"), "reason"]
    with pytest.raises(InputError, match="not fitted"):
        res.summary("region", "americas")
    assert set(res.forecast(2020)["segment"]) == {"group"}


def test_history_is_not_modified():
    history = geometric()
    before = history.copy()
    RevenueTrend(history, until=2019).fit().counterfactual_gap(frame([2020], [300.0]))
    pd.testing.assert_frame_equal(history, before)


def fields(error: pytest.ExceptionInfo) -> list[str]:
    assert all(file == "huawei_revenue" for file, _, _ in error.value.problems)
    return [field for _, field, _ in error.value.problems]


def test_missing_column_names_the_column():
    with pytest.raises(InputError) as e:
        RevenueTrend(geometric().drop(columns=["revenue_cny_bn"]))
    assert fields(e) == ["revenue_cny_bn"]
    with pytest.raises(InputError) as e:
        RevenueTrend(geometric().drop(columns=["dimension", "year"]))
    assert sorted(fields(e)) == ["dimension", "year"]


@pytest.mark.parametrize("bad", [0.0, -5.0])
def test_non_positive_revenue_in_loglinear_form_is_rejected(bad):
    history = geometric()
    history.loc[2, "revenue_cny_bn"] = bad
    with pytest.raises(InputError, match="total/group 2015") as e:
        RevenueTrend(history, until=2019)
    assert fields(e) == ["revenue_cny_bn"]


@pytest.mark.parametrize("until", [2012, 2020, "2019"])
def test_until_outside_the_years_present_is_rejected(until):
    with pytest.raises(InputError, match="until") as e:
        RevenueTrend(geometric(), until=until)
    assert fields(e) == ["year"]


@pytest.mark.parametrize("years", [2019, [2020, 2018], 2015])
def test_forecast_year_not_after_until_is_rejected(years):
    res = RevenueTrend(geometric(), until=2019).fit()
    with pytest.raises(InputError, match="not after until") as e:
        res.forecast(years)
    assert fields(e) == ["year"]
    with pytest.raises(InputError) as e:
        res.counterfactual_gap(geometric(), years=years)
    assert fields(e) == ["year"]
    with pytest.raises(InputError) as e:
        res.gap_draws(geometric(), int(np.min(years)), n=10, seed=0)
    assert fields(e) == ["year"]


def test_duplicate_rows_and_missing_actual_are_rejected():
    with pytest.raises(InputError, match="more than one row") as e:
        RevenueTrend(pd.concat([geometric(), geometric().iloc[[0]]]))
    assert fields(e) == ["year"]
    res = RevenueTrend(geometric()).fit()
    with pytest.raises(InputError, match="no actual revenue") as e:
        res.gap_draws(frame([2020], [300.0]), 2021, n=10, seed=0)
    assert fields(e) == ["revenue_cny_bn"]
    with pytest.raises(InputError) as e:
        res.counterfactual_gap(frame([2020], [300.0]).drop(columns="segment"))
    assert fields(e) == ["segment"]


def test_unknown_form_is_rejected():
    with pytest.raises(InputError, match="loglinear"):
        RevenueTrend(geometric(), form="exponential")
