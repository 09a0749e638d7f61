"""Figures a batch run has already computed, shared between its notebooks.

Every page of a scenario compares it with its parents and the baseline over the same common draws
(:mod:`econ.model.differences`), and the shipped scenarios share one seed, so within one run the same
(scenario, draws, stage) figures are computed again and again: the baseline's for every scenario's
every page, a scenario's own on each of its pages. ``econ run`` names a folder of its run in
``ECON_FIGURE_CACHE``; while it is set, :func:`figures` keeps each stage's figures there and every
notebook of the run reads them instead of assessing the same world again. The folder is made private
to the user, removed when the workers finish, and never published (``econ share`` leaves it out).
Unset (JupyterLab, tests, ``econ compare``), nothing is kept and every figure is computed.

The key is everything that determines a stage's figures: the scenario's parameters and seed, the
draws, the stage, and digests of the model's code (econ/) and of every file in data/ (the baseline
a counterfactual is read from included), so a folder kept by hand can never hand back figures of
other code or data. Files hold arrays and JSON only (NumPy's ``.npz`` without pickles), so a file
planted in the folder cannot run code; a file that cannot be read is computed again.

The figures are the same numbers either way: a stage's figures do not depend on which other stages
were asked for in the same assessment (tests/test_differences.py checks this).
"""

from __future__ import annotations

import dataclasses
import functools
import io
import json
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from econ import digests, files, paths
from econ.model import world
from econ.model.stage import Figure
from econ.scenario import Scenario

#: The environment variable that names the cache folder (set by ``econ run`` for its workers).
VARIABLE = "ECON_FIGURE_CACHE"
#: The folder's name inside a run (``econ share`` and the run's checksums leave it out).
FOLDER = ".figure_cache"
_FIELDS = tuple(f.name for f in dataclasses.fields(Figure) if f.name != "draws")


def folder() -> Path | None:
    """The run's cache folder, or None when no run has set one."""
    text = os.environ.get(VARIABLE, "")
    return Path(text) if text else None


@functools.lru_cache(maxsize=1)
def _versions() -> dict:
    """Digests of econ's source, of data/ and of its scenario files (a counterfactual reads baseline.yaml),
    as a job's input hash takes them (:mod:`econ.digests`); read once per process: none changes within a run
    (a run that sees an input change says so)."""
    return {"code": digests.source_digest(), "data": digests.data_digest(),
            "scenarios": digests.tree(paths.SCENARIOS, ["*.yaml", "*.yml"])}


def key(scenario: Scenario, draws: int, stage: str) -> str:
    """What determines a stage's figures, hashed."""
    what = {"parameters": scenario.parameters.model_dump(mode="json"), "seed": scenario.seed, "draws": draws,
            "stage": stage, **_versions()}
    return digests.sha256(json.dumps(what, sort_keys=True, default=str).encode())


def _plain(value):
    """A NumPy scalar as the Python number it holds (so a year stays a whole number)."""
    return value.item() if hasattr(value, "item") else str(value)


def _encode(found: list[Figure]) -> bytes:
    records = [{k: getattr(f, k) for k in _FIELDS} for f in found]
    arrays = {f"draws_{i}": f.draws for i, f in enumerate(found) if f.draws is not None}
    buffer = io.BytesIO()
    np.savez(buffer, records=np.array(json.dumps(records, default=_plain)), **arrays)
    return buffer.getvalue()


def _read(path: Path) -> list[Figure] | None:
    """The figures kept in ``path``, or None if there are none or they cannot be read."""
    try:
        with np.load(path, allow_pickle=False) as kept:
            records = json.loads(str(kept["records"]))
            return [Figure(**r, draws=kept[f"draws_{i}"] if f"draws_{i}" in kept.files else None)
                    for i, r in enumerate(records)]
    except Exception:  # missing, partial, planted or from another layout: compute it again
        return None


def _keep(where: Path, path: Path, found: list[Figure]) -> None:
    try:
        where.mkdir(mode=0o700, exist_ok=True)  # the run's folder must exist: a finished run's is not made again
        files.write_atomic(path, _encode(found))
    except OSError:
        pass  # a cache that cannot be written is a cache not kept


def figures(scenario: Scenario, draws: int, stages: Iterable[str] | None = None) -> list[Figure]:
    """``world.assess(scenario, draws, stages).figures(stages)``, reading and keeping each stage's figures
    in the run's cache folder when one is set."""
    stages = list(stages) if stages else None
    where = folder()
    if where is None:
        return world.assess(scenario, draws, stages).figures(stages)
    order = stages or list(world.upstream_of(world.stages()))
    paths_ = {name: where / f"{key(scenario, draws, name)}.npz" for name in order}
    found = {name: _read(path) for name, path in paths_.items()}
    missing = [name for name in order if found[name] is None]
    if missing:
        result = world.assess(scenario, draws, missing)
        for name in missing:
            found[name] = result.figures([name])
            _keep(where, paths_[name], found[name])
    return [f for name in order for f in found[name]]


__all__ = ["FOLDER", "VARIABLE", "figures", "folder", "key"]
