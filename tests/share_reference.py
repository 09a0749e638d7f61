"""A plain NumPy version of the market-share stage's year loop (econ.model.market_share._kernel), kept as the
reference the compiled kernel is tested against (tests/test_market_share.py)."""

import numpy as np

from econ.model.market_share import GROUPS, YEARS, Layout, removal_years, situations, spend_index
from econ.model.market_share import china as china_market
from econ.model.market_share import drift as vendor_drift
from econ.model.market_share.base_year import BASE_YEAR, REGIONS, VARIANTS, base_years
from econ.model.market_share.choice import HUAWEI, RUSSIAN_MADE, VENDORS, WESTERN, ZTE, probabilities, utilities
from econ.model.market_share.declaration import ALIGNMENT_FROM, EMERGING
from econ.model.market_share.model import _utility_shifts
from econ.scenario import Scenario, path_value


def simulate_reference(scenario: Scenario, p: dict, supply: np.ndarray, keep: str = "all") -> dict[str, np.ndarray]:
    """Run the stage for every draw in ``p`` (arrays of length n), 2019 to 2030.

    ``supply`` (n, T) is Huawei's base-station chip supply share by year. ``keep="all"`` returns the
    arrays the breakdowns need: ``new`` and ``installed`` (n, T, G, V) in USD bn, ``huawei_by_market``
    (n, T, M); ``keep="fast"`` only what metrics and later stages read.
    """
    s = scenario.parameters
    layout = Layout.build(scenario)
    n = len(p["market_growth"])
    T, G, V = len(YEARS), len(GROUPS), len(VENDORS)
    lam = 1.0 - p["vendor_nest_correlation"]
    # The base year differs by draw: a fit at regional weights drawn over their ranges (share_base).
    variant = np.clip(p["base_year_variant"].astype(int), 0, VARIANTS - 1)
    fits = base_years(s.russia_equipment_share_of_capex)
    cell_region = layout.cells["region"].map({r: i for i, r in enumerate(REGIONS)}).to_numpy()
    part_share = layout.cells["part"].map(layout.base.parts).to_numpy()
    cell_market = layout.cells["market"].to_numpy()
    shares_k = np.stack([f.region_shares.to_numpy() for f in fits])                       # (K, R, V)
    spend_k = np.stack([f.markets.set_index("market")["spend_usd_bn"].reindex(cell_market).to_numpy() * part_share
                        for f in fits])                                                    # (K, C)
    base = shares_k[variant]                                                               # (n, R, V)
    attraction = np.exp(utilities(base, p["vendor_nest_correlation"]) / lam[:, None, None])
    # China's radio contracts from 2020: its national tenders' shares (the same for every draw).
    radio = np.broadcast_to(china_market.radio_shares(), (n, 1, V))
    radio_attraction = np.exp(utilities(radio, p["vendor_nest_correlation"]) / lam[:, None, None])[:, 0]  # (n, V)
    d_west = p["china_response_scale"] * p["china_western_shift"]
    drift = vendor_drift.walks(p["vendor_drift_sd"], p["vendor_drift_seed"], T)          # (n, T, V)
    index = spend_index(layout, scenario, p)                                # (n, T, R)
    groups, markets = layout.group_matrix(), layout.market_matrix()
    d_huawei, d_zte = _utility_shifts(scenario, layout, p)
    penalised = bool(np.any(p["sanctions_penalty_scale"] > 0))
    quota = path_value(s.russian_made_target, YEARS)[None, :] * p["russia_domestic_capability"][:, None]  # (n, T)
    # What Huawei would sell without the rules: base shares times spending (n, T).
    region_of = np.eye(len(REGIONS))[cell_region]                                          # (C, R)
    base_hw = np.einsum("kc,kc,cr->kr", spend_k, shares_k[:, cell_region, HUAWEI], region_of)[variant]  # (n, R)
    unconstrained = (index * base_hw[:, None, :]).sum(axis=-1)
    life = p["equipment_life_years"]
    keep_rate = 1 - 1 / life
    start_k = np.einsum("kc,kcv,cg->kgv", spend_k, shares_k[:, cell_region], groups)       # (K, G, V)
    installed = life[:, None, None] * start_k[variant]                                     # (n, G, V)
    removal_cells = [(i, cells) for i, cells in layout.removals]
    tracked = np.unique(np.concatenate([c for _, c in removal_cells])) if removal_cells else np.zeros(0, int)
    cell_inst = life[:, None, None] * (spend_k[:, tracked, None] * shares_k[:, cell_region[tracked]])[variant]
    tracked_spend = spend_k[variant][:, tracked]                                           # (n, Kc)
    removable = np.zeros_like(cell_inst)
    out = {"new": np.empty((n, T, G, V)) if keep == "all" else None,
           "installed": np.empty((n, T, G, V)) if keep == "all" else None,
           "huawei_by_market": np.empty((n, T, markets.shape[1])), "huawei_sales_usd_bn": np.empty((n, T)),
           "huawei_installed_usd_bn": np.empty((n, T)), "huawei_unconstrained_usd_bn": unconstrained,
           "group_shares": np.empty((n, T, G, V)), "removed_usd_bn": np.zeros((n, T, len(layout.bans))),
           "russia_shortfall": np.zeros((n, T))}
    world, g_ru = GROUPS.index("world"), GROUPS.index("russia")
    grow_limit = np.broadcast_to(p["russia_supplier_growth_limit"], (n,))
    grey = np.broadcast_to(p["russia_grey_import_share"], (n,))
    last_ru, before_exit = np.zeros((n, V)), np.zeros((n, V))
    left = np.zeros(V, bool)
    for t, year in enumerate(YEARS):
        which, sit_region, sit_penalised, avail = situations(layout, year)
        U = len(sit_region)
        if year == BASE_YEAR:
            shares = base[:, sit_region, :].copy()
        else:
            e = attraction[:, sit_region, :].copy()
            china_radio = (sit_region == REGIONS.index("china")) & sit_penalised
            if year >= china_market.TENDERS_FROM:
                e[:, china_radio] = radio_attraction[:, None, :]
            e *= avail[None]
            if year >= china_market.RESPONSE_FROM and np.any(p["china_response_scale"] > 0):
                e[:, china_radio] *= np.where(WESTERN, np.exp(d_west / lam)[:, None], 1.0)[:, None, :]
            if penalised and year >= s.rule_effective_date.year:
                outside = (sit_region != REGIONS.index("china")) & sit_penalised
                e[:, outside, HUAWEI] *= np.exp(d_huawei / lam)[:, None]
                e[:, outside, ZTE] *= np.exp(d_zte / lam)[:, None]
            russia = sit_region == REGIONS.index("russia")
            if year >= ALIGNMENT_FROM and russia.any():
                e[:, russia, HUAWEI] *= np.exp(p["russia_huawei_alignment"] / lam)[:, None]
            if year >= s.russia_huawei_pullback_from and russia.any():
                e[:, russia, HUAWEI] *= np.exp(p["russia_huawei_pullback"] / lam)[:, None]
                e[:, russia, ZTE] *= np.exp(p["russia_huawei_pullback"] * p["russia_zte_pullback_share"] / lam)[:, None]
            shares = probabilities(e, lam[:, None])
            shares = shares * drift[:, t][:, None, :]
            emerging = sit_region == REGIONS.index(EMERGING)
            russia_hw = out["group_shares"][:, :, GROUPS.index("russia"), HUAWEI]
            gain = russia_hw[:, t - 1] - russia_hw[:, 0]
            shares[:, emerging, HUAWEI] *= np.exp(p["emerging_markets_spillover"] * gain)[:, None]
            shares = shares / shares.sum(axis=-1, keepdims=True)
            if russia.any() and quota[:, t].any():
                q = quota[:, t][:, None, None] * avail[None, russia, RUSSIAN_MADE][..., None]
                shares[:, russia] = shares[:, russia] * (1 - q)
                shares[:, russia, RUSSIAN_MADE] += q[..., 0]
        # Spending by situation this year: each situation's cells' 2019 spending in each group and
        # market (per base-year variant), times the year's spending index of its region.
        member = np.zeros((len(sit_region), len(cell_region)))
        member[which, np.arange(len(cell_region))] = 1.0
        sit_groups = np.einsum("uc,kc,cg->kug", member, spend_k, groups)[variant]         # (n, U, G)
        sit_markets = np.einsum("uc,kc,cm->kum", member, spend_k, markets)[variant]       # (n, U, M)
        level = index[:, t, :][:, sit_region]                              # (n, U)
        # Forced replacement of removed kit: extra spending in the cells in scope.
        forced = np.zeros((n, len(tracked)))
        if year > BASE_YEAR:
            installed *= keep_rate[:, None, None]
            cell_inst *= keep_rate[:, None, None]
            removable *= keep_rate[:, None, None]
            for i, cells in removal_cells:
                ban = layout.bans[i]
                start, end = removal_years(ban)
                if not start <= year <= end:
                    continue
                k = np.searchsorted(tracked, cells)
                vendors = np.isin(VENDORS, ban.vendors)
                if year == start:
                    removable[:, k] = np.where(vendors, cell_inst[:, k], removable[:, k])
                step = removable[:, k] / (end - year + 1)
                removable[:, k] -= step
                cell_inst[:, k] -= step
                installed -= np.einsum("nkv,kg->ngv", step, groups[tracked[k]])
                forced[:, k] += step.sum(axis=-1)
                out["removed_usd_bn"][:, t, i] = step.sum(axis=(1, 2))
        # Huawei's chip limit: it meets a share `supply` of its chip needs, for what it would sell without
        # the rules or for its orders, whichever is larger; the orders it cannot fill go to the other
        # vendors in each situation in proportion to their shares.
        sit_spend = level[:, :, None] * sit_groups                         # (n, U, G)
        extra = np.zeros((n, U))
        if len(tracked):
            np.add.at(extra.T, which[tracked], forced.T)
        demand = (shares[..., HUAWEI] * (sit_spend[..., world] + extra)).sum(axis=1)
        limit = supply[:, t] * np.maximum(unconstrained[:, t], demand)
        ration = np.minimum(1.0, limit / np.maximum(demand, 1e-12))
        if np.any(ration < 1):
            hw = shares[..., HUAWEI]
            rest = np.maximum(1 - hw, 1e-12)
            moved = (1 - ration)[:, None] * hw
            shares = shares + (moved / rest)[..., None] * shares
            shares[..., HUAWEI] = hw * ration[:, None]
        # Capacity in Russia: no vendor's deliveries grow by more than the limit a year; the rest is not installed.
        ru = sit_region == REGIONS.index("russia")
        if year > BASE_YEAR and ru.any():
            left = ~avail[np.flatnonzero(ru)[0]]                           # vendors no longer selling in Russia
            wanted = np.einsum("nu,nuv->nv", sit_spend[:, ru, g_ru], shares[:, ru])
            asked = wanted.sum(axis=-1)
            cap = (1 + grow_limit)[:, None] * last_ru
            over = wanted > cap
            lost = np.where(over, wanted - cap, 0.0).sum(axis=-1)
            shares[:, ru] = shares[:, ru] * np.where(over, cap / np.where(over, wanted, 1.0), 1.0)[:, None, :]
            # grey imports of the leavers' kit fill part of what was lost
            offer = np.where(left[None, :] & (before_exit > 0), grey[:, None] * before_exit, 0.0)   # (n, V)
            fill = np.where(lost > 0, np.minimum(offer.sum(axis=-1), lost), 0.0)
            add = np.where(fill[:, None] > 0, fill[:, None] * offer / np.maximum(offer.sum(axis=-1), 1e-300)[:, None], 0.0)
            shares[:, ru] += (add / np.maximum(asked, 1e-300)[:, None])[:, None, :]
            out["russia_shortfall"][:, t] = np.where(lost > 0, (lost - fill) / np.maximum(asked, 1e-300), 0.0)
        value = np.einsum("nug,nuv->ngv", sit_spend, shares)
        if len(tracked):
            fv = forced[..., None] * shares[:, which[tracked], :]            # (n, K, V)
            value += np.einsum("nkv,kg->ngv", fv, groups[tracked])
        last_ru = value[:, g_ru].copy()
        still = ~left[None, :] if year > BASE_YEAR else np.ones((1, V), bool)
        before_exit = np.where(still & (last_ru > 0), last_ru, before_exit)
        installed += value
        if len(tracked):
            cell_inst += (index[:, t, cell_region[tracked]] * tracked_spend)[..., None] * shares[:, which[tracked], :] + fv
        by_market = level * shares[..., HUAWEI]                             # (n, U)
        out["huawei_by_market"][:, t] = np.einsum("nu,num->nm", by_market, sit_markets)
        if len(tracked):
            out["huawei_by_market"][:, t] += (forced * shares[:, which[tracked], HUAWEI]) @ markets[tracked]
        out["huawei_sales_usd_bn"][:, t] = value[:, world, HUAWEI]
        out["huawei_installed_usd_bn"][:, t] = installed[:, world, HUAWEI]
        out["group_shares"][:, t] = value / value.sum(axis=-1, keepdims=True)
        if keep == "all":
            out["new"][:, t], out["installed"][:, t] = value, installed
    return out


