"""Huawei's chip supply: no rule, no limit; a tighter rule never gives more chips; stocks delay the cut."""

import numpy as np
import pytest

from econ.model import chip_supply, world
from econ.scenario import load_scenario


def _supply(name, **overrides):
    scn = load_scenario(name, overrides=overrides)
    return chip_supply.supply(scn, world.central(scn, ["chip_supply"]))


def test_no_rule_no_limit():
    out = _supply("baseline")
    assert np.all(out["handset_yearly"] == 1) and np.all(out["network_yearly"] == 1)


def test_shares_lie_between_zero_and_one():
    for name in ("may2020_fdpr", "aug2020_expansion"):
        out = _supply(name)
        for k in ("handset_monthly", "network_monthly"):
            assert np.all((out[k] >= 0) & (out[k] <= 1))


def test_a_wider_rule_never_gives_more_chips():
    may, aug = _supply("may2020_fdpr"), _supply("may2020_fdpr", covered_categories=["foundry", "memory", "chip_design"])
    for k in ("handset_yearly", "network_yearly"):
        assert np.all(aug[k] <= may[k] + 1e-12)
    assert aug["handset_yearly"][0, 2] < may["handset_yearly"][0, 2]  # 2021


@pytest.mark.parametrize("name", ["handset_chip_inventory_months", "network_chip_inventory_months"])
def test_bigger_stocks_delay_the_cut(name):
    product = name.split("_")[0]
    small, large = _supply("aug2020_expansion", **{name: 2.0}), _supply("aug2020_expansion", **{name: 20.0})
    assert np.all(large[f"{product}_monthly"] >= small[f"{product}_monthly"] - 1e-12)
    assert large[f"{product}_yearly"][0, 2] > small[f"{product}_yearly"][0, 2]


def test_licences_for_everything_mean_no_limit():
    out = _supply("aug2020_expansion", licence_approval_rate=1.0)
    assert np.all(out["handset_yearly"] == 1) and np.all(out["network_yearly"] == 1)


def test_merchant_chips_help_only_while_the_rule_spares_them():
    may_low, may_high = (_supply("may2020_fdpr", merchant_chip_switch_share=v) for v in (0.0, 0.9))
    aug_low, aug_high = (_supply("aug2020_expansion", merchant_chip_switch_share=v) for v in (0.0, 0.9))
    assert may_high["handset_yearly"][0, 2] > may_low["handset_yearly"][0, 2]
    np.testing.assert_allclose(aug_high["handset_yearly"], aug_low["handset_yearly"])


def test_the_cut_starts_after_the_wind_down_and_the_stock():
    scn = load_scenario("aug2020_expansion", overrides={"handset_chip_inventory_months": 3.0})
    out = chip_supply.supply(scn, world.central(scn, ["chip_supply"]))
    start = chip_supply.month_index(scn.parameters.rule_effective_date)
    months = np.arange(chip_supply.MONTHS) + 0.5
    before = months < start + scn.parameters.wind_down_days / chip_supply.DAYS_PER_MONTH + 3.0
    assert np.all(out["handset_monthly"][0, before] == 1) and np.all(out["handset_monthly"][0, ~before] < 1)


def test_yearly_table_is_tidy():
    result = world.assess(load_scenario("aug2020_expansion"), 300, ["chip_supply"])
    table = result["chip_supply"].yearly()
    assert set(table.columns) == {"year", "product", "supply_share", "supply_share_p05", "supply_share_p95"}
    assert (table["supply_share_p05"] <= table["supply_share"]).all()
