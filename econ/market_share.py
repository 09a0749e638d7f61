"""Market shares: where telecom-equipment vendors' shares move under bans, alignments and chip limits
(a stage of the linked model, :mod:`econ.model.world`; it reads Huawei's chip supply).

1. **Base year 2019** (:mod:`econ.share_base`): vendor shares by region fitted to Dell'Oro's world
   shares; national markets inherit them; each market's spending splits into network parts.
2. **Spending** grows at ``market_growth`` with a 5G wave per region peaking two years after launch
   (Russia's wave follows the shared ``russia_5g_launch_year``); China, its own market
   (:mod:`econ.china_market`), follows its three operators' 5G and other capex for 2019-2022, then
   the trend. Each draw takes one of several base-year fits at regional weights spread over their ranges.
3. **New contracts** are shared by a nested logit (:mod:`econ.choice`) in each market and part:
   * a ban takes its vendors out of the choice set for the parts it names, from its year;
   * outside China, buyers of radio networks mark Huawei and ZTE down by the shift
     :mod:`econ.share_shift` estimates from Dell'Oro's 2019-2020 RAN shares (drawn from its
     sampling distribution), times ``sanctions_penalty_scale``, from the rule's year: the penalty
     is measured, not assumed, and applied only to the part it was measured on;
   * China's radio contracts follow its 2020 national 5G tenders' shares from 2020; from 2021 its
     operators mark Western vendors down by the shift estimated from the 2021 tenders, times
     ``china_response_scale`` (:mod:`econ.china_market`);
   * a vendor that leaves a market (``vendor_exits``) is out of its choice set from its year, like
     a banned one, its kit replaced by a deadline or left to age out;
   * Huawei gains ``russia_huawei_alignment`` in Russia from 2020 and changes by
     ``russia_huawei_pullback`` from ``russia_huawei_pullback_from`` (its 2022 retreat);
   * in the rest of the world (Latin America, Middle East, Africa), Huawei's attractiveness moves
     by ``emerging_markets_spillover`` times its gain in Russia's share of new contracts since
     2019, a year earlier (a declared link; zero unless a scenario sets it); the shared Russian-made target
     path (``russian_made_target`` times ``russia_domestic_capability``) reserves Russian contracts
     for Russian-made kit;
   * each named vendor's attractiveness also drifts by a random walk of its own, as shares did
     before the rules (:mod:`econ.vendor_drift`): the part of a share's change no policy explains;
   * Huawei delivers at most its chip supply (from :mod:`econ.model.chip_supply`) times what it would
     sell without the rules (base shares times spending): when demand exceeds that, each market
     gets the same fraction of its Huawei orders and the rest goes to the other vendors there in
     proportion to their shares. So a Russian pivot is bounded by Huawei's chips.
4. **Installed base** turns over at 1/``equipment_life_years``; a ban with ``remove_by`` removes
   the vendors' installed kit in its parts in equal steps, and that replacement is extra spending
   won by others (the removed value is passed to the investment stage's rip-and-replace).

Shares of new contracts within a market and part depend only on the region, the year and which
vendors may bid, so they are computed once per distinct *situation*, not per market: that and
vectorising over draws is what makes 100,000 draws cheap.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from econ import china_market, data, share_shift, uncertainty, vendor_drift
from econ.choice import HUAWEI, NEST_OF, NESTS, RUSSIAN_MADE, VENDORS, WESTERN, ZTE, shift_for_log_odds
from econ.errors import InputError
from econ.model.stage import Declaration, Metric, Stage, interval_metrics
from econ.scenario import PARTS, Scenario, path_value
from econ.share_base import BASE_YEAR, REGIONS, VARIANTS, BaseYear, base_year, base_years

END_YEAR = 2030
YEARS = tuple(range(BASE_YEAR, END_YEAR + 1))
GROUPS = (*REGIONS, "world", "world_ex_china")
#: Year Russia's rank among Huawei's foreign markets is reported for.
RANK_YEAR = 2025
#: Year the Russian alignment starts to count (Lavrov's 2020 statement; MTS deal June 2019).
ALIGNMENT_FROM = 2020
#: The 5G wave peaks this many years after launch, with this spread (years): a modelling choice.
WAVE_PEAK_LAG, WAVE_WIDTH = 2.0, 1.5
#: The radio part: the buyers' penalty is measured on radio-network shares (Dell'Oro RAN outside
#: China, econ.share_shift), so it is applied there and nowhere else; China's national 5G tenders
#: (econ.china_market) are for it too.
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
_LABELS = {"world": "worldwide", "world_ex_china": "outside China", "china": "in China", "russia": "in Russia",
           "europe": "in Europe"}


def _share_metric(name: str, vendor: str, group: str, year: int) -> Metric:
    who = {"huawei": "Huawei", "ericsson": "Ericsson", "nokia": "Nokia", "zte": "ZTE",
           "russian_made": "Russian-made kit"}[vendor]
    return Metric(name, "share of new contracts", f"{who}'s share {_LABELS[group]}, {year}",
                  f"{who}'s share of new telecom-equipment contracts {_LABELS[group]} in {year}")


DECLARATION = Declaration(
    name="market_share",
    title="Vendor market shares",
    groups=("policy", "market_share", "equipment", "russia"),
    reads=("chip_supply",),
    metrics=(
        *(_share_metric(k, *v) for k, v in SHARE_METRICS.items()),
        Metric("huawei_installed_share_russia_2025", "share of installed base",
               "Huawei's share of Russia's installed equipment, 2025",
               "Huawei's share of the telecom equipment in service in Russia in 2025", fast=False),
        Metric("russia_rank_in_huawei_foreign_markets_2025", "rank (1 = largest)",
               "Russia's rank among Huawei's foreign markets, 2025",
               "Russia's rank by Huawei's new-contract sales among its national markets outside China"),
        Metric("russia_largest_foreign_market_probability_2030", "probability",
               "Chance Russia is Huawei's largest foreign market, 2030",
               "Share of draws in which Russia is Huawei's largest foreign market in 2030", interval=False, fast=False),
        Metric("huawei_foreign_revenue_usd_bn_2025", "USD bn, nominal",
               "Huawei's equipment sales outside China, 2025",
               "Huawei's new-contract telecom-equipment sales outside China in 2025", fast=False),
    ),
    drawn_inputs={"sanctions_shift_huawei": "econ.share_shift estimate (Huawei), drawn from its sampling distribution",
                  "sanctions_shift_zte": "econ.share_shift estimate (ZTE), drawn jointly with Huawei's",
                  "base_year_variant": "data/equipment_regions.csv: regional weights over their ranges (one of 16 fits)",
                  "china_western_shift": "econ.china_market estimate from China's 2020-2021 radio tenders, drawn",
                  "vendor_drift_sd": "econ.vendor_drift: sd of vendors' own yearly log-odds changes before 2020, drawn",
                  "vendor_drift_seed": "econ.vendor_drift: the seed of each draw's random walks"},
    bytes_per_draw=8 * len(YEARS) * (2 * len(GROUPS) * len(VENDORS) + 24 + 8 + 6 * len(VENDORS)),
)


# --- inputs ------------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _shift_estimate() -> tuple[np.ndarray, np.ndarray]:
    """The fitted log-odds shifts (Huawei, ZTE) outside China from the first post-rule year, and
    their covariance (HC1)."""
    fit = share_shift.estimate(vendors=("huawei", "zte"))
    names = ["post_huawei", "post_zte"]
    return fit.params[names].to_numpy(), fit.result.cov_params().loc[names, names].to_numpy()


def draw_inputs(scenario: Scenario, n: int) -> dict[str, np.ndarray]:
    """The estimated shifts, drawn jointly normal on their own seeded stream."""
    mean, cov = _shift_estimate()
    # The covariance can be singular (both shifts share the estimated common change): a Cholesky
    # factor with a zero column, which (unlike an eigenvector) has the same sign on every machine.
    x = uncertainty.multivariate_normal(uncertainty.rng_for(scenario.seed, "sanctions_shift"), mean, cov, n)
    variant = uncertainty.rng_for(scenario.seed, "base_year_variant").integers(0, VARIANTS, n).astype(float)
    return {"sanctions_shift_huawei": x[:, 0], "sanctions_shift_zte": x[:, 1], "base_year_variant": variant,
            "china_western_shift": china_market.draw_shift(scenario.seed, n), **vendor_drift.draw_inputs(scenario.seed, n)}


def central_inputs(scenario: Scenario) -> dict[str, np.ndarray]:
    mean, _ = _shift_estimate()
    return {"sanctions_shift_huawei": mean[:1], "sanctions_shift_zte": mean[1:], "base_year_variant": np.zeros(1),
            "china_western_shift": np.array([china_market.response_estimate().shift]), **vendor_drift.central_inputs()}


def restrictions(parameters) -> tuple:
    """Buyers' bans and vendors' exits, in that order: both take vendors out of the choice set in
    their places and parts from their year, and remove their kit by a deadline if they have one."""
    return tuple(parameters.vendor_bans) + tuple(parameters.vendor_exits)


def restriction_names(parameters) -> list[str]:
    """Each restriction's field in the scenario file: vendor_bans.0, ..., vendor_exits.0, ..."""
    return ([f"vendor_bans.{i}" for i in range(len(parameters.vendor_bans))]
            + [f"vendor_exits.{i}" for i in range(len(parameters.vendor_exits))])


