"""Scenario files: inheritance, distributions, and every malformed case named by file and field."""

import math
import os
import time
from pathlib import Path

import numpy as np
import pytest

from econ import cli
from econ.errors import InputError
from econ.scenario import PARAMETER_NAMES, Parameters, load_scenario, parameter_table, scenario_names
from econ.uncertainty import Triangular
from tests.conftest import write

SHIPPED = {"baseline", "may2020_fdpr", "aug2020_expansion", "russia_pivot"}


def test_shipped_scenarios_load():
    assert SHIPPED <= set(scenario_names())
    for name in scenario_names():
        s = load_scenario(name)
        assert s.name == name and s.title and s.description


def test_baseline_has_no_rule_and_pivot_inherits():
    assert load_scenario("baseline").parameters.covered_categories == ()
    may, aug, pivot = (load_scenario(n) for n in ("may2020_fdpr", "aug2020_expansion", "russia_pivot"))
    assert may.parameters.covered_categories == ("foundry",)
    assert set(may.parameters.covered_categories) < set(aug.parameters.covered_categories)
    assert pivot.files[1:] == aug.files  # russia_pivot <- aug2020_expansion <- may2020_fdpr <- baseline
    assert pivot.parameters.covered_categories == aug.parameters.covered_categories
    assert pivot.parameters.substitution_rate == may.parameters.substitution_rate  # inherited two levels up
    assert pivot.parameters.russia_huawei_alignment != aug.parameters.russia_huawei_alignment
    assert isinstance(may.parameters.substitution_rate, Triangular)


def test_every_parameter_is_declared_fully():
    for row in parameter_table():
        assert row["meaning"] and row["unit"] and row["group"], row
        assert "=" not in row["meaning"], "papermill stops parsing a parameter comment at '='"
    assert set(PARAMETER_NAMES) == set(Parameters.model_fields)


def test_overrides_validated_like_files():
    s = load_scenario("may2020_fdpr", overrides={"substitution_rate": 0.4})
    assert s.parameters.substitution_rate == 0.4
    s = load_scenario("may2020_fdpr", overrides={"substitution_rate": {"dist": "uniform", "low": 0.1, "high": 0.2}})
    assert s.parameters.substitution_rate.high == 0.2
    with pytest.raises(InputError, match=r"override: parameters.substitution_rate: .*outside the allowed range"):
        load_scenario("may2020_fdpr", overrides={"substitution_rate": 1.5})
    with pytest.raises(InputError, match=r"override: substitutoin_rate: unknown parameter \(did you mean"):
        load_scenario("may2020_fdpr", overrides={"substitutoin_rate": 0.1})


