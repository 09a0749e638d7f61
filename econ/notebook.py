"""What the notebooks call: start a scenario from the parameters cell, show assumptions, record results.

A notebook's parameters cell holds its arguments (``scenario``, ``output_dir``, ``draws``, ...,
declared in :mod:`econ.arguments`), then one line per scenario parameter the notebook reads,
defaulting to ``None`` ("keep the scenario's value"). papermill's ``-p NAME VALUE`` (or ``-y`` for a
distribution) overrides one of them; the value is validated exactly like a scenario file. The cell's
text is generated from the declarations (:func:`parameters_cell`), its first line marks it for the
econ kernel's guard (:mod:`econ.kernel`), and a test checks each notebook still matches.
``python -m econ.notebook`` rewrites every notebook's parameters cell and kernelspec.
"""

from __future__ import annotations

import difflib
import json
import math
from datetime import date
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd

from econ import arguments, files, paths, uncertainty
from econ.arguments import ALL_STAGES, NOTEBOOK_STAGES, notebook_groups, notebook_parameters  # noqa: F401
from econ.errors import InputError, shown
from econ.model.stage import Figure
from econ.scenario import Parameters, Scenario, load_scenario, parameter_table
from econ.scenario.evidence import evidence
from econ.words import parameter_label, parameter_meaning, shown_value

#: Notebooks that take no scenario and run once per run (:data:`econ.arguments.RUN_WIDE`), in the run's
#: :data:`econ.paths.RUN_WIDE_FOLDER`.
RUN_WIDE = arguments.RUN_WIDE
RUN_WIDE_FOLDER = paths.RUN_WIDE_FOLDER


DEFAULT_DRAWS = arguments.declaration("draws")["default"]
#: The kernel the notebooks name (installed with the package: see econ.kernel).
KERNELSPEC = {"name": "econ", "display_name": "Python 3 (econ)", "language": "python"}


def _annotation(row: dict) -> str:
    if row["type"] == "number or distribution":
        return "float"
    if row["type"].startswith("list"):
        return "list"
    return {"date": "str", "int": "int", "float": "float"}.get(row["type"], "str")


def max_draws(notebook: str) -> int:
    """The most Monte Carlo draws ``notebook`` accepts: its memory estimate stays within
    :data:`econ.memory.BUDGET` (2 GB) with its other arguments at their defaults."""
    return arguments.max_draws(notebook)


def _argument_line(name: str, notebook: str, scenario: str) -> str:
    d = arguments.declaration(name)
    default = scenario if name == "scenario" else d["default"]
    code = f'"{default}"' if isinstance(default, str) else str(default)
    if d["low"] is None:
        return f"{name}: {d['type']} = {code}  # {d['meaning']}"
    high = arguments.max_value(notebook, name) if name in ("draws", "sobol_base", "sweep_steps") else d["high"]
    return f"{name}: {d['type']} = {code}  # {d['meaning']} ({d['unit']}, [{d['low']}, {high}])"


def parameters_cell(notebook: str, scenario: str | None = None) -> str:
    """The text of ``notebook``'s parameters cell, generated from the parameter declarations (every
    notebook opens on the declared default scenario unless ``scenario`` says otherwise)."""
    scenario = scenario or arguments.Arguments.model_fields["scenario"].default
    groups = notebook_groups(notebook)
    lines = [
        f"# Parameters of {notebook}: literal values only; the econ kernel refuses names not declared here.",
        *(_argument_line(name, notebook, scenario) for name in arguments.for_notebook(notebook)),
    ]
    if groups:
        lines.append("# Overrides of single scenario parameters; None keeps the scenario's value (see `econ params`).")
    for row in parameter_table():
        if row["group"] in groups:
            unit = f"{row['unit']}, {row['range']}" if row["range"] else row["unit"]
            if row["type"].startswith("one of"):
                unit = row["type"]
            lines.append(f"{row['name']}: {_annotation(row)} = None  # {row['meaning']} ({unit})")
    return "\n".join(lines) + "\n"


def start(scenario: str, namespace: dict) -> Scenario:
    """Load ``scenario`` with the overrides set in the notebook's parameters cell, after checking them.

    ``namespace`` is the notebook's ``globals()``: its notebook arguments (``draws``, ``output_dir``,
    ...) are validated as declared (:mod:`econ.arguments`, memory included), every scenario parameter
    name bound to a value other than ``None`` becomes an override, and the data files must match
    data/manifest.yaml. Raises :class:`~econ.errors.InputError` naming each problem, before any work;
    in IPython it shows as one message.
    """
    from econ import data, kernel

    scenario = str(scenario) if isinstance(scenario, Path) else scenario
    given = {name: namespace[name] for name in arguments.NAMES if name in namespace} | {"scenario": scenario}
    problems = arguments.check(given, kernel.current_notebook(), "notebook arguments")
    problems += data.check_manifest() + _near_misses(namespace)
    if problems:
        raise InputError(problems)
    overrides = {name: namespace[name] for name in Parameters.model_fields
                 if namespace.get(name) is not None}
    return load_scenario(scenario, overrides=overrides)


