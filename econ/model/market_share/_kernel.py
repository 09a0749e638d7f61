"""The market-share stage's year-by-year loop, compiled (numba): one pass per draw, no temporaries.

Private: :func:`econ.model.market_share.simulate` builds the inputs and reads the outputs; the arithmetic
is the stage's, written once here. tests/share_reference.py keeps a plain NumPy version of the same
steps, and a test checks that the two agree.

Same numbers on every machine: draws are split into a fixed number of blocks whatever the thread
count, each draw's arithmetic runs in one thread in a fixed order, and there is no ``fastmath``
(which lets LLVM reorder sums and fuse multiply-adds differently on different CPUs).

Work is saved where the economics allows: the nested-logit shares of a *situation type* (region,
its share row (the region's fit, or China's radio tenders), whether the buyers' penalty, Russia's
alignment and China's response to Western bans are in force, which vendors may bid) do not change
from year to year, so each type's shares are computed once per draw; each year then only applies
Russia's quota, Huawei's chip limit and the spending of the cells in each situation. Spending weights
are kept sparse (a situation's cells belong to a few groups and markets).
"""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True, inline="always")
def _mix(x):
    """splitmix64's finaliser (as econ.model.market_share.drift._mix; uint64 arithmetic wraps)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


@nb.njit(cache=True, inline="always")
def _normal(seed, t, v):
    """The standard normal econ.model.market_share.drift.walks draws for (seed, year index, vendor index)."""
    key = np.uint64(seed) * np.uint64(1_000_003) + np.uint64(t) * np.uint64(64) + np.uint64(v) * np.uint64(2)
    a = _mix(key)
    b = _mix(a)
    u1 = (np.float64(a >> np.uint64(11)) + 0.5) / 2.0**53
    u2 = np.float64(b >> np.uint64(11)) / 2.0**53
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)


@nb.njit(cache=True, parallel=True, error_model="numpy")
def simulate(variant, lam, d_hw, d_zte, d_west, d_pull, d_pull_zte, spill, align, quota, grow_limit, grey, index, supply,
             drift_sd, drift_seed, drifting, life,
             shares_k, start_k, base_hw_k,
             type_region, type_row, type_base, type_penalty, type_align, type_west, type_pull, type_emerging,
             type_avail,
             n_sit, sit_type, n_grp, grp, grp_w, n_mkt, mkt, mkt_w, world_w,
             cell_sit, cell_groups, cell_market, cell_region, tracked_spend,
             ban_start, ban_end, ban_vendor, ban_cell, ban_index,
             years, russia, russia_group, world, hw, zte, rm, nest_of, western, n_nests, n_bans, n_markets,
             metric_t, metric_g, metric_v, market_t, keep_all):
    """Run every draw; returns (the shares of new contracts at the (year, group, vendor) cells
    ``metric_*`` (n,Q), Russia's vendor mix of new contracts (n,T,V), Huawei's sales by market in
    year index ``market_t`` (n,M), Huawei's sales, installed base and unconstrained sales (n,T), the
    removed value per ban (n,T,B), the share of Russia's orders no vendor could deliver (n,T), and with
    ``keep_all`` the value of new contracts and the installed base by group (n,T,G,V) and Huawei's sales
    by market every year (n,T,M); size 1 otherwise)."""
    n = variant.shape[0]
    T, R, V = index.shape[1], index.shape[2], shares_k.shape[2]
    G, Kc, n_types = start_k.shape[1], cell_groups.shape[0], type_region.shape[0]
    metric_out = np.zeros((n, metric_t.shape[0]))
    russia_mix = np.zeros((n, T, V))
    market_out = np.zeros((n, n_markets))
    value_out = np.zeros((n, T, G, V)) if keep_all else np.zeros((1, 1, 1, 1))
    inst_out = np.zeros((n, T, G, V)) if keep_all else np.zeros((1, 1, 1, 1))
    by_market_all = np.zeros((n, T, n_markets)) if keep_all else np.zeros((1, 1, 1))
    hw_sales = np.zeros((n, T))
    hw_inst = np.zeros((n, T))
    unconstrained = np.zeros((n, T))
    removed = np.zeros((n, T, n_bans))
    shortfall = np.zeros((n, T))
    # Draws in blocks, one scratch set per block: allocating a dozen small arrays per draw costs
    # more than the arithmetic of some stages.
    n_blocks = min(n, 256)
    n_rows = shares_k.shape[1]
    umax = sit_type.shape[1]
    for blk in nb.prange(n_blocks):
        drift = np.ones((T, V))
        type_shares = np.zeros((n_types, V))
        inclusive = np.zeros(n_nests)
        e = np.zeros(V)
        lift = np.zeros((n_rows, n_nests))
        nest_scale = np.zeros(n_nests)
        installed = np.zeros((G, V))
        cell_inst = np.zeros((Kc, V))
        removable = np.zeros((Kc, V))
        s = np.zeros((umax, V))
        forced = np.zeros(Kc)
        extra = np.zeros(umax)
        value = np.zeros((G, V))
        by_market = np.zeros(n_markets)
        wanted = np.zeros(V)
        last_ru = np.zeros(V)
        before_exit = np.zeros(V)
        ru_left = np.zeros(V, np.bool_)
        for i in range(blk * n // n_blocks, (blk + 1) * n // n_blocks):
            before_exit[:] = 0.0
            ru_left[:] = False
            k = variant[i]
            lm = lam[i]
            power = (1.0 - lm) / lm
            up_hw, up_zte, up_align = np.exp(d_hw[i] / lm), np.exp(d_zte[i] / lm), np.exp(align[i] / lm)
            up_west = np.exp(d_west[i] / lm)
            up_pull, up_pull_zte = np.exp(d_pull[i] / lm), np.exp(d_pull_zte[i] / lm)
            # This draw's random walks of the vendors' own attractiveness (econ.model.market_share.drift.walks).
            drift[:, :] = 1.0
            if drift_sd[i] > 0:
                for v in range(V):
                    if not drifting[v]:  # its level stays 0: exp(0) = 1, as set above
                        continue
                    level_v = 0.0
                    for t in range(1, T):
                        level_v += drift_sd[i] * _normal(drift_seed[i], t, v)
                        drift[t, v] = np.exp(level_v)
            # Each type's shares: attraction = s * S_g^((1-lambda)/lambda) inverts the base shares; the
            # nested logit then shares new contracts among the vendors that may bid.
            # S_g^power of each share row's nests, once per draw (rows are shared by many types)
            for r in range(n_rows):
                inclusive[:] = 0.0
                for v in range(V):
                    inclusive[nest_of[v]] += shares_k[k, r, v]
                for g in range(n_nests):
                    lift[r, g] = inclusive[g] ** power if inclusive[g] > 0 else 0.0
            for u in range(n_types):
                r = type_row[u]
                if type_base[u]:
                    for v in range(V):
                        type_shares[u, v] = shares_k[k, r, v]
                    continue
                for v in range(V):
                    sv = shares_k[k, r, v]
                    e[v] = sv * lift[r, nest_of[v]] if (sv > 0 and type_avail[u, v]) else 0.0
                if type_penalty[u]:
                    e[hw] *= up_hw
                    e[zte] *= up_zte
                if type_align[u]:
                    e[hw] *= up_align
                if type_pull[u]:
                    e[hw] *= up_pull
                    e[zte] *= up_pull_zte
                if type_west[u]:
                    for v in range(V):
                        if western[v]:
                            e[v] *= up_west
                inclusive[:] = 0.0
                for v in range(V):
                    inclusive[nest_of[v]] += e[v]
                total = 0.0
                for g in range(n_nests):
                    if inclusive[g] > 0:
                        dl = inclusive[g] ** lm
                        total += dl
                        nest_scale[g] = dl / inclusive[g]   # D_g^(lambda - 1)
                    else:
                        nest_scale[g] = 0.0
                for v in range(V):
                    type_shares[u, v] = e[v] * nest_scale[nest_of[v]] / total if total > 0 else 0.0
            keep = 1.0 - 1.0 / life[i]
            for g in range(G):
                for v in range(V):
                    installed[g, v] = life[i] * start_k[k, g, v]
            for c in range(Kc):
                for v in range(V):
                    cell_inst[c, v] = life[i] * tracked_spend[k, c] * shares_k[k, cell_region[c], v]
            removable[:, :] = 0.0
            for t in range(T):
                year = years[t]
                for r in range(R):
                    unconstrained[i, t] += index[i, t, r] * base_hw_k[k, r]
                forced[:] = 0.0
                if t > 0:
                    installed *= keep
                    cell_inst *= keep
                    removable *= keep
                    for b in range(ban_start.shape[0]):
                        if ban_start[b] <= year <= ban_end[b]:
                            left = ban_end[b] - year + 1
                            for c in range(Kc):
                                if not ban_cell[b, c]:
                                    continue
                                for v in range(V):
                                    if not ban_vendor[b, v]:
                                        continue
                                    if year == ban_start[b]:
                                        removable[c, v] = cell_inst[c, v]
                                    step = removable[c, v] / left
                                    removable[c, v] -= step
                                    cell_inst[c, v] -= step
                                    for g in range(G):
                                        installed[g, v] -= step * cell_groups[c, g]
                                    forced[c] += step
                                    removed[i, t, ban_index[b]] += step
                q = quota[i, t]
                for u in range(n_sit[t]):
                    ty = sit_type[t, u]
                    for v in range(V):
                        s[u, v] = type_shares[ty, v]
                    if not type_base[ty]:
                        norm = 0.0
                        for v in range(V):
                            s[u, v] *= drift[t, v]
                        if type_emerging[ty] and spill[i] != 0.0:
                            # Huawei's Russian position last year, against 2019's, spills over here.
                            s[u, hw] *= np.exp(spill[i] * (russia_mix[i, t - 1, hw] - russia_mix[i, 0, hw]))
                        for v in range(V):
                            norm += s[u, v]
                        if norm > 0:
                            for v in range(V):
                                s[u, v] /= norm
                    if q > 0 and type_region[ty] == russia and not type_base[ty] and type_avail[ty, rm]:
                        for v in range(V):
                            s[u, v] *= 1.0 - q
                        s[u, rm] += q
                # Huawei's chip limit: it meets `supply` of its chip needs for the larger of what it would
                # sell without the rules and its orders; the orders it cannot fill go to the others pro rata.
                extra[:] = 0.0
                for c in range(Kc):
                    extra[cell_sit[t, c]] += forced[c]
                demand = 0.0
                for u in range(n_sit[t]):
                    demand += s[u, hw] * (index[i, t, type_region[sit_type[t, u]]] * world_w[t, u, k] + extra[u])
                limit = supply[i, t] * max(unconstrained[i, t], demand)
                if demand > 0 and limit < demand:
                    ration = limit / demand
                    for u in range(n_sit[t]):
                        h = s[u, hw]
                        rest = 1.0 - h
                        if rest > 1e-12:
                            scale = 1.0 + (1.0 - ration) * h / rest
                            for v in range(V):
                                s[u, v] *= scale
                        s[u, hw] = h * ration
                # Capacity in Russia: no vendor's deliveries there grow by more than `grow_limit` a year
                # (a vendor that delivered nothing last year cannot start; refused orders are not carried over);
                # orders beyond that (after Huawei's chip limit) are not installed that year (not handed to others).
                if t > 0:
                    # vendors that may no longer sell in Russia (left or barred) this year
                    ru_left[:] = False
                    for u in range(n_sit[t]):
                        ty = sit_type[t, u]
                        if type_region[ty] == russia and not type_base[ty]:
                            for v in range(V):
                                ru_left[v] = (not type_avail[ty, v]) and before_exit[v] > 0
                            break
                    wanted[:] = 0.0
                    for u in range(n_sit[t]):
                        ty = sit_type[t, u]
                        if type_region[ty] != russia or type_base[ty]:
                            continue
                        level = index[i, t, russia]
                        for j in range(n_grp[t, u]):
                            if grp[t, u, j] == russia_group:
                                for v in range(V):
                                    wanted[v] += level * grp_w[t, u, j, k] * s[u, v]
                    asked, lost = 0.0, 0.0
                    for v in range(V):
                        asked += wanted[v]
                        cap = (1.0 + grow_limit[i]) * last_ru[v]
                        if wanted[v] > cap:
                            lost += wanted[v] - cap
                            wanted[v] = cap / wanted[v]
                        else:
                            wanted[v] = 1.0
                    if lost > 0:
                        for u in range(n_sit[t]):
                            ty = sit_type[t, u]
                            if type_region[ty] == russia and not type_base[ty]:
                                for v in range(V):
                                    s[u, v] *= wanted[v]
                        # Grey imports: kit of vendors that left arrives through third countries, up to
                        # `grey` of what each delivered in its last year before leaving, and fills part of
                        # what the others could not deliver.
                        offered = 0.0
                        for v in range(V):
                            if ru_left[v]:
                                offered += grey[i] * before_exit[v]
                        fill = min(offered, lost)
                        if fill > 0:
                            for u in range(n_sit[t]):
                                ty = sit_type[t, u]
                                if type_region[ty] == russia and not type_base[ty]:
                                    for v in range(V):
                                        if ru_left[v]:
                                            s[u, v] += fill * grey[i] * before_exit[v] / offered / asked
                        shortfall[i, t] = (lost - fill) / asked
                # new contracts by group and Huawei's by market, then the installed bases
                value[:, :] = 0.0
                by_market[:] = 0.0
                markets_needed = keep_all or t == market_t
                for u in range(n_sit[t]):
                    level = index[i, t, type_region[sit_type[t, u]]]
                    for j in range(n_grp[t, u]):
                        w = level * grp_w[t, u, j, k]
                        g = grp[t, u, j]
                        for v in range(V):
                            value[g, v] += w * s[u, v]
                    if markets_needed:
                        for j in range(n_mkt[t, u]):
                            by_market[mkt[t, u, j]] += level * mkt_w[t, u, j, k] * s[u, hw]
                for c in range(Kc):
                    u = cell_sit[t, c]
                    grow = index[i, t, cell_region[c]] * tracked_spend[k, c]
                    for v in range(V):
                        cell_inst[c, v] += (grow + forced[c]) * s[u, v]
                    if forced[c] > 0:  # replacing removed kit: extra spending in the cell's groups
                        for g in range(G):
                            if cell_groups[c, g] != 0:
                                for v in range(V):
                                    value[g, v] += forced[c] * s[u, v] * cell_groups[c, g]
                        by_market[cell_market[c]] += forced[c] * s[u, hw]
                installed += value
                if keep_all:
                    for g in range(G):
                        for v in range(V):
                            value_out[i, t, g, v] = value[g, v]
                            inst_out[i, t, g, v] = installed[g, v]
                    for m in range(n_markets):
                        by_market_all[i, t, m] = by_market[m]
                if t == market_t:
                    for m in range(n_markets):
                        market_out[i, m] = by_market[m]
                for q in range(metric_t.shape[0]):
                    if metric_t[q] == t:
                        total = 0.0
                        for v in range(V):
                            total += value[metric_g[q], v]
                        metric_out[i, q] = value[metric_g[q], metric_v[q]] / total if total > 0 else 0.0
                total = 0.0
                for v in range(V):
                    total += value[russia_group, v]
                for v in range(V):
                    russia_mix[i, t, v] = value[russia_group, v] / total if total > 0 else 0.0
                    last_ru[v] = value[russia_group, v]
                    if not ru_left[v] and value[russia_group, v] > 0:
                        before_exit[v] = value[russia_group, v]
                hw_sales[i, t] = value[world, hw]
                hw_inst[i, t] = installed[world, hw]
    return (metric_out, russia_mix, market_out, hw_sales, hw_inst, unconstrained, removed, shortfall, value_out,
            inst_out, by_market_all)
