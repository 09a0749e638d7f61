"""Reading a file of data/: parsed strictly, validated against its schema (one message per problem,
naming the file, column and line), cached by the file's modification time; and citing the sources of
the rows a figure rests on."""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from econ import paths
from econ.data.schemas import DATASETS, Dataset, _line, _text, period
from econ.errors import InputError, suggest


def _read(file: Path) -> pd.DataFrame:
    rel = paths.relative(file)
    if file.is_dir():
        raise InputError.single(rel, "", "is a folder, not a data file")
    try:
        frame = pd.read_csv(file, dtype=str, keep_default_na=False, na_values=[""])
    except FileNotFoundError:
        raise InputError.single(rel, "", "data file is missing") from None
    except pd.errors.EmptyDataError:
        raise InputError.single(rel, "", "the file is empty: a data file starts with a header row of column "
                                "names, then one row per observation") from None
    except (pd.errors.ParserError, UnicodeDecodeError, OSError, ValueError) as e:
        raise InputError.single(rel, "", f"not a readable CSV: {type(e).__name__}: {e}") from None
    if frame.empty:
        raise InputError.single(rel, "", "has a header but no rows: every data file holds at least one observation")
    return frame


def _schema_problems(error: pa.errors.SchemaErrors, dataset: Dataset, file: str) -> list[tuple[str, str, str]]:
    """A pandera failure as one problem per failing cell or column."""
    problems = []
    for case in error.failure_cases.itertuples():
        column = case.column if isinstance(case.column, str) else ""
        if case.check == "column_in_dataframe":
            problems.append((file, f"column '{case.failure_case}'", "required column is missing"))
        elif case.check == "column_in_schema":
            problems.append((file, f"column '{case.failure_case}'", "unexpected column; allowed: "
                             + ", ".join(dataset.schema().columns)))
        else:
            problems.append((file, f"column '{column}', {_line(case.index)}",
                             _cell_message(dataset, column, case.failure_case, case.check)))
    return problems


def _cell_message(dataset: Dataset, column: str, value, check: str) -> str:
    """What is wrong with one cell: for a closed list of values, the allowed ones and the closest."""
    schema_column = dataset.columns.get(column)
    for c in getattr(schema_column, "checks", []):
        allowed = c.statistics.get("allowed_values") if c.name == "isin" else None
        if allowed is not None and str(check).startswith("isin"):
            return f"{value!r} is not allowed; allowed: {', '.join(map(str, allowed))}{suggest(value, allowed)}"
    return f"value {value!r} fails {check}"


def _row_problems(out: pd.DataFrame, file: str, sources: set[str] | None) -> list[tuple[str, str, str]]:
    """Each row's sources exist in data/sources.csv; a derived or assumed figure says how in its note."""
    problems = []
    cited = [c for c in out.columns if c.startswith("source_id")] if sources is not None else []  # e.g. source_id_5g
    for i, row in out.iterrows():
        problems += [(file, f"column '{column}', {_line(i)}", f"{row[column]!r} is not a source_id in data/sources.csv")
                     for column in cited if row[column] not in sources]
        if row["quality"] in ("derived", "assumption") and not (isinstance(row["note"], str) and row["note"].strip()):
            problems.append((file, f"column 'note', {_line(i)}",
                             f"a {row['quality']} figure needs a note saying how it was derived or why assumed"))
    return problems


def _default_problems(out: pd.DataFrame, dataset: Dataset, file: str) -> list[tuple[str, str, str]]:
    """Exactly one default row per key."""
    problems = []
    for key, n in out.groupby(list(dataset.default_key))["is_default"].sum().items():
        if n != 1:
            key_text = ", ".join(f"{k}={v}" for k, v in zip(dataset.default_key, key if isinstance(key, tuple) else (key,)))
            problems.append((file, "column 'is_default'",
                             f"{key_text} has {n} default rows; exactly one row per key must be the default"))
    return problems


