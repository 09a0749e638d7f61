"""The sanctions timeline: the shipped events, bad rows refused with file, line and field named,
themes, the reader's table and the chart."""

import json
import re

import pandas as pd
import pytest
import vl_convert
from conftest import edit

from econ import charts, cli, data, story
from econ import timeline as tl
from econ.errors import InputError

FILE = "sanctions_timeline.csv"

#: Events issue 13 asks for by name (one row each at least).
REQUIRED = [
    "se_5g_ban_2020_10", "de_5g_agreement_2024_07", "de_core_deadline_2026", "de_management_deadline_2029",
    "ca_ban_2022_05", "in_nsdt_2020_12", "in_trusted_products_2021_06", "us_oct2022_rules",
    "jp_chip_tools_2023_07", "nl_duv_licences_2023_09", "us_smic_entity_list_2020_12", "cn_mate60_7nm_2023_09",
    "us_huawei_licence_revocation_2024_05", "cn_honor_sale_2020_11", "se_ericsson_russia_suspend_2022_04",
    "fi_nokia_russia_exit_2022_04", "cn_huawei_russia_split_2022_11", "ru_quota_passport_2024_10",
    "ru_rub_avg_2023", "us_rr_appropriation_2020_12", "us_rr_ndaa_enacted_2024_12",
]
#: The rows of the file before 2020-2024 was added.
EARLIER = [
    "us_entity_list_2019_05", "us_entity_list_2019_08", "us_tgl_extension_2019_08", "us_tgl_extension_2020_05",
    "us_fdpr_2020_05", "us_fdpr_winddown_end_2020_09", "us_tgl_expiry_2020_08", "us_entity_list_2020_08",
    "us_fdpr_2020_08", "kr_memory_supply_halt_2020_09", "gb_hrv_cap_2020_01", "gb_5g_ban_2020_07",
    "gb_5g_removal_deadline_2027", "au_5g_ban_2018_08", "nz_5g_block_2018_11", "fr_5g_restriction_2020",
    "se_5g_restriction_2020", "pl_5g_restriction_2020", "ro_5g_restriction_2020", "ru_mts_huawei_5g_2019_06",
    "cn_huawei_russia_pause_2022_03", "se_ericsson_russia_exit_2022_08",
]


@pytest.fixture(scope="module")
def rows():
    return data.load("sanctions_timeline")


def test_the_required_and_the_earlier_events_are_there(rows):
    ids = set(rows["event_id"])
    assert not [e for e in REQUIRED + EARLIER if e not in ids]
    assert len(rows) >= 100


def test_period_known_answers():
    assert data.period("2020-05-15") == (2020, 5, 15) and data.period("2020-05") == (2020, 5)
    assert data.period("2020") == (2020,)
    for bad in ("2020-02-30", "2020-13", "20-05-15", "2020/05/15", "", None):
        assert data.period(bad) is None, bad


def test_every_note_reference_names_a_source_or_an_event(rows):
    known = set(data.sources()["source_id"]) | set(rows["event_id"]) | set(data.DATASETS) | set(data.EVENT_TYPES)
    token = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
    unknown = {(row.event_id, t) for row in rows.itertuples()
               for t in token.findall(f"{row.note if isinstance(row.note, str) else ''} {row.scope}") if t not in known}
    assert not unknown


def _same_period(a: tuple, b: tuple) -> bool:
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def test_every_deadline_has_a_row_on_the_day_it_falls(rows):
    due = [data.period(d) for d in rows.loc[rows["event_type"] == "removal_deadline", "date"]]
    missing = [row.event_id for row in rows.dropna(subset=["removal_deadline"]).itertuples()
               if not any(_same_period(data.period(row.removal_deadline), d) for d in due)]
    assert not missing


# --- bad rows are refused, naming file, line and field ------------------------------------------------

def _line(path, event_id) -> str:
    lines = path.read_text().splitlines()
    return f"line {next(i + 1 for i, text in enumerate(lines) if text.startswith(event_id + ','))}"


