"""Planning a run: everything is checked before any kernel starts, then turned into jobs.

papermill writes parameters into the notebook as code and does not check names, so every name and
value to be injected is checked here against the parameters cell of the notebook it goes into
(read with ``papermill.inspect_notebook``), and the code papermill will write is parsed to check it
is nothing but ``NAME = literal`` lines. Every scenario is loaded and validated, every data file
is validated against its schema and its hash against data/manifest.yaml, and data/story.yaml (the
order the report tells the scenarios in) is checked. Any problem raises
:class:`~econ.errors.InputError` naming the file and field; nothing has run.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import nbformat
import papermill
import yaml

from econ import data, environment, paths, story
from econ.batch import checksums
from econ.batch.job import Job
from econ.batch.provenance import hash_context, input_hash, scenario_digest, sha256
from econ.errors import InputError, suggest
from econ.notebook import NOTEBOOK_STAGES, RUN_WIDE, RUN_WIDE_FOLDER, notebook_parameters
from econ.scenario import PARAMETER_NAMES, SAFE_NAME, SAFE_NAME_RULE, Scenario, load_scenario, scenario_names

#: Arguments every notebook must declare; ``econ run`` sets them, a user may not. A run-wide notebook
#: (:data:`econ.notebook.RUN_WIDE`, run once per run) declares only ``output_dir``.
SET_BY_RUN = ("scenario", "output_dir")


def set_by_run(notebook: str) -> tuple[str, ...]:
    """The arguments ``econ run`` sets in ``notebook``."""
    return ("output_dir",) if notebook in RUN_WIDE else SET_BY_RUN
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"

Problems = list[tuple[str, str, str]]


@dataclass
class Plan:
    """Validated work: the jobs, the scenarios they use, and notes for the user."""

    jobs: list[Job]
    scenarios: dict[str, Scenario]
    notebooks: list[Path]
    notes: list[str] = field(default_factory=list)
    #: What every job's input hash shares (data digest, versions, econ's source), computed once:
    #: the manifest records the same values the hashes were made from.
    context: dict = field(default_factory=dict)


def notebooks(directory: Path | None = None) -> list[Path]:
    """The notebooks a run executes: ``NN_*.ipynb`` in ``directory`` (default notebooks/), in order."""
    return sorted((directory or paths.NOTEBOOKS).glob(NOTEBOOK_GLOB))


def _safe(name) -> bool:
    # fullmatch: ``$`` in SAFE_NAME would also accept a trailing newline ("evil\n.yaml")
    return isinstance(name, str) and SAFE_NAME.fullmatch(name) is not None


def _literal_problem(value, where: str) -> str | None:
    """Why ``value`` cannot be injected as a plain literal (None when it can)."""
    if value is None or isinstance(value, bool | int | str):
        return None
    if isinstance(value, float):
        return None if value == value and abs(value) != float("inf") else f"{where}: {value} is not a finite number"
    if isinstance(value, list):
        return next((p for v in value if (p := _literal_problem(v, where))), None)
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            return f"{where}: mapping keys must be text"
        return next((p for v in value.values() if (p := _literal_problem(v, where))), None)
    return f"{where}: {type(value).__name__} values cannot be injected; use numbers, text, lists or mappings"


def _plain(value):
    """YAML dates as ISO text (papermill would otherwise write ``str(value)`` into the notebook as code)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


_TYPE_CHECKS = {
    "int": (lambda v: isinstance(v, int) and not isinstance(v, bool), "a whole number"),
    "float": (lambda v: isinstance(v, int | float) and not isinstance(v, bool), "a number"),
    "str": (lambda v: isinstance(v, str), "text"),
    "bool": (lambda v: isinstance(v, bool), "true or false"),
    "list": (lambda v: isinstance(v, list), "a list"),
    "dict": (lambda v: isinstance(v, dict), "a mapping"),
}