def validate_frame(frame: pd.DataFrame, dataset: Dataset, file: str, sources: set[str] | None) -> pd.DataFrame:
    """``frame`` checked and typed by the dataset's schema, or InputError naming column and line."""
    try:
        out = dataset.schema().validate(frame, lazy=True)
    except pa.errors.SchemaErrors as e:
        raise InputError(_schema_problems(e, dataset, file)) from None
    problems = _row_problems(out, file, sources)
    if dataset.default_key:
        out["is_default"] = out["is_default"] == "true"
        problems += _default_problems(out, dataset, file)
    if dataset.check is not None:
        problems += dataset.check(out, file)
    if problems:
        raise InputError(problems)
    return out


SOURCES_SCHEMA = pa.DataFrameSchema({
    "source_id": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$"), unique=True, coerce=True),
    "title": _text(), "publisher": _text(), "address": _text(), "date": _text(), "note": _text(nullable=True),
}, strict=True)


def _source_date_problems(frame: pd.DataFrame, file: str) -> list[tuple[str, str, str]]:
    """A source's date of publication is ISO, as precise as the source gives it (a day, a month or a year),
    so that citations sort and read alike ("last Tuesday" or 05/06/2020 say neither when nor how precisely)."""
    return [(file, f"column 'date', {_line(i)}", f"{value!r} is not an ISO date: write YYYY-MM-DD, YYYY-MM or "
             "YYYY (as precise as the source)") for i, value in frame["date"].items() if period(value) is None]


@functools.lru_cache(maxsize=1)
def _sources_cached(mtime_ns: int) -> pd.DataFrame:
    frame = _read(paths.SOURCES)
    file = paths.relative(paths.SOURCES)
    try:
        out = SOURCES_SCHEMA.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as e:
        raise InputError([(file, f"column '{c.column}', {_line(c.index)}", f"value {c.failure_case!r} fails {c.check}")
                          for c in e.failure_cases.itertuples()]) from None
    problems = _source_date_problems(out, file)
    if problems:
        raise InputError(problems)
    return out


def sources() -> pd.DataFrame:
    """data/sources.csv: one row per source (title, publisher, address, date)."""
    return _sources_cached(paths.SOURCES.stat().st_mtime_ns if paths.SOURCES.exists() else 0)


@functools.lru_cache(maxsize=64)
def _load_cached(name: str, file: str, mtime_ns: int) -> pd.DataFrame:
    dataset = DATASETS[name]
    return validate_frame(_read(Path(file)), dataset, paths.relative(file), set(sources()["source_id"]))


def load(name: str) -> pd.DataFrame:
    """All rows of dataset ``name``, validated (a copy: callers may modify it)."""
    if name not in DATASETS:
        raise KeyError(f"unknown dataset {name!r}; have: {', '.join(DATASETS)}")
    file = DATASETS[name].file
    mtime = file.stat().st_mtime_ns if file.exists() else 0
    return _load_cached(name, str(file), mtime).copy()


def defaults(name: str) -> pd.DataFrame:
    """The default rows of dataset ``name`` (all rows where the dataset keeps no alternatives)."""
    frame = load(name)
    if "is_default" in frame:
        frame = frame[frame["is_default"]].drop(columns="is_default")
    return frame.reset_index(drop=True)


def validate_file(path: Path) -> None:
    """Validate one data file (its dataset is its file name); InputError when it is malformed."""
    name = path.stem
    if paths.same(path, paths.SOURCES):
        sources()
        return
    if name not in DATASETS:
        raise InputError.single(paths.relative(path), "", f"unknown dataset; known: {', '.join(DATASETS)}")
    validate_frame(_read(path), DATASETS[name], paths.relative(path), set(sources()["source_id"]))


def cite(frame: pd.DataFrame) -> str:
    """A short citation of the sources behind ``frame``'s rows: "publisher (date); ..." in row order."""
    table = sources().set_index("source_id")
    seen = dict.fromkeys(frame["source_id"])
    parts = [f"{table.at[s, 'publisher']} ({table.at[s, 'date']})" for s in seen if s in table.index]
    return "; ".join(dict.fromkeys(parts))
