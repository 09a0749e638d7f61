"""Investment stage: the build follows the launch, sharing saves coverage not capacity, prices follow
the market-share stage's Russian mix, rip-and-replace only for removal deadlines and over the normal
replacement path; closed forms; breakdowns; bad input named."""

import numpy as np
import pytest
import vl_convert
from conftest import edit as _edit

from econ import charts, data
from econ.errors import InputError
from econ.model import investment, world
from econ.model.investment import vintage
from econ.scenario import load_scenario

N = 1000


@pytest.fixture(scope="module")
def inputs():
    return investment.Inputs.load()


def _needs(name="baseline", n=N, **overrides):
    return world.assess(load_scenario(name, overrides=overrides), n, ["investment"])["investment"]


def _central(name="baseline", **overrides):
    scn = load_scenario(name, overrides=overrides)
    return {k: float(v[0]) for k, v in world.evaluate(scn, world.central(scn, ["investment"]), ["investment"]).items()}


# --- timing, coverage and sites ---------------------------------------------------------------------

def test_the_build_follows_the_launch_year():
    early, late = _needs(russia_5g_launch_year=2022), _needs(russia_5g_launch_year=2026)
    years = list(investment.YEARS)
    sites_early, sites_late = early.russia["sites"].sum(axis=1), late.russia["sites"].sum(axis=1)
    before = [years.index(y) for y in range(2020, 2026)]
    pilots = late.params["pilot_sites_per_year"]
    # before its launch a country builds pilots only
    np.testing.assert_allclose(sites_late[:, before[-1]], pilots * 6)
    assert np.all(sites_early[:, before[-1]] > sites_late[:, before[-1]])
    assert _central(russia_5g_launch_year=2026)["russia_5g_capex_rub_bn_2020_2024"] < \
        _central(russia_5g_launch_year=2022)["russia_5g_capex_rub_bn_2020_2024"]


def test_more_coverage_means_more_sites_and_more_cost():
    levels = [_central(urban_coverage_share=v) for v in (0.4, 0.6, 0.8)]
    for key in ("russia_5g_sites_thousand_2030", "russia_5g_capex_rub_bn_2020_2030"):
        assert levels[0][key] < levels[1][key] < levels[2][key]


def test_sharing_saves_coverage_not_capacity():
    alone, single = _needs(network_sharing="alone"), _needs(network_sharing="single")
    cap = investment.COMPONENTS.index("capacity additions")
    np.testing.assert_allclose(alone.russia["capex"][:, cap], single.russia["capex"][:, cap])
    np.testing.assert_allclose(alone.russia["capacity_site_equivalents"], single.russia["capacity_site_equivalents"])
    new = investment.COMPONENTS.index("new sites")
    assert np.all(single.russia["capex"][:, new].sum(axis=1) < alone.russia["capex"][:, new].sum(axis=1))

    def saving(**overrides):
        total = "russia_5g_capex_rub_bn_2020_2030"
        shared = _central(network_sharing="single", **overrides)[total]
        return 1 - shared / _central(network_sharing="alone", **overrides)[total]

    # the more traffic (capacity) matters, the less sharing saves: it saves coverage, not capacity
    assert saving(traffic_growth=0.5, first_layer_coverage_share=0.15) < saving(traffic_growth=0.0) < 1


def test_traffic_growth_matters_through_capacity():
    low, high = _central(traffic_growth=0.1), _central(traffic_growth=0.45)
    assert high["russia_5g_capex_rub_bn_2020_2030"] > 1.05 * low["russia_5g_capex_rub_bn_2020_2030"]


def test_releasing_the_military_band_lowers_site_counts():
    assert _central(military_band_release_year=2021)["russia_5g_sites_thousand_2030"] < \
        _central(military_band_release_year=2031)["russia_5g_sites_thousand_2030"]


# --- prices from the market-share stage -----------------------------------------------------------

def test_kit_prices_follow_the_russian_vendor_mix():
    p = {"western_price_premium": np.array([0.4]), "domestic_price_premium": np.array([1.0])}
    mix = np.zeros((1, 1, 8))
    mix[..., 0] = 1.0                                       # all Huawei
    assert investment.model.vendor_price_index("market", mix, p)[0, 0] == pytest.approx(1.0)
    from econ.model.market_share.choice import RUSSIAN_MADE, VENDORS
    mix[..., 0], mix[..., VENDORS.index("ericsson")], mix[..., RUSSIAN_MADE] = 0.5, 0.25, 0.25
    assert investment.model.vendor_price_index("market", mix, p)[0, 0] == pytest.approx(0.5 + 0.25 * 1.4 + 0.25 * 2.0)
    # the overrides keep the Russian-made share and give the rest to one side
    assert investment.model.vendor_price_index("huawei", mix, p)[0, 0] == pytest.approx(0.75 + 0.25 * 2.0)
    assert investment.model.vendor_price_index("western", mix, p)[0, 0] == pytest.approx(0.75 * 1.4 + 0.25 * 2.0)


