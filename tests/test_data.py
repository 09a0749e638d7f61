"""Datasets: provenance, schemas, and malformed files named by file, column and line."""

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from econ import cli, data, files, paths
from econ.errors import InputError
from tests.conftest import edit as _edit
from tests.conftest import uncached as _uncached


@pytest.mark.parametrize("name", list(data.DATASETS))
def test_every_dataset_loads_with_sources(name):
    frame = data.load(name)
    assert len(frame) > 0
    known = set(data.sources()["source_id"])
    assert frame["source_id"].isin(known).all()
    assert frame["quality"].isin(data.QUALITY).all()


def test_manifest_lists_every_file_with_matching_hash():
    assert data.check_manifest() == []
    listed = set(data.manifest())
    assert {p.name for p in paths.DATA.glob("*.csv")} == listed
    for name in data.DATASETS:
        assert f"{name}.csv" in listed


def test_manifest_detects_a_changed_file(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA, copy)
    monkeypatch.setattr(paths, "DATA", copy)
    monkeypatch.setattr(paths, "MANIFEST", copy / "manifest.yaml")
    with open(copy / "huawei_revenue.csv", "a") as f:
        f.write("\n")
    problems = data.check_manifest()
    assert any(p[1] == "huawei_revenue.csv.sha256" for p in problems)


def test_derived_rows_say_how():
    for name in data.DATASETS:
        frame = data.load(name)
        flagged = frame[frame["quality"].isin(["derived", "assumption"])]
        assert flagged["note"].fillna("").str.strip().ne("").all(), name


def test_conflicting_estimates_kept_with_one_default():
    procurement = data.load("huawei_procurement")
    korea = procurement[(procurement.supplier_economy == "south_korea")]
    assert len(korea) > korea["year"].nunique(), "conflicting Korean estimates should stay as separate rows"
    assert data.defaults("huawei_procurement").groupby(["year", "supplier_economy"]).size().max() == 1


def test_calibration_target_is_sp_estimate():
    t = data.load("calibration_targets").set_index("target")["value_usd_bn"]
    assert t["apac_revenue_at_risk_total"] == pytest.approx(25)
    assert t["apac_revenue_at_risk_direct"] + t["apac_revenue_at_risk_indirect"] == pytest.approx(25)


def test_huawei_revenue_totals_are_reported_figures():
    # Huawei 2022 annual report five-year table (CNY m): 2019 858,833; 2020 891,368.
    rev = data.defaults("huawei_revenue")
    total = rev[rev.dimension == "total"].set_index("year")["revenue_cny_bn"]
    assert total[2019] == pytest.approx(858.833)
    assert total[2020] == pytest.approx(891.368)
    assert total.index.min() <= 2017


def _broken(tmp_path: Path, name: str, edit) -> Path:
    frame = pd.read_csv(data.DATASETS[name].file, dtype=str, keep_default_na=False)
    frame = edit(frame)
    out = tmp_path / f"{name}.csv"
    frame.to_csv(out, index=False)
    return out