def injected_code(parameters: dict, declared: Iterable[str], kernel: str = "python3", language: str = "python") -> str:
    """The code papermill will write into the notebook for ``parameters``, checked to be nothing but
    ``NAME = LITERAL`` lines, one per declared name; InputError otherwise."""
    from papermill.translators import translate_parameters

    allowed = set(declared)
    bad = [n for n in parameters if not (isinstance(n, str) and n.isidentifier() and n in allowed)]
    if bad:
        raise InputError([("parameters", repr(n), "not a declared parameter name") for n in bad])
    code = translate_parameters(kernel, language, parameters, "Parameters")
    seen = {}
    for node in ast.parse(code).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            raise InputError.single("parameters", ast.unparse(node)[:80], "is not a plain assignment")
        seen[node.targets[0].id] = ast.literal_eval(node.value)
    if seen != dict(parameters):
        raise InputError.single("parameters", ", ".join(parameters), "do not round-trip through papermill's translation")
    return code


# --- the checks, each returning the problems it found ------------------------------------------

def _override_problems(overrides: dict) -> Problems:
    problems = []
    for name, value in overrides.items():
        if name in SET_BY_RUN:
            problems.append(("command line", f"parameter {name!r}", "is set by `econ run` for each job"))
        if (why := _literal_problem(value, f"parameter {name!r}")) is not None:
            problems.append(("command line", f"parameter {name!r}", why))
    return problems


def _problems_of(check) -> Problems:
    """The problems ``check()`` raises (an unreadable file is one too); a list it returns is problems."""
    try:
        found = check()
    except InputError as e:
        return e.problems
    except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError) as e:  # a corrupt or missing file
        return [(paths.relative(paths.DATA), "", f"cannot be read: {type(e).__name__}: {e}")]
    return found if isinstance(found, list) else []


def _data_problems() -> Problems:
    """Provenance (every hash as recorded) and content (every file as its schema says): reports never
    rest on data whose provenance is not recorded, nor on a file rehashed after a bad edit."""
    problems = _problems_of(data.check_manifest) + _problems_of(data.sources)
    for name in data.DATASETS:
        problems += _problems_of(functools.partial(data.load, name))
    return list(dict.fromkeys(problems))


def _case_collisions(names: Iterable[str], where: str, what: str) -> Problems:
    by_fold: dict[str, list[str]] = {}
    for name in names:
        by_fold.setdefault(name.casefold(), []).append(name)
    return [(where, what, f"{' and '.join(map(repr, group))} differ only in case: their folders would be one "
             "folder on a case-insensitive file system (macOS, Windows); rename one")
            for group in by_fold.values() if len(group) > 1]


def _load_scenarios(names: list, scenario_dir: Path, overrides: dict) -> tuple[dict[str, Scenario], Problems]:
    problems: Problems = []
    if not names:
        problems.append((paths.relative(scenario_dir), "", "no scenario files (*.yaml)"))
    safe = [n for n in dict.fromkeys(names) if _safe(n)]
    problems += [("command line", "scenario", f"{n!r} is not a scenario name: {SAFE_NAME_RULE}")
                 for n in dict.fromkeys(names) if not _safe(n)]
    problems += _case_collisions(safe, paths.relative(scenario_dir), "scenario")
    loaded: dict[str, Scenario] = {}
    for name in safe:
        path = scenario_dir / f"{name}.yaml"
        if not path.is_file():
            have = scenario_names(scenario_dir)
            problems.append((paths.relative(path), "", f"no scenario named {name!r}{suggest(name, have)}; have: "
                             f"{', '.join(have) or '(none)'}"))
            continue
        try:
            loaded[name] = load_scenario(path, overrides=overrides)
        except InputError as e:
            problems += e.problems
        except (OSError, UnicodeDecodeError) as e:
            problems.append((paths.relative(path), "", f"cannot be read: {e}"))
    return loaded, problems


def _select_notebooks(notebook_dir: Path, only: list[str] | None) -> tuple[list[Path], Problems]:
    found, problems = notebooks(notebook_dir), []
    if only:
        stems = {p.stem: p for p in found}
        problems += [("command line", "--notebook", f"no notebook {s!r} in {paths.relative(notebook_dir)}; have: "
                      f"{', '.join(stems) or '(none)'}") for s in only if s not in stems]
        found = [stems[s] for s in dict.fromkeys(only) if s in stems]
    if not found:
        problems.append((paths.relative(notebook_dir), "", f"no notebooks ({NOTEBOOK_GLOB})"))
    problems += [(paths.relative(nb), "file name", f"not a safe notebook name: {SAFE_NAME_RULE}")
                 for nb in found if not _safe(nb.stem)]
    problems += _case_collisions([nb.stem for nb in found], paths.relative(notebook_dir), "notebook")
    return [nb for nb in found if _safe(nb.stem)], problems


