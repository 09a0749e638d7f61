"""A scenario: its files read strictly, its parents resolved (one or several), its parameters
validated, with every problem named by file and field before any work."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError, field_validator

from econ import _yaml, paths
from econ.errors import InputError, shown, suggest
from econ.scenario.messages import message
from econ.scenario.parameters import PARAMETER_NAMES, Parameters, _table
from econ.scenario.values import (
    MAX_INHERITANCE_DEPTH,
    MAX_SCENARIO_BYTES,
    ORIGIN_SEPARATOR,
    SAFE_NAME,
    SAFE_NAME_RULE,
    StrictModel,
)

#: Bidirectional formatting characters: they reorder the text around them on screen.
BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


class Scenario(StrictModel):
    """A named, validated scenario: metadata, a seed for draws, and the parameters."""

    name: str
    title: str
    description: str
    inherits: str | tuple[str, ...] | None = None
    seed: int = Field(20200515, ge=0, le=2**32 - 1)
    parameters: Parameters
    #: The files this scenario was built from, child first (set by the loader).
    files: tuple[str, ...] = ()
    #: Parameters set by override rather than by a file.
    overrides: dict[str, Any] = Field(default_factory=dict)
    #: Where each parameter set explicitly was set: a scenario file, or "override" (set by the loader).
    set_in: dict[str, str] = Field(default_factory=dict)

    @field_validator("title", "description")
    @classmethod
    def _plain_text(cls, text: str, info):
        """Text a reader sees as written: no control characters (a tab or line break aside, in the
        description) and no bidirectional overrides, which make a published title read as something else
        (``"Baseline \u202egnp.exe"``)."""
        allowed = "\n\t" if info.field_name == "description" else ""
        bad = next((c for c in text if c not in allowed and (unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS)),
                   None)
        if bad is not None:
            raise ValueError(f"holds the control character U+{ord(bad):04X} at position {text.index(bad) + 1}: "
                             "write plain text")
        return text

    def value(self, name: str):
        return getattr(self.parameters, name)

    @property
    def short_title(self) -> str:
        """The title up to its dash ("August 2020 rule"), for columns, chart axes and menus."""
        return (self.title or self.name).split(" \u2014 ")[0].split(" - ")[0].strip()


_TOP_KEYS = {"name", "title", "description", "inherits", "seed", "parameters"}
_REQUIRED_KEYS = ("title", "description")


def scenario_path(name: str, directory: Path | None = None) -> Path:
    return (directory or paths.SCENARIOS) / f"{name}.yaml"


def scenario_names(directory: Path | None = None) -> list[str]:
    """The shipped scenarios, baseline first then alphabetical."""
    names = sorted(p.stem for p in (directory or paths.SCENARIOS).glob("*.yaml"))
    return sorted(names, key=lambda n: (n != "baseline", n))


def _check_name(value, file: str, field: str) -> list[tuple[str, str, str]]:
    if not isinstance(value, str) or not SAFE_NAME.match(value):
        return [(file, field, f"{shown(value)} is not a safe scenario name: use {SAFE_NAME_RULE}")]
    return []


def _exists_exactly(path: Path) -> bool:
    """``path`` exists with exactly this name (on a case-insensitive file system ``Baseline.yaml``
    would otherwise open ``baseline.yaml`` under another name)."""
    try:
        return path.is_file() and path.name in os.listdir(path.parent)
    except OSError:
        return False


def _read_yaml(path: Path) -> dict:
    raw = _yaml.read(path, "scenario file", MAX_SCENARIO_BYTES)
    if not isinstance(raw, dict):
        raise InputError.single(paths.relative(path), "", "a scenario file must be a mapping of keys "
                                f"({', '.join(sorted(_TOP_KEYS))})")
    return raw


def _check_file(raw: dict, path: Path) -> list[tuple[str, str, str]]:
    """Problems visible in one file on its own: keys, names, parents, parameter names."""
    file, problems = paths.relative(path), []
    problems += [(file, str(key), f"unknown key{suggest(str(key), _TOP_KEYS)}; allowed: {', '.join(sorted(_TOP_KEYS))}")
                 for key in raw if key not in _TOP_KEYS]
    problems += [(file, key, "required text is missing") for key in _REQUIRED_KEYS
                 if not isinstance(raw.get(key), str) or not raw.get(key, "").strip()]
    if "name" in raw:
        problems += _check_name(raw["name"], file, "name")
        if raw["name"] != path.stem and not problems:
            problems.append((file, "name", f"{raw['name']!r} differs from the file name {path.stem!r}"))
    problems += _check_name(path.stem, file, "file name")
    return problems + _parent_problems(raw.get("inherits"), file) + _parameter_name_problems(raw, file)


def _parent_problems(parents, file: str) -> list[tuple[str, str, str]]:
    """``inherits``: a safe name, or a non-empty list of distinct safe names."""
    if not isinstance(parents, list):
        return [] if parents is None else _check_name(parents, file, "inherits")
    problems = [] if parents else [(file, "inherits", "give a scenario name or a non-empty list of names")]
    for i, parent in enumerate(parents):
        problems += _check_name(parent, file, f"inherits.{i}")
    if len(set(map(str, parents))) != len(parents):
        problems.append((file, "inherits", "a parent is named twice"))
    return problems


def _parameter_name_problems(raw: dict, file: str) -> list[tuple[str, str, str]]:
    params = raw.get("parameters", {}) or {}
    if not isinstance(params, dict):
        return [(file, "parameters", "must be a mapping of parameter names to values")]
    return [(file, f"parameters.{key}", f"unknown parameter{suggest(str(key), PARAMETER_NAMES)}; see `econ params` "
             "for the list") for key in params if key not in PARAMETER_NAMES]


def _file_key(path: Path):
    """The file ``path`` names, so that two routes to one file share one read (the path itself if it
    cannot be resolved: the read then says why)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
        return path


