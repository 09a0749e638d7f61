"""The chip-supply stage's month-by-month shares, compiled (numba): the arithmetic of
:func:`econ.model.chip_supply.model.supply` for one product without its (draws, months) temporaries,
the same operations in the same order, so the same bits (yearly means summed in NumPy's order,
:mod:`econ.model.pairwise`).

Private: imported on first use. Each draw is computed on its own, in one thread, so the thread count
changes nothing.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from econ.model.pairwise import row_sum


@nb.njit(cache=True, parallel=True, error_model="numpy")
def shares(blocked, rate, revoked, unrecovered, redesign, redesigned, runs_out, months, per_year):
    """Monthly supply shares (n, M) and their calendar-year means (n, M // per_year).

    ``share = 1 - blocked * (1 - licence) * unrecovered [* redesign] * (months >= runs_out)``, where the
    licence is ``rate`` (n,) until ``revoked`` (M,), ``unrecovered`` (M,) is 1 less the recovery path,
    ``redesign`` (n,) multiplies in when ``redesigned``, ``runs_out`` (n,) is when stocks run out."""
    n, m = blocked.shape[0], months.shape[0]
    years = m // per_year
    monthly = np.empty((n, m))
    yearly = np.empty((n, years))
    for i in nb.prange(n):
        row = monthly[i]
        for j in range(m):
            licence = 0.0 if revoked[j] else rate[i]
            gap = blocked[i] * (1.0 - licence) * unrecovered[j]
            if redesigned:
                gap = gap * redesign[i]
            row[j] = 1.0 - gap * (1.0 if months[j] >= runs_out[i] else 0.0)
        for y in range(years):
            yearly[i, y] = row_sum(row, y * per_year, per_year) / per_year
    return monthly, yearly