BASE = "title: t\ndescription: d\n"
MALFORMED = {
    "unknown top-level key": (BASE + "colour: red\n", "colour", "unknown key"),
    "unknown parameter": (BASE + "parameters:\n  substitution_rat: 0.2\n", "parameters.substitution_rat",
                          "unknown parameter (did you mean 'substitution_rate'?)"),
    "wrong type": (BASE + "parameters:\n  substitution_rate: lots\n", "parameters.substitution_rate",
                   "expected a number or a distribution"),
    "wrong type (list)": (BASE + "parameters:\n  covered_categories: [foundry, bananas]\n",
                          "parameters.covered_categories", "foundry"),
    "out of range": (BASE + "parameters:\n  licence_approval_rate: 1.2\n", "parameters.licence_approval_rate",
                     "outside the allowed range [0.0, 1.0] (fraction)"),
    "distribution beyond range": (BASE + "parameters:\n  substitution_rate: {dist: uniform, low: 0.5, high: 1.5}\n",
                                  "parameters.substitution_rate", "outside the allowed range"),
    "unknown distribution": (BASE + "parameters:\n  substitution_rate: {dist: beta, low: 0, high: 1}\n",
                             "parameters.substitution_rate", "uniform, triangular, normal, lognormal"),
    "NaN": (BASE + "parameters:\n  substitution_rate: .nan\n", "parameters.substitution_rate", "finite"),
    "infinity": (BASE + "parameters:\n  recovery_months: .inf\n", "parameters.recovery_months", "finite"),
    "NaN inside a distribution": (BASE + "parameters:\n  substitution_rate: {dist: uniform, low: 0, high: .nan}\n",
                                  "parameters.substitution_rate", "finite"),
    "date out of range": (BASE + "parameters:\n  rule_effective_date: 2030-01-01\n",
                          "parameters.rule_effective_date", "outside the allowed range"),
    "missing title": ("description: d\n", "title", "required"),
    "unsafe inherits (slash)": (BASE + "inherits: ../baseline\n", "inherits", "not a safe scenario name"),
    "unsafe inherits (control char)": (BASE + 'inherits: "base\\x07line"\n', "inherits", "not a safe scenario name"),
    "unsafe name (dots)": (BASE + "name: ..\n", "name", "not a safe scenario name"),
    "missing parent": (BASE + "inherits: nowhere\n", "inherits", "no scenario named 'nowhere'"),
    "not a mapping": ("- just\n- a list\n", "", "must be a mapping"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_scenario_rejected_by_econ_validate(case, scenario_dir: Path, capsys):
    text, field, message = MALFORMED[case]
    path = write(scenario_dir / "bad.yaml", text)
    assert cli.main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and field in err and message in err, err


def test_inheritance_cycle(scenario_dir: Path, capsys):
    write(scenario_dir / "a.yaml", BASE + "inherits: b\n")
    write(scenario_dir / "b.yaml", BASE + "inherits: c\n")
    write(scenario_dir / "c.yaml", BASE + "inherits: a\n")
    assert cli.main(["validate", str(scenario_dir / "a.yaml")]) == 2
    err = capsys.readouterr().err
    assert "inherits: inheritance cycle: a -> b -> c -> a" in err


def test_self_inheritance(scenario_dir: Path):
    write(scenario_dir / "a.yaml", BASE + "inherits: a\n")
    with pytest.raises(InputError, match="inheritance cycle"):
        load_scenario(scenario_dir / "a.yaml")


def test_unsafe_file_name(scenario_dir: Path):
    path = write(scenario_dir / "bad name!.yaml", BASE)
    with pytest.raises(InputError, match="file name: 'bad name!' is not a safe scenario name"):
        load_scenario(path)


def test_unsafe_scenario_names_never_reach_the_filesystem():
    for name in ["../etc/passwd", "a/b", "..", "x\ny", ""]:
        with pytest.raises(InputError):
            load_scenario(name)


def test_child_error_names_the_file_that_set_it(scenario_dir: Path):
    write(scenario_dir / "parent.yaml", BASE + "parameters:\n  stockpile_months: 40\n")
    write(scenario_dir / "child.yaml", BASE + "inherits: parent\n")
    with pytest.raises(InputError) as e:
        load_scenario(scenario_dir / "child.yaml")
    assert "parent.yaml: parameters.stockpile_months" in str(e.value)


def test_user_scenario_inherits_and_validates(scenario_dir: Path):
    write(scenario_dir / "baseline.yaml", BASE)
    path = write(scenario_dir / "mine.yaml", BASE + "inherits: baseline\nparameters:\n  substitution_rate: "
                 "{dist: normal, mean: 0.4, sd: 0.1, low: 0.1, high: 0.7}\n")
    s = load_scenario(path)
    assert math.isclose(s.parameters.substitution_rate.mean, 0.4)


def test_validate_all_shipped(capsys):
    assert cli.main(["validate"]) == 0


def test_set_in_names_the_file_or_override():
    s = load_scenario("russia_pivot", overrides={"recovery_months": 9})
    assert s.set_in["russia_huawei_alignment"] == "data/scenarios/russia_pivot.yaml"
    assert s.set_in["covered_categories"] == "data/scenarios/aug2020_expansion.yaml"
    assert s.set_in["substitution_rate"] == "data/scenarios/may2020_fdpr.yaml"
    assert s.set_in["recovery_months"] == "override"
    assert "indirect_coverage" not in s.set_in  # declared default


# --- strict input: YAML without 1.1 surprises, strict types, bounded reading ---------------------------

STRICT = {
    "yes for an integer": (BASE + "parameters:\n  wind_down_days: yes\n", "line 4",
                           "yes is true or false in YAML 1.1 but text in YAML 1.2"),
    "on for a float": (BASE + "parameters:\n  russia_domestic_target: on\n", "line 4", "quote it ('on')"),
    "off for a distribution bound": (BASE + "parameters:\n  substitution_rate: {dist: uniform, low: off, high: 1}\n",
                                     "line 4", "off is true or false in YAML 1.1"),
    "true for the seed": (BASE + "seed: true\n", "seed", "true (a boolean) is not a whole number"),
    "true for an integer": (BASE + "parameters:\n  wind_down_days: true\n", "parameters.wind_down_days",
                            "true (a boolean) is not a whole number"),
    "true for a float": (BASE + "parameters:\n  russia_equipment_share_of_capex: true\n",
                         "parameters.russia_equipment_share_of_capex", "true (a boolean) is not a number"),
    "true for an uncertain number": (BASE + "parameters:\n  substitution_rate: true\n", "parameters.substitution_rate",
                                     "true (a boolean)"),
    "text for an integer": (BASE + "parameters:\n  wind_down_days: '120'\n", "parameters.wind_down_days",
                            "the text '120' (remove the quotes for a number) is not a whole number"),
    "text for a number": (BASE + "parameters:\n  substitution_rate: '0.3'\n", "parameters.substitution_rate",
                          "the text '0.3'"),
    "text inside a distribution": (BASE + "parameters:\n  substitution_rate: {dist: uniform, low: '0.1', high: 0.5}\n",
                                   "parameters.substitution_rate", "uniform.low: the text '0.1'"),
    "a float for an integer": (BASE + "parameters:\n  wind_down_days: 120.0\n", "parameters.wind_down_days",
                               "whole numbers are written without a decimal point"),
    "base 60": (BASE + "parameters:\n  wind_down_days: 1:30\n", "line 4", "base-60 number in YAML 1.1 (1:30 is 90)"),
    "leading zero": (BASE + "parameters:\n  wind_down_days: 010\n", "line 4", "leading zeros are octal"),
    "underscores": (BASE + "parameters:\n  wind_down_days: 1_000\n", "line 4", "'_' is ignored"),
    "an integer as a date": (BASE + "parameters:\n  rule_effective_date: 18000\n", "parameters.rule_effective_date",
                             "a date is written YYYY-MM-DD"),
    "an impossible date": (BASE + "parameters:\n  rule_effective_date: 2020-02-30\n", "parameters.rule_effective_date",
                           "2020-02-30 is not a date: day is out of range for month"),
    "a date and time": (BASE + "parameters:\n  rule_effective_date: 2020-05-15 10:00:00\n",
                        "parameters.rule_effective_date", "a date is written YYYY-MM-DD"),
    "a key given twice": (BASE + "parameters:\n  substitution_rate: 0.2\n  recovery_months: 6\n  substitution_rate: 0.3\n",
                          "line 6", "parameters.substitution_rate: the key is given twice, on line 4 and line 6"),
    "a top-level key given twice": (BASE + "title: again\n", "line 3", "title: the key is given twice, on line 1"),
    "a python tag": (BASE + "parameters:\n  substitution_rate: !!python/object/apply:os.system ['true']\n", "line 4",
                     "the tag !!python/object/apply:os.system is not allowed"),
    "a timestamp tag": (BASE + "parameters:\n  rule_effective_date: !!timestamp 2020-02-30\n", "line 4",
                        "!!timestamp is not allowed"),
    "a merge key": (BASE + "parameters:\n  <<: {substitution_rate: 0.2}\n", "line 4", "merge keys (<<) are not supported"),
    "a recursive alias": (BASE + "parameters:\n  covered_categories: &a [foundry, *a]\n", "line 4",
                          "an alias refers to a collection that contains it"),
    "nesting too deep": (BASE + "parameters:\n  covered_categories: " + "[" * 60 + "]" * 60 + "\n", "",
                         "nested more than 50 levels deep"),
    "two documents": (BASE + "---\ntitle: x\n", "line 3", "expected a single document"),
    "a list key": (BASE + "? [a, b]\n: 1\n", "line 3", "a key must be a plain value"),
    "a ban after the model's years": (BASE + "parameters:\n  vendor_bans: [{vendors: [huawei], places: [europe], "
                                      "from_year: 2031}]\n", "parameters.vendor_bans.0.from_year",
                                      "2031 is outside the model's years: allowed 2010 to 2030"),
    "a deadline before the model's years": (BASE + "parameters:\n  vendor_bans: [{vendors: [huawei], places: [europe], "
                                            "from_year: 2015, remove_by: 2019}]\n", "parameters.vendor_bans.0.remove_by",
                                            "2019 is outside the model's years: allowed 2020 to 2030"),
    "a deadline after the model's years": (BASE + "parameters:\n  vendor_bans: [{vendors: [huawei], places: [europe], "
                                           "from_year: 2021, remove_by: 2033}]\n", "parameters.vendor_bans.0.remove_by",
                                           "2033 is outside the model's years"),
    "a boolean ban year": (BASE + "parameters:\n  vendor_bans: [{vendors: [huawei], places: [europe], from_year: true}]\n",
                           "parameters.vendor_bans.0.from_year", "true (a boolean) is not a whole number"),
    "a misspelt ban key": (BASE + "parameters:\n  vendor_bans: [{vendor: [huawei], places: [europe], from_year: 2021}]\n",
                           "parameters.vendor_bans.0.vendor", "unknown key (did you mean 'vendors'?)"),
    "a text ban list": (BASE + "parameters:\n  covered_categories: foundry\n", "parameters.covered_categories",
                        "the text 'foundry' is not a list"),
    "a number as the title": ("title: 2020\ndescription: d\n", "title", "required text is missing"),
}


@pytest.mark.parametrize("case", STRICT)
def test_strict_input_refused_naming_file_field_and_why(case, scenario_dir: Path, capsys):
    text, field, message = STRICT[case]
    path = write(scenario_dir / "bad.yaml", text)
    assert cli.main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and field in err and message in err, err
    assert "Traceback" not in err


def test_yaml_1_2_numbers_and_quoted_words_are_read_as_written(scenario_dir: Path):
    path = write(scenario_dir / "ok.yaml", "title: 'yes'\ndescription: \"off\"\nseed: 0x10\nparameters:\n"
                 "  licence_approval_rate: 1e-3\n  stockpile_months: 2\n  rule_effective_date: 2020-06-01\n")
    s = load_scenario(path)
    assert (s.title, s.description, s.seed) == ("yes", "off", 16)
    assert s.parameters.licence_approval_rate == 0.001 and s.parameters.stockpile_months == 2.0
    assert str(s.parameters.rule_effective_date) == "2020-06-01"


def test_bans_already_in_force_before_the_model_years_are_kept():
    bans = load_scenario("baseline").parameters.vendor_bans
    assert min(b.from_year for b in bans) < 2019  # Australia's 2018 ban: in force when the model starts


def test_ban_years_are_the_market_share_models_years():
    from econ.model import market_share
    from econ.scenario import MARKET_YEARS

    assert MARKET_YEARS == (market_share.BASE_YEAR, market_share.END_YEAR)


def _expect(path, message):
    with pytest.raises(InputError) as e:
        load_scenario(path)
    assert message in str(e.value) and len(str(e.value)) < 2000, str(e.value)[:3000]


def test_billion_laughs_refused_and_not_printed(scenario_dir: Path):
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
    path = write(scenario_dir / "lol.yaml", BASE + "parameters:\n" + "".join(f"  {x}\n" for x in lines))
    _expect(path, "expands to more than 100,000 values")


def test_unbounded_values_are_cut_in_messages(scenario_dir: Path):
    path = write(scenario_dir / "long.yaml", BASE + "parameters:\n  ? " + "x" * 100_000 + "\n  : 1\n")
    _expect(path, "unknown parameter")
    path = write(scenario_dir / "long2.yaml", BASE + "parameters:\n  substitution_rate: '" + "9" * 100_000 + "'\n")
    _expect(path, "the text '999")


@pytest.mark.parametrize("content, message", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "holds NUL bytes (a binary file?)"),
    ("title: caf\xe9\n".encode("latin-1"), "is not UTF-8 text"),
    (b"title: t\ndescription: d\x07\n", "not valid YAML: unacceptable character"),
    (b"", "must be a mapping"),
    (b"   \n# only a comment\n", "must be a mapping"),
    (b"title: t\n" + b"#" * 300_000, "is larger than 256,000 bytes"),
])
def test_unreadable_scenario_files_refused(content, message, scenario_dir: Path, capsys):
    path = scenario_dir / "bad.yaml"
    path.write_bytes(content)
    assert cli.main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml" in err and message in err and "Traceback" not in err, err


