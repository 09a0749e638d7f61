"""Notebooks without outputs: what a commit of notebooks/ holds (standard library only, so git can
run it before any environment exists).

``python3 econ/nbclean.py < in.ipynb > out.ipynb``
    the git clean filter (``.gitattributes``: ``notebooks/*.ipynb filter=econ-notebook``; the
    bootstrap, ``make``, registers it with ``git config``): what JupyterLab's autosave wrote
    into a notebook (outputs, execution counts, cell timings) never reaches a commit, while the
    file you work in keeps them. Input that is not a notebook makes the filter fail (exit 1, the
    reason on stderr) rather than hand git something other than what was written.
``python3 econ/nbclean.py FILE ...``
    clears the files in place (``make clean-notebooks``); prints the ones it changed. A file that
    is not a notebook is named on stderr and left as it is, the others are still cleared, and the
    exit status is 1.
``python3 econ/nbclean.py --check FILE ...``
    exits 1 naming the files that have outputs (or that are not notebooks).
``python3 econ/nbclean.py --install``
    registers the filter in this clone's git config (what ``make`` does; the one command for anyone
    who installs with conda or pip and never runs ``make``).

The JSON is written the way nbformat and JupyterLab write it (indent 1, sorted keys, a final
newline), so a clean notebook passes through unchanged. A file is rewritten atomically (a temporary
file beside it, fsynced, then renamed over it with the original's mode), so a full disk or a kill
midway leaves the notebook as it was. Both notebook formats in use are cleared: nbformat 4 (top-level
``cells``) and nbformat 3 (``worksheets[*].cells``, whose code cells keep ``prompt_number``).
"""

from __future__ import annotations

import json
import os
import sys

#: Cell metadata that records a session, not the notebook.
SESSION_METADATA = ("execution", "collapsed", "scrolled")

#: What to tell someone whose file is in a notebook format this cleaner does not read.
CONVERT = "convert it with `jupyter nbconvert --to notebook --nbformat 4`"


class NotANotebook(ValueError):
    """The JSON parsed but is not a notebook this cleaner can clear without losing anything."""


def cell_lists(nb: object) -> list[list[dict]]:
    """The lists of cells in a notebook: nbformat 4's ``cells``, or nbformat 3's ``worksheets[*].cells``.

    Checks the structure first, so that cleaning never meets a shape it would mangle or skip.

    Raises
    ------
    NotANotebook
        When ``nb`` is not a JSON object with an ``nbformat`` of 3 or 4 and lists of cell objects.
    """
    if not isinstance(nb, dict) or not isinstance(nb.get("nbformat"), int):
        raise NotANotebook("not a notebook (no top-level nbformat number)")
    if nb["nbformat"] not in (3, 4):
        raise NotANotebook(f"nbformat {nb['nbformat']} is not supported: {CONVERT}")
    if "worksheets" in nb or nb["nbformat"] == 3:
        sheets = nb.get("worksheets", [])
        if not isinstance(sheets, list) or not all(isinstance(ws, dict) for ws in sheets):
            raise NotANotebook("not a notebook (worksheets is not a list of objects)")
        lists = [ws.get("cells", []) for ws in sheets] + ([nb["cells"]] if "cells" in nb else [])
    else:
        lists = [nb.get("cells")]
    for cells in lists:
        if not isinstance(cells, list) or not all(isinstance(c, dict) for c in cells):
            raise NotANotebook("not a notebook (cells is not a list of objects)")
    return lists


def clean(nb: dict) -> dict:
    """Clear outputs, execution counts (v4) or prompt numbers (v3) and session metadata, in place.

    Raises NotANotebook, before changing anything, when ``nb`` does not have a notebook's shape.
    """
    for cells in cell_lists(nb):
        for cell in cells:
            if cell.get("cell_type") == "code":
                cell["outputs"] = []
                if "worksheets" in nb or nb["nbformat"] == 3:
                    cell.pop("prompt_number", None)
                else:
                    cell["execution_count"] = None
            metadata = cell.get("metadata")
            if isinstance(metadata, dict):
                for key in SESSION_METADATA:
                    metadata.pop(key, None)
    return nb


def dumps(nb: dict) -> str:
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def is_clean(nb: dict) -> bool:
    """True when no code cell holds outputs, an execution count or a prompt number."""
    return all(not c.get("outputs") and c.get("execution_count") is None and c.get("prompt_number") is None
               for cells in cell_lists(nb) for c in cells if c.get("cell_type") == "code")