UK_BAN = "gb_5g_ban_2020_07,2020-07-14,GB,ban_5g,huawei,ran;core;transport;management,2027,"
UK_CAP = "gb_hrv_cap_2020_01,2020-01-28,GB,ban_5g,huawei,core;ran,,"
BAD_ROWS = {
    "deadline before the ban": (UK_BAN, UK_BAN.replace(",2027,", ",2020-06-30,"), "gb_5g_ban_2020_07",
                                "removal_deadline", "is before the event's date 2020-07-14"),
    "deadline year before the ban": (UK_BAN, UK_BAN.replace(",2027,", ",2019,"), "gb_5g_ban_2020_07",
                                     "removal_deadline", "is before the event's date"),
    "deadline not a date": (UK_BAN, UK_BAN.replace(",2027,", ",soon,"), "gb_5g_ban_2020_07",
                            "removal_deadline", "'soon' is not an ISO date"),
    "unknown network part": (UK_CAP, UK_CAP.replace("core;ran", "core;antennas"), "gb_hrv_cap_2020_01",
                             "parts", "'antennas' is not a network part; allowed: ran, core, transport, management"),
    "unknown vendor": (UK_CAP, UK_CAP.replace(",huawei,", ",huawei;hauwei,"), "gb_hrv_cap_2020_01",
                       "vendors", "'hauwei' is not a vendor; allowed: huawei, ericsson, nokia, zte"),
    "wrong separator": (UK_CAP, UK_CAP.replace(",huawei,", ",huawei+zte,"), "gb_hrv_cap_2020_01",
                        "vendors", "several separated by ';'"),
    "date after the model's years": ("fr_5g_restriction_2020,2020,", "fr_5g_restriction_2020,2031,",
                                     "fr_5g_restriction_2020", "date",
                                     "2031 is outside the model's years: events are dated 2018 to 2030"),
    "date before the model's years": ("au_5g_ban_2018_08,2018-08-23,", "au_5g_ban_2018_08,2017-08-23,",
                                      "au_5g_ban_2018_08", "date", "outside the model's years"),
    "date not a date": ("us_fdpr_2020_05,2020-05-15,", "us_fdpr_2020_05,15/05/2020,", "us_fdpr_2020_05", "date",
                        "'15/05/2020' is not an ISO date: write YYYY-MM-DD, YYYY-MM or YYYY"),
    "unknown event type": (UK_CAP, UK_CAP.replace("ban_5g", "ban_6g"), "gb_hrv_cap_2020_01",
                           "event_type", "'ban_6g' is not allowed; allowed: entity_list, "),
    "event type with a typo": (UK_CAP, UK_CAP.replace("ban_5g", "ban_5gg"), "gb_hrv_cap_2020_01",
                              "event_type", "(did you mean 'ban_5g'?)"),
    "jurisdiction not a code": (UK_CAP, UK_CAP.replace(",GB,", ",Britain,"), "gb_hrv_cap_2020_01",
                                "jurisdiction", "'Britain' is not a jurisdiction the model can place; allowed: AU, "),
    "jurisdiction the model cannot place": (UK_CAP, UK_CAP.replace(",GB,", ",XX,"), "gb_hrv_cap_2020_01",
                                            "jurisdiction", "'XX' is not a jurisdiction the model can place; allowed: "
                                            "AU, BE, BR, CA, CN, DE, DK, EE, ES, EU, FI, FR, GB, "),
    "jurisdiction UK for GB": (UK_CAP, UK_CAP.replace(",GB,", ",UK,"), "gb_hrv_cap_2020_01",
                               "jurisdiction", "EU for EU-level acts) (did you mean 'GB'?)"),
    "jurisdiction in lower case": (UK_CAP, UK_CAP.replace(",GB,", ",gb,"), "gb_hrv_cap_2020_01",
                                   "jurisdiction", "'gb' is not a jurisdiction the model can place"),
    "jurisdiction as a name": (UK_CAP, UK_CAP.replace(",GB,", ",Germny,"), "gb_hrv_cap_2020_01",
                               "jurisdiction", "(did you mean 'DE', Germany?)"),
}