def check(scenario: Scenario) -> None:
    """Ban and exit years inside the model's years, and some vendor left in every market and part."""
    s = scenario.parameters
    default = scenario.files[0] if scenario.files else "scenario"
    for ban, name in zip(restrictions(s), restriction_names(s)):
        file = scenario.set_in.get(name.split(".")[0], default)
        if ban.remove_by is not None and not BASE_YEAR < ban.remove_by <= END_YEAR:
            raise InputError.single(file, f"parameters.{name}.remove_by",
                                    f"{ban.remove_by} is outside the model's years: allowed {BASE_YEAR + 1} to {END_YEAR}")
        if ban.from_year > END_YEAR:
            raise InputError.single(file, f"parameters.{name}.from_year",
                                    f"{ban.from_year} is after the model's last year {END_YEAR}")
    layout = Layout.build(scenario)
    closed = ~layout.available(END_YEAR).any(axis=1)
    if closed.any():
        cells = [f"{layout.cells.at[c, 'market']} ({layout.cells.at[c, 'part']})" for c in np.flatnonzero(closed)]
        field = "vendor_exits" if s.vendor_exits else "vendor_bans"
        raise InputError.single(scenario.set_in.get(field, default), f"parameters.{field}",
                                f"every vendor is banned or has left {', '.join(cells[:5])}: "
                                f"leave at least one of {', '.join(VENDORS)}")


