"""Running every scenario through every notebook with papermill: validated first, then executed in
parallel worker processes (or on a Dask cluster), published as offline HTML and indexed.

Layout of a run::

    outputs/runs/RUN_ID/index.html              scenario comparison (links to every report)
    outputs/runs/RUN_ID/manifest.json           parameters, input hashes, data hashes, versions,
                                                git commit, timings and status of every notebook
    outputs/runs/RUN_ID/metrics.csv             every results.json metric, tidy
    outputs/runs/RUN_ID/SCENARIO/NOTEBOOK/      NOTEBOOK.ipynb (executed), NOTEBOOK.html (report),
                                                results.json, job.json (this job's record)
    outputs/latest -> runs/RUN_ID               the newest complete run

Safety. Nothing reaches a kernel before :func:`plan` has validated every scenario and every
parameter name and value against the parameters cell of the notebook it is injected into
(papermill writes parameters into the notebook as code, so an unknown name is refused, never
injected). A run is written under ``runs/.RUN_ID.partial`` and renamed when complete, after its
manifest; ``latest`` is switched atomically after that. An interrupted run (even ``kill -9``) so
never looks complete and never replaces the previous one; ``--resume RUN_ID`` picks it up.

Resuming. Each job has an input hash: the notebook's bytes, the injected parameters, the
resolved scenario and the contents of its files, the hash of every data file, the econ package
(version and source) and the versions of the packages that compute or publish results. A resumed
run gets a new RUN_ID; jobs whose hash matches a successful job of the old run are hard-linked
(or copied) from it, and the rest run. The old run is left as it was.
"""

from __future__ import annotations

import ast
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import nbformat
import papermill
from tqdm import tqdm

from econ import __version__, comparison, data, paths, report
from econ.errors import InputError
from econ.notebook import NOTEBOOK_STAGES, notebook_parameters
from econ.scenario import PARAMETER_NAMES, SAFE_NAME, SAFE_NAME_RULE, Scenario, load_scenario, scenario_names

#: Seconds one notebook may take, kernel start included (``--timeout``).
DEFAULT_TIMEOUT = 1800
#: Seconds a kernel may take to start; a start that fails or times out is retried.
KERNEL_START_TIMEOUT = 60
KERNEL_START_RETRIES = 3
#: Arguments every notebook must declare; ``econ run`` sets them, a user may not.
SET_BY_RUN = ("scenario", "output_dir")
#: Packages whose version is part of each job's input hash and of the manifest.
VERSIONED = ("altair", "ipykernel", "nbclient", "nbconvert", "numpy", "pandas", "pandera", "papermill",
             "pydantic", "scipy", "statsmodels", "vl-convert-python")
#: Thread pools of numerical libraries: one kernel per core, so each kernel gets its share.
_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
_NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
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
    status: str = "pending"  # ok | failed
    reused_from: str | None = None
    attempts: int = 0
    started: str = ""
    seconds: float = 0.0  # wall time, kernel start and HTML publishing included
    cells_seconds: float = 0.0  # time spent executing the notebook's cells
    publish_seconds: float = 0.0  # time spent writing the HTML report
    error: dict = field(default_factory=dict)

    @property
    def folder(self) -> str:
        return f"{self.scenario}/{self.notebook}"

    @property
    def report(self) -> str:
        return f"{self.folder}/{self.notebook}.html"


@dataclass
class Plan:
    """Validated work: the jobs, the scenarios they use, and notes for the user."""

    jobs: list[Job]
    scenarios: dict[str, Scenario]
    notebooks: list[Path]
    notes: list[str] = field(default_factory=list)


@dataclass
class RunResult:
    run_id: str
    run_dir: Path
    jobs: list[Job]
    exit_code: int


# --- finding and validating the work ----------------------------------------------------------

def notebooks(directory: Path | None = None) -> list[Path]:
    """The notebooks a run executes: ``NN_*.ipynb`` in ``directory`` (default notebooks/), in order."""
    return sorted((directory or paths.NOTEBOOKS).glob(_NOTEBOOK_GLOB))


