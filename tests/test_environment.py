"""The locked environment: requirements-lock.txt pins every package pyproject.toml asks for, at a
version its bounds allow; environment.yml installs that lock and nothing else; and the environment
the tests run in is the lock's (the expected numbers in tests/expected/ belong to it)."""

import re
import tomllib

import yaml
from packaging.requirements import Requirement

from econ import lockfile, paths


def _project() -> dict:
    return tomllib.loads((paths.ROOT / "pyproject.toml").read_text())


def _requirements() -> list[Requirement]:
    project = _project()["project"]
    extras = project["optional-dependencies"]
    return [Requirement(d) for d in (*project["dependencies"], *extras["test"], *extras["dev"])]


def test_lock_pins_every_declared_package_within_its_bounds():
    pins = lockfile.pins()
    for req in _requirements():
        name = lockfile.normalise(req.name)
        assert name in pins, f"{name} is in pyproject.toml but not in requirements-lock.txt: run `make lock`"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"{name}=={pins[name]} in the lock is outside pyproject.toml's {req.specifier}: run `make lock`")


def test_lock_pins_one_version_per_package_with_hashes():
    text = lockfile.LOCK.read_text()
    entries = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", text, flags=re.M)
    names = [lockfile.normalise(n) for n, _ in entries]
    assert len(names) == len(set(names)), "one version of each package for every Python (--fork-strategy fewest)"
    blocks = re.split(r"^(?=[A-Za-z0-9])", text, flags=re.M)
    for block in blocks:
        if "==" in block.split("\n", 1)[0]:
            assert "--hash=sha256:" in block, f"no hash for {block.split()[0]}"


def test_build_backend_is_locked():
    """The editable install runs without build isolation, from the lock's setuptools and wheel."""
    pins = lockfile.pins()
    for spec in _project()["build-system"]["requires"]:
        req = Requirement(spec)
        assert req.specifier.contains(pins[lockfile.normalise(req.name)]), f"{spec} not met by the lock"


def test_environment_yml_installs_the_lock_and_nothing_else():
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip_section = [d for d in env["dependencies"] if isinstance(d, dict)]
    requires = _project()["project"]["requires-python"]
    assert conda[0].startswith("python=") and conda[1:] == ["pip"], conda
    assert Requirement(f"python{requires}").specifier.contains(conda[0].split("=")[1] + ".0")
    assert pip_section == [{"pip": ["-r requirements-lock.txt"]}]
    assert "conda-forge" in env["channels"]


def test_the_running_environment_is_the_lock():
    """What `make test` installed is what the lock says (an environment built another way has other
    numbers: rebuild it with `rm -rf .venv && make test`)."""
    assert lockfile.drift() == {}, f"installed versions differ from requirements-lock.txt: {lockfile.drift()}"


def test_named_packages_present():
    project = _project()["project"]
    names = {lockfile.normalise(Requirement(d).name) for d in project["dependencies"]}
    assert {"jupyterlab", "pandas", "statsmodels", "altair", "papermill"} <= names