def first_year(ban) -> int:
    """The first model year a ban acts in: bans older than the base year act from the year after it
    (the base year's shares are data and reflect them only in part)."""
    return max(ban.from_year, BASE_YEAR + 1)


def removal_years(ban) -> tuple[int, int]:
    """First and last model year of a ban's removal of installed kit (both included)."""
    return max(ban.remove_from or ban.from_year, BASE_YEAR + 1), ban.remove_by


# --- the layout: cells, situations, aggregation weights --------------------------------------------

@dataclass(frozen=True)
class Layout:
    """Cells (market x part) with their 2019 spending, and how bans split them into situations."""

    base: BaseYear
    cells: pd.DataFrame           # market, region, part, spend_usd_bn (2019)
    bans: tuple
    removals: tuple               # (ban index, cell indices) of bans with a removal deadline

    @classmethod
    def build(cls, scenario: Scenario) -> Layout:
        return _layout(scenario.parameters.russia_equipment_share_of_capex, restrictions(scenario.parameters))

    def available(self, year: int) -> np.ndarray:
        """(C, V) True where a vendor may win new contracts in a cell in ``year``."""
        ok = np.ones((len(self.cells), len(VENDORS)), dtype=bool)
        for ban in self.bans:
            if first_year(ban) <= year:
                ok[np.ix_(self.in_scope(ban), np.isin(VENDORS, ban.vendors))] = False
        return ok

    def in_scope(self, ban) -> np.ndarray:
        c = self.cells
        return ((c["market"].isin(ban.places) | c["region"].isin(ban.places)) & c["part"].isin(ban.parts)).to_numpy()

    def group_matrix(self) -> np.ndarray:
        """(C, G) 1 where a cell belongs to a group (regions, world, world ex China)."""
        region = self.cells["region"].to_numpy()
        cols = [region == r for r in REGIONS] + [np.ones(len(region), bool), region != "china"]
        return np.stack(cols, axis=1).astype(float)

    def market_matrix(self) -> np.ndarray:
        """(C, M) 1 where a cell belongs to a national market (base.markets order)."""
        return (self.cells["market"].to_numpy()[:, None] == self.base.markets["market"].to_numpy()[None, :]).astype(float)


@functools.lru_cache(maxsize=32)
def _layout(russia_equipment_share: float, bans: tuple) -> Layout:
    base = base_year(russia_equipment_share)
    m = base.markets
    cells = pd.DataFrame([{"market": r.market, "region": r.region, "part": part,
                           "spend_usd_bn": r.spend_usd_bn * base.parts[part]}
                          for r in m.itertuples() for part in PARTS])
    layout = Layout(base, cells, bans, ())
    removals = tuple((i, np.flatnonzero(layout.in_scope(b))) for i, b in enumerate(bans) if b.remove_by is not None)
    return Layout(base, cells, bans, removals)


