"""Vendors' own ups and downs: the part of share changes that no policy explains.

Shares move from year to year for reasons of a vendor's own (a product cycle, a lost flagship
contract: Nokia's 2019-20 5G chipset troubles, Ericsson's gains in the same years). A projection
without them claims more precision than the record allows. The market-share stage adds to each
named vendor's attractiveness a random walk in log-odds,

    d_vt = d_v,t-1 + sigma * e_vt,   e_vt ~ N(0, 1),   d_v,2019 = 0,

common to every market, and shares new contracts in proportion to ``exp(d_vt)`` times the
policy-driven shares. ``sigma`` is estimated (:func:`estimate`) from the year-on-year changes in
the log-odds of the vendors' published world shares *before* the 2020 rules (data/vendor_shares.csv,
default rows, consecutive years up to 2019): the root mean square change, with its chi-square
uncertainty drawn (few changes are published, so each draw takes ``sigma * sqrt(k / chi2_k)``).

The walks are drawn per parameter set from a per-draw seed by a counter-based generator
(:func:`walks`), so any chunk of draws gets the same walks as the whole, and the run without the
rules (the counterfactual) gets the same walks as the run with them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from econ import data, uncertainty
from econ.errors import InputError
from econ.model.market_share.choice import VENDORS
from econ.model.market_share.penalty import logit

#: Last year whose share changes count as before the rules.
LAST_PRE_RULE_YEAR = 2019
#: Vendors the walk applies to: the named vendors (not the residual "others", not Russian-made kit,
#: whose share a target sets).
DRIFTING = ("huawei", "ericsson", "nokia", "zte", "samsung", "cisco")
MASK = np.isin(VENDORS, DRIFTING)


@dataclass(frozen=True)
class Drift:
    """The estimated yearly sd of a vendor's own log-odds change and the changes it comes from."""

    sigma: float
    changes: pd.DataFrame  # series, vendor, year_from, year_to, change_logit

    @property
    def count(self) -> int:
        return len(self.changes)


@functools.lru_cache(maxsize=1)
def estimate() -> Drift:
    """Root mean square of the year-on-year log-odds changes of published world shares up to 2019."""
    table = data.defaults("vendor_shares")
    table = table[(table["region"] == "world") & (table["year"] <= LAST_PRE_RULE_YEAR)
                  & table["vendor"].isin(DRIFTING)]
    rows = []
    for (market, vendor), g in table.groupby(["market", "vendor"]):
        g = g.sort_values("year")
        for (y0, s0), (y1, s1) in zip(g[["year", "share"]].to_numpy()[:-1], g[["year", "share"]].to_numpy()[1:]):
            if y1 == y0 + 1:
                rows.append({"series": market, "vendor": vendor, "year_from": int(y0), "year_to": int(y1),
                             "change_logit": float(logit(s1) - logit(s0))})
    changes = pd.DataFrame(rows)
    if len(changes) < 2:
        raise InputError.single("data/vendor_shares.csv", "share",
                                f"need world shares of a vendor in consecutive years up to {LAST_PRE_RULE_YEAR} "
                                "(at least two changes) to estimate vendors' own drift")
    return Drift(float(np.sqrt((changes["change_logit"] ** 2).mean())), changes)


def draw_inputs(seed: int, n: int) -> dict[str, np.ndarray]:
    """Per draw: the walk's sd (sigma with its chi-square uncertainty) and the walk's seed."""
    d = estimate()
    rng = uncertainty.rng_for(seed, "vendor_drift")
    sd = d.sigma * np.sqrt(d.count / rng.chisquare(d.count, n))
    return {"vendor_drift_sd": sd, "vendor_drift_seed": rng.integers(0, 2**52, n).astype(float)}


def central_inputs() -> dict[str, np.ndarray]:
    """No drift: the central run shows the policy-driven shares."""
    return {"vendor_drift_sd": np.zeros(1), "vendor_drift_seed": np.zeros(1)}


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser on uint64 (wrapping arithmetic)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def walks(sd: np.ndarray, seed: np.ndarray, years: int) -> np.ndarray:
    """Multipliers ``exp(d_vt)`` (n, years, V): 1 in the first year, 1 for vendors that do not drift."""
    V = len(VENDORS)
    with np.errstate(over="ignore"):
        key = (np.asarray(seed, dtype=np.float64).astype(np.uint64)[:, None, None] * np.uint64(1_000_003)
               + np.arange(years, dtype=np.uint64)[None, :, None] * np.uint64(64)
               + np.arange(V, dtype=np.uint64)[None, None, :] * np.uint64(2))
        a = _mix(key)
        b = _mix(a)
    u1 = ((a >> np.uint64(11)).astype(np.float64) + 0.5) / 2.0**53
    u2 = (b >> np.uint64(11)).astype(np.float64) / 2.0**53
    e = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
    e[:, 0, :] = 0.0
    e[:, :, ~MASK] = 0.0
    return np.exp(np.cumsum(np.asarray(sd, dtype=float)[:, None, None] * e, axis=1))


__all__ = ["DRIFTING", "Drift", "central_inputs", "draw_inputs", "estimate", "walks"]