def test_a_russian_pivot_prices_russias_kit_nearer_huaweis():
    aug, pivot = _needs("aug2020_expansion"), _needs("russia_pivot")
    assert np.median(pivot.russia["price_index"][:, -1]) < np.median(aug.russia["price_index"][:, -1])


def test_band_and_vendor_alternatives_are_ordered():
    table = _needs("russia_pivot").by_band_and_vendor().set_index(["band", "vendor"])["capex_rub_bn"]
    assert table[("3.4-3.8 GHz", "market")] < table[("4.4-4.99 GHz", "market")]
    assert table[("4.4-4.99 GHz", "huawei")] < table[("4.4-4.99 GHz", "western")]


# --- financing ------------------------------------------------------------------------------------

def test_financing_follows_the_launch(inputs):
    needs = _needs(russia_5g_launch_year=2025)
    capacity = needs.capacity()
    years = list(investment.YEARS)
    assert np.all(capacity[:, : years.index(2025)] == 0) and np.all(capacity[:, years.index(2025):] > 0)
    equipment = needs.scenario.parameters.russia_equipment_share_of_capex
    expected = investment.operator_capex_path(inputs, needs.params, needs.russia["equipment_shortfall"],
                                              equipment).sum(axis=1)[:, -1] * inputs.capex_5g_share
    np.testing.assert_allclose(capacity[:, -1], expected)
    gap = needs.financing_gap()
    assert (gap[gap.year < 2025]["gap_rub_bn"] == 0).all()


def test_operator_capex_is_reported_then_a_share_of_revenue(inputs):
    """Reported capex up to the operator's last report; after it, revenue grown at the drawn real rate
    times the drawn capital intensity, which lies in the range of the reported operator-years."""
    mean, low, high = investment.capital_intensity(data.defaults("russia_operators"))
    assert 0.15 < low <= mean <= high < 0.3
    p = {"capital_intensity": np.array([low, high]), "operator_revenue_real_growth": np.array([0.0, 0.02])}
    path = investment.operator_capex_path(inputs, p)
    mts = inputs.operator_capex.set_index("operator").loc["mts"]
    o, years = investment.OPERATORS.index("mts"), list(investment.YEARS)
    assert path[0, o, years.index(2020)] == mts["capex_rub_bn"] == path[1, o, years.index(2020)]
    assert path[0, o, years.index(2023)] == pytest.approx(low * mts["revenue_rub_bn"])
    grown = high * mts["revenue_rub_bn"] * 1.02 ** (2023 - mts["revenue_year"])
    assert path[1, o, years.index(2023)] == pytest.approx(grown)


def test_operators_spend_less_when_no_vendor_can_deliver(inputs):
    """The operators' capex loses the equipment share of the orders no vendor could deliver."""
    p = {"capital_intensity": np.array([0.2]), "operator_revenue_real_growth": np.array([0.0])}
    short = np.zeros((1, len(investment.YEARS)))
    short[0, list(investment.YEARS).index(2022)] = 0.4
    full, cut = investment.operator_capex_path(inputs, p), investment.operator_capex_path(inputs, p, short, 0.5)
    y = list(investment.YEARS).index(2022)
    np.testing.assert_allclose(cut[:, :, y], full[:, :, y] * (1 - 0.5 * 0.4))
    np.testing.assert_allclose(np.delete(cut, y, axis=2), np.delete(full, y, axis=2))


# --- rip and replace ------------------------------------------------------------------------------

def test_no_ban_no_rip_and_replace_cost():
    m = _needs("baseline").metrics()
    for k in ("uk_rip_and_replace_gbp_bn", "us_rip_and_replace_usd_bn", "other_rip_and_replace_usd_bn",
              "uk_rip_and_replace_gross_gbp_bn", "us_rip_and_replace_gross_usd_bn"):
        assert m[k] == 0
    assert _needs("baseline").rip_and_replace().empty


