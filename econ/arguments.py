"""Notebook arguments: what a notebook run takes besides the scenario's parameters, declared once.

Each argument has a type, a default, a unit, a valid range, a one-line meaning and the notebooks
that declare it, like the scenario parameters in :class:`econ.scenario.Parameters`. The declaration
drives the notebooks' parameters cells (:func:`econ.notebook.parameters_cell`), and
:func:`check` validates values the same way on every path: the econ kernel's guard (before
papermill's injected cell runs), :func:`econ.notebook.start` (any kernel), and ``econ run -p``.

Sizes (``draws``, ``sobol_base``, ``sweep_steps``) are also checked against the memory a run may use
(:mod:`econ.memory`), before any work.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from pydantic import Field, ValidationError, field_validator, model_validator

from econ import memory, paths
from econ.errors import InputError, shown, suggest
from econ.scenario import SAFE_NAME, SAFE_NAME_RULE, StrictModel, message, parameter_table

#: The notebooks that take the sensitivity notebook's own arguments (the others are every notebook's).
SENSITIVITY = ("04_sensitivity",)
#: Notebooks that take no scenario: they do not depend on one (the back-test scores the shipped
#: scenarios that stand for history), so a run executes each once, not once per scenario.
RUN_WIDE = ("05_backtest",)
#: Longest path accepted for ``scenario`` or ``output_dir``.
MAX_PATH = 1024
#: Altair refuses a chart of more than 5,000 rows: the heat map has sweep_steps squared cells.
MAX_SWEEP_STEPS = 70


def argument(default, *, unit: str, meaning: str, notebooks: tuple[str, ...] | None = None, low=None, high=None,
             except_notebooks: tuple[str, ...] = ()):
    """Declare a notebook argument: default, unit, valid range [low, high], meaning, and the notebooks
    that take it (None: every notebook, a new one included, but ``except_notebooks``)."""
    return Field(default, description=meaning,
                 json_schema_extra={"unit": unit, "low": low, "high": high, "notebooks": notebooks,
                                    "except_notebooks": except_notebooks})


def numeric_parameters() -> tuple[str, ...]:
    """Scenario parameters a sweep can move: numbers, points or distributions (dates, lists and choices cannot)."""
    return tuple(r["name"] for r in parameter_table() if r["type"] in ("number or distribution", "int", "float"))


def published_run(folder: Path) -> Path | None:
    """The published run that ``folder`` lies in (``outputs/runs/RUN_ID`` or any ``runs/RUN_ID`` holding a
    manifest.json), or None. Runs in progress (``runs/.RUN_ID.partial``) are not published."""
    try:
        folder = folder.resolve()
        runs = (paths.OUTPUTS / "runs").resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop: creating it fails later, by name
        return None
    for candidate in (folder, *folder.parents):
        if candidate.parent == runs and not candidate.name.startswith("."):
            return candidate
        if (candidate.parent.name == "runs" and not candidate.name.startswith(".")
                and (candidate / "manifest.json").is_file()):
            return candidate
    return None


class Arguments(StrictModel):
    """The arguments of the notebooks' parameters cells (besides scenario parameters)."""

    scenario: str = argument(
        "history", unit="scenario name or file", except_notebooks=RUN_WIDE,
        meaning="scenario name: a file data/scenarios/NAME.yaml")
    output_dir: str = argument(
        "", unit="folder",
        meaning="folder for results.json; empty means outputs/scratch/SCENARIO/NOTEBOOK")
    draws: int = argument(
        10_000, unit="draws", low=1, high=10_000_000,
        meaning="Monte Carlo draws for the uncertainty ranges")
    sobol_base: int = argument(
        1024, unit="base sample N, a power of 2", low=16, high=1_048_576, notebooks=SENSITIVITY,
        meaning="Sobol base sample N: N x (k + 2) runs of each model for k uncertain inputs")
    sweep_x: str = argument(
        "substitution_rate", unit="numeric parameter", notebooks=SENSITIVITY,
        meaning="first parameter of the heat-map sweep (over its declared range)")
    sweep_y: str = argument(
        "licence_approval_rate", unit="numeric parameter", notebooks=SENSITIVITY,
        meaning="second parameter of the heat-map sweep")
    sweep_steps: int = argument(
        21, unit="grid points per axis", low=2, high=MAX_SWEEP_STEPS, notebooks=SENSITIVITY,
        meaning="grid points along each sweep axis")

    @field_validator("*", mode="after")
    @classmethod
    def _in_declared_range(cls, value, info):
        extra = cls.model_fields[info.field_name].json_schema_extra or {}
        low, high = extra.get("low"), extra.get("high")
        if low is not None and not low <= value <= high:
            raise ValueError(f"{value:,} is outside the allowed range [{low:,}, {high:,}] ({extra['unit']})")
        return value

    @field_validator("scenario")
    @classmethod
    def _scenario_name_or_file(cls, value):
        if SAFE_NAME.match(value):
            return value
        if len(value) <= MAX_PATH and "\x00" not in value and re.search(r"\.ya?ml\Z", value):
            return value
        raise ValueError(f"{shown(value)} is neither a scenario name ({SAFE_NAME_RULE}) nor a .yaml file")

    @field_validator("output_dir")
    @classmethod
    def _not_a_published_run(cls, value):
        if len(value) > MAX_PATH or "\x00" in value:
            raise ValueError(f"{shown(value)} is not a folder name")
        if value and (run := published_run(Path(value))) is not None:
            raise ValueError(f"{shown(value)} lies in the published run {paths.relative(run)}: published runs are "
                             "history and are never written to; choose another folder (empty: outputs/scratch/...)")
        if value and Path(value).exists() and not Path(value).is_dir():
            raise ValueError(f"{shown(value)} is a file, not a folder")
        return value

    @field_validator("sobol_base")
    @classmethod
    def _power_of_two(cls, value):
        if value > 0 and value & (value - 1):
            lower = 1 << (value.bit_length() - 1)
            raise ValueError(f"{value:,} is not a power of 2 (Sobol' sequences are balanced only at 2^m points): "
                             f"use {lower:,} or {lower * 2:,}")
        return value

    @field_validator("sweep_x", "sweep_y")
    @classmethod
    def _numeric_parameter(cls, value):
        allowed = numeric_parameters()
        if value not in allowed:
            raise ValueError(f"{shown(value)} is not a numeric scenario parameter{suggest(value, allowed)}; "
                             f"allowed: {', '.join(allowed)}")
        return value

    @model_validator(mode="after")
    def _two_axes(self):
        if self.sweep_x == self.sweep_y:
            raise ValueError(f"sweep_x and sweep_y are both {self.sweep_x}: choose two parameters")
        if self.model_fields_set & {"sweep_x", "sweep_y", "sweep_steps"}:
            # the sweep's own check (whole points for integer parameters, ...), as econ sweep makes it;
            # imported only here: it loads the models
            from econ import sweep

            axes = [sweep.Axis(name, *sweep.declared_range(name), self.sweep_steps) for name in (self.sweep_x, self.sweep_y)]
            try:
                sweep.check_axes(axes, None)
            except InputError as e:
                raise ValueError("; ".join(m.replace("command line: --param ", "")
                                           for m in e.format().splitlines())) from None
        return self


