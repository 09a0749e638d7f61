"""The linked model: one registry of stages, one draw per parameter, shared assumptions move every
stage that reads them and only those."""

import dataclasses
import inspect

import numpy as np
import pytest

from econ.model import world
from econ.model.stage import Declaration
from econ.scenario import counterfactual, load_scenario, parameter_table

N = 1500


def test_stages_come_in_dependency_order():
    order = list(world.stages())
    for name, stage in world.stages().items():
        assert all(order.index(up) < order.index(name) for up in stage.reads), name
    assert order[0] == "chip_supply"


def test_order_refuses_a_cycle():
    a = Declaration("a", "A", (), reads=("b",))
    b = Declaration("b", "B", (), reads=("a",))
    with pytest.raises(ValueError, match="cycle"):
        world.order([a, b])


@pytest.mark.parametrize("name", list(world.stages()))
def test_every_stage_implements_the_same_interface(name):
    stage = world.stages()[name]
    for fn, params in (("check", ["scenario"]), ("evaluate", ["scenario", "params", "upstream"]),
                       ("assess", ["scenario", "params", "upstream"]), ("assess_light", ["scenario", "params", "upstream"]),
                       ("draw_inputs", ["scenario", "n"]), ("central_inputs", ["scenario"]),
                       ("against", ["result", "without"])):
        if getattr(stage, fn) is not None:
            assert list(inspect.signature(getattr(stage, fn)).parameters) == params, (name, fn)


def test_metrics_are_declared_once_with_unit_label_and_meaning():
    seen = {}
    for stage in world.stages().values():
        for m in stage.metrics:
            assert m.name not in seen, f"{m.name} declared by {seen.get(m.name)} and {stage.name}"
            seen[m.name] = stage.name
            assert m.unit and m.label and m.meaning and "_" not in m.label, m
    assert {"apac_revenue_at_risk_usd_bn", "huawei_share_world_2020", "russian_made_share_russia_2022",
            "russia_5g_base_stations_thousand_2024"} <= set(seen)


def test_every_parameter_group_is_read_by_a_stage():
    groups = {r["group"] for r in parameter_table()}
    read = {g for s in world.stages().values() for g in s.groups}
    assert groups <= read, groups - read


def test_results_carry_units_for_every_metric():
    result = world.assess(load_scenario("aug2020_expansion"), 500)
    metrics, units = result.metrics(), result.units()
    assert set(metrics) == set(units)
    assert units["apac_revenue_loss_usd_bn_p05"] == "USD bn, nominal"


def test_same_seed_same_numbers_and_chunks_do_not_matter():
    scn = load_scenario("russia_pivot")
    a, b = world.assess(scn, N).metrics(), world.assess(scn, N).metrics()
    assert a == b
    p = world.draw(scn, 700)
    whole, chunked = world.evaluate(scn, p), world.evaluate(scn, p, chunk=97)
    for k in whole:
        np.testing.assert_allclose(whole[k], chunked[k], rtol=1e-12, atol=1e-12)


def test_evaluate_and_assess_agree_on_the_same_draws():
    scn = load_scenario("aug2020_expansion")
    result = world.assess(scn, N)
    fast = world.evaluate(scn, result.params)
    metrics = result.metrics()
    for name in ("apac_revenue_at_risk_usd_bn", "huawei_share_ex_china_2022", "russia_5g_capex_rub_bn_2020_2030",
                 "huawei_carrier_revenue_cny_bn_2021", "huawei_network_chip_supply_2022"):
        assert np.median(fast[name]) == pytest.approx(metrics[name], rel=1e-9), name


def test_a_parameter_two_stages_read_has_the_same_draws_in_both():
    scn = load_scenario("russia_pivot")
    p = world.draw(scn, 50)
    again = world.draw(scn, 50, ["investment"])
    np.testing.assert_array_equal(p["equipment_life_years"], again["equipment_life_years"])


def _moved(scn, name, value):
    base = world.evaluate(scn, world.central(scn))
    point = world.central(scn)
    point[name] = np.array([value])
    moved = world.evaluate(scn, point)
    owner = {m: s for m, (s, _) in world.metrics_table().items()}
    return {owner[k].name for k in base if not np.allclose(base[k], moved[k], rtol=1e-12, atol=1e-12)}


