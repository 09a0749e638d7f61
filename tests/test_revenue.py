"""Suppliers' revenue stage: revenue at risk and net loss kept apart, properties with known answers,
breakdowns that add up, and bad input named."""

import numpy as np
import pytest
import vl_convert
from conftest import edit, uncached

from econ import charts
from econ.errors import InputError
from econ.model import revenue, world
from econ.scenario import load_scenario

N = 1500


def _run(name, n=N, **overrides):
    scn = load_scenario(name, overrides=overrides)
    return world.assess(scn, n, ["revenue"])["revenue"]


def _fast(name, **fixed):
    """The stage's metrics at the scenario's draws with some parameters fixed (n,) each."""
    scn = load_scenario(name)
    p = world.draw(scn, N, ["revenue"])
    p.update({k: np.full(N, float(v)) for k, v in fixed.items()})
    return world.evaluate(scn, p, ["revenue"])


def test_baseline_has_nothing_at_risk_and_loses_nothing():
    m = _run("baseline").metrics()
    assert all(v == 0 for k, v in m.items())


def test_direct_plus_indirect_is_total():
    m = _fast("aug2020_expansion")
    for basis in ("loss", "at_risk"):
        np.testing.assert_allclose(m[f"apac_direct_{basis}_usd_bn"] + m[f"apac_indirect_{basis}_usd_bn"],
                                   m[f"apac_revenue_{basis}_usd_bn"])


def test_licences_for_everything_leave_only_the_foundries_direct_loss_and_the_same_exposure():
    """No licence reached the foundries (TSMC shipped nothing after mid-September 2020): with every
    application approved, the direct loss is the foundries' alone, and the exposure does not move."""
    from econ.model.revenue import model

    free = _fast("aug2020_expansion", licence_approval_rate=1.0)
    base = _fast("aug2020_expansion")
    assert np.all(free["apac_direct_loss_usd_bn"] > 0)
    assert np.all(free["apac_revenue_loss_usd_bn"] < 1e-9 + base["apac_revenue_loss_usd_bn"])
    np.testing.assert_allclose(free["apac_revenue_at_risk_usd_bn"], base["apac_revenue_at_risk_usd_bn"])
    assert model.LICENSABLE[list(model.CATEGORIES).index("foundry")] == 0 and model.LICENSABLE.sum() == len(
        model.CATEGORIES) - 1
    scn = load_scenario("may2020_fdpr")  # the May rule covers only foundry: licences change nothing there
    a = world.evaluate(scn, {"licence_approval_rate": np.array([0.0, 1.0])}, ["revenue"])
    assert a["apac_direct_loss_usd_bn"][0] == pytest.approx(a["apac_direct_loss_usd_bn"][1])


def test_the_net_loss_is_below_the_revenue_at_risk():
    for name in ("may2020_fdpr", "aug2020_expansion"):
        m = _fast(name)
        assert np.all(m["apac_revenue_loss_usd_bn"] <= m["apac_revenue_at_risk_usd_bn"] + 1e-9)


@pytest.mark.parametrize("name", ["substitution_rate", "rival_recapture_rate", "stockpile_months"])
def test_more_resale_recapture_or_stockpiling_never_raises_the_loss(name):
    top = {"substitution_rate": 1.0, "rival_recapture_rate": 1.0, "stockpile_months": 12.0}[name]
    levels = [_fast("aug2020_expansion", **{name: v})["apac_revenue_loss_usd_bn"] for v in np.linspace(0, top, 5)]
    assert all(np.all(b <= a + 1e-9) for a, b in zip(levels, levels[1:]))
    assert np.all(levels[-1] < levels[0])


def test_a_wider_rule_puts_more_at_risk():
    may, aug = _fast("may2020_fdpr"), _fast("aug2020_expansion")
    assert np.median(aug["apac_revenue_at_risk_usd_bn"]) > np.median(may["apac_revenue_at_risk_usd_bn"])
    assert np.median(aug["apac_direct_at_risk_usd_bn"]) > np.median(may["apac_direct_at_risk_usd_bn"])


def test_direct_exposure_of_the_may_rule_is_the_foundry_sales_to_huawei():
    # Known answer from the data, not a fit: Taiwan's 40% and China's 5% foundry shares of purchases
    impact = _run("may2020_fdpr")
    chain = impact.chain
    sales = chain.matrix(impact.params)
    foundry = sales[:, [chain.economies.index(e) for e in revenue.APAC], revenue.CATEGORIES.index("foundry")].sum(axis=1)
    np.testing.assert_allclose(revenue.apac_totals(impact.risk)["direct"], foundry)