NAMES = tuple(Arguments.model_fields)


def declaration(name: str) -> dict:
    """One argument's declaration: type, default, unit, low, high, meaning, notebooks."""
    field = Arguments.model_fields[name]
    extra = field.json_schema_extra or {}
    return {"name": name, "type": field.annotation.__name__, "default": field.default, "meaning": field.description,
            **extra}


def for_notebook(notebook: str | None) -> tuple[str, ...]:
    """The arguments ``notebook`` declares, in declaration order (None: every argument)."""
    def takes(name):
        d = declaration(name)
        return notebook in (d["notebooks"] or ()) or (d["notebooks"] is None and notebook not in d["except_notebooks"])

    return tuple(n for n in NAMES if notebook is None or takes(n))


def check(values: dict, notebook: str | None, where: str = "override") -> list[tuple[str, str, str]]:
    """Problems (where, argument, message) with the notebook-argument values in ``values``: types and ranges
    as declared, then the memory the run would need. Other names in ``values`` are ignored."""
    given = {k: v for k, v in values.items() if k in NAMES}
    try:
        Arguments(**given)
    except ValidationError as e:
        return [(where, ".".join(str(x) for x in err["loc"]) or "sweep_x, sweep_y, sweep_steps", message(err))
                for err in e.errors()]
    sizes = {n: declaration(n)["default"] for n in for_notebook(notebook)} | given
    return [(where, name, message) for name, message in memory.check(notebook, sizes)]


