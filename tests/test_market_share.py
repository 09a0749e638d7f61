"""Market-share stage: the base-year fit, the choice model, properties that must hold, the compiled
kernel against the plain NumPy reference, the measured penalty, and bad input."""

import numpy as np
import pandas as pd
import pytest
import vl_convert
from conftest import edit
from share_reference import simulate_reference

from econ import charts
from econ.errors import InputError
from econ.model import chip_supply, world
from econ.model import market_share as ms
from econ.model.market_share import base_year as share_base
from econ.model.market_share import china as china_market
from econ.model.market_share import penalty as share_shift
from econ.model.market_share.choice import HUAWEI, RUSSIAN_MADE, VENDORS, ZTE, probabilities, utilities
from econ.scenario import load_scenario

N = 400
QUIET = {"sanctions_penalty_scale": 0.0, "russia_huawei_alignment": 0.0, "russian_made_target": [[2020, 0.0]],
         "vendor_bans": [], "covered_categories": []}
T = {y: i for i, y in enumerate(ms.YEARS)}
G = {g: i for i, g in enumerate(ms.GROUPS)}


@pytest.fixture(scope="module")
def base():
    return share_base.base_year()


def _run(name="baseline", n=N, central=False, supply=None, **overrides):
    scn = load_scenario(name, overrides=overrides)
    p = world.central(scn, ["market_share"]) if central else world.draw(scn, n, ["market_share"])
    n = len(p["market_growth"])
    p = {k: np.broadcast_to(v, (n,)).astype(float) for k, v in p.items()}
    if supply is None:
        supply = chip_supply.supply(scn, p)["network_yearly"]
    return scn, p, ms.simulate(scn, p, np.broadcast_to(supply, (n, len(ms.YEARS))).astype(float))


def _shares(sim, kind="new"):
    value = sim[kind]
    return value / value.sum(axis=-1, keepdims=True)


# --- base year ----------------------------------------------------------------------------------

def test_regional_fit_reproduces_world_shares(base):
    for fit in share_base.base_years():
        fitted, target = fit.reproduced_world_shares().copy(), fit.world_shares.copy()
        fitted["others"] += fitted.pop("russian_made")  # Dell'Oro's "other" holds the Russian-made makers
        target = target.drop("russian_made")
        assert np.allclose(fitted, target, atol=1e-9)
        assert np.allclose(fit.region_shares.sum(axis=1), 1.0)
        assert fit.region_shares.at["china", "huawei"] == pytest.approx(0.58)   # the fixed cell


def test_base_year_variants_spread_the_regional_weights():
    fits = share_base.base_years()
    china = [f.markets.query("region == 'china'")["spend_usd_bn"].sum() for f in fits]
    assert len(fits) == share_base.VARIANTS and max(china) > min(china) * 1.1


def test_world_spend_adds_up(base):
    assert base.markets["spend_usd_bn"].sum() == pytest.approx(base.world_spend_usd_bn)


def test_russia_is_sized_from_operator_capex(base):
    russia = base.markets.loc[base.markets["market"] == "russia", "spend_usd_bn"].item()
    assert russia == pytest.approx(91.011 / 0.3199 * 0.5 / 64.74, rel=1e-3)  # MTS capex / share * 0.5 / RUB per USD


def test_ras_known_answer():
    prior = np.ones((2, 2))
    out = share_base.ras(prior, np.array([3.0, 1.0]), np.array([2.0, 2.0]), np.zeros((2, 2), bool))
    assert np.allclose(out, [[1.5, 1.5], [0.5, 0.5]])
    with pytest.raises(ValueError, match="inconsistent"):
        share_base.ras(prior, np.array([3.0, 1.0]), np.array([2.0, 3.0]), np.zeros((2, 2), bool))


def test_china_follows_its_operators_capex_and_the_world_adds_up_to_the_record():
    scn, p, _ = _run("baseline", central=True)
    index = ms.spend_index(ms.Layout.build(scn), scn, p)
    capex = china_market.capex()
    k = float(p["china_5g_equipment_intensity"][0])
    weighted = k * capex["five_g"] + capex["total"] - capex["five_g"]
    spend = ms.Layout.build(scn).base.markets.groupby("region")["spend_usd_bn"].sum().reindex(share_base.REGIONS)
    for year in (2020, 2021, 2022):
        assert index[0, T[year], share_base.REGIONS.index("china")] == pytest.approx(weighted[year] / weighted[2019])
    for year, total in ms.world_totals().items():
        assert (spend.to_numpy() * index[0, T[year]]).sum() == pytest.approx(total)
    assert set(ms.world_totals()) == {2020, 2021}


