"""The commands that check and list the inputs: ``econ validate`` (scenario files, the story, the data
files and their manifest, each by what it is), ``econ params`` (every scenario parameter) and ``econ
data`` (the datasets; ``--rehash`` records new hashes). Each refuses bad input with one line per problem
and exit code 2."""

from __future__ import annotations

import sys
from pathlib import Path

from econ import paths
from econ.errors import EXIT_BAD_INPUT, EXIT_OK, InputError


def _validate_one(f: Path) -> list[tuple[str, str, str]] | None:
    """The problems of one input file, by what it is (None: not a kind of file ``econ validate`` knows)."""
    from econ import data, scenario, story

    if f.suffix in (".yaml", ".yml") and paths.same(f, paths.MANIFEST):
        return data.check_manifest()
    if f.suffix in (".yaml", ".yml") and paths.same(f, story.path()):
        return story.check(scenario.scenario_names())  # the story tells the shipped scenarios
    if f.suffix in (".yaml", ".yml"):
        scenario.load_scenario(f)
    elif f.suffix == ".csv":
        data.validate_file(f)
    else:
        return None
    return []


def _validate(args) -> int:
    from econ import data, scenario, story

    problems: list[tuple[str, str, str]] = []
    files = [Path(f) for f in args.files] or (
        [scenario.scenario_path(n) for n in scenario.scenario_names()] + [story.path()]
        + [paths.SOURCES] + [d.file for d in data.DATASETS.values()] + [paths.MANIFEST])
    checked = 0
    for f in files:
        try:
            found = _validate_one(f)
        except InputError as e:
            found = e.problems
        if found is None:
            problems.append((str(f), "", "not a scenario (.yaml), the story (data/story.yaml), the data manifest "
                             "or a data file (.csv)"))
            continue
        problems += found
        checked += 1
    problems = list(dict.fromkeys(problems))  # a problem several files' checks find is said once
    for file, field, message in problems:
        print(f"{file}: {field}: {message}" if field else f"{file}: {message}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"{checked} file(s) valid.")
    return EXIT_OK


def _params(args) -> int:
    from econ.model import world
    from econ.scenario import parameter_table

    if args.model is not None and args.model in world.stages():
        groups = world.stages()[args.model].groups
    else:
        groups = None if args.model is None else (args.model,)
    rows = [r for r in parameter_table() if groups is None or r["group"] in groups]
    if not rows:
        allowed = ", ".join([*world.stages(), *dict.fromkeys(r["group"] for r in parameter_table())])
        raise InputError.single("command line", "--model", f"no stage or parameter group named {args.model!r}; "
                                f"allowed: {allowed}")
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        print(f"{r['name']:<{width}}  [{r['group']}] {r['meaning']}")
        print(f"{'':<{width}}  type: {r['type']}; default: {r['default']}; unit: {r['unit']}"
              + (f"; range: {r['range']}" if r["range"] else ""))
    return EXIT_OK


def _data(args) -> int:
    from econ import data

    if args.rehash:
        changed = data.rehash()
        print("updated: " + ", ".join(changed) if changed else "all hashes already current")
        return EXIT_OK
    for name, entry in data.manifest().items():
        print(f"{name}: {entry.get('title', '(no title)')}")
    problems = data.check_manifest()
    if problems:
        raise InputError(problems)
    return EXIT_OK


def add_commands(sub) -> None:
    """The three commands, on ``econ``'s subparsers."""
    v = sub.add_parser("validate", help="check scenario files, the story and the data files",
                       description="Validate scenario YAML files and data CSV files (all shipped ones when "
                                   "no FILES are given). Exit 0 when valid, 2 with one line per problem.")
    v.add_argument("files", nargs="*", metavar="FILES", help="scenario .yaml or data .csv files")
    v.set_defaults(func=_validate)

    pa = sub.add_parser("params", help="list every scenario parameter",
                        description="Every scenario parameter with its type, default, unit, range and meaning.")
    pa.add_argument("--model", help="only the parameters a stage reads (chip_supply, market_share, huawei, revenue, "
                    "investment) or one parameter group (policy, supply, ...)")
    pa.set_defaults(func=_params)

    d = sub.add_parser("data", help="list datasets; --rehash records new data hashes",
                       description="List the datasets in data/manifest.yaml. --rehash records the current "
                                   "SHA-256 of every listed file (after you have checked its sources).")
    d.add_argument("--rehash", action="store_true")
    d.set_defaults(func=_data)