def _literal_problem(value, where: str) -> str | None:
    """Why ``value`` cannot be injected as a plain literal (None when it can)."""
    if value is None or isinstance(value, bool | int | str):
        return None
    if isinstance(value, float):
        return None if value == value and abs(value) != float("inf") else f"{where}: {value} is not a finite number"
    if isinstance(value, list):
        return next((p for v in value if (p := _literal_problem(v, where))), None)
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            return f"{where}: mapping keys must be text"
        return next((p for v in value.values() if (p := _literal_problem(v, where))), None)
    return f"{where}: {type(value).__name__} values cannot be injected; use numbers, text, lists or mappings"


def _plain(value):
    """YAML dates as ISO text (papermill would otherwise write ``str(value)`` into the notebook as code)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


_TYPE_CHECKS = {
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number"),
    "float": (lambda v: isinstance(v, int | float) and not isinstance(v, bool), "a number"),
    "str": (lambda v: isinstance(v, str), "text"),
    "bool": (lambda v: isinstance(v, bool), "true or false"),
    "list": (lambda v: isinstance(v, list), "a list"),
    "dict": (lambda v: isinstance(v, dict), "a mapping"),
}


def injected_code(parameters: dict, declared: Iterable[str], kernel: str = "python3", language: str = "python") -> str:
    """The code papermill will write into the notebook for ``parameters``, checked to be nothing but
    ``NAME = LITERAL`` lines, one per declared name; InputError otherwise."""
    from papermill.translators import translate_parameters

    allowed = set(declared)
    bad = [n for n in parameters if not (isinstance(n, str) and n.isidentifier() and n in allowed)]
    if bad:
        raise InputError([("parameters", repr(n), "not a declared parameter name") for n in bad])
    code = translate_parameters(kernel, language, parameters, "Parameters")
    tree = ast.parse(code)
    seen = {}
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            raise InputError.single("parameters", ast.unparse(node)[:80], "is not a plain assignment")
        seen[node.targets[0].id] = ast.literal_eval(node.value)
    if seen != {k: v for k, v in parameters.items()}:
        raise InputError.single("parameters", ", ".join(parameters), "do not round-trip through papermill's translation")
    return code


def plan(scenarios: list[str] | None = None, overrides: dict | None = None, *, scenario_dir: Path | None = None,
         notebook_dir: Path | None = None, only: list[str] | None = None, show_code: bool = False) -> Plan:
    """Validate every scenario and every parameter to be injected, before any kernel starts.

    Parameters
    ----------
    scenarios : list of str, optional
        Scenario names (files NAME.yaml in ``scenario_dir``); default all of them.
    overrides : dict, optional
        Parameter values for every scenario (``econ run -p NAME VALUE``). A scenario parameter is
        validated like a scenario file; any other name must be declared in a notebook's parameters
        cell, with a value of the declared type. Each is injected only into the notebooks that
        declare it; a name no notebook declares is an error.
    scenario_dir, notebook_dir : Path, optional
        Where scenarios and notebooks are (default data/scenarios/ and notebooks/).
    only : list of str, optional
        Notebook stems to run (default every ``NN_*.ipynb``).

    Raises
    ------
    InputError
        Naming the file and field of every problem; nothing has run.
    """
    scenario_dir = Path(scenario_dir or paths.SCENARIOS).resolve()
    notebook_dir = Path(notebook_dir or paths.NOTEBOOKS).resolve()
    shipped_scenarios = scenario_dir == paths.SCENARIOS.resolve()
    shipped_notebooks = notebook_dir == paths.NOTEBOOKS.resolve()
    overrides = {k: _plain(v) for k, v in (overrides or {}).items()}
    problems: list[tuple[str, str, str]] = []
    notes: list[str] = []

    for name, value in overrides.items():
        if name in SET_BY_RUN:
            problems.append(("command line", f"parameter {name!r}", "is set by `econ run` for each job"))
        if (why := _literal_problem(value, f"parameter {name!r}")) is not None:
            problems.append(("command line", f"parameter {name!r}", why))
    scenario_overrides = {k: v for k, v in overrides.items() if k in PARAMETER_NAMES}
    # reports never rest on data whose provenance is not recorded (cheap: the hashes are needed anyway)
    problems += data.check_manifest()

    names = list(scenarios or scenario_names(scenario_dir))
    if not names:
        problems.append((paths.relative(scenario_dir), "", "no scenario files (*.yaml)"))
    loaded: dict[str, Scenario] = {}
    for name in dict.fromkeys(names):
        if not isinstance(name, str) or not SAFE_NAME.match(name):
            problems.append(("command line", "scenario", f"{name!r} is not a scenario name: {SAFE_NAME_RULE}"))
            continue
        path = scenario_dir / f"{name}.yaml"
        if not path.exists():
            problems.append((paths.relative(path), "", f"no scenario named {name!r}; have: "
                             f"{', '.join(scenario_names(scenario_dir)) or '(none)'}"))
            continue
        try:
            loaded[name] = load_scenario(path, overrides=scenario_overrides)
        except InputError as e:
            problems += e.problems

    found = notebooks(notebook_dir)
    if only:
        stems = {p.stem: p for p in found}
        problems += [("command line", "--notebook", f"no notebook {s!r} in {paths.relative(notebook_dir)}; have: "
                      f"{', '.join(stems) or '(none)'}") for s in only if s not in stems]
        found = [stems[s] for s in dict.fromkeys(only) if s in stems]
    if not found:
        problems.append((paths.relative(notebook_dir), "", f"no notebooks ({_NOTEBOOK_GLOB})"))

    declared: dict[Path, dict] = {}
    for nb in found:
        file = paths.relative(nb)
        if not SAFE_NAME.match(nb.stem):
            problems.append((file, "file name", f"not a safe notebook name: {SAFE_NAME_RULE}"))
            continue
        try:
            declared[nb] = papermill.inspect_notebook(str(nb))
        except Exception as e:  # unreadable JSON, no kernelspec, ...: named, never run
            problems.append((file, "", f"cannot read its parameters: {type(e).__name__}: {e}"))
            continue
        missing = [a for a in SET_BY_RUN if a not in declared[nb]]
        if missing:
            problems.append((file, "parameters cell", f"must declare {', '.join(missing)} (econ run sets them)"))
        if shipped_notebooks and nb.stem in NOTEBOOK_STAGES:
            expected = set(notebook_parameters(nb.stem))
            if set(declared[nb]) != expected:
                problems.append((file, "parameters cell", "does not match the declarations (missing: "
                                 f"{sorted(expected - set(declared[nb]))}, extra: {sorted(set(declared[nb]) - expected)}); "
                                 "run `python -m econ.notebook`"))

    for name, value in overrides.items():
        takers = [nb for nb, d in declared.items() if name in d]
        if not takers:
            problems += [(paths.relative(nb), f"parameter {name!r}", "not declared in the notebook's parameters "
                          f"cell; allowed: {', '.join(sorted(set(d) - set(SET_BY_RUN)))}")
                         for nb, d in declared.items()]
            continue
        skipped = [nb.stem for nb in declared if nb not in takers]
        if skipped:
            notes.append(f"parameter {name!r} is not read by {', '.join(skipped)}: not injected there")
        if name in PARAMETER_NAMES:
            continue  # validated with each scenario above
        for nb in takers:
            kind = declared[nb][name].get("inferred_type_name", "None")
            check, wanted = _TYPE_CHECKS.get(kind, (lambda v: True, ""))
            if not check(value):
                problems.append((paths.relative(nb), f"parameter {name!r}", f"{value!r} is not {wanted} "
                                 f"(declared `{name}: {kind}`)"))
            elif name == "draws" and not 1 <= value <= 10_000_000:
                problems.append((paths.relative(nb), "parameter 'draws'", f"{value} outside [1, 10000000]"))

    if problems:
        raise InputError(problems)

    context = _hash_context()
    jobs = []
    for nb in found:
        nb_bytes = nb.read_bytes()
        kernel = nbformat.reads(nb_bytes.decode("utf-8"), as_version=4).metadata.get("kernelspec", {})
        for name, scn in loaded.items():
            params = {"scenario": name if shipped_scenarios else str(scenario_dir / f"{name}.yaml"),
                      **{k: v for k, v in overrides.items() if k in declared[nb]}}
            try:
                injected_code({**params, "output_dir": "."}, declared[nb], kernel.get("name", "python3"),
                              kernel.get("language", "python"))
            except InputError as e:
                raise InputError([(paths.relative(nb), f, m) for _, f, m in e.problems]) from None
            job = Job(name, nb.stem, str(nb), params, title=scn.title)
            job.input_hash = _input_hash(nb_bytes, params, scn, context, show_code)
            jobs.append(job)
    return Plan(jobs, loaded, found, notes)


# --- input hashes ------------------------------------------------------------------------------

def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _tree_digest(root: Path, patterns: Iterable[str]) -> dict[str, str]:
    files = sorted({p for pattern in patterns for p in root.glob(pattern) if p.is_file()})
    return {str(p.relative_to(root)): _sha256(p.read_bytes()) for p in files}


def data_digest() -> dict[str, str]:
    """SHA-256 of every file in data/ (datasets, sources, manifest); scenarios are hashed per job."""
    return _tree_digest(paths.DATA, ["*.csv", "*.yaml", "*.yml", "*.json"])


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version(), "econ": __version__}
    for name in VERSIONED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def _hash_context() -> dict:
    package = Path(__file__).resolve().parent
    return {"data": data_digest(), "versions": versions(),
            # the package's own source: a model change without a version bump still reruns
            "econ_source": _sha256(json.dumps(_tree_digest(package, ["**/*.py", "templates/**/*"]),
                                              sort_keys=True).encode())}


def _scenario_digest(scn: Scenario) -> dict:
    files = {}
    for f in scn.files:
        path = Path(f) if Path(f).is_absolute() else paths.ROOT / f
        files[f] = _sha256(path.read_bytes()) if path.exists() else "missing"
    return {"files": files, "resolved": scn.model_dump(mode="json", exclude={"files", "set_in"})}


def _input_hash(nb_bytes: bytes, params: dict, scn: Scenario, context: dict, show_code: bool) -> str:
    payload = {"notebook": _sha256(nb_bytes), "parameters": params, "scenario": _scenario_digest(scn),
               "show_code": show_code, **context}
    return _sha256(json.dumps(payload, sort_keys=True, default=str).encode())


# --- executing one job (in a worker process or on a Dask worker; never raises) ------------------

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
    except Exception:
        return
    cell = nbformat.v4.new_markdown_cell(f'<span style="color:#b00020; font-size:1.5em">{message}</span>')
    cell.metadata["tags"] = ["papermill-error-cell-tag"]
    nb.cells.insert(0, cell)
    nbformat.write(nb, executed)


def _cells_seconds(executed: Path) -> float:
    try:
        nb = nbformat.read(executed, as_version=4)
    except Exception:
        return 0.0
    return round(sum((c.metadata.get("papermill", {}).get("duration") or 0) for c in nb.cells), 3)


def execute(job: Job, run_dir: str, options: dict) -> Job:
    """Run one notebook and publish its HTML report and job record; never raises.

    The kernel's working directory is the job's folder and ``output_dir`` is ``"."``, so the
    executed notebook names no absolute path and a job's folder can be reused by a later run.
    """
    start = time.perf_counter()
    job.started = dt.datetime.now().isoformat(timespec="seconds")
    out_dir = Path(run_dir) / job.scenario / job.notebook
    out_dir.mkdir(parents=True, exist_ok=True)
    executed = out_dir / f"{job.notebook}.ipynb"
    if options.get("threads"):
        for var in _THREAD_VARS:
            os.environ.setdefault(var, str(options["threads"]))
    deadline = time.monotonic() + options["timeout"]
    kwargs = dict(parameters=dict(job.parameters, output_dir="."), progress_bar=False, log_output=False,
                  start_timeout=KERNEL_START_TIMEOUT, request_save_on_cell_execute=True,
                  # a per-notebook deadline: each cell gets what is left of it
                  timeout_func=lambda cell: max(1, int(deadline - time.monotonic())),
                  # the kernel's working directory, set without papermill's process-wide chdir (#473)
                  resources={"metadata": {"path": str(out_dir)}})
    if options.get("kernel"):
        kwargs["kernel_name"] = options["kernel"]
    job.status, job.error = "failed", {}
    for attempt in range(1, KERNEL_START_RETRIES + 1):
        job.attempts = attempt
        try:
            papermill.execute_notebook(job.notebook_path, str(executed), **kwargs)
            job.status = "ok"
            break
        except papermill.PapermillExecutionError as e:
            job.error = {"cell": _source_cell(executed, e.cell_index), "execution_count": e.exec_count,
                         "name": e.ename, "message": _ANSI.sub("", str(e.evalue))[:2000]}
            break
        except Exception as e:
            job.error = {"cell": None, "name": type(e).__name__, "message": _ANSI.sub("", str(e))[:2000]}
            if isinstance(e, TimeoutError) or type(e).__name__ == "CellTimeoutError":
                job.error["name"] = "Timeout"
                job.error["message"] = f"the notebook did not finish within {options['timeout']} s"
            if _kernel_start_failure(e) and attempt < KERNEL_START_RETRIES and time.monotonic() < deadline:
                time.sleep(attempt)
                continue
            if executed.exists():
                _mark_failure(executed, f"This notebook failed: {job.error['name']}: {job.error['message'][:300]}")
            break
    job.cells_seconds = _cells_seconds(executed)
    published = time.perf_counter()
    try:
        # the report; the notebook's stderr goes to the run's logs, never onto the page
        report.publish_notebook(job, executed, out_dir, Path(run_dir), options)
    except Exception:
        job.status = "failed"
        job.error = job.error or {"cell": None, "name": "ReportError", "message": traceback.format_exc()[-2000:]}
    job.publish_seconds = round(time.perf_counter() - published, 2)
    job.seconds = round(time.perf_counter() - start, 2)
    # written last: a job folder without job.json is incomplete and never reused
    report.write_atomic(out_dir / "job.json", json.dumps(asdict(job), indent=2, default=str) + "\n")
    return job


def _worker_init(threads: int | None, log_dir: str | None) -> None:
    """Worker processes: die with the parent (so ``kill -9`` leaves no orphans computing), leave
    Ctrl-C to the parent, give each kernel its share of the cores, and send their own and their
    kernels' stray output to ``log_dir/worker-PID.log`` rather than over the progress bar."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if log_dir:
        Path(log_dir).mkdir(parents=True, exist_ok=True)
        fd = os.open(Path(log_dir) / f"worker-{os.getpid()}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except OSError:
            pass
    if threads:
        for var in _THREAD_VARS:
            os.environ.setdefault(var, str(threads))


# --- resuming ------------------------------------------------------------------------------------

def find_run(outputs: Path, run_id: str) -> Path:
    """A run's folder, complete (runs/RUN_ID) or interrupted (runs/.RUN_ID.partial); InputError if none."""
    runs = outputs / "runs"
    if run_id == "latest" and (outputs / "latest").exists():
        return (outputs / "latest").resolve()
    if SAFE_NAME.match(run_id):
        for candidate in (runs / run_id, runs / f".{run_id}.partial"):
            if candidate.is_dir():
                return candidate
    have = sorted(p.name for p in runs.iterdir()) if runs.is_dir() else []
    raise InputError.single("--resume", run_id,
                            f"no such run in {paths.relative(runs)}; have: {', '.join(have) or '(none)'}")


def _previous_jobs(run_dir: Path) -> dict[tuple[str, str], dict]:
    found = {}
    for record in run_dir.glob("*/*/job.json"):
        try:
            job = json.loads(record.read_text())
        except (OSError, ValueError):
            continue
        if job.get("status") == "ok" and job.get("input_hash"):
            found[(job["scenario"], job["notebook"])] = job
    return found


def _link_tree(source: Path, target: Path) -> None:
    def link(src, dst):
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link, dirs_exist_ok=True)