# --- the choice model ---------------------------------------------------------------------------

def test_inverted_utilities_reproduce_shares(base):
    shares = base.region_shares.to_numpy()[None]
    corr = np.array([0.4])
    lam = 1 - corr
    out = probabilities(np.exp(utilities(shares, corr) / lam[:, None, None]), lam[:, None])
    np.testing.assert_allclose(out, shares, atol=1e-12)


def test_nest_keeps_a_banned_vendors_buyers_in_its_nest(base):
    shares = base.region_shares.loc[["europe"]].to_numpy()[None]
    corr = np.array([0.6])
    e = np.exp(utilities(shares, corr) / (1 - corr)[:, None, None])
    e[..., HUAWEI] = 0.0
    out = probabilities(e, (1 - corr)[:, None])[0, 0]
    gain = out - shares[0, 0]
    assert gain[ZTE] / shares[0, 0, ZTE] > gain[VENDORS.index("ericsson")] / shares[0, 0, VENDORS.index("ericsson")]


# --- properties ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["baseline", "aug2020_expansion", "russia_pivot"])
def test_shares_sum_to_one_everywhere(name):
    _, _, sim = _run(name)
    assert np.allclose(_shares(sim).sum(axis=-1), 1.0) and np.allclose(_shares(sim, "installed").sum(axis=-1), 1.0)


def test_no_policy_change_keeps_base_shares_and_china_radio_follows_its_tenders(base):
    central = share_base.base_years()[0].region_shares
    _, p, sim = _run("baseline", central=True, **QUIET)
    shares = _shares(sim)[0]                       # (T, G, V), the central run: no drift
    for r in share_base.REGIONS:
        if r == "china":
            continue
        np.testing.assert_allclose(shares[:, G[r]], np.broadcast_to(central.loc[r].to_numpy(), shares[:, G[r]].shape),
                                   atol=1e-9)
    china = G["china"]
    np.testing.assert_allclose(shares[0, china], central.loc["china"].to_numpy(), atol=1e-9)
    ran = base.parts["ran"]
    for year in (2020, 2025):
        mixed = ran * china_market.radio_shares() + (1 - ran) * central.loc["china"].to_numpy()
        np.testing.assert_allclose(shares[T[year], china], mixed, atol=1e-9)


def test_banned_vendor_wins_nothing_in_the_banned_parts_and_a_core_ban_leaves_the_radio_network_alone():
    core = {"vendors": ["huawei"], "places": ["germany"], "parts": ["core"], "from_year": 2024}
    scn = load_scenario("baseline", overrides={**QUIET, "vendor_bans": [core]})
    layout = ms.Layout.build(scn)
    which, region, pen, avail = ms.situations(layout, 2025)
    cells = layout.cells.reset_index(drop=True)
    german_core = cells.index[(cells.market == "germany") & (cells.part == "core")][0]
    german_ran = cells.index[(cells.market == "germany") & (cells.part == "ran")][0]
    assert not avail[which[german_core], HUAWEI] and avail[which[german_ran], HUAWEI]
    # the radio network of Germany is in the same situation as the rest of Europe's radio networks
    french_ran = cells.index[(cells.market == "france") & (cells.part == "ran")][0]
    assert which[german_ran] == which[french_ran]


def test_removal_deadline_empties_the_installed_base_in_scope():
    ban = {"vendors": ["huawei"], "places": ["united_kingdom"], "parts": ["ran"], "from_year": 2021, "remove_by": 2025}
    _, _, sim = _run("baseline", **{**QUIET, "vendor_bans": [ban]})
    removed = sim["removed_usd_bn"][:, :, 0]
    assert np.all(removed[:, T[2021]:T[2025] + 1] > 0) and np.all(removed[:, T[2026]:] == 0)
    # what is removed is replaced: Europe's installed Huawei share falls faster than without the deadline
    _, _, slow = _run("baseline", **{**QUIET, "vendor_bans": [dict(ban, remove_by=None)]})
    assert np.all(_shares(sim, "installed")[:, T[2025], G["europe"], HUAWEI]
                  < _shares(slow, "installed")[:, T[2025], G["europe"], HUAWEI])


def test_stronger_russian_preference_never_lowers_huawei_share():
    levels = [_run("russia_pivot", central=True, russia_huawei_alignment=a)[2] for a in (0.0, 0.5, 1.5, 3.0)]
    russia = [_shares(s)[0, T[2025], G["russia"], HUAWEI] for s in levels]
    assert all(b >= a - 1e-12 for a, b in zip(russia, russia[1:])) and russia[-1] > russia[0]


