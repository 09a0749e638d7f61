"""What a removal deadline adds: kit retired before its life ends, given when it was installed, and the
replacement vendor's price above the banned vendor's.

A ban with a removal deadline replaces installed kit over its removal window (years ``start`` to
``end``, equal shares a year). Without the ban, each unit would be replaced anyway when its life
(``equipment_life_years``, the market-share stage's) ends, by the cheaper vendor. The cost the ban
adds over that normal path has two parts, each a share of the gross swap cost:

- **Early retirement**: a unit installed in year ``v`` and removed in year ``t`` loses the rest of its
  life, ``max(0, (v + life - t) / life)`` of its value (straight-line). The installed years come
  from the kit's own history where the data give it (the UK's Huawei 5G radios went in from 2019,
  on 4G kit installed in steady state before), else from a steady state (installed evenly over the
  ``life`` years before the removal starts). Kit that is old enough to be replaced within the
  window anyway adds nothing.
- **Price**: the replacement kit comes from Ericsson or Nokia at ``western_price_premium`` above the
  banned vendor (US rural carriers were quoted 30-40%), on the kit's part of the swap cost
  (China Mobile's kit price over its all-in site cost): ``kit_share x premium / (1 + premium)`` of
  the gross, which is priced at the replacement vendor's prices.

The same gross and added are shown on every page and in the back-test (one definition per figure).
The cost of the delay to the 5G roll-out (the UK government's "2-3 years") is an economy-wide loss,
not an operator's cost, and is not in either figure.
"""

from __future__ import annotations

import numpy as np

#: Points over which an installation period is integrated (midpoints of equal sub-periods).
_POINTS = 24


def early_retirement_share(installed: tuple[float, float] | None, start: int, end: int, life,
                           until: float | None = None) -> np.ndarray:
    """Share of the removed kit's value lost by retiring it before its life ends (n,).

    ``installed`` = (first, last) year of installation (kit installed evenly between them, both in
    years as decimals: installed during 2019 and 2020 is (2019.0, 2021.0)); None is the steady state
    (evenly over the ``life`` years before ``until``, the year the banned kit stopped going in, at the
    latest ``start``). Removal is spread evenly over ``start``..``end`` (mid-year). ``life`` (n,) in
    years."""
    life = np.atleast_1d(np.asarray(life, dtype=float))
    distinct, which = np.unique(life, return_inverse=True)
    if len(distinct) < len(life):  # a sweep or the central path: each distinct life computed once
        return early_retirement_share(installed, start, end, distinct, until)[which.ravel()]
    removal = np.arange(start, end + 1, dtype=float) + 0.5                          # (W,)
    frac = (np.arange(_POINTS) + 0.5) / _POINTS                                    # (P,)
    if installed is None:
        stop = start if until is None else min(float(until), start)
        vintages = stop - life[:, None] * (1 - frac[None, :])                       # (n, P)
    else:
        first, last = installed
        if not first < last <= start + 1:
            raise ValueError(f"installation years {installed} must run forward and end by the end of the "
                             f"removal's first year {start}")
        vintages = np.broadcast_to(first + (last - first) * frac, (len(life), _POINTS))
    from econ.model.investment import _kernel  # compiled: no (n, P, W) temporaries, the same numbers

    return _kernel.early_retirement(np.ascontiguousarray(vintages), life, removal)


def price_share(premium, kit_share: float) -> np.ndarray:
    """Share of a gross swap cost (priced at the replacement vendor's prices) that is the replacement
    vendor's price above the banned vendor's: ``kit_share x premium / (1 + premium)`` (n,)."""
    premium = np.atleast_1d(np.asarray(premium, dtype=float))
    if np.any(premium < 0) or not 0 <= kit_share <= 1:
        raise ValueError("the price premium must be non-negative and the kit share within 0-1")
    return kit_share * premium / (1 + premium)


def added_share(installed_parts: list[tuple[float, tuple[float, float] | None]], start: int, end: int, life,
                premium, kit_share: float, until: float | None = None) -> dict[str, np.ndarray]:
    """Early retirement and price shares of the gross (n,), for kit made of parts installed at different
    times: ``installed_parts`` = [(share of the value, (first, last) or None), ...], shares adding to 1;
    ``until``: the year the banned kit stopped going in (steady-state parts end there)."""
    total = sum(w for w, _ in installed_parts)
    if not np.all(np.isclose(total, 1.0)):
        raise ValueError(f"the parts' value shares add to {total}, not 1")
    early = sum(w * early_retirement_share(years, start, end, life, until) for w, years in installed_parts)
    return {"early": early, "price": np.broadcast_to(price_share(premium, kit_share), np.shape(early))}
