"""A papermill engine that runs a notebook's cells in this process, in ipykernel's own shell, instead
of in a kernel started for the notebook. The warm engine (:mod:`econ.batch.warm`) runs it in a fresh
fork of a process that has already imported what the notebooks import; a process runs one notebook.

papermill still does everything it does for a kernel: it injects the parameters cell, records its
metadata and each cell's status and timing, adds its error banner and anchor and raises
PapermillExecutionError on a failed cell; the notebook is written as it runs, every
``SAVE_EVERY`` seconds rather than twice per cell, and at the end. This module stands in for
the kernel and for nbclient:

* the shell is ipykernel's ``ZMQInteractiveShell`` (the same display hook, display publisher,
  traceback and ``json_clean`` as in a kernel), its messages serialised by a jupyter_client
  ``Session`` into an in-process "socket" that turns them into outputs with nbformat's
  ``output_from_msg``, as nbclient does (display ids and ``clear_output`` included);
* ``sys.stdout`` and ``sys.stderr`` send stream messages when flushed, which the shell does
  before each display, each result and each traceback, and this engine at the end of each cell
  (a kernel also flushes every 0.2 s, so a slow cell's text may be one output here and several
  there);
* cells are skipped, counted, timed and stopped as nbclient does (empty cells and the
  ``skip-execution`` tag skipped; ``raises-exception`` allows an error); the notebook's
  deadline is enforced with SIGALRM and ends in nbclient's CellTimeoutError;
* ``language_info`` is ipykernel's.

Known differences: output written to the process's file descriptors rather than to ``sys.stdout``
(a subprocess, C code) goes to the worker's log, not into the notebook; widgets and comms are not
supported.
"""

from __future__ import annotations

import builtins
import datetime as dt
import importlib
import io
import signal
import sys
import time

from ipykernel.compiler import XCachingCompiler
from ipykernel.zmqshell import ZMQInteractiveShell
from jupyter_client.session import Session
from nbclient.exceptions import CellTimeoutError
from nbformat.v4 import output_from_msg
from papermill.engines import Engine, papermill_engines
from papermill.iorw import write_ipynb
from traitlets.config import Config

ENGINE_NAME = "econ-inprocess"
#: Seconds between writes of the executed notebook while it runs (a process killed midway leaves
#: what ran until then).
SAVE_EVERY = 2.0
SKIP_TAG = "skip-execution"  # nbclient's default skip_cells_with_tag
ALLOW_ERRORS_TAG = "raises-exception"


class _Outputs:
    """The shell's iopub socket: each message becomes an output of the cell being run, as nbclient
    records it."""

    def __init__(self, session: Session):
        self.session = session
        self.cell = None
        self.clear_before_next = False
        self.display_ids: dict[str, list] = {}

    def send_multipart(self, parts, copy=True, **kwargs):
        _, frames = self.session.feed_identities(parts, copy=True)
        self.handle(self.session.deserialize(frames, content=True, copy=True))

    def handle(self, msg: dict) -> None:
        kind, content = msg["msg_type"], msg["content"]
        if self.cell is None:  # between notebooks' cells (papermill's own warnings): the worker's log
            sys.__stderr__.write(content.get("text", "") if kind == "stream" else f"[{kind} outside a cell]\n")
            return
        outputs = self.cell.outputs
        if kind == "clear_output":
            if content.get("wait"):
                self.clear_before_next = True
            else:
                outputs[:] = []
            return
        display_id = (content.get("transient") or {}).get("display_id")
        if kind == "update_display_data":
            for out in self.display_ids.get(display_id, []):
                out["data"], out["metadata"] = content["data"], content["metadata"]
            return
        out = output_from_msg(msg)
        if self.clear_before_next:
            outputs[:] = []
            self.clear_before_next = False
        if display_id:
            self.display_ids.setdefault(display_id, []).append(out)
        outputs.append(out)


class _Stream(io.TextIOBase):
    """``sys.stdout`` or ``sys.stderr`` of the notebook: text is buffered and sent as one stream
    message per flush (ipykernel's OutStream, without its timer)."""

    encoding = "utf-8"

    def __init__(self, name: str, fallback):
        super().__init__()
        self.name, self.fallback = name, fallback
        self.session = self.socket = None
        self.parts: list[str] = []

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return self.fallback.fileno()

    def write(self, text: str) -> int:
        if self.socket is None:  # the template, before any notebook: its stray output goes to its log
            return self.fallback.write(text)
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        if self.socket is None:
            self.fallback.flush()
        elif self.parts:
            text, self.parts = "".join(self.parts), []
            self.session.send(self.socket, "stream", {"name": self.name, "text": text})


def _no_input(prompt=""):
    from IPython.core.error import StdinNotImplementedError

    # what ipykernel does when the client (papermill) allows no stdin
    raise StdinNotImplementedError("raw_input was called, but this frontend does not support input requests.")


