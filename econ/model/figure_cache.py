"""Figures a batch run has already computed, shared between its notebooks.

Every page of a scenario compares it with its parents and the baseline over the same common draws
(:mod:`econ.model.differences`), and the shipped scenarios share one seed, so within one run the same
(scenario, draws, stage) figures are computed again and again: the baseline's for every scenario's
every page, a scenario's own on each of its pages. ``econ run`` names a folder of its run in
``ECON_FIGURE_CACHE``; while it is set, :func:`figures` keeps each stage's figures there, keyed by
what determines them (the scenario's parameters and seed, the draws and the stage; the code and data
cannot change within a run, and a run that sees an input change says so), and every notebook of the
run reads them instead of assessing the same world again. The folder is removed when the run ends.
Unset (JupyterLab, tests, ``econ compare``), nothing is kept and every figure is computed.

The figures are the same numbers either way: a stage's figures do not depend on which other stages
were asked for in the same assessment (tests/test_differences.py checks this).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Iterable
from pathlib import Path

from econ import files
from econ.model import world
from econ.model.stage import Figure
from econ.scenario import Scenario

#: The environment variable that names the cache folder (set by ``econ run`` for its workers).
VARIABLE = "ECON_FIGURE_CACHE"


def folder() -> Path | None:
    """The run's cache folder, or None when no run has set one."""
    text = os.environ.get(VARIABLE, "")
    return Path(text) if text else None


def key(scenario: Scenario, draws: int, stage: str) -> str:
    """What determines a stage's figures within a run, hashed."""
    what = {"parameters": scenario.parameters.model_dump(mode="json"), "seed": scenario.seed, "draws": draws,
            "stage": stage}
    return hashlib.sha256(json.dumps(what, sort_keys=True, default=str).encode()).hexdigest()


def _read(path: Path) -> list[Figure] | None:
    try:
        with open(path, "rb") as f:
            return pickle.load(f)  # written by this run's own workers, in the run's own folder
    except (OSError, EOFError, pickle.UnpicklingError):
        return None


def figures(scenario: Scenario, draws: int, stages: Iterable[str] | None = None) -> list[Figure]:
    """``world.assess(scenario, draws, stages).figures(stages)``, reading and keeping each stage's figures
    in the run's cache folder when one is set."""
    stages = list(stages) if stages else None
    where = folder()
    if where is None:
        return world.assess(scenario, draws, stages).figures(stages)
    order = stages or list(world.upstream_of(world.stages()))
    paths = {name: where / f"{key(scenario, draws, name)}.pickle" for name in order}
    found = {name: _read(path) for name, path in paths.items()}
    missing = [name for name in order if found[name] is None]
    if missing:
        result = world.assess(scenario, draws, missing)
        for name in missing:
            found[name] = result.figures([name])
            try:
                where.mkdir(parents=True, exist_ok=True)
                files.write_atomic(paths[name], pickle.dumps(found[name], protocol=pickle.HIGHEST_PROTOCOL))
            except OSError:
                pass  # a cache that cannot be written is a cache not kept
    return [f for name in order for f in found[name]]


__all__ = ["VARIABLE", "figures", "folder", "key"]
