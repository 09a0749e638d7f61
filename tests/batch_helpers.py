"""Helpers for the batch tests: tiny runs, manifests, the processes a run leaves, a read-only folder."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from econ import batch
from tests.conftest import FIXTURE_NOTEBOOKS

ECON = str(Path(sys.executable).parent / "econ")


def tiny_run(scenarios: Path, out: Path, *names, **kwargs) -> batch.RunResult:
    """A run of the tiny fixture notebooks (00_tiny only, unless ``only`` says otherwise), on one
    worker unless ``workers`` says otherwise (a worker's start costs more than these notebooks)."""
    kwargs.setdefault("only", ["00_tiny"])
    kwargs.setdefault("workers", 1)
    return batch.run(list(names) or None, outputs=out, scenario_dir=scenarios, notebook_dir=FIXTURE_NOTEBOOKS,
                     progress=False, **kwargs)


def tiny_cli(scenarios: Path, out: Path, *args: str) -> list[str]:
    """The `econ run` command line of a tiny run (as a separate process)."""
    return [ECON, "run", *args, "--no-progress", "--outputs", str(out), "--scenario-dir", str(scenarios),
            "--notebook-dir", str(FIXTURE_NOTEBOOKS)]


def results_of(path: Path) -> dict:
    """A results.json without its provenance (the run that computed it): what two runs must agree on."""
    payload = json.loads(Path(path).read_text())
    payload.pop("provenance", None)
    return payload


def manifest(run_dir: Path) -> dict:
    return json.loads((run_dir / "manifest.json").read_text())


def published_runs(out: Path) -> list[Path]:
    return sorted(d for d in (out / "runs").iterdir() if not d.name.startswith("."))


def assert_nothing_half_published(out: Path) -> None:
    """Every run folder is either complete (manifest and index) or an unfinished .partial one; no
    temporary file is left; latest, if any, points to a complete run."""
    for d in (out / "runs").iterdir():
        if d.name.startswith("."):
            assert d.name.endswith(".partial") and not (d / "manifest.json").exists(), d
        else:
            assert (d / "index.html").exists() and manifest(d)["status"] == "complete", d
    assert list(out.rglob("*.tmp")) == []
    if (out / "latest").is_symlink():
        assert (out / "latest" / "manifest.json").exists()


def processes_in(folder: Path) -> list[int]:
    """Processes whose working directory is inside ``folder`` (kernels run in their job's folder)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if str(folder) in os.readlink(proc / "cwd"):
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


def children(pid: int, needle: str = "") -> list[int]:
    """Child processes of ``pid`` whose command line contains ``needle``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid and needle in cmdline:
            found.append(int(proc.name))
    return found


def running_cell(executed: Path) -> int | None:
    """The index of the cell papermill last recorded as running in an executed notebook, if any."""
    import nbformat

    try:
        nb = nbformat.read(executed, as_version=4)
    except Exception:  # not there yet, or being written
        return None
    return next((i for i, c in enumerate(nb.cells) if c.metadata.get("papermill", {}).get("status") == "running"),
                None)


def wait_for(condition, timeout: float = 120, what: str = "the run to get under way"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def end_process_group(proc: subprocess.Popen) -> None:
    """Kill a test's `econ run` process group (it was started with start_new_session)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def _mount(*args: str) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@contextlib.contextmanager
def small_filesystem(size: str):
    """A tmpfs of ``size`` (root only); skips the test where it cannot be mounted."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    folder = Path(tempfile.mkdtemp(prefix="econ-small-fs-"))
    if not _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)):
        folder.rmdir()
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        folder.rmdir()


@contextlib.contextmanager
def read_only(folder: Path):
    """Make ``folder`` read-only for this process: a read-only bind mount as root (root ignores file
    modes), file modes otherwise."""
    if os.geteuid() == 0:
        if not (_mount("--bind", str(folder), str(folder)) and _mount("-o", "remount,ro,bind", str(folder))):
            pytest.skip("cannot make a read-only bind mount here")
        try:
            yield folder
        finally:
            subprocess.run(["umount", "-l", str(folder)], capture_output=True)
    else:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")] if p.is_dir()}
        for p in modes:
            p.chmod(0o555)
        try:
            yield folder
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