class Kernel:
    """The shell and the streams of the one notebook this process will run.

    Made in the template before the notebooks' modules are imported, so that loggers made at
    import write to these streams (the shell itself exists from the template's first line).
    """

    def __init__(self):
        config = Config()
        config.HistoryManager.enabled = False  # no SQLite history shared between forks
        # ipykernel's own shell class: pandas and tqdm tell a notebook from a terminal by "zmq" in the
        # shell's type name. A template made it at start (warm.ENTRY), before any import; this is it.
        self.shell = ZMQInteractiveShell.instance(config=config, compiler_class=XCachingCompiler)
        self.stdout, self.stderr = _Stream("stdout", sys.__stdout__), _Stream("stderr", sys.__stderr__)
        sys.stdout, sys.stderr = self.stdout, self.stderr
        builtins.input = _no_input
        self.used = False

    def load_extensions(self, names: list[str]) -> None:
        """Load IPython extensions as the notebooks' kernel does before any cell (the econ kernel:
        its guard on parameters cells, ``econ.kernel.load_ipython_extension``); an error stops here."""
        for name in names:
            importlib.import_module(name).load_ipython_extension(self.shell)

    def preload(self, modules: list[str]) -> list[str]:
        """Import ``modules`` as a kernel would (inside the shell's builtins); the ones that failed."""
        failed = []
        with self.shell.builtin_trap:
            for name in modules:
                try:
                    importlib.import_module(name)
                except Exception:  # the notebook's own cell meets the error, as it would in a kernel
                    failed.append(name)
        return failed

    def connect(self) -> _Outputs:
        """Wire the shell to a new in-process socket; once per process."""
        if self.used:
            raise RuntimeError("the in-process engine runs one notebook per process: fork a fresh one")
        self.used = True
        session = Session(key=b"")  # made here: a Session refuses to send from a process other than its own
        outputs = _Outputs(session)
        for hook in (self.shell.displayhook, self.shell.display_pub):
            hook.session, hook.pub_socket = session, outputs
        for stream in (self.stdout, self.stderr):
            stream.session, stream.socket = session, outputs
        return outputs

    def disconnect(self) -> None:
        """After the last cell: what is printed from now on (the report, the record) goes to the log."""
        for stream in (self.stdout, self.stderr):
            stream.flush()
            stream.socket = None


_kernel: Kernel | None = None


def prepare(modules: list[str], extensions: list[str] = ()) -> list[str]:
    """Make this process's kernel, load ``extensions`` into it and import ``modules``; the names that
    could not be imported."""
    global _kernel
    _kernel = _kernel or Kernel()
    _kernel.load_extensions(list(extensions))
    return _kernel.preload(modules)


class _Timeout(BaseException):
    """Raised into the running cell at the notebook's deadline (a BaseException, so that a cell's
    ``except Exception`` does not swallow it)."""


def _on_alarm(signum, frame):
    raise _Timeout


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class InProcessEngine(Engine):
    """The papermill engine: each cell through the shell, in order, until one fails."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, deadline: float | None = None, **kwargs):
        if _kernel is None:
            raise RuntimeError("econ.batch.inprocess.prepare() must run first (in the warm template)")
        outputs = _kernel.connect()
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        # papermill writes the notebook twice per cell (30 ms each for a notebook of chart specs, a
        # third of what a notebook costs beyond its cells here); here it is written at most every
        # SAVE_EVERY seconds, and always at the end, failed or not (papermill's notebook_complete)
        path, nb_man.output_path, saved = nb_man.output_path, None, time.monotonic()
        try:
            for index, cell in enumerate(nb_man.nb.cells):
                try:
                    nb_man.cell_start(cell, index)
                    if not cls._execute_cell(cell, outputs, deadline):
                        nb_man.cell_exception(nb_man.nb.cells[index], cell_index=index)
                        break
                finally:
                    nb_man.cell_complete(nb_man.nb.cells[index], cell_index=index)
                if path and time.monotonic() - saved >= SAVE_EVERY:
                    write_ipynb(nb_man.nb, path)
                    saved = time.monotonic()
        finally:
            nb_man.output_path = path
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            _kernel.disconnect()
        from ipykernel.ipkernel import IPythonKernel

        nb_man.nb.metadata["language_info"] = dict(IPythonKernel.language_info)
        return nb_man.nb

    @staticmethod
    def _execute_cell(cell, outputs: _Outputs, deadline: float | None) -> bool:
        """Run one cell into its outputs; False when it failed and errors are not allowed there."""
        if cell.cell_type != "code" or not cell.source.strip() or SKIP_TAG in cell.metadata.get("tags", []):
            return True
        shell = _kernel.shell
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            raise CellTimeoutError.error_from_timeout_and_cell("Cell execution timed out", 0, cell)
        cell.metadata["execution"] = {"iopub.status.busy": _stamp()}
        cell.outputs = []
        outputs.cell = cell
        cell.execution_count = shell.execution_count
        cell.metadata["execution"]["iopub.execute_input"] = _stamp()
        timed_out = False
        try:
            if remaining is not None:
                signal.setitimer(signal.ITIMER_REAL, remaining)
            result = shell.run_cell(cell.source, store_history=True)
        except _Timeout:  # raised outside the cell's own code
            timed_out, result = True, None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            _kernel.stdout.flush()
            _kernel.stderr.flush()
        if timed_out or (result is not None and isinstance(result.error_in_exec, _Timeout)):
            # a kernel would still be running the cell: no error output, as under nbclient
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "error" and o.ename == "_Timeout")]
            raise CellTimeoutError.error_from_timeout_and_cell("Cell execution timed out", int(remaining or 0), cell)
        cell.metadata["execution"]["shell.execute_reply"] = cell.metadata["execution"]["iopub.status.idle"] = _stamp()
        return result.success or ALLOW_ERRORS_TAG in cell.metadata.get("tags", [])


papermill_engines.register(ENGINE_NAME, InProcessEngine)
