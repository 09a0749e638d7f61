import contextlib
import shutil
from pathlib import Path

import pytest

from econ import paths


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    """An empty folder for scenario files written by a test."""
    d = tmp_path / "scenarios"
    d.mkdir()
    return d


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def shipped() -> Path:
    return paths.SCENARIOS


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of data/ that the package reads instead, for tests that break a file."""
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA, copy)
    monkeypatch.setattr(paths, "DATA", copy)
    monkeypatch.setattr(paths, "SOURCES", copy / "sources.csv")
    return copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@contextlib.contextmanager
def uncached(*loaders):
    """Run with the ``functools`` caches of ``loaders`` empty, and empty them again after, so a test that
    breaks a data file neither sees the shipped file's cached result nor leaves its own behind."""
    for f in loaders:
        f.cache_clear()
    try:
        yield
    finally:
        for f in loaders:
            f.cache_clear()


#: Tiny real notebooks (the papermill way): no econ import, about a second each.
FIXTURE_NOTEBOOKS = Path(__file__).parent / "fixtures" / "notebooks"
#: A title and description a reader must see as text, never run.
HOSTILE_TITLE = "A <script>alert('title')</script> & co"
HOSTILE_DESCRIPTION = "First <img src=x onerror=alert('description')> scenario"


@pytest.fixture
def tiny_scenarios(tmp_path: Path) -> Path:
    """Scenario files a (hostile title) and b (inherits a, other substitution rate)."""
    d = tmp_path / "scenarios"
    d.mkdir()
    write(d / "a.yaml", f'title: "{HOSTILE_TITLE}"\ndescription: "{HOSTILE_DESCRIPTION}"\n'
                        "parameters:\n  substitution_rate: 0.2\n")
    write(d / "b.yaml", "title: B\ndescription: Second\ninherits: a\nparameters:\n  substitution_rate: 0.4\n")
    return d


@pytest.fixture(scope="session")
def published_run(tmp_path_factory):
    """The real default batch (every shipped scenario through every notebook), published to a temporary
    outputs folder once per test session."""
    from econ import batch

    result = batch.run(outputs=tmp_path_factory.mktemp("published"), progress=False)
    assert result.exit_code == 0, [j.error for j in result.jobs if j.status != "ok"]
    return result
