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
