"""The econ kernel: IPython with a guard on parameters cells, loaded before any cell runs.

papermill writes ``-p NAME VALUE`` into the notebook as code (a new cell after the one tagged
``parameters``) and does not check NAME: ``x=__import__('os').system('...');y`` runs. The guard is
an IPython input transformer that sees each cell's text before IPython compiles it. A cell whose
first line is papermill's ``# Parameters`` (the injected cell) or the notebooks' own
``# Parameters of NOTEBOOK: ...`` (the tagged parameters cell, written by ``python -m
econ.notebook``) must be nothing but ``NAME = literal`` lines (``NAME: type = literal`` too):

* every NAME declared: a notebook argument (:mod:`econ.arguments`) or a scenario parameter
  (:class:`econ.scenario.Parameters`), and in the injected cell one the notebook's parameters cell
  declared; an unknown name (a typo in JupyterLab, a stray ``-p``) is refused with "did you mean";
* every value a literal (text, number, true/false, None, lists and mappings of these), valid for
  its declaration (type, range; the memory a run's sizes would need);
* then the cell that runs is rewritten from the checked values (``NAME = repr(value)``), so nothing
  but those assignments can execute.

A refused cell raises :class:`econ.errors.InputError`, which IPython shows as one message (its
``_render_traceback_``); the cell and the run stop there (papermill exits 1).

The kernel (``econ``, "Python 3 (econ)") is what the notebooks name in their kernelspec. It is
installed with the package: ``pip install`` (editable or not), ``make`` and the conda environment
all put ``share/jupyter/kernels/econ/kernel.json`` into the environment (setuptools data files).
Where that cannot apply (a JupyterLab in another environment), ``python -m econ.kernel install
[--user | --sys-prefix | --prefix DIR]`` writes it with this interpreter's absolute path. The kernel
runs ``python -m econ.kernel -f CONNECTION_FILE``: it imports the guard before starting IPython and
does not start without it. In any other kernel, ``%load_ext econ.kernel`` loads the same guard.
"""

from __future__ import annotations

import ast
import json
import math
import sys
from pathlib import Path

KERNEL_NAME = "econ"
DISPLAY_NAME = "Python 3 (econ)"
#: First line of papermill's injected cell, and the prefix of the notebooks' own parameters cell.
INJECTED_MARKER = "# Parameters"
CELL_MARKER = "# Parameters of "
#: Names papermill itself may inject (``--inject-paths``).
PAPERMILL_NAMES = ("PAPERMILL_INPUT_PATH", "PAPERMILL_OUTPUT_PATH")
#: Largest parameters cell read (a ``-y`` value of megabytes is refused, not parsed).
MAX_CELL_CHARS = 1_000_000


def spec(executable: str = "python") -> dict:
    """The kernelspec (kernel.json). ``python`` as argv[0] is replaced by jupyter_client with the
    interpreter that runs Jupyter or papermill, so one file works in every environment."""
    return {"argv": [executable, "-m", "econ.kernel", "-f", "{connection_file}"],
            "display_name": DISPLAY_NAME, "language": "python", "metadata": {"debugger": True}}


#: The kernelspec file shipped with the package (installed as setuptools data files).
SPEC_FILE = Path(__file__).with_name("kernelspec") / "kernel.json"


# --- the guard ---------------------------------------------------------------------------------------

