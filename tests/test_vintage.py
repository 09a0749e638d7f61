"""Rip-and-replace's added cost from the kit's vintages: old kit adds nothing, young kit adds the life
left in it, and the replacement vendor's price adds its premium on the kit's share."""

import numpy as np
import pytest

from econ.model.investment import vintage


def test_kit_past_its_life_at_the_removal_loses_nothing():
    share = vintage.early_retirement_share((2000.0, 2002.0), 2021, 2027, np.array([6.0, 10.0]))
    np.testing.assert_array_equal(share, 0.0)


def test_new_kit_removed_at_once_loses_nearly_all_its_life():
    share = vintage.early_retirement_share((2020.0, 2021.0), 2021, 2021, np.array([10.0]))
    assert share[0] == pytest.approx(1 - 1.0 / 10, abs=1e-9)  # installed mid-2020 on average, removed mid-2021


def test_young_kit_loses_more_than_steady_state_and_longer_lives_lose_more():
    life = np.array([6.0, 8.0, 10.0])
    young = vintage.early_retirement_share((2019.0, 2021.0), 2021, 2027, life)
    steady = vintage.early_retirement_share(None, 2021, 2027, life)
    assert np.all(young > steady) and np.all(np.diff(young) > 0) and np.all(np.diff(steady) >= 0)
    # steady state, removal spread over a window as long as the life: about a sixth of the value (1/2 x 1/3 in the limit)
    assert vintage.early_retirement_share(None, 2021, 2030, np.array([10.0]))[0] == pytest.approx(1 / 6, abs=0.02)


def test_price_share_is_the_premium_on_the_kit_share():
    assert vintage.price_share(np.array([0.35]), 0.4)[0] == pytest.approx(0.4 * 0.35 / 1.35)
    with pytest.raises(ValueError):
        vintage.price_share(np.array([-0.1]), 0.4)


def test_parts_must_add_up():
    with pytest.raises(ValueError, match="add to"):
        vintage.added_share([(0.5, None)], 2021, 2027, np.array([8.0]), np.array([0.3]), 0.4)
    with pytest.raises(ValueError, match="run forward"):
        vintage.early_retirement_share((2022.0, 2019.0), 2021, 2027, np.array([8.0]))


def test_steady_state_kit_stops_going_in_when_the_ban_starts():
    """A ban from 2019 with removal in 2022-2023: the kit is at least three years old at removal."""
    life = np.array([8.0])
    early = vintage.early_retirement_share(None, 2022, 2023, life, until=2019)
    late = vintage.early_retirement_share(None, 2022, 2023, life)
    assert early[0] < late[0]
    assert vintage.early_retirement_share(None, 2022, 2023, life, until=2030)[0] == pytest.approx(late[0])