@pytest.mark.parametrize("case", BAD_ROWS)
def test_bad_rows_are_refused_with_file_line_and_field(case, data_copy):
    old, new, event_id, column, message = BAD_ROWS[case]
    path = data_copy / FILE
    edit(path, old, new)
    with pytest.raises(InputError) as e:
        data.validate_file(path)
    text = str(e.value)
    assert FILE in text and f"column '{column}', {_line(path, event_id)}: " in text and message in text, text


def test_a_bad_row_fails_the_validate_command(data_copy, capsys):
    path = data_copy / FILE
    edit(path, UK_BAN, UK_BAN.replace(",2027,", ",2020-06-30,"))
    assert cli.main(["validate", str(path)]) == 2
    assert "removal_deadline" in capsys.readouterr().err


def test_duplicate_event_ids_are_refused(data_copy):
    path = data_copy / FILE
    edit(path, "se_5g_restriction_2020,", "fr_5g_restriction_2020,")
    with pytest.raises(InputError, match=r"column 'event_id', line \d+: value 'fr_5g_restriction_2020' fails"):
        data.validate_file(path)


@pytest.mark.parametrize("vendors, parts", [("huawei", "ran;core;transport;management"),
                                             ("huawei", "management;transport;core;ran")])
def test_an_event_entered_twice_under_two_ids_is_refused_naming_both(data_copy, vendors, parts):
    path = data_copy / FILE
    twice = (f"gb_5g_ban_2020_07_again,2020-07-14,GB,ban_5g,{vendors},{parts},2027,Entered again,"
             "cntechpost_2020_uk_ban,good,\n")
    path.write_text(path.read_text() + twice)
    with pytest.raises(InputError) as e:
        data.validate_file(path)
    last = len(path.read_text().splitlines())
    said = (f"{FILE}: column 'event_id', line {last}: 'gb_5g_ban_2020_07_again' repeats 'gb_5g_ban_2020_07' "
            f"({_line(path, 'gb_5g_ban_2020_07')}): the same date, jurisdiction, event_type, vendors and parts")
    assert said in str(e.value), str(e.value)


def test_events_that_differ_in_one_of_those_fields_are_kept(data_copy):
    path = data_copy / FILE
    path.write_text(path.read_text() + "gb_5g_ban_2020_07_core,2020-07-14,GB,ban_5g,huawei,core,2027,Another part,"
                    "cntechpost_2020_uk_ban,good,\n")
    data.validate_file(path)


def test_every_jurisdiction_is_placed_in_the_model_and_named_for_readers(rows):
    from econ.scenario import Place

    assert set(rows["jurisdiction"]) <= set(data.JURISDICTIONS)
    assert all(place in Place.__args__ for _, place in data.JURISDICTIONS.values())
    assert tl.PLACES["GB"] == "United Kingdom" and set(tl.PLACES) == set(data.JURISDICTIONS)
    panel = data.load("europe_5g_vendor_panel")  # the ban-response estimate matches its countries to jurisdictions
    assert set(panel["country"]) <= set(data.JURISDICTIONS)


def test_an_unknown_jurisdiction_is_refused_by_validate_and_before_a_run(data_copy, capsys):
    from econ import batch

    edit(data_copy / FILE, UK_CAP, UK_CAP.replace(",GB,", ",UK,"))
    message = "'UK' is not a jurisdiction the model can place"
    assert cli.main(["validate"]) == 2
    assert message in capsys.readouterr().err
    with pytest.raises(InputError, match=message):
        batch.plan(["baseline"])


def test_a_deadline_in_the_events_own_year_or_month_is_accepted(data_copy):
    path = data_copy / FILE
    edit(path, UK_BAN, UK_BAN.replace(",2027,", ",2020,"))
    edit(path, UK_CAP, UK_CAP.replace("2020-01-28", "2020-01").replace("core;ran,,", "core;ran,2020-01-15,"))
    data.validate_file(path)  # 2020 is the UK ban's year; 15 Jan 2020 lies in the month the cap is dated


# --- econ.timeline: the tidy frame ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def events():
    return tl.events()