@pytest.mark.parametrize("name, value, must, must_not", [
    # equipment life: the installed base (shares, Huawei's services revenue) and rip-and-replace's normal path
    ("equipment_life_years", 12.0, {"market_share", "investment", "huawei"}, {"chip_supply"}),
    # licences: Huawei's chip supply, the suppliers' losses, and through supply the shares and Huawei's revenue
    ("licence_approval_rate", 0.9, {"chip_supply", "revenue", "huawei"}, set()),
    # Russia's alignment: market shares, and what reads them: the Russian vendor mix that prices Russia's
    # 5G kit and Huawei's carrier revenue (its suppliers' sales move only while Huawei's chips do not
    # bind; in russia_pivot they do, so Huawei's total deliveries stay at its limit)
    ("russia_huawei_alignment", 2.5, {"market_share", "investment", "huawei"}, {"chip_supply"}),
    # rivals' recapture is read by the suppliers' stage alone
    ("rival_recapture_rate", 0.9, {"revenue"}, {"chip_supply", "market_share", "huawei", "investment"}),
    # the investment stage's own cost assumptions move nothing upstream
    ("site_cost_multiplier", 2.5, {"investment"}, {"chip_supply", "market_share", "huawei", "revenue"}),
])
def test_a_shared_assumption_moves_every_stage_that_reads_it_and_only_those(name, value, must, must_not):
    moved = _moved(load_scenario("russia_pivot"), name, value)
    assert must <= moved, (name, moved)
    assert not (moved & must_not), (name, moved)


def test_the_launch_year_is_one_declaration_read_by_shares_and_investment():
    scn = load_scenario("russia_pivot")
    later = load_scenario("russia_pivot", overrides={"russia_5g_launch_year": 2027})
    a, b = world.evaluate(scn, world.central(scn)), world.evaluate(later, world.central(later))
    assert b["russia_5g_base_stations_thousand_2024"][0] < a["russia_5g_base_stations_thousand_2024"][0]
    # the 5G wave moves Russia's shares (Huawei's own Russian share is held by its delivery limit here)
    assert b["russian_made_share_russia_2022"][0] != pytest.approx(a["russian_made_share_russia_2022"][0])


def test_the_counterfactual_resets_the_policy_group_only():
    scn = load_scenario("aug2020_expansion")
    cf = counterfactual(scn)
    base = load_scenario("baseline")
    assert cf.parameters.covered_categories == base.parameters.covered_categories
    assert cf.parameters.vendor_bans == base.parameters.vendor_bans
    assert cf.parameters.substitution_rate == scn.parameters.substitution_rate  # not policy: unchanged
    assert counterfactual(base).parameters == base.parameters


def test_no_rules_no_gap_and_no_diversion():
    result = world.assess(load_scenario("baseline"), 800)
    m = result.metrics()
    assert m["huawei_revenue_gap_cny_bn_2021"] == 0 and m["apac_revenue_loss_usd_bn"] == 0
    assert m["uk_rip_and_replace_gbp_bn"] == 0 and m["us_rip_and_replace_usd_bn"] == 0


def test_bad_draws_refused():
    with pytest.raises(Exception, match="draws"):
        world.assess(load_scenario("baseline"), 0)


def test_the_run_without_the_rules_is_made_only_for_a_stage_that_reports_against_it(monkeypatch):
    from econ.model import market_share

    seen = []
    stage = market_share.STAGE
    full, light = stage.assess, stage.assess_light
    monkeypatch.setitem(world.stages(), "market_share", dataclasses.replace(
        stage, assess=lambda scn, *a, **k: seen.append(scn.name) or full(scn, *a, **k),
        assess_light=lambda scn, *a, **k: seen.append(scn.name) or light(scn, *a, **k)))
    scenario = load_scenario("aug2020_expansion")
    world.assess(scenario, 20, ["investment"])
    assert len(seen) == 1, "investment reads the shares of the scenario only"
    seen.clear()
    world.assess(scenario, 20, ["market_share"])
    assert len(seen) == 2, "the share stage reports its diversion against the run without the rules"