def test_the_russian_made_target_reserves_contracts():
    _, p, sim = _run("baseline", central=True, russia_domestic_capability=1.0,
                     russian_made_target=[[2020, 0.0], [2024, 0.5]])
    share = _shares(sim)[0, T[2024], G["russia"], RUSSIAN_MADE]
    assert share >= 0.5


def test_a_tighter_chip_supply_never_raises_huawei_deliveries():
    runs = [_run("aug2020_expansion", central=True, supply=np.full(len(ms.YEARS), s))[2] for s in (1.0, 0.8, 0.5, 0.2)]
    sales = [r["huawei_sales_usd_bn"][0] for r in runs]
    assert all(np.all(b <= a + 1e-9) for a, b in zip(sales, sales[1:]))
    assert sales[-1][T[2022]] < sales[0][T[2022]]


def test_huawei_chips_bound_how_far_a_russian_pivot_can_go():
    free = _run("russia_pivot", central=True, supply=np.ones(len(ms.YEARS)))[2]
    tight = _run("russia_pivot", central=True, supply=np.full(len(ms.YEARS), 0.5))[2]
    assert _shares(tight)[0, T[2025], G["russia"], HUAWEI] < _shares(free)[0, T[2025], G["russia"], HUAWEI]


def test_the_buyers_response_is_the_measured_shift_and_applies_to_the_radio_network():
    """Central inputs carry the difference-in-differences estimate; its sign moves Huawei's share outside
    China the same way, and China's shares not at all."""
    delta = ms.ban_response.estimate().delta
    _, p, _ = _run("aug2020_expansion", central=True)
    assert p["sanctions_shift_huawei"][0] == p["sanctions_shift_zte"][0] == pytest.approx(delta)
    _, _, off = _run("aug2020_expansion", central=True, sanctions_penalty_scale=0.0, supply=np.ones(len(ms.YEARS)))
    _, _, on = _run("aug2020_expansion", central=True, sanctions_penalty_scale=1.0, supply=np.ones(len(ms.YEARS)))
    change = _shares(on)[0, T[2021], G["world_ex_china"], HUAWEI] - _shares(off)[0, T[2021], G["world_ex_china"], HUAWEI]
    assert np.sign(change) == np.sign(delta) and change != 0
    assert _shares(on)[0, T[2021], G["china"], HUAWEI] == pytest.approx(_shares(off)[0, T[2021], G["china"], HUAWEI])
    assert ms.declaration.PENALISED_PARTS == ("ran",)


MECHANISMS = {"emerging_markets_spillover": 2.0, "russia_huawei_pullback": -1.0, "russia_huawei_alignment": 0.5,
              "vendor_exits": [{"vendors": ["ericsson", "nokia"], "places": ["russia"], "from_year": 2022,
                                "remove_by": 2026}]}


@pytest.mark.parametrize("name, overrides", [("baseline", {}), ("aug2020_expansion", {}), ("russia_pivot", {}),
                                             ("aug2020_expansion", MECHANISMS),
                                             ("russia_2022_exit", {})])  # capacity limit and grey imports
def test_the_compiled_kernel_agrees_with_the_numpy_reference(name, overrides):
    scn, p, sim = _run(name, n=300, **overrides)
    supply = chip_supply.supply(scn, p)["network_yearly"]
    ref = simulate_reference(scn, p, supply)
    for key in ("new", "installed", "huawei_by_market", "huawei_sales_usd_bn", "huawei_installed_usd_bn",
                "removed_usd_bn", "russia_shortfall"):
        np.testing.assert_allclose(sim[key], ref[key], rtol=1e-9, atol=1e-12, err_msg=key)
    for metric, (vendor, group, year) in ms.SHARE_METRICS.items():
        np.testing.assert_allclose(sim["share_metrics"][metric],
                                   ref["group_shares"][:, T[year], G[group], VENDORS.index(vendor)], rtol=1e-9)


def test_same_seed_same_numbers():
    a = world.assess(load_scenario("russia_pivot"), 300, ["market_share"]).metrics()
    assert a == world.assess(load_scenario("russia_pivot"), 300, ["market_share"]).metrics()