def test_a_folder_or_a_device_is_not_a_scenario_file(scenario_dir: Path):
    (scenario_dir / "folder.yaml").mkdir()
    _expect(scenario_dir / "folder.yaml", "is a folder, not a scenario file")
    _expect(Path("/dev/zero.yaml") if Path("/dev/zero.yaml").exists() else scenario_dir / "missing.yaml",
            "no such scenario file")
    _expect("/dev/zero", "is not a regular file")
    os.mkfifo(scenario_dir / "pipe.yaml")  # reading it would wait for a writer forever
    _expect(scenario_dir / "pipe.yaml", "is not a regular file (a device or a pipe?)")
    (scenario_dir / "loop.yaml").symlink_to("loop.yaml")
    _expect(scenario_dir / "loop.yaml", "no such scenario file")
    assert cli.main(["validate", str(scenario_dir / "loop.yaml")]) == 2


def test_a_very_long_inheritance_chain_is_refused(scenario_dir: Path):
    write(scenario_dir / "s0.yaml", BASE)
    for i in range(1, 1500):
        write(scenario_dir / f"s{i}.yaml", BASE + f"inherits: s{i - 1}\n")
    _expect(scenario_dir / "s1499.yaml", "the chain of inherits is longer than 32 files")


@pytest.mark.parametrize("name", ["evil\n", "baseline\n", "evil\n.yaml", "a\x00b", "\u2028x", "x" * 65])
def test_names_are_matched_whole(name, scenario_dir: Path):
    write(scenario_dir / "evil.yaml", BASE)
    with pytest.raises(InputError, match="not a safe scenario name|no scenario|no such scenario file|cannot be read"):
        load_scenario(name if "/" in name or not name.endswith(".yaml") else scenario_dir / name)


