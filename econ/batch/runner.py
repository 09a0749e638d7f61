"""The ``econ run`` entry: validate, run, publish and index, then point outputs/latest at the run."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from tqdm import tqdm

from econ import files, paths, report, results, store
from econ.batch import checksums, cluster, pool, runs, warm
from econ.batch.job import DEFAULT_TIMEOUT, Job
from econ.batch.planning import Plan, plan
from econ.batch.provenance import digest, git_commit, sha256
from econ.errors import InputError
from econ.model import figure_cache
from econ.notebook import RUN_WIDE
from econ.report import comparison

ENGINES = ("warm", "papermill")


@dataclass
class RunResult:
    run_id: str
    run_dir: Path
    jobs: list[Job]
    exit_code: int


def _manifest(run_id: str, work: Plan, jobs: list[Job], summary: dict, options: dict, created: str,
              seconds: float) -> dict:
    return {
        "run_id": run_id, "status": "complete", "created": created,
        "finished": dt.datetime.now().isoformat(timespec="seconds"), "seconds": round(seconds, 2),
        "summary": summary, "options": options,
        "git": git_commit(), "versions": work.context["versions"],
        "lock_sha256": work.context["lock_sha256"], "platform": platform.platform(),
        "data_sha256": work.context["data"],
        "notebooks": {p.stem: {"path": paths.relative(p), "sha256": sha256(p.read_bytes())} for p in work.notebooks},
        "scenarios": {name: {"title": s.title, "description": s.description, "inherits": s.inherits,
                             "seed": s.seed, "files": list(s.files),
                             "parameters": s.parameters.model_dump(mode="json")} for name, s in work.scenarios.items()},
        "jobs": [j.record() for j in jobs],
    }


def _stamp(executed: list[Job], run_dir: Path, run_id: str, context: dict) -> None:
    """Each results.json this run computed names the run and the environment it was computed in, so a
    copy taken out of the run keeps its provenance (a reused one keeps the run that computed it)."""
    stamp = {"run_id": run_id, "econ": context["versions"].get("econ"), "lock_sha256": context["lock_sha256"],
             "versions_sha256": digest(context["versions"])}
    for job, payload in results.job_results(run_dir, executed):
        files.write_atomic(run_dir / job.folder / "results.json",
                           json.dumps({**payload, "provenance": stamp}, indent=2) + "\n")


def _execute(todo: list[Job], run_dir: Path, options: dict, workers: int, client, bar: tqdm,
             flavour: warm.Flavour | None) -> list[Job]:
    """Run ``todo`` in local worker processes, or on the Dask cluster of ``client``; the finished jobs."""
    done: list[Job] = []

    def finished(job: Job) -> None:
        done.append(job)
        if job.status != "ok":
            bar.write(f"FAILED {job.folder}: {job.error.get('name')}: {str(job.error.get('message'))[:200]}")
        bar.set_postfix_str(f"{job.folder}: {job.status}", refresh=False)
        bar.update()

    if not todo:
        return done
    if client is not None:
        cluster.run_jobs(todo, run_dir, options, client, finished)
        return done
    engine = "warm" if flavour and any(j.engine == "warm" for j in todo) else "papermill"
    # the Vega bundle is built here (and cached on disk) if it must be: vl-convert starts threads,
    # and a warm template must have none when it forks
    report.vega_bundle()
    config = {"engine": engine, "threads": options.get("threads"), "show_code": options["show_code"],
              "kernel_module": flavour.module if engine == "warm" else None,
              "extensions": [flavour.extension] if engine == "warm" and flavour.extension else [],
              "preload": warm.notebook_imports(sorted({Path(j.notebook_path) for j in todo})) if engine == "warm"
              else []}
    # the notebooks share the figures their comparisons compute (econ.model.figure_cache), in a folder of
    # this run that goes when the workers have finished
    cache = run_dir / figure_cache.FOLDER
    before = os.environ.get(figure_cache.VARIABLE)
    os.environ[figure_cache.VARIABLE] = str(cache)
    try:
        pool.run_jobs(todo, run_dir, options, workers, config, finished)
    finally:
        if before is None:
            os.environ.pop(figure_cache.VARIABLE, None)
        else:
            os.environ[figure_cache.VARIABLE] = before
        shutil.rmtree(cache, ignore_errors=True)
    return done


def default_engine(executor: str) -> str:
    """The warm engine where it can run (local processes, a system with fork), papermill elsewhere."""
    return "warm" if executor == "processes" and sys.platform.startswith("linux") else "papermill"


def _assign_engine(work: Plan, engine: str, kernel: str | None) -> tuple[warm.Flavour | None, list[str]]:
    """Set each job's engine; returns the kernel the warm workers stand in for and notes for the
    notebooks that run under papermill instead.

    A warm worker stands in for one kind of kernel: the notebooks' (the most common one among them
    when they differ); a notebook naming another, or one the warm engine does not know, runs under
    papermill."""
    if engine != "warm":
        return None, []
    kernels = {nb: kernel or nbformat.read(nb, as_version=4).metadata.get("kernelspec", {}).get("name", "python3")
               for nb in work.notebooks}
    found = {name: warm.kernel_flavour(name) for name in set(kernels.values())}
    usable = [name for name in kernels.values() if found[name][1] is None]
    chosen = max(sorted(set(usable)), key=usable.count) if usable else None
    notes = []
    for nb, name in kernels.items():
        problem = found[name][1]
        if name != chosen:
            problem = problem or f"the warm workers stand in for kernel {chosen!r}, this notebook names {name!r}"
            notes.append(f"{nb.stem}: {problem}; it runs under --engine papermill")
        for job in work.jobs:
            if job.notebook_path == str(nb):
                job.engine = "warm" if name == chosen else "papermill"
    return (found[chosen][0] if chosen else None), notes


def _check_options(workers, timeout: int, executor: str, scheduler: str | None, engine: str) -> None:
    problems = []
    if engine not in ENGINES:
        problems.append(("command line", "--engine", f"{engine!r}: use {' or '.join(ENGINES)}"))
    elif engine == "warm" and executor != "processes":
        problems.append(("command line", "--engine", "the warm engine runs on local worker processes; "
                         "the Dask executor uses --engine papermill"))
    elif engine == "warm" and not hasattr(os, "fork"):
        problems.append(("command line", "--engine", "the warm engine needs fork(); use --engine papermill"))
    if executor not in ("processes", "dask"):
        problems.append(("command line", "--executor", f"{executor!r}: use processes or dask"))
    if executor == "dask" and not scheduler:
        problems.append(("command line", "--scheduler", "--executor dask needs --scheduler tcp://HOST:PORT"))
    if not isinstance(timeout, int) or isinstance(timeout, bool) or timeout <= 0:
        problems.append(("command line", "--timeout", f"{timeout!r}: give whole seconds > 0"))
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
        problems.append(("command line", "--workers", f"{workers!r}: give at least 1 worker process"))
    if problems:
        raise InputError(problems)


def _same_folder(given: Path | None, shipped: Path) -> bool:
    """Whether ``given`` (None: the default) is the project's own folder ``shipped``."""
    if given is None:
        return True
    try:
        return Path(given).resolve() == Path(shipped).resolve()
    except OSError:
        return False