def _reuse(job: Job, previous: dict, old_run: Path, run_dir: Path) -> bool:
    old = previous.get((job.scenario, job.notebook))
    if not old or old["input_hash"] != job.input_hash:
        return False
    folder = old_run / job.folder
    if not all((folder / f).exists() for f in (f"{job.notebook}.ipynb", f"{job.notebook}.html")):
        return False
    _link_tree(folder, run_dir / job.folder)
    job.status, job.error = "ok", {}
    job.reused_from = old.get("reused_from") or old_run.name.strip(".").removesuffix(".partial")
    for key in ("started", "seconds", "cells_seconds", "publish_seconds", "attempts"):
        setattr(job, key, old.get(key, getattr(job, key)))
    # a new file replaces the link: the old run's record stays as it was
    report.write_atomic(run_dir / job.folder / "job.json", json.dumps(asdict(job), indent=2, default=str) + "\n")
    return True


# --- the run -------------------------------------------------------------------------------------

def _git_commit() -> dict:
    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=paths.ROOT, capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"commit": git("rev-parse", "HEAD").strip() or "unknown",
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no").strip())}


def _point_latest(outputs: Path, run_dir: Path) -> None:
    """Switch outputs/latest to ``run_dir`` atomically (a new symlink renamed over the old)."""
    latest = outputs / "latest"
    tmp = outputs / f".latest.{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(Path("runs") / run_dir.name)
    os.replace(tmp, latest)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _new_run_id(runs: Path) -> str:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        run_id = f"{stamp}-{os.getpid()}" + (f"-{n}" if n else "")
        if not (runs / run_id).exists() and not (runs / f".{run_id}.partial").exists():
            return run_id
    raise RuntimeError("could not choose a new run id")