def test_a_file_named_with_a_newline_is_refused(scenario_dir: Path):
    path = write(scenario_dir / "evil\n.yaml", BASE)
    with pytest.raises(InputError) as e:
        load_scenario(path)
    assert "'evil\\n' is not a safe scenario name" in str(e.value) and "\n" not in str(e.value)


def test_inherits_matches_the_file_name_exactly(scenario_dir: Path):
    write(scenario_dir / "baseline.yaml", BASE)
    path = write(scenario_dir / "child.yaml", BASE + "inherits: Baseline\n")
    _expect(path, "no scenario named 'Baseline'")


# --- several parents and added restrictions ---------------------------------------------------------

BAN_A = "{vendors: [huawei], places: [france], parts: [ran], from_year: 2021}"
BAN_B = "{vendors: [huawei], places: [canada], from_year: 2022}"


def test_add_joins_the_parents_bans(scenario_dir: Path):
    write(scenario_dir / "p.yaml", BASE + f"parameters:\n  vendor_bans: [{BAN_A}]\n")
    write(scenario_dir / "c.yaml", BASE + f"inherits: p\nparameters:\n  vendor_bans:\n    add: [{BAN_B}]\n")
    bans = load_scenario(scenario_dir / "c.yaml").parameters.vendor_bans
    assert [b.places for b in bans] == [("france",), ("canada",)]