def test_diversion_adds_up_and_rank_table_is_tidy():
    result = world.assess(load_scenario("aug2020_expansion"), 300, ["market_share"])
    shares = result["market_share"]
    d = shares.diversion()
    world_rows = d[d["region"] == "world"]
    # Spending only differs from the world without the rules by the replacement of removed kit and by
    # Russian orders no vendor could deliver (lost = delivered x shortfall / (1 - shortfall))
    replaced = shares.sim["removed_usd_bn"][:, 1:].sum(axis=(1, 2)).mean()

    def lost(sim):
        delivered = sim["new"][:, 1:, ms.GROUPS.index("russia")].sum(axis=-1)
        short = sim["russia_shortfall"][:, 1:]
        return (delivered * short / (1 - short)).sum(axis=1).mean()

    expected = replaced - lost(shares.sim) + lost(shares.counterfactual)
    assert world_rows["change_usd_bn"].sum() == pytest.approx(expected, rel=1e-6)
    ranks = shares.russia_rank()
    assert list(ranks.columns) == ["year", "rank_p50", "rank_p05", "rank_p95", "probability_largest"]


def test_charts_render_to_svg():
    result = world.assess(load_scenario("russia_pivot"), 300, ["market_share"])
    shares = result["market_share"]
    frame, revenue = shares.shares(), shares.huawei_revenue()
    for chart in [charts.share_areas(frame[frame["region"].isin(ms.REGIONS)], shares.source),
                  charts.huawei_foreign_revenue(revenue[~revenue["market"].isin(ms.declaration.FOREIGN_EXCLUDED)],
                                                shares.source),
                  charts.diversion(shares.diversion(), shares.source),
                  charts.chip_supply(result["chip_supply"].yearly(), shares.source)]:
        assert "<svg" in vl_convert.vegalite_to_svg(chart.to_dict())


# --- estimation ---------------------------------------------------------------------------------

@pytest.mark.filterwarnings("ignore:Perfect separation")   # noise-free data fit exactly, as intended
def test_share_shift_recovers_a_known_shift():
    base = {"huawei": 0.25, "ericsson": 0.35, "nokia": 0.25, "samsung": 0.10, "zte": 0.05}
    rows = []
    for year, common in [(2018, 0.0), (2019, 0.05), (2020, -0.02), (2021, 0.03)]:
        for vendor, s in base.items():
            x = share_shift.logit(s) + common + (-0.3 if vendor == "huawei" and year >= 2020 else 0.0)
            rows.append({"year": year, "market": "m", "region": "r", "vendor": vendor, "share": 1 / (1 + np.exp(-x))})
    fit = share_shift.ShareShift(pd.DataFrame(rows), series=(("m", "r"),)).fit()
    assert fit.shift() == pytest.approx(-0.3, abs=1e-6)
    assert "post_huawei" in str(fit.summary())


def test_share_shift_on_the_data():
    fit = share_shift.estimate(("huawei", "zte"))
    low, high = fit.conf_int().loc["post_huawei"]
    assert low < fit.shift("huawei") < high < 0      # Huawei's ex-China RAN odds fell from 2019 to 2020
    assert abs(fit.shift("zte")) < abs(fit.shift("huawei"))  # ZTE's barely moved


def test_shift_for_log_odds_moves_log_odds_as_asked():
    from econ.model.market_share.choice import shift_for_log_odds

    d_h, d_z = shift_for_log_odds(np.array(-0.2), np.array(0.0), np.array(0.0), 0.8)
    assert d_h == pytest.approx(-0.2) and d_z == pytest.approx(0.0)  # plain logit: the shift itself


# --- bad input ----------------------------------------------------------------------------------

def test_ban_on_unknown_vendor_place_or_part_is_named():
    with pytest.raises(InputError, match=r"vendor_bans\.0\.vendors\.0"):
        load_scenario("baseline", overrides={"vendor_bans": [{"vendors": ["huwei"], "places": ["europe"],
                                                              "from_year": 2021}]})
    with pytest.raises(InputError, match=r"vendor_bans\.0\.parts\.0"):
        load_scenario("baseline", overrides={"vendor_bans": [{"vendors": ["huawei"], "places": ["europe"],
                                                              "parts": ["antenna"], "from_year": 2021}]})


def test_removal_before_ban_or_removal_start_outside_is_named():
    with pytest.raises(InputError, match=r"remove_by 2020 is before from_year 2021"):
        load_scenario("baseline", overrides={"vendor_bans": [{"vendors": ["huawei"], "places": ["europe"],
                                                              "from_year": 2021, "remove_by": 2020}]})
    with pytest.raises(InputError, match=r"remove_from 2026 must lie between"):
        load_scenario("baseline", overrides={"vendor_bans": [{"vendors": ["huawei"], "places": ["europe"],
                                                              "from_year": 2021, "remove_from": 2026,
                                                              "remove_by": 2025}]})