def _record_files(run_dir: Path, jobs: list[Job], manifest: dict) -> None:
    """Each finished job's record gets the hashes of its folder's files as published (after the report's
    navigation and results.json's stamp), what a later ``--resume`` checks before it reuses them."""
    for job in jobs:
        if job.status == "ok":
            job.files_sha256 = checksums.of_folder(run_dir / job.folder)
            files.write_atomic(run_dir / job.folder / "job.json", job.record_json())
    manifest["jobs"] = [j.record() for j in jobs]


def _publish(outputs: Path, partial: Path, run_id: str, jobs: list[Job], work: Plan, manifest: dict) -> Path:
    """Write the index and the manifest, rename the run into place, move latest if it should move.

    A run that cannot be written in full stays ``runs/.RUN_ID.partial`` and RunNotPublished is
    raised: earlier runs and outputs/latest are as they were.
    """
    final = outputs / "runs" / run_id
    try:
        comparison.publish(partial, run_id, jobs, work.scenarios, manifest)
        _record_files(partial, jobs, manifest)
        files.write_atomic(partial / "manifest.json", json.dumps(manifest, indent=2, default=str) + "\n")
        runs.publish(partial, final)
    except OSError as e:
        raise runs.RunNotPublished(
            f"{paths.relative(partial)}: the run's index and manifest could not be written ({runs.os_reason(e)}: {e}). "
            "Nothing was published: earlier runs and outputs/latest are as they were. Its finished notebooks are "
            f"kept there; once the problem is fixed, `econ run --resume {run_id}` reuses them.", partial) from None
    if manifest["latest"]["moved"]:
        try:
            runs.point_latest(outputs, final)
        except OSError as e:
            raise runs.RunNotPublished(
                f"run {run_id} is published in {paths.relative(final)}, but outputs/latest could not be moved to it "
                f"({runs.os_reason(e)}: {e}); it still points to {manifest['latest']['previous']}.") from None
    return final