def test_several_parents_join_bans_once_and_take_what_only_one_sets(scenario_dir: Path):
    write(scenario_dir / "root.yaml", BASE + f"parameters:\n  vendor_bans: [{BAN_A}]\n  market_growth: 0.01\n")
    write(scenario_dir / "a.yaml", BASE + f"inherits: root\nparameters:\n  vendor_bans:\n    add: [{BAN_B}]\n")
    write(scenario_dir / "b.yaml", BASE + "inherits: root\nparameters:\n  market_growth: 0.03\n")
    write(scenario_dir / "c.yaml", BASE + "inherits: [a, b]\n")
    both = load_scenario(scenario_dir / "c.yaml")
    assert [b.places for b in both.parameters.vendor_bans] == [("france",), ("canada",)]  # root's ban once
    assert both.parameters.market_growth == 0.03      # b overrides root; a only inherited root's value
    assert both.inherits == ("a", "b")


def test_parents_that_disagree_must_be_settled_in_the_file(scenario_dir: Path):
    write(scenario_dir / "a.yaml", BASE + "parameters:\n  market_growth: 0.01\n")
    write(scenario_dir / "b.yaml", BASE + "parameters:\n  market_growth: 0.03\n")
    write(scenario_dir / "c.yaml", BASE + "inherits: [a, b]\n")
    with pytest.raises(InputError, match=r"c.yaml: parameters.market_growth: the parents set it differently .*set it here"):
        load_scenario(scenario_dir / "c.yaml")
    write(scenario_dir / "c.yaml", BASE + "inherits: [a, b]\nparameters:\n  market_growth: 0.02\n")
    assert load_scenario(scenario_dir / "c.yaml").parameters.market_growth == 0.02


@pytest.mark.parametrize("inherits, message", [("[]", "non-empty list"), ("[a, a]", "a parent is named twice"),
                                               ("[a, nope]", "no scenario named 'nope'")])
def test_bad_parent_lists_are_named(scenario_dir: Path, inherits, message):
    write(scenario_dir / "a.yaml", BASE)
    write(scenario_dir / "c.yaml", BASE + f"inherits: {inherits}\n")
    with pytest.raises(InputError, match=message):
        load_scenario(scenario_dir / "c.yaml")


def test_add_needs_a_list(scenario_dir: Path):
    write(scenario_dir / "c.yaml", BASE + "parameters:\n  vendor_bans:\n    add: 3\n")
    with pytest.raises(InputError, match=r"c.yaml: parameters.vendor_bans.add: give a list"):
        load_scenario(scenario_dir / "c.yaml")


