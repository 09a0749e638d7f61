"""Revenue model: properties with known answers, calibration, breakdowns, bad input."""

import numpy as np
import pytest
import vl_convert
from conftest import edit as _edit

from econ import charts, revenue
from econ.errors import InputError
from econ.scenario import load_scenario

N = 3000


@pytest.fixture(scope="module")
def chain():
    return revenue.SupplyChain.load()


@pytest.fixture(scope="module")
def calib():
    return revenue.default_calibration()


def _totals(chain, calib, scenario, **params):
    p = revenue.draw_params(scenario, N)
    p.update({k: np.full(N, float(v)) for k, v in params.items()})
    return revenue.apac_totals(revenue.losses(chain, scenario, calib, p), chain)


def test_baseline_loses_nothing(chain, calib):
    out = _totals(chain, calib, load_scenario("baseline"))
    assert all(np.all(v == 0) for v in out.values())


def test_zero_shock_gives_zero_loss(chain, calib):
    may = load_scenario("may2020_fdpr")
    out = _totals(chain, calib, may, licence_approval_rate=1.0)  # every blocked sale licensed
    assert np.allclose(out["total"], 0)


def test_direct_plus_indirect_is_total(chain, calib):
    out = _totals(chain, calib, load_scenario("aug2020_expansion"))
    np.testing.assert_allclose(out["direct"] + out["indirect"], out["total"])
    assert (out["direct"] > 0).all() and (out["indirect"] > 0).all()


@pytest.mark.parametrize("name", ["may2020_fdpr", "aug2020_expansion"])
def test_loss_never_falls_as_coverage_rises(chain, calib, name):
    scn = load_scenario(name)
    levels = [_totals(chain, calib, scn, indirect_coverage=c)["total"] for c in np.linspace(0, 1, 6)]
    assert all(np.all(b >= a - 1e-12) for a, b in zip(levels, levels[1:]))
    assert np.all(levels[-1] > levels[0])


@pytest.mark.parametrize("name", ["may2020_fdpr", "aug2020_expansion"])
def test_more_substitution_never_raises_loss(chain, calib, name):
    scn = load_scenario(name)
    levels = [_totals(chain, calib, scn, substitution_rate=s)["total"] for s in np.linspace(0, 1, 6)]
    assert all(np.all(b <= a + 1e-12) for a, b in zip(levels, levels[1:]))
    assert np.all(levels[-1] < levels[0])


def test_wider_rule_costs_more(chain, calib):
    may = _totals(chain, calib, load_scenario("may2020_fdpr"), substitution_rate=0.3)
    aug_scn = load_scenario("aug2020_expansion")
    aug_same_timing = aug_scn.model_copy(update={"parameters": aug_scn.parameters.model_copy(
        update={"wind_down_days": 120})})
    aug = _totals(chain, calib, aug_same_timing, substitution_rate=0.3)
    assert np.all(aug["total"] >= may["total"])


def test_calibration_reproduces_sp(calib):
    # S&P Global Ratings, 29 Jul 2020: about US$25bn, nearly 7 direct and 18 indirect.
    assert calib.fitted["direct"] == pytest.approx(7.0, abs=1e-6)
    assert calib.fitted["indirect"] == pytest.approx(18.0, abs=1e-6)
    assert 0 < calib.design_reach <= 1 and calib.network_scale > 0
    impact = revenue.assess(load_scenario("may2020_fdpr"), 10_000)
    m = impact.metrics()
    assert m["apac_revenue_loss_usd_bn"] == pytest.approx(25, rel=0.03)
    assert m["apac_revenue_loss_usd_bn_p05"] < m["apac_revenue_loss_usd_bn"] < m["apac_revenue_loss_usd_bn_p95"]


def test_calibrated_values_follow_the_target(chain):
    may = load_scenario("may2020_fdpr")
    base = revenue.calibrate(chain, may)
    more_direct = revenue.calibrate(chain, may, {"direct": 8.0, "indirect": 18.0})
    more_indirect = revenue.calibrate(chain, may, {"direct": 7.0, "indirect": 22.0})
    assert more_direct.design_reach > base.design_reach
    assert more_indirect.network_scale > base.network_scale
    assert more_indirect.design_reach == pytest.approx(base.design_reach)


