"""The investment stage's compiled loops (numba): the arithmetic of :mod:`econ.model.investment.vintage`
without its (draws, points, removal years) temporaries, the same operations in the same order, so the
same bits as the NumPy expression it replaces (sums in NumPy's order, :mod:`econ.model.pairwise`).

Private: imported on first use, like the market-share kernel. Each draw is computed on its own, in one
thread, so the thread count changes nothing.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from econ.model.pairwise import row_sum


@nb.njit(cache=True, parallel=True, error_model="numpy")
def early_retirement(vintages, life, removal):
    """``clip((vintages[:, :, None] + life[:, None, None] - removal) / life[:, None, None], 0, 1).mean(axis=(1, 2))``:
    ``vintages`` (n, P), ``life`` (n,), ``removal`` (W,)."""
    n, points = vintages.shape
    width = removal.shape[0]
    out = np.empty(n)
    for i in nb.prange(n):
        buf = np.empty(points * width)
        li = life[i]
        for p in range(points):
            for w in range(width):
                x = (vintages[i, p] + li - removal[w]) / li
                buf[p * width + w] = min(max(x, 0.0), 1.0)
        out[i] = row_sum(buf, 0, points * width) / (points * width)
    return out


@nb.njit(cache=True, parallel=True, error_model="numpy")
def market_price_index(mix, fx, western, russian_made, western_premium, domestic_premium):
    """``(mix * price).sum(axis=-1)`` (n, Y) for the market's vendor ``mix`` (n, Y, V): imported kit at
    ``fx`` (n, Y), Western kit ``1 + western_premium`` (n,) above that, Russian-made kit at
    ``1 + domestic_premium`` (n,)."""
    n, years, vendors = mix.shape
    out = np.empty((n, years))
    for i in nb.prange(n):
        buf = np.empty(vendors)
        for y in range(years):
            for v in range(vendors):
                if v == russian_made:
                    price = 1.0 + domestic_premium[i]
                elif western[v]:
                    price = 1.0 * fx[i, y] * (1.0 + western_premium[i])
                else:
                    price = 1.0 * fx[i, y]
                buf[v] = mix[i, y, v] * price
            out[i, y] = row_sum(buf, 0, vendors)
    return out


@nb.njit(cache=True, parallel=True, error_model="numpy")
def coverage_sites(area, site_km2, ratio, released):
    """:func:`econ.model.investment.model.coverage_sites` for ``area`` (n, T, Y), ``site_km2`` (n, T),
    ``ratio`` (n,) and ``released`` (Y,): each year's new area at its band's density, summed over the
    years and never falling."""
    n, tiers, years = area.shape
    out = np.empty((n, tiers, years))
    for i in nb.prange(n):
        for t in range(tiers):
            before, total, top = 0.0, 0.0, 0.0
            for y in range(years):
                density = 1.0 if released[y] else ratio[i]
                x = (area[i, t, y] - before) / site_km2[i, t] * density
                before = area[i, t, y]
                total = x if y == 0 else total + x
                top = total if y == 0 else max(top, total)
                out[i, t, y] = top
    return out


@nb.njit(cache=True, parallel=True, error_model="numpy")
def split_new_and_upgrades(sites, existing):
    """:func:`econ.model.investment.model.split_new_and_upgrades` for (rows, Y) arrays: each year's added
    sites as upgrades of existing sites (used first, up to ``existing``, cumulative) and new sites."""
    rows, years = sites.shape
    new = np.empty((rows, years))
    upgrades = np.empty((rows, years))
    for r in nb.prange(rows):
        used, before = 0.0, 0.0
        for y in range(years):
            added = sites[r, y] - before
            before = sites[r, y]
            up = min(added, max(existing[r, y] - used, 0.0))
            upgrades[r, y] = up
            used = used + up
            new[r, y] = added - up
    return new, upgrades
