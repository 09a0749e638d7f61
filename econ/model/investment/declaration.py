"""What the investment stage reads and reports: sharing modes, bands, vendor choices, the capex
components, the data rows it draws, and its figures."""

from __future__ import annotations

from econ.model.investment.inputs import DATA_DRAWN, END_YEAR, START_YEAR, TIERS, YEARS
from econ.model.stage import Declaration, Metric

#: Networks built and 5G cores run, by sharing mode. "partial" is RAN sharing in two pairs with
#: each operator keeping its own core (a modelling choice, not a plan found in the sources).
NETWORKS = {"alone": 4, "partial": 2, "single": 1}
CORES = {"alone": 4, "partial": 4, "single": 1}
SECTORS_PER_SITE = 3  # the standard macro configuration (modelling constant)
DAYS_PER_MONTH = 365.25 / 12
BANDS = {"3.4-3.8 GHz": START_YEAR, "4.4-4.99 GHz": END_YEAR + 1}  # band label -> release year used
VENDOR_CHOICES = ("market", "huawei", "western")
COMPONENTS = ("spectrum clearing", "new sites", "site upgrades", "capacity additions", "core network", "data centres")
REAL = "real, constant 2020 RUB"

_RUB = "RUB bn, real 2020"
DECLARATION = Declaration(
    name="investment",
    title="Investment needs",
    groups=("policy", "equipment", "russia", "investment"),
    reads=("market_share",),
    metrics=(
        *(Metric(f"russia_5g_capex_rub_bn_2020_{y}", _RUB, f"Russia's 5G capex, 2020-{y}",
                 f"5G capex of all networks, 2020-{y}", region="Russia", year=y, first_year=2020,
                 variable="Russia's 5G capex") for y in (2024, 2027, 2030)),
        *(Metric(f"russia_5g_capex_nominal_rub_bn_2020_{y}", "RUB bn, nominal", f"Russia's 5G capex, 2020-{y} (nominal)",
                 f"5G capex of all networks, 2020-{y}, in current roubles", region="Russia", year=y, first_year=2020,
                 variable="Russia's 5G capex (nominal)") for y in (2024, 2027, 2030)),
        Metric("russia_5g_capex_usd_bn_2020_2024", "USD bn at 2020 rates", "Russia's 5G capex in dollars, 2020-2024",
               "5G capex of all networks 2020-2024, real, at the 2020 exchange rate", region="Russia", year=2024,
               first_year=2020, variable="Russia's 5G capex in dollars"),
        Metric("russia_5g_capex_npv_rub_bn", _RUB, "Present value of Russia's 5G capex",
               "Capex 2020-2030 discounted to 2020 at the real discount rate", region="Russia", year=2020),
        Metric("russia_5g_base_stations_thousand_2024", "thousand base stations", "Russia's 5G base stations, 2024",
               "5G base stations of all networks at the end of 2024 (the 2020 roadmap planned 10,000)", region="Russia",
               year=2024, variable="Russia's 5G base stations"),
        Metric("russia_5g_sites_thousand_2030", "thousand base stations", "Russia's 5G base stations, 2030",
               "5G base stations of all networks at the end of 2030", region="Russia", year=2030,
               variable="Russia's 5G base stations"),
        *(Metric(f"russia_5g_financing_gap_rub_bn_2020_{y}", _RUB, f"Capex beyond the operators' 5G budgets, 2020-{y}",
                 "Sum over years from launch of capex above the operators' usual capex times GSMA's 5G share",
                 region="Russia", year=y, first_year=2020, variable="Capex beyond the operators' 5G budgets")
          for y in (2024, 2030)),
        Metric("uk_rip_and_replace_gbp_bn", "GBP bn, 2020 prices", "UK rip-and-replace cost, added by the ban",
               "What the UK ban adds over the normal replacement path: the life left in Huawei radio kit retired "
               "early (5G radios from 2019, 4G before) plus the replacement vendor's higher price",
               region="United Kingdom"),
        Metric("uk_rip_and_replace_gross_gbp_bn", "GBP bn, 2020 prices", "UK rip-and-replace cost, gross",
               "Cost of swapping every UK Huawei radio site in scope by the deadline", region="United Kingdom"),
        Metric("us_rip_and_replace_usd_bn", "USD bn, 2020 prices", "US rip-and-replace cost, added by the removal",
               "What the US removal adds over the normal replacement path: the life left in the kit retired early "
               "plus the replacement vendor's higher price",
               region="United States"),
        Metric("us_rip_and_replace_gross_usd_bn", "USD bn, 2020 prices", "US rip-and-replace cost, gross",
               "The carriers' filed cost of replacing their Huawei and ZTE kit", region="United States"),
        Metric("other_rip_and_replace_usd_bn", "USD bn, 2020 prices",
               "Rip-and-replace cost elsewhere, added by the removals",
               "What removal deadlines outside the UK and US add over the normal replacement path (life left in "
               "kit retired early plus the replacement vendor's higher price)",
               region="World excl. United Kingdom and United States"),
    ),
    drawn_inputs={**{k: f"data/{v[0]}.csv: {v[1]} {v[2] or ''}".strip() for k, v in DATA_DRAWN.items()},
                  "capital_intensity": "data/russia_operators.csv: capex over revenue of the reported operator-years"},
    bytes_per_draw=8 * len(YEARS) * (len(COMPONENTS) + 12 * len(TIERS) + 8),
)
