"""What a run records about its inputs: the hash of every input of each job (what ``--resume``
compares), the data files' hashes, the versions of what computes and publishes, the git commit.

A job's input hash covers the notebook's bytes, the injected parameters, the resolved scenario and
the contents of every scenario file it inherits from, the SHA-256 of every file in data/, econ's
version and source, the versions of Python and of the packages below, the digest of the lock file
(requirements-lock.txt, what the environment was installed from), and ``--show-code``. It does
not cover the engine (papermill or warm): both produce the same results.
"""

from __future__ import annotations

import json
import platform
import subprocess
from pathlib import Path

from econ import __version__, lockfile, paths
from econ.digests import data_digest, sha256, source_digest
from econ.scenario import Scenario

#: Packages whose version is part of each job's input hash and of the manifest: every package the
#: model and the publishing import (numba and llvmlite compile the stages' loops; SALib's sampler is the
#: reference the Sobol design is built to equal, element for element;
#: dask and distributed run a cluster; fastparquet writes results.parquet).
VERSIONED = ("altair", "dask", "distributed", "fastparquet", "ipykernel", "llvmlite", "nbclient", "nbconvert", "numba",
             "numpy", "pandas", "pandera", "papermill", "pydantic", "salib", "scipy", "statsmodels",
             "vl-convert-python")


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version(), "econ": __version__}
    for name in VERSIONED:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    found["blas"] = blas()
    found["cpu"] = cpu()
    return found


def blas() -> str:
    """The BLAS numpy was built with and runs (name and version), e.g. "scipy-openblas 0.3.29"."""
    import numpy as np

    try:
        config = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{config.get('name', '?')} {config.get('version', '?')}".strip()
    except Exception:  # noqa: BLE001 - an unusual numpy build: say so rather than fail the run
        return "unknown"


def cpu() -> str:
    """The CPU's model name and architecture (results do not depend on it by design; recorded so a
    difference can be traced, and a resume on another machine reruns)."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith(("model name", "hardware", "cpu model")):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model or platform.processor() or 'unknown'} ({platform.machine()})"


def digest(found: dict) -> str:
    """A short digest of a versions mapping (what results.json carries to name its environment)."""
    return sha256(json.dumps(found, sort_keys=True).encode())[:16]


def hash_context() -> dict:
    """What every job of a run shares in its input hash: data, versions and econ's own source."""
    return {"data": data_digest(), "versions": versions(), "lock_sha256": lockfile.digest(),
            # the package's own source: a model change without a version bump still reruns
            "econ_source": source_digest()}


def scenario_digest(scn: Scenario) -> dict:
    """A scenario's files (their hashes) and its resolved content, as a job's input hash holds them."""
    files = {}
    for f in scn.files:
        path = Path(f) if Path(f).is_absolute() else paths.ROOT / f
        files[f] = sha256(path.read_bytes()) if path.exists() else "missing"
    return {"files": files, "resolved": scn.model_dump(mode="json", exclude={"files", "set_in"})}


def input_hash(nb_bytes: bytes, params: dict, scenario: dict, context: dict, show_code: bool) -> str:
    """The hash a job is resumed by: equal hashes, equal results. ``scenario`` is :func:`scenario_digest`."""
    payload = {"notebook": sha256(nb_bytes), "parameters": params, "scenario": scenario,
               "show_code": show_code, **context}
    return sha256(json.dumps(payload, sort_keys=True, default=str).encode())


def git_commit() -> dict:
    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=paths.ROOT, capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.SubprocessError):
            return ""

    # untracked files count where they are inputs (a new scenario file, a notebook, a module)
    untracked = [line[3:] for line in git("status", "--porcelain", "--untracked-files=all", "--", "data",
                                          "notebooks", "econ").splitlines() if line.startswith("??")]
    return {"commit": git("rev-parse", "HEAD").strip() or "unknown",
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no").strip()) or bool(untracked),
            "untracked_inputs": untracked}


def describe() -> str:
    """``econ --version``: the package's version, and the commit and Python it runs from."""
    import sys

    info = git_commit()
    commit = "" if info["commit"] == "unknown" else \
        f", commit {info['commit'][:12]}{' with uncommitted changes' if info['dirty'] else ''}"
    return f"econ {__version__}{commit} (Python {sys.version.split()[0]})"
