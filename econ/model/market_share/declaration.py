"""What the market-share stage reads and reports: its years and groups, the drawn estimates and its
figures."""

from __future__ import annotations

from econ.model.market_share.base_year import BASE_YEAR, REGIONS
from econ.model.market_share.choice import VENDORS
from econ.model.stage import Declaration, Metric

END_YEAR = 2030
YEARS = tuple(range(BASE_YEAR, END_YEAR + 1))
GROUPS = (*REGIONS, "world", "world_ex_china")
#: Year Russia's rank among Huawei's foreign markets is reported for.
RANK_YEAR = 2025
#: Year the Russian alignment starts to count (Lavrov's 2020 statement; MTS deal June 2019).
ALIGNMENT_FROM = 2020
#: The 5G wave peaks this many years after launch, with this spread (years): a modelling choice.
WAVE_PEAK_LAG, WAVE_WIDTH = 2.0, 1.5
#: The radio part: the buyers' response is measured on radio-network shares (European countries'
#: Chinese radio shares, econ.model.market_share.ban_response), so it is applied there and nowhere
#: else; China's national 5G tenders (econ.model.market_share.china) are for it too.
PENALISED_PARTS = ("ran",)
#: The region Huawei's Russian position may spill over to (``emerging_markets_spillover``): Latin
#: America, the Middle East and Africa.
EMERGING = "rest_of_world"
#: Row of the kernel's share table holding China's radio tender shares (after the regions').
CHINA_RADIO = len(REGIONS)
#: National markets left out of Russia's rank among Huawei's foreign markets (home and remainders).
FOREIGN_EXCLUDED = ("china", "other_europe", "other_apac", "other_world")
#: (vendor, group, year) of each share metric.
SHARE_METRICS = {
    "huawei_share_world_2020": ("huawei", "world", 2020),
    "huawei_share_world_2021": ("huawei", "world", 2021),
    "huawei_share_ex_china_2021": ("huawei", "world_ex_china", 2021),
    "ericsson_share_ex_china_2021": ("ericsson", "world_ex_china", 2021),
    "nokia_share_ex_china_2021": ("nokia", "world_ex_china", 2021),
    "huawei_share_ex_china_2022": ("huawei", "world_ex_china", 2022),
    "ericsson_share_ex_china_2022": ("ericsson", "world_ex_china", 2022),
    "nokia_share_ex_china_2022": ("nokia", "world_ex_china", 2022),
    "zte_share_ex_china_2022": ("zte", "world_ex_china", 2022),
    "huawei_share_china_2021": ("huawei", "china", 2021),
    "huawei_share_russia_2025": ("huawei", "russia", 2025),
    "russian_made_share_russia_2022": ("russian_made", "russia", 2022),
    "russian_made_share_russia_2023": ("russian_made", "russia", 2023),
    "huawei_share_europe_2025": ("huawei", "europe", 2025),
    "huawei_share_world_2030": ("huawei", "world", 2030),
}
#: Where a group is, in a reader's words (figures' ``region``).
REGION_WORDS = {"world": "World", "world_ex_china": "World excl. China", "china": "China", "russia": "Russia",
                "europe": "Europe"}
_LABELS = {"world": "worldwide", "world_ex_china": "outside China", "china": "in China", "russia": "in Russia",
           "europe": "in Europe"}


def _share_metric(name: str, vendor: str, group: str, year: int) -> Metric:
    who = {"huawei": "Huawei", "ericsson": "Ericsson", "nokia": "Nokia", "zte": "ZTE",
           "russian_made": "Russian-made kit"}[vendor]
    return Metric(name, "share of new contracts", f"{who}'s share {_LABELS[group]}, {year}",
                  f"{who}'s share of new telecom-equipment contracts {_LABELS[group]} in {year}",
                  region=REGION_WORDS[group], year=year, variable=f"{who}'s share {_LABELS[group]}")


DECLARATION = Declaration(
    name="market_share",
    title="Vendor market shares",
    groups=("policy", "market_share", "equipment", "russia"),
    reads=("chip_supply",),
    metrics=(
        *(_share_metric(k, *v) for k, v in SHARE_METRICS.items()),
        Metric("huawei_installed_share_russia_2025", "share of installed base",
               "Huawei's share of Russia's installed equipment, 2025",
               "Huawei's share of the telecom equipment in service in Russia in 2025", fast=False,
               region="Russia", year=2025, variable="Huawei's share of Russia's installed equipment"),
        Metric("russia_rank_in_huawei_foreign_markets_2025", "rank (1 = largest)",
               "Russia's rank among Huawei's foreign markets, 2025",
               "Russia's rank by Huawei's new-contract sales among its national markets outside China",
               region="Russia", year=2025, variable="Russia's rank among Huawei's foreign markets", integer=True),
        Metric("russia_largest_foreign_market_probability_2030", "probability",
               "Chance Russia is Huawei's largest foreign market, 2030",
               "Share of draws in which Russia is Huawei's largest foreign market in 2030", interval=False, fast=False,
               region="Russia", year=2030, variable="Chance Russia is Huawei's largest foreign market"),
        Metric("huawei_foreign_revenue_usd_bn_2025", "USD bn, nominal",
               "Huawei's equipment sales outside China, 2025",
               "Huawei's new-contract telecom-equipment sales outside China in 2025", fast=False,
               region="World excl. China", year=2025, variable="Huawei's equipment sales outside China"),
    ),
    drawn_inputs={"sanctions_shift_huawei": "buyers' response to restrictions (ban_response.py difference-in-differences), "
                                            "drawn from its sampling distribution",
                  "sanctions_shift_zte": "the same draw as Huawei's (the panel counts the Chinese vendors together)",
                  "base_year_variant": "data/equipment_regions.csv: regional weights over their ranges (one of 16 fits)",
                  "china_western_shift": "China's response to Western bans (china.py, from its 2020-21 tenders), drawn",
                  "vendor_drift_sd": "vendors' own yearly log-odds changes before 2020 (drift.py): their sd, drawn",
                  "vendor_drift_seed": "vendors' own drift (drift.py): the seed of each draw's random walks"},
    bytes_per_draw=8 * len(YEARS) * (2 * len(GROUPS) * len(VENDORS) + 24 + 8 + 6 * len(VENDORS)),
)