def test_world_shares_not_summing_to_one_are_named(data_copy):
    edit(data_copy / "vendor_shares.csv", "2019,telecom_equipment,world,nokia,0.16",
         "2019,telecom_equipment,world,nokia,0.26")
    with pytest.raises(InputError, match=r"vendor_shares.csv: share \(telecom_equipment, world, 2019\): shares sum to 1.1"):
        share_base.BaseYear.derive()


def test_seed_shares_not_summing_to_one_are_named(data_copy):
    edit(data_copy / "vendor_share_priors.csv", "europe,huawei,0.30", "europe,huawei,0.50")
    with pytest.raises(InputError, match=r"vendor_share_priors.csv: prior_share \(region europe\): shares sum to 1.2"):
        share_base.BaseYear.derive()


def test_parts_not_summing_to_one_are_named(data_copy):
    edit(data_copy / "equipment_parts.csv", "core,0.10", "core,0.30")
    with pytest.raises(InputError, match=r"equipment_parts.csv: share_of_spend: shares sum to 1.2"):
        share_base.BaseYear.derive()


def test_banning_every_vendor_is_named():
    ban = {"vendors": list(VENDORS), "places": ["canada"], "from_year": 2021}
    with pytest.raises(InputError, match=r"every vendor is banned or has left canada \(ran\)"):
        world.assess(load_scenario("baseline", overrides={"vendor_bans": [ban]}), 10, ["market_share"])


def test_every_vendor_has_its_own_colour_in_the_share_charts():
    from econ.model.market_share.choice import VENDORS

    assert set(charts.VENDOR_ORDER) == set(VENDORS), "a vendor missing here is drawn as a blank band"
    assert len(charts.VENDOR_COLOURS) == len(set(charts.VENDOR_COLOURS)) == len(charts.VENDOR_ORDER)


# --- capacity in Russia -------------------------------------------------------------------------------

def test_no_vendor_in_russia_grows_faster_than_it_can_deliver_and_the_rest_is_not_installed():
    """When Ericsson, Nokia and Cisco leave, their orders pass to the vendors still selling only as far
    as those can grow their deliveries; what none can deliver is not installed (shortfall)."""
    limit = 0.3
    _, _, sim = _run("russia_2022_exit", n=200, russia_supplier_growth_limit=limit, russia_grey_import_share=0.0)
    russia = sim["new"][:, :, G["russia"]]                                   # (n, T, V)
    grown = russia[:, 1:] <= (1 + limit) * russia[:, :-1] + 1e-9
    assert grown.all()
    assert np.all(sim["russia_shortfall"][:, T[2022]] > 0.1)
    total = russia.sum(axis=-1)
    assert np.all(total[:, T[2022]] < total[:, T[2021]])                     # fewer installations in 2022
    # Without the limit the orders all pass to the others (the nested logit alone): nothing is lost
    _, _, free = _run("russia_2022_exit", n=200, russia_supplier_growth_limit=10.0, russia_grey_import_share=0.0)
    assert np.all(free["russia_shortfall"] == 0)
    assert np.all(total[:, T[2022]] < free["new"][:, T[2022], G["russia"]].sum(axis=-1))


def test_zte_holds_back_by_its_share_of_huaweis_pullback():
    zte = ZTE
    shares = [np.median(_shares(_run("russia_2022_exit", n=200, russia_zte_pullback_share=x,
                                     russia_supplier_growth_limit=10.0)[2])[:, T[2023], G["russia"], zte])
              for x in (0.0, 1.0)]
    assert shares[1] < shares[0]


def test_grey_imports_fill_part_of_what_the_others_cannot_deliver():
    """Leavers' kit arriving through third countries: each leaver delivers its share of the offer, up to
    `russia_grey_import_share` of its last year's deliveries, and the shortfall falls by as much."""
    grey = 0.2
    _, _, none = _run("russia_2022_exit", n=200, russia_supplier_growth_limit=0.3, russia_grey_import_share=0.0)
    _, _, some = _run("russia_2022_exit", n=200, russia_supplier_growth_limit=0.3, russia_grey_import_share=grey)
    russia = some["new"][:, :, G["russia"]]
    ericsson = VENDORS.index("ericsson")
    assert np.all(some["russia_shortfall"][:, T[2022]] < none["russia_shortfall"][:, T[2022]])
    assert np.all(russia[:, T[2022], ericsson] <= grey * russia[:, T[2021], ericsson] + 1e-9)
    assert np.all(russia[:, T[2022], ericsson] > 0) and np.all(none["new"][:, T[2022], G["russia"], ericsson] == 0)