def _literal(node: ast.AST, text: str):
    """The value of a literal node, limited to what a parameter can be; ValueError saying why not."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "float"
            and len(node.args) == 1 and isinstance(node.args[0], ast.Constant)):
        raise ValueError(f"{node.args[0].value} is not allowed: give a finite number")
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        from econ.errors import shorten

        raise ValueError(f"{shorten(ast.get_source_segment(text, node) or '?', 80)} is not a literal: give text, "
                         "a number, true/false, None, or a list or mapping of these") from None
    _plain(value)
    return value


def _plain(value) -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} is not allowed: give a finite number")
        return
    if isinstance(value, list | tuple):
        for v in value:
            _plain(v)
        return
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValueError(f"mapping keys must be text, not {k!r}")
            _plain(v)
        return
    raise ValueError(f"a {type(value).__name__} value is not allowed: give text, a number, true/false, None, "
                     "or a list or mapping of these")


class Guard:
    """The input transformer (see the module's docstring). Remembers, for this kernel session, which
    notebook's parameters cell ran, the names it declared and its values."""

    #: IPython's completeness check (``is_complete_request``) skips transformers with side effects.
    has_side_effects = True

    def __init__(self):
        self.notebook: str | None = None
        self.declared: set[str] | None = None
        self.values: dict = {}

    def __call__(self, lines: list[str]) -> list[str]:
        # A parameters cell is known by its marker among the comment lines that open it, not only on its
        # first line: a comment put above the marker must not switch the guard off. A marker-like comment
        # after code (``# Parameters of the Bass model``) leaves an ordinary cell alone.
        opening = []
        for line in lines:
            if line.strip() and not line.strip().startswith("#"):
                break
            opening.append(line.strip())
        marks = [line for line in opening if line.startswith(INJECTED_MARKER)]
        if INJECTED_MARKER in marks:
            return self.check("".join(lines), injected=True)
        named = {m[len(CELL_MARKER):].split(":")[0].strip() for m in marks if m.startswith(CELL_MARKER)}
        if len(named) > 1:
            from econ.errors import InputError

            raise InputError.single("parameters cell", "", f"names {len(named)} notebooks ({', '.join(sorted(named))})"
                                    ": a parameters cell belongs to one notebook")
        if named:
            return self.check("".join(lines), injected=False, notebook=named.pop())
        return lines

    def check(self, text: str, injected: bool, notebook: str | None = None) -> list[str]:
        """The cell's checked assignments as code, or InputError naming each problem."""
        from econ.errors import InputError
        from econ.scenario import SAFE_NAME

        if not injected:
            notebook = notebook if notebook and SAFE_NAME.match(notebook) else None
        where = ("injected parameters (papermill -p)" if injected
                 else f"parameters cell of {notebook or 'this notebook'}")
        values, problems = self._assignments(_parse(text, where), text, where, injected)
        if not injected and not problems:
            problems = _identity_problems(notebook, set(values), where)
        if problems:
            raise InputError(problems)
        merged = {**self.values, **values} if injected else values
        problems = self._value_problems(values, merged, notebook if not injected else self.notebook, where)
        from econ import environment

        problems += environment.problems()
        if problems:
            raise InputError(problems)
        if injected:
            self.values = merged
        else:
            self.notebook, self.declared, self.values = notebook, set(values), values
        return [f"{name} = {value!r}\n" for name, value in values.items()]

    def _assignments(self, tree: ast.Module, text: str, where: str, injected: bool) -> tuple[dict, list]:
        """The cell's ``NAME = literal`` lines as values, and a problem for anything else: another kind of
        statement, an undeclared or repeated name, a value that is not a literal."""
        from econ import arguments
        from econ.scenario import PARAMETER_NAMES

        known = set(arguments.NAMES) | set(PARAMETER_NAMES)
        allowed = (self.declared if injected and self.declared is not None else known) | set(PAPERMILL_NAMES)
        values, lines, problems = {}, {}, []
        for node in tree.body:
            target = _assigned(node)
            if target is None:
                problems.append((where, f"line {node.lineno}", f"{_source(text, node)} is not NAME = value: a "
                                 "parameters cell holds only assignments of literals"))
            elif target[0] not in allowed:
                problems.append((where, target[0], self._undeclared(target[0], allowed, known, injected)))
            elif target[0] in lines:
                problems.append((where, target[0], f"given twice (lines {lines[target[0]]} and {node.lineno}): "
                                 "give it once"))
            else:
                lines[target[0]] = node.lineno
                try:
                    values[target[0]] = _literal(target[1], text)
                except ValueError as e:
                    problems.append((where, target[0], str(e)))
        problems += [(where, name, "must be text (a path)") for name in PAPERMILL_NAMES
                     if name in values and not isinstance(values[name], str)]
        return values, problems

    def _undeclared(self, name: str, allowed: set, known: set, injected: bool) -> str:
        from econ.errors import suggest

        hint = suggest(name, sorted(allowed - set(PAPERMILL_NAMES)))
        why = (f"not declared in the parameters cell of {self.notebook or 'this notebook'}"
               if injected and self.declared is not None and name in known else "not a declared parameter")
        return f"{why}{hint}; see `econ params` and the notebook's parameters cell"

    @staticmethod
    def _value_problems(values: dict, merged: dict, notebook: str | None, where: str) -> list:
        """Notebook arguments as declared (memory included) and scenario parameters as a scenario file's."""
        from pydantic import ValidationError

        from econ import arguments
        from econ.scenario import PARAMETER_NAMES, Parameters, message

        problems = arguments.check(merged, notebook, where)
        try:
            Parameters(**{k: v for k, v in values.items() if k in PARAMETER_NAMES and v is not None})
        except ValidationError as e:
            problems += [(where, ".".join(str(x) for x in err["loc"]), message(err)) for err in e.errors()]
        return problems


#: Where the running notebook's name is found: set by the batch's workers for each job, and by Jupyter
#: Server (the session's notebook path) for a kernel started from JupyterLab.
IDENTITY_VARIABLES = ("ECON_NOTEBOOK", "JPY_SESSION_NAME")


def _identity_problems(notebook: str | None, names: set, where: str) -> list:
    """A parameters cell takes its own notebook's declarations: the notebook its marker names must be the
    one running (when the kernel knows it) and must declare exactly the names the cell assigns, so a
    marker copied from another notebook (to borrow its larger memory allowance) is refused."""
    import os

    from econ.arguments import NOTEBOOK_STAGES, notebook_parameters

    if notebook not in NOTEBOOK_STAGES:
        return []
    running = next((Path(os.environ[v]).stem for v in IDENTITY_VARIABLES if os.environ.get(v)), None)
    if running in NOTEBOOK_STAGES and running != notebook:
        return [(where, "", f"names notebook {notebook}, but this is {running}: a parameters cell takes its own "
                 "notebook's declarations (`python -m econ.notebook` rewrites it)")]
    declared = set(notebook_parameters(notebook))
    extra, missing = sorted(names - declared - set(PAPERMILL_NAMES)), sorted(declared - names)
    if extra or missing:
        what = "; ".join(s for s in (f"not declared there: {', '.join(extra)}" if extra else "",
                                     f"missing: {', '.join(missing[:5])}" if missing else "") if s)
        return [(where, "", f"is not {notebook}'s parameters cell ({what}); `python -m econ.notebook` rewrites it")]
    return []


def _parse(text: str, where: str) -> ast.Module:
    from econ.errors import InputError, shorten

    if len(text) > MAX_CELL_CHARS:
        raise InputError.single(where, "", f"{len(text):,} characters: at most {MAX_CELL_CHARS:,}")
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as e:
        line = getattr(e, "lineno", None)
        raise InputError.single(where, f"line {line}" if line else "", "not NAME = value lines (Python "
                                f"literals): {shorten(getattr(e, 'msg', str(e)), 80)}") from None


def _assigned(node) -> tuple[str, ast.expr] | None:
    """(name, value) of ``NAME = value`` or ``NAME: type = value``; None for any other statement."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id, node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        return node.target.id, node.value
    return None


def _source(text: str, node) -> str:
    from econ.errors import shorten

    return shorten(ast.get_source_segment(text, node), 80)


#: The guard of this kernel session, once loaded.
GUARD: Guard | None = None


def current_notebook() -> str | None:
    """The notebook whose parameters cell ran in this kernel (None outside the econ kernel or before)."""
    return GUARD.notebook if GUARD is not None else None


def load_ipython_extension(shell) -> None:
    """``%load_ext econ.kernel``; the econ kernel loads it before any cell."""
    global GUARD
    if GUARD is None:
        GUARD = Guard()
    if GUARD not in shell.input_transformers_cleanup:
        # first: it must see the cell as written, before IPython's own transforms (%magics, !commands)
        shell.input_transformers_cleanup.insert(0, GUARD)


def unload_ipython_extension(shell) -> None:
    if GUARD in shell.input_transformers_cleanup:
        shell.input_transformers_cleanup.remove(GUARD)


# --- launching and installing ------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    """Start the kernel with the guard loaded; if the guard cannot load, the kernel does not start."""
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(argv)
    load_ipython_extension(app.shell)
    app.start()


def install(user: bool = False, prefix: str | None = None) -> str:
    """Write the econ kernelspec with this interpreter's absolute path; returns where it went."""
    import tempfile

    from jupyter_client.kernelspec import KernelSpecManager

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "kernel.json").write_text(json.dumps(spec(sys.executable), indent=1) + "\n")
        return KernelSpecManager().install_kernel_spec(tmp, KERNEL_NAME, user=user, prefix=prefix)


def _cli(argv: list[str]) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m econ.kernel install",
                                description="Install the econ kernelspec (normally done by pip install).")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="into the user's Jupyter folder")
    where.add_argument("--sys-prefix", action="store_true", help=f"into this environment ({sys.prefix}); the default")
    where.add_argument("--prefix", help="into PREFIX/share/jupyter/kernels")
    args = p.parse_args(argv)
    folder = install(user=args.user, prefix=args.prefix or (None if args.user else sys.prefix))
    print(f"installed kernel '{KERNEL_NAME}' ({DISPLAY_NAME}) in {folder}")
    return 0


def _entry(argv: list[str]) -> int:
    if argv[:1] == ["install"]:
        return _cli(argv[1:])
    # like ipykernel_launcher: the working directory is added back by IPython after start-up
    if sys.path and sys.path[0] in ("", str(Path.cwd())):
        del sys.path[0]
    main(argv)
    return 0


if __name__ == "__main__":
    # run through the imported module, so that econ.notebook sees the same GUARD (not __main__'s copy)
    from econ.kernel import _entry as entry

    sys.exit(entry(sys.argv[1:]))