def test_each_assumption_carries_the_scenario_files_reason_or_says_it_is_a_judgement(tmp_path):
    from econ.scenario import evidence

    path = tmp_path / "s.yaml"
    path.write_text("title: T\ndescription: D\nparameters:\n"
                    "  # Two for one reason (a source, 2020).\n"
                    "  substitution_rate: 0.2\n"
                    "  recovery_months: 6\n"
                    "  stockpile_months: 2  # its own reason\n"
                    "  # A new reason.\n"
                    "  rival_recapture_rate: 0.1\n"
                    "  wind_down_days: 10\n")
    found = evidence.of_file(path)
    assert found["substitution_rate"] == "Two for one reason (a source, 2020)."
    assert found["recovery_months"] == ""  # a comment is the reason of the key right under it only
    assert found["stockpile_months"] == "its own reason" and found["rival_recapture_rate"] == "A new reason."
    assert found["wind_down_days"] == ""
    assert evidence.evidence("x", "default", "[0, 1]") == ("A judgement: the declared default, within the allowed "
                                                           "range [0, 1].")
    assert evidence.evidence("x", "override", "") == "Set for this run (an override)."
    assert evidence.evidence("substitution_rate", str(path), "[0, 1]").startswith("Two for one reason")


def test_a_joined_list_is_set_in_every_file_that_adds_to_it(scenario_dir: Path):
    """The assumptions table's "set in" and evidence for vendor bans joined across parents name every
    file that set an entry, each once, not only the last."""
    write(scenario_dir / "root.yaml", BASE + f"parameters:\n  # France's radio ban (a reason)\n  vendor_bans: [{BAN_A}]\n")
    write(scenario_dir / "a.yaml", BASE + f"inherits: root\nparameters:\n  # Canada's ban (another reason)\n"
          f"  vendor_bans:\n    add: [{BAN_B}]\n")
    write(scenario_dir / "b.yaml", BASE + "inherits: root\n")
    both = load_scenario(write(scenario_dir / "c.yaml", BASE + "inherits: [a, b]\n"))
    files = both.set_in["vendor_bans"].split(", ")
    assert [Path(f).name for f in files] == ["root.yaml", "a.yaml"]
    from econ.scenario.evidence import evidence

    said = evidence("vendor_bans", both.set_in["vendor_bans"], "")
    assert "France's radio ban" in said and "Canada's ban" in said


# --- a lattice of parents is read once ---------------------------------------------------------------

def _lattice(scenario_dir: Path, depth: int) -> Path:
    """``depth`` levels of two files each; every file above level 0 inherits both files of the level below."""
    write(scenario_dir / "l0_a.yaml", BASE + f"parameters:\n  market_growth: 0.02\n  vendor_bans: [{BAN_A}]\n")
    write(scenario_dir / "l0_b.yaml", BASE + f"parameters:\n  substitution_rate: 0.3\n  vendor_bans: [{BAN_B}]\n")
    for k in range(1, depth):
        for side in "ab":
            write(scenario_dir / f"l{k}_{side}.yaml", BASE + f"inherits: [l{k - 1}_a, l{k - 1}_b]\n")
    return scenario_dir / f"l{depth - 1}_a.yaml"


def test_a_lattice_of_parents_reads_each_file_once(scenario_dir: Path, monkeypatch):
    """20 levels of two parents each: 2**20 routes to the bottom, so each file must be read and merged
    once per load (the old loader read it once per route and never finished)."""
    from econ import _yaml

    top, reads, read = _lattice(scenario_dir, 20), [], _yaml.read

    def read_once(path, *args, **kwargs):
        assert path.resolve() not in reads, f"{path.name} read twice in one load"
        reads.append(path.resolve())
        return read(path, *args, **kwargs)

    monkeypatch.setattr(_yaml, "read", read_once)
    started = time.perf_counter()
    s = load_scenario(top)
    assert time.perf_counter() - started < 60  # the read count is the proof; this only catches a hang
    assert len(reads) == len(s.files) == 1 + 2 * 19  # the top file and both files of every level below it
    assert s.parameters.market_growth == 0.02 and s.parameters.substitution_rate == 0.3
    assert [b.places for b in s.parameters.vendor_bans] == [("france",), ("canada",)]
    assert [Path(f).name for f in s.set_in["vendor_bans"].split(", ")] == ["l0_a.yaml", "l0_b.yaml"]
    assert Path(s.set_in["market_growth"]).name == "l0_a.yaml"
    # Nothing is kept between loads: a file edited since is read again.
    write(scenario_dir / "l0_a.yaml", BASE + "parameters:\n  market_growth: 0.04\n")
    reads.clear()
    assert load_scenario(top).parameters.market_growth == 0.04 and len(reads) == 39


