import fcntl
import os
import subprocess
import sys
from pathlib import Path

import pytest

from econ import cli


@pytest.mark.parametrize("args", [["--help"], ["validate", "--help"], ["params", "--help"], ["run", "--help"],
                                  ["data", "--help"]])
def test_help(args):
    out = subprocess.run([sys.executable, "-m", "econ", *args], capture_output=True, text=True)
    assert out.returncode == 0 and "usage: econ" in out.stdout


def test_params_lists_every_parameter(capsys):
    from econ.scenario import PARAMETER_NAMES

    assert cli.main(["params"]) == 0
    out = capsys.readouterr().out
    for name in PARAMETER_NAMES:
        assert name in out
    assert "unit: fraction; range: [0.0, 1.0]" in out


def test_validate_rejects_unknown_file_type(tmp_path, capsys):
    f = tmp_path / "x.txt"
    f.write_text("")
    assert cli.main(["validate", str(f)]) == 2


def test_installed_console_script():
    econ = str(Path(sys.executable).parent / "econ")
    out = subprocess.run([econ, "params", "--model", "revenue"], capture_output=True, text=True)
    assert out.returncode == 0 and "substitution_rate" in out.stdout and "network_sharing" not in out.stdout


def test_output_closed_early_is_quiet():
    # `econ params | head -1`: the reader goes away; no BrokenPipeError traceback, SIGPIPE's exit status
    # A one-page pipe, so that the table (about 10 kB) cannot all fit before the reader leaves.
    read, write = os.pipe()
    fcntl.fcntl(write, 1031, 4096)  # F_SETPIPE_SZ (Linux)
    proc = subprocess.Popen([sys.executable, "-m", "econ", "params"], stdout=write, stderr=subprocess.PIPE)
    os.close(write)
    with os.fdopen(read, "rb") as reader:
        reader.readline()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == cli.EXIT_BROKEN_PIPE and "Traceback" not in err and "BrokenPipe" not in err, err


def test_params_of_an_unknown_model(capsys):
    assert cli.main(["params", "--model", "revenu"]) == 2
    assert "--model: no stage or parameter group named 'revenu'; allowed: chip_supply" in capsys.readouterr().err


@pytest.fixture
def no_kernel(monkeypatch):
    import papermill

    def refuse(*args, **kwargs):
        raise AssertionError("a notebook was executed")

    monkeypatch.setattr(papermill, "execute_notebook", refuse)


