"""The ``econ`` command line.

Exit codes: 0 success; 1 a run finished but some notebook failed; 2 bad input (nothing ran);
3 a finished run could not be published (disk full, outputs not writable: nothing published was
changed); 130 interrupted (Ctrl-C: the finished notebooks are kept for ``econ run --resume``); 141
the output's reader went away (``econ params | head -1``), as for any Unix tool killed by SIGPIPE.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from econ import environment, paths, safe_text, validation
from econ.errors import (  # noqa: F401 (the exit codes are the command line's)
    EXIT_BAD_INPUT,
    EXIT_BROKEN_PIPE,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_NOT_PUBLISHED,
    EXIT_OK,
    InputError,
)


def _run_arguments(overrides: dict, notebook_dir: Path | None, only: list[str] | None) -> None:
    """Notebook arguments given with -p (draws, sobol_base, ...) checked as declared, memory included,
    for each notebook of the run that takes them; InputError before anything is planned."""
    from econ import arguments, batch

    given = {k: v for k, v in overrides.items() if k in arguments.NAMES and k not in ("scenario", "output_dir")}
    if not given:
        return
    problems: list[tuple[str, str, str]] = []
    shipped = notebook_dir is None or paths.same(notebook_dir, paths.NOTEBOOKS)
    for nb in batch.notebooks(notebook_dir):
        if only and nb.stem not in only:
            continue
        # a notebook of another folder is checked for the arguments it shares with ours, cautiously
        values = {k: v for k, v in given.items() if k in arguments.for_notebook(nb.stem if shipped else None)}
        for _, name, message in arguments.check(values, nb.stem if shipped else None):
            problem = ("command line", f"parameter {name!r}", message)
            if problem not in problems:
                problems.append(problem)
    if problems:
        raise InputError(problems)


def _ctrl_c_stops_the_run() -> None:
    """Ctrl-C stops a run whatever the process inherited: a parent that ignored SIGINT (or blocked it)
    would otherwise leave ``econ run`` deaf to it (a batch started from such a shell, a test runner)."""
    import signal

    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _run(args) -> int:
    from econ import _yaml, arguments, batch

    _ctrl_c_stops_the_run()
    overrides = arguments.from_file(Path(args.parameters_file)) if args.parameters_file else {}
    from_file = set(overrides)
    for name, text in args.param or []:
        from_file.discard(name)
        try:
            overrides[name] = _yaml.loads(text)
        except _yaml.YamlError as e:
            raise InputError.single("command line", f"-p {name}", f"value is not valid YAML: {e.message}") from None
    from econ import arguments

    shipped = args.notebook_dir is None or paths.same(args.notebook_dir, paths.NOTEBOOKS)  # others declare their own
    if shipped:
        arguments.refuse_unknown(overrides, from_file, args.parameters_file)
    for option, given in (("--scheduler", bool(args.scheduler)),
                          ("--worker-timeout", args.worker_timeout != batch_defaults["worker_timeout"])):
        if given and args.executor != "dask":
            raise InputError.single("command line", option, f"is used only with --executor dask: add --executor "
                                    f"dask, or drop {option}")
    _run_arguments(overrides, args.notebook_dir, args.notebook)
    if args.grid:
        return _run_grid(args, overrides, from_file, shipped)
    try:
        result = batch.run(scenarios=args.scenarios or None, overrides=overrides, resume=args.resume,
                           latest_even_if_failed=args.latest_even_if_failed, latest=args.latest, **_run_options(args))
    except batch.RunNotPublished as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_NOT_PUBLISHED
    return result.exit_code


def _run_options(args) -> dict:
    return dict(workers=args.workers, timeout=args.timeout, show_code=args.show_code, executor=args.executor,
                scheduler=args.scheduler, outputs=args.outputs, scenario_dir=args.scenario_dir,
                notebook_dir=args.notebook_dir, only=args.notebook or None, progress=not args.no_progress,
                engine=args.engine, site=not args.single_file, worker_timeout=args.worker_timeout)


def _run_grid(args, overrides: dict, from_file: set, shipped: bool) -> int:
    """``econ run --grid GRID.yaml``: every set checked first, then one run per set (:mod:`econ.grid`)."""
    from econ import arguments, batch, grid

    if args.resume or args.latest:
        raise InputError.single("command line", "--grid", "runs every set afresh and leaves outputs/latest: drop "
                                f"{'--resume' if args.resume else '--latest'}")
    sets = grid.parse(Path(args.grid))
    merged = [{**overrides, **values} for values in sets]
    for i, values in enumerate(merged):
        if shipped:
            arguments.refuse_unknown(values, from_file | set(sets[i]), args.grid)
        _run_arguments(values, args.notebook_dir, args.notebook)
        batch.plan(args.scenarios or None, values, scenario_dir=args.scenario_dir, notebook_dir=args.notebook_dir,
                   only=args.notebook or None, show_code=args.show_code)
    rows, options, outputs = [], _run_options(args), Path(args.outputs or paths.OUTPUTS)
    try:
        for i, values in enumerate(merged):
            print(f"Grid set {i + 1} of {len(merged)}: {grid.label(sets[i])}", file=sys.stderr)
            try:
                result = batch.run(scenarios=args.scenarios or None, overrides=values, keep_latest=True, **options)
            except batch.RunNotPublished as e:
                print(f"error: {e}", file=sys.stderr)
                rows.append({"set": i + 1, "parameters": grid.label(sets[i]), "run_id": "",
                             "exit_code": EXIT_NOT_PUBLISHED})
                return EXIT_NOT_PUBLISHED
            rows.append({"set": i + 1, "parameters": grid.label(sets[i]), "run_id": result.run_id,
                         "exit_code": result.exit_code})
    finally:  # the runs already published are listed even when a later set stops the grid
        if any(row["run_id"] for row in rows):
            table = grid.write_table(outputs, rows)
            print(f"Grid: {len(rows)} of {len(merged)} sets run; the table is {paths.relative(table)}")
    for row in rows:
        print(f"{row['set']:>3}  {row['run_id']}  exit {row['exit_code']}  {row['parameters']}")
    return max(row["exit_code"] for row in rows)


#: Defaults shown in --help without importing econ.batch (and papermill) for every command.
batch_defaults = {"timeout": 1800, "worker_timeout": 60}


def _sweep(args) -> int:
    import time

    from econ import sweep
    from econ.scenario import load_scenario

    scn = load_scenario(args.scenario)
    axes = [sweep.parse_axis("=".join(given) if len(given) == 2 else " ".join(given)) for given in args.param]
    models = sweep.check_axes(axes, args.model)
    points = 1
    for a in axes:
        points *= a.steps
    out = Path(args.out)
    if out.is_dir():
        raise InputError.single("command line", "--out", f"{out} is a folder: give the CSV file to write, "
                                f"e.g. {out / 'sweep.csv'}")
    if not out.parent.is_dir():
        raise InputError.single("command line", "--out", f"folder {out.parent} does not exist")
    if not os.access(out.parent, os.W_OK | os.X_OK):
        raise InputError.single("command line", "--out", f"folder {out.parent} is not writable")
    if out.exists() and not out.is_file():
        raise InputError.single("command line", "--out", f"{out} exists and is not a regular file")
    start = time.perf_counter()
    sweep.sweep(scn, axes, args.model, out, progress=not args.no_progress)
    print(f"{points:,} points x {', '.join(m.name for m in models)} in {time.perf_counter() - start:.2f} s "
          f"-> {out}")
    return EXIT_OK


def _compare(args) -> int:
    """``econ compare A B``: every headline figure (``--all``: every figure) of A minus B, draw by draw."""
    from econ import effects, findings
    from econ.model import differences
    from econ.scenario import load_scenario

    if isinstance(args.draws, int) and not 100 <= args.draws <= 100_000:
        raise InputError.single("command line", "--draws", f"{args.draws:,}: give 100 to 100,000 common draws")
    a, b = load_scenario(args.a), load_scenario(args.b)
    diffs = differences.compare(a, b, args.draws)
    shown = diffs if args.all else effects.headline(diffs)
    if args.csv:
        import pandas as pd

        sys.stdout.write(safe_text.csv_text(pd.DataFrame([d.record() for d in shown]), float_format="%.6g"))
        return EXIT_OK
    table = effects.frame(shown).drop(columns="reference")
    print(f"{a.title} ({a.name}) minus {b.title} ({b.name}), draw by draw over {args.draws:,} common draws "
          f"(seed {a.seed}):\n")
    print(table.to_string(index=False))
    print("\n" + "\n".join(effects.sentence(d, b.short_title) for d in shown if d.metric in findings.HEADLINE))
    return EXIT_OK


def _published_run(name: str | None) -> Path:
    """The folder of a published run (``latest`` or a RUN_ID in outputs/runs), or InputError."""
    name = name or "latest"
    run_dir = (paths.OUTPUTS / "latest") if name == "latest" else (paths.OUTPUTS / "runs" / name)
    if not (run_dir / "index.html").exists():
        known = sorted(p.name for p in (paths.OUTPUTS / "runs").glob("*") if (p / "index.html").exists())
        raise InputError.single("command line", "RUN_ID", f"no published run {name!r} in outputs/runs"
                                + (f"; the latest runs: {', '.join(known[-3:])}" if known else "; run `econ run` first"))
    return run_dir.resolve()


def _brief(args) -> int:
    """``econ brief [RUN_ID]``: the front page as a one-file PDF brief (see econ.report.brief)."""
    from econ.report import brief

    out = brief.write(_published_run(args.run), Path(args.out) if args.out else None)
    print(f"{out}: {out.stat().st_size / 1e3:.0f} kB")
    return EXIT_OK


def _share(args) -> int:
    """``econ share [RUN_ID]``: the reader's files of a run, zipped to send (see econ.report.share)."""
    from econ.report import share

    run_dir = _published_run(args.run)
    out = share.package(run_dir, Path(args.out) if args.out else None)
    size = out.stat().st_size
    over = "" if size <= share.MAX_BYTES else f"; above the {share.MAX_BYTES / 2**20:.0f} MiB e-mail limit"
    print(f"{out}: {size / 1e6:.1f} MB, {len(share.reader_files(run_dir.resolve()))} files (executed notebooks and "
          f"logs left out){over}")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    from econ import run_history

    p = argparse.ArgumentParser(
        prog="econ", description="Scenario workbook for the 2020 US sanctions on Huawei.",
        epilog="Exit codes: 0 success, 1 a notebook failed, 2 bad input (nothing ran), 130 interrupted, "
               "141 output closed (| head).")
    from econ.batch.provenance import describe

    p.add_argument("--version", action="version", version=describe())
    sub = p.add_subparsers(dest="command", required=True)

    validation.add_commands(sub)

    r = sub.add_parser(
        "run", help="run scenarios through the notebooks and publish HTML reports",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Run each scenario through each notebook with papermill into outputs/runs/RUN_ID/SCENARIO/, "
                    "publish an offline HTML report of each, and a scenario comparison at "
                    "outputs/runs/RUN_ID/index.html; outputs/latest points to the newest run with no failure.\n"
                    "Every scenario and every parameter to be injected is validated before any kernel starts.",
        epilog="Exit codes: 0 every notebook ran; 1 the run finished but a notebook failed (see the index "
               "page and manifest.json; outputs/latest is not moved); 2 bad input, nothing ran; 3 the run could "
               "not be published (disk full, outputs not writable), nothing published changed; 130 interrupted "
               "(continue with --resume RUN_ID).")
    r.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="scenario names (default: all shipped)")
    r.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="set a notebook parameter for every scenario (VALUE is YAML: 0.3, [foundry, memory], "
                        "'{dist: uniform, low: 0.1, high: 0.5}'); repeatable")
    r.add_argument("-f", "--parameters-file", metavar="FILE.yaml",
                   help="parameters from a YAML file of NAME: VALUE lines, as papermill's -f; -p wins over it")
    r.add_argument("--grid", metavar="GRID.yaml",
                   help="one run per parameter set: a YAML mapping NAME: [VALUES] (every combination) or a list of "
                        "NAME: VALUE mappings; every set is checked first, outputs/latest stays, and "
                        "outputs/grids/GRID_ID.csv lists the runs")
    r.add_argument("--notebook", action="append", metavar="NN_NAME",
                   help="run only this notebook (stem, e.g. 01_revenue_impact); repeatable")
    r.add_argument("--workers", type=int, default=None,
                   help="parallel worker processes, at least 1 (default: number of CPUs)")
    r.add_argument("--timeout", type=int, default=batch_defaults["timeout"],
                   help=f"seconds allowed per notebook, kernel start included (default {batch_defaults['timeout']})")
    r.add_argument("--show-code", action="store_true", help="keep code cells in the HTML reports")
    r.add_argument("--single-file", action="store_true",
                   help="make every page one self-contained file (the Vega bundle and the notebook stylesheet "
                        "inlined, about 1.2 MB a page) instead of loading them once from beside the pages "
                        "(vega-bundle.js, notebook.css: the default)")
    r.add_argument("--site", action="store_true", help=argparse.SUPPRESS)  # the default since issue 23
    r.add_argument("--resume", metavar="RUN_ID",
                   help="reuse the notebooks of run RUN_ID (complete or interrupted; 'latest' for the newest) "
                        "whose inputs are unchanged, and run the rest, into a new run")
    r.add_argument("--executor", choices=["processes", "dask"], default="processes",
                   help="where notebooks run: local worker processes (default) or a Dask cluster")
    r.add_argument("--engine", choices=["warm", "papermill"], default=None,
                   help="how each notebook runs: warm (default with local processes: a fresh fork of a process "
                        "that has already imported what notebooks import) or papermill (a kernel started per "
                        "notebook; the Dask executor's engine); same results either way")
    r.add_argument("--latest", action="store_true", help="make this run outputs/latest even if it covers only some "
                   "scenarios or notebooks (by default only a run of every scenario moves it)")
    r.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786")
    r.add_argument("--worker-timeout", type=float, default=batch_defaults["worker_timeout"], metavar="SECONDS",
                   help="with --executor dask: seconds with no live worker before the jobs still waiting fail "
                        f"(default {batch_defaults['worker_timeout']})")
    r.add_argument("--outputs", type=Path, default=None, metavar="DIR", help="outputs folder (default outputs/)")
    r.add_argument("--scenario-dir", type=Path, default=None, metavar="DIR",
                   help="folder of scenario files (default data/scenarios/)")
    r.add_argument("--notebook-dir", type=Path, default=None, metavar="DIR",
                   help="folder of NN_*.ipynb notebooks (default notebooks/)")
    r.add_argument("--latest-even-if-failed", action="store_true",
                   help="point outputs/latest at this run even if a notebook failed (by default it moves only "
                        "to a run with no failure)")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.set_defaults(func=_run)

    sw = sub.add_parser("sweep", help="evaluate the models over a grid of parameter values into a CSV",
                        description="Evaluate the models in-process over the grid of --param values (others at "
                                    "the scenario's central values) and write a tidy CSV: point, the swept "
                                    "parameters, model, metric, value. Everything is checked before any work.")
    sw.add_argument("scenario", metavar="SCENARIO", help="scenario name or YAML path")
    sw.add_argument("-p", "--param", action="append", required=True, nargs="+", metavar="NAME LOW:HIGH:STEPS",
                    help="a parameter and its grid within its declared range, as `econ run -p NAME VALUE` takes "
                         "a value (NAME=LOW:HIGH:STEPS also works); repeat for more axes")
    sw.add_argument("--out", required=True, metavar="FILE.csv|FILE.parquet",
                    help="where to write the rows: CSV, or Parquet (smaller) for a name ending .parquet; "
                         "the file appears only when complete")
    sw.add_argument("--no-progress", action="store_true", help="no progress bar")
    sw.add_argument("--model", action="append", help="only this model (repeatable; default: every model "
                                                     "that reads a swept parameter)")
    sw.set_defaults(func=_sweep)

    c = sub.add_parser("compare", help="what scenario A changes against B: each figure's paired difference",
                       description="Assess A and B over the same random draws (B on A's seed) and print each "
                                   "headline figure of A minus B, draw by draw: the median difference, its p05 to "
                                   "p95 (the uncertainty of the difference itself) and how often it is above zero.")
    c.add_argument("a", metavar="A", help="scenario name or YAML path")
    c.add_argument("b", metavar="B", help="the reference: scenario name or YAML path")
    c.add_argument("--draws", type=int, default=4000, help="common Monte Carlo draws (default 4,000)")
    c.add_argument("--all", action="store_true", help="every figure, not only the headline ones")
    c.add_argument("--csv", action="store_true", help="the records as CSV (as differences.csv holds them)")
    c.set_defaults(func=_compare)

    sh = sub.add_parser("share", help="zip a run's reader files to send (no notebooks, no logs)",
                        description="Zip what a reader needs of a published run (the pages, CSV and JSON files, "
                                    "the chart library and stylesheet once) into outputs/share/RUN_ID.zip; the "
                                    "executed notebooks, logs and job records stay in the run folder.")
    sh.add_argument("run", nargs="?", metavar="RUN_ID", help="a run in outputs/runs (default: outputs/latest)")
    sh.add_argument("--out", metavar="FILE.zip", help="where to write the zip")
    sh.set_defaults(func=_share)

    b = sub.add_parser("brief", help="print a run's front page to a one-file PDF brief",
                       description="The answer in words, the headline figures with their ranges and the published "
                                   "figures beside them, and how to cite the run, printed by headless Chromium to "
                                   "outputs/share/RUN_ID-brief.pdf (A4 landscape).")
    b.add_argument("run", nargs="?", metavar="RUN_ID", help="a run in outputs/runs (default: outputs/latest)")
    b.add_argument("--out", metavar="FILE.pdf", help="where to write the PDF")
    b.set_defaults(func=_brief)

    run_history.add_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        environment.check()
        return args.func(args)
    except InputError as e:
        print(e.format(), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader of our output went away (`econ params | head -1`): stop quietly, like a Unix tool;
        # stdout goes to /dev/null so that Python's flush at exit does not complain again
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return EXIT_BROKEN_PIPE


if __name__ == "__main__":
    sys.exit(main())