def _declared_parameters(found: list[Path]) -> tuple[dict[Path, dict], Problems]:
    """Each notebook's parameters cell as papermill reads it, checked against the declarations."""
    declared: dict[Path, dict] = {}
    problems: Problems = []
    for nb in found:
        file = paths.relative(nb)
        try:
            declared[nb] = papermill.inspect_notebook(str(nb))
        except Exception as e:  # unreadable JSON, no kernelspec, ...: named, never run
            problems.append((file, "", f"cannot read its parameters: {type(e).__name__}: {e}"))
            continue
        missing = [a for a in set_by_run(nb.stem) if a not in declared[nb]]
        if missing:
            problems.append((file, "parameters cell", f"must declare {', '.join(missing)} (econ run sets them)"))
        if nb.stem in RUN_WIDE and "scenario" in declared[nb]:
            problems.append((file, "parameters cell", "declares scenario, but the notebook runs once per run and "
                             "takes none: run `python -m econ.notebook`"))
        if nb.stem in NOTEBOOK_STAGES:  # what the kernel's guard will require of it, said before it starts
            problems += _cell_problems(nb, file, declared[nb])
    return declared, problems


def _cell_problems(nb: Path, file: str, declared: dict) -> Problems:
    """A workbook notebook's parameters cell (wherever the notebook lies) against its declarations: the
    same names, with did you mean, and the notebook arguments' defaults within range and memory."""
    from econ import arguments
    from econ.errors import suggest

    expected, have = set(notebook_parameters(nb.stem)), set(declared)
    problems = [(file, f"parameters cell: {name}", f"not a parameter of {nb.stem}{suggest(name, sorted(expected))}; "
                 "run `python -m econ.notebook`") for name in sorted(have - expected)]
    if expected - have:
        problems.append((file, "parameters cell", f"does not declare {', '.join(sorted(expected - have))}; run "
                         "`python -m econ.notebook`"))
    defaults = {}
    for name in sorted(have & set(arguments.NAMES)):
        try:
            defaults[name] = ast.literal_eval(str(declared[name].get("default")))
        except (ValueError, SyntaxError):
            problems.append((file, f"parameters cell: {name}", f"{declared[name].get('default')!r} is not a literal"))
    return problems + arguments.check({k: v for k, v in defaults.items() if v is not None}, nb.stem,
                                      f"{file}: parameters cell")


def _value_problem(nb: Path, name: str, value, info: dict) -> tuple[str, str, str] | None:
    """A notebook argument's value against its declared type (scenario parameters are checked with
    each scenario)."""
    kind = info.get("inferred_type_name", "None")
    check, wanted = _TYPE_CHECKS.get(kind, (lambda v: True, ""))
    if not check(value):
        return paths.relative(nb), f"parameter {name!r}", f"{value!r} is not {wanted} (declared `{name}: {kind}`)"
    if name == "draws" and not 1 <= value <= 10_000_000:
        return paths.relative(nb), "parameter 'draws'", f"{value} outside [1, 10000000]"
    return None


def _injection_problems(overrides: dict, declared: dict[Path, dict]) -> tuple[Problems, list[str]]:
    """Each override must be declared by some notebook; it is injected only where it is declared."""
    problems: Problems = []
    notes = []
    for name, value in overrides.items():
        takers = [nb for nb, d in declared.items() if name in d]
        if not takers:
            problems += [(paths.relative(nb), f"parameter {name!r}", "not declared in the notebook's parameters "
                          f"cell; allowed: {', '.join(sorted(set(d) - set(SET_BY_RUN)))}")
                         for nb, d in declared.items()]
            continue
        skipped = [nb.stem for nb in declared if nb not in takers]
        if skipped:
            notes.append(f"parameter {name!r} is not read by {', '.join(skipped)}: not injected there")
        if name not in PARAMETER_NAMES:
            problems += [p for nb in takers if (p := _value_problem(nb, name, value, declared[nb][name]))]
    return problems, notes


def _shipped_digest() -> dict:
    """What a run-wide notebook reads of the scenarios: every shipped one (the back-test picks its own)."""
    return {name: scenario_digest(load_scenario(name)) for name in scenario_names()}


