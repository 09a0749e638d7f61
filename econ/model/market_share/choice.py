"""The nested logit that shares new telecom-equipment contracts among vendors.

Buyers choose a vendor in two steps: a nest (Chinese, Western, Russian-made, other), then a
vendor inside it. With ``lambda = 1 - correlation`` (``vendor_nest_correlation``: how alike buyers
see the vendors of one nest; 0 is the plain logit) and ``D_g = sum_{j in g} exp(delta_j / lambda)``:

    P(j) = exp(delta_j / lambda) / D_g  *  D_g^lambda / sum_h D_h^lambda

Attractiveness ``delta`` is inverted from observed shares (Berry 1994), so an unchanged world
reproduces them exactly; policy moves ``delta`` or takes vendors out of the choice set.

Reference: Berry, S. (1994), "Estimating discrete-choice models of product differentiation",
RAND Journal of Economics 25(2), 242-262.
"""

from __future__ import annotations

import numpy as np

from econ.scenario import Vendor

VENDORS: tuple[str, ...] = Vendor.__args__
NESTS = {"chinese": ("huawei", "zte"), "western": ("ericsson", "nokia", "samsung", "cisco"),
         "russian": ("russian_made",), "other": ("others",)}
NEST_OF = np.array([next(i for i, members in enumerate(NESTS.values()) if v in members) for v in VENDORS])
_MEMBERS = [np.flatnonzero(NEST_OF == g) for g in range(len(NESTS))]
HUAWEI, ZTE = VENDORS.index("huawei"), VENDORS.index("zte")
RUSSIAN_MADE, OTHERS = VENDORS.index("russian_made"), VENDORS.index("others")
WESTERN = np.isin(VENDORS, NESTS["western"])
CHINESE = np.isin(VENDORS, NESTS["chinese"])


def nest_shares(shares: np.ndarray) -> np.ndarray:
    """Each vendor's nest's total share, same shape as ``shares`` (..., V)."""
    totals = np.stack([shares[..., m].sum(axis=-1) for m in _MEMBERS], axis=-1)
    return totals[..., NEST_OF]


def utilities(shares: np.ndarray, correlation: np.ndarray) -> np.ndarray:
    """Attractiveness that reproduces ``shares`` (n, ..., V) under the nested logit.

    delta_j = lambda ln s_j + (1 - lambda) ln S_g, with ``correlation`` (n,). A vendor with no
    share gets minus infinity: nothing in the model makes it enter a market.
    """
    lam = (1.0 - np.asarray(correlation, dtype=float)).reshape((-1,) + (1,) * (shares.ndim - 1))
    with np.errstate(divide="ignore"):
        delta = lam * np.log(shares) + (1.0 - lam) * np.log(nest_shares(shares))
    return np.where(shares > 0, delta, -np.inf)


def probabilities(e: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Nested-logit shares from ``e = exp(delta / lambda)`` (..., V), zero where ``e`` is zero.

    ``lam`` broadcasts against ``e`` without its vendor axis. Sums over each nest's vendors are
    taken by slicing: a matrix product here would call multithreaded BLAS on tiny dimensions,
    slower and erratic on a busy machine.
    """
    inclusive = np.stack([e[..., m].sum(axis=-1) for m in _MEMBERS], axis=-1)         # D_g
    open_ = inclusive > 0
    weight = np.where(open_, np.where(open_, inclusive, 1.0) ** lam[..., None], 0.0)  # D_g^lambda
    nest_p = weight / weight.sum(axis=-1, keepdims=True)
    per_unit = np.divide(nest_p, inclusive, out=np.zeros_like(nest_p), where=open_)
    return e * per_unit[..., NEST_OF]


def shift_for_log_odds(b_huawei, b_zte, correlation, huawei_in_nest: float):
    """Utility shifts (Huawei, ZTE) that move each one's log-odds against vendors of other nests by
    ``b_huawei`` and ``b_zte`` (what the fractional logit of :mod:`econ.model.market_share.penalty` estimates).

    In the nested logit, d ln(s_j / s_k) = [d_j - (1 - lambda) A] / lambda for k outside j's nest,
    with A = sum_i s_{i|g} d_i over the nest; solving for both members gives
    d_j = lambda b_j + (1 - lambda) (s_{h|g} b_h + s_{z|g} b_z). ``huawei_in_nest`` is Huawei's
    share of the Chinese nest where the shift applies (outside China, at base).
    """
    lam = 1.0 - np.asarray(correlation, dtype=float)
    mean = huawei_in_nest * np.asarray(b_huawei) + (1 - huawei_in_nest) * np.asarray(b_zte)
    return lam * b_huawei + (1 - lam) * mean, lam * b_zte + (1 - lam) * mean
