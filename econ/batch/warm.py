"""The warm engine: every notebook in a fresh process of its own, without paying for an interpreter
start and the heavy imports each time.

Each local worker is a *template*: a fresh interpreter, started with the kernel's environment
(BLAS threads, ``MPLBACKEND``), that makes ipykernel's shell (:mod:`econ.batch.inprocess`), loads
the extension the notebooks' kernel loads (the econ kernel's guard on parameters cells), imports
what the notebooks import (pandas, numpy, altair, statsmodels, econ, ... read from their import
statements; all of econ, whose models import their stages lazily), reads the datasets once (econ.data
caches them by file and modification time and hands out copies), builds the HTML exporter, and then
runs nothing. For each job it forks a child; the
child runs the notebook through papermill with the in-process engine, publishes the report, writes
``job.json`` and exits. No state passes between notebooks: every child starts from the template's
untouched state, and whatever a notebook changes dies with its child.

What forking after imports implies, and what is done about it:

* threads do not survive a fork: the template starts none (BLAS pools are sized by the same
  environment variables as a kernel's, and OpenBLAS re-creates its pool after a fork; tqdm's
  monitor thread is started by progress bars, and the template makes none);
* the children would share the template's random state: each reseeds ``random`` and NumPy's
  global generator from the OS (the models use their own seeded generators);
* no socket is open in the template (the shell's Session and socket are made in each child), the
  pipes to the pool are closed in the child, and IPython's SQLite history is off;
* Altair's and matplotlib's global state is the one the imports made, as in a new kernel; a
  notebook that changes it changes it for itself only; the Vega bundle is read from the cache
  before the fork.

A child that dies (kill -9, out of memory) fails only its own job, reported by the template; a
child that outlives the notebook's deadline (by ``HARD_DEADLINE_GRACE``) is killed. A fork that
fails, or a child that dies before it starts the notebook, is retried (the analogue of a kernel
that fails to start). Children die with the template, the template with the run.
"""

from __future__ import annotations

import ast
import gc
import os
import pickle
import random
import select
import signal
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import nbformat

from econ.batch.job import KERNEL_START_RETRIES, Job, die_with_parent, execute, record_crash

#: Seconds past the notebook's deadline after which its process is killed (it had its SIGALRM).
HARD_DEADLINE_GRACE = 60
#: What every template imports besides the notebooks' own imports.
MACHINERY = ("IPython", "ipykernel.ipkernel", "nbformat", "papermill", "nbconvert")
#: Never imported ahead: a package's ``__main__`` runs on import (``econ``, ``econ.backtest``).
_MAIN = "__main__"
_ENTRY = """import sys
import {kernel_module}
from ipykernel.compiler import XCachingCompiler
from ipykernel.zmqshell import ZMQInteractiveShell
from traitlets.config import Config
config = Config()
config.HistoryManager.enabled = False  # no SQLite history shared between forks
ZMQInteractiveShell.instance(config=config, compiler_class=XCachingCompiler).builtin_trap.__enter__()
from econ.batch.worker import main
main(sys.argv[1:])
"""


def entry(kernel_module: str = "ipykernel_launcher") -> str:
    """How a template process starts (``python -c ENTRY``, see econ.batch.pool): as the kernel it
    stands in for, up to its shell. Modules that look at their surroundings at import time must see
    what they see in that kernel: pandas sets ``display.max_columns`` (and so how wide frames print
    as text) by whether ``get_ipython()`` has a kernel when pandas is imported. So the kernel's own
    module is imported first (``econ.kernel`` imports econ, and pandas with it, before its shell
    exists; ipykernel_launcher imports nothing of the kind), then ipykernel's shell is made and its
    builtins (``get_ipython``) put in place, then the worker starts."""
    return _ENTRY.format(kernel_module=kernel_module)


_STARTED = b"S"


def notebook_imports(notebooks: list[Path]) -> list[str]:
    """The modules the notebooks' code cells import at top level (``from econ import charts`` gives
    ``econ`` and ``econ.charts``), in order of first appearance."""
    from IPython.core.inputtransformer2 import TransformerManager

    found: dict[str, None] = {}
    for path in notebooks:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            try:
                tree = ast.parse(TransformerManager().transform_cell(cell.source))
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, ast.Import):
                    found.update(dict.fromkeys(a.name for a in node.names))
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    found[node.module] = None
                    found.update(dict.fromkeys(f"{node.module}.{a.name}" for a in node.names if a.name != "*"))
    return list(found)


