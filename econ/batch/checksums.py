"""What a resume may trust: the SHA-256 of every file a job wrote and of every input it read.

* A job records each file of its folder with its hash (``Job.files_sha256``) when it writes job.json,
  and the run records them again once it has published (the report's navigation, results.json's
  provenance stamp). ``--resume`` reuses a folder only through :func:`verified_copy`: every entry a
  regular file (a symbolic link, a device or a pipe is refused with its path, never followed), the
  same files as recorded, each with the recorded hash; then each file is copied (never linked), so a folder
  edited by hand, or a link planted in a shared outputs folder, is never republished as new.
* A job records the hash of every input file (the notebook, its scenario files, data/) as planned
  (``Job.inputs_sha256``); the worker reads them again when the notebook starts and when it ends. A file
  edited in between is named in ``Job.inputs_changed``, the job keeps the hashes it started with, and its
  input hash is cleared so no later ``--resume`` reuses a result computed from either version.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

from econ import paths

#: The job record itself: rewritten by every run that publishes or reuses the folder.
RECORD = "job.json"


def sha256_file(path: Path) -> str:
    """SHA-256 of a regular file, opened without following a symbolic link (OSError if ``path`` is one)."""
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _entries(folder: Path):
    """(relative posix path, lstat) of everything under ``folder``, links not followed."""
    for top, dirs, names in os.walk(folder, followlinks=False):
        for name in sorted(dirs + names):
            path = Path(top) / name
            yield path.relative_to(folder).as_posix(), path.lstat()


def of_folder(folder: Path) -> dict[str, str]:
    """The hash of every regular file under ``folder`` but the job record (anything else is left out,
    and so makes the folder unusable for a resume)."""
    found = {}
    for name, info in _entries(Path(folder)):
        if stat.S_ISREG(info.st_mode) and name != RECORD:
            found[name] = sha256_file(Path(folder) / name)
    return found


def _resolve(name: str) -> Path:
    return Path(name) if Path(name).is_absolute() else paths.ROOT / name


def of_inputs(recorded: dict[str, str]) -> dict[str, str]:
    """The hash of each input file named in ``recorded`` as it is now ("missing" if it is gone)."""
    found = {}
    for name in recorded:
        try:
            found[name] = sha256_file(_resolve(name))
        except OSError:
            found[name] = "missing"
    return found


def check_unchanged(job, planned: dict, started: dict, ended: dict) -> None:
    """Record what ``job``'s notebook read: the inputs' hashes when it started, and which inputs differ
    from the plan or changed while it ran (then its result is never reused)."""
    changed = sorted(n for n in planned if started.get(n) != planned[n] or ended.get(n) != started.get(n))
    job.inputs_sha256 = dict(started)
    if changed:
        job.inputs_changed = changed
        job.input_hash = ""


def inputs(notebook: Path, notebook_sha256: str, scenario_digest: dict, data_digest: dict) -> dict[str, str]:
    """The input files of one job and their hashes, from what planning already read: the notebook, the
    scenario files (one scenario's digest, or a run-wide job's digest of every scenario) and data/."""
    found = {paths.relative(notebook): notebook_sha256}
    digests = [scenario_digest] if "files" in scenario_digest else list(scenario_digest.values())
    for digest in digests:
        found.update(digest.get("files", {}))
    found.update({paths.relative(paths.DATA / name): value for name, value in data_digest.items()})
    return found


def verified_copy(source: Path, target: Path, recorded: dict[str, str]) -> str | None:
    """Copy the folder ``source`` to ``target`` if it holds exactly the recorded files, nothing but regular
    files and folders, and each copy has the recorded hash (each file is hashed as copied, so an edit
    during the copy is caught too); otherwise leave no copy and return why (naming the path)."""
    if not recorded:
        return f"{paths.relative(source)} has no recorded file hashes (written by an older version)"
    found = []
    for name, info in _entries(source):
        if stat.S_ISDIR(info.st_mode) or name == RECORD:
            continue
        if not stat.S_ISREG(info.st_mode):
            kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a regular file"
            return f"{paths.relative(source / name)} is {kind}"
        found.append(name)
    extra, gone = sorted(set(found) - set(recorded)), sorted(set(recorded) - set(found))
    if extra or gone:
        return f"{paths.relative(source / (extra or gone)[0])} was {'added' if extra else 'removed'} after the run"
    try:
        for name in found:
            dst = target / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            # copied, not hard-linked: an edit to the new run must never reach the earlier one
            shutil.copyfile(source / name, dst, follow_symlinks=False)
            if sha256_file(dst) != recorded[name]:
                shutil.rmtree(target, ignore_errors=True)
                return f"{paths.relative(source / name)} was changed after the run (its SHA-256 differs)"
    except OSError:
        shutil.rmtree(target, ignore_errors=True)  # no half-copied folder for the job to run into
        raise
    return None
