"""SHA-256 digests of what the numbers rest on: econ's own source and the files in data/. The one
definition every user of them reads: a job's input hash (:mod:`econ.batch.provenance`), the Dask
workers' source check (:mod:`econ.batch.cluster`) and the key of a run's shared figures
(:mod:`econ.model.figure_cache`), so they cannot disagree on which files count."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

from econ import paths

#: econ's own source: its modules and the page templates.
SOURCE_PATTERNS = ("**/*.py", "templates/**/*")
#: data/'s datasets, sources and manifest (top level; scenario files are hashed per job).
DATA_PATTERNS = ("*.csv", "*.yaml", "*.yml", "*.json")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tree(root: Path, patterns: Iterable[str]) -> dict[str, str]:
    """{path relative to ``root``: SHA-256} of every file matching one of ``patterns``."""
    files = sorted({p for pattern in patterns for p in root.glob(pattern) if p.is_file()})
    return {str(p.relative_to(root)): sha256(p.read_bytes()) for p in files}


def data_digest() -> dict[str, str]:
    """SHA-256 of every file in data/ (datasets, sources, manifest); scenarios are hashed per job."""
    return tree(paths.DATA, DATA_PATTERNS)


def source_digest() -> str:
    """One SHA-256 of econ's source tree (about 15 ms): a model change without a version bump counts."""
    return sha256(json.dumps(tree(Path(__file__).resolve().parent, SOURCE_PATTERNS), sort_keys=True).encode())


__all__ = ["DATA_PATTERNS", "SOURCE_PATTERNS", "data_digest", "sha256", "source_digest", "tree"]
