"""econ/nbclean.py, the notebook cleaner: git's clean filter and `make clean-notebooks`.

It rewrites the files people work in, so it must never leave one half-written, must go on past a
corrupt notebook while saying which one it was, and must clear both notebook formats in use. The
script runs under the system python3 (git and make call it so), and most tests call it that way too.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess

import pytest

from econ import nbclean, paths

SCRIPT = str(paths.ROOT / "econ" / "nbclean.py")


def v4_notebook(source: str = "x = 1") -> dict:
    """A notebook as JupyterLab saves it after a run: one code cell with an output and a count."""
    return {
        "cells": [{"cell_type": "code", "execution_count": 3, "id": "a1",
                   "metadata": {"execution": {"iopub.status.busy": "2024-01-01"}, "tags": ["keep"]},
                   "outputs": [{"name": "stdout", "output_type": "stream", "text": ["1\n"]}],
                   "source": [source]}],
        "metadata": {"kernelspec": {"display_name": "econ", "language": "python", "name": "econ"}},
        "nbformat": 4, "nbformat_minor": 5,
    }


def v3_notebook() -> dict:
    """An nbformat 3 notebook (cells inside worksheets, ``prompt_number``) saved with an output."""
    return {
        "metadata": {"name": "old"}, "nbformat": 3, "nbformat_minor": 0,
        "worksheets": [{"metadata": {}, "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Old"]},
            {"cell_type": "code", "collapsed": False, "input": ["print(1)"], "language": "python",
             "metadata": {}, "prompt_number": 7,
             "outputs": [{"output_type": "stream", "stream": "stdout", "text": ["1\n"]}]},
        ]}],
    }


def write(path, nb: dict) -> bytes:
    data = json.dumps(nb, indent=2).encode("utf-8")
    path.write_bytes(data)
    return data


def run(*args: str, stdin: bytes | None = None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["python3", "-B", SCRIPT, *args], input=stdin, capture_output=True, **kwargs)


def test_filter_clears_outputs_and_keeps_code():
    done = run(stdin=json.dumps(v4_notebook("y = 2")).encode())
    assert done.returncode == 0, done.stderr
    cell = json.loads(done.stdout)["cells"][0]
    assert cell["outputs"] == [] and cell["execution_count"] is None and cell["source"] == ["y = 2"]
    assert cell["metadata"] == {"tags": ["keep"]}
    again = run(stdin=done.stdout)
    assert again.stdout == done.stdout, "a clean notebook passes through unchanged"


@pytest.mark.parametrize("corrupt", [b'{"cells": [{"cell_type": "code", "sou', b"", b'{"a": 1}', b"[1, 2]",
                                     b'{"nbformat": 4, "cells": {"0": {}}}'],
                         ids=["truncated", "empty", "object", "list", "cells-not-list"])
def test_filter_fails_on_corrupt_input(corrupt):
    """Git keeps the file on disk when its clean filter fails; a filter that exits 0 commits what it printed."""
    done = run(stdin=corrupt)
    assert done.returncode != 0 and done.stdout == b""
    message = done.stderr.decode()
    assert message.startswith("nbclean: <stdin>:") and message.count("\n") == 1


def test_corrupt_notebook_is_named_and_the_others_are_cleared(tmp_path):
    first, broken, not_a_notebook, last = (tmp_path / f"{n}.ipynb" for n in ("a", "b", "c", "d"))
    write(first, v4_notebook("first = 1"))
    broken_bytes = b'{"cells": [{"cell_type": "code", "outputs": [{"te'
    broken.write_bytes(broken_bytes)
    foreign = write(not_a_notebook, {"title": "a JSON file, not a notebook"})
    write(last, v4_notebook("last = 1"))

    done = run(*map(str, (first, broken, not_a_notebook, last)), text=True)

    assert done.returncode == 1
    errors = done.stderr.splitlines()
    assert len(errors) == 2 and str(broken) in errors[0] and str(not_a_notebook) in errors[1]
    assert "not JSON" in errors[0] and "not a notebook" in errors[1]
    assert broken.read_bytes() == broken_bytes and not_a_notebook.read_bytes() == foreign
    for path, source in ((first, "first = 1"), (last, "last = 1")):
        cell = json.loads(path.read_text())["cells"][0]
        assert cell["outputs"] == [] and cell["source"] == [source]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.ipynb", "b.ipynb", "c.ipynb", "d.ipynb"]


def test_check_names_corrupt_notebook_instead_of_crashing(tmp_path):
    (tmp_path / "bad.ipynb").write_text("{")
    done = run("--check", str(tmp_path / "bad.ipynb"), text=True)
    assert done.returncode == 1 and "Traceback" not in done.stderr and "bad.ipynb" in done.stderr


class DiskFullAfterHalf:
    """A file object whose write puts half the bytes on disk and then fails as a full disk does."""

    def __init__(self, f):
        self.f = f

    def write(self, data):
        self.f.write(data[: len(data) // 2])
        self.f.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self.f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.f.close()


def test_failed_write_leaves_the_original_intact(tmp_path, monkeypatch, capsys):
    path = tmp_path / "work.ipynb"
    original = write(path, v4_notebook())
    real_fdopen = os.fdopen
    monkeypatch.setattr(os, "fdopen", lambda *a, **k: DiskFullAfterHalf(real_fdopen(*a, **k)))

    status = nbclean.main([str(path)])

    assert status == 1
    assert path.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["work.ipynb"], "the temporary file is removed"
    message = capsys.readouterr().err
    assert str(path) in message and "No space left" in message


def test_file_size_limit_midway_leaves_the_original_intact(tmp_path):
    """The same with a real failing write: the kernel refuses bytes past RLIMIT_FSIZE (EFBIG)."""
    resource = pytest.importorskip("resource")
    path = tmp_path / "work.ipynb"
    original = write(path, v4_notebook())
    limit = len(nbclean.dumps(nbclean.clean(v4_notebook()))) // 2
    done = run(str(path), text=True, preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    assert done.returncode == 1 and str(path) in done.stderr
    assert path.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["work.ipynb"]


def test_rewrite_keeps_mode_and_symlink(tmp_path):
    path = tmp_path / "work.ipynb"
    write(path, v4_notebook())
    path.chmod(0o640)
    link = tmp_path / "link.ipynb"
    link.symlink_to(path.name)
    done = run(str(link), text=True)
    assert done.returncode == 0 and done.stdout == f"cleared {link}\n"
    assert link.is_symlink() and (path.stat().st_mode & 0o777) == 0o640
    assert json.loads(path.read_text())["cells"][0]["outputs"] == []


def test_v3_notebook_outputs_are_cleared(tmp_path):
    done = run(stdin=json.dumps(v3_notebook()).encode())
    assert done.returncode == 0, done.stderr
    cleaned = json.loads(done.stdout)
    code = cleaned["worksheets"][0]["cells"][1]
    assert code["outputs"] == [] and "prompt_number" not in code and code["input"] == ["print(1)"]
    assert cleaned["nbformat"] == 3 and "cells" not in cleaned, "the v3 structure is kept, not half-converted"
    assert nbclean.is_clean(cleaned) and not nbclean.is_clean(v3_notebook())

    path = tmp_path / "old.ipynb"
    write(path, v3_notebook())
    assert run("--check", str(path)).returncode == 1
    assert run(str(path)).returncode == 0 and run("--check", str(path)).returncode == 0


def test_unsupported_nbformat_is_refused_with_the_conversion():
    done = run(stdin=json.dumps({"nbformat": 2, "worksheets": []}).encode(), text=False)
    assert done.returncode == 1 and b"jupyter nbconvert --to notebook --nbformat 4" in done.stderr