def test_unreachable_target_is_reported(chain):
    with pytest.raises(InputError, match="design_reach"):
        revenue.calibrate(chain, load_scenario("may2020_fdpr"), {"direct": 500.0, "indirect": 18.0})


def test_same_seed_same_numbers():
    a = revenue.assess(load_scenario("russia_pivot"), 2000).metrics()
    b = revenue.assess(load_scenario("russia_pivot"), 2000).metrics()
    assert a == b


def test_breakdowns_add_up():
    impact = revenue.assess(load_scenario("may2020_fdpr"), 5000)
    wf = impact.waterfall()
    changes = wf.loc[wf.kind == "change", "loss_usd_bn"].sum()
    assert wf.loss_usd_bn.iloc[0] + changes == pytest.approx(wf.loss_usd_bn.iloc[-1], rel=1e-9)
    assert wf.loss_usd_bn.iloc[-1] == pytest.approx(
        np.median(impact.totals["direct"]) + wf.loss_usd_bn.iloc[-3:-1].sum(), rel=1e-9)
    econ = impact.by_economy()
    assert set(econ.economy) >= {"taiwan", "south_korea", "japan", "china", "united_states"}
    assert impact.by_supplier().supplier.tolist()
    tp = impact.time_profile()
    assert len(tp) == 36 and tp.loss_usd_bn.ge(0).all()
    # Nothing is lost during the 120-day wind-down of the May rule (months 1-4).
    direct = tp[tp.channel.str.startswith("direct")]
    assert direct.loss_usd_bn.iloc[:3].eq(0).all() and direct.loss_usd_bn.iloc[5:].gt(0).all()


def test_charts_render_to_svg():
    impact = revenue.assess(load_scenario("may2020_fdpr"), 2000)
    _, gap, _ = revenue.huawei_gap(2000)
    for chart in [charts.loss_waterfall(impact.waterfall(), "s"), charts.losses_by_economy(impact.by_economy(), "s"),
                  charts.loss_time_profile(impact.time_profile(), "s"), charts.revenue_gap(gap, "s")]:
        spec = chart.to_dict()
        assert "Source: s" in str(spec)
        assert "<svg" in vl_convert.vegalite_to_svg(spec)


def test_huawei_gap_metrics():
    _, gap, m = revenue.huawei_gap(4000)
    for year in (2020, 2021):
        assert m[f"huawei_revenue_gap_cny_bn_{year}_p05"] < m[f"huawei_revenue_gap_cny_bn_{year}"] \
            < m[f"huawei_revenue_gap_cny_bn_{year}_p95"]
    total = gap[(gap.dimension == "total") & (gap.year == 2021)].iloc[0]
    assert total.gap_cny_bn == pytest.approx(total.counterfactual_cny_bn - 636.807)


def test_rule_date_outside_data_years():
    scn = load_scenario("may2020_fdpr", overrides={"rule_effective_date": "2019-03-01"})
    with pytest.raises(InputError, match=r"parameters.rule_effective_date: .*allowed 2020-01-01 to 2022-12-31"):
        revenue.assess(scn, 100)




def test_exposure_share_above_one_named(data_copy):
    _edit(data_copy / "supplier_exposure.csv", "tsmc,taiwan,foundry,2020,0.175", "tsmc,taiwan,foundry,2020,1.75")
    with pytest.raises(InputError, match=r"supplier_exposure.csv: column 'huawei_share_of_revenue', line 2"):
        revenue.assess(load_scenario("may2020_fdpr"), 100).by_supplier()


def test_negative_procurement_named(data_copy):
    _edit(data_copy / "huawei_procurement.csv", "2019,taiwan,15,", "2019,taiwan,-15,")
    pattern = (r"huawei_procurement.csv: column .procurement_usd_bn., line \d+: "
               r"value -15(\.0)? fails greater_than_or_equal_to")
    with pytest.raises(InputError, match=pattern):
        revenue.SupplyChain.load()


def test_category_mix_must_sum_to_one(data_copy):
    _edit(data_copy / "procurement_category_mix.csv", "taiwan,foundry,0.40", "taiwan,foundry,0.60")
    with pytest.raises(InputError, match=r"procurement_category_mix.csv: share: taiwan sums to 1.2"):
        revenue.SupplyChain.load()
