"""One job: one scenario through one notebook, executed, published as an HTML report and recorded.

:func:`execute` runs in a worker process (or on a Dask worker) and never raises: whatever goes
wrong (a cell raises, the kernel never starts, the notebook times out, the disk is full) ends as
a failed job with its error, a report saying so, and ``job.json``. :func:`record_crash` does the
same for a job whose process died under it, from the process that saw it die.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import signal
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
import papermill

from econ import files, report
from econ.batch import checksums

#: Seconds one notebook may take, kernel start included (``--timeout``).
DEFAULT_TIMEOUT = 1800
#: Seconds a kernel may take to start; a start that fails or times out is retried.
KERNEL_START_TIMEOUT = 60
KERNEL_START_RETRIES = 3
#: Thread pools of numerical libraries: one kernel per core, so each kernel gets its share.
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class Job:
    """One scenario through one notebook, and what became of it."""

    scenario: str
    notebook: str  # stem, e.g. "01_revenue_impact"
    notebook_path: str  # absolute
    parameters: dict  # as injected, output_dir aside
    title: str = ""  # scenario title, for the report banner
    input_hash: str = ""
    engine: str = "papermill"  # papermill | warm (see econ.batch.warm); not part of the input hash
    status: str = "pending"  # ok | failed
    reused_from: str | None = None
    attempts: int = 0
    started: str = ""
    seconds: float = 0.0  # wall time, kernel start and HTML publishing included
    cells_seconds: float = 0.0  # time spent executing the notebook's cells
    publish_seconds: float = 0.0  # time spent writing the HTML report
    error: dict = field(default_factory=dict)
    #: Every input file (notebook, scenario files, data/) by path relative to the project: its SHA-256 as
    #: read when the run was planned, replaced by what the notebook read when it started.
    inputs_sha256: dict = field(default_factory=dict)
    #: Inputs edited while the notebook ran: its result is published but never reused (input_hash is "").
    inputs_changed: list = field(default_factory=list)
    #: Every file of the job's folder but job.json, with its SHA-256 as this run last wrote it (what
    #: ``--resume`` checks before it reuses the folder).
    files_sha256: dict = field(default_factory=dict)

    @property
    def folder(self) -> str:
        return f"{self.scenario}/{self.notebook}"

    @property
    def report(self) -> str:
        return f"{self.folder}/{self.notebook}.html"

    def record(self) -> dict:
        """The job as job.json and the manifest hold it: no absolute path of this machine."""
        from econ import paths

        return {**asdict(self), "notebook_path": paths.relative(self.notebook_path)}

    def record_json(self) -> str:
        return json.dumps(self.record(), indent=2, default=str) + "\n"


def die_with_parent(parent: int, sig: int = signal.SIGTERM) -> None:
    """Ask Linux to send ``sig`` when the parent dies (so a ``kill -9`` of the run leaves no
    orphans computing), and exit now if it already has."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, sig)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)


def _kernel_start_failure(exc: BaseException) -> bool:
    """A failure to start or reach the kernel (papermill issues #239, #511), worth another try."""
    text = f"{type(exc).__name__}: {exc}"
    return (type(exc).__module__.startswith("zmq") or "Kernel didn't respond" in text
            or "Kernel died before replying" in text or "Address already in use" in text)


