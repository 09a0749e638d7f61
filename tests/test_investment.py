"""Investment model: properties that must hold over the draws, closed forms, breakdowns, bad input."""


import numpy as np
import pytest
import vl_convert
from conftest import edit as _edit

from econ import charts, data, investment
from econ.errors import InputError
from econ.scenario import Parameters, load_scenario

N = 2000
HEADLINE = ["russia_5g_capex_rub_bn_2020_2024", "russia_5g_capex_rub_bn_2020_2027", "russia_5g_capex_npv_rub_bn",
            "uk_rip_and_replace_gbp_bn", "us_rip_and_replace_usd_bn"]


@pytest.fixture(scope="module")
def inputs():
    return investment.Inputs.load()


def _run(inputs, name="baseline", n=N, **overrides):
    return investment.assess(load_scenario(name, overrides=overrides), n, inputs)


def _total(needs):
    return needs.capex.sum(axis=1)


def _sites_2030(needs):
    return needs.russia["sites"][:, :, -1].sum(axis=1)


@pytest.mark.parametrize("name", ["baseline", "russia_pivot"])
def test_headline_metrics_present_and_ordered(inputs, name):
    m = _run(inputs, name).metrics()
    for metric in HEADLINE:
        assert m[f"{metric}_p05"] <= m[metric] <= m[f"{metric}_p95"], metric
        assert m[f"{metric}_p05"] < m[f"{metric}_p95"], f"{metric} has no uncertainty"
    assert m["russia_5g_capex_rub_bn_2020_2024"] < m["russia_5g_capex_rub_bn_2020_2027"] \
        < m["russia_5g_capex_rub_bn_2020_2030"]
    # Nominal exceeds real when prices rise; the present value is below the undiscounted sum.
    assert m["russia_5g_capex_nominal_rub_bn_2020_2027"] > m["russia_5g_capex_rub_bn_2020_2027"]
    assert m["russia_5g_capex_npv_rub_bn"] < m["russia_5g_capex_rub_bn_2020_2030"]


def test_same_seed_same_numbers(inputs):
    assert _run(inputs, "russia_pivot").metrics() == _run(inputs, "russia_pivot").metrics()
    other = load_scenario("russia_pivot").model_copy(update={"seed": 7})
    assert investment.assess(other, N, inputs).metrics() != _run(inputs, "russia_pivot").metrics()


# --- properties of the build-out -----------------------------------------------------------------

def test_more_sites_never_cost_less():
    """Sites added in every tier and year at least as many as before never cost less, whatever the
    existing sites and prices (new sites cost at least an upgrade), over random draws."""
    rng = np.random.default_rng(5)
    n, t, y = 400, len(investment.TIERS), len(investment.YEARS)
    existing = np.cumsum(rng.uniform(0, 50, (n, t, y)), axis=-1)
    upgrade_cost = rng.uniform(0.5, 5, (n, y))
    new_cost = upgrade_cost + rng.uniform(0, 5, (n, y))
    added = rng.uniform(0, 100, (n, t, y))
    costs = []
    for extra in (0.0, 0.1, 0.5, 2.0):
        sites = np.cumsum(added * (1 + extra * rng.uniform(0, 1, (n, t, y))), axis=-1)
        new, upgrades = investment.split_new_and_upgrades(sites, existing)
        assert np.all(upgrades.cumsum(axis=-1) <= existing + 1e-9) and np.all(new >= -1e-12)
        np.testing.assert_allclose((new + upgrades).cumsum(axis=-1), sites)
        costs.append(sum(investment.site_capex(new, upgrades, new_cost, upgrade_cost, 4)).sum(axis=-1))
        added = added * (1 + extra)  # the next path adds at least as much in every tier and year
    for a, b in zip(costs, costs[1:]):
        assert np.all(b >= a - 1e-9)


@pytest.mark.parametrize("name", ["baseline", "russia_pivot"])
def test_more_coverage_means_more_sites_and_more_cost(inputs, name):
    """Scenario level, with traffic held flat so that coverage sets the site count: more of each city
    covered, or smaller cells, means more sites and a bigger bill in every draw. (When capacity binds,
    covering more area can let the same number of capacity sites reuse more existing masts, so the
    bill can fall without any site being added: not a counterexample.)"""
    chains = [[_run(inputs, name, traffic_growth=0.0, urban_coverage_share=c) for c in (0.2, 0.4, 0.6, 0.8, 1.0)],
              [_run(inputs, name, traffic_growth=0.0, site_coverage_km2=a) for a in (0.8, 0.4, 0.2, 0.1)]]
    for chain in chains:
        for a, b in zip(chain, chain[1:]):
            assert np.all(_sites_2030(b) > _sites_2030(a))
            assert np.all(_total(b) > _total(a))