def test_lists_are_tuples_of_known_names(events):
    assert all(isinstance(v, tuple) for v in events["vendors"]) and all(isinstance(p, tuple) for p in events["parts"])
    germany = events.set_index("event_id").loc["de_5g_agreement_2024_07"]
    assert germany["vendors"] == ("huawei", "zte") and germany["parts"] == ("core", "management")
    assert germany["deadline_start"] == pd.Timestamp("2026-12-31")


def test_dates_keep_the_sources_precision(events):
    rows = events.set_index("event_id")
    assert rows.at["us_fdpr_2020_05", "precision"] == "day"
    assert rows.at["us_tgl_extension_2020_05", "precision"] == "month"
    assert rows.at["ru_quota_2029", "precision"] == "year"
    assert rows.at["ru_quota_2029", "start"] == pd.Timestamp("2029-01-01")
    assert list(events["start"]) == sorted(events["start"])


def test_a_bad_row_stops_the_timeline(data_copy):
    edit(data_copy / FILE, UK_BAN, UK_BAN.replace(",2027,", ",2020-06-30,"))
    with pytest.raises(InputError, match=r"sanctions_timeline.csv: column 'removal_deadline', line \d+"):
        tl.events()


# --- themes -------------------------------------------------------------------------------------------

def test_every_event_type_has_a_theme():
    assert set(tl.THEME_OF_TYPE) == set(data.EVENT_TYPES)
    assert set(tl.THEME_OF_TYPE.values()) == set(tl.THEMES)


@pytest.mark.parametrize("event_id, theme", [
    ("us_fdpr_2020_05", "The 2020 rules"), ("cn_honor_sale_2020_11", "The 2020 rules"),
    ("se_5g_ban_2020_10", "The bans"), ("us_rr_ndaa_text_2024_12", "The bans"),
    ("fi_nokia_russia_exit_2022_04", "Russia"), ("cn_huawei_russia_furlough_2022_04", "Russia"),
    ("eu_5th_package_telecom_2022_04", "Russia"), ("ru_rub_avg_2022", "Russia"),
    ("us_oct2022_rules", "The chips"), ("us_oct2022_fdpr", "The chips"),
    ("cn_mate60_7nm_2023_09", "The chips"),
])
def test_themes_follow_the_story(events, event_id, theme):
    assert events.set_index("event_id").at[event_id, "theme"] == theme


def test_themes_are_the_story_groups():
    assert [g.title for g in story.groups()] == list(tl.THEMES)


# --- the reader's table and the chart ------------------------------------------------------------------

def test_table_reads_in_words(events):
    table = tl.table()
    assert list(table.columns) == ["date", "where", "what", "source", "theme", "start"] and len(table) == len(events)
    fdpr = table[table["what"].str.startswith("Foreign-made items")].iloc[0]
    assert fdpr["date"] == "15 May 2020" and fdpr["where"] == "United States" and "(" in fdpr["source"]
    assert "May 2020" in set(table["date"]) and "2029" in set(table["date"])
    low = events.loc[events["quality"] == "low", "scope"]
    assert table.set_index("what").loc[low, "source"].str.endswith("; low source").all()


def test_table_keeps_the_themes_asked_for():
    russia = tl.table(themes=["Russia"])
    assert set(russia["theme"]) == {"Russia"} and len(russia) >= 20
    with pytest.raises(ValueError, match="unknown theme.*'Chips'.*The chips"):
        tl.table(themes=["Chips"])


def test_counts_add_up(events):
    counts = tl.counts()
    assert counts["events"].sum() == len(events) and list(dict.fromkeys(counts["theme"])) == list(tl.THEMES)


def test_timeline_chart_renders_offline():
    chart = charts.timeline(tl.table(), "data/sanctions_timeline.csv", list(tl.THEMES))
    spec = chart.to_dict()
    assert '"url":' not in json.dumps(spec)  # the events travel inside the spec
    assert spec["title"]["text"] == charts.TIMELINE_TITLE and spec["encoding"]["y"]["sort"] == list(tl.THEMES)
    assert "<svg" in vl_convert.vegalite_to_svg(spec)