class _Resolution:
    """One top-level load: each file read and parsed once, each scenario merged once.

    Without this memory a lattice of parents (each file inheriting two files of the level below)
    costs 2**depth reads and merges. Reads are keyed by the file's resolved path; merges by the path
    a scenario is named by, since that fixes its name and the file names in its origins. A merge does
    not depend on the route to it, only the checks along the route do: a cycle cannot hide behind a
    reused merge (a merge whose ancestors met a file on the route would have met itself), but the
    length of the chain can, so a scenario reached so deep that its own longest chain of parents
    would pass :data:`MAX_INHERITANCE_DEPTH` is merged again and refused naming the same chain as
    without the memory.
    """

    def __init__(self):
        self.raw: dict = {}
        #: path -> ((merged mapping, parameter -> file, files), longest chain of parents above it)
        self.merged: dict[Path, tuple[tuple[dict, dict[str, str], list[str]], int]] = {}

    def read(self, path: Path) -> dict:
        key = _file_key(path)
        if key not in self.raw:
            self.raw[key] = _read_yaml(path)
        return self.raw[key]

    def resolve(self, path: Path, chain: tuple[str, ...] = ()) -> tuple[tuple[dict, dict[str, str], list[str]], int]:
        """``path`` merged with its ancestors, and the number of parents in its longest chain."""
        done = self.merged.get(path)
        if done is None or (done[1] and len(chain) + done[1] >= MAX_INHERITANCE_DEPTH):
            done = self.merged[path] = self._merge(path, chain)
        return done

    def _merge(self, path: Path, chain: tuple[str, ...]):
        """Merge a file with its ancestors: (merged raw mapping, parameter -> file that set it, files)."""
        raw = self.read(path)
        file = paths.relative(path)
        problems = _check_file(raw, path)
        if problems:
            raise InputError(problems)
        merged: dict = {"seed": Scenario.model_fields["seed"].default, "parameters": {}}
        origin: dict[str, str] = {}
        files = [file]
        parents = raw.get("inherits")
        resolved = [self._parent(parent, path, chain) for parent in
                    (parents if isinstance(parents, list) else [parents] if parents else [])]
        if resolved:
            merged, origin, files = _join_parents([r for r, _ in resolved], raw, file, files)
        if "seed" in raw:
            merged["seed"] = raw["seed"]
            origin["seed"] = file
        _apply_own(raw, file, merged, origin)
        merged.update({k: raw[k] for k in ("title", "description") if k in raw})
        merged["inherits"] = tuple(parents) if isinstance(parents, list) else parents
        merged["name"] = path.stem
        return (merged, origin, files), max((1 + height for _, height in resolved), default=0)

    def _parent(self, parent: str, path: Path, chain: tuple[str, ...]):
        """A parent's merge, refusing cycles, too long chains and missing parents."""
        file = paths.relative(path)
        if parent in chain or parent == path.stem:
            cycle = " -> ".join((*chain, path.stem, parent))
            raise InputError.single(file, "inherits", f"inheritance cycle: {cycle}")
        if len(chain) + 1 >= MAX_INHERITANCE_DEPTH:
            raise InputError.single(file, "inherits", f"the chain of inherits is longer than {MAX_INHERITANCE_DEPTH} "
                                    f"files ({' -> '.join((*chain[:3], '...', path.stem, parent))}): "
                                    "inherit from a scenario nearer the baseline")
        parent_path = scenario_path(parent, path.parent)
        if not _exists_exactly(parent_path):
            have = scenario_names(path.parent)
            raise InputError.single(file, "inherits", f"no scenario named {parent!r} in {paths.relative(path.parent)}"
                                    f"{suggest(parent, have)} (have: {', '.join(have)})")
        return self.resolve(parent_path, (*chain, path.stem))


