"""The market-share stage's model: spending by region and year, and new contracts shared among vendors
by the nested logit under bans, alignments, the buyers' responses and Huawei's chip limit, year by year
(see the package's docstring for the mechanism)."""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np

from econ import data, uncertainty
from econ.errors import InputError
from econ.model.market_share import ban_response, china, drift
from econ.model.market_share.base_year import BASE_YEAR, REGIONS, VARIANTS, base_years
from econ.model.market_share.choice import HUAWEI, NEST_OF, NESTS, RUSSIAN_MADE, VENDORS, WESTERN, ZTE, shift_for_log_odds
from econ.model.market_share.declaration import END_YEAR, GROUPS, RANK_YEAR, SHARE_METRICS, WAVE_PEAK_LAG, WAVE_WIDTH, YEARS
from econ.model.market_share.layout import Layout, _kernel_inputs, restriction_names, restrictions
from econ.model.market_share.results import MarketShares, downstream, figure_values
from econ.scenario import Scenario, path_value


def draw_inputs(scenario: Scenario, n: int) -> dict[str, np.ndarray]:
    """The buyers' response to restrictions (:mod:`~econ.model.market_share.ban_response`, the same shift for
    Huawei and ZTE: the panel counts the Chinese vendors together), drawn on its own seeded stream."""
    x = ban_response.draws(scenario.seed, n)
    variant = uncertainty.rng_for(scenario.seed, "base_year_variant").integers(0, VARIANTS, n).astype(float)
    return {"sanctions_shift_huawei": x, "sanctions_shift_zte": x.copy(), "base_year_variant": variant,
            "china_western_shift": china.draw_shift(scenario.seed, n), **drift.draw_inputs(scenario.seed, n)}


def central_inputs(scenario: Scenario) -> dict[str, np.ndarray]:
    delta = np.array([ban_response.central()])
    return {"sanctions_shift_huawei": delta, "sanctions_shift_zte": delta.copy(), "base_year_variant": np.zeros(1),
            "china_western_shift": np.array([china.response_estimate().shift]), **drift.central_inputs()}


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


# --- the dynamics ------------------------------------------------------------------------------------

def spend_index(layout: Layout, scenario: Scenario, p: dict) -> np.ndarray:
    """Spending relative to 2019 by draw, year and region (n, T, R).

    Trend growth times 5G waves; China follows its operators' capex (:mod:`econ.model.market_share.china`);
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
    out[:, :, REGIONS.index("china")] = china.spend_index(
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


def _inputs_key(scenario: Scenario, penalised: bool, response: bool) -> tuple:
    s = scenario.parameters
    return (s.russia_equipment_share_of_capex, restrictions(s), s.rule_effective_date.year if penalised else None,
            response, s.russia_huawei_pullback_from)


def prepare(scenario: Scenario) -> None:
    """Compute (into their caches) the draw-independent inputs :func:`simulate` will need for ``scenario``:
    its layout, the base-year fits and the kernel's tables, keyed as ``simulate`` keys them when a
    response's scale can be above zero. The warm batch engine calls it before it forks each notebook."""
    s = scenario.parameters
    Layout.build(scenario)
    _kernel_inputs(*_inputs_key(scenario, uncertainty.bounds(s.sanctions_penalty_scale)[1] > 0,
                                uncertainty.bounds(s.china_response_scale)[1] > 0))


def simulate(scenario: Scenario, p: dict, supply: np.ndarray, keep: str = "all") -> dict[str, np.ndarray]:
    """Run the stage for every draw in ``p`` (arrays of length n), 2019 to 2030.

    ``supply`` (n, T) is Huawei's base-station chip supply share by year. ``keep="all"`` also returns
    the installed base by group (for the breakdowns). Returns ``new`` (n, T, G, V) new-contract value
    in USD bn, ``installed`` (n, T, G, V) or None, ``huawei_by_market`` (n, T, M), Huawei's sales,
    installed base and unconstrained sales (n, T), ``share_metrics``, ``russia_mix`` and ``removed_usd_bn``.
    The year loop itself is compiled (:mod:`econ.model.market_share._kernel`).
    """
    from econ.model.market_share import _kernel

    s = scenario.parameters
    layout = Layout.build(scenario)
    k = _kernel_inputs(*_inputs_key(scenario, bool(np.any(p["sanctions_penalty_scale"] > 0)),
                                    bool(np.any(p["china_response_scale"] > 0))))
    d_pull = np.broadcast_to(p["russia_huawei_pullback"], (len(p["vendor_nest_correlation"]),))
    d_pull_zte = d_pull * p["russia_zte_pullback_share"]
    grow_limit = np.broadcast_to(p["russia_supplier_growth_limit"], d_pull.shape)
    grey = np.broadcast_to(p["russia_grey_import_share"], d_pull.shape)
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
    metric, mix, market, hw_sales, hw_inst, uncon, removed, short, new, inst, by_market = _kernel.simulate(
        c(np.clip(p["base_year_variant"].astype(np.int64), 0, VARIANTS - 1)), c(lam, dtype=float), c(d_huawei, dtype=float),
        c(d_zte, dtype=float), c(d_west, dtype=float), c(d_pull, dtype=float),
        c(np.broadcast_to(d_pull_zte, (n,)), dtype=float), c(spill, dtype=float),
        c(np.broadcast_to(p["russia_huawei_alignment"], (n,)), dtype=float),
        c(np.broadcast_to(quota, (n, T)), dtype=float), c(grow_limit, dtype=float), c(grey, dtype=float),
        c(index, dtype=float),
        c(np.broadcast_to(supply, (n, T)), dtype=float), c(drift_sd, dtype=float), c(drift_seed),
        drift.MASK,
        c(p["equipment_life_years"], dtype=float), *k, np.array(YEARS, dtype=np.int64), REGIONS.index("russia"),
        GROUPS.index("russia"), GROUPS.index("world"), HUAWEI, ZTE, RUSSIAN_MADE, NEST_OF.astype(np.int64), WESTERN,
        len(NESTS),
        len(layout.bans), len(layout.base.markets), metric_t, metric_g, metric_v, YEARS.index(RANK_YEAR), keep == "all")
    out = {"share_metrics": dict(zip(SHARE_METRICS, metric.T)), "russia_mix": mix, "huawei_market_rank_year": market,
           "huawei_sales_usd_bn": hw_sales, "huawei_installed_usd_bn": hw_inst, "huawei_unconstrained_usd_bn": uncon,
           "removed_usd_bn": removed, "russia_shortfall": short}
    if keep == "all":
        out.update({"new": new, "installed": inst, "huawei_by_market": by_market})
    return out


def evaluate(scenario: Scenario, params: dict, upstream: dict) -> dict[str, np.ndarray]:
    """Headline shares and Russia's rank for each parameter set, and the outputs later stages read."""
    out = simulate(scenario, params, upstream["chip_supply"]["network_yearly"], keep="fast")
    return {**figure_values(out, Layout.build(scenario).base.markets), **downstream(out)}


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
