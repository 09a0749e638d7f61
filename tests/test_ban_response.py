"""The buyers' response to restrictions: a difference-in-differences on European countries' Chinese
radio shares, treated by the timeline's dated decisions, with clustered errors and randomization
inference; bad panel rows fail with the file, field and what is allowed."""

import numpy as np
import pandas as pd
import pytest

from econ import data
from econ.errors import InputError
from econ.model.market_share import ban_response


def _panel():
    return data.load("europe_5g_vendor_panel"), data.load("sanctions_timeline")


def test_the_estimate_has_its_error_its_randomization_p_and_its_sample():
    r = ban_response.estimate()
    assert r.treated == ["FR", "GB", "IT"]  # decisions dated before mid-2022; Poland's bill was never enacted
    assert r.clusters == 7 and len(r.frame) == 14
    assert np.isfinite(r.delta) and 0.1 < r.std_error < 2.0
    assert r.assignments == 35 and 0 < r.randomization_p <= 1  # C(7, 3) assignments, the observed one among them
    table = r.table()
    assert table.loc[0, "ci90_low"] < r.delta < table.loc[0, "ci90_high"]


def test_no_country_is_treated_in_the_wave_before_the_rules():
    f = ban_response.estimate().frame
    assert (f.loc[f["year"] == 2020, "decided"] == 0).all()
    assert set(f.loc[f["decided"] > 0, "year"]) == {2022}


def test_a_country_whose_decision_came_after_the_wave_is_untreated():
    panel, timeline = _panel()
    late = timeline.copy()
    late.loc[late["event_id"] == "fr_anssi_2020_07", "date"] = "2023-01-01"
    r = ban_response.BanResponse(panel, late).fit()
    assert "FR" not in r.treated


def test_the_draws_carry_the_sampling_error_and_the_readings_of_the_data():
    r = ban_response.estimate()
    readings = ban_response.sensitivity()
    assert readings.loc[0, "reading"] == "as coded" and readings.loc[0, "estimate"] == pytest.approx(r.delta)
    x = ban_response.draws(7, 20_000)
    # a mixture over the readings, each a Student t around its estimate
    assert np.mean(x) == pytest.approx(readings["estimate"].mean(), abs=0.03)
    assert np.quantile(x, 0.95) - np.quantile(x, 0.05) > 2 * 1.645 * r.std_error
    np.testing.assert_array_equal(x, ban_response.draws(7, 20_000))


def test_a_decision_must_be_the_countrys_own_restriction_of_its_radio_network():
    panel, timeline = _panel()
    core_only = panel.assign(decision_event=panel["decision_event"].mask(panel["country"] == "IT",
                                                                         "it_fastweb_veto_2020_10"))
    with pytest.raises(InputError, match="not a restriction of the radio network"):
        ban_response.BanResponse(core_only, timeline)
    elsewhere = panel.assign(decision_event=panel["decision_event"].mask(panel["country"] == "DE", "fr_anssi_2020_07"))
    with pytest.raises(InputError, match="is FR's, not DE's"):
        ban_response.BanResponse(elsewhere, timeline)
    twice = pd.concat([panel, panel.iloc[:1]])
    with pytest.raises(InputError, match="appears twice"):
        ban_response.BanResponse(twice, timeline)
    half = panel.copy()
    half.loc[(half["country"] == "FR") & (half["year"] == 2020), "decision_event"] = pd.NA
    with pytest.raises(InputError, match="same decision_event"):
        ban_response.BanResponse(half, timeline)


def test_bad_panel_rows_say_file_field_and_what_is_allowed():
    panel, timeline = _panel()
    typo = panel.copy()
    typo.loc[typo["country"] == "FR", "decision_event"] = "fr_ansi_2020_07"
    with pytest.raises(InputError, match=r"decision_event.*did you mean 'fr_anssi_2020_07'"):
        ban_response.BanResponse(typo, timeline)
    with pytest.raises(InputError, match="is not a wave"):
        ban_response.BanResponse(panel.assign(year=panel["year"].replace(2022, 2023)), timeline)
    with pytest.raises(InputError, match="has one wave"):
        ban_response.BanResponse(panel[~((panel["country"] == "DE") & (panel["year"] == 2022))], timeline)
    none = panel.assign(decision_event=pd.NA)
    with pytest.raises(InputError, match="treated and untreated"):
        ban_response.BanResponse(none, timeline)


def test_a_planted_effect_is_recovered():
    """Country levels, a common wave change and a known effect of a restriction, no noise: the
    difference-in-differences gives back the effect and the wave change."""
    _, timeline = _panel()
    levels = {"DE": 0.3, "FR": -1.1, "GB": -0.4, "IT": 0.2, "ES": 0.2, "PL": 0.4}
    treated = {"FR": "fr_anssi_2020_07", "GB": "gb_hrv_cap_2020_01", "IT": "it_vodafone_conditions_2021_05"}
    wave, effect = -0.5, -0.7
    rows = []
    for country, a in levels.items():
        for year in (2020, 2022):
            x = a + (wave if year == 2022 else 0.0) + (effect if year == 2022 and country in treated else 0.0)
            share = 1 / (1 + np.exp(-x))
            rows.append({"country": country, "year": year, "chinese_share": share, "share_low": share,
                         "share_high": share, "decision_event": treated.get(country, pd.NA)})
    r = ban_response.BanResponse(pd.DataFrame(rows), timeline).fit()
    assert r.delta == pytest.approx(effect, abs=1e-6)
    assert r.result.params["wave_2022"] == pytest.approx(wave, abs=1e-6)
    # the planted assignment and its mirror (the other three treated) are the two most extreme of C(6, 3)
    assert r.randomization_p == pytest.approx(2 / 20)