def _source_cell(nb_path: Path, executed_index: int | None) -> int | None:
    """1-based position in the source notebook of a cell of the executed one (papermill inserts the
    injected-parameters cell)."""
    if executed_index is None:
        return None
    try:
        cells = nbformat.read(nb_path, as_version=4).cells
    except Exception:
        return executed_index + 1
    # papermill counted before adding its error banner and anchor cells
    cells = [c for c in cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
    inserted = sum(1 for c in cells[:executed_index] if "injected-parameters" in c.metadata.get("tags", []))
    return executed_index - inserted + 1


def _mark_failure(executed: Path, message: str) -> None:
    """Put a red banner at the top of an executed notebook that failed without papermill's own."""
    try:
        nb = nbformat.read(executed, as_version=4)
        cell = nbformat.v4.new_markdown_cell(f'<span style="color:#b00020; font-size:1.5em">{message}</span>')
        cell.metadata["tags"] = ["papermill-error-cell-tag"]
        nb.cells.insert(0, cell)
        nbformat.write(nb, executed)
    except Exception:  # unreadable, or the disk is full: the job record still says what happened
        return


def _relative_paths(executed: Path, job: Job) -> None:
    """papermill records the input and output notebooks' absolute paths in the executed notebook; a
    published notebook names the project's notebook and its place in the run instead."""
    from econ import paths

    try:
        nb = json.loads(executed.read_text(encoding="utf-8"))
        meta = nb.get("metadata", {}).get("papermill")
        if not isinstance(meta, dict):
            return
        meta["input_path"] = paths.relative(job.notebook_path)
        meta["output_path"] = f"{job.folder}/{executed.name}"
        files.write_atomic(executed, json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    except (OSError, ValueError):  # not written (the kernel never started) or unreadable: nothing to hide
        return


def _cells_seconds(executed: Path) -> float:
    try:
        nb = nbformat.read(executed, as_version=4)
    except Exception:
        return 0.0
    return round(sum((c.metadata.get("papermill", {}).get("duration") or 0) for c in nb.cells), 3)


def _error(exc: BaseException) -> dict:
    message = _ANSI.sub("", str(exc) or repr(exc))
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        message = f"the disk is full: {message}"
    return {"cell": None, "name": type(exc).__name__, "message": message[:2000]}


def _papermill_arguments(job: Job, out_dir: Path, options: dict, deadline: float) -> dict:
    """How papermill is called for ``job``: with a kernel (engine papermill) or in this process (warm)."""
    kwargs = dict(parameters=dict(job.parameters, output_dir="."), progress_bar=False, log_output=False,
                  request_save_on_cell_execute=True)
    if job.engine == "warm":
        from econ.batch import inprocess

        # this process is a fresh fork of a warm template: changing its directory affects nothing else
        return dict(kwargs, engine_name=inprocess.ENGINE_NAME, cwd=str(out_dir), deadline=deadline)
    kwargs.update(start_timeout=KERNEL_START_TIMEOUT,
                  # a per-notebook deadline: each cell gets what is left of it
                  timeout_func=lambda cell: max(1, int(deadline - time.monotonic())),
                  # the kernel's working directory, set without papermill's process-wide chdir (#473)
                  resources={"metadata": {"path": str(out_dir)}})
    if options.get("kernel"):
        kwargs["kernel_name"] = options["kernel"]
    return kwargs


def _run_notebook(job: Job, executed: Path, out_dir: Path, options: dict) -> None:
    """Execute the notebook into ``executed``, retrying a kernel that fails to start; sets status and error."""
    deadline = time.monotonic() + options["timeout"]
    kwargs = _papermill_arguments(job, out_dir, options, deadline)
    job.status, job.error = "failed", {}
    for attempt in range(1, KERNEL_START_RETRIES + 1):
        job.attempts = attempt
        try:
            papermill.execute_notebook(job.notebook_path, str(executed), **kwargs)
            job.status = "ok"
            return
        except papermill.PapermillExecutionError as e:
            job.error = {"cell": _source_cell(executed, e.cell_index), "execution_count": e.exec_count,
                         "name": e.ename, "message": _ANSI.sub("", str(e.evalue))[:2000]}
            return
        except Exception as e:
            job.error = _error(e)
            if isinstance(e, TimeoutError) or type(e).__name__ == "CellTimeoutError":
                job.error["name"] = "Timeout"
                job.error["message"] = f"the notebook did not finish within {options['timeout']} s"
            if _kernel_start_failure(e) and attempt < KERNEL_START_RETRIES and time.monotonic() < deadline:
                time.sleep(attempt)
                continue
            if executed.exists():
                _mark_failure(executed, f"This notebook failed: {job.error['name']}: {job.error['message'][:300]}")
            return


def _publish(job: Job, executed: Path, out_dir: Path, options: dict) -> None:
    """Write the job's HTML report: the executed notebook, or a page saying why there is none."""
    published = time.perf_counter()
    try:
        # the report; the notebook's stderr goes to the run's logs, never onto the page
        report.publish_notebook(job, executed, out_dir, out_dir.parent.parent, options)  # run_dir/SCENARIO/NOTEBOOK
    except Exception as e:
        job.status = "failed"
        if not job.error:
            job.error = {"cell": None, "name": "ReportError",
                         "message": f"{_error(e)['message']}\n{traceback.format_exc()[-1500:]}"}
    job.publish_seconds = round(time.perf_counter() - published, 2)


def _record(job: Job, out_dir: Path) -> None:
    """Write job.json, last, with the hash of every file beside it: a job folder without it is
    incomplete and never reused."""
    try:
        job.files_sha256 = checksums.of_folder(out_dir)
        files.write_atomic(out_dir / "job.json", job.record_json())
    except OSError as e:  # the run's manifest still carries the record
        job.status = "failed"
        job.error = job.error or _error(e)


def execute(job: Job, run_dir: str, options: dict, started: float | None = None) -> Job:
    """Run one notebook and publish its HTML report and job record; never raises.

    The kernel's working directory is the job's folder and ``output_dir`` is ``"."``, so the
    executed notebook names no absolute path and a job's folder can be reused by a later run.
    ``options`` holds ``timeout`` (seconds, kernel start included), ``show_code`` and optionally
    ``kernel`` (a kernel name for every notebook). BLAS threads are set in the worker's environment
    (``pool``), not here.
    ``started`` is the ``time.perf_counter()`` at which the job's wall time starts (default now).
    """
    start = started or time.perf_counter()
    job.started = dt.datetime.now().isoformat(timespec="seconds")
    out_dir = Path(run_dir) / job.scenario / job.notebook
    executed = out_dir / f"{job.notebook}.ipynb"
    planned, read = dict(job.inputs_sha256), checksums.of_inputs(job.inputs_sha256)
    if options.get("threads") is not None:  # a worker process of our own, one job at a time (not Dask's threads)
        os.environ["ECON_NOTEBOOK"] = job.notebook  # the kernel's guard checks the parameters cell names it
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        _run_notebook(job, executed, out_dir, options)
    except Exception as e:  # the folder cannot be made: a full or read-only disk
        job.status, job.error = "failed", _error(e)
    checksums.check_unchanged(job, planned, read, checksums.of_inputs(job.inputs_sha256))
    _relative_paths(executed, job)
    job.cells_seconds = _cells_seconds(executed)
    _publish(job, executed, out_dir, options)
    job.seconds = round(time.perf_counter() - start, 2)
    _record(job, out_dir)
    return job


def record_crash(job: Job, run_dir: str | Path, options: dict, name: str, message: str) -> Job:
    """Fail ``job`` whose process died under it (killed, out of memory), and publish what is left of it.

    Called by the process that saw it die: the worker pool, or the warm template. The executed
    notebook, when the kernel got that far, gets a banner; the report and job.json say what happened.
    """
    job.status = "failed"
    job.error = {"cell": None, "name": name, "message": message[:2000]}
    out_dir = Path(run_dir) / job.scenario / job.notebook
    executed = out_dir / f"{job.notebook}.ipynb"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError:
        return job
    if executed.exists():
        _mark_failure(executed, f"This notebook did not finish: {name}: {message[:300]}")
    job.cells_seconds = _cells_seconds(executed)
    _publish(job, executed, out_dir, options)
    _record(job, out_dir)
    return job