@pytest.mark.parametrize("name", ["baseline", "russia_pivot"])
def test_sharing_never_costs_more_than_building_alone(inputs, name):
    alone, partial, single = (_run(inputs, name, network_sharing=m).capex for m in ("alone", "partial", "single"))
    assert np.all(partial <= alone + 1e-9) and np.all(single <= partial + 1e-9)   # every draw, every year
    assert np.all(single.sum(axis=1) < alone.sum(axis=1))


@pytest.mark.parametrize("vendor", investment.VENDORS)
def test_domestic_price_premium_raises_cost(inputs, vendor):
    levels = [_total(_run(inputs, vendor_choice=vendor, domestic_price_premium=d)) for d in (0.0, 0.5, 1.0, 2.0, 3.0)]
    for a, b in zip(levels, levels[1:]):
        assert np.all(b > a)
    # With no Russian-made kit required the premium changes nothing.
    none = [_total(_run(inputs, vendor_choice=vendor, domestic_share_target=0.0, domestic_price_premium=d))
            for d in (0.0, 3.0)]
    np.testing.assert_allclose(none[0], none[1])


def test_releasing_the_military_band_lowers_site_counts(inputs):
    years = [2031, 2029, 2026, 2023, 2020]  # 2031: never released within the horizon
    sites = [_sites_2030(_run(inputs, military_band_release_year=y)) for y in years]
    for later, earlier in zip(sites, sites[1:]):
        assert np.all(earlier <= later + 1e-9)
    assert np.all(sites[-1] < sites[0])


def test_central_values_fall_inside_the_draws(inputs):
    scn = load_scenario("russia_pivot")
    s = scn.parameters
    point = investment.russia_capex(inputs, investment.central_params(scn, inputs), s.network_sharing,
                                    s.vendor_choice, s.military_band_release_year)["capex"].sum()
    m = _run(inputs, "russia_pivot").metrics()
    assert m["russia_5g_capex_rub_bn_2020_2030_p05"] < point < m["russia_5g_capex_rub_bn_2020_2030_p95"]


def test_band_and_vendor_ordering(inputs):
    table = _run(inputs).by_band_and_vendor().set_index(["band", "vendor"])["capex_rub_bn"]
    for vendor in investment.VENDORS:
        assert table[("3.4-3.8 GHz", vendor)] < table[("4.4-4.99 GHz", vendor)]
    for band in investment.BANDS:
        assert table[(band, "huawei")] < table[(band, "mixed")] < table[(band, "western")]


def test_scenario_vendor_choice_matches_its_alternative(inputs):
    needs = _run(inputs, "russia_pivot")
    assert needs.scenario.parameters.vendor_choice == "huawei"
    np.testing.assert_allclose(_total(needs), needs.alternatives[("4.4-4.99 GHz", "huawei")])


# --- closed forms ----------------------------------------------------------------------------------

def test_npv_at_zero_discount_is_the_sum_and_matches_the_annuity_formula():
    rng = np.random.default_rng(1)
    flows = rng.uniform(0, 100, size=(50, len(investment.YEARS)))
    np.testing.assert_allclose(investment.npv(flows, np.zeros(50)), flows.sum(axis=1))
    r, y = 0.1, len(investment.YEARS)
    annuity = (1 - (1 + r) ** -y) / r * (1 + r)  # payments at the start of each year from the base year
    np.testing.assert_allclose(investment.npv(np.ones((1, y)), [r]), annuity)


def test_nominal_is_real_at_zero_inflation_and_compounds():
    real = np.ones((2, 3, len(investment.YEARS)))
    np.testing.assert_allclose(investment.nominal(real, [0.0, 0.0]), real)
    grown = investment.nominal(real, [0.1, 0.0])
    assert grown[0, 0, 1] == pytest.approx(1.1) and grown[0, 0, -1] == pytest.approx(1.1 ** 10)


def test_currency_conversion_round_trips(inputs):
    rates = inputs.rates
    for year in (2020, 2022, 2026):  # 2026 is after the data: the last observed rate is used
        x = 123.4
        via = investment.convert(investment.convert(x, "RUB", "USD", year, rates), "USD", "GBP", year, rates)
        assert investment.convert(via, "GBP", "RUB", year, rates) == pytest.approx(x)
    assert investment.units_per_usd(rates, "RUB", 2026) == investment.units_per_usd(rates, "RUB", 2022)
    assert investment.convert(72.15, "RUB", "USD", 2020, rates) == pytest.approx(1.0)  # Bank of Russia 2020 average
    with pytest.raises(InputError, match="no XYZ rate"):
        investment.units_per_usd(rates, "XYZ", 2020)