def _apply_own(raw: dict, file: str, merged: dict, origin: dict[str, str]) -> None:
    """A file's own parameters over its parents' (in place): a value replaces, ``{add: [...]}`` joins."""
    for key, value in (raw.get("parameters") or {}).items():
        if isinstance(value, dict) and set(value) == {"add"} and key in JOINED_LISTS:
            if not isinstance(value["add"], list):
                raise InputError.single(file, f"parameters.{key}.add", "give a list of entries to add")
            value = _join_lists([merged["parameters"].get(key) or [], value["add"]])
            file_of = joined_origin([origin.get(f"parameters.{key}", ""), file])
        else:
            file_of = file
        merged["parameters"][key] = value
        origin[f"parameters.{key}"] = file_of


#: List parameters that inheritance joins rather than replaces.
JOINED_LISTS = ("vendor_bans", "vendor_exits")


def joined_origin(origins) -> str:
    """The files that set a joined list, each once, in order (see :data:`ORIGIN_SEPARATOR`)."""
    return ORIGIN_SEPARATOR.join(dict.fromkeys(f for o in origins for f in o.split(ORIGIN_SEPARATOR) if f))


def _join_lists(lists) -> list:
    out: list = []
    for entries in lists:
        for entry in entries:
            if entry not in out:
                out.append(entry)
    return out


def _join_parents(resolved: list, raw: dict, file: str, files: list[str]):
    """Several parents' merged mappings as one: restriction lists joined; a parameter (or seed) that
    parents set differently must be set in ``raw`` itself."""
    merged: dict = {"seed": resolved[0][0]["seed"], "parameters": {}}
    origin: dict[str, str] = {}
    own = set(raw.get("parameters") or {})
    problems = []
    keys = dict.fromkeys(k for m, _, _ in resolved for k in m["parameters"])
    for key in keys:
        given = [(m["parameters"][key], o.get(f"parameters.{key}", ""), chain_files)
                 for m, o, chain_files in resolved if key in m["parameters"]]
        if key in JOINED_LISTS:
            merged["parameters"][key] = _join_lists(v or [] for v, _, _ in given)
            origin[f"parameters.{key}"] = joined_origin(where for _, where, _ in given)
            continue
        # A value a parent only inherited from a file another parent overrides is not a choice.
        kept = [(v, where) for v, where, _ in given
                if not any(w2 != where and where in fs[fs.index(w2) + 1:] for _, w2, fs in given if w2 in fs)]
        if any(v != kept[0][0] for v, _ in kept) and key not in own:
            problems.append((file, f"parameters.{key}", "the parents set it differently ("
                             + "; ".join(f"{where}: {shown(v)}" for v, where in kept) + "): set it here"))
        merged["parameters"][key], origin[f"parameters.{key}"] = kept[-1]
    seeds = {m["seed"] for m, _, _ in resolved}
    if len(seeds) > 1 and "seed" not in raw:
        problems.append((file, "seed", f"the parents' seeds differ ({sorted(seeds)}): set it here"))
    if problems:
        raise InputError(problems)
    for _, _, parent_files in resolved:
        files += [f for f in parent_files if f not in files]
    return merged, origin, files