def _crashed(job: Job, exc: BaseException) -> Job:
    """A job whose worker died (killed, out of memory) or whose result never came back."""
    job.status = "failed"
    job.error = {"cell": None, "name": type(exc).__name__, "message": (str(exc) or repr(exc))[:2000]}
    return job


def worker_facts(check_paths: list[str]) -> dict:
    """What a (Dask) worker has: econ's version and source hash, Python's, and which paths it cannot see."""
    return {"econ": __version__, "python": platform.python_version(),
            "missing": [p for p in check_paths if not os.path.exists(p)]}


def _dask_client(scheduler: str, check_paths: list[str]):
    """A client of the cluster at ``scheduler`` whose workers run this econ and see our files; InputError if not."""
    try:
        from distributed import Client
    except ImportError:
        raise InputError.single("command line", "--executor", "dask needs the packages dask and distributed") from None
    try:
        client = Client(scheduler, timeout="30s")
    except Exception as e:
        raise InputError.single("command line", "--scheduler", f"cannot reach {scheduler}: {e}") from None
    try:
        facts = client.run(worker_facts, check_paths)
    except Exception as e:
        client.close()
        raise InputError.single("command line", "--scheduler", f"the workers at {scheduler} cannot run econ "
                                f"({type(e).__name__}: {e}); start them in this project's environment") from None
    problems = []
    for worker, f in sorted(facts.items()):
        if f["econ"] != __version__ or f["python"].rsplit(".", 1)[0] != platform.python_version().rsplit(".", 1)[0]:
            problems.append(("--scheduler", worker, f"runs econ {f['econ']} on Python {f['python']}; this is econ "
                             f"{__version__} on Python {platform.python_version()}"))
        if f["missing"]:
            problems.append(("--scheduler", worker, f"cannot see {', '.join(f['missing'])}: workers need the same "
                             "files at the same paths (a shared filesystem)"))
    if not facts:
        problems.append(("--scheduler", scheduler, "the cluster has no workers"))
    if problems:
        client.close()
        raise InputError(problems)
    return client