MALFORMED = {
    "missing column": ("huawei_revenue", lambda f: f.drop(columns="revenue_cny_bn"),
                       "column 'revenue_cny_bn'", "required column is missing"),
    "wrong type": ("huawei_revenue", lambda f: f.assign(year=f["year"].where(f.index != 0, "twenty")),
                   "column 'year', line 2", "twenty"),
    "negative revenue": ("huawei_revenue", lambda f: f.assign(
        revenue_cny_bn=f["revenue_cny_bn"].where(f.index != 2, "-5")), "column 'revenue_cny_bn', line 4", "-5"),
    "share above one": ("vendor_shares", lambda f: f.assign(share=f["share"].where(f.index != 1, "1.4")),
                        "column 'share', line 3", "1.4"),
    "share in percent": ("vendor_shares", lambda f: f.assign(share=f["share"].where(f.index != 0, "28")),
                         "column 'share', line 2", "28"),
    "row without a source": ("huawei_procurement", lambda f: f.assign(
        source_id=f["source_id"].where(f.index != 0, "")), "column 'source_id', line 2", ""),
    "unknown source": ("huawei_procurement", lambda f: f.assign(
        source_id=f["source_id"].where(f.index != 1, "my_uncle")), "column 'source_id', line 3", "my_uncle"),
    "negative procurement": ("huawei_procurement", lambda f: f.assign(
        procurement_usd_bn=f["procurement_usd_bn"].where(f.index != 0, "-1")),
        "column 'procurement_usd_bn', line 2", "-1"),
    "unknown quality": ("market_size", lambda f: f.assign(quality=f["quality"].where(f.index != 0, "great")),
                        "column 'quality', line 2", "great"),
    "two defaults": ("vendor_shares", lambda f: f.assign(is_default="true"), "column 'is_default'",
                     "exactly one row per key"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_data_named(case, tmp_path, capsys):
    name, edit, where, what = MALFORMED[case]
    path = _broken(tmp_path, name, edit)
    with pytest.raises(InputError) as e:
        data.validate_file(path)
    message = str(e.value)
    assert f"{name}.csv" in message and where in message and what in message, message
    assert cli.main(["validate", str(path)]) == 2
    assert where in capsys.readouterr().err


def test_cite_names_sources():
    rev = data.defaults("huawei_revenue")
    assert "(" in data.cite(rev) and data.cite(rev.head(1))


# --- unreadable data and manifest; rehash ------------------------------------------------------------

@pytest.fixture
def manifest_copy(data_copy, monkeypatch):
    monkeypatch.setattr(paths, "MANIFEST", data_copy / "manifest.yaml")
    return data_copy / "manifest.yaml"


@pytest.mark.parametrize("content, message", [
    ("", "the file is empty"),
    ("\n\n", "the file is empty"),
    ("year,dimension,segment,revenue_cny_bn,is_default,source_id,quality,note\n", "has a header but no rows"),
])
def test_empty_csv_refused(content, message, tmp_path, capsys):
    path = tmp_path / "huawei_revenue.csv"
    path.write_text(content)
    assert cli.main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "huawei_revenue.csv" in err and message in err and "Traceback" not in err


def test_a_folder_named_like_a_csv_refused(tmp_path, capsys):
    (tmp_path / "huawei_revenue.csv").mkdir()
    assert cli.main(["validate", str(tmp_path / "huawei_revenue.csv")]) == 2
    assert "is a folder" in capsys.readouterr().err


@pytest.mark.parametrize("content, message", [
    (None, "no such data manifest"),
    (b"", "must be a mapping with `files:`"),
    (b"files: [a, b]\n", "must be a mapping with `files:`"),
    (b"files:\n  sources.csv: just text\n", "files.sources.csv: each entry must be a mapping"),
    (b"files:\n  a.csv: {title: t}\n  a.csv: {title: u}\n", "the key is given twice"),
    (b"\x00\x01\x02binary", "holds NUL bytes"),
    (b"files: {a.csv: {title: [unclosed}\n", "not valid YAML"),
    (b"files:\n  sources.csv: {title: t, description: d, units: u, sha256: yes}\n", "yes is true or false"),
    ("truncated", "data file has no manifest entry"),  # cut short: it still parses, files are missing from it
])
def test_corrupt_or_missing_manifest_refused(content, message, manifest_copy, capsys):
    if content is None:
        manifest_copy.unlink()
    elif content == "truncated":
        manifest_copy.write_bytes(manifest_copy.read_bytes()[:2000].rsplit(b"\n  ", 1)[0] + b"\n")
    else:
        manifest_copy.write_bytes(content)
    problems = data.check_manifest()
    assert problems and any(message in ": ".join(p) for p in problems), problems
    for command in (["validate"], ["data"], ["data", "--rehash"]):
        assert cli.main(command) == 2, command
        err = capsys.readouterr().err
        assert "manifest.yaml" in err and message in err and "Traceback" not in err, err


def test_rehash_refuses_a_file_that_fails_its_schema(manifest_copy, data_copy, capsys):
    before = manifest_copy.read_bytes()
    with open(data_copy / "vendor_shares.csv", "a") as f:
        f.write("2021,world,world,huawei,1.7,false,delloro_2020,good,\n")  # a share above one
    assert cli.main(["data", "--rehash"]) == 2
    err = capsys.readouterr().err
    assert "vendor_shares.csv: column 'share'" in err and "manifest.yaml: unchanged" in err
    assert manifest_copy.read_bytes() == before


def test_rehash_records_a_valid_change(manifest_copy, data_copy):
    path = data_copy / "vendor_shares.csv"
    path.write_text(path.read_text() + "\n")
    assert [p[1] for p in data.check_manifest()] == ["vendor_shares.csv.sha256"]
    assert data.rehash() == ["vendor_shares.csv"]
    assert data.check_manifest() == [] and data.rehash() == []
    assert not list(data_copy.glob(".manifest.yaml.*")), "no temporary file left behind"


def test_rehash_cut_short_leaves_the_old_manifest_whole(manifest_copy, data_copy, monkeypatch):
    before = manifest_copy.read_bytes()
    path = data_copy / "vendor_shares.csv"
    path.write_text(path.read_text() + "\n")
    written = []

    def crash(src, dst):  # the process dies between writing the new manifest and putting it in place
        written.append(Path(src).read_bytes())
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        data.rehash()
    assert manifest_copy.read_bytes() == before
    assert written and written[0] != before and b"vendor_shares.csv" in written[0]  # complete, fsynced, not renamed
    assert not list(data_copy.glob(".manifest.yaml.*"))


# --- data/sources.csv: dates of publication ------------------------------------------------------------

SOURCE_ROW = "workbook_assumption,\"Workbook assumption (judgement, not data)\",this workbook,data/README.md,2026-11-21,"


def test_every_source_date_is_iso_as_precise_as_the_source():
    dates = data.sources()["date"]
    assert dates.map(data.period).notna().all()
    assert {len(data.period(d)) for d in dates} == {1, 2, 3}  # a year, a month and a day are all in use


@pytest.mark.parametrize("date", ["last Tuesday", "21/11/2026", "2026-11-31", "Nov 2026", "2026-11-21T10:00", "26"])
def test_a_source_date_that_is_not_iso_is_refused_everywhere(manifest_copy, data_copy, capsys, date):
    from econ import batch
    from econ.data import loading

    path = data_copy / "sources.csv"
    _edit(path, SOURCE_ROW, SOURCE_ROW.replace("2026-11-21", date))
    said = f"sources.csv: column 'date', line 3: {date!r} is not an ISO date: write YYYY-MM-DD, YYYY-MM or YYYY"
    with _uncached(loading._sources_cached):
        with pytest.raises(InputError, match=re.escape(said)):
            data.sources()
        for command in (["validate"], ["validate", str(path)]):
            assert cli.main(command) == 2, command
            assert capsys.readouterr().err.count(said) == 1, "said once, however many files cite the sources"
        with pytest.raises(InputError, match=re.escape(said)) as refused:
            batch.plan(["baseline"])
        assert str(refused.value).count(said) == 1