def test_a_parent_reached_first_near_the_top_is_still_refused_when_reached_too_deep(scenario_dir: Path):
    """A merge reused from a short route must not let a long route past the limit on chains of inherits."""
    write(scenario_dir / "s0.yaml", BASE)
    for i in range(1, 26):
        write(scenario_dir / f"s{i}.yaml", BASE + f"inherits: s{i - 1}\n")
    write(scenario_dir / "d1.yaml", BASE + "inherits: s25\n")
    for i in range(2, 11):
        write(scenario_dir / f"d{i}.yaml", BASE + f"inherits: d{i - 1}\n")
    _expect(write(scenario_dir / "top.yaml", BASE + "inherits: [s25, d10]\n"),
            "the chain of inherits is longer than 32 files (top -> d10 -> d9 -> ... -> s5 -> s4)")


# --- a ban or exit is counted once ----------------------------------------------------------------------

UK_RADIO = "{vendors: [huawei], places: [united_kingdom], parts: [ran], from_year: 2021, remove_by: 2027}"
DE_CORE = "{vendors: [huawei, zte], places: [germany], parts: [core], from_year: 2024, remove_by: 2026}"
#: The same two bans as written by another hand: other key and list orders, the removal start spelt out.
UK_RADIO_AGAIN = ("{parts: [ran], from_year: 2021, remove_by: 2027, remove_from: 2021, places: [united_kingdom], "
                  "vendors: [huawei]}")
DE_CORE_AGAIN = "{vendors: [zte, huawei], places: [germany], parts: [core], from_year: 2024, remove_by: 2026}"


def _rip_and_replace(path: Path) -> dict:
    """The investment stage's rip-and-replace figures (per draw) for the scenario at ``path``."""
    from econ.model import world

    needs = world.assess(load_scenario(path), 200, ["investment"])["investment"]
    return {k: v for k, v in needs.values.items() if "rip_and_replace" in k}


def _two_parents_adding(scenario_dir: Path, first: str, second: str) -> Path:
    write(scenario_dir / "root.yaml", BASE + "seed: 7\n")
    write(scenario_dir / "a.yaml", BASE + f"inherits: root\nparameters:\n  vendor_bans:\n    add: [{first}]\n")
    write(scenario_dir / "b.yaml", BASE + f"inherits: root\nparameters:\n  vendor_bans:\n    add: [{second}]\n")
    return write(scenario_dir / "c.yaml", BASE + "inherits: [a, b]\n")


@pytest.mark.parametrize("how", ["listed twice in one file", "added by two parents, written differently"])
def test_a_repeated_ban_costs_what_the_single_ban_costs(scenario_dir: Path, how):
    """The UK's radio ban (costed from its sites) and Germany's core ban (costed from the installed value the
    share stage removes), each given twice: one entry each, and the rip-and-replace cost of the single bans
    (the old loader kept both copies and counted the UK's cost twice and Germany's removal twice)."""
    single = write(scenario_dir / "single.yaml", BASE + f"seed: 7\nparameters:\n  vendor_bans: [{UK_RADIO}, {DE_CORE}]\n")
    if how == "listed twice in one file":
        twice = write(scenario_dir / "twice.yaml", BASE + "seed: 7\nparameters:\n  vendor_bans: "
                      f"[{UK_RADIO}, {DE_CORE}, {UK_RADIO}, {DE_CORE_AGAIN}]\n")
    else:
        twice = _two_parents_adding(scenario_dir, f"{UK_RADIO}, {DE_CORE}", f"{UK_RADIO_AGAIN}, {DE_CORE_AGAIN}")
    once, repeated = _rip_and_replace(single), _rip_and_replace(twice)
    assert np.all(once["uk_rip_and_replace_gbp_bn"] > 0) and np.all(once["other_rip_and_replace_usd_bn"] > 0)
    for name, values in once.items():
        np.testing.assert_array_equal(repeated[name], values, err_msg=name)
    assert load_scenario(twice).parameters.vendor_bans == load_scenario(single).parameters.vendor_bans


def test_the_same_ban_from_two_parents_is_one_entry_set_in_both(scenario_dir: Path):
    c = load_scenario(_two_parents_adding(scenario_dir, UK_RADIO, UK_RADIO_AGAIN))
    assert len(c.parameters.vendor_bans) == 1
    assert [Path(f).name for f in c.set_in["vendor_bans"].split(", ")] == ["a.yaml", "b.yaml"]


