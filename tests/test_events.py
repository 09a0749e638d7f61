"""The 2021-2024 mechanisms as properties: a vendor that exits wins nothing after its exit, a tighter
chip rule never raises Huawei's deliveries, the rouble path moves imported kit's cost, Huawei's
pull-back and the emerging-markets link move only what they should."""

import numpy as np
import pytest

from econ.model import chip_supply, world
from econ.model import market_share as ms
from econ.model.market_share.choice import VENDORS
from econ.scenario import load_scenario

T = {y: i for i, y in enumerate(ms.YEARS)}
G = {g: i for i, g in enumerate(ms.GROUPS)}
EXIT = {"vendors": ["ericsson", "nokia"], "places": ["russia"], "from_year": 2022}


def _new(name="aug2020_expansion", n=200, **overrides):
    scn = load_scenario(name, overrides=overrides)
    return world.assess(scn, n, ["market_share"])["market_share"].sim["new"]


def test_a_vendor_that_exits_wins_no_new_contract_after_its_exit():
    new = _new(vendor_exits=[EXIT])
    for v in ("ericsson", "nokia"):
        assert (new[:, T[2022]:, G["russia"], VENDORS.index(v)] == 0).all()
        assert (new[:, T[2021], G["russia"], VENDORS.index(v)] > 0).all()
    assert (new[:, T[2022]:, G["europe"], VENDORS.index("ericsson")] > 0).all()   # only where it left


def test_an_exit_with_a_deadline_is_priced_like_a_ban():
    scn = load_scenario("aug2020_expansion", overrides={"vendor_exits": [{**EXIT, "remove_by": 2026}]})
    rows = world.assess(scn, 200, ["investment"])["investment"].rip_and_replace()
    assert (rows["country"] == "elsewhere").any()
    # the label says it is an exit, not a ban
    assert rows[rows["country"] == "elsewhere"]["ban"].str.contains("ericsson").all()
    assert rows[rows["country"] == "elsewhere"]["ban"].str.contains(" leave in ").all()


ALL_CHIPS = ["foundry", "memory", "chip_design", "image_sensors", "display"]


@pytest.mark.parametrize("tighter", [{"covered_categories": ALL_CHIPS},
                                     {"licence_approval_rate": 0.0}, {"licences_revoked_from": "2021-01-01"},
                                     {"network_chip_inventory_months": 6.0}])
def test_a_tighter_supply_cap_never_raises_huaweis_deliveries(tighter):
    base = load_scenario("may2020_fdpr")
    p = world.draw(base, 300, ["market_share"])
    loose = ms.simulate(base, p, chip_supply.supply(base, p)["network_yearly"], keep="fast")
    tight_scn = load_scenario("may2020_fdpr", overrides=tighter)
    tight = ms.simulate(tight_scn, p, chip_supply.supply(tight_scn, p)["network_yearly"], keep="fast")
    supply_tight, supply_loose = (chip_supply.supply(s, p)["network_yearly"] for s in (tight_scn, base))
    assert (supply_tight <= supply_loose + 1e-12).all()
    assert (tight["huawei_sales_usd_bn"] <= loose["huawei_sales_usd_bn"] + 1e-9).all()


def test_domestic_recovery_never_lowers_supply_and_raises_it_after_it_starts():
    scn = load_scenario("aug2020_expansion")
    p = world.draw(scn, 200, ["chip_supply"])
    without = chip_supply.supply(scn, p)
    rec = load_scenario("aug2020_expansion", overrides={"domestic_chip_recovery": [[2023, 0.0], [2025, 0.6]]})
    with_ = chip_supply.supply(rec, p)
    for product in ("handset", "network"):
        assert (with_[f"{product}_yearly"] >= without[f"{product}_yearly"] - 1e-12).all()
        np.testing.assert_allclose(with_[f"{product}_yearly"][:, :4], without[f"{product}_yearly"][:, :4])  # to 2022
    assert (with_["handset_yearly"][:, 7] > without["handset_yearly"][:, 7]).all()                          # 2026


def test_the_rouble_path_raises_imported_kit_capex_in_roubles():
    def capex(**o):
        return world.assess(load_scenario("russia_pivot", overrides=o), 300, ["investment"]).metrics()[
            "russia_5g_capex_rub_bn_2020_2030"]

    flat = capex(rub_per_usd_path=[[2020, 72.15]])
    weak = capex(rub_per_usd_path=[[2020, 72.15], [2023, 100.0]])
    assert weak > flat
    # only the imported part moves: all Russian-made kit would not care about the rouble
    domestic = {"russian_made_target": [[2020, 1.0]], "russia_domestic_capability": 1.0}
    assert capex(rub_per_usd_path=[[2020, 72.15], [2023, 100.0]], **domestic) == pytest.approx(
        capex(rub_per_usd_path=[[2020, 72.15]], **domestic), rel=1e-9)


def test_huaweis_pull_back_lowers_its_russian_share_from_its_year_only():
    a = _new(russia_huawei_pullback=0.0)
    b = _new(russia_huawei_pullback=-1.5, russia_huawei_pullback_from=2022)
    hw, ru = VENDORS.index("huawei"), G["russia"]
    share = lambda x: x[..., ru, hw] / x[..., ru, :].sum(axis=-1)  # noqa: E731
    np.testing.assert_allclose(share(a)[:, :T[2022]], share(b)[:, :T[2022]])
    assert (share(b)[:, T[2023]] < share(a)[:, T[2023]]).all()


def test_the_emerging_markets_link_moves_the_rest_of_the_world_only_with_a_russian_gain():
    # without a chip rule (no shared supply cap coupling the markets) only the rest of the world moves
    off = _new("russia_pivot", emerging_markets_spillover=0.0, covered_categories=[])
    on = _new("russia_pivot", emerging_markets_spillover=2.0, covered_categories=[])
    hw, row = VENDORS.index("huawei"), G["rest_of_world"]
    share = lambda x: x[..., row, hw] / x[..., row, :].sum(axis=-1)  # noqa: E731
    assert np.median(share(on)[:, T[2026]]) > np.median(share(off)[:, T[2026]])
    europe = G["europe"]
    np.testing.assert_allclose(on[:, :, europe], off[:, :, europe])