def test_the_cost_a_ban_adds_is_what_normal_replacement_would_not_have_done():
    needs = _needs("aug2020_expansion", 3000)
    life, premium = needs.params["equipment_life_years"], needs.params["western_price_premium"]
    for row in needs.rip:
        np.testing.assert_allclose(row["added"], row["early"] + row["price"])
        np.testing.assert_allclose(row["price"], row["gross"] * needs.inputs.equipment_share * premium / (1 + premium))
        assert np.all(row["added"] <= row["gross"]) and np.all(row["early"] > 0)
    # The UK's 5G radios went in from 2019: younger than steady state, so more life is lost than if all
    # the kit were of steady-state age.
    uk = next(r for r in needs.rip if r["country"] == "uk")
    start, end = 2021, 2027
    steady = vintage.early_retirement_share(None, start, end, life, until=2021)
    young = vintage.early_retirement_share((2019.0, 2021.0), start, end, life)
    share_5g = needs.params["uk_5g_value_share"]
    np.testing.assert_allclose(uk["early"], uk["gross"] * (share_5g * young + (1 - share_5g) * steady))
    assert np.all(uk["early"] > 1.2 * uk["gross"] * steady)
    us = next(r for r in needs.rip if r["country"] == "us")
    np.testing.assert_allclose(us["gross"], needs.params["us_base_usd_bn"])  # the filing, no mark-up


def test_the_uk_scope_is_the_bans_radio_network_and_its_deadline():
    later = _needs("aug2020_expansion", vendor_bans=[{"vendors": ["huawei"], "places": ["united_kingdom"],
                                                       "parts": ["ran"], "from_year": 2021, "remove_by": 2030}])
    sooner = _needs("aug2020_expansion", vendor_bans=[{"vendors": ["huawei"], "places": ["united_kingdom"],
                                                        "parts": ["ran"], "from_year": 2021, "remove_by": 2024}])
    assert np.median(sooner.values["uk_rip_and_replace_gbp_bn"]) > np.median(later.values["uk_rip_and_replace_gbp_bn"])
    gross = "uk_rip_and_replace_gross_gbp_bn"
    np.testing.assert_allclose(sooner.values[gross], later.values[gross])


def test_a_ban_without_site_data_is_costed_from_the_removed_installed_value():
    ban = {"vendors": ["huawei"], "places": ["germany"], "parts": ["core"], "from_year": 2024, "remove_by": 2026}
    needs = _needs("baseline", vendor_bans=[ban])
    assert needs.rip[0]["country"] == "other" and np.all(needs.values["other_rip_and_replace_usd_bn"] > 0)


# --- closed forms ----------------------------------------------------------------------------------

def test_npv_at_zero_discount_is_the_sum_and_matches_the_annuity_formula():
    rng = np.random.default_rng(1)
    flows = rng.uniform(0, 100, size=(50, len(investment.YEARS)))
    np.testing.assert_allclose(investment.npv(flows, np.zeros(50)), flows.sum(axis=1))
    r, y = 0.1, len(investment.YEARS)
    np.testing.assert_allclose(investment.npv(np.ones((1, y)), [r]), (1 - (1 + r) ** -y) / r * (1 + r))


def test_nominal_is_real_at_zero_inflation_and_compounds():
    real = np.ones((2, 3, len(investment.YEARS)))
    np.testing.assert_allclose(investment.nominal(real, [0.0, 0.0]), real)
    grown = investment.nominal(real, [0.1, 0.0])
    assert grown[0, 0, 1] == pytest.approx(1.1) and grown[0, 0, -1] == pytest.approx(1.1 ** 10)


def test_currency_conversion_round_trips(inputs):
    rates = inputs.rates
    for year in (2020, 2022, 2026):  # 2026 is after the data: the last observed rate is used
        via = investment.convert(investment.convert(123.4, "RUB", "USD", year, rates), "USD", "GBP", year, rates)
        assert investment.convert(via, "GBP", "RUB", year, rates) == pytest.approx(123.4)
    assert investment.convert(72.15, "RUB", "USD", 2020, rates) == pytest.approx(1.0)
    with pytest.raises(InputError, match="no XYZ rate"):
        investment.units_per_usd(rates, "XYZ", 2020)


