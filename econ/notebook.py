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

import json
import math
import re
from datetime import date
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd

from econ import arguments, paths, uncertainty
from econ.errors import InputError, shown
from econ.report import write_atomic
from econ.scenario import Parameters, Scenario, load_scenario, parameter_table

#: Which parameter groups each notebook reads (its parameters cell lists these).
NOTEBOOK_MODELS = {
    "00_scenario_overview": ("policy", "revenue", "market_share"),
    "01_revenue_impact": ("policy", "revenue"),
    "02_market_share": ("policy", "market_share"),
    "03_investment_needs": ("investment",),
    "04_sensitivity": ("policy", "revenue", "market_share", "investment"),
}
DEFAULT_DRAWS = arguments.declaration("draws")["default"]
#: Arguments every notebook declares (the rest of :mod:`econ.arguments` is per notebook).
RUN_ARGUMENTS = tuple(n for n in arguments.NAMES if arguments.declaration(n)["notebooks"] is None)
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


def parameters_cell(notebook: str, scenario: str = "may2020_fdpr") -> str:
    """The text of ``notebook``'s parameters cell, generated from the parameter declarations."""
    models = NOTEBOOK_MODELS[notebook]
    lines = [
        f"# Parameters of {notebook}: literal values only; the econ kernel refuses names not declared here.",
        *(_argument_line(name, notebook, scenario) for name in arguments.for_notebook(notebook)),
        "# Overrides of single scenario parameters; None keeps the scenario's value (see `econ params`).",
    ]
    for row in parameter_table():
        if row["model"] in models:
            unit = f"{row['unit']}, {row['range']}" if row["range"] else row["unit"]
            if row["type"].startswith("one of"):
                unit = row["type"]
            lines.append(f"{row['name']}: {_annotation(row)} = None  # {row['meaning']} ({unit})")
    return "\n".join(lines) + "\n"


def notebook_parameters(notebook: str) -> tuple[str, ...]:
    """Names a notebook accepts: the run arguments and its models' parameters."""
    models = NOTEBOOK_MODELS[notebook]
    return arguments.for_notebook(notebook) + tuple(r["name"] for r in parameter_table() if r["model"] in models)


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
    problems += data.check_manifest()
    if problems:
        raise InputError(problems)
    overrides = {name: namespace[name] for name in Parameters.model_fields
                 if namespace.get(name) is not None}
    return load_scenario(scenario, overrides=overrides)


def output_folder(output_dir: str, scenario: Scenario, notebook: str) -> Path:
    """The folder results go to (created): ``output_dir``, or outputs/scratch/SCENARIO/NOTEBOOK when empty.
    A folder inside a published run is refused: published runs are history."""
    folder = Path(output_dir) if output_dir else paths.OUTPUTS / "scratch" / scenario.name / notebook
    if (run := arguments.published_run(folder)) is not None:
        raise InputError.single("notebook arguments", "output_dir", f"{shown(str(folder))} lies in the published "
                                f"run {paths.relative(run)}: published runs are history; choose another folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as e:
        raise InputError.single("notebook arguments", "output_dir", f"cannot create {shown(str(folder))}: "
                                f"{type(e).__name__}: {e}") from None
    return folder


def _shown(value) -> str:
    if uncertainty.is_distribution(value):
        fields = {k: v for k, v in value.model_dump().items() if k != "dist"}
        return f"{value.dist}(" + ", ".join(f"{k}={v:g}" for k, v in fields.items()) + ")"
    if isinstance(value, tuple):
        return "; ".join(str(v) for v in value) if value else "(none)"
    if isinstance(value, date):
        return value.isoformat()
    return f"{value:g}" if isinstance(value, float) else str(value)


def assumptions(scenario: Scenario, models: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The scenario's assumptions as a table: parameter, value, unit, range, meaning, where set."""
    rows = []
    for row in parameter_table():
        if models and row["model"] not in models:
            continue
        rows.append({"parameter": row["name"], "model": row["model"],
                     "value": _shown(scenario.value(row["name"])), "unit": row["unit"],
                     "allowed range": row["range"], "meaning": row["meaning"],
                     "set in": scenario.set_in.get(row["name"], "default")})
    return pd.DataFrame(rows)


def parameter_draws(scenario: Scenario, n: int, models: tuple[str, ...] | None = None) -> pd.DataFrame:
    """p05, p50, p95 of ``n`` seeded draws of each uncertain parameter (tidy: one row each)."""
    rows = []
    for row in parameter_table():
        value = scenario.value(row["name"])
        if (models and row["model"] not in models) or not uncertainty.is_distribution(value):
            continue
        sample = uncertainty.draw(value, n, scenario.seed, row["name"])
        rows.append({"parameter": row["name"], "unit": row["unit"], **uncertainty.interval(sample)})
    return pd.DataFrame(rows, columns=["parameter", "unit", "p05", "p50", "p95"])


def write_results(folder: Path, scenario: Scenario, metrics: dict[str, float]) -> Path:
    """Write ``folder/results.json`` as {"scenario": NAME, "metrics": {...}} (sorted, atomic)."""
    clean = {}
    for name, value in metrics.items():
        value = float(value.item() if isinstance(value, np.generic) else value)
        if not math.isfinite(value):
            raise ValueError(f"metric {name} is {value}; results must be finite numbers")
        clean[name] = round(value, 10)
    path = Path(folder) / "results.json"
    write_atomic(path, json.dumps({"scenario": scenario.name, "metrics": dict(sorted(clean.items()))},
                                  indent=2) + "\n")
    return path


def sync(notebook_path: Path) -> bool:
    """Rewrite a notebook's parameters cell from the declarations, and its kernelspec (the econ
    kernel); True when either changed."""
    nb = nbformat.read(notebook_path, as_version=4)
    for cell in nb.cells:
        if "parameters" in cell.metadata.get("tags", []):
            default = re.search(r'^scenario: str = "([A-Za-z0-9_-]+)"', cell.source, re.MULTILINE)
            text = parameters_cell(notebook_path.stem, *(default.groups() if default else ()))
            if cell.source == text and nb.metadata.get("kernelspec") == KERNELSPEC:
                return False
            cell.source = text
            nb.metadata["kernelspec"] = dict(KERNELSPEC)
            nbformat.write(nb, notebook_path)
            return True
    raise InputError.single(paths.relative(notebook_path), "cells", "no cell tagged 'parameters'")


__all__ = ["assumptions", "max_draws", "parameter_draws", "parameters_cell", "start", "sync", "write_results"]


if __name__ == "__main__":  # python -m econ.notebook: refresh every notebook's parameters cell and kernelspec
    for nb_path in sorted(paths.NOTEBOOKS.glob("[0-9]*.ipynb")):
        print(nb_path.name, "updated" if sync(nb_path) else "unchanged")