@pytest.mark.parametrize("args, where, what", [
    (["-p", "draws", "abc"], "parameter 'draws'", "the text 'abc' is not a whole number"),
    (["-p", "draws", "0"], "parameter 'draws'", "0 is outside the allowed range [1, 10,000,000]"),
    (["-p", "draws", "-5"], "parameter 'draws'", "-5 is outside the allowed range"),
    (["-p", "draws", "yes"], "-p draws", "yes is true or false in YAML 1.1"),
    (["-p", "draws", "true"], "parameter 'draws'", "true (a boolean) is not a whole number"),
    (["-p", "draws", "1:30"], "-p draws", "base-60"),
    (["-p", "draws", "'120'"], "parameter 'draws'", "remove the quotes"),
    (["-p", "draws", "2e4"], "parameter 'draws'", "whole numbers are written without a decimal point"),
    (["-p", "draws", "50000"], "parameter 'draws'", "needs about"),
    (["-p", "draws", "50000", "--notebook", "02_market_share"], "02_market_share", "draws at most"),
    (["-p", "sobol_base", "-1"], "parameter 'sobol_base'", "outside the allowed range [16, 1,048,576]"),
    (["-p", "sobol_base", "1000"], "parameter 'sobol_base'", "not a power of 2"),
    (["-p", "sweep_steps", "500"], "parameter 'sweep_steps'", "outside the allowed range [2, 70]"),
    (["-p", "sweep_x", "wind_down_days"], "sweep_x, sweep_y, sweep_steps", "whole number"),
    (["-p", "substitution_rate", "'0.3'"], "substitution_rate", "the text '0.3'"),
    (["-p", "vendor_bans", "[{vendors: [huawei], places: [europe], from_year: 2035}]"], "vendor_bans.0.from_year",
     "outside the model's years"),
    (["-p", "rule_effective_date", "2020-02-30"], "rule_effective_date", "2020-02-30 is not a date"),
    (["-p", "substitution_rte", "0.3"], "-p substitution_rte", "did you mean 'substitution_rate'?"),
    (["--scheduler", "tcp://127.0.0.1:1"], "--scheduler", "only with --executor dask"),
    (["--worker-timeout", "5"], "--worker-timeout", "only with --executor dask"),
])
def test_run_arguments_refused_before_any_kernel(args, where, what, tmp_path, no_kernel, capsys):
    code = cli.main(["run", "baseline", *args, "--outputs", str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and where in err and what in err and "Traceback" not in err, err
    assert not (tmp_path / "out").exists()


def test_sweep_out_that_is_a_folder_refused_before_the_work(tmp_path, monkeypatch, capsys):
    from econ import sweep

    monkeypatch.setattr(sweep, "sweep", lambda *a, **k: pytest.fail("the sweep ran"))
    assert cli.main(["sweep", "may2020_fdpr", "--param", "substitution_rate=0:1:3", "--out", str(tmp_path)]) == 2
    assert "--out: " in capsys.readouterr().err


def test_validate_a_folder(tmp_path, capsys):
    (tmp_path / "x.yaml").mkdir()
    assert cli.main(["validate", str(tmp_path / "x.yaml")]) == 2
    assert "is a folder, not a scenario file" in capsys.readouterr().err


def test_a_misspelt_parameter_is_one_line_with_a_suggestion(tmp_path, no_kernel, capsys):
    code = cli.main(["run", "baseline", "-p", "substitution_rte", "0.3", "--outputs", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and len(err) < 200, err


def test_a_misspelt_scenario_or_parent_gets_a_suggestion(tmp_path, no_kernel, capsys):
    assert cli.main(["run", "histroy", "--outputs", str(tmp_path / "out")]) == 2
    assert "did you mean 'history'?" in capsys.readouterr().err
    from econ import load_scenario
    from econ.errors import InputError

    (tmp_path / "child.yaml").write_text("title: C\ndescription: D\ninherits: may2020_fpdr\n")
    (tmp_path / "may2020_fdpr.yaml").write_text("title: M\ndescription: D\n")
    with pytest.raises(InputError, match="did you mean 'may2020_fdpr'"):
        load_scenario(tmp_path / "child.yaml")


def test_version_names_the_package_and_python():
    out = subprocess.run([sys.executable, "-m", "econ", "--version"], capture_output=True, text=True)
    from econ import __version__

    assert out.returncode == 0 and out.stdout.startswith(f"econ {__version__}") and "Python 3." in out.stdout


def test_a_parameters_file_is_read_like_papermills_and_checked_by_name(tmp_path, no_kernel, capsys):
    """`econ run -f FILE.yaml`: NAME: VALUE lines, -p wins over the file; a misspelt name in the file is
    named with the file and a suggestion; a file that is not a mapping is refused in one line."""
    params = tmp_path / "params.yaml"
    params.write_text("substitution_rte: 0.3\n")
    assert cli.main(["run", "baseline", "-f", str(params), "--outputs", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{params}: substitution_rte: unknown parameter (did you mean 'substitution_rate'?)" in err
    params.write_text("- 0.3\n")
    assert cli.main(["run", "baseline", "-f", str(params), "--outputs", str(tmp_path / "out")]) == 2
    assert "must be a mapping" in capsys.readouterr().err
    params.write_text("draws: 0\n")  # the file's value is checked like -p's
    assert cli.main(["run", "baseline", "-f", str(params), "--outputs", str(tmp_path / "out")]) == 2
    assert "outside the allowed range" in capsys.readouterr().err
    from econ import arguments

    assert arguments.from_file(params) == {"draws": 0}
    assert not (tmp_path / "out").exists()


# --- data/story.yaml: checked by `econ validate` and before a run -------------------------------------

STORY_BANS = "    scenarios: [europe_bans, canada_2022, bans_only, china_retaliation]\n"
BAD_STORIES = {
    "a misspelt scenario": (STORY_BANS, STORY_BANS.replace("canada_2022", "canada_2021"), "groups.1.scenarios.1",
                            "'canada_2021' is not a scenario in data/scenarios (did you mean 'canada_2022'?); have: "
                            "baseline, "),
    "a scenario in two groups": (STORY_BANS, STORY_BANS.replace("china_retaliation", "history"),
                                 "groups.1.scenarios.3", "'history' is listed twice (also at groups.0.scenarios.3): "
                                 "a scenario is told once, in one group"),
    "a scenario twice in one group": (STORY_BANS, STORY_BANS.replace("canada_2022", "europe_bans"),
                                      "groups.1.scenarios.1", "'europe_bans' is listed twice (also at "
                                      "groups.1.scenarios.0)"),
    "an empty title": ("  - title: Russia\n", "  - title: ''\n", "groups.2.title",
                       "a group's title must be non-empty text; got ''"),
    "a title that is not text": ("  - title: Russia\n", "  - title: [Russia]\n", "groups.2.title",
                                 "a group's title must be non-empty text; got ['Russia']"),
    "two groups of one title": ("  - title: Russia\n", "  - title: The bans\n", "groups.2.title",
                                "'The bans' is already the title of groups.1: each group needs its own title"),
    "a misspelt key": ("  - title: Russia\n", "  - titel: Russia\n", "groups.2.titel",
                       "unknown key (did you mean 'title'?); allowed: title, asks, scenarios"),
    "a missing key": ("  - title: Russia\n", "  - scenarios: []\n  - title: Russia\n", "groups.2.title",
                      "required key is missing"),
    "an extra key": ("  - title: Russia\n", "  - title: Russia\n    colour: red\n", "groups.2.colour",
                     "unknown key; allowed: title, asks, scenarios"),
    "scenarios not a list": (STORY_BANS, "    scenarios: europe_bans\n", "groups.1.scenarios",
                             "must be a list of scenario names; got 'europe_bans'"),
    "a scenario that is not a name": (STORY_BANS, STORY_BANS.replace("canada_2022", "{a: 1}"),
                                      "groups.1.scenarios.1", "must be a scenario name (text); got {'a': 1}"),
    "a misspelt top-level key": ("groups:\n", "gropus: []\ngroups:\n",
                                 "gropus", "unknown key (did you mean 'groups'?); allowed: groups"),
}


@pytest.mark.parametrize("case", BAD_STORIES)
def test_a_bad_story_is_refused_by_validate_with_and_without_arguments(case, data_copy, capsys):
    from tests.conftest import edit

    old, new, field, message = BAD_STORIES[case]
    story_file = data_copy / "story.yaml"
    edit(story_file, old, new)
    for command in (["validate"], ["validate", str(story_file)]):
        assert cli.main(command) == 2, command
        err = capsys.readouterr().err
        assert f"story.yaml: {field}: {message}" in err, err
        assert "scenario file" not in err  # the story is not read as a scenario


def test_the_shipped_story_is_valid_and_validated_as_a_story(capsys):
    from econ import story
    from econ.scenario import scenario_names

    assert story.check(scenario_names()) == []
    assert cli.main(["validate", "data/story.yaml"]) == 0
    assert "1 file(s) valid." in capsys.readouterr().out


def test_a_repeated_scenario_is_refused_not_shown_twice(data_copy):
    from econ import story
    from econ.errors import InputError
    from tests.conftest import edit

    edit(data_copy / "story.yaml", STORY_BANS, STORY_BANS.replace("canada_2022", "europe_bans"))
    with pytest.raises(InputError, match=r"groups.1.scenarios.1: 'europe_bans' is listed twice"):
        story.ordered(["europe_bans", "baseline"])
