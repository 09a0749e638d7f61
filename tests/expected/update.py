"""Write tests/expected/SCENARIO.csv: every metric of every shipped scenario (median, p05, p95) at the
scenario's seed and DRAWS draws, and tests/expected/draws.json: the first PINNED draws of every stage's
random inputs. Run after a deliberate change to a number (`make expected`), and say in the commit
message why the numbers moved; tests/test_expected.py and tests/test_determinism.py compare against
these files. The values belong to the locked environment (requirements-lock.txt)."""

import json
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from econ.model import world  # noqa: E402
from econ.scenario import load_scenario, scenario_names  # noqa: E402

DRAWS = 2000
HERE = Path(__file__).parent
#: How many draws of each random input tests/expected/draws.json pins, and of which scenario.
PINNED, PINNED_SCENARIO = 4, "history"


def table(name: str) -> pd.DataFrame:
    found = sorted(world.assess(load_scenario(name), DRAWS).figures(), key=lambda f: f.metric)
    return pd.DataFrame({"metric": [f.metric for f in found], "median": [f.median for f in found],
                         "p05": [f.median if f.p05 is None else f.p05 for f in found],
                         "p95": [f.median if f.p95 is None else f.p95 for f in found]})


def pinned_draws() -> dict[str, dict[str, list[float]]]:
    """stage -> {random input it draws itself or a parameter of its own groups: the first PINNED draws}."""
    scenario = load_scenario(PINNED_SCENARIO)
    out: dict[str, dict[str, list[float]]] = {}
    seen: set[str] = set()
    for name in world.stages():
        params = world.draw(scenario, PINNED, [name])
        own = {k: v for k, v in params.items() if k not in seen}
        seen.update(own)
        out[name] = {k: [float(x) for x in own[k]] for k in sorted(own)}
    return out


if __name__ == "__main__":
    (HERE / "draws.json").write_text(json.dumps(pinned_draws(), indent=1, sort_keys=True) + "\n")
    print("wrote", HERE / "draws.json")
    for old in HERE.glob("*.csv"):
        old.unlink()
    for name in scenario_names():
        table(name).to_csv(HERE / f"{name}.csv", index=False, float_format="%.10g")
        print("wrote", HERE / f"{name}.csv")