def parse(data: bytes) -> dict:
    """The notebook in ``data`` (UTF-8 JSON); ValueError (NotANotebook among them) saying why not."""
    try:
        nb = json.loads(data.decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError both
        raise ValueError(f"not JSON ({exc})") from exc
    cell_lists(nb)
    return nb


def _files():
    """econ/files.py, the project's one atomic writer. It uses the standard library only, so it is loaded
    from beside this file when git or make runs the cleaner with a bare ``python3`` (where the econ
    package, which needs the project's environment, cannot be imported)."""
    if __package__:
        from econ import files
        return files
    import importlib.util

    spec = importlib.util.spec_from_file_location("econ_files", os.path.join(os.path.dirname(__file__), "files.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_atomically(path: str, data: bytes) -> None:
    """Replace the file at ``path`` with ``data`` so that it is either all old or all new
    (:func:`econ.files.write_atomic`: a temporary file beside it, fsynced, renamed over it with its mode;
    on a failure the original is untouched). A symlink is followed, so the link stays a link; a
    read-only file is refused, as opening it for writing would be."""
    target = os.path.realpath(path)
    if not os.access(target, os.W_OK):
        raise PermissionError(f"{path} is read-only")
    _files().write_atomic(target, data)


def one_line(path: str, exc: BaseException) -> str:
    """The stderr line for a notebook that could not be read or cleared."""
    reason = " ".join(str(exc).split())
    return f"nbclean: {path}: {reason}; left as it is"


#: The clone's git config that runs this file on every notebook git stages (.gitattributes names it).
FILTER = {"filter.econ-notebook.clean": "python3 econ/nbclean.py", "filter.econ-notebook.smudge": "cat"}


def install() -> int:
    """Register the filter in the git config of the clone this file is in; 0, or 1 outside a clone."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    inside = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=root, capture_output=True, text=True)
    if inside.stdout.strip() != "true":
        print(f"{root} is not a git clone: nothing to register", file=sys.stderr)
        return 1
    for key, value in FILTER.items():
        subprocess.run(["git", "config", key, value], cwd=root, check=True)
    print("git: notebooks/*.ipynb are committed without outputs (filter econ-notebook)")
    return 0


def run_filter() -> int:
    """The git clean filter: stdin to stdout; 1 with nothing on stdout when stdin is not a notebook.

    Git keeps what is on disk when a clean filter fails, so failing loses nothing, whereas writing
    a guess would commit it.
    """
    data = sys.stdin.buffer.read()
    try:
        nb = parse(data)
        new = dumps(clean(nb)).encode("utf-8")
    except ValueError as exc:
        print(one_line("<stdin>", exc), file=sys.stderr)
        return 1
    sys.stdout.buffer.write(new)
    sys.stdout.buffer.flush()
    return 0


def clear_file(path: str) -> bool:
    """Clear one notebook file in place; True when it changed. Raises OSError or ValueError."""
    with open(path, "rb") as f:
        data = f.read()
    new = dumps(clean(parse(data))).encode("utf-8")
    if new == data:
        return False
    write_atomically(path, new)
    return True


def clear_files(paths: list[str]) -> int:
    """Clear each notebook in place, going on past the ones that fail; 1 if any failed."""
    failed = False
    for path in paths:
        try:
            if clear_file(path):
                print(f"cleared {path}")
        except (OSError, ValueError) as exc:
            print(one_line(path, exc), file=sys.stderr)
            failed = True
    return 1 if failed else 0


def check_files(paths: list[str]) -> int:
    """Name the notebooks that have outputs, or that cannot be read as notebooks; 1 if any."""
    dirty, failed = [], False
    for path in paths:
        try:
            with open(path, "rb") as f:
                if not is_clean(parse(f.read())):
                    dirty.append(path)
        except (OSError, ValueError) as exc:
            print(one_line(path, exc), file=sys.stderr)
            failed = True
    if dirty:
        print("these notebooks have outputs; clear them with `make clean-notebooks`: " + ", ".join(dirty),
              file=sys.stderr)
    return 1 if dirty or failed else 0


def main(argv: list[str]) -> int:
    if argv == ["--install"]:
        return install()
    if not argv:
        return run_filter()
    if argv[0] == "--check":
        return check_files(argv[1:])
    return clear_files(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
