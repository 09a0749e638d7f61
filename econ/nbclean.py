"""Notebooks without outputs: what a commit of notebooks/ holds (standard library only, so git can
run it before any environment exists).

``python3 econ/nbclean.py < in.ipynb > out.ipynb``
    the git clean filter (``.gitattributes``: ``notebooks/*.ipynb filter=econ-notebook``; the
    bootstrap, ``make``, registers it with ``git config``): what JupyterLab's autosave wrote
    into a notebook (outputs, execution counts, cell timings) never reaches a commit, while the
    file you work in keeps them.
``python3 econ/nbclean.py FILE ...``
    clears the files in place (``make clean-notebooks``); prints the ones it changed.
``python3 econ/nbclean.py --check FILE ...``
    exits 1 naming the files that have outputs.
``python3 econ/nbclean.py --install``
    registers the filter in this clone's git config (what ``make`` does; the one command for anyone
    who installs with conda or pip and never runs ``make``).

The JSON is written the way nbformat and JupyterLab write it (indent 1, sorted keys, a final
newline), so a clean notebook passes through unchanged.
"""

from __future__ import annotations

import json
import sys

#: Cell metadata that records a session, not the notebook.
SESSION_METADATA = ("execution", "collapsed", "scrolled")


def clean(nb: dict) -> dict:
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        for key in SESSION_METADATA:
            cell.get("metadata", {}).pop(key, None)
    return nb


def dumps(nb: dict) -> str:
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def is_clean(nb: dict) -> bool:
    return all(not c.get("outputs") and c.get("execution_count") is None
               for c in nb.get("cells", []) if c.get("cell_type") == "code")


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


def main(argv: list[str]) -> int:
    if argv == ["--install"]:
        return install()
    if not argv:
        text = sys.stdin.read()
        try:
            sys.stdout.write(dumps(clean(json.loads(text))))
        except ValueError:  # not JSON (a half-written file): pass it through untouched
            sys.stdout.write(text)
        return 0
    check = argv[0] == "--check"
    dirty = []
    for path in argv[1:] if check else argv:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        nb = json.loads(text)
        if check:
            if not is_clean(nb):
                dirty.append(path)
            continue
        new = dumps(clean(nb))
        if new != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
            print(f"cleared {path}")
    if dirty:
        print("these notebooks have outputs; clear them with `make clean-notebooks`: " + ", ".join(dirty),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
