"""Huawei's revenue by business from the other stages: accounting identities, directions, the gap
against the counterfactual, and the comparison with what Huawei reported."""

import numpy as np
import pytest

from econ import data
from econ.model import huawei, world
from econ.scenario import load_scenario


def _revenue(name, n=800, **overrides):
    return world.assess(load_scenario(name, overrides=overrides), n, ["huawei"])["huawei"]


def test_2019_levels_are_huaweis_reported_ones():
    reported = data.defaults("huawei_revenue").query("dimension == 'business_group' and year == 2019").set_index("segment")
    rev = _revenue("aug2020_expansion")
    for business in huawei.BUSINESSES:
        np.testing.assert_allclose(rev.outputs[f"{business}_cny_bn"][:, 0], reported.at[business, "revenue_cny_bn"])


def test_no_rules_no_gap():
    m = _revenue("baseline").metrics()
    assert m["huawei_revenue_gap_cny_bn_2020"] == 0 and m["huawei_revenue_gap_cny_bn_2021"] == 0


def test_the_rules_cost_huawei_revenue_and_the_august_rule_more():
    may, aug = _revenue("may2020_fdpr").metrics(), _revenue("aug2020_expansion").metrics()
    assert 0 < may["huawei_revenue_gap_cny_bn_2021"] < aug["huawei_revenue_gap_cny_bn_2021"]


def test_selling_honor_lowers_consumer_revenue_from_the_sale():
    keep = _revenue("aug2020_expansion", honor_sale_date=None).outputs["consumer_cny_bn"]
    sold = _revenue("aug2020_expansion").outputs["consumer_cny_bn"]
    assert np.all(sold[:, 0] == keep[:, 0]) and np.all(sold[:, 2] < keep[:, 2])


def test_fewer_handset_chips_mean_less_consumer_revenue():
    rich = _revenue("aug2020_expansion", handset_chip_inventory_months=20.0).outputs["consumer_cny_bn"]
    poor = _revenue("aug2020_expansion", handset_chip_inventory_months=1.0).outputs["consumer_cny_bn"]
    assert np.all(poor[:, 2] <= rich[:, 2]) and np.median(poor[:, 2]) < np.median(rich[:, 2])


def test_carrier_revenue_follows_equipment_sales_and_the_installed_base():
    result = world.assess(load_scenario("aug2020_expansion"), 300, ["huawei"])
    shares, rev = result["market_share"].outputs, result["huawei"].outputs
    rate = huawei.model._inputs()["cny_per_usd"]
    equipment = shares["huawei_sales_usd_bn"] * rate
    services = rev["carrier_cny_bn"] - equipment
    ratio = services / shares["huawei_installed_usd_bn"]
    np.testing.assert_allclose(ratio, ratio[:, :1] * np.ones_like(ratio), rtol=1e-9)


def test_against_reported_lists_every_reported_year_the_model_covers():
    table = _revenue("aug2020_expansion").against_reported()
    assert {(2020, "carrier"), (2021, "consumer"), (2022, "carrier")} <= set(zip(table.year, table.business))
    assert (table["model_p05_cny_bn"] <= table["model_cny_bn"]).all()


def test_a_missing_business_row_is_named(data_copy):
    from conftest import edit, uncached

    edit(data_copy / "huawei_business.csv", "honor_share_of_phone_revenue", "honour_share")
    with uncached(huawei.model._inputs), pytest.raises(
            Exception, match="huawei_business.csv: item: missing rows: honor_share_of_phone_revenue"):
        huawei.model._inputs()