#: How alike a notebook's variable must be to a parameter's name to be taken for a typo of it.
NEAR_MISS = 0.9


def _near_misses(namespace: dict) -> list[tuple[str, str, str]]:
    """A value bound to a name one typo away from a parameter's (``substitution_rat = 0.3``) would be
    ignored without a word wherever the guard did not see the cell: refused with "did you mean"."""
    from econ.errors import suggest

    known = sorted(set(arguments.NAMES) | set(Parameters.model_fields))
    found = []
    for name, value in namespace.items():
        if name.startswith("_") or name in known or not isinstance(value, int | float | str | list | dict):
            continue
        # a typo is a letter or two away (ratio 0.9: substitution_rat); a notebook's own variables are not
        if difflib.get_close_matches(name, known, n=1, cutoff=NEAR_MISS):
            found.append(("notebook", name, f"not a parameter{suggest(name, known)}; see `econ params`"))
    return found


def start_run_wide(namespace: dict) -> None:
    """The check :func:`start` makes, for a notebook that takes no scenario (:data:`RUN_WIDE`): its
    arguments as declared (memory included) and the data files against data/manifest.yaml."""
    from econ import data, kernel

    given = {name: namespace[name] for name in arguments.NAMES if name in namespace}
    problems = arguments.check(given, kernel.current_notebook(), "notebook arguments") + data.check_manifest()
    if problems:
        raise InputError(problems)


