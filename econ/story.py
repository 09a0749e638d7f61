"""The order scenarios are told in: data/story.yaml groups them into a story (the 2020 rules, the
bans, Russia, the chips), so the comparison page and the navigation between pages follow it
rather than the alphabet. A scenario the file does not list comes last, under "Other scenarios".

The file is checked before any notebook runs (``econ validate`` and the pre-run check of ``econ run``,
through :func:`check`): each group has exactly a title, a question and a list of scenarios; titles are
non-empty and distinct; no scenario is listed twice; and every listed name is a shipped scenario, so a
misspelt name is refused with the closest one rather than silently left out of the story.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from econ import _yaml, paths
from econ.errors import InputError, shown, suggest

FILE = "story.yaml"
OTHER = "Other scenarios"
#: The keys of the file and of each of its groups.
TOP_KEYS = ("groups",)
GROUP_KEYS = ("title", "asks", "scenarios")

Problems = list[tuple[str, str, str]]


@dataclass(frozen=True)
class Group:
    title: str
    asks: str
    scenarios: tuple[str, ...]


def path() -> Path:
    """Where the story is: data/story.yaml."""
    return paths.DATA / FILE


def _read(file: Path) -> tuple[list, Problems]:
    """The file's groups as written, and the problems of its top level (a missing file is an empty story)."""
    rel = paths.relative(file)
    raw = _yaml.read(file, "story file") if file.exists() else {"groups": []}
    if not isinstance(raw, dict) or not isinstance(raw.get("groups"), list):
        return [], [(rel, "groups", "must be a list of groups, each {title, asks, scenarios}")]
    return raw["groups"], [(rel, str(key), f"unknown key{suggest(str(key), TOP_KEYS)}; allowed: {', '.join(TOP_KEYS)}")
                           for key in raw if key not in TOP_KEYS]


def _text_problem(value, what: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"{what} must be non-empty text; got {shown(value)}"
    return None


def _group_problems(i: int, group, rel: str) -> Problems:
    """One group on its own: exactly the keys title, asks and scenarios; text where text is due."""
    where = f"groups.{i}"
    if not isinstance(group, dict):
        return [(rel, where, f"must be a mapping with {', '.join(GROUP_KEYS)}; got {shown(group)}")]
    problems = [(rel, f"{where}.{key}", f"unknown key{suggest(str(key), GROUP_KEYS)}; allowed: {', '.join(GROUP_KEYS)}")
                for key in group if key not in GROUP_KEYS]
    problems += [(rel, f"{where}.{key}", "required key is missing") for key in GROUP_KEYS if key not in group]
    problems += [(rel, f"{where}.{key}", why) for key, what in (("title", "a group's title"), ("asks", "its question"))
                 if key in group and (why := _text_problem(group[key], what))]
    names = group.get("scenarios", [])
    if not isinstance(names, list):
        problems.append((rel, f"{where}.scenarios", f"must be a list of scenario names; got {shown(names)}"))
    else:
        problems += [(rel, f"{where}.scenarios.{j}", f"must be a scenario name (text); got {shown(name)}")
                     for j, name in enumerate(names) if not isinstance(name, str)]
    return problems


def _title_problems(raw_groups: list, rel: str) -> Problems:
    """Each group's title is its own (the page's headings and the timeline's themes are found by title)."""
    problems: Problems = []
    first: dict[str, int] = {}
    for i, group in enumerate(raw_groups):
        title = group.get("title") if isinstance(group, dict) else None
        if not isinstance(title, str) or not title.strip():
            continue
        if title.strip() in first:
            problems.append((rel, f"groups.{i}.title", f"{title!r} is already the title of groups.{first[title.strip()]}: "
                             "each group needs its own title"))
        first.setdefault(title.strip(), i)
    return problems


def _name_problems(raw_groups: list, rel: str, known: list[str] | None) -> Problems:
    """No scenario listed twice, in one group or two; and (given ``known``) every listed name known."""
    problems: Problems = []
    listed: dict[str, str] = {}
    for i, group in enumerate(raw_groups):
        names = group.get("scenarios") if isinstance(group, dict) else None
        for j, name in enumerate(names if isinstance(names, list) else []):
            where = f"groups.{i}.scenarios.{j}"
            if not isinstance(name, str):
                continue
            if name in listed:
                problems.append((rel, where, f"{name!r} is listed twice (also at {listed[name]}): a scenario is told "
                                 "once, in one group"))
            listed.setdefault(name, where)
            if known is not None and name not in known:
                problems.append((rel, where, f"{name!r} is not a scenario in {paths.relative(paths.SCENARIOS)}"
                                 f"{suggest(name, known)}; have: {', '.join(known)}"))
    return problems


def _checked(file: Path, known: Iterable[str] | None) -> tuple[list, Problems]:
    """The file's groups as written, and every problem of the file."""
    rel = paths.relative(file)
    try:
        raw_groups, problems = _read(file)
    except InputError as e:  # unreadable, not YAML
        return [], e.problems
    for i, group in enumerate(raw_groups):
        problems += _group_problems(i, group, rel)
    problems += _title_problems(raw_groups, rel)
    return raw_groups, problems + _name_problems(raw_groups, rel, None if known is None else list(known))


def check(known: Iterable[str] | None = None, file: Path | None = None) -> Problems:
    """Every problem of the story file (default data/story.yaml) as (file, field, message); none when valid.

    Parameters
    ----------
    known : iterable of str, optional
        The scenarios a listed name must be one of (``econ validate`` and the pre-run check give the
        shipped ones, :func:`econ.scenario.scenario_names`); None skips that check.
    file : Path, optional
        Another story file to check (``econ validate FILE``).
    """
    return _checked(file or path(), known)[1]


def groups(names=None) -> list[Group]:
    """The story's groups restricted to ``names`` (default: every listed scenario), in order, with
    the names it does not list appended as a last group. InputError for a malformed file (the names
    themselves are checked against the shipped scenarios by :func:`check`, before any run)."""
    raw_groups, problems = _checked(path(), None)
    if problems:
        raise InputError(problems)
    out, seen = [], []
    for g in raw_groups:
        listed = [s for s in g["scenarios"] if names is None or s in names]
        seen += g["scenarios"]
        if listed:
            out.append(Group(g["title"], g["asks"], tuple(listed)))
    rest = [n for n in (names or []) if n not in seen]
    if rest:
        out.append(Group(OTHER, "Scenarios added to the workbook and not yet placed in the story.", tuple(rest)))
    return out


def ordered(names) -> list[str]:
    """``names`` in story order."""
    return [s for g in groups(list(names)) for s in g.scenarios]