def situations(layout: Layout, year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cells that face the same choice in ``year``: (cell -> situation index, situation region
    index, whether the buyers' penalty applies to the situation's part, availability (U, V))."""
    region = layout.cells["region"].map({r: i for i, r in enumerate(REGIONS)}).to_numpy()
    penalised = layout.cells["part"].isin(PENALISED_PARTS).to_numpy()
    key = np.column_stack([region, penalised, layout.available(year)])
    unique, which = np.unique(key, axis=0, return_inverse=True)
    return which.ravel(), unique[:, 0], unique[:, 1].astype(bool), unique[:, 2:].astype(bool)


# --- the dynamics ------------------------------------------------------------------------------------

def spend_index(layout: Layout, scenario: Scenario, p: dict) -> np.ndarray:
    """Spending relative to 2019 by draw, year and region (n, T, R).

    Trend growth times 5G waves; China follows its operators' capex (:mod:`econ.china_market`);
    and in the years Dell'Oro published a world total (data/market_size.csv), the regions other
    than China and Russia are scaled together so that the world adds up to it (Russia is sized
    from its own operators' capex), the scaling then held: a region's path is its wave's shape,
    the world's level is the record's.
    """
    regions = layout.base.markets.groupby("region")["launch_year"].first().reindex(REGIONS).to_numpy().copy()
    regions[REGIONS.index("russia")] = scenario.parameters.russia_5g_launch_year
    years = np.array(YEARS, dtype=float)
    wave = np.exp(-0.5 * ((years[:, None] - regions[None, :] - WAVE_PEAK_LAG) / WAVE_WIDTH) ** 2)  # (T, R)
    level = 1.0 + p["five_g_wave_uplift"][:, None, None] * wave[None]
    level = level / level[:, :1, :]
    trend = (1.0 + p["market_growth"][:, None]) ** (years[None, :] - BASE_YEAR)
    out = trend[:, :, None] * level
    # China follows its operators' 5G and other capex while there are data, then the trend.
    growth = np.broadcast_to(p["market_growth"], (out.shape[0],))
    out[:, :, REGIONS.index("china")] = china_market.spend_index(
        np.broadcast_to(p["china_5g_equipment_intensity"], (out.shape[0],)), growth, YEARS)
    return _to_world_totals(out, scenario, p)


@functools.lru_cache(maxsize=1)
def world_totals() -> dict[int, float]:
    """Dell'Oro's world telecom-equipment totals after the base year (USD bn; default rows)."""
    size = data.defaults("market_size")
    rows = size[(size["market"] == "telecom_equipment") & (size["region"] == "world") & (size["year"] > BASE_YEAR)]
    return {int(r.year): float(r.size_usd_bn) for r in rows.itertuples() if r.year <= END_YEAR}


@functools.lru_cache(maxsize=8)
def _region_spend(russia_equipment_share: float) -> np.ndarray:
    """2019 spending by base-year variant and region (K, R), USD bn."""
    fits = base_years(russia_equipment_share)
    return np.stack([f.markets.groupby("region")["spend_usd_bn"].sum().reindex(REGIONS).to_numpy() for f in fits])


def _to_world_totals(index: np.ndarray, scenario: Scenario, p: dict) -> np.ndarray:
    spend = _region_spend(scenario.parameters.russia_equipment_share_of_capex)
    base = spend[np.clip(np.broadcast_to(p["base_year_variant"], (index.shape[0],)).astype(np.int64), 0, VARIANTS - 1)]
    fixed = np.isin(REGIONS, ("china", "russia"))
    factor = np.ones(index.shape[0])
    for t, year in enumerate(YEARS):
        total = world_totals().get(year)
        if total is not None:
            rest = (base[:, ~fixed] * index[:, t, ~fixed]).sum(axis=1)
            factor = (total - (base[:, fixed] * index[:, t, fixed]).sum(axis=1)) / rest
            if np.any(factor <= 0):
                raise InputError.single("data/market_size.csv", f"size_usd_bn ({year})",
                                        f"{total} is below China's and Russia's spending that year")
        index[:, t, ~fixed] *= factor[:, None]
    return index


def _utility_shifts(scenario: Scenario, layout: Layout, p: dict) -> tuple[np.ndarray, np.ndarray]:
    """Per-draw utility shifts of Huawei and ZTE outside China from the rule's year (n,)."""
    shares = layout.base.region_shares.drop("china")
    spend = layout.base.markets.groupby("region")["spend_usd_bn"].sum().drop("china")
    hw, zte = (shares["huawei"] * spend).sum(), (shares["zte"] * spend).sum()
    scale = p["sanctions_penalty_scale"]
    return shift_for_log_odds(scale * p["sanctions_shift_huawei"], scale * p["sanctions_shift_zte"],
                              p["vendor_nest_correlation"], hw / (hw + zte))


def simulate(scenario: Scenario, p: dict, supply: np.ndarray, keep: str = "all") -> dict[str, np.ndarray]:
    """Run the stage for every draw in ``p`` (arrays of length n), 2019 to 2030.

    ``supply`` (n, T) is Huawei's base-station chip supply share by year. ``keep="all"`` also returns
    the installed base by group (for the breakdowns). Returns ``new`` (n, T, G, V) new-contract value
    in USD bn, ``installed`` (n, T, G, V) or None, ``huawei_by_market`` (n, T, M), Huawei's sales,
    installed base and unconstrained sales (n, T), ``share_metrics``, ``russia_mix`` and ``removed_usd_bn``.
    The year loop itself is compiled (:mod:`econ._share_kernel`).
    """
    from econ import _share_kernel

    s = scenario.parameters
    layout = Layout.build(scenario)
    penalty_year = s.rule_effective_date.year if bool(np.any(p["sanctions_penalty_scale"] > 0)) else None
    response = bool(np.any(p["china_response_scale"] > 0))
    k = _kernel_inputs(s.russia_equipment_share_of_capex, restrictions(s), penalty_year, response,
                       s.russia_huawei_pullback_from)
    d_pull = np.broadcast_to(p["russia_huawei_pullback"], (len(p["vendor_nest_correlation"]),))
    spill = np.broadcast_to(p["emerging_markets_spillover"], (len(p["vendor_nest_correlation"]),))
    d_west = np.broadcast_to(p["china_response_scale"] * p["china_western_shift"], (len(p["vendor_nest_correlation"]),))
    lam = 1.0 - p["vendor_nest_correlation"]
    d_huawei, d_zte = _utility_shifts(scenario, layout, p)
    quota = path_value(s.russian_made_target, YEARS)[None, :] * p["russia_domestic_capability"][:, None]
    index = spend_index(layout, scenario, p)
    n, T = len(lam), len(YEARS)
    drift_sd = np.broadcast_to(p["vendor_drift_sd"], (n,))
    drift_seed = np.broadcast_to(p["vendor_drift_seed"], (n,)).astype(np.uint64)
    c = np.ascontiguousarray
    cells = [(YEARS.index(y), GROUPS.index(g), VENDORS.index(v)) for v, g, y in SHARE_METRICS.values()]
    metric_t, metric_g, metric_v = (np.array([x[j] for x in cells], np.int64) for j in range(3))
    metric, mix, market, hw_sales, hw_inst, uncon, removed, new, inst, by_market = _share_kernel.simulate(
        c(np.clip(p["base_year_variant"].astype(np.int64), 0, VARIANTS - 1)), c(lam, dtype=float), c(d_huawei, dtype=float),
        c(d_zte, dtype=float), c(d_west, dtype=float), c(d_pull, dtype=float), c(spill, dtype=float),
        c(np.broadcast_to(p["russia_huawei_alignment"], (n,)), dtype=float),
        c(np.broadcast_to(quota, (n, T)), dtype=float), c(index, dtype=float),
        c(np.broadcast_to(supply, (n, T)), dtype=float), c(drift_sd, dtype=float), c(drift_seed),
        vendor_drift.MASK,
        c(p["equipment_life_years"], dtype=float), *k, np.array(YEARS, dtype=np.int64), REGIONS.index("russia"),
        GROUPS.index("russia"), GROUPS.index("world"), HUAWEI, ZTE, RUSSIAN_MADE, NEST_OF.astype(np.int64), WESTERN,
        len(NESTS),
        len(layout.bans), len(layout.base.markets), metric_t, metric_g, metric_v, YEARS.index(RANK_YEAR), keep == "all")
    out = {"share_metrics": dict(zip(SHARE_METRICS, metric.T)), "russia_mix": mix, "huawei_market_rank_year": market,
           "huawei_sales_usd_bn": hw_sales, "huawei_installed_usd_bn": hw_inst, "huawei_unconstrained_usd_bn": uncon,
           "removed_usd_bn": removed}
    if keep == "all":
        out.update({"new": new, "installed": inst, "huawei_by_market": by_market})
    return out


@functools.lru_cache(maxsize=32)
def _kernel_inputs(russia_equipment_share: float, bans: tuple, penalty_year: int | None, response: bool,
                   pullback_from: int) -> tuple:
    """What the kernel needs that does not change with the draws: the base shares and spending of
    each base-year variant (with China's tender shares as one more row, :data:`CHINA_RADIO`), the
    situation types and each year's situations with their (sparse) spending weights by group and
    market, the cells a removal tracks, and the removal bans."""
    layout = _layout(russia_equipment_share, bans)
    fits = base_years(russia_equipment_share)
    cells = layout.cells
    cell_region = cells["region"].map({r: i for i, r in enumerate(REGIONS)}).to_numpy()
    part_share = cells["part"].map(layout.base.parts).to_numpy()
    shares_k = np.stack([f.region_shares.to_numpy() for f in fits])                       # (K, R, V)
    radio = np.broadcast_to(china_market.radio_shares(), (len(fits), 1, len(VENDORS)))
    shares_k = np.concatenate([shares_k, radio], axis=1)                                  # (K, R + 1, V)
    spend_k = np.stack([f.markets.set_index("market")["spend_usd_bn"].reindex(cells["market"]).to_numpy() * part_share
                        for f in fits])                                                    # (K, C)
    groups, markets = layout.group_matrix(), layout.market_matrix()
    start_k = np.einsum("kc,kcv,cg->kgv", spend_k, shares_k[:, cell_region], groups)
    base_hw_k = np.einsum("kc,kc,cr->kr", spend_k, shares_k[:, cell_region, HUAWEI], np.eye(len(REGIONS))[cell_region])
    china, russia, emerging = REGIONS.index("china"), REGIONS.index("russia"), REGIONS.index(EMERGING)
    types: dict[tuple, int] = {}
    T, C, K = len(YEARS), len(cells), len(fits)
    per_year = []
    for year in YEARS:
        which, region, pen, avail = situations(layout, year)
        keys = [(int(r), year == BASE_YEAR, bool(penalty_year is not None and year >= penalty_year and r != china and pn),
                 bool(r == russia and year >= ALIGNMENT_FROM), tuple(bool(a) for a in av),
                 CHINA_RADIO if (r == china and pn and year >= china_market.TENDERS_FROM) else int(r),
                 bool(response and r == china and pn and year >= china_market.RESPONSE_FROM),
                 bool(r == russia and year >= pullback_from), bool(r == emerging and year > BASE_YEAR))
                for r, pn, av in zip(region, pen, avail)]
        per_year.append((which, [types.setdefault(key, len(types)) for key in keys]))
    ordered = sorted(types, key=types.get)
    type_region = np.array([key[0] for key in ordered], np.int64)
    type_base, type_penalty, type_align = (np.array([key[j] for key in ordered], np.bool_) for j in (1, 2, 3))
    type_avail = np.array([key[4] for key in ordered], np.bool_)
    type_row = np.array([key[5] for key in ordered], np.int64)
    type_west = np.array([key[6] for key in ordered], np.bool_)
    type_pull = np.array([key[7] for key in ordered], np.bool_)
    type_emerging = np.array([key[8] for key in ordered], np.bool_)
    umax = max(len(t) for _, t in per_year)
    n_sit = np.array([len(t) for _, t in per_year], np.int64)
    sit_type = np.zeros((T, umax), np.int64)
    weights_g = np.zeros((T, umax, groups.shape[1], K))
    weights_m = np.zeros((T, umax, markets.shape[1], K))
    tracked = np.unique(np.concatenate([c_ for _, c_ in layout.removals])) if layout.removals else np.zeros(0, np.int64)
    cell_sit = np.zeros((T, len(tracked)), np.int64)
    for t, (which, sit) in enumerate(per_year):
        u = len(sit)
        sit_type[t, :u] = sit
        member = np.zeros((u, C))
        member[which, np.arange(C)] = 1.0
        weights_g[t, :u] = np.einsum("uc,kc,cg->ugk", member, spend_k, groups)
        weights_m[t, :u] = np.einsum("uc,kc,cm->umk", member, spend_k, markets)
        cell_sit[t] = which[tracked]
    n_grp, grp, grp_w = _sparse(weights_g)
    n_mkt, mkt, mkt_w = _sparse(weights_m)
    world_w = weights_g[:, :, GROUPS.index("world"), :].copy()
    removal = list(layout.removals)
    ban_start = np.array([removal_years(layout.bans[i])[0] for i, _ in removal], np.int64)
    ban_end = np.array([removal_years(layout.bans[i])[1] for i, _ in removal], np.int64)
    ban_vendor = np.array([np.isin(VENDORS, layout.bans[i].vendors) for i, _ in removal], np.bool_).reshape(
        len(removal), len(VENDORS))
    ban_cell = np.array([np.isin(tracked, c_) for _, c_ in removal], np.bool_).reshape(len(removal), len(tracked))
    ban_index = np.array([i for i, _ in removal], np.int64)
    cell_market = markets[tracked].argmax(axis=1).astype(np.int64) if len(tracked) else np.zeros(0, np.int64)
    return (shares_k, start_k, base_hw_k, type_region, type_row, type_base, type_penalty, type_align, type_west,
            type_pull, type_emerging, type_avail,
            n_sit, sit_type, n_grp, grp, grp_w, n_mkt, mkt, mkt_w, world_w, cell_sit, groups[tracked].copy(),
            cell_market, cell_region[tracked].astype(np.int64), spend_k[:, tracked].copy(),
            ban_start, ban_end, ban_vendor, ban_cell, ban_index)


def _sparse(weights: np.ndarray):
    """(T, U, X, K) weights as, per (t, u), the count, the indices and the weights of the X with any
    nonzero weight: (T, U), (T, U, J), (T, U, J, K)."""
    nonzero = np.abs(weights).sum(axis=-1) > 0                                             # (T, U, X)
    most = max(1, int(nonzero.sum(axis=-1).max()))
    count = nonzero.sum(axis=-1).astype(np.int64)
    index = np.zeros(weights.shape[:2] + (most,), np.int64)
    values = np.zeros(weights.shape[:2] + (most, weights.shape[-1]))
    for t in range(weights.shape[0]):
        for u in range(weights.shape[1]):
            cols = np.flatnonzero(nonzero[t, u])
            index[t, u, :len(cols)] = cols
            values[t, u, :len(cols)] = weights[t, u, cols]
    return count, index, values


# --- metrics -----------------------------------------------------------------------------------------

def _fast_metrics(out: dict, markets: pd.DataFrame) -> dict[str, np.ndarray]:
    values = dict(out["share_metrics"])
    foreign = ~markets["market"].isin(FOREIGN_EXCLUDED).to_numpy()
    revenue = out["huawei_market_rank_year"][:, foreign]
    russia = int(np.flatnonzero(markets["market"].to_numpy()[foreign] == "russia")[0])
    values[f"russia_rank_in_huawei_foreign_markets_{RANK_YEAR}"] = 1 + (revenue > revenue[:, [russia]]).sum(axis=1)
    return values


def _downstream(out: dict) -> dict[str, np.ndarray]:
    """What later stages read: Huawei's sales, installed base and unconstrained sales (n, T), the
    Russian vendor mix (n, T, V) and the removed installed value per ban (n, T, B)."""
    return {k: out[k] for k in ("huawei_sales_usd_bn", "huawei_installed_usd_bn", "huawei_unconstrained_usd_bn",
                                "russia_mix", "removed_usd_bn")}


def evaluate(scenario: Scenario, params: dict, upstream: dict) -> dict[str, np.ndarray]:
    """Headline shares and Russia's rank for each parameter set, and the outputs later stages read."""
    out = simulate(scenario, params, upstream["chip_supply"]["network_yearly"], keep="fast")
    return {**_fast_metrics(out, Layout.build(scenario).base.markets), **_downstream(out)}


@dataclass(frozen=True)
class MarketShares:
    """The market-share stage's answer for one scenario: draws of new contracts and installed base."""

    scenario: Scenario
    layout: Layout
    sim: dict
    counterfactual: dict | None = None
    light: bool = False

    @property
    def outputs(self) -> dict:
        return _downstream(self.sim)

    @property
    def base(self) -> BaseYear:
        return self.layout.base

    @property
    def source(self) -> str:
        return f"{self.base.source}; workbook model"

    def _shares(self, kind: str) -> np.ndarray:
        value = self.sim[kind]
        return value / value.sum(axis=-1, keepdims=True)

    def shares(self, kind: str = "new") -> pd.DataFrame:
        """Tidy shares (p05/p50/p95) by year, region, vendor; ``kind`` is "new" or "installed"."""
        iv = uncertainty.interval(self._shares(kind))
        index = pd.MultiIndex.from_product([YEARS, GROUPS, VENDORS], names=["year", "region", "vendor"])
        frame = pd.DataFrame({k: iv[k].ravel() for k in ("p05", "p50", "p95")}, index=index).reset_index()
        return frame.rename(columns={"p50": "share", "p05": "share_p05", "p95": "share_p95"}).assign(basis=kind)

    def huawei_revenue(self) -> pd.DataFrame:
        """Huawei's new-contract sales by market and year (USD bn, nominal), p05/p50/p95."""
        iv = uncertainty.interval(self.sim["huawei_by_market"])
        index = pd.MultiIndex.from_product([YEARS, self.base.markets["market"]], names=["year", "market"])
        frame = pd.DataFrame({k: iv[k].ravel() for k in iv}, index=index).reset_index()
        frame = frame.rename(columns={"p50": "revenue_usd_bn", "p05": "revenue_usd_bn_p05", "p95": "revenue_usd_bn_p95"})
        return frame.merge(self.base.markets[["market", "region"]], on="market")

    def russia_rank(self) -> pd.DataFrame:
        """Russia's rank among Huawei's foreign markets by year (1 = largest), and the chance it is first."""
        keep = ~self.base.markets["market"].isin(FOREIGN_EXCLUDED).to_numpy()
        revenue = self.sim["huawei_by_market"][:, :, keep]
        russia = revenue[:, :, list(self.base.markets["market"][keep]).index("russia")]
        rank = 1 + (revenue > russia[..., None]).sum(axis=-1)
        pct = {q: np.percentile(rank, v, axis=0, method="inverted_cdf") for q, v in (("p50", 50), ("p05", 5), ("p95", 95))}
        return pd.DataFrame({"year": YEARS, "rank_p50": pct["p50"], "rank_p05": pct["p05"], "rank_p95": pct["p95"],
                             "probability_largest": (rank == 1).mean(axis=0)})

    def largest_foreign_market_year(self) -> int | None:
        """First year in which Russia is Huawei's largest foreign market in at least half the draws."""
        ranks = self.russia_rank()
        hits = ranks[ranks["probability_largest"] >= 0.5]
        return int(hits["year"].iloc[0]) if len(hits) else None

    def diversion(self, first: int = 2020, last: int = END_YEAR) -> pd.DataFrame:
        """Where Huawei's lost sales go, first..last, against the same scenario without its rules.

        Per region: each vendor's change in new-contract value (USD bn, nominal, mean of draws, so
        that the changes add up) and its share of Huawei's loss. Replacing ripped-out kit counts.
        """
        if self.counterfactual is None:
            raise ValueError("diversion needs the world without the rules (econ.model.world.assess pairs them)")
        span = [i for i, y in enumerate(YEARS) if first <= y <= last]
        change = (self.sim["new"][:, span].sum(axis=1) - self.counterfactual["new"][:, span].sum(axis=1)).mean(axis=0)
        loss = -change[:, HUAWEI]
        return pd.DataFrame([{"region": group, "vendor": vendor, "change_usd_bn": change[g, v],
                              "share_of_huawei_loss": change[g, v] / loss[g] if loss[g] > 1e-9 else np.nan}
                             for g, group in enumerate(GROUPS) for v, vendor in enumerate(VENDORS)])

    def fan(self, vendor: str = "huawei", region: str = "world_ex_china", kind: str = "new") -> pd.DataFrame:
        """One vendor's share in one region by year: p05, p25, p50, p75, p95 of the draws."""
        share = self._shares(kind)[:, :, GROUPS.index(region), VENDORS.index(vendor)]
        return pd.DataFrame(uncertainty.fan(share, YEARS)).assign(metric=f"{vendor}_share_{region}")

    def metrics(self) -> dict[str, float]:
        """Headline metrics (shares of new contracts; rank 1 = largest), with _p05 and _p95 (a light
        run: the fast ones only)."""
        values = _fast_metrics(self.sim, self.base.markets)
        if self.light:
            return interval_metrics(values)
        rank_name = f"russia_rank_in_huawei_foreign_markets_{RANK_YEAR}"
        rank = values.pop(rank_name)
        inst = self._shares("installed")[:, YEARS.index(2025), GROUPS.index("russia"), HUAWEI]
        foreign = self.sim["new"][:, YEARS.index(2025), GROUPS.index("world_ex_china"), HUAWEI]
        out = interval_metrics({**values, "huawei_installed_share_russia_2025": inst,
                                "huawei_foreign_revenue_usd_bn_2025": foreign})
        for q, v in (("", 50), ("_p05", 5), ("_p95", 95)):
            out[f"{rank_name}{q}"] = float(np.percentile(rank, v, method="inverted_cdf"))
        out["russia_largest_foreign_market_probability_2030"] = float(self.russia_rank()["probability_largest"].iloc[-1])
        return out


def assess(scenario: Scenario, params: dict, upstream: dict) -> MarketShares:
    supply = upstream["chip_supply"].outputs["network_yearly"]
    return MarketShares(scenario, Layout.build(scenario), simulate(scenario, params, supply))


def against(result: MarketShares, without: MarketShares) -> MarketShares:
    """The result paired with the world without the rules over the same draws (where lost sales went)."""
    return replace(result, counterfactual=without.sim)


def assess_light(scenario: Scenario, params: dict, upstream: dict) -> MarketShares:
    """The stage for the stages after it only (world.assess uses it when the shares themselves are
    not asked for): the outputs they read and the fast metrics, without the (n, T, G, V) arrays."""
    supply = upstream["chip_supply"].outputs["network_yearly"]
    return MarketShares(scenario, Layout.build(scenario), simulate(scenario, params, supply, keep="fast"), light=True)


STAGE = Stage(DECLARATION, check=check, evaluate=evaluate, assess=assess,
              assess_light=assess_light, draw_inputs=draw_inputs, central_inputs=central_inputs,
              against=against)

__all__ = ["GROUPS", "Layout", "MarketShares", "STAGE", "YEARS", "assess", "evaluate", "simulate", "situations"]