def max_value(notebook: str | None, name: str, **others) -> int:
    """The largest value of size argument ``name`` (draws, sobol_base, sweep_steps) that ``notebook``
    accepts: within the declared range and within :data:`econ.memory.BUDGET`, the other size arguments
    at their defaults unless given (a power of 2 for sobol_base)."""
    sizes = {n: declaration(n)["default"] for n in ("draws", "sobol_base", "sweep_steps")
             if n in for_notebook(notebook) and n != name} | others
    unit = "sweep_points" if name == "sweep_steps" else name
    most = memory.max_units(notebook, unit, sizes)
    most = math.isqrt(most) if unit == "sweep_points" else most
    if name == "sobol_base" and most > 0:
        most = 1 << (most.bit_length() - 1)
    return min(declaration(name)["high"], most)


def max_draws(notebook: str | None, **others) -> int:
    """The most draws ``notebook`` accepts within :data:`econ.memory.BUDGET` (other size arguments at
    their defaults unless given), capped by the declared range."""
    return max_value(notebook, "draws", **others)


def from_file(path: Path) -> dict:
    """``econ run -f FILE.yaml``: parameters from a YAML mapping (papermill's -f); -p given after wins."""
    from econ import _yaml
    from econ.errors import InputError

    if not path.is_file():
        raise InputError.single(str(path), "-f", "no such file: give a YAML file of NAME: VALUE lines")
    found = _yaml.read(path, "parameters file")
    if not isinstance(found, dict) or not all(isinstance(k, str) for k in found):
        raise InputError.single(str(path), "-f", "must be a mapping of parameter names to values (NAME: VALUE)")
    return found


def refuse_unknown(given: dict, from_file: set, file: str | None = None) -> None:
    """InputError, one line per name, for parameters neither a scenario nor a shipped notebook declares,
    with "did you mean"; a name from the parameters file is named with the file."""
    from econ.errors import InputError, suggest
    from econ.scenario import PARAMETER_NAMES

    known = sorted(set(PARAMETER_NAMES) | set(NAMES))
    unknown = [name for name in given if name not in known]
    if unknown:
        said = "unknown parameter{}; `econ params` lists the scenario parameters"
        raise InputError([(file, name, said.format(suggest(name, known))) if name in from_file and file else
                          ("command line", f"-p {name}", said.format(suggest(name, known))) for name in unknown])


# --- what each notebook declares ---------------------------------------------------------------

#: The stages of the linked model (econ.model.world) each notebook shows; its parameters cell lists the
#: parameter groups those stages and everything upstream of them read.
ALL_STAGES = ("chip_supply", "market_share", "huawei", "revenue", "investment")
NOTEBOOK_STAGES = {
    "00_scenario_overview": ALL_STAGES,
    "01_revenue_impact": ("revenue", "huawei"),
    "02_market_share": ("market_share",),
    "03_investment_needs": ("investment",),
    "04_sensitivity": ALL_STAGES,
    "05_backtest": (),  # run-wide: it takes no scenario, so no scenario parameters either
}


def notebook_groups(notebook: str) -> tuple[str, ...]:
    """Parameter groups a notebook's parameters cell lists (from the stage declarations)."""
    from econ.model import world

    return world.groups_of(NOTEBOOK_STAGES[notebook]) if NOTEBOOK_STAGES[notebook] else ()


def notebook_parameters(notebook: str) -> tuple[str, ...]:
    """Names a notebook accepts: its arguments and the parameters of the groups its stages read."""
    groups = notebook_groups(notebook)
    return for_notebook(notebook) + tuple(r["name"] for r in parameter_table() if r["group"] in groups)
