"""The order scenarios are told in: data/story.yaml groups them into a story (the 2020 rules, the
bans, Russia, the chip rules), so the comparison page and the navigation between pages follow it
rather than the alphabet. A scenario the file does not list comes last, under "Other scenarios"."""

from __future__ import annotations

from dataclasses import dataclass

from econ import _yaml, paths
from econ.errors import InputError

FILE = "story.yaml"
OTHER = "Other scenarios"


@dataclass(frozen=True)
class Group:
    title: str
    asks: str
    scenarios: tuple[str, ...]


def groups(names=None) -> list[Group]:
    """The story's groups restricted to ``names`` (default: every listed scenario), in order, with
    the names it does not list appended as a last group. InputError for a malformed file."""
    path = paths.DATA / FILE
    rel = paths.relative(path)
    raw = _yaml.read(path, "story file") if path.exists() else {"groups": []}
    if not isinstance(raw, dict) or not isinstance(raw.get("groups"), list):
        raise InputError.single(rel, "groups", "must be a list of {title, asks, scenarios}")
    out, seen = [], []
    for i, g in enumerate(raw["groups"]):
        if not isinstance(g, dict) or set(g) != {"title", "asks", "scenarios"} or not isinstance(g["scenarios"], list):
            raise InputError.single(rel, f"groups.{i}", "needs exactly title, asks and scenarios (a list of names)")
        listed = [s for s in g["scenarios"] if names is None or s in names]
        dup = [s for s in g["scenarios"] if s in seen]
        if dup:
            raise InputError.single(rel, f"groups.{i}.scenarios", f"{', '.join(dup)} listed twice")
        seen += g["scenarios"]
        if listed:
            out.append(Group(str(g["title"]), str(g["asks"]), tuple(listed)))
    rest = [n for n in (names or []) if n not in seen]
    if rest:
        out.append(Group(OTHER, "Scenarios added to the workbook and not yet placed in the story.", tuple(rest)))
    return out


def ordered(names) -> list[str]:
    """``names`` in story order."""
    return [s for g in groups(list(names)) for s in g.scenarios]


def check(shipped) -> list[tuple[str, str, str]]:
    """Problems: a listed scenario that is not shipped."""
    path = paths.DATA / FILE
    try:
        listed = [s for g in groups() for s in g.scenarios]
    except InputError as e:
        return e.problems
    return [(paths.relative(path), "scenarios", f"{s!r} is not a scenario in data/scenarios/")
            for s in listed if s not in set(shipped)]