def _execute_all(todo: list[Job], run_dir: Path, options: dict, workers: int, client, bar: tqdm) -> list[Job]:
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
        from distributed import as_completed as dask_completed

        futures = {client.submit(execute, job, str(run_dir), options, pure=False,
                                 key=f"econ-{run_dir.name.strip('.')}-{job.scenario}-{job.notebook}"): job
                   for job in todo}
        try:
            for fut in dask_completed(futures):
                try:
                    finished(fut.result())
                except Exception as e:  # a worker lost, a task cancelled
                    finished(_crashed(futures[fut], e))
        except KeyboardInterrupt:
            client.cancel(list(futures))
            raise
        return done

    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    # Built once here, inherited by every forked worker, rather than once per worker (~2 s each).
    report.vega_bundle()
    report.exporter(options["show_code"])
    # fork: workers inherit the imported modules; nothing but the main thread runs at this point
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else None)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init,
                               initargs=(options.get("threads"), str(run_dir / "logs")))
    try:
        futures = {pool.submit(execute, job, str(run_dir), options): job for job in todo}
        for fut in as_completed(futures):
            try:
                finished(fut.result())
            except Exception as e:  # the worker died (killed, out of memory)
                finished(_crashed(futures[fut], e))
    except KeyboardInterrupt:
        # workers ignore Ctrl-C and would finish their notebooks first: stop them now (their kernels
        # notice their parent is gone and exit)
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return done


