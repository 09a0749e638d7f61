"""Huawei's phones by units (econ.model.huawei.handsets): chips by type, the dearest phones served
first, Honor's units, and the data file's checks."""

import numpy as np

from econ import data
from econ.model import world
from econ.model.huawei import handsets
from econ.scenario import load_scenario


def _world(name, n=600, **overrides):
    return world.assess(load_scenario(name, overrides=overrides), n, ["huawei"])


def test_the_dearest_phones_first_means_units_fall_faster_than_value():
    value = np.array([[0.0, 0.2, 0.5, 0.9, 1.0]])
    same = handsets.unit_share(value, np.array([0.0]))
    np.testing.assert_allclose(same, value, atol=1e-12)  # equal prices: units move with value
    spread = handsets.unit_share(value, np.array([0.7]))
    assert spread[0, 0] == 0 and spread[0, -1] == 1
    assert np.all(spread[0, 1:-1] < value[0, 1:-1]) and np.all(np.diff(spread[0]) > 0)


def test_without_rules_huawei_ships_its_2019_phones_grown_with_demand():
    result = _world("baseline")
    units, p = result["huawei"].outputs["phone_units_m"], result.params
    years = np.arange(units.shape[1])
    expected = handsets.inputs()["units_2019"] * (1 + p["huawei_consumer_growth"][:, None]) ** years[None, :]
    np.testing.assert_allclose(units, expected, rtol=1e-12)


def test_no_licence_reaches_5g_chips():
    chips = _world("aug2020_expansion", licence_approval_rate=0.45)["chip_supply"].outputs
    assert np.all(chips["handset_5g_yearly"] <= chips["handset_yearly"] + 1e-12)
    assert np.median(chips["handset_5g_yearly"][:, 2]) < np.median(chips["handset_yearly"][:, 2])
    none = _world("aug2020_expansion", licence_approval_rate=0.0)["chip_supply"].outputs
    np.testing.assert_allclose(none["handset_5g_yearly"], none["handset_yearly"])


def test_buyers_taking_4g_phones_keep_units_and_revenue_up():
    p = {"five_g_buyers_taking_4g": np.array([0.0, 1.0]), "nonphone_chip_exposure": np.array([0.0, 0.0]),
         **{f"five_g_share_of_demand_{y}": np.array([0.8, 0.8]) for y in handsets.inputs()["mix_years"]}}
    chips = {"handset_yearly": np.full((2, 3), 0.5), "handset_5g_yearly": np.zeros((2, 3))}
    served = handsets.served(p, chips, (2019, 2020, 2021))["phones"]
    np.testing.assert_allclose(served[0], 0.2 * 0.5)  # only 4G demand is served
    np.testing.assert_allclose(served[1], 0.5)  # every 5G buyer takes a 4G phone


def test_selling_honor_takes_its_share_of_units():
    keep = _world("aug2020_expansion", honor_sale_date=None)
    sold = _world("aug2020_expansion")
    ratio = sold["huawei"].outputs["phone_units_m"][:, 3] / keep["huawei"].outputs["phone_units_m"][:, 3]
    np.testing.assert_allclose(ratio, 1 - sold.params["honor_units_share"], rtol=1e-12)


def test_shipments_are_reported_figures():
    m = _world("history").metrics()
    ceiling = handsets.inputs()["units_2019"] * 1.3
    assert 0 < m["huawei_phone_shipments_m_2021"] < m["huawei_phone_shipments_m_2020"] < ceiling


def test_a_range_out_of_order_is_refused():
    from econ.data import schemas

    frame = data.load("huawei_handsets").copy()
    frame.loc[0, "value_low"] = frame.loc[0, "value"] + 1
    problems = schemas._range_problems(frame, "data/huawei_handsets.csv")
    assert problems and problems[0][1] == "value" and "value_low <= value <= value_high" in problems[0][2]
    frame = data.load("huawei_handsets").copy()
    frame.loc[len(frame)] = frame.loc[1]
    assert any("given twice" in p[2] for p in schemas._range_problems(frame, "data/huawei_handsets.csv"))


def test_every_ranged_data_file_refuses_a_range_out_of_order(tmp_path):
    """The same check guards each file of ranged data rows when it is read, naming the file and field."""
    import pytest

    from econ.data.loading import validate_file
    from econ.errors import InputError

    for name in ("huawei_chip_dependence", "huawei_business", "huawei_handsets"):
        frame = data.load(name)
        path = tmp_path / f"{name}.csv"
        frame.to_csv(path, index=False)
        validate_file(path)  # as it is: valid
        frame.loc[0, "value_low"] = frame.loc[0, "value"] + 0.01  # still a share, but above the value
        frame.to_csv(path, index=False)
        with pytest.raises(InputError, match=f"{name}.csv.*value_low <= value <= value_high"):
            validate_file(path)