def output_folder(output_dir: str, scenario: Scenario | None, notebook: str) -> Path:
    """The folder results go to (created): ``output_dir``, or outputs/scratch/SCENARIO/NOTEBOOK when empty
    (``_run`` for a notebook that takes no scenario). A folder inside a published run is refused:
    published runs are history."""
    name = scenario.name if scenario is not None else RUN_WIDE_FOLDER
    folder = Path(output_dir) if output_dir else paths.OUTPUTS / "scratch" / name / notebook
    if (run := arguments.published_run(folder)) is not None:
        raise InputError.single("notebook arguments", "output_dir", f"{shown(str(folder))} lies in the published "
                                f"run {paths.relative(run)}: published runs are history; choose another folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as e:
        raise InputError.single("notebook arguments", "output_dir", f"cannot create {shown(str(folder))}: "
                                f"{type(e).__name__}: {e}") from None
    return folder


def assumptions(scenario: Scenario, models: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The scenario's assumptions as a table: parameter, value, unit, range, meaning, where set, and the
    evidence for the value (the scenario file's comment above it, or that it is a judgement)."""
    rows = []
    for row in parameter_table():
        if models and row["group"] not in models:
            continue
        where = scenario.set_in.get(row["name"], "default")
        rows.append({"parameter": row["name"], "group": row["group"],
                     "value": shown_value(scenario.value(row["name"])), "unit": row["unit"],
                     "allowed range": row["range"], "meaning": row["meaning"], "set in": where,
                     "evidence": evidence(row["name"], where, row["range"])})
    return pd.DataFrame(rows)


def parameter_draws(scenario: Scenario, n: int, models: tuple[str, ...] | None = None) -> pd.DataFrame:
    """p05, p50, p95 of ``n`` seeded draws of each uncertain parameter (tidy: one row each)."""
    rows = []
    for row in parameter_table():
        value = scenario.value(row["name"])
        if (models and row["group"] not in models) or not uncertainty.is_distribution(value):
            continue
        sample = uncertainty.draw(value, n, scenario.seed, row["name"])
        rows.append({"parameter": row["name"], "unit": row["unit"], **uncertainty.interval(sample)})
    return pd.DataFrame(rows, columns=["parameter", "unit", "p05", "p50", "p95"])


def overview_figures(scenario: Scenario, ranges: pd.DataFrame) -> list[Figure]:
    """What notebook 00 records: how many assumptions are uncertain and how many product categories
    the rule covers, and each uncertain assumption's median and p05-p95."""
    found = [Figure("uncertain_parameters", "Uncertain assumptions", "count", "World", None, float(len(ranges))),
             Figure("covered_categories", "Product categories the rule covers", "count", "World", None,
                    float(len(scenario.parameters.covered_categories)))]
    found += [Figure(r.parameter, f"Assumption: {parameter_label(r.parameter)}", r.unit, "World", None, r.p50, r.p05,
                     r.p95, meaning=parameter_meaning(r.parameter), median_key=f"{r.parameter}_p50")
              for r in ranges.itertuples()]
    return found


def write_results(folder: Path, scenario: Scenario | None, found: list[Figure], differences=(),
                  trajectories=()) -> Path:
    """Write ``folder/results.json`` (sorted, atomic) from the notebook's figures::

        {"scenario": NAME, "figures": [{metric, label, unit, region, year, median, p05, p95, ...}, ...],
         "metrics": {METRIC: number, ...}, "units": {METRIC: unit, ...}, "overrides": {PARAMETER: value, ...}}

    ``figures`` holds each figure as a record, ``differences`` the paired differences the notebook
    computed (:mod:`econ.model.differences`), if any, ``trajectories`` the yearly paths of the world it
    assessed (:func:`econ.trajectories.of_world`: the IAMC file's years), if any; ``metrics`` and
    ``units`` are the older flat keys (``NAME``, ``NAME_p05``, ``NAME_p95``) for the tools that read them.
    ``overrides`` lists what the run changed from the scenario's files, so a modified run is never mistaken for the shipped
    scenario. A notebook that takes no scenario passes ``None``: its ``scenario`` is ``_run``. An older
    notebook's ``{metric: number}`` is still accepted: each number becomes a figure without a unit.
    """
    if isinstance(found, dict):  # an older notebook's {metric: number}: each becomes a figure without a unit
        found = [Figure(k, k, "", "World", None, v) for k, v in found.items()]
    records, metrics, units = [], {}, {}
    for f in found:
        record = f.record()
        for key in ("median", "p05", "p95"):
            value = record[key]
            if value is not None:
                value = float(value.item() if isinstance(value, np.generic) else value)
                if not math.isfinite(value):
                    raise ValueError(f"figure {f.metric} ({key}) is {value}; results must be finite numbers")
                record[key] = round(value, 10)
        records.append(record)
        for key, value in f.legacy().items():
            metrics[key], units[key] = round(float(value), 10), f.unit
    overrides = {k: _plain_value(v) for k, v in sorted(scenario.overrides.items())} if scenario is not None else {}
    name = scenario.name if scenario is not None else RUN_WIDE_FOLDER
    path = Path(folder) / "results.json"
    document = {"scenario": name, "figures": records, "metrics": dict(sorted(metrics.items())),
                "units": dict(sorted(units.items())), "overrides": overrides}
    if differences:
        document["differences"] = [_finite(d.record()) for d in differences]
    if trajectories:
        document["trajectories"] = list(trajectories)
    files.write_atomic(path, json.dumps(document, indent=2) + "\n")
    return path


def _finite(record: dict) -> dict:
    """A record with its numbers as plain rounded floats (a NaN or infinity is refused)."""
    out = {}
    for key, value in record.items():
        if isinstance(value, float | np.floating):
            if not math.isfinite(value):
                raise ValueError(f"{record.get('metric')} ({key}) is {value}; results must be finite numbers")
            value = round(float(value), 10)
        out[key] = value
    return out


def _plain_value(value):
    """An override as JSON can hold it (a distribution as its mapping, a date as ISO text)."""
    if uncertainty.is_distribution(value):
        return value.model_dump()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain_value(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value


def sync(notebook_path: Path) -> bool:
    """Rewrite a notebook's parameters cell from the declarations, and its kernelspec (the econ
    kernel); True when either changed."""
    nb = nbformat.read(notebook_path, as_version=4)
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            text = parameters_cell(notebook_path.stem)
            if cell.source == text and nb.metadata.get("kernelspec") == KERNELSPEC:
                return False
            cell.source = text
            nb.metadata["kernelspec"] = dict(KERNELSPEC)
            nbformat.write(nb, notebook_path)
            return True
    raise InputError.single(paths.relative(notebook_path), "cells", "no cell tagged 'parameters'")


__all__ = ["RUN_WIDE", "RUN_WIDE_FOLDER", "assumptions", "max_draws", "overview_figures", "parameter_draws",
           "parameters_cell", "start", "start_run_wide", "sync", "write_results"]


if __name__ == "__main__":  # python -m econ.notebook: refresh every notebook's parameters cell and kernelspec
    for nb_path in sorted(paths.NOTEBOOKS.glob("[0-9]*.ipynb")):
        print(nb_path.name, "updated" if sync(nb_path) else "unchanged")
