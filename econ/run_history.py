"""The runs one has made, as a user asks about them: ``econ runs`` lists them, ``econ show RUN`` tells
one, ``econ diff A B`` says what changed between two (inputs first: parameters, data, versions,
notebooks; then how each figure moved), ``econ prune`` removes old ones. All read the results store
(:mod:`econ.store`), which is rebuilt from the run folders when it is out of date.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from econ import paths, store
from econ.errors import InputError, suggest

#: How many moved figures ``econ diff`` prints (the largest relative moves first); --all prints every one.
SHOWN_MOVES = 25


def _resolve(run: str, frame: pd.DataFrame) -> str:
    """A RUN_ID from "latest", a RUN_ID or a unique prefix of one, among the runs of ``frame``
    (:func:`econ.store.runs`); InputError naming the runs otherwise."""
    known = list(frame["run_id"])
    latest = list(frame.loc[frame["latest"], "run_id"])
    if run == "latest" and latest:
        return latest[0]
    matches = [r for r in known if r == run] or [r for r in known if r.startswith(run)]
    if len(matches) == 1:
        return matches[0]
    why = "matches several runs" if matches else "is not a published run"
    raise InputError.single("command line", "RUN", f"{run!r} {why}{suggest(run, known)}; `econ runs` lists them "
                            f"(newest: {', '.join(known[:3]) or 'none'})")


def listing(outputs: Path | None = None) -> str:
    """One line per run, newest first: id, when, scenarios, notebooks ok/failed, overrides, version."""
    frame = store.runs(outputs)
    if frame.empty:
        return "No published runs yet: `econ run` makes one."
    lines = [f"{'':2}{'run':24}{'finished':21}{'scenarios':>10}{'ok':>5}{'failed':>7}  overrides / version"]
    for r in frame.itertuples():
        scenarios = json.loads(r.scenarios)
        overrides = json.loads(r.overrides)
        said = ", ".join(f"{k}={v}" for k, v in overrides.items()) or "-"
        commit = (r.git_commit or "")[:8] + ("+changes" if r.git_dirty else "")
        lines.append(f"{'* ' if r.latest else '  '}{r.run_id:24}{(r.finished or '')[:19]:21}{len(scenarios):>10}"
                     f"{r.ok:>5}{r.failed:>7}  {said}; econ {r.econ} {commit}")
    return "\n".join(lines + ["* = outputs/latest"])


def show(run: str, outputs: Path | None = None) -> str:
    """What one run was: when, what it ran with what, and its headline figures per scenario."""
    from econ import findings

    frame = store.runs(outputs)
    run_id = _resolve(run, frame)
    row = frame.set_index("run_id").loc[run_id]
    figures = store.figures(run_id, outputs)
    lines = [f"Run {run_id}{' (outputs/latest)' if row['latest'] else ''}: finished {row['finished']}, "
             f"{row['seconds']:.0f} s; {row['ok']} notebooks ok, {row['failed']} failed, {row['reused']} reused",
             f"Scenarios: {', '.join(json.loads(row['scenarios']))}",
             f"Overrides: {json.loads(row['overrides']) or 'none'}",
             f"econ {row['econ']}, commit {row['git_commit']}{' with uncommitted changes' if row['git_dirty'] else ''}, "
             f"lock {str(row['lock_sha256'])[:12]}",
             f"Folder: {paths.relative(Path(outputs or paths.OUTPUTS) / 'runs' / run_id)}"]
    head = figures[figures["metric"].isin(findings.HEADLINE) & (figures["statistic"] == "median")]
    if len(head):
        table = head.pivot_table(index="scenario", columns="metric", values="value", aggfunc="first")
        table = table[[m for m in findings.HEADLINE if m in table.columns]]
        table.columns = [findings.SHORT.get(m, m) for m in table.columns]
        lines += ["", "Headline figures (medians):", table.round(3).to_string()]
    return "\n".join(lines)


def input_changes(a: str, b: str, outputs: Path | None = None) -> pd.DataFrame:
    """The inputs that differ between runs ``a`` and ``b``: kind, name, value in a, value in b."""
    left = store.inputs(a, outputs).set_index(["kind", "name"])["value"]
    right = store.inputs(b, outputs).set_index(["kind", "name"])["value"]
    both = pd.concat({"a": left, "b": right}, axis=1)
    changed = both[both["a"].fillna("(absent)") != both["b"].fillna("(absent)")].fillna("(absent)")
    return changed.reset_index()


def figure_moves(a: str, b: str, outputs: Path | None = None) -> pd.DataFrame:
    """Each figure's median in runs ``a`` and ``b`` where both have it and it moved, the largest relative
    move first: scenario, metric, label, unit, a, b, change, relative."""
    keys = ["scenario", "notebook", "metric"]
    left = store.figures(a, outputs)
    right = store.figures(b, outputs)
    pick = lambda f: f[f["statistic"].isin(["median", "value"])].drop_duplicates(keys)  # noqa: E731
    both = pick(left).merge(pick(right)[[*keys, "value"]], on=keys, suffixes=("_a", "_b"))
    both["change"] = both["value_b"] - both["value_a"]
    scale = both[["value_a", "value_b"]].abs().max(axis=1).where(lambda s: s > 0, 1.0)
    both["relative"] = both["change"].abs() / scale
    moved = both[both["relative"] > 1e-9].sort_values(["relative", "scenario", "metric"], ascending=[False, True, True])
    return moved[["scenario", "notebook", "metric", "label", "unit", "value_a", "value_b", "change", "relative"]]


def diff(a: str, b: str, outputs: Path | None = None, every: bool = False) -> str:
    """``econ diff A B`` in words: what changed in the inputs, then how the figures moved."""
    frame = store.runs(outputs)
    a, b = _resolve(a, frame), _resolve(b, frame)
    changed = input_changes(a, b, outputs)
    moves = figure_moves(a, b, outputs)
    lines = [f"From {a} to {b}:", ""]
    if changed.empty:
        lines.append("Inputs: the same (parameters, data, package versions, notebooks and options).")
    else:
        lines.append(f"Inputs that changed ({len(changed)}):")
        for r in changed.itertuples():
            lines.append(f"  {r.kind} {r.name}: {_short(r.a)} -> {_short(r.b)}")
    ra, rb = (set(json.loads(frame.set_index("run_id").at[x, "scenarios"])) for x in (a, b))
    if ra != rb:
        lines.append(f"Scenarios only in {a}: {', '.join(sorted(ra - rb)) or 'none'}; only in {b}: "
                     f"{', '.join(sorted(rb - ra)) or 'none'}")
    lines.append("")
    if moves.empty:
        lines.append("Figures: none moved (every figure both runs hold has the same median).")
    else:
        shown = moves if every else moves.head(SHOWN_MOVES)
        lines.append(f"Figures that moved: {len(moves)} (largest relative moves first"
                     f"{'' if every or len(moves) <= SHOWN_MOVES else f'; the first {SHOWN_MOVES}, --all for every one'}):")
        for r in shown.itertuples():
            lines.append(f"  {r.scenario} / {r.label}: {r.value_a:.4g} -> {r.value_b:.4g} {r.unit} "
                         f"({r.change:+.3g}, {100 * r.relative:.1f}%)")
    return "\n".join(lines)


def _short(value: str, width: int = 60) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def prune(keep: int, outputs: Path | None = None, dry_run: bool = False) -> list[str]:
    """Remove all but the ``keep`` newest runs (never outputs/latest) and their rows in the store; the
    run ids removed (or that would be, with ``dry_run``)."""
    from econ.results import latest_id as latest_run

    if keep < 1:
        raise InputError.single("command line", "--keep", f"{keep} would remove every run: keep at least 1")
    outputs = Path(outputs or paths.OUTPUTS)
    folders = store.run_folders(outputs)
    latest = latest_run(outputs)
    newest = {p.name for p in folders[-keep:]}
    gone = [p for p in folders if p.name not in newest and p.name != latest]
    if not dry_run:
        for folder in gone:
            shutil.rmtree(folder)
        store.rebuild(outputs)
    return [p.name for p in gone]


# --- the command line: econ runs / show / diff / prune --------------------------------------------

def _runs_command(args) -> int:
    print(listing())
    return 0


def _show_command(args) -> int:
    print(show(args.run))
    return 0


def _diff_command(args) -> int:
    print(diff(args.a, args.b, every=args.all))
    return 0


def _prune_command(args) -> int:
    gone = prune(args.keep, dry_run=args.dry_run)
    verb = "would remove" if args.dry_run else "removed"
    print(f"{verb} {len(gone)} run(s){': ' + ', '.join(gone) if gone else ''} (kept the {args.keep} newest and "
          "outputs/latest)")
    return 0


def add_commands(sub) -> None:
    """The four commands, on ``econ``'s subparsers."""
    rs = sub.add_parser("runs", help="list the published runs (the results store, outputs/runs.sqlite)",
                        description="Every published run, newest first: when, how many scenarios, notebooks ok and "
                                    "failed, overrides, econ version and commit; * marks outputs/latest.")
    rs.set_defaults(func=_runs_command)
    so = sub.add_parser("show", help="what one run ran with what, and its headline figures",
                        description="A run's date, scenarios, overrides, versions and headline figures.")
    so.add_argument("run", metavar="RUN", help="a RUN_ID (or a unique prefix), or latest")
    so.set_defaults(func=_show_command)
    df = sub.add_parser("diff", help="what changed between two runs: inputs, then each figure's move",
                        description="The inputs that differ between runs A and B (scenario parameters, data digests, "
                                    "package versions, notebooks, options), then every figure whose median moved, "
                                    "largest relative move first.")
    df.add_argument("a", metavar="A", help="the earlier run (RUN_ID, prefix or latest)")
    df.add_argument("b", metavar="B", help="the later run")
    df.add_argument("--all", action="store_true", help=f"every moved figure, not only the first {SHOWN_MOVES}")
    df.set_defaults(func=_diff_command)
    pr = sub.add_parser("prune", help="remove old runs, keeping the newest and outputs/latest",
                        description="Remove all but the KEEP newest published runs (never outputs/latest) and "
                                    "rebuild the results store.")
    pr.add_argument("--keep", type=int, default=10, help="how many of the newest runs to keep (default 10)")
    pr.add_argument("--dry-run", action="store_true", help="say what would go, remove nothing")
    pr.set_defaults(func=_prune_command)


__all__ = ["add_commands", "diff", "figure_moves", "input_changes", "listing", "prune", "show"]
