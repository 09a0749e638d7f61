"""Sensitivity and sweeps: tornado zeros, Sobol on a known answer, sweep = single-scenario path, bad grids."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from econ import cli, sensitivity, sweep, uncertainty
from econ.errors import InputError
from econ.model import world
from econ.scenario import load_scenario

# --- tornado ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tornado():
    return sensitivity.tornado(load_scenario("russia_pivot"))


@pytest.fixture(scope="module")
def declared():
    return sensitivity.tornado(load_scenario("russia_pivot"), ["revenue", "market_share"], ranges="declared")


def test_tornado_bar_is_zero_where_the_metric_does_not_depend(declared):
    ms = declared[declared["model"] == "market_share"]
    assert len(ms) and "substitution_rate" not in set(ms["parameter"]), "the share stage offers only what it reads"
    # Rivals' recapture changes the net loss but not the gross exposure (S&P's revenue at risk):
    # its bar is zero on the at-risk figures and not on the loss.
    rev = declared[(declared["model"] == "revenue") & (declared["parameter"] == "rival_recapture_rate")]
    swing = rev.set_index("metric")["swing"]
    assert swing["apac_revenue_at_risk_usd_bn"] == 0 and swing["apac_direct_at_risk_usd_bn"] == 0
    assert swing["apac_revenue_loss_usd_bn"] > 0


def test_tornado_moves_what_the_model_reads(declared):
    rev = declared[(declared["model"] == "revenue") & (declared["metric"] == "apac_revenue_loss_usd_bn")]
    swing = rev.set_index("parameter")["swing"]
    assert swing["substitution_rate"] > 0 and swing["licence_approval_rate"] > 0
    direct = declared[(declared["model"] == "revenue") & (declared["metric"] == "apac_direct_loss_usd_bn")]
    row = direct.set_index("parameter").loc["licence_approval_rate"]
    # every licensable sale licensed: the direct loss left is the foundries' (no licence reached them)
    assert 0 < row["at_high"] < row["at_low"]
    assert (declared.groupby(["model", "metric"])["swing"].apply(lambda s: s.is_monotonic_decreasing)).all()


def test_declared_tornado_uses_the_declared_range(declared):
    row = declared[declared["parameter"] == "equipment_life_years"].iloc[0]
    assert (row["low"], row["high"]) == (4.0, 15.0) and row["ranges"] == "declared"


def test_scenario_tornado_uses_the_scenarios_own_p05_p95(tornado):
    scn = load_scenario("russia_pivot")
    row = tornado[tornado["parameter"] == "equipment_life_years"].iloc[0]
    dist = scn.value("equipment_life_years")                 # uniform 6-10: p05 6.2, p95 9.8
    assert row["low"] == pytest.approx(dist.ppf(np.array([0.05]))[0]) and row["high"] == pytest.approx(9.8)
    assert "russia_5g_launch_year" not in set(tornado["parameter"])   # a point value has no range of its own
    with pytest.raises(InputError, match="ranges"):
        sensitivity.tornado(scn, ranges="whole")


# --- global indices -------------------------------------------------------------------------------

def _ishigami(points, a=7.0, b=0.1):
    x1, x2, x3 = points["x1"], points["x2"], points["x3"]
    return {"y": np.sin(x1) + a * np.sin(x2) ** 2 + b * x3 ** 4 * np.sin(x1)}


def test_sobol_recovers_ishigami():
    dists = {k: uncertainty.Uniform(dist="uniform", low=-np.pi, high=np.pi) for k in ("x1", "x2", "x3")}
    rows = pd.DataFrame(uncertainty.sobol(_ishigami, dists, n_base=4096, seed=7)).set_index("parameter")
    # analytical values (Ishigami and Homma 1990; a = 7, b = 0.1)
    expected_s1 = {"x1": 0.3139, "x2": 0.4424, "x3": 0.0}
    expected_st = {"x1": 0.5576, "x2": 0.4424, "x3": 0.2437}
    for k in expected_s1:
        assert rows.at[k, "S1"] == pytest.approx(expected_s1[k], abs=0.04)
        assert rows.at[k, "ST"] == pytest.approx(expected_st[k], abs=0.04)
    assert list(rows["S1"].sort_values(ascending=False).index) == ["x2", "x1", "x3"]
    assert list(rows["ST"].sort_values(ascending=False).index) == ["x1", "x2", "x3"]
    assert (rows["S1_conf"] > 0).all()


def test_global_indices_for_a_scenario():
    table = sensitivity.global_indices(load_scenario("russia_pivot"), n_base=64, models=["market_share", "investment"])
    assert set(table["model"]) == {"market_share", "investment"}
    russia = table[table["metric"] == "huawei_share_russia_2025"].set_index("parameter")
    assert russia["ST"].idxmax() == "russia_huawei_alignment"
    assert (table["evaluations"] > 0).all()


# --- sweeps ---------------------------------------------------------------------------------------

def _central_overrides(scn, model):
    return {k: float(uncertainty.central(scn.value(k))) for k in model.drawn}


@pytest.mark.parametrize("model, axes", [
    ("revenue", ["substitution_rate=0:1:5", "wind_down_days=0:120:4"]),
    ("market_share", ["russia_huawei_alignment=0:3:4", "russia_domestic_capability=0:1:3"]),
    ("investment", ["discount_rate=0:0.2:5", "military_band_release_year=2020:2030:3"]),
])
def test_sweep_matches_the_single_scenario_path(model, axes, monkeypatch):
    # the stages also draw ranged data rows; the sweep holds them at their central values, so here too
    for name, stage in world.stages().items():
        if stage.draw_inputs is not None:
            monkeypatch.setitem(world.stages(), name, dataclasses.replace(stage, draw_inputs=lambda scenario, n, s=stage: {
                k: np.repeat(v, n) for k, v in s.central_inputs(scenario).items()}))
    scn = load_scenario("russia_pivot")
    parsed = [sweep.parse_axis(a) for a in axes]
    table = sweep.sweep(scn, parsed, [model])
    assert table["point"].nunique() == np.prod([a.steps for a in parsed])
    rng = np.random.default_rng(0)
    for point in rng.choice(table["point"].unique(), 4, replace=False):
        rows = table[table["point"] == point]
        values = {a.name: rows[a.name].iloc[0] for a in parsed}
        overrides = {**_central_overrides(scn, sweep.MODELS[model]), **{k: sweep._typed(k, v) for k, v in values.items()}}
        single = world.assess(load_scenario("russia_pivot", overrides=overrides), 1).metrics()
        for r in rows.itertuples():
            assert r.value == pytest.approx(single[r.metric], rel=1e-9, abs=1e-12)


def test_sweep_in_chunks_writes_the_same_csv(tmp_path, monkeypatch):
    scn = load_scenario("may2020_fdpr")
    axes = [sweep.parse_axis("substitution_rate=0:1:7"), sweep.parse_axis("licence_approval_rate=0:1:5")]
    whole = sweep.sweep(scn, axes)
    monkeypatch.setattr(sweep, "CHUNK", 4)
    out = tmp_path / "grid.csv"
    assert sweep.sweep(scn, axes, out=out).empty
    written = pd.read_csv(out)
    chosen = sweep.check_axes(axes, None)
    assert len(written) == len(whole) == 35 * sum(len(m.metrics) for m in chosen)
    merged = written.sort_values(["point", "metric"]).reset_index(drop=True)
    assert np.allclose(merged["value"], whole.sort_values(["point", "metric"])["value"])
    assert not (tmp_path / "grid.csv.partial").exists()


@pytest.mark.parametrize("arg, message", [
    ("substitution_rate=0.8:0.2:5", r"LOW \(0.8\) must be below HIGH \(0.2\)"),
    ("substitution_rate=0:1.5:5", r"\[0, 1.5\] is outside the allowed range \[0, 1\]"),
    ("substitution_rate=0:1:1", "STEPS must be at least 2"),
    ("subsitution_rate=0:1:5", "not a numeric parameter"),
    ("wind_down_days=0:100:4", "is a whole number"),
    ("substitution_rate=0:1", r"expected NAME LOW:HIGH:STEPS \(or NAME=LOW:HIGH:STEPS\)"),
    ("substitution_rate=a:1:5", "must be numbers"),
])
def test_bad_ranges_are_rejected(arg, message):
    with pytest.raises(InputError, match=message):
        sweep.check_axes([sweep.parse_axis(arg)], None)


def test_too_big_a_grid_is_refused_with_its_size():
    axes = [sweep.parse_axis("substitution_rate=0:1:2000"), sweep.parse_axis("licence_approval_rate=0:1:2000")]
    with pytest.raises(InputError, match="4,000,000 points"):
        sweep.check_axes(axes, None)


def test_cli_sweep_exit_codes(tmp_path, capsys):
    out = tmp_path / "s.csv"
    assert cli.main(["sweep", "may2020_fdpr", "--param", "substitution_rate=0:1:3", "--out", str(out)]) == 0
    assert len(pd.read_csv(out)) == 3 * len(sweep.MODELS["revenue"].metrics)
    bad = tmp_path / "bad.csv"
    assert cli.main(["sweep", "may2020_fdpr", "--param", "substitution_rate=0:2:3", "--out", str(bad)]) == 2
    assert "allowed range" in capsys.readouterr().err and not bad.exists()


def test_point_counts_do_not_overflow():
    # 2**32 x 2**32 is 0 in numpy's int64; here each axis is refused, and the product is a Python integer
    axes = [sweep.parse_axis(f"{name}=0:1:{2 ** 32}") for name in ("substitution_rate", "licence_approval_rate")]
    with pytest.raises(InputError, match="STEPS is 4,294,967,296"):
        sweep.check_axes(axes, None)
    axes = [sweep.parse_axis(f"{name}=0:1:{2 ** 11}") for name in ("substitution_rate", "licence_approval_rate",
                                                                   "stockpile_months")]
    axes[2] = sweep.Axis("stockpile_months", 0, 12, 2 ** 11)
    with pytest.raises(InputError, match="8,589,934,592 points"):
        sweep.check_axes(axes, None)


def test_an_integer_sweep_is_checked_before_anything_is_allocated():
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(InputError, match="STEPS is 1,000,000,000"):
            sweep.check_axes([sweep.Axis("wind_down_days", 0, 365, 10 ** 9)], None)
        with pytest.raises(InputError, match="STEPS may be 2, 6, 74, 366"):
            sweep.check_axes([sweep.Axis("wind_down_days", 0, 365, 1_000_000)], None)
        assert tracemalloc.get_traced_memory()[1] < 10_000_000   # 3 x 7.45 GiB before this fix
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("arg, message", [
    ("substitution_rate=0:nan:5", "must be below HIGH"),
    ("substitution_rate=-inf:1:5", "must be below HIGH"),
    ("substitution_rate=0:1:" + "9" * 5000, "must be numbers"),
    ("substitution_rate=0:1:2.5", "must be numbers"),
    ("=0:1:5", "not a numeric parameter"),
    ("vendor_choice=0:1:5", "not a numeric parameter"),
    ("wind_down_days=0.5:10.5:11", "choose LOW and HIGH whole"),
])
def test_more_bad_grids(arg, message):
    with pytest.raises(InputError, match=message):
        sweep.check_axes([sweep.parse_axis(arg)], None)


def test_sweep_in_chunks_writes_the_same_parquet_with_a_progress_bar(tmp_path, monkeypatch, capsys):
    scn = load_scenario("may2020_fdpr")
    axes = [sweep.parse_axis("substitution_rate=0:1:7"), sweep.parse_axis("licence_approval_rate=0:1:5")]
    whole = sweep.sweep(scn, axes)
    monkeypatch.setattr(sweep, "CHUNK", 4)
    out = tmp_path / "grid.parquet"
    assert sweep.sweep(scn, axes, out=out, progress=True).empty
    written = pd.read_parquet(out)
    assert len(written) == len(whole) and list(written.columns) == list(whole.columns)
    assert isinstance(written["metric"].dtype, pd.CategoricalDtype)  # small on disk; labels kept
    merged = written.astype({"metric": str}).sort_values(["point", "metric"]).reset_index(drop=True)
    assert np.allclose(merged["value"], whole.sort_values(["point", "metric"])["value"])
    assert "35/35" in capsys.readouterr().err and not (tmp_path / "grid.parquet.partial").exists()


def test_sweep_takes_its_axes_as_run_takes_its_values(tmp_path):
    """`econ sweep -p NAME LOW:HIGH:STEPS`, the same shape as `econ run -p NAME VALUE`; the older
    NAME=LOW:HIGH:STEPS gives the same file."""
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    assert cli.main(["sweep", "may2020_fdpr", "-p", "substitution_rate", "0:1:3", "--out", str(one), "--no-progress"]) == 0
    assert cli.main(["sweep", "may2020_fdpr", "--param", "substitution_rate=0:1:3", "--out", str(two), "--no-progress"]) == 0
    assert one.read_bytes() == two.read_bytes()
