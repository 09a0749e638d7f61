"""The environment variables the workbook reads, each checked like a parameter: a value that cannot be
used is refused with one line naming the variable, the value and what is allowed, before any work.

==========================  ==================================================================
variable                    allowed
==========================  ==================================================================
``ECON_ROOT``               an existing folder holding the project's ``data/`` (tests use it)
``ECON_CACHE``              a folder, or a path where one can be made (the Vega bundle's cache)
``ECON_FIGURE_CACHE``       set by ``econ run`` for its notebooks: a folder, or a path where one
                            can be made (unset elsewhere; :mod:`econ.model.figure_cache`)
``ECON_MEMORY_BUDGET``      what one notebook run may use: bytes (``8e9``) or a size with a unit
                            (``8GB``, ``512MB``, ``2GiB``); more than 100 MB
``NUMBA_NUM_THREADS``,      a whole number of threads, at least 1 (numba, OpenMP, OpenBLAS and
``OMP_NUM_THREADS``,        MKL read them; numba stops at import on 0)
``OPENBLAS_NUM_THREADS``,
``MKL_NUM_THREADS``
==========================  ==================================================================

This module imports nothing of econ's, so :mod:`econ.paths` and :mod:`econ.memory` can read through
it at import time without failing there: the checks run where a command, the pre-run check or the
kernel's guard can report them (:func:`problems`, :func:`check`).
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

#: The default memory budget of one notebook run, in bytes.
DEFAULT_MEMORY_BUDGET = 2e9
#: The smallest budget accepted: below it no notebook can start (its fixed part alone is about 0.4 GB).
MIN_MEMORY_BUDGET = 1e8
THREAD_VARIABLES = ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_UNITS = {"": 1, "b": 1, "kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
_SIZE = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*([a-z]*)\s*$", re.I)
_SIZE_RULE = "give bytes (8e9) or a size with a unit (8GB, 512MB, 2GiB)"


def size_in_bytes(text: str) -> float:
    """``8e9``, ``8GB``, ``512 MB`` or ``2GiB`` as bytes; ValueError saying what is allowed."""
    found = _SIZE.match(text or "")
    unit = found.group(2).lower() if found else None
    if not found or unit not in _UNITS:
        raise ValueError(f"{text!r} is not a size: {_SIZE_RULE}")
    value = float(found.group(1)) * _UNITS[unit]
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite size: {_SIZE_RULE}")
    return value


def memory_budget() -> float:
    """``ECON_MEMORY_BUDGET`` in bytes when it is valid, else the default (:func:`problems` reports it)."""
    text = os.environ.get("ECON_MEMORY_BUDGET", "")
    try:
        value = size_in_bytes(text) if text.strip() else DEFAULT_MEMORY_BUDGET
    except ValueError:
        return DEFAULT_MEMORY_BUDGET
    return value if value >= MIN_MEMORY_BUDGET else DEFAULT_MEMORY_BUDGET


def _memory() -> list[str]:
    text = os.environ.get("ECON_MEMORY_BUDGET")
    if text is None or not text.strip():  # set but empty: as if unset (the default)
        return []
    try:
        value = size_in_bytes(text)
    except ValueError as e:
        return [str(e)]
    return [] if value >= MIN_MEMORY_BUDGET else [f"{text!r} is {value / 1e6:g} MB: at least "
                                                   f"{MIN_MEMORY_BUDGET / 1e6:g} MB ({_SIZE_RULE})"]


def _root() -> list[str]:
    text = os.environ.get("ECON_ROOT")
    if text is None:
        return []
    root = Path(text)
    if not root.is_dir():
        return [f"{text!r} is not a folder: give the project's folder (the one holding data/ and pyproject.toml)"]
    if not (root / "data").is_dir():
        return [f"{text!r} has no data/ folder: give the project's folder (the one holding data/ and pyproject.toml)"]
    return []


def _cache(name: str = "ECON_CACHE", otherwise: str = "use ~/.cache/econ", empty_is_unset: bool = False) -> list[str]:
    text = os.environ.get(name)
    if text is None or (empty_is_unset and text == ""):
        return []
    if not text.strip():
        return [f"is empty: give a folder, or unset it to {otherwise}"]
    path = Path(text)
    if path.exists() and not path.is_dir():
        return [f"{text!r} is a file, not a folder: give a folder, or unset it to {otherwise}"]
    parent = next((p for p in path.absolute().parents if p.exists()), None)
    if not path.exists() and parent is not None and not parent.is_dir():
        return [f"{text!r} cannot be made: {parent} is a file; give a folder, or unset it to {otherwise}"]
    return []


def _threads(name: str) -> list[str]:
    text = os.environ.get(name)
    if text is None or text == "":
        return []
    try:
        value = int(text)
    except ValueError:
        return [f"{text!r} is not a whole number: give a number of threads, at least 1, or unset it"]
    return [] if value >= 1 else [f"{text!r}: give a number of threads, at least 1, or unset it"]


def problems() -> list[tuple[str, str, str]]:
    """(``environment``, variable, message) for every variable the workbook reads that it cannot use."""
    found = [("ECON_ROOT", m) for m in _root()] + [("ECON_CACHE", m) for m in _cache()]
    found += [("ECON_FIGURE_CACHE", m)
              for m in _cache("ECON_FIGURE_CACHE", "compute every figure afresh", empty_is_unset=True)]
    found += [("ECON_MEMORY_BUDGET", m) for m in _memory()]
    found += [(name, m) for name in THREAD_VARIABLES for m in _threads(name)]
    return [("environment", name, message) for name, message in found]


def check() -> None:
    """Raise :class:`econ.errors.InputError` naming each unusable environment variable."""
    found = problems()
    if found:
        from econ.errors import InputError

        raise InputError(found)
