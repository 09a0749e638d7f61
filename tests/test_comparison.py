"""The scenario-comparison page: metric grouping, intervals, differing assumptions, escaping."""

import math
import subprocess
import sys

import pandas as pd

from econ import comparison
from econ.batch import Job
from econ.scenario import load_scenario
from tests.conftest import HOSTILE_TITLE


def test_metric_groups():
    groups = comparison.metric_groups(["loss", "loss_p05", "loss_p95", "rate_p05", "rate_p50", "rate_p95",
                                       "draws", "lonely_p05", "half", "half_p95"])
    assert groups["loss"] == {"p50": "loss", "p05": "loss_p05", "p95": "loss_p95"}
    assert groups["rate"] == {"p50": "rate_p50", "p05": "rate_p05", "p95": "rate_p95"}
    assert groups["draws"] == {"p50": "draws"}
    assert groups["lonely_p05"] == {"p50": "lonely_p05"}  # no centre, no partner: a metric of its own
    assert groups["half"] == {"p50": "half"} and groups["half_p95"] == {"p50": "half_p95"}
    assert len(groups) == 6


def test_intervals_across_scenarios():
    frame = pd.DataFrame([
        ("nb", "a", "loss", 2.0), ("nb", "a", "loss_p05", 1.0), ("nb", "a", "loss_p95", 3.0),
        ("nb", "b", "loss", 5.0), ("nb", "b", "loss_p05", 4.0), ("nb", "b", "loss_p95", 6.0),
        ("nb", "a", "draws", 100.0)], columns=["notebook", "scenario", "metric", "value"])
    out = comparison.intervals(frame).set_index(["metric", "scenario"])
    assert out.loc[("loss", "b"), ["p05", "p50", "p95"]].tolist() == [4.0, 5.0, 6.0]
    assert out.loc[("draws", "a"), "p50"] == 100 and math.isnan(out.loc[("draws", "a"), "p05"])
    assert ("draws", "b") not in out.index


def test_differing_assumptions_of_shipped_scenarios():
    scenarios = {n: load_scenario(n) for n in ("baseline", "may2020_fdpr", "aug2020_expansion")}
    table = comparison.differing_assumptions(scenarios).set_index("parameter")
    assert "covered_categories" in table.index and "substitution_rate" in table.index
    assert "indirect_coverage" not in table.index  # the same in all three
    assert table.loc["covered_categories", "may2020_fdpr"] == "foundry"
    same = comparison.differing_assumptions({"a": scenarios["baseline"], "b": scenarios["baseline"]})
    assert same.empty


def test_index_escapes_scenario_text_and_lists_failures(tiny_scenarios):
    scn = load_scenario(tiny_scenarios / "a.yaml")
    assert scn.title == HOSTILE_TITLE
    failed = Job("a", "00_tiny", "/x/00_tiny.ipynb", {}, title=scn.title, status="failed",
                 error={"cell": 4, "name": "ValueError", "message": "<b>bad</b> & worse"})
    page = comparison.index_html("run-1", [failed], {"a": scn}, {"summary": {"failed": 1}},
                                 comparison.metrics_frame(tiny_scenarios, []))
    assert "<script>alert(" not in page and "<img src=x" not in page and "&lt;script&gt;alert(" in page
    assert "&lt;b&gt;bad&lt;/b&gt; &amp; worse" in page and "href='a/00_tiny/00_tiny.html'" in page
    assert "vegaEmbed" not in page  # no charts, no bundle


def test_import_skips_the_rfc3987_grammar_and_charts_still_validate():
    code = ("import sys, econ, altair as alt, pandas as pd\n"
            "assert sys.modules.get('rfc3987_syntax') is None\n"
            "alt.Chart(pd.DataFrame({'x': [1]})).mark_point().encode(x='x:Q').to_dict(validate=True)\n")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
