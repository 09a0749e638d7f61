"""pyproject.toml and environment.yml declare the same runtime dependencies."""

import re
import tomllib

import yaml

from econ import paths

# conda-forge names that differ from PyPI names
CONDA_TO_PYPI = {}


def _name(spec: str) -> str:
    return re.split(r"[<>=!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_runtime_dependencies_match():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    pypi = {_name(d) for d in project["dependencies"]}
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    conda = {CONDA_TO_PYPI.get(_name(d), _name(d)) for d in env["dependencies"] if isinstance(d, str)}
    conda -= {"python", "pip"}
    assert pypi - conda == set(), f"in pyproject.toml but not environment.yml: {sorted(pypi - conda)}"
    assert conda - pypi == set(), f"in environment.yml but not pyproject.toml: {sorted(conda - pypi)}"
    pip_section = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_section == [{"pip": ["-e ."]}]
    assert "conda-forge" in env["channels"]


def test_lower_bounds_pinned():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    for dep in project["dependencies"]:
        assert ">=" in dep, f"{dep} has no lower bound"


def test_named_packages_present():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(d) for d in project["dependencies"]}
    assert {"jupyterlab", "pandas", "statsmodels", "altair", "papermill"} <= names
