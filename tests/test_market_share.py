"""Market-share model: properties, the base-year fit, the estimator, outputs and bad input."""

import numpy as np
import pandas as pd
import pytest
import vl_convert
from conftest import edit

from econ import charts, share_shift
from econ import market_share as ms
from econ.errors import InputError
from econ.scenario import load_scenario

N = 400
QUIET = {"huawei_sanctions_penalty": 0.0, "russia_huawei_alignment": 0.0, "russia_domestic_target": 0.0,
         "vendor_bans": []}


@pytest.fixture(scope="module")
def base():
    return ms.base_year()


def _run(scenario, base, n=N, **fixed):
    params = ms.draw_params(scenario, n)
    params.update({k: np.full(n, float(v)) for k, v in fixed.items()})
    return ms.simulate(base, scenario, params)


def _region_shares(sim, base, kind="new"):
    value = ms._by_group(sim[kind], base.markets)
    return value / value.sum(axis=-1, keepdims=True)            # (n, T, G, V)


# --- base year ----------------------------------------------------------------------------------

def test_regional_fit_reproduces_world_shares(base):
    assert np.allclose(base.reproduced_world_shares(), base.world_shares, atol=1e-9)
    assert np.allclose(base.region_shares.sum(axis=1), 1.0)
    assert base.region_shares.at["china", "huawei"] == pytest.approx(0.58)   # the fixed cell


def test_world_spend_adds_up(base):
    assert base.markets["spend_usd_bn"].sum() == pytest.approx(base.world_spend_usd_bn)


def test_russia_is_sized_from_operator_capex(base):
    russia = base.markets.loc[base.markets["market"] == "russia", "spend_usd_bn"].item()
    # MTS capex 91.0 RUB bn / 0.32 subscriber share * 0.5 / 64.74 RUB per USD
    assert russia == pytest.approx(91.011 / 0.3199 * 0.5 / 64.74, rel=1e-3)
    assert ms.base_year(0.6).markets.query("market == 'russia'")["spend_usd_bn"].item() > russia


