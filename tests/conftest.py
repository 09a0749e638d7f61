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
