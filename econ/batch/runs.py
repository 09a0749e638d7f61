"""Run folders: where a run is written, how it is published, what ``outputs/latest`` points to, and
how an earlier run is found and reused (``--resume``).

Published runs are history: nothing here writes into one. A run is written under
``runs/.RUN_ID.partial`` and renamed to ``runs/RUN_ID`` once its manifest and index are written
(rename is atomic on one file system), so a run killed midway never looks complete. ``latest`` is
a symbolic link switched atomically (a new link renamed over the old), and only to a run in which
every notebook succeeded, unless asked otherwise.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from econ import files, paths
from econ.batch import checksums
from econ.batch.job import Job
from econ.errors import InputError

#: A generous estimate of what one notebook run leaves on disk (executed notebook with its chart
#: specs, ~1.2 MB HTML report with the Vega bundle inlined, results, record): a run that cannot
#: have this much free space is refused before it starts.
BYTES_PER_JOB = 6 * 2**20


class RunNotPublished(Exception):
    """The run finished but could not be published (disk full, folder not writable): nothing
    published was changed. ``partial`` is where its finished notebooks are, for ``--resume``."""

    def __init__(self, message: str, partial: Path | None = None):
        super().__init__(message)
        self.partial = partial


def os_reason(e: OSError) -> str:
    return {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exceeded",
            errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
            errno.EPERM: "permission denied"}.get(e.errno, e.strerror or str(e))


#: Characters a run adds to the longest job path: the run folder (".YYYYMMDD-HHMMSS-PID-N.partial/") and
#: a temporary file's prefix and suffix (files.write_atomic).
RUN_PATH_ROOM = 48


#: The longest path SQLite opens (its SQLITE_MAX_PATHNAME): the results store lives in outputs/.
SQLITE_MAX_PATH = 512


def _existing_ancestor(path: Path) -> Path:
    for parent in (path, *path.parents):
        try:
            if parent.is_dir():
                return parent
        except OSError:  # a name too long: look further up
            continue
    return Path("/")


def _path_problem(outputs: Path, longest: int) -> str:
    """Why paths under ``outputs`` would be too long for this system (``longest``: the longest path a
    job writes, relative to the run's folder), or ""."""
    base = _existing_ancestor(outputs.absolute())
    try:
        path_max, name_max = os.pathconf(base, "PC_PATH_MAX"), os.pathconf(base, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        path_max, name_max = 4096, 255
    long_name = next((part for part in outputs.parts if len(os.fsencode(part)) > name_max), None)
    if long_name:
        return f"has a folder name of {len(os.fsencode(long_name))} bytes; the system allows {name_max}"
    total = len(os.fsencode(str(outputs.absolute() / "runs"))) + RUN_PATH_ROOM + longest
    if total >= path_max:
        return (f"is too deep: this run's files would have paths of about {total:,} bytes, the system allows "
                f"{path_max:,}; give a shorter --outputs path")
    store = len(os.fsencode(str(outputs.absolute() / "runs.sqlite-journal")))
    if store >= SQLITE_MAX_PATH:
        return (f"is too long for the results store: SQLite opens paths of at most {SQLITE_MAX_PATH} bytes and "
                f"outputs/runs.sqlite would be {store:,}; give a shorter --outputs path")
    return ""


def check_outputs(outputs: Path, jobs: int, longest: int = 0) -> None:
    """Refuse, before any kernel starts, an outputs folder a run could not be published in.

    Refused: ``outputs`` (or ``outputs/runs``) that is not a folder; ``outputs/latest`` that is not
    a symbolic link (``econ run`` would replace it: it is someone else's); a folder this process
    cannot write in (read-only file system, permissions); less free space than ``jobs`` runs need.
    Creates ``outputs/runs`` when it is missing.
    """
    runs, latest = outputs / "runs", outputs / "latest"
    where = paths.relative(outputs)
    problem = _path_problem(outputs, longest)
    if problem:
        raise InputError.single("--outputs", shorten_path(where), problem)
    for folder in (outputs, runs):
        if folder.exists() and not folder.is_dir():
            raise InputError.single("--outputs", paths.relative(folder), "is a file, not a folder: give a folder "
                                    "for the runs (default outputs/)")
    if latest.exists() and not latest.is_symlink():  # a dangling link is fine: it is replaced
        kind = "folder" if latest.is_dir() else "file"
        raise InputError.single("--outputs", paths.relative(latest), f"is a real {kind}, not the link econ run "
                                "keeps to the newest run; move it out of the way (it is not econ's to replace)")
    try:
        runs.mkdir(parents=True, exist_ok=True)
        # outputs/ itself too: the link outputs/latest and the results store (runs.sqlite) are written there
        for folder in (outputs, runs):
            fd, probe = tempfile.mkstemp(dir=folder, prefix=".write-test.")
            os.close(fd)
            os.unlink(probe)
    except OSError as e:
        raise InputError.single("--outputs", shorten_path(where), f"cannot be written: {os_reason(e)} "
                                f"({e.strerror or e})") from None
    free = shutil.disk_usage(runs).free
    needed = jobs * BYTES_PER_JOB
    if free < needed:
        raise InputError.single("--outputs", where, f"{free / 2**20:.1f} MB free; this run needs about "
                                f"{needed / 2**20:.0f} MB ({jobs} notebook runs); free some space or use another "
                                "--outputs folder")


def shorten_path(text: str, most: int = 120) -> str:
    """A path cut in the middle so a message stays on one readable line."""
    return text if len(text) <= most else f"{text[:most // 2 - 2]}...{text[-(most // 2 - 1):]}"


def new_run(outputs: Path) -> tuple[str, Path]:
    """A new run's id and its (created) partial folder ``runs/.RUN_ID.partial``."""
    runs = outputs / "runs"
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        run_id = f"{stamp}-{os.getpid()}" + (f"-{n}" if n else "")
        partial = runs / f".{run_id}.partial"
        if (runs / run_id).exists():
            continue
        try:
            partial.mkdir()  # exclusive: two runs at once never share a folder
        except FileExistsError:
            continue
        return run_id, partial
    raise RuntimeError("could not choose a new run id")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(partial: Path, final: Path) -> None:
    """Make the written run visible under its final name (atomic rename, made durable)."""
    _fsync_dir(partial)
    os.replace(partial, final)
    _fsync_dir(final.parent)


def latest_run(outputs: Path) -> str | None:
    """The run ``outputs/latest`` points to (its RUN_ID), if any (:func:`econ.results.latest_id`)."""
    from econ.results import latest_id

    return latest_id(outputs)


def latest_decision(outputs: Path, jobs: list[Job], even_if_failed: bool, full: bool = True,
                    chosen: bool = False) -> dict:
    """Whether this run becomes ``outputs/latest``, and why: only when every notebook succeeded (unless
    ``even_if_failed``, ``--latest-even-if-failed``), and only for a run of every scenario and notebook
    (``full``), unless there is no latest yet or the user chose it (``chosen``, ``--latest``): a run of a
    few scenarios is published and listed (``econ runs``) but leaves the full comparison where it is."""
    failed = sum(j.status != "ok" for j in jobs)
    previous = latest_run(outputs)
    if not full and previous and not chosen:
        return {"moved": False, "previous": previous,
                "reason": "this run is not every shipped scenario through every shipped notebook, and outputs/latest "
                          "stays on the last full run unless --latest is given"}
    if not failed:
        return {"moved": True, "previous": previous,
                "reason": "every notebook succeeded" + ("" if full else (" (a partial run, chosen with --latest)"
                                                                         if chosen else " (the first run)"))}
    what = f"{failed} notebook{'s' if failed > 1 else ''} failed"
    if even_if_failed:
        return {"moved": True, "previous": previous, "reason": f"{what}, and --latest-even-if-failed was given"}
    return {"moved": False, "previous": previous,
            "reason": f"{what}; outputs/latest moves only to a run with no failure (--latest-even-if-failed "
                      "overrides this)"}


def point_latest(outputs: Path, run_dir: Path) -> None:
    """Switch outputs/latest to ``run_dir`` atomically (a new symlink renamed over the old)."""
    latest = outputs / "latest"
    if latest.exists() and not latest.is_symlink():  # appeared during the run: not ours to replace
        raise RunNotPublished(f"{paths.relative(latest)} became a real folder or file during the run; "
                              "outputs/latest was not moved")
    tmp = outputs / f".latest.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(Path("runs") / run_dir.name)
    os.replace(tmp, latest)


def stale_partials(outputs: Path) -> list[str]:
    return sorted(p.name for p in (outputs / "runs").glob(".*.partial"))


# --- resuming ------------------------------------------------------------------------------------

def find_run(outputs: Path, run_id: str) -> Path:
    """A run's folder, complete (runs/RUN_ID) or interrupted (runs/.RUN_ID.partial); InputError if none."""
    from econ.results import run_folder

    return run_folder(run_id, outputs, field="--resume")


def previous_jobs(run_dir: Path) -> dict[tuple[str, str], dict]:
    """The successful jobs recorded in an earlier run, by (scenario, notebook)."""
    found = {}
    for record in run_dir.glob("*/*/job.json"):
        try:
            job = json.loads(record.read_text())
        except (OSError, ValueError):
            continue
        if job.get("status") == "ok" and job.get("input_hash"):
            found[(job["scenario"], job["notebook"])] = job
    return found


def reuse(job: Job, previous: dict, old_run: Path, run_dir: Path) -> bool:
    """Copy ``job``'s folder from ``old_run`` when a job there had the same input hash and its folder
    still holds exactly the files it recorded, unchanged (:func:`checksums.verified_copy`); whether it did.
    A folder that fails the check is not reused, and a note says which file."""
    old = previous.get((job.scenario, job.notebook))
    if not old or old["input_hash"] != job.input_hash:
        return False
    folder = old_run / job.folder
    if not all((folder / f).exists() for f in (f"{job.notebook}.ipynb", f"{job.notebook}.html")):
        return False
    try:
        refused = checksums.verified_copy(folder, run_dir / job.folder, old.get("files_sha256") or {})
    except OSError:  # no room or no right to link or copy: the job runs instead (and says why if it fails)
        return False
    if refused:
        print(f"note: {job.folder} is run again, not reused: {refused}", file=sys.stderr)
        return False
    job.status, job.error = "ok", {}
    job.reused_from = old.get("reused_from") or old_run.name.strip(".").removesuffix(".partial")
    for key in ("started", "seconds", "cells_seconds", "publish_seconds", "attempts", "engine"):
        setattr(job, key, old.get(key, getattr(job, key)))
    # the copy's record is this run's (the old run's stays as it was), with the hashes just verified
    job.files_sha256 = dict(old.get("files_sha256") or {})
    try:
        files.write_atomic(run_dir / job.folder / "job.json", job.record_json())
    except OSError:
        job.status, job.reused_from = "pending", None
        return False
    return True
