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


def relative(path: Path | str) -> str:
    """``path`` relative to the project root when it lies inside it, for messages."""
    p = Path(path).resolve()
    try:
        return str(p.relative_to(ROOT.resolve()))
    except ValueError:
        return str(path)

#: Files that are slow to build and safe to delete (e.g. the Vega JavaScript bundle). ``ECON_CACHE``
#: overrides it; by default the user's cache folder, so every checkout and worker shares it.
CACHE = Path(os.environ.get("ECON_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "econ")