#: The kernels the warm engine can stand in for, by the module their kernelspec runs (``python -m
#: MODULE -f {connection_file}``): each is ipykernel with, perhaps, an IPython extension loaded into its
#: shell before any cell (the econ kernel's guard on parameters cells, econ/kernel.py).
KERNELS = {"ipykernel_launcher": None, "ipykernel": None, "econ.kernel": "econ.kernel"}


@dataclass(frozen=True)
class Flavour:
    """What a template must do to stand in for a kernel: run its module first, load its extension."""

    module: str
    extension: str | None = None


def econ_modules() -> list[str]:
    """Every module of econ: the models import their stages lazily (numba and llvmlite with the
    market-share kernel), so the notebooks' own import statements name only the top of what a
    first call of the model imports (about 300 modules, 0.5 s)."""
    import pkgutil

    import econ

    names = [m.name for m in pkgutil.walk_packages(econ.__path__, "econ.")]
    return [n for n in names if n.rsplit(".", 1)[-1] != _MAIN]


def _load_data() -> None:
    """Read and validate every dataset once (``econ.data`` keeps them by file and modification time,
    and hands out copies): each notebook's first model call would otherwise spend about half a
    second on it. A dataset that fails is left for the notebook to meet, as in a kernel."""
    try:
        from econ import data

        data.sources()
        for name in data.DATASETS:
            data.load(name)
    except Exception:
        pass


def _warm_model() -> None:
    """The model's one-off work, done once here instead of in every notebook (about a second each): numba's
    compiler registries (the compiled kernels themselves are loaded from numba's cache in each child:
    loading a parallel one here would load the OpenMP runtime, which a fork must not inherit), and, for
    every shipped scenario and the same scenario without its rules, the checks, the estimates the drawn
    inputs rest on and the market-share kernel's draw-independent tables, which the stages keep in their
    caches. Best effort: anything that fails here is left for the notebook to meet, as in a kernel."""
    try:
        from numba.core.registry import cpu_target

        cpu_target.target_context.refresh()
        cpu_target.typing_context.refresh()
    except Exception:
        pass
    try:
        from econ.model import world
        from econ.model.market_share import model as market_share
        from econ.scenario import counterfactual, load_scenario, scenario_names

        for name in scenario_names():
            for scenario in (load_scenario(name), counterfactual(load_scenario(name))):
                world.check(scenario)
                world.draw(scenario, 1)
                market_share.prepare(scenario)
    except Exception:
        pass


def kernel_flavour(kernel_name: str) -> tuple[Flavour | None, str | None]:
    """``(flavour, problem)`` for kernel ``kernel_name``: how the warm engine stands in for it, or why
    it cannot. It emulates the kernels in KERNELS on this very interpreter, with no other arguments
    or environment, and no IPython startup files."""
    from IPython.paths import get_ipython_dir
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        return None, f"no kernel named {kernel_name!r} is installed"
    argv = spec.argv
    python = argv[0] if argv else ""
    same_python = python in ("python", "python3") or Path(python).resolve() == Path(sys.executable).resolve()
    module = argv[2] if len(argv) == 5 and argv[1] == "-m" and argv[3:] == ["-f", "{connection_file}"] else None
    if spec.language.lower() != "python" or not same_python or module not in KERNELS:
        return None, f"kernel {kernel_name!r} is not one the warm engine knows on this Python ({' '.join(argv)})"
    if spec.env:
        return None, f"kernel {kernel_name!r} sets environment variables"
    startup = Path(get_ipython_dir()) / "profile_default" / "startup"
    if any(startup.glob("*.py")) or any(startup.glob("*.ipy")):
        return None, f"IPython startup files in {startup} run in every kernel"
    return Flavour(module, KERNELS[module]), None


def _reseed() -> None:
    random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


