"""The results store: every published run's manifest and figures in one SQLite file, ``outputs/runs.sqlite``,
to list runs, show one, and say how two differ (``econ runs``, ``econ show``, ``econ diff``, ``econ prune``).

Why SQLite: it is in Python's standard library (nothing to install or lock, no server), a file a user can
copy or open with ``pandas.read_sql``, and a transaction makes each run's rows appear all at once or not
at all. The run folders stay the record: the store is an index of them, appended when a run is
published and rebuilt from the folders (:func:`rebuild`) when it is lost, older than this version, or
disagrees with them.

Tables: ``runs`` (one row per run: when, status, scenarios, overrides, versions, lock, commit, whether
``outputs/latest`` points to it), ``inputs`` (each run's scenario parameters, data digests and package
versions as ``kind, name, value`` rows) and ``figures`` (results.csv: one row per scenario, notebook,
metric and statistic).
"""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pandas as pd

from econ import paths

FILE = "runs.sqlite"
#: Bumped when the tables change: a store of another version is rebuilt from the run folders.
SCHEMA_VERSION = 1
_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS runs (run_id TEXT PRIMARY KEY, created TEXT, finished TEXT, seconds REAL, ok INTEGER,
    failed INTEGER, reused INTEGER, scenarios TEXT, notebooks TEXT, overrides TEXT, econ TEXT, lock_sha256 TEXT,
    git_commit TEXT, git_dirty INTEGER, resumed_from TEXT);
CREATE TABLE IF NOT EXISTS inputs (run_id TEXT, kind TEXT, name TEXT, value TEXT);
CREATE TABLE IF NOT EXISTS figures (run_id TEXT, scenario TEXT, notebook TEXT, metric TEXT, label TEXT, unit TEXT,
    region TEXT, year INTEGER, statistic TEXT, value REAL);
CREATE INDEX IF NOT EXISTS figures_run ON figures (run_id);
CREATE INDEX IF NOT EXISTS inputs_run ON inputs (run_id);
"""


def path(outputs: Path | None = None) -> Path:
    return Path(outputs or paths.OUTPUTS) / FILE


def _inputs(manifest: dict) -> list[tuple[str, str, str]]:
    """(kind, name, value) of what a run was made from: each scenario's parameters and seed, each data
    file's digest, each package's version, the notebooks' digests, the options."""
    rows = []
    for scenario, record in (manifest.get("scenarios") or {}).items():
        for name, value in (record.get("parameters") or {}).items():
            rows.append(("parameter", f"{scenario}.{name}", json.dumps(value, sort_keys=True, default=str)))
        rows.append(("parameter", f"{scenario}.seed", json.dumps(record.get("seed"))))
    rows += [("data", name, str(digest)) for name, digest in (manifest.get("data_sha256") or {}).items()]
    rows += [("version", name, str(v)) for name, v in (manifest.get("versions") or {}).items()]
    rows += [("notebook", name, str(n.get("sha256"))) for name, n in (manifest.get("notebooks") or {}).items()]
    rows += [("option", name, json.dumps(v, sort_keys=True, default=str))
             for name, v in (manifest.get("options") or {}).items() if name not in ("workers", "resumed_from")]
    rows.append(("version", "lock_sha256", str(manifest.get("lock_sha256"))))
    return rows


def _run_row(manifest: dict) -> tuple:
    summary, options, git = manifest.get("summary") or {}, manifest.get("options") or {}, manifest.get("git") or {}
    jobs = manifest.get("jobs") or []
    scenarios = sorted({j["scenario"] for j in jobs if j.get("scenario") != paths.RUN_WIDE_FOLDER})
    notebooks = sorted({j["notebook"] for j in jobs})
    return (manifest["run_id"], manifest.get("created"), manifest.get("finished"), manifest.get("seconds"),
            summary.get("ok"), summary.get("failed"), summary.get("reused"), json.dumps(scenarios),
            json.dumps(notebooks), json.dumps(options.get("overrides") or {}, sort_keys=True, default=str),
            (manifest.get("versions") or {}).get("econ"), manifest.get("lock_sha256"), git.get("commit"),
            int(bool(git.get("dirty"))), options.get("resumed_from"))


