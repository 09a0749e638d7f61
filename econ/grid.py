"""A grid of parameter sets for ``econ run --grid GRID.yaml``: one published run per set, as papermill's
users run a notebook once per ``-f`` file, with a table saying which run holds which set.

GRID.yaml is either a mapping of parameter names to lists of values (every combination is a set)::

    substitution_rate: [0.1, 0.3, 0.5]
    licence_approval_rate: [0.0, 0.45]        # 3 x 2 = 6 runs

or a list of mappings (each one set, as written)::

    - {substitution_rate: 0.1}
    - {substitution_rate: 0.5, draws: 4000}

Every set is checked before the first run starts (unknown names with "did you mean", values against
their declarations, memory). ``-f`` and ``-p`` given with ``--grid`` apply to every set; a set's own
value wins. The runs do not move ``outputs/latest`` (a grid explores around it). The table,
``outputs/grids/GRID_ID.csv`` (set, parameters, run_id, exit_code), lists them; ``econ diff RUN_A RUN_B``
compares two and ``econ.results.load(RUN_ID)`` reads one.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from econ.errors import InputError

#: Most parameter sets one grid may hold (each is a full run).
MAX_SETS = 64


def parse(path: Path) -> list[dict]:
    """The parameter sets of a grid file, in order; InputError naming the file and what is allowed."""
    from econ import _yaml

    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise InputError.single(where, "--grid", "no such file: give a YAML mapping NAME: [VALUES] or a list of "
                                "mappings")
    found = _yaml.read(path, "parameter grid")
    if isinstance(found, dict) and found and all(isinstance(k, str) for k in found):
        bad = [k for k, v in found.items() if not isinstance(v, list) or not v]
        if bad:
            raise InputError([(where, k, "give a non-empty list of values ([0.1, 0.3]); every combination is "
                               "a run") for k in bad])
        sets = [dict(zip(found, combo, strict=True)) for combo in itertools.product(*found.values())]
    elif isinstance(found, list) and found and all(isinstance(s, dict) and s for s in found):
        sets = [dict(s) for s in found]
    else:
        raise InputError.single(where, "--grid", "must be a mapping NAME: [VALUES] (every combination) or a "
                                "list of NAME: VALUE mappings (one run each)")
    if len(sets) > MAX_SETS:
        raise InputError.single(where, "--grid", f"{len(sets)} parameter sets: at most {MAX_SETS} (each is a "
                                "full run); use econ sweep for a fine grid of the model alone")
    return sets


def label(values: dict) -> str:
    """A set in words: ``substitution_rate=0.3, draws=4000``."""
    return ", ".join(f"{k}={json.dumps(v, default=str)}" for k, v in values.items())


def write_table(outputs: Path, rows: list[dict]) -> Path:
    """outputs/grids/GRID_ID.csv (GRID_ID: the first run's id): one row per set, written atomically."""
    import pandas as pd

    from econ import files, safe_text

    folder = Path(outputs) / "grids"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{next(row['run_id'] for row in rows if row['run_id'])}.csv"
    files.write_atomic(path, safe_text.csv_text(pd.DataFrame(rows, columns=["set", "parameters", "run_id",
                                                                             "exit_code"])))
    return path