def test_rip_and_replace_closed_form(inputs):
    out = investment.rip_and_replace(np.array([1000.0]), 0.1, 0.2, window_years=7, orderly_years=7)
    assert out["replacement"][0] == pytest.approx(100) and out["early premium"][0] == pytest.approx(20)
    faster = investment.rip_and_replace(np.array([1000.0]), 0.1, 0.2, window_years=1, orderly_years=7)
    assert faster["early premium"][0] == pytest.approx(140)
    with pytest.raises(ValueError):
        investment.rip_and_replace(1.0, 1.0, 0.1, window_years=0, orderly_years=7)


def test_uk_cost_rises_with_an_earlier_deadline_and_premium(inputs):
    by_deadline = [_run(inputs, uk_removal_deadline=y).metrics()["uk_rip_and_replace_gbp_bn"] for y in (2030, 2027, 2023)]
    assert by_deadline[0] < by_deadline[1] < by_deadline[2]
    zero = _run(inputs, rip_replace_early_premium=0.0)
    np.testing.assert_allclose(zero.rip["uk"]["early premium"], 0.0)
    # With no premium the US figure is the carriers' filed replacement cost (FCC, Sep 2020): 1.618-2.0, mode 1.837.
    assert zero.metrics()["us_rip_and_replace_usd_bn"] == pytest.approx(1.82, abs=0.03)


# --- inputs, breakdowns and charts ------------------------------------------------------------------

def test_defaults_follow_the_data():
    plan = data.defaults("russia_5g_plan").set_index("item")["value"]
    fields = Parameters.model_fields
    assert fields["domestic_share_target"].default == plan["domestic_equipment_share"]
    timeline = data.load("sanctions_timeline").set_index("event_id")
    assert fields["uk_removal_deadline"].default == int(timeline.at["gb_5g_removal_deadline_2027", "date"][:4])
    costs = data.defaults("five_g_costs")
    quoted = costs[costs["parameter"] == "western_price_premium_over_huawei"]["value"].iloc[0]
    assert fields["western_price_premium"].default == pytest.approx(quoted)


def test_tiers_and_targets(inputs):
    tiers = inputs.tiers.set_index("tier")
    cities = data.load("russia_cities")
    assert tiers["population_m"].sum() == pytest.approx(cities.loc[cities.kind == "urban_total", "population_m"].iloc[0])
    assert tiers.at["million_plus", "cities"] == 15
    share = inputs.coverage_share
    assert share.min() >= 0 and share.max() <= 1 and np.all(np.diff(share, axis=1) >= -1e-12)
    # The roadmap's 2024 target: the 10 largest of the 15 million-plus cities.
    pops = np.sort(cities.loc[(cities.kind == "city") & (cities.population_m >= 1), "population_m"].to_numpy())[::-1]
    assert share[0, list(investment.YEARS).index(2024)] == pytest.approx(pops[:10].sum() / pops.sum())


def test_operator_capacity_fills_missing_operators_with_a_labelled_assumption(inputs):
    capex = inputs.operator_capex.set_index("operator")
    assert set(capex.index) == set(investment.OPERATORS)
    assert capex.at["mts", "capex_rub_bn"] == pytest.approx(113.98)
    assert capex.loc[["beeline", "tele2"], "basis"].str.startswith("assumption").all()
    needs = _run(inputs)
    assert needs.capacity() == pytest.approx(capex["capex_rub_bn"].sum() * 0.57)
    gap = needs.financing_gap()
    np.testing.assert_allclose(gap.capacity_rub_bn, needs.capacity())


def test_breakdowns_are_tidy_and_state_their_basis(inputs):
    needs = _run(inputs, "russia_pivot")
    comp = needs.capex_by_year_component()
    assert len(comp) == len(investment.COMPONENTS) * len(investment.YEARS)
    assert set(comp.basis) == {investment.REAL} and (comp.capex_rub_bn >= 0).all()
    cov = needs.coverage()
    assert set(cov.tier) == set(investment.TIERS) and cov.population_share_covered.le(1).all()
    last = cov[cov.year == 2030]
    assert (last.new_sites_thousand + last.upgraded_sites_thousand).to_numpy() == pytest.approx(
        last.sites_thousand.to_numpy(), rel=0.05)  # medians of parts, so close rather than equal
    rip = needs.rip_and_replace_by_country()
    assert {"model", "published"} == set(rip.kind)
    assert rip[rip.kind == "published"].estimate.str.contains("government estimate").any()


