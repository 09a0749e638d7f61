"""Cross-check: Russia's 5G base stations and capex under each network-sharing mode, beside two plans.

The 2020 roadmap planned 10,000 5G base stations by 2024 (data/russia_5g_plan.csv), scored in the
back-test against ``aug2020_expansion``; the 2024 draft federal project has operators investing
RUB 54-164bn a year in 5G from 2026 (source ``delta_2024_scrf_5g``), compared here with ``history``
(launch 2026). Prints both for ``network_sharing`` alone, partial and single, and saves them to
benchmarks/roadmap_sharing.json. Quoted in docs/backtest.md ("Known misses").

    .venv/bin/python benchmarks/roadmap_sharing.py [DRAWS]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from econ.model import world
from econ.scenario import load_scenario, with_values

MODES = ("alone", "partial", "single")


def main(draws: int = 2000) -> dict:
    rows = {}
    for mode in MODES:
        plan = world.assess(with_values(load_scenario("aug2020_expansion"), {"network_sharing": mode}), draws).metrics()
        hist = world.assess(with_values(load_scenario("history"), {"network_sharing": mode}), draws).metrics()
        key = "russia_5g_base_stations_thousand_2024"
        late = "russia_5g_capex_nominal_rub_bn_2020_2030", "russia_5g_capex_nominal_rub_bn_2020_2024"
        rows[mode] = {
            "base_stations_thousand_2024": [round(plan[key + s], 2) for s in ("", "_p05", "_p95")],
            "history_nominal_capex_rub_bn_a_year_2026_2030": round((hist[late[0]] - hist[late[1]]) / 5, 1),
        }
        print(f"{mode:8s} base stations 2024 (thousand, aug2020_expansion): "
              f"{rows[mode]['base_stations_thousand_2024']}  (roadmap: 10)   "
              f"history capex a year 2026-2030 (2025 pilots included), nominal RUB bn: "
              f"{rows[mode]['history_nominal_capex_rub_bn_a_year_2026_2030']}  (2024 draft: 54-164 from 2026)")
    out = Path(__file__).with_suffix(".json")
    out.write_text(json.dumps({"draws": draws, "modes": rows}, indent=2) + "\n")
    return rows


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
