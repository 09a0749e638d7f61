"""Running scenarios through notebooks with papermill, in parallel worker processes.

Layout of a run::

    outputs/runs/RUN_ID/index.html              scenario comparison
    outputs/runs/RUN_ID/manifest.json           parameters, hashes, versions, timings, status
    outputs/runs/RUN_ID/SCENARIO/NOTEBOOK/      NOTEBOOK.ipynb, NOTEBOOK.html, results.json
    outputs/latest -> runs/RUN_ID               the newest complete run

A run is written under ``runs/.RUN_ID.partial`` and renamed when complete, and ``latest`` is
switched atomically afterwards, so an interrupted run never looks complete and never replaces
the previous one.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import time
import traceback
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import papermill
from tqdm import tqdm

from econ import __version__, data, paths, report
from econ.errors import InputError
from econ.notebook import notebook_parameters
from econ.scenario import load_scenario, scenario_names

KERNEL = "python3"
KERNEL_START_RETRIES = 3


@dataclass
class Job:
    scenario: str
    notebook: str  # stem, e.g. "01_revenue_impact"
    parameters: dict
    status: str = "pending"
    seconds: float = 0.0
    error: dict = field(default_factory=dict)


def notebooks() -> list[Path]:
    return sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def plan(scenarios: list[str] | None, overrides: dict | None = None) -> list[Job]:
    """Validate every scenario and every parameter to be injected; the jobs, or InputError."""
    names = scenarios or scenario_names()
    problems: list[tuple[str, str, str]] = []
    for name in names:
        try:
            load_scenario(name, overrides=overrides)
        except InputError as e:
            problems += e.problems
    jobs = []
    for nb in notebooks():
        declared = set(papermill.inspect_notebook(str(nb)))
        expected = set(notebook_parameters(nb.stem))
        if declared != expected:
            problems.append((paths.relative(nb), "parameters cell", "does not match the declarations "
                             f"(missing: {sorted(expected - declared)}, extra: {sorted(declared - expected)}); "
                             "run `python -m econ.notebook`"))
        for name in names:
            params = {"scenario": name, **(overrides or {})}
            unknown = sorted(set(params) - declared)
            if unknown:
                problems += [(paths.relative(nb), f"parameter {u!r}", "not declared in the notebook's "
                              f"parameters cell; allowed: {', '.join(sorted(declared))}") for u in unknown]
            jobs.append(Job(name, nb.stem, params))
    if problems:
        raise InputError(problems)
    return jobs


def _execute(job: Job, run_dir: Path, timeout: int, show_code: bool) -> Job:
    """Run one notebook (in a worker process) and publish its HTML; never raises."""
    start = time.perf_counter()
    out_dir = run_dir / job.scenario / job.notebook
    out_dir.mkdir(parents=True, exist_ok=True)
    executed = out_dir / f"{job.notebook}.ipynb"
    params = dict(job.parameters, output_dir=str(out_dir))
    for attempt in range(1, KERNEL_START_RETRIES + 1):
        try:
            papermill.execute_notebook(
                str(paths.NOTEBOOKS / f"{job.notebook}.ipynb"), str(executed), parameters=params,
                kernel_name=KERNEL, cwd=str(paths.NOTEBOOKS), progress_bar=False, log_output=False,
                execution_timeout=timeout)
            job.status = "ok"
            break
        except papermill.PapermillExecutionError as e:
            job.status = "failed"
            job.error = {"cell": e.exec_count, "cell_index": e.cell_index, "error": e.ename, "message": e.evalue}
            break
        except Exception as e:  # kernel start failures are retried (papermill issues #239, #511)
            job.status = "failed"
            job.error = {"cell": None, "error": type(e).__name__, "message": str(e)[:2000],
                         "attempts": attempt}
            if "Kernel" not in str(e) and "Address already in use" not in str(e):
                break
            time.sleep(attempt)
    try:
        if executed.exists():
            title = f"{job.scenario} · {job.notebook}"
            report.write_atomic(out_dir / f"{job.notebook}.html",
                                report.notebook_to_html(executed, title, show_code))
    except Exception:
        job.status = "failed"
        job.error = job.error or {"cell": None, "error": "ReportError", "message": traceback.format_exc()[-2000:]}
    job.seconds = round(time.perf_counter() - start, 2)
    return job


def _git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=paths.ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _versions() -> dict:
    from importlib.metadata import version

    pkgs = ["altair", "nbconvert", "numpy", "pandas", "papermill", "pydantic", "scipy", "statsmodels"]
    return {"python": platform.python_version(), "econ": __version__, **{p: version(p) for p in pkgs}}


def _point_latest(run_dir: Path) -> None:
    """Switch outputs/latest to ``run_dir`` atomically (a new symlink renamed over the old)."""
    latest = paths.OUTPUTS / "latest"
    tmp = paths.OUTPUTS / f".latest.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(Path("runs") / run_dir.name)
    os.replace(tmp, latest)


def run(scenarios: list[str] | None = None, workers: int | None = None, timeout: int = 600,
        show_code: bool = False, overrides: dict | None = None) -> int:
    """Run, publish and index; 0 when every notebook succeeded, 1 when any failed."""
    jobs = plan(scenarios, overrides)
    run_id = dt.datetime.now().strftime("%Y%m%d-%H%M%S") + f"-{os.getpid()}"
    final = paths.OUTPUTS / "runs" / run_id
    partial = final.with_name(f".{run_id}.partial")
    partial.mkdir(parents=True)
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    started = time.perf_counter()
    done: list[Job] = []
    with ProcessPoolExecutor(max_workers=workers) as pool, \
            tqdm(total=len(jobs), desc="scenario × notebook", unit="nb") as bar:
        futures = [pool.submit(_execute, job, partial, timeout, show_code) for job in jobs]
        for fut in as_completed(futures):
            job = fut.result()
            done.append(job)
            bar.set_postfix_str(f"{job.scenario}/{job.notebook}: {job.status}")
            bar.update()
    done.sort(key=lambda j: (j.scenario, j.notebook))
    manifest = {
        "run_id": run_id, "created": dt.datetime.now().isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 2), "workers": workers,
        "git_commit": _git_commit(), "versions": _versions(),
        "data_sha256": {p.name: data.sha256(p) for p in sorted(paths.DATA.glob("*.csv"))},
        "jobs": [asdict(j) for j in done],
    }
    report.write_atomic(partial / "manifest.json", json.dumps(manifest, indent=2, default=str) + "\n")
    report.write_atomic(partial / "index.html", report.index_html(partial, done))
    os.replace(partial, final)
    _point_latest(final)
    failed = [j for j in done if j.status != "ok"]
    print(f"Report: {paths.relative(final / 'index.html')}  ({len(done) - len(failed)} ok, {len(failed)} failed)")
    return 1 if failed else 0