def test_charts_render_to_svg(inputs):
    needs = _run(inputs, "russia_pivot", n=500)
    built = [charts.capex_by_component(needs.capex_by_year_component(), "s"),
             charts.coverage_by_tier(needs.coverage(), "s"),
             charts.capex_by_band_vendor(needs.by_band_and_vendor(), "s"),
             charts.financing_gap(needs.financing_gap(), "s"),
             charts.rip_and_replace_costs(needs.rip_and_replace_by_country(), "s")]
    for chart in built:
        spec = chart.to_dict()
        assert "Source: s" in str(spec)
        assert "<svg" in vl_convert.vegalite_to_svg(spec)
    assert "constant 2020" in str(built[0].to_dict()) and "constant 2020" in str(built[4].to_dict())


def test_real_chart_sources_name_the_data(inputs):
    needs = _run(inputs, n=200)
    assert "ICT.Moscow" in needs.source and "Fierce Network" in needs.rip_source


# --- bad input -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, value, pattern", [
    ("urban_coverage_share", 1.2, r"parameters.urban_coverage_share: value 1.2 outside the allowed range \[0.0, 1.0\]"),
    ("western_price_premium", -0.5, r"parameters.western_price_premium: value -0.5 outside the allowed range"),
    ("site_cost_multiplier", -1.0, r"parameters.site_cost_multiplier: value -1.0 outside the allowed range"),
    ("uk_removal_deadline", 2019, r"parameters.uk_removal_deadline: value 2019 outside the allowed range \[2021, 2035\]"),
    ("military_band_release_year", 2015, r"parameters.military_band_release_year: value 2015 outside"),
    ("vendor_choice", "nokia", r"parameters.vendor_choice: .*'mixed', 'huawei' or 'western'"),
    ("network_sharing", "some", r"parameters.network_sharing: .*'alone', 'partial' or 'single'"),
])
def test_bad_parameters_are_named(name, value, pattern):
    with pytest.raises(InputError, match=pattern):
        load_scenario("baseline", overrides={name: value})


def test_negative_cost_named(data_copy):
    _edit(data_copy / "five_g_costs.csv", "core_network_cost,russia,2020,6,", "core_network_cost,russia,2020,-6,")
    with pytest.raises(InputError, match=r"five_g_costs.csv: column 'value', line \d+: value -6(\.0)? fails "
                                         r"greater_than_or_equal_to"):
        investment.Inputs.load()


def test_negative_rip_and_replace_cost_named(data_copy):
    _edit(data_copy / "rip_and_replace.csv", "site_swap_cost,2020,80000", "site_swap_cost,2020,-80000")
    with pytest.raises(InputError, match=r"rip_and_replace.csv: column 'value', line 6"):
        investment.Inputs.load()


def test_coverage_above_100_percent_named(data_copy):
    _edit(data_copy / "russia_coverage_targets.csv", "other_urban,2025,2030,,0.5", "other_urban,2025,2030,,1.5")
    with pytest.raises(InputError, match=r"russia_coverage_targets.csv: column 'population_share', line 5: "
                                         r"value 1.5 fails less_than_or_equal_to"):
        investment.Inputs.load()


def test_target_year_before_start_year_named(data_copy):
    _edit(data_copy / "russia_coverage_targets.csv", "cities_500k_1m,2023,2028", "cities_500k_1m,2023,2021")
    with pytest.raises(InputError, match=r"russia_coverage_targets.csv: column 'target_year', line 4: 2021 is "
                                         r"before the start year 2023"):
        investment.Inputs.load()


def test_target_outside_model_years_named(data_copy):
    _edit(data_copy / "russia_coverage_targets.csv", "other_urban,2025,2030", "other_urban,2025,2035")
    with pytest.raises(InputError, match=r"column 'target_year', line 5: 2035 is outside the model's years"):
        investment.Inputs.load()


def test_too_many_cities_named(data_copy):
    _edit(data_copy / "russia_coverage_targets.csv", "million_plus,2020,2024,10,", "million_plus,2020,2024,40,")
    with pytest.raises(InputError, match=r"column 'largest_cities', line 2: 40 exceeds the 15 cities"):
        investment.Inputs.load()