def test_ras_known_answer():
    prior = np.ones((2, 2))
    out = ms.ras(prior, np.array([3.0, 1.0]), np.array([2.0, 2.0]), np.zeros((2, 2), bool))
    assert np.allclose(out.sum(axis=1), [3, 1]) and np.allclose(out.sum(axis=0), [2, 2])
    assert np.allclose(out, [[1.5, 1.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match="inconsistent"):
        ms.ras(prior, np.array([3.0, 1.0]), np.array([2.0, 3.0]), np.zeros((2, 2), bool))


# --- choice model -------------------------------------------------------------------------------

def test_inverted_utilities_reproduce_shares(base):
    shares = base.market_shares()[None].repeat(3, axis=0)
    for corr in (0.0, 0.4, 0.8):
        c = np.full(3, corr)
        got = ms.nested_logit(ms.utilities(shares, c), np.ones(shares.shape[1:], bool), c)
        assert np.allclose(got, shares, atol=1e-12)


def test_nest_keeps_a_banned_vendors_buyers_in_its_nest(base):
    shares = base.market_shares()[None]
    avail = np.ones(shares.shape[1:], bool)
    avail[:, ms.VENDORS.index("huawei")] = False
    zte = {}
    for corr in (0.0, 0.8):
        c = np.array([corr])
        zte[corr] = ms.nested_logit(ms.utilities(shares, c), avail, c)[0, :, ms.VENDORS.index("zte")]
    assert (zte[0.8] >= zte[0.0] - 1e-12).all() and (zte[0.8] > zte[0.0]).any()


# --- properties ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["baseline", "aug2020_expansion", "russia_pivot"])
def test_shares_sum_to_one_everywhere(base, name):
    sim = _run(load_scenario(name), base)
    for kind in ("new", "installed"):
        assert np.allclose(_region_shares(sim, base, kind).sum(axis=-1), 1.0)
        assert (sim[kind] >= -1e-12).all()


def test_no_policy_change_keeps_base_shares(base):
    scn = load_scenario("baseline", overrides=QUIET)
    sim = _run(scn, base)
    start = _region_shares(sim, base)[:, :1]
    for kind in ("new", "installed"):
        got = _region_shares(sim, base, kind)[:, :, : len(ms.REGIONS)]
        assert np.allclose(got, start[:, :, : len(ms.REGIONS)], atol=1e-9)


def test_banned_vendor_wins_nothing_after_the_ban(base):
    ban = {"vendors": ["huawei", "zte"], "places": ["europe"], "from_year": 2023}
    scn = load_scenario("baseline", overrides={**QUIET, "vendor_bans": [ban]})
    sim = _run(scn, base)
    europe = (base.markets["region"] == "europe").to_numpy()
    years = np.array(ms.YEARS)
    for vendor in ("huawei", "zte"):
        sales = sim["new"][:, :, europe, ms.VENDORS.index(vendor)]
        assert (sales[:, years >= 2023] == 0).all()
        assert (sales[:, years < 2023] > 0).all()
    elsewhere = sim["new"][:, years >= 2023][:, :, ~europe, ms.VENDORS.index("huawei")]
    assert (elsewhere > 0).any()


def test_removal_deadline_empties_the_installed_base(base):
    ban = {"vendors": ["huawei"], "places": ["united_kingdom"], "from_year": 2021, "remove_by": 2027}
    scn = load_scenario("baseline", overrides={**QUIET, "vendor_bans": [ban]})
    sim = _run(scn, base)
    uk = (base.markets["market"] == "united_kingdom").to_numpy()
    kit = sim["installed"][:, :, uk, ms.VENDORS.index("huawei")][..., 0]
    years = np.array(ms.YEARS)
    assert np.allclose(kit[:, years >= 2027], 0, atol=1e-9)
    assert (kit[:, years == 2024] > 0).all()
    # early removal is extra spending: more purchases than spending in the removal years
    bought = sim["new"][:, years == 2024][:, 0, uk].sum(axis=-1)
    assert (bought > sim["spend"][:, years == 2024][:, 0, uk]).all()


def test_stronger_russian_preference_never_lowers_huawei_share(base):
    scn = load_scenario("russia_pivot")
    grid = np.linspace(0, 3, 13)
    params = {k: np.full(len(grid), v[0]) for k, v in ms.central_params(scn).items()}
    params["russia_huawei_alignment"] = grid
    sim = ms.simulate(base, scn, params)
    russia = ms.REGIONS.index("russia")
    for kind in ("new", "installed"):
        share = _region_shares(sim, base, kind)[:, :, russia, ms.VENDORS.index("huawei")]   # (grid, T)
        assert (np.diff(share, axis=0) >= -1e-12).all()
        assert (share[-1, 1:] > share[0, 1:]).all()


def test_domestic_target_reserves_contracts(base):
    scn = load_scenario("baseline", overrides={**QUIET, "russia_domestic_target": 0.3,
                                               "russia_domestic_capability": 1.0})
    sim = _run(scn, base)
    others = _region_shares(sim, base)[:, :, ms.REGIONS.index("russia"), ms.VENDORS.index("others")]
    years = np.array(ms.YEARS)
    assert (others[:, years >= 2024] >= 0.3 - 1e-12).all()


# --- the scenario view --------------------------------------------------------------------------

REQUIRED = ["huawei_share_world_2021", "huawei_share_ex_china_2021", "ericsson_share_ex_china_2021",
            "nokia_share_ex_china_2021", "huawei_share_russia_2025"]


@pytest.fixture(scope="module")
def pivot():
    return ms.assess(load_scenario("russia_pivot"), N)


def test_metrics_named_as_the_issue_asks(pivot):
    m = pivot.metrics()
    for name in REQUIRED:
        assert m[f"{name}_p05"] <= m[name] <= m[f"{name}_p95"]
    assert m["russia_rank_in_huawei_foreign_markets_2025"] >= 1
    assert all(np.isfinite(v) for v in m.values())


def test_sanctions_lower_huawei_and_alignment_raises_it_in_russia():
    m = {s: ms.assess(load_scenario(s), N).metrics() for s in ("baseline", "aug2020_expansion", "russia_pivot")}
    assert m["aug2020_expansion"]["huawei_share_ex_china_2021"] < m["baseline"]["huawei_share_ex_china_2021"]
    assert m["russia_pivot"]["huawei_share_russia_2025"] > m["aug2020_expansion"]["huawei_share_russia_2025"]
    assert (m["russia_pivot"]["russia_rank_in_huawei_foreign_markets_2025"]
            <= m["aug2020_expansion"]["russia_rank_in_huawei_foreign_markets_2025"])


def test_same_seed_same_numbers():
    a = ms.assess(load_scenario("russia_pivot"), 200).metrics()
    b = ms.assess(load_scenario("russia_pivot"), 200).metrics()
    assert a == b


def test_diversion_shares_add_to_one_without_removals():
    result = ms.assess(load_scenario("may2020_fdpr"), N)
    table = result.diversion()
    world = table[(table["region"] == "world") & (table["vendor"] != "huawei")]
    assert world["share_of_huawei_loss"].sum() == pytest.approx(1.0, abs=1e-6)
    assert (world["change_usd_bn"] >= 0).all()


def test_rank_table_and_tidy_outputs(pivot):
    ranks = pivot.russia_rank()
    assert list(ranks["year"]) == list(ms.YEARS) and ranks["rank_p50"].between(1, 14).all()
    shares = pivot.shares()
    assert set(shares.columns) >= {"year", "region", "vendor", "share", "share_p05", "share_p95"}
    assert len(shares) == len(ms.YEARS) * (len(ms.REGIONS) + len(ms.AGGREGATES)) * len(ms.VENDORS)
    assert not pivot.backtest().empty


def test_charts_render_to_svg(pivot):
    shares, revenue = pivot.shares(), pivot.huawei_revenue()
    for chart in [charts.share_areas(shares[shares["region"].isin(ms.REGIONS)], pivot.source),
                  charts.huawei_foreign_revenue(revenue[~revenue["market"].isin(ms.FOREIGN_EXCLUDED)], pivot.source),
                  charts.diversion(pivot.diversion(), pivot.source)]:
        spec = chart.to_dict()
        assert "Source:" in str(spec)
        assert "<svg" in vl_convert.vegalite_to_svg(spec)


# --- estimation ---------------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:Perfect separation")   # noise-free data fit exactly, as intended
def test_share_shift_recovers_a_known_shift():
    base = {"huawei": 0.25, "ericsson": 0.35, "nokia": 0.25, "samsung": 0.10, "zte": 0.05}
    rows = []
    for year, common in [(2018, 0.0), (2019, 0.05), (2020, -0.02), (2021, 0.03)]:
        for vendor, s in base.items():
            x = share_shift.logit(s) + common + (-0.3 if vendor == "huawei" and year >= 2020 else 0.0)
            rows.append({"year": year, "market": "m", "region": "r", "vendor": vendor,
                         "share": 1 / (1 + np.exp(-x))})
    fit = share_shift.ShareShift(pd.DataFrame(rows), series=(("m", "r"),)).fit()
    assert fit.shift == pytest.approx(-0.3, abs=1e-6)
    assert "post" in str(fit.summary())


def test_share_shift_on_the_data():
    fit = share_shift.estimate()
    low, high = fit.conf_int().loc["post"]
    assert low < fit.shift < high < 0      # Huawei's ex-China RAN odds fell from 2019 to 2020


# --- bad input ----------------------------------------------------------------------------------

def test_ban_on_unknown_vendor_or_place_is_named():
    with pytest.raises(InputError, match=r"vendor_bans\.0\.vendors\.0.*'huawei', 'ericsson'"):
        load_scenario("baseline", overrides={"vendor_bans": [{"vendors": ["huwei"], "places": ["europe"],
                                                              "from_year": 2021}]})
    with pytest.raises(InputError, match=r"vendor_bans\.0\.places\.0.*'china'"):
        load_scenario("baseline", overrides={"vendor_bans": [{"vendors": ["huawei"], "places": ["atlantis"],
                                                              "from_year": 2021}]})


def test_removal_before_ban_is_named():
    with pytest.raises(InputError, match=r"vendor_bans\.0.*remove_by 2020 is before from_year 2021"):
        load_scenario("baseline", overrides={"vendor_bans": [{"vendors": ["huawei"], "places": ["europe"],
                                                              "from_year": 2021, "remove_by": 2020}]})


def test_negative_equipment_life_is_named():
    with pytest.raises(InputError, match=r"override: parameters.equipment_life_years: .*\[4.0, 15.0\]"):
        load_scenario("baseline", overrides={"equipment_life_years": -8})


def test_world_shares_not_summing_to_one_are_named(data_copy):
    edit(data_copy / "vendor_shares.csv", "2019,telecom_equipment,world,nokia,0.16",
         "2019,telecom_equipment,world,nokia,0.26")
    with pytest.raises(InputError, match=r"vendor_shares.csv: share \(telecom_equipment, world, 2019\): "
                                         r"shares sum to 1.1000"):
        ms.BaseYear.derive()


def test_seed_shares_not_summing_to_one_are_named(data_copy):
    edit(data_copy / "vendor_share_priors.csv", "europe,huawei,0.30", "europe,huawei,0.50")
    with pytest.raises(InputError, match=r"vendor_share_priors.csv: prior_share \(region europe\): shares sum to 1.2"):
        ms.BaseYear.derive()


def test_market_weights_not_summing_to_one_are_named(data_copy):
    edit(data_copy / "equipment_markets.csv", "canada,north_america,0.075", "canada,north_america,0.175")
    with pytest.raises(InputError, match=r"equipment_markets.csv: weight_in_region \(region north_america\)"):
        ms.BaseYear.derive()


def test_removal_deadline_outside_model_years_is_named():
    ban = {"vendors": ["huawei"], "places": ["europe"], "from_year": 2021, "remove_by": 2033}
    with pytest.raises(InputError, match=r"vendor_bans.0.remove_by: 2033 is outside the model's years"):
        ms.assess(load_scenario("baseline", overrides={"vendor_bans": [ban]}), 10)


def test_banning_every_vendor_is_named():
    ban = {"vendors": list(ms.VENDORS), "places": ["canada"], "from_year": 2021}
    with pytest.raises(InputError, match="every vendor is banned in canada"):
        ms.assess(load_scenario("baseline", overrides={"vendor_bans": [ban]}), 10)