@pytest.mark.parametrize("bans, exits, field, message", [
    ([UK_RADIO, "{vendors: [huawei, zte], places: [europe], from_year: 2022, remove_by: 2028}"], [],
     "parameters.vendor_bans", "vendor_bans.0 (huawei barred (ran) in united_kingdom from 2021, installed kit removed "
     "by 2027) and vendor_bans.1 (huawei+zte barred in europe from 2022, installed kit removed by 2028) both remove "
     "huawei's ran kit in united_kingdom: it would be removed, and its cost counted, twice"),
    ([UK_RADIO, UK_RADIO, "{vendors: [huawei], places: [europe], parts: [ran], from_year: 2021, remove_by: 2028}"], [],
     "parameters.vendor_bans", "vendor_bans.0 (huawei barred (ran) in united_kingdom from 2021, installed kit removed "
     "by 2027) and vendor_bans.2 (huawei barred (ran) in europe from 2021, installed kit removed by 2028) both remove"),
    ([UK_RADIO], [UK_RADIO], "parameters.vendor_exits",
     "vendor_bans.0 (huawei barred (ran) in united_kingdom from 2021, installed kit removed by 2027) and "
     "vendor_exits.0 (huawei leave (ran) in united_kingdom from 2021, installed kit removed by 2027) both remove"),
    ([], [UK_RADIO, UK_RADIO.replace("2027", "2029")], "parameters.vendor_exits",
     "vendor_exits.0 (huawei leave (ran) in united_kingdom from 2021, installed kit removed by 2027) and "
     "vendor_exits.1 (huawei leave (ran) in united_kingdom from 2021, installed kit removed by 2029) both remove"),
])
def test_two_entries_removing_the_same_kit_are_refused(scenario_dir: Path, bans, exits, field, message):
    path = write(scenario_dir / "s.yaml", BASE + f"parameters:\n  vendor_bans: [{', '.join(bans)}]\n"
                 f"  vendor_exits: [{', '.join(exits)}]\n")
    with pytest.raises(InputError) as e:
        load_scenario(path)
    assert f"s.yaml: {field}: {message}" in str(e.value), str(e.value)
    assert "keep one, or narrow one's vendors, places or parts" in str(e.value)


def test_overlapping_entries_that_remove_the_kit_once_are_kept(scenario_dir: Path):
    """A ban on new contracts without a deadline beside a removal order, or two removals of different kit:
    nothing is removed twice, so both stay."""
    path = write(scenario_dir / "s.yaml", BASE + f"parameters:\n  vendor_bans: [{UK_RADIO}, "
                 "{vendors: [huawei], places: [europe], from_year: 2020}, "
                 "{vendors: [huawei], places: [united_kingdom], parts: [core], from_year: 2021, remove_by: 2027}]\n"
                 "  vendor_exits: [{vendors: [zte], places: [united_kingdom], from_year: 2021, remove_by: 2027}]\n")
    params = load_scenario(path).parameters
    assert len(params.vendor_bans) == 3 and len(params.vendor_exits) == 1


def test_an_override_that_repeats_a_ban_is_merged_or_refused_like_a_file():
    aug = load_scenario("aug2020_expansion")
    bans = [b.model_dump() for b in aug.parameters.vendor_bans]
    assert load_scenario("aug2020_expansion", overrides={"vendor_bans": bans + bans[-1:]}) == aug.model_copy(
        update={"overrides": {"vendor_bans": bans + bans[-1:]}, "set_in": {**aug.set_in, "vendor_bans": "override"}})
    with pytest.raises(InputError, match=r"override: parameters.vendor_exits: vendor_bans.3 .* and vendor_exits.0"):
        load_scenario("aug2020_expansion", overrides={"vendor_exits": bans[-1:]})


def test_the_regions_markets_are_data_equipment_markets():
    from econ import data
    from econ.scenario import Market, Region
    from econ.scenario.values import markets_of_region

    markets = data.load("equipment_markets")
    assert {r: set(m) for r, m in markets_of_region().items()} == {
        r: set(markets.loc[markets["region"] == r, "market"]) for r in Region.__args__}
    assert sorted(m for ms in markets_of_region().values() for m in ms) == sorted(Market.__args__)


def test_a_name_repeated_inside_one_ban_is_kept_once():
    from econ.scenario.values import Ban

    ban = Ban(vendors=["huawei", "huawei"], places=["united_kingdom", "united_kingdom"], parts=["ran", "ran"],
              from_year=2021, remove_by=2027)
    assert ban.vendors == ("huawei",) and ban.places == ("united_kingdom",) and ban.parts == ("ran",)
    assert "huawei+huawei" not in ban.label()


@pytest.mark.parametrize("title", ["Baseline \u202egnp.exe", "Bell\x07", "Two\nlines"])
def test_a_title_that_would_read_as_something_else_is_refused(tmp_path, title):
    import yaml

    path = tmp_path / "odd.yaml"
    path.write_text(yaml.safe_dump({"title": title, "description": "Fine\nacross lines", "parameters": {}}))
    with pytest.raises(InputError, match="title: holds the control character U\\+"):
        load_scenario(path)
