"""Where things live. The one module that knows the project's folder layout."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root (the folder holding pyproject.toml). ``ECON_ROOT`` overrides it, which the
#: tests use to point the package at a temporary copy of data/.
ROOT = Path(os.environ.get("ECON_ROOT", Path(__file__).resolve().parent.parent))
DATA = ROOT / "data"
SCENARIOS = DATA / "scenarios"
SOURCES = DATA / "sources.csv"
MANIFEST = DATA / "manifest.yaml"
NOTEBOOKS = ROOT / "notebooks"
OUTPUTS = ROOT / "outputs"
#: The folder of a run that holds the notebooks that take no scenario (run once per run), and the name
#: their results carry in place of a scenario's (no scenario has it: scenario names start with a letter
#: or a digit).
RUN_WIDE_FOLDER = "_run"


def same(a: Path | str, b: Path | str) -> bool:
    """Whether two paths name the same file (False when either cannot be resolved: a symlink loop, ...)."""
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, RuntimeError, ValueError):
        return False


def relative(path: Path | str) -> str:
    """``path`` relative to the project root when it lies inside it, for messages."""
    try:
        return str(Path(path).resolve().relative_to(ROOT.resolve()))
    except (OSError, RuntimeError, ValueError):  # outside the root, a symlink loop, a NUL byte
        return str(path)

#: Files that are slow to build and safe to delete (e.g. the Vega JavaScript bundle). ``ECON_CACHE``
#: overrides it; by default the user's cache folder, so every checkout and worker shares it.
CACHE = Path(os.environ.get("ECON_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "econ")
