"""The evidence behind each assumption: the comment a scenario file gives above the parameters it sets.

Scenario files say why a value was chosen in a comment right above the parameter (or at the end of
its line); a comment is read as the reason for the key right under it only:

.. code-block:: yaml

    # Russia's 2020 plans (data/russia_5g_plan.csv): ... (judgement).
    russia_5g_launch_year: 2022
    rule_effective_date: 2020-08-17  # the rule's publication in the Federal Register

:func:`of_file` reads those comments, so a reader sees them beside the value on the page, not only in
the YAML. A parameter with no comment, or left at its declared default, is a judgement within its
allowed range, and :func:`evidence` says so.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from econ import paths
from econ.scenario.values import ORIGIN_SEPARATOR

_KEY = re.compile(r"^  ([a-z][a-z0-9_]*):")


@functools.lru_cache(maxsize=64)
def _read(path: str, mtime_ns: int) -> dict[str, str]:
    found: dict[str, str] = {}
    comment: list[str] = []
    last_was_key = False
    inside = False
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.startswith(" ") and line.strip():
            inside = line.startswith("parameters:")
            comment, last_was_key = [], False
            continue
        if not inside:
            continue
        stripped = line.strip()
        if stripped.startswith("#"):
            if last_was_key:  # a new reason starts
                comment, last_was_key = [], False
            comment.append(stripped.lstrip("#").strip())
            continue
        m = _KEY.match(line)
        if m:
            inline = line.split(" # ", 1)[1].strip() if " # " in line else ""
            # a comment belongs to the key right under it: a key further down without its own comment
            # has none (a shared reason repeated on unrelated rows would mislead more than a gap)
            found[m.group(1)] = inline or ("" if last_was_key else " ".join(comment).strip())
            last_was_key = True
    return found


def of_file(path: str | Path) -> dict[str, str]:
    """Parameter -> the comment above it in a scenario file ("" where there is none)."""
    p = Path(path)
    if not p.is_absolute():
        p = paths.ROOT / p
    try:
        return _read(str(p), p.stat().st_mtime_ns)
    except OSError:
        return {}


def evidence(name: str, set_in: str, allowed: str) -> str:
    """What a reader is told about an assumption's value: the file's reason for it, or that it is a
    judgement within its allowed range (a default, an override, or a value given without a reason)."""
    within = f", within the allowed range {allowed}" if allowed else ""
    if set_in == "override":
        return f"Set for this run (an override){within}."
    if set_in != "default":  # a joined list (vendor_bans) may be set in several files: each one's reason
        files = set_in.split(ORIGIN_SEPARATOR)
        said = " ".join(dict.fromkeys(r for r in (of_file(f).get(name, "") for f in files) if r))
        if said:
            return said
        return f"Given without a stated source in {', '.join(Path(f).name for f in files)}{within}."
    return f"A judgement: the declared default{within}."
