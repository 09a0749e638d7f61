"""The locked environment: requirements-lock.txt, every package pinned with its hashes.

``make run`` and ``make test`` install exactly this file (``pip install --require-hashes``), so the
same seed gives the same numbers on every machine: the expected values in tests/expected/ belong to
the lock. ``make lock`` rewrites it on purpose (``uv pip compile``, one version of each package for
every supported Python, hashes for every platform); environment.yml installs the same file for conda
users. Each run's manifest records the lock's digest beside the versions it found installed.
"""

from __future__ import annotations

import hashlib
import re

from econ import paths

#: The lock file, at the project root.
LOCK = paths.ROOT / "requirements-lock.txt"

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ ;\\]+)")


def digest() -> str:
    """SHA-256 of the lock file, or "missing" when the checkout has none."""
    try:
        return hashlib.sha256(LOCK.read_bytes()).hexdigest()
    except OSError:
        return "missing"


def pins() -> dict[str, str]:
    """Package name (normalised: lower case, ``-``) -> locked version."""
    out = {}
    for line in LOCK.read_text().splitlines():
        m = _PIN.match(line)
        if m:
            out[normalise(m.group(1))] = m.group(2)
    return out


def normalise(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def drift() -> dict[str, tuple[str, str]]:
    """Installed packages whose version differs from the lock: name -> (locked, installed)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name, locked in pins().items():
        try:
            found = version(name)
        except PackageNotFoundError:
            continue  # a platform's conditional package (pywin32, appnope) or one this Python does not need
        if found != locked:
            out[name] = (locked, found)
    return out


__all__ = ["LOCK", "digest", "drift", "normalise", "pins"]
