"""Write tests/expected/SCENARIO.csv: every metric of every shipped scenario (median, p05, p95) at the
scenario's seed and DRAWS draws. Run after a deliberate change to a number (`make expected`), and say
in the commit message why the numbers moved; tests/test_expected.py compares against these files."""

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from econ import world  # noqa: E402
from econ.scenario import load_scenario, scenario_names  # noqa: E402

DRAWS = 2000
HERE = Path(__file__).parent


def table(name: str) -> pd.DataFrame:
    metrics = world.assess(load_scenario(name), DRAWS).metrics()
    heads = sorted(k for k in metrics if not k.endswith(("_p05", "_p95")))
    return pd.DataFrame({"metric": heads, "median": [metrics[k] for k in heads],
                         "p05": [metrics.get(f"{k}_p05", metrics[k]) for k in heads],
                         "p95": [metrics.get(f"{k}_p95", metrics[k]) for k in heads]})


if __name__ == "__main__":
    for old in HERE.glob("*.csv"):
        old.unlink()
    for name in scenario_names():
        table(name).to_csv(HERE / f"{name}.csv", index=False, float_format="%.10g")
        print("wrote", HERE / f"{name}.csv")