def _jobs(found: list[Path], loaded: dict[str, Scenario], declared: dict[Path, dict], overrides: dict,
          scenario_ref, show_code: bool, context: dict) -> list[Job]:
    """One job per scenario and notebook; one per run for a run-wide notebook (:data:`RUN_WIDE`)."""
    digests = {name: scenario_digest(scn) for name, scn in loaded.items()}  # read each scenario's files once
    jobs = []
    for nb in found:
        nb_bytes = nb.read_bytes()
        nb_sha256 = sha256(nb_bytes)
        kernel = nbformat.reads(nb_bytes.decode("utf-8"), as_version=4).metadata.get("kernelspec", {})
        taken = {k: v for k, v in overrides.items() if k in declared[nb]}
        if nb.stem in RUN_WIDE:
            targets = [(RUN_WIDE_FOLDER, {}, "All scenarios", _shipped_digest())]
        else:
            targets = [(name, {"scenario": scenario_ref(name)}, scn.title, digests[name]) for name, scn in loaded.items()]
        for name, scenario_param, title, digest in targets:
            params = {**scenario_param, **taken}
            try:
                injected_code({**params, "output_dir": "."}, declared[nb], kernel.get("name", "python3"),
                              kernel.get("language", "python"))
            except InputError as e:
                raise InputError([(paths.relative(nb), f, m) for _, f, m in e.problems]) from None
            job = Job(name, nb.stem, str(nb), params, title=title)
            job.input_hash = input_hash(nb_bytes, params, digest, context, show_code)
            job.inputs_sha256 = checksums.inputs(nb, nb_sha256, digest, context["data"])
            jobs.append(job)
    return jobs


def plan(scenarios: list[str] | None = None, overrides: dict | None = None, *, scenario_dir: Path | None = None,
         notebook_dir: Path | None = None, only: list[str] | None = None, show_code: bool = False) -> Plan:
    """Validate every scenario, every data file and every parameter to be injected, before any kernel starts.

    Parameters
    ----------
    scenarios : list of str, optional
        Scenario names (files NAME.yaml in ``scenario_dir``); default all of them. Names that
        differ only in case are refused (their folders would collide on macOS and Windows).
    overrides : dict, optional
        Parameter values for every scenario (``econ run -p NAME VALUE``). A scenario parameter is
        validated like a scenario file; any other name must be declared in a notebook's parameters
        cell, with a value of the declared type. Each is injected only into the notebooks that
        declare it; a name no notebook declares is an error.
    scenario_dir, notebook_dir : Path, optional
        Where scenarios and notebooks are (default data/scenarios/ and notebooks/).
    only : list of str, optional
        Notebook stems to run (default every ``NN_*.ipynb``).
    show_code : bool
        Whether the reports show code (part of each job's input hash).

    Raises
    ------
    InputError
        Naming the file and field of every problem; nothing has run.
    """
    scenario_dir = Path(scenario_dir or paths.SCENARIOS).resolve()
    notebook_dir = Path(notebook_dir or paths.NOTEBOOKS).resolve()
    overrides = {k: _plain(v) for k, v in (overrides or {}).items()}
    scenario_overrides = {k: v for k, v in overrides.items() if k in PARAMETER_NAMES}

    # data/story.yaml tells the shipped scenarios, whichever folder this run takes its scenarios from
    problems = (environment.problems() + _override_problems(overrides) + _data_problems()
                + story.check(scenario_names()))
    loaded, found_problems = _load_scenarios(list(scenarios or scenario_names(scenario_dir)), scenario_dir,
                                             scenario_overrides)
    problems += found_problems
    found, found_problems = _select_notebooks(notebook_dir, only)
    problems += found_problems
    declared, found_problems = _declared_parameters(found)
    problems += found_problems
    found_problems, notes = _injection_problems(overrides, declared)
    problems += found_problems
    if problems:
        raise InputError(problems)

    shipped_scenarios = scenario_dir == paths.SCENARIOS.resolve()
    context = hash_context()
    jobs = _jobs(found, loaded, declared, overrides, show_code=show_code, context=context,
                 scenario_ref=lambda name: name if shipped_scenarios else str(scenario_dir / f"{name}.yaml"))
    return Plan(jobs, loaded, found, notes, context)