def load_scenario(name_or_path: str | Path, overrides: dict | None = None) -> Scenario:
    """Load, merge (inheritance) and validate a scenario, then apply ``overrides``.

    Parameters
    ----------
    name_or_path : str or Path
        A shipped scenario's name (``"may2020_fdpr"``) or the path of a YAML file.
    overrides : dict, optional
        Parameter values that replace the file's, validated the same way (used for papermill
        parameters and ``econ`` command-line options).

    Raises
    ------
    InputError
        Naming the file and field of every problem found; nothing has run.
    """
    text = str(name_or_path)
    if text.endswith((".yaml", ".yml")) or "/" in text:
        path = Path(text)
    else:
        problems = _check_name(text, "scenario", "name")
        if problems:
            raise InputError(problems)
        path = scenario_path(text)
        if not _exists_exactly(path):
            raise InputError.single(paths.relative(path), "", f"no scenario named {text!r}"
                                    f"{suggest(text, scenario_names())}; shipped: {', '.join(scenario_names())}")
    (merged, origin, files), _ = _Resolution().resolve(path)
    overrides = dict(overrides or {})
    unknown = [k for k in overrides if k not in PARAMETER_NAMES]
    if unknown:
        raise InputError([("override", str(k), f"unknown parameter{suggest(str(k), PARAMETER_NAMES)}; "
                           "see `econ params` for the list") for k in unknown])
    for key, value in overrides.items():
        merged["parameters"][key] = value
        origin[f"parameters.{key}"] = "override"
    try:
        set_in = {k.removeprefix("parameters."): v for k, v in origin.items() if k.startswith("parameters.")}
        return Scenario(**merged, files=tuple(files), overrides=overrides, set_in=set_in)
    except ValidationError as e:
        problems = []
        for err in e.errors():
            loc = ".".join(str(x) for x in err["loc"][:2])
            file = origin.get(loc, paths.relative(path))
            field = ".".join(str(x) for x in err["loc"])
            problems.append((file, field, message(err)))
        raise InputError(problems) from None


def with_values(scenario: Scenario, values: dict[str, Any]) -> Scenario:
    """A copy of ``scenario`` with some parameters replaced, validated like an override."""
    merged = {**scenario.parameters.model_dump(), **values}
    try:
        parameters = Parameters(**merged)
    except ValidationError as e:
        raise InputError([("override", ".".join(str(x) for x in err["loc"]), message(err))
                          for err in e.errors()]) from None
    return scenario.model_copy(update={"parameters": parameters,
                                       "overrides": {**scenario.overrides, **values},
                                       "set_in": {**scenario.set_in, **dict.fromkeys(values, "override")}})


def counterfactual(scenario: Scenario, reference: Scenario | None = None) -> Scenario:
    """The same scenario without its rules: the ``policy`` group taken from ``reference``
    (default baseline.yaml), every other assumption (and the seed) unchanged.

    "Scenario minus counterfactual" is then the effect of the rules alone, over the same draws.
    """
    reference = reference or load_scenario("baseline")
    policy = {r["name"] for r in _table() if r["group"] == "policy"}
    values = {k: getattr(reference.parameters, k) for k in policy}
    parameters = scenario.parameters.model_copy(update=values)
    return scenario.model_copy(update={"parameters": parameters, "name": f"{scenario.name} without its rules"})