def test_layers_and_targets(inputs):
    tiers = inputs.tiers.set_index("tier")
    cities = data.load("russia_cities")
    assert tiers["population_m"].sum() == pytest.approx(cities.loc[cities.kind == "urban_total", "population_m"].iloc[0])
    share = inputs.coverage_share(2022, {"first": np.array([0.3]), "full": np.array([0.8])})
    assert share.min() >= 0 and share.max() <= 1 and np.all(np.diff(share, axis=-1) >= -1e-12)
    pops = np.sort(cities.loc[(cities.kind == "city") & (cities.population_m >= 1), "population_m"].to_numpy())[::-1]
    # the roadmap's 2024 milestone: the first layer in the 10 largest million-plus cities
    assert share[0, 0, list(investment.YEARS).index(2024)] == pytest.approx(0.3 * pops[:10].sum() / pops.sum())
    later = inputs.coverage_share(2025, {"first": np.array([0.3]), "full": np.array([0.8])})
    assert later[0, 0, list(investment.YEARS).index(2024)] < share[0, 0, list(investment.YEARS).index(2024)]


def test_against_the_roadmap_and_breakdowns():
    needs = _needs("russia_pivot", 500)
    road = needs.against_roadmap()
    assert road["roadmap"].iloc[0] == 10_000
    comp = needs.capex_by_year_component()
    assert len(comp) == len(investment.COMPONENTS) * len(investment.YEARS) and (comp.capex_rub_bn >= 0).all()
    rip = needs.rip_and_replace()
    assert {"model", "published"} == set(rip.kind) and set(rip.currency) == {"GBP", "USD"}


def test_charts_render_to_svg():
    needs = _needs("russia_pivot", 300)
    for chart in [charts.capex_by_component(needs.capex_by_year_component(), "s"),
                  charts.coverage_by_tier(needs.coverage(), "s"),
                  charts.capex_by_band_vendor(needs.by_band_and_vendor(), "s"),
                  charts.financing_gap(needs.financing_gap(), "s"),
                  charts.rip_and_replace_costs(needs.rip_and_replace(), "s")]:
        assert "<svg" in vl_convert.vegalite_to_svg(chart.to_dict())


# --- bad input -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, value, pattern", [
    ("urban_coverage_share", 1.2, r"parameters.urban_coverage_share: value 1.2 outside the allowed range \[0.0, 1.0\]"),
    ("western_price_premium", -0.5, r"parameters.western_price_premium: value -0.5 outside the allowed range"),
    ("military_band_release_year", 2015, r"parameters.military_band_release_year: value 2015 outside"),
    ("vendor_choice", "nokia", r"parameters.vendor_choice: .*'market', 'huawei' or 'western'"),
    ("network_sharing", "some", r"parameters.network_sharing: .*'alone', 'partial' or 'single'"),
])
def test_bad_parameters_are_named(name, value, pattern):
    with pytest.raises(InputError, match=pattern):
        load_scenario("baseline", overrides={name: value})


def test_negative_cost_named(data_copy):
    _edit(data_copy / "five_g_costs.csv", "core_network_cost,russia,2020,6,", "core_network_cost,russia,2020,-6,")
    with pytest.raises(InputError, match=r"five_g_costs.csv: column 'value', line \d+"):
        investment.Inputs.load()


def test_coverage_above_100_percent_named(data_copy):
    _edit(data_copy / "russia_coverage_targets.csv", "other_urban,2025,2030,,0.5", "other_urban,2025,2030,,1.5")
    with pytest.raises(InputError, match=r"russia_coverage_targets.csv: column 'population_share', line \d+"):
        investment.Inputs.load()


def test_target_year_before_start_year_named(data_copy):
    _edit(data_copy / "russia_coverage_targets.csv", "cities_500k_1m,2023,2028", "cities_500k_1m,2023,2021")
    with pytest.raises(InputError, match=r"russia_coverage_targets.csv: column 'target_year', line \d+: 2021 is "
                                         r"before the start year 2023"):
        investment.Inputs.load()


def test_an_unknown_layer_is_named(data_copy):
    _edit(data_copy / "russia_coverage_targets.csv", ",1.0,full,", ",1.0,thick,")
    with pytest.raises(InputError, match=r"russia_coverage_targets.csv: column 'layer'"):
        investment.Inputs.load()


def test_too_many_cities_named(data_copy):
    _edit(data_copy / "russia_coverage_targets.csv", "million_plus,2022,2024,10,", "million_plus,2022,2024,40,")
    with pytest.raises(InputError, match=r"column 'largest_cities', line 2: 40 exceeds the 15 cities"):
        investment.Inputs.load()
