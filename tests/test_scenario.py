"""Scenario files: inheritance, distributions, and every malformed case named by file and field."""

import math
from pathlib import Path

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
        assert row["meaning"] and row["unit"] and row["model"], row
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
