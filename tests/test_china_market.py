"""China as its own market (econ.model.market_share.china) and vendors' own drift (econ.model.market_share.drift): the
estimates, the mechanisms in the market-share stage, and bad input."""

import numpy as np
import pytest
from conftest import edit, uncached

from econ.errors import InputError
from econ.model import market_share as ms
from econ.model import world
from econ.model.market_share import china as china_market
from econ.model.market_share import drift as vendor_drift
from econ.model.market_share import penalty as share_shift
from econ.model.market_share.choice import VENDORS, WESTERN
from econ.scenario import load_scenario

QUIET = {"sanctions_penalty_scale": 0.0, "russia_huawei_alignment": 0.0, "russian_made_target": [[2020, 0.0]],
         "vendor_bans": [], "covered_categories": []}
T = {y: i for i, y in enumerate(ms.YEARS)}


def _central_shares(**overrides):
    scn = load_scenario("baseline", overrides={**QUIET, **overrides})
    p = world.central(scn, ["market_share"])
    sim = ms.simulate(scn, p, np.ones((1, len(ms.YEARS))))
    return sim["new"][0] / sim["new"][0].sum(axis=-1, keepdims=True)


def test_radio_shares_are_the_2020_tenders_value_weighted():
    t = china_market.tenders()
    first = t[(t["year"] == 2020) & t["complete"]]
    hw = first[first["vendor"] == "huawei"]
    expected = (hw["share"] * hw["value_cny_bn"]).sum() / hw["value_cny_bn"].sum()
    shares = china_market.radio_shares()
    assert shares.sum() == pytest.approx(1.0)
    assert shares[VENDORS.index("huawei")] == pytest.approx(expected / first.groupby("tender")["share"].sum().mean(),
                                                            rel=0.01)


def test_the_response_is_estimated_from_more_tenders_than_unknowns_and_is_negative():
    r = china_market.response_estimate()
    assert len(r.frame) > len(r.result.params)          # 4 tenders, 2 coefficients
    assert r.shift < 0 and r.std_error > 0
    table = r.table()
    assert table.loc[0, "ci90_low"] < r.shift < table.loc[0, "ci90_high"]


def test_response_moves_the_western_nest_in_china_by_the_shift_only_from_2021():
    ran = ms.Layout.build(load_scenario("baseline")).base.parts["ran"]
    off = _central_shares(china_response_scale=0.0)
    on = _central_shares(china_response_scale=1.0)
    china = ms.GROUPS.index("china")
    np.testing.assert_allclose(on[T[2020], china], off[T[2020], china], atol=1e-12)
    # In the radio part the Western nest's log-odds move by the estimated shift exactly.
    radio = china_market.radio_shares()
    west_before = radio[WESTERN].sum()
    west_after_total = on[T[2022], china][WESTERN].sum()
    rest_total = off[T[2022], china][WESTERN].sum() - ran * west_before
    west_after = (west_after_total - rest_total) / ran
    moved = share_shift.logit(west_after) - share_shift.logit(west_before)
    assert moved == pytest.approx(china_market.response_estimate().shift, abs=1e-6)
    # Outside China nothing changes.
    ex = ms.GROUPS.index("world_ex_china")
    np.testing.assert_allclose(on[:, ex], off[:, ex], atol=1e-12)


def test_china_spending_intensity_one_is_total_capex():
    c = china_market.capex()
    index = china_market.spend_index(np.array([1.0]), np.array([0.0]), ms.YEARS)
    assert index[0, T[2021]] == pytest.approx(c.at[2021, "total"] / c.at[2019, "total"])
    assert index[0, T[2025]] == pytest.approx(index[0, T[2022]])   # no growth after the data


def test_more_5g_intensity_raises_chinas_2020_weight():
    low = _central_shares(china_5g_equipment_intensity=1.0)
    high = _central_shares(china_5g_equipment_intensity=2.0)
    w, hw = ms.GROUPS.index("world"), VENDORS.index("huawei")
    assert high[T[2020], w, hw] > low[T[2020], w, hw]


def test_drift_sigma_is_the_root_mean_square_of_pre_rule_changes():
    d = vendor_drift.estimate()
    assert d.count >= 2 and (d.changes["year_to"] <= 2019).all()
    assert d.sigma == pytest.approx(float(np.sqrt((d.changes["change_logit"] ** 2).mean())))


def test_drift_walks_are_reproducible_chunk_safe_and_leave_others_alone():
    inputs = vendor_drift.draw_inputs(7, 50)
    whole = vendor_drift.walks(inputs["vendor_drift_sd"], inputs["vendor_drift_seed"], 12)
    part = vendor_drift.walks(inputs["vendor_drift_sd"][10:20], inputs["vendor_drift_seed"][10:20], 12)
    np.testing.assert_array_equal(whole[10:20], part)
    np.testing.assert_array_equal(whole[:, 0], 1.0)
    for v in ("others", "russian_made"):
        np.testing.assert_array_equal(whole[:, :, VENDORS.index(v)], 1.0)
    assert whole[:, -1, VENDORS.index("huawei")].std() > 0
    np.testing.assert_array_equal(vendor_drift.walks(np.zeros(3), np.arange(3.0), 12), 1.0)


def test_drift_is_the_same_with_and_without_the_rules():
    scn = load_scenario("aug2020_expansion")
    a = world.draw(scn, 20, ["market_share"])
    b = world.draw(load_scenario("baseline"), 20, ["market_share"])
    np.testing.assert_array_equal(a["vendor_drift_seed"], b["vendor_drift_seed"])


@pytest.mark.parametrize("old, new, message", [
    ("cm_2020_phase2,china_mobile,2020,huawei,0.573", "cm_2020_phase2,china_mobile,2020,huawei,0.973",
     r"china_5g_tenders.csv: share: shares of \['cm_2020_phase2'\] sum above 1"),
    ("ctcu_2021,china_telecom_unicom,2021,ericsson", "ctcu_2021,china_telecom_unicom,2020,ericsson",
     "china_5g_tenders.csv: year: need tenders both before and from 2021"),
])
def test_bad_tenders_are_named(data_copy, old, new, message):
    text = (data_copy / "china_5g_tenders.csv").read_text()
    if "2021,ericsson" in old:  # move every 2021 tender to 2020
        text = text.replace(",2021,", ",2020,")
        (data_copy / "china_5g_tenders.csv").write_text(text)
    else:
        edit(data_copy / "china_5g_tenders.csv", old, new)
    with uncached(china_market.tenders, china_market.response_estimate), pytest.raises(InputError, match=message):
        china_market.response_estimate()
        china_market.radio_shares()


def test_missing_china_capex_is_named(data_copy):
    edit(data_copy / "china_operator_capex.csv", "china_unicom,2021,70.0,plan", "china_unicom,2023,70.0,plan")
    with uncached(china_market.capex), pytest.raises(
            InputError, match="china_operator_capex.csv: capex_cny_bn: need every operator"):
        china_market.capex()


def test_5g_capex_above_total_is_named(data_copy):
    edit(data_copy / "china_operator_capex.csv", "china_mobile,2020,180.6,outturn,102.5",
         "china_mobile,2020,180.6,outturn,202.5")
    with uncached(china_market.capex), pytest.raises(
            InputError, match="china_operator_capex.csv: capex_5g_cny_bn: 5G capex above total capex for china_mobile 2020"):
        china_market.capex()