def run(scenarios: list[str] | None = None, *, overrides: dict | None = None, workers: int | None = None,
        timeout: int = DEFAULT_TIMEOUT, show_code: bool = False, resume: str | None = None,
        executor: str = "processes", scheduler: str | None = None, outputs: Path | None = None,
        scenario_dir: Path | None = None, notebook_dir: Path | None = None, only: list[str] | None = None,
        kernel: str | None = None, progress: bool = True, latest_even_if_failed: bool = False,
        engine: str | None = None, site: bool = True, latest: bool = False,
        worker_timeout: float = cluster.WORKER_TIMEOUT, keep_latest: bool = False) -> RunResult:
    """Validate, run, publish and index; point outputs/latest at the new run if every notebook succeeded.

    Returns the run's folder, its jobs and the exit code: 0 when every notebook succeeded, 1 when
    any failed (the run is published and indexed, but outputs/latest moves to it only with
    ``latest_even_if_failed``). Raises InputError (exit code 2) before any kernel starts when the
    input or the outputs folder is bad, and runs.RunNotPublished (exit code 3) when the finished
    run could not be written in full (nothing published is changed then). ``site`` (the default): the
    pages load the Vega bundle and the notebook stylesheet from one ``vega-bundle.js`` and one
    ``notebook.css`` beside them, so a run is light enough to send; ``site=False`` makes every page a
    single self-contained file (``econ run --single-file``).

    ``engine`` is how each notebook runs: ``warm`` (default for local processes: a fresh fork of a
    pre-imported process per notebook, :mod:`econ.batch.warm`) or ``papermill`` (a kernel started
    per notebook; what the Dask executor uses). Both give the same results and input hashes.
    ``keep_latest``: never move outputs/latest (the runs of a parameter grid, :mod:`econ.grid`).
    ``worker_timeout``: seconds a Dask run waits with no live worker before it fails the jobs still
    waiting (the finished ones are kept for ``--resume``).
    """
    engine = engine or default_engine(executor)
    _check_options(workers, timeout, executor, scheduler, engine)
    outputs = Path(outputs or paths.OUTPUTS).resolve()
    work = plan(scenarios, overrides, scenario_dir=scenario_dir, notebook_dir=notebook_dir, only=only,
                show_code=show_code)
    runs.check_outputs(outputs, len(work.jobs), max((len(os.fsencode(j.folder)) * 2 for j in work.jobs), default=0))
    old_run = runs.find_run(outputs, resume) if resume else None
    client = cluster.dask_client(scheduler, [str(outputs / "runs"), *sorted({j.notebook_path for j in work.jobs})],
                                 worker_timeout) if executor == "dask" else None
    flavour, engine_notes = _assign_engine(work, engine, kernel)
    notes = work.notes + engine_notes
    run_id, partial = runs.new_run(outputs)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)

    jobs = work.jobs
    previous = runs.previous_jobs(old_run) if old_run else {}
    reused = [job for job in jobs if previous and runs.reuse(job, previous, old_run, partial)]
    reused_ids = {id(job) for job in reused}
    todo = [job for job in jobs if id(job) not in reused_ids]
    cpus = os.cpu_count() or 1
    workers = max(1, min(workers or cpus, len(todo) or 1))
    options = {"timeout": timeout, "show_code": show_code, "kernel": kernel, "site": site,
               "worker_timeout": worker_timeout,
               "threads": max(1, cpus // workers) if executor == "processes" else None}
    where = (f"on {workers} worker{'s' if workers > 1 else ''} ({engine} engine)" if executor == "processes"
             else f"on the Dask cluster at {scheduler}")
    wide = sum(1 for nb in work.notebooks if nb.stem in RUN_WIDE)
    shape = f"{len(work.scenarios)} scenarios × {len(work.notebooks) - wide} notebooks"
    shape += f" + {wide} run-wide" if wide else ""
    print(f"Run {run_id}: {len(jobs)} notebook runs ({shape}), {len(reused)} reused"
          + (f" from {old_run.name}" if old_run else "") + f", {where}",
          file=sys.stderr)
    started = time.perf_counter()
    created = dt.datetime.now().isoformat(timespec="seconds")
    try:
        with tqdm(total=len(jobs), initial=len(reused), desc="scenario × notebook", unit="nb",
                  disable=not progress, file=sys.stderr) as bar:
            executed = _execute(todo, partial, options, workers, client, bar, flavour)
    except KeyboardInterrupt:
        print(f"\nInterrupted. The finished notebooks are kept in {paths.relative(partial)}; "
              f"continue with: econ run --resume {run_id}", file=sys.stderr)
        raise
    finally:
        if client is not None:
            client.close()
    _stamp(executed, partial, run_id, work.context)
    by_key = {(j.scenario, j.notebook): j for j in executed}
    jobs = [by_key.get((j.scenario, j.notebook), j) for j in jobs]
    failed = [j for j in jobs if j.status != "ok"]
    summary = {"notebook_runs": len(jobs), "ok": len(jobs) - len(failed), "failed": len(failed),
               "reused": len(reused), "executed": len(todo)}
    run_options = {"executor": executor, "engine": engine, "scheduler": scheduler,
                   "workers": workers if executor == "processes" else None, "timeout": timeout,
                   "show_code": show_code, "site": site, "resumed_from": old_run.name if old_run else None,
                   "latest_even_if_failed": latest_even_if_failed, "overrides": overrides or {}}
    manifest = _manifest(run_id, work, jobs, summary, run_options, created, time.perf_counter() - started)
    from econ.scenario import scenario_names

    ran = {j.scenario for j in jobs if j.scenario != paths.RUN_WIDE_FOLDER}
    # a full run: every shipped scenario through every shipped notebook (a folder of other scenarios or
    # notebooks, however complete, is not the workbook's run and never moves latest unless asked)
    shipped = _same_folder(scenario_dir, paths.SCENARIOS) and _same_folder(notebook_dir, paths.NOTEBOOKS)
    full = shipped and not only and ran == set(scenario_names(paths.SCENARIOS))
    manifest["latest"] = runs.latest_decision(outputs, jobs, latest_even_if_failed, full, latest) if not keep_latest \
        else {"moved": False, "previous": runs.latest_run(outputs),
              "reason": "a run of a parameter grid (econ run --grid) leaves outputs/latest where it was"}
    final = _publish(outputs, partial, run_id, jobs, work, manifest)
    try:  # the store is an index of the run folders: a failure here loses nothing (econ runs rebuilds it)
        store.append(final, outputs)
    except Exception as e:  # noqa: BLE001
        print(f"note: the run is published, but the results store could not be updated ({e}); `econ runs` "
              "rebuilds it from the run folders", file=sys.stderr)
    for job in (j for j in jobs if j.inputs_changed):
        print(f"note: {', '.join(job.inputs_changed)} changed while {job.folder} ran: its result is kept as "
              "computed, but no --resume will reuse it", file=sys.stderr)
    stale = runs.stale_partials(outputs)
    if stale:
        print(f"note: {len(stale)} interrupted run(s) in {paths.relative(outputs / 'runs')} ({', '.join(stale[:3])}"
              f"{', ...' if len(stale) > 3 else ''}): resume with --resume RUN_ID, or delete them", file=sys.stderr)
    if not manifest["latest"]["moved"]:
        print(f"note: outputs/latest was not moved to this run ({manifest['latest']['reason']}); it still points to "
              f"{manifest['latest']['previous'] or 'no run'}", file=sys.stderr)
    print(f"Report: {final / 'index.html'}  ({len(jobs) - len(failed)} ok, {len(failed)} failed, "
          f"{len(reused)} reused; {manifest['seconds']:.0f} s)")
    return RunResult(run_id, final, jobs, 1 if failed else 0)