def test_the_indirect_exposure_follows_what_the_rule_stops():
    # Handset parts are at risk as far as handsets lose their chips: more merchant-chip switching under
    # the May rule means less at risk
    low = _fast("may2020_fdpr", merchant_chip_switch_share=0.0)["apac_indirect_at_risk_usd_bn"]
    high = _fast("may2020_fdpr", merchant_chip_switch_share=0.9)["apac_indirect_at_risk_usd_bn"]
    assert np.all(high < low)


def test_same_seed_same_numbers():
    assert _run("aug2020_expansion", 300).metrics() == _run("aug2020_expansion", 300).metrics()


def test_breakdowns_add_up():
    impact = _run("aug2020_expansion", 2000)
    m = impact.metrics()
    econ_rows = impact.by_economy()
    net = econ_rows[(econ_rows.basis == "net loss, 12 months") & econ_rows.asia_pacific]
    assert net["loss_usd_bn"].sum() == pytest.approx(m["apac_revenue_loss_usd_bn"], rel=0.1)  # sum of medians
    water = impact.waterfall()
    assert water["loss_usd_bn"].iloc[0] == pytest.approx(m["apac_revenue_at_risk_usd_bn"], rel=1e-9)
    changes = water[water.kind == "change"]["loss_usd_bn"].sum()
    assert water["loss_usd_bn"].iloc[0] + changes == pytest.approx(water["loss_usd_bn"].iloc[-1])
    profile = impact.time_profile()
    assert len(profile) == 3 * revenue.MONTHS and (profile["loss_usd_bn"] >= 0).all()
    sp = impact.against_sp()
    assert list(sp["part"]) == ["total", "direct", "indirect"] and sp["sp_revenue_at_risk_usd_bn"].iloc[0] == 25


def test_charts_render_to_svg():
    impact = _run("aug2020_expansion", 500)
    by_economy = impact.by_economy()
    for chart in [charts.loss_waterfall(impact.waterfall(), impact.source),
                  charts.losses_by_economy(by_economy[by_economy.basis == "net loss, 12 months"], impact.source),
                  charts.loss_time_profile(impact.time_profile(), impact.source)]:
        assert "<svg" in vl_convert.vegalite_to_svg(chart.to_dict())


def test_rule_date_outside_data_years():
    with pytest.raises(InputError, match="rule_effective_date: 2019-06-01 is outside the years"):
        world.assess(load_scenario("may2020_fdpr", overrides={"rule_effective_date": "2019-06-01"}), 10)


def test_china_procurement_is_drawn_over_its_range():
    impact = _run("may2020_fdpr", 4000)
    china = impact.params["procurement_china"]
    assert china.min() >= 8 and china.max() <= 25 and 12 < np.median(china) < 18


def test_exposure_share_above_one_named(data_copy):
    edit(data_copy / "supplier_exposure.csv", "tsmc,taiwan,foundry,2020,0.175", "tsmc,taiwan,foundry,2020,1.75")
    with pytest.raises(InputError, match=r"supplier_exposure.csv: column 'huawei_share_of_revenue', line 2"):
        _run("may2020_fdpr", 10).by_supplier()


def test_negative_procurement_named(data_copy):
    edit(data_copy / "huawei_procurement.csv", "2019,taiwan,15,", "2019,taiwan,-15,")
    with uncached(revenue.chain), pytest.raises(InputError, match=r"huawei_procurement.csv: column 'procurement_usd_bn'"):
        revenue.SupplyChain.load()


def test_category_mix_must_sum_to_one(data_copy):
    edit(data_copy / "procurement_category_mix.csv", "taiwan,foundry,0.40", "taiwan,foundry,0.60")
    with pytest.raises(InputError, match=r"procurement_category_mix.csv: share: taiwan sums to 1.2"):
        revenue.SupplyChain.load()


def test_a_category_missing_from_the_business_split_is_named(data_copy):
    text = (data_copy / "procurement_by_business.csv").read_text().splitlines()
    kept = [line for line in text if not line.startswith("memory")]
    (data_copy / "procurement_by_business.csv").write_text("\n".join(kept) + "\n")
    with pytest.raises(InputError, match="procurement_by_business.csv: product_category: need one row for each"):
        revenue.SupplyChain.load()


def test_the_upstream_tiers_are_the_sum_of_every_round_through_the_supply_network():
    c = revenue.chain()
    rng = np.random.default_rng(7)
    x, s = rng.random((50, len(c.network))), rng.uniform(0.75, 1.25, 50)
    rounds = np.zeros_like(x)
    term = x.copy()
    for _ in range(200):  # (sA)^k x for k >= 1, summed until negligible
        term = s[:, None] * term @ c.network.T
        rounds += term
    np.testing.assert_allclose(c.upstream(x, s), rounds, rtol=1e-10, atol=1e-12)
