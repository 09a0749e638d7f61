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
    assert out.returncode == 0 and "substitution_rate" in out.stdout and "rule_effective_date" not in out.stdout