def append(run_dir: Path, outputs: Path | None = None, file: Path | None = None) -> None:
    """Add (or replace) one published run in the store (or in ``file``), in one transaction."""
    from econ import results

    manifest = json.loads((Path(run_dir) / "manifest.json").read_text(encoding="utf-8"))
    frame = results.load(Path(run_dir))
    figures = frame[["run_id", "scenario", "notebook", "metric", "label", "unit", "region", "year", "statistic",
                     "value"]].astype({"statistic": str}).astype(object).where(frame.notna(), None)
    run_id = manifest["run_id"]
    with closing(_connect_file(file or path(outputs))) as con:
        _check_version(con, file or path(outputs))
        con.execute("BEGIN IMMEDIATE")
        try:
            for table in ("runs", "inputs", "figures"):
                con.execute(f"DELETE FROM {table} WHERE run_id = ?", (run_id,))
            con.execute(f"INSERT INTO runs VALUES ({', '.join('?' * 15)})", _run_row(manifest))
            con.executemany("INSERT INTO inputs VALUES (?, ?, ?, ?)", [(run_id, *r) for r in _inputs(manifest)])
            con.executemany(f"INSERT INTO figures VALUES ({', '.join('?' * 10)})", figures.itertuples(index=False))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise


def _check_version(con: sqlite3.Connection, file: Path) -> None:
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    elif row[0] != str(SCHEMA_VERSION):
        raise sqlite3.DatabaseError(f"{file} is of schema {row[0]}, not {SCHEMA_VERSION}")


def run_folders(outputs: Path | None = None) -> list[Path]:
    """Every published run folder (runs/RUN_ID with a manifest), oldest first."""
    runs = Path(outputs or paths.OUTPUTS) / "runs"
    return sorted(p for p in runs.glob("*") if p.is_dir() and not p.name.startswith(".")
                  and (p / "manifest.json").is_file()) if runs.is_dir() else []


def rebuild(outputs: Path | None = None) -> int:
    """The store made again from the run folders (a lost, stale or older store); how many runs it holds."""
    target = path(outputs)
    tmp = target.with_name(f".{FILE}.{os.getpid()}")
    tmp.unlink(missing_ok=True)
    count = 0
    for folder in run_folders(outputs):
        try:
            append(folder, file=tmp)
            count += 1
        except (OSError, ValueError, KeyError):
            continue  # a run folder that cannot be read is left out, not fatal to the others
    if not tmp.exists():
        _connect_file(tmp).close()
    os.replace(tmp, target)
    return count


def _connect_file(file: Path) -> sqlite3.Connection:
    con = sqlite3.connect(file, isolation_level=None, timeout=30)
    con.executescript(_TABLES)
    return con


def _fresh(outputs: Path | None) -> None:
    """Rebuild the store when it is missing, of another schema, or does not hold the same runs as the folders."""
    folders = {p.name for p in run_folders(outputs)}
    try:
        with closing(sqlite3.connect(path(outputs))) as con:
            version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            held = {r[0] for r in con.execute("SELECT run_id FROM runs")}
        if version and version[0] == str(SCHEMA_VERSION) and held == folders:
            return
    except sqlite3.DatabaseError:
        pass
    rebuild(outputs)


def runs(outputs: Path | None = None) -> pd.DataFrame:
    """Every published run, newest first (rebuilt from the folders first if the store is out of date)."""
    from econ.results import latest_id as latest_run

    _fresh(outputs)
    with closing(sqlite3.connect(path(outputs))) as con:
        frame = pd.read_sql("SELECT * FROM runs ORDER BY run_id DESC", con)
    frame["latest"] = frame["run_id"] == latest_run(Path(outputs or paths.OUTPUTS))
    return frame


def inputs(run_id: str, outputs: Path | None = None) -> pd.DataFrame:
    _fresh(outputs)
    with closing(sqlite3.connect(path(outputs))) as con:
        return pd.read_sql("SELECT kind, name, value FROM inputs WHERE run_id = ?", con, params=(run_id,))


def figures(run_id: str, outputs: Path | None = None) -> pd.DataFrame:
    _fresh(outputs)
    with closing(sqlite3.connect(path(outputs))) as con:
        return pd.read_sql("SELECT * FROM figures WHERE run_id = ?", con, params=(run_id,))


__all__ = ["FILE", "SCHEMA_VERSION", "append", "figures", "inputs", "path", "rebuild", "run_folders", "runs"]
