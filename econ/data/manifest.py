"""The provenance manifest (data/manifest.yaml): every data file's title, units and SHA-256, checked
before any work, and rewritten on purpose after an edit (``econ data rehash``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from econ import _yaml, files, paths
from econ.data.loading import validate_file
from econ.errors import InputError


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _manifest_document() -> dict:
    """data/manifest.yaml read strictly and checked for shape: ``files:`` mapping each file name to its
    entry (a mapping); InputError naming the manifest otherwise."""
    rel = paths.relative(paths.MANIFEST)
    doc = _yaml.read(paths.MANIFEST, "data manifest")
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), dict) or not doc["files"]:
        raise InputError.single(rel, "files", "the manifest must be a mapping with `files:`, one entry per data "
                                "file (title, description, units, sha256); restore it from git")
    bad = [str(name) for name, entry in doc["files"].items() if not isinstance(name, str) or not isinstance(entry, dict)]
    if bad:
        raise InputError([(rel, f"files.{name}", "each entry must be a mapping (title, description, units, sha256)")
                          for name in bad])
    return doc


def manifest() -> dict:
    """data/manifest.yaml: for each data file its title, description, units and recorded hash."""
    return _manifest_document()["files"]


def check_manifest() -> list[tuple[str, str, str]]:
    """Problems with provenance: files missing from the manifest, or whose hash has changed."""
    problems = []
    try:
        entries = manifest()
    except InputError as e:
        return e.problems
    rel_manifest = paths.relative(paths.MANIFEST)
    on_disk = {p.name for p in paths.DATA.glob("*.csv")}
    for name in sorted(on_disk - set(entries)):
        problems.append((rel_manifest, name, "data file has no manifest entry (title, description, units, sha256)"))
    for name, entry in entries.items():
        path = paths.DATA / name
        if not path.exists():
            problems.append((rel_manifest, name, "listed but the file is missing"))
            continue
        for key in ("title", "description", "units", "sha256"):
            if not entry.get(key):
                problems.append((rel_manifest, f"{name}.{key}", "missing"))
        if entry.get("sha256") and not isinstance(entry["sha256"], str):
            problems.append((rel_manifest, f"{name}.sha256", "must be the file's SHA-256 as text"))
        elif entry.get("sha256") and entry["sha256"] != sha256(path):
            problems.append((rel_manifest, f"{name}.sha256", "does not match the file: the data changed without "
                             "its provenance being updated (run `econ data --rehash` after checking the sources)"))
    return problems


def _check_listed(name: str) -> list[tuple[str, str, str]]:
    """Problems with one manifest entry's file: missing, or failing its schema (sources.csv included)."""
    path = paths.DATA / name
    try:
        if not path.is_file():
            return [(paths.relative(path), "", "listed in the manifest but missing")]
        validate_file(path)
    except InputError as e:
        return e.problems
    return []


def rehash() -> list[str]:
    """Record the current hash of every file listed in the manifest; returns the names changed.

    Every listed file is first validated against its schema: if any fails, nothing is recorded
    (InputError naming each problem). The manifest is replaced atomically (temporary file, fsync,
    rename, fsync of the folder), so an interrupted rehash leaves the old manifest whole.
    """
    doc = _manifest_document()
    rel = paths.relative(paths.MANIFEST)
    problems = [(rel, name, "data file has no manifest entry: write its title, description and units first")
                for name in sorted({p.name for p in paths.DATA.glob("*.csv")} - set(doc["files"]))]
    problems += [(rel, f"{name}.{key}", "missing: write it before rehashing") for name, entry in doc["files"].items()
                 for key in ("title", "description", "units") if not entry.get(key)]
    problems += [p for name in doc["files"] for p in _check_listed(name)]
    if problems:
        raise InputError(problems + [(paths.relative(paths.MANIFEST), "",
                                      "unchanged: fix the files above, then rehash")])
    changed = []
    for name, entry in doc["files"].items():
        digest = sha256(paths.DATA / name)
        if entry.get("sha256") != digest:
            entry["sha256"] = digest
            changed.append(name)
    if changed:
        files.write_atomic(paths.MANIFEST, yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100),
                     sync_folder=True)
    return changed