def _death(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        why = " (kill -9, or the out-of-memory killer)" if sig == signal.SIGKILL else ""
        return f"was killed by {signal.Signals(sig).name}{why}"
    return f"exited with code {os.WEXITSTATUS(status)} before reporting"


@dataclass
class _Outcome:
    job: Job | None
    started: bool
    timed_out: bool
    status: int


class Template:
    """A worker's pre-imported process, forking one child per notebook."""

    def __init__(self, config: dict, close_in_child: tuple[int, ...] = ()):
        from econ import report
        from econ.batch import inprocess

        # what ipykernel sets at kernel start, before anything imports matplotlib
        if not os.environ.get("MPLBACKEND"):
            os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
        modules = [*MACHINERY, *config.get("preload", [])]
        modules += [m for m in econ_modules() if m not in modules] if "econ" in modules else []
        self.unimported = inprocess.prepare(modules, config.get("extensions", []))
        if "econ" in modules:
            _load_data()
            _warm_model()
        if self.unimported:  # each notebook that imports them meets the error in its own cell
            print(f"warm template {os.getpid()}: could not preload {', '.join(self.unimported)}", file=sys.__stderr__)
        # the report machinery, warmed: the bundle read from its cache, the templates compiled
        report.vega_bundle()
        report.warm_up(config.get("show_code", False))
        self.close_in_child = close_in_child
        self.child: int | None = None
        signal.signal(signal.SIGTERM, self._terminate)
        # objects made so far are never collected: a child's collector does not touch (and so
        # copy) the template's pages
        gc.collect()
        gc.freeze()

    def _terminate(self, signum, frame):
        if self.child:
            os.kill(self.child, signal.SIGKILL)
        os._exit(128 + signum)

    def execute(self, job: Job, run_dir: str, options: dict) -> Job:
        """Run ``job`` in a fresh child; never raises."""
        why = "could not start the notebook's process"
        for attempt in range(1, KERNEL_START_RETRIES + 1):
            try:
                outcome = self._run_child(job, run_dir, options)
            except OSError as e:  # no memory or processes left for a fork, for now
                why = f"could not start the notebook's process: {e}"
                time.sleep(attempt)
                continue
            if outcome.job is not None:
                outcome.job.attempts = attempt
                return outcome.job
            if outcome.timed_out:
                return record_crash(job, run_dir, options, "Timeout", f"the notebook did not finish within "
                                    f"{options['timeout']} s; its process was killed {HARD_DEADLINE_GRACE} s later")
            why = f"the notebook's process {_death(outcome.status)}"
            if outcome.started:
                break
            time.sleep(attempt)  # it died before it began: like a kernel that failed to start
        job.attempts = attempt
        return record_crash(job, run_dir, options, "NotebookProcessDied", why)

    def _run_child(self, job: Job, run_dir: str, options: dict) -> _Outcome:
        read_end, write_end = os.pipe()
        template, forked = os.getpid(), time.perf_counter()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            raise
        if pid == 0:
            os.close(read_end)
            self._child(job, run_dir, options, write_end, template, forked)  # never returns
        os.close(write_end)
        self.child = pid
        try:
            data, timed_out, status = self._read(read_end, pid, time.monotonic() + options["timeout"]
                                                 + HARD_DEADLINE_GRACE)
        except BaseException:  # never leave a child behind
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise
        finally:
            os.close(read_end)
            self.child = None
        done = None
        if data.startswith(_STARTED) and len(data) > 1:
            try:
                done = pickle.loads(data[1:])
            except Exception:
                done = None
        return _Outcome(done, data.startswith(_STARTED), timed_out, status)

    @staticmethod
    def _read(fd: int, pid: int, hard_deadline: float) -> tuple[bytes, bool, int]:
        """Everything the child writes until it exits, whether it had to be killed, and its status.

        The child's exit, not the end of the pipe, ends the wait: a process the notebook started may
        still hold the pipe open."""
        chunks, timed_out, pipe_open = [], False, True
        while True:
            if pipe_open:
                ready, _, _ = select.select([fd], [], [], 0.5)
                if ready:
                    chunk = os.read(fd, 1 << 20)
                    if chunk:
                        chunks.append(chunk)
                        continue
                    pipe_open = False  # the end of the pipe: only the child's exit is left to wait for
            else:
                time.sleep(0.05)
            exited, status = os.waitpid(pid, os.WNOHANG)
            if exited:
                while pipe_open and select.select([fd], [], [], 0)[0] and (chunk := os.read(fd, 1 << 20)):
                    chunks.append(chunk)
                return b"".join(chunks), timed_out, status
            if time.monotonic() > hard_deadline:  # stuck outside Python, where SIGALRM could not end it
                os.kill(pid, signal.SIGKILL)
                timed_out, hard_deadline = True, float("inf")

    def _child(self, job: Job, run_dir: str, options: dict, write_end: int, template: int, forked: float) -> None:
        code = 0
        try:

            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            die_with_parent(template, signal.SIGKILL)
            for fd in self.close_in_child:  # the worker's pipes to the pool: only the template talks there
                os.close(fd)
            _reseed()
            os.write(write_end, _STARTED)
            # the job's clock starts before the fork: its wall time is comparable with the papermill
            # engine's, whose kernel starts inside execute()
            done = execute(job, run_dir, options, started=forked)
            data = memoryview(pickle.dumps(done))
            while data:
                data = data[os.write(write_end, data):]
        except BaseException:
            traceback.print_exc(file=sys.__stderr__)
            code = 1
        finally:
            os._exit(code)