def run(scenarios: list[str] | None = None, *, overrides: dict | None = None, workers: int | None = None,
        timeout: int = DEFAULT_TIMEOUT, show_code: bool = False, resume: str | None = None,
        executor: str = "processes", scheduler: str | None = None, outputs: Path | None = None,
        scenario_dir: Path | None = None, notebook_dir: Path | None = None, only: list[str] | None = None,
        kernel: str | None = None, progress: bool = True, site: bool = False) -> RunResult:
    """Validate, run, publish and index; point outputs/latest at the new run.

    Returns the run's folder, its jobs and the exit code: 0 when every notebook succeeded, 1 when
    any failed. Raises InputError (exit code 2) before anything runs when the input is bad.
    ``site``: the pages load the Vega bundle from one ``vega-bundle.js`` beside them (for a web
    server or a share) instead of each carrying it.
    """
    if executor not in ("processes", "dask"):
        raise InputError.single("command line", "--executor", f"{executor!r}: use processes or dask")
    if executor == "dask" and not scheduler:
        raise InputError.single("command line", "--scheduler", "--executor dask needs --scheduler tcp://HOST:PORT")
    if timeout <= 0:
        raise InputError.single("command line", "--timeout", f"{timeout}: give seconds > 0")
    outputs = Path(outputs or paths.OUTPUTS).resolve()
    work = plan(scenarios, overrides, scenario_dir=scenario_dir, notebook_dir=notebook_dir, only=only,
                show_code=show_code)
    old_run = find_run(outputs, resume) if resume else None
    runs = outputs / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    client = _dask_client(scheduler, [str(runs), *sorted({j.notebook_path for j in work.jobs})]) \
        if executor == "dask" else None
    run_id = _new_run_id(runs)
    final = runs / run_id
    partial = runs / f".{run_id}.partial"
    partial.mkdir()
    for note in work.notes:
        print(f"note: {note}", file=sys.stderr)

    jobs = work.jobs
    previous = _previous_jobs(old_run) if old_run else {}
    reused = [job for job in jobs if previous and _reuse(job, previous, old_run, partial)]
    reused_ids = {id(job) for job in reused}
    todo = [job for job in jobs if id(job) not in reused_ids]
    cpus = os.cpu_count() or 1
    workers = max(1, min(workers or cpus, len(todo) or 1))
    options = {"timeout": timeout, "show_code": show_code, "kernel": kernel, "site": site,
               "threads": max(1, cpus // workers) if executor == "processes" else None}
    where = (f"on {workers} worker{'s' if workers > 1 else ''}" if executor == "processes"
             else f"on the Dask cluster at {scheduler}")
    print(f"Run {run_id}: {len(jobs)} notebook runs ({len(work.scenarios)} scenarios × {len(work.notebooks)} "
          f"notebooks), {len(reused)} reused" + (f" from {old_run.name}" if old_run else "") + f", {where}",
          file=sys.stderr)
    started = time.perf_counter()
    created = dt.datetime.now().isoformat(timespec="seconds")
    try:
        with tqdm(total=len(jobs), initial=len(reused), desc="scenario × notebook", unit="nb",
                  disable=not progress, file=sys.stderr) as bar:
            executed = _execute_all(todo, partial, options, workers, client, bar)
    except KeyboardInterrupt:
        print(f"\nInterrupted. The finished notebooks are kept in {paths.relative(partial)}; "
              f"continue with: econ run --resume {run_id}", file=sys.stderr)
        raise
    finally:
        if client is not None:
            client.close()
    by_key = {(j.scenario, j.notebook): j for j in executed}
    jobs = [by_key.get((j.scenario, j.notebook), j) for j in jobs]
    failed = [j for j in jobs if j.status != "ok"]
    manifest = {
        "run_id": run_id, "status": "complete", "created": created,
        "finished": dt.datetime.now().isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 2),
        "summary": {"notebook_runs": len(jobs), "ok": len(jobs) - len(failed), "failed": len(failed),
                    "reused": len(reused), "executed": len(todo)},
        "options": {"executor": executor, "scheduler": scheduler, "workers": workers if executor == "processes" else None,
                    "timeout": timeout, "show_code": show_code, "site": site,
                    "resumed_from": old_run.name if old_run else None,
                    "overrides": overrides or {}},
        "git": _git_commit(), "versions": versions(), "platform": platform.platform(),
        "data_sha256": data_digest(),
        "notebooks": {p.stem: {"path": paths.relative(p), "sha256": _sha256(p.read_bytes())} for p in work.notebooks},
        "scenarios": {name: {"title": s.title, "description": s.description, "inherits": s.inherits,
                             "seed": s.seed, "files": list(s.files),
                             "parameters": s.parameters.model_dump(mode="json")} for name, s in work.scenarios.items()},
        "jobs": [asdict(j) for j in jobs],
    }
    comparison.publish(partial, run_id, jobs, work.scenarios, manifest)
    report.write_atomic(partial / "manifest.json", json.dumps(manifest, indent=2, default=str) + "\n")
    _fsync_dir(partial)
    os.replace(partial, final)
    _fsync_dir(runs)
    _point_latest(outputs, final)
    stale = sorted(p.name for p in runs.glob(".*.partial"))
    if stale:
        print(f"note: {len(stale)} interrupted run(s) in {paths.relative(runs)} ({', '.join(stale[:3])}"
              f"{', ...' if len(stale) > 3 else ''}): resume with --resume RUN_ID, or delete them", file=sys.stderr)
    print(f"Report: {final / 'index.html'}  ({len(jobs) - len(failed)} ok, {len(failed)} failed, "
          f"{len(reused)} reused; {manifest['seconds']:.0f} s)")
    return RunResult(run_id, final, jobs, 1 if failed else 0)
