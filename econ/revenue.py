"""Revenue impacts: what Asia-Pacific technology suppliers lose when a US rule cuts off Huawei.

The model, per Monte Carlo draw and per supplier economy ``e`` and product category ``c``:

* Annual sales to Huawei ``S[e, c]`` = Huawei's procurement from ``e`` (data/huawei_procurement.csv)
  times the category mix of those purchases (data/procurement_category_mix.csv, an assumption).
* **Direct** loss: sales the rule blocks. A covered category is blocked in full, other chip
  categories in the share ``design_reach`` (parts made to Huawei designs; calibrated). Shipments
  continue through the wind-down; orders pulled forward (``stockpile_months``) offset blocked
  months; licences let ``licence_approval_rate`` through; lost sales are resold to other customers
  at ``substitution_rate``, ramping up linearly over ``recovery_months`` after the deadline.
* **Indirect** loss, two channels:
  - complementarity: without the blocked chips Huawei builds fewer devices, so it buys fewer of
    the parts the rule does not cover. Its output falls by ``min(1, complementarity × b)``, where
    ``b`` is the share of its chip supply blocked (``complementarity`` is calibrated), once the
    stockpile has run out;
  - upstream tiers: suppliers that lose sales buy less from their own suppliers, by the Leontief
    multiplier ``(I - A)^-1 - I`` of the category network ``A`` (data/supply_network.csv, an
    assumption).
  Both are scaled by ``indirect_coverage``.
* Everything is summed over the 12 months after the rule's effective date.

``calibrate`` solves ``design_reach`` and ``complementarity`` so that the may2020_fdpr scenario, at
its central parameter values, reproduces S&P Global Ratings' estimate (about US$25bn: nearly 7
direct, 18 indirect; data/calibration_targets.csv). The other scenarios use those values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize

from econ import data, uncertainty
from econ.errors import InputError
from econ.scenario import Scenario

MONTHS = 12
DAYS_PER_MONTH = 365.25 / 12
CHIP_CATEGORIES = ("foundry", "memory", "image_sensors", "display", "chip_design")
APAC = ("taiwan", "south_korea", "japan", "china")
COMPARISON = ("united_states",)
DRAWN = ("licence_approval_rate", "stockpile_months", "substitution_rate", "recovery_months", "indirect_coverage")
CALIBRATION_SCENARIO = "may2020_fdpr"
#: Huawei's output falls one-for-one with the share of its chip supply blocked: Leontief fixed
#: proportions (a device cannot be built without its chips, and chips are not substitutable
#: across designs in 12 months). A modelling constant, not calibrated.
COMPLEMENTARITY = 1.0


@dataclass(frozen=True)
class SupplyChain:
    """Huawei's purchases by supplier economy and category, and the upstream network.

    Attributes
    ----------
    sales : DataFrame
        economy, category, sales_usd_bn (annual sales to Huawei, USD bn, nominal, ``year``).
    network : ndarray, shape (C, C)
        ``network[i, j]``: USD of category ``i`` inputs bought from Asia-Pacific suppliers per USD
        of category ``j`` output.
    """

    sales: pd.DataFrame
    network: np.ndarray
    categories: tuple[str, ...]
    economies: tuple[str, ...]
    year: int
    source: str = ""

    @classmethod
    def load(cls, year: int = 2019) -> SupplyChain:
        """Build from data/: default procurement of ``year`` and the category mix assumption."""
        proc = data.defaults("huawei_procurement")
        proc = proc[(proc["year"] == year) & (proc["supplier_economy"] != "total")]
        mix = data.load("procurement_category_mix")
        missing = sorted(set(proc["supplier_economy"]) - set(mix["supplier_economy"]))
        if missing:
            raise InputError.single("data/procurement_category_mix.csv", "supplier_economy",
                                    f"no category mix for {', '.join(missing)}")
        sales = proc.merge(mix, on="supplier_economy")
        sales = pd.DataFrame({"economy": sales["supplier_economy"], "category": sales["product_category"],
                              "sales_usd_bn": sales["procurement_usd_bn"] * sales["share"]})
        net = data.load("supply_network")
        categories = tuple(data.CATEGORIES)
        a = (net.pivot_table(index="input_category", columns="output_category", values="coefficient",
                             aggfunc="sum").reindex(index=categories, columns=categories).fillna(0.0).to_numpy())
        return cls(sales, a, categories, tuple(sorted(sales["economy"].unique())), year,
                   data.cite(pd.concat([proc, mix])))

    def matrix(self) -> np.ndarray:
        """Annual sales to Huawei as an (economy × category) array, USD bn."""
        table = self.sales.pivot_table(index="economy", columns="category", values="sales_usd_bn", aggfunc="sum")
        return table.reindex(index=self.economies, columns=self.categories).fillna(0.0).to_numpy()

    def max_network_scale(self) -> float:
        """The scale of ``A`` at which the Leontief inverse stops existing (spectral radius 1)."""
        radius = max(abs(np.linalg.eigvals(self.network)))
        return float(1 / radius) if radius > 0 else np.inf

    def multiplier(self, scale: float = 1.0) -> np.ndarray:
        """Second-round Leontief multiplier ``(I - sA)^-1 - I`` (C × C) for network scale ``s``."""
        eye = np.eye(len(self.categories))
        return np.linalg.inv(eye - scale * self.network) - eye


@dataclass(frozen=True)
class Calibration:
    """Unobservable parameters solved from S&P's targets, and the fit."""

    design_reach: float
    network_scale: float
    targets: dict = field(default_factory=dict)
    fitted: dict = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        rows = [{"quantity": k, "target_usd_bn": v, "model_usd_bn": self.fitted[k],
                 "residual_usd_bn": self.fitted[k] - v} for k, v in self.targets.items()]
        return pd.DataFrame(rows)


def _months(wind_down_days: int, start_months: np.ndarray | float = 0.0) -> np.ndarray:
    """Share of each of the 12 months after the effective date that lies after a start (months)."""
    m = np.arange(MONTHS)
    start = np.asarray(start_months, dtype=float)[..., None] + wind_down_days / DAYS_PER_MONTH
    return np.clip(m + 1 - start, 0.0, 1.0)


def _substitution(rate, recovery, wind_down_days) -> np.ndarray:
    """Share of lost sales resold in each month: linear ramp from the deadline to ``rate``."""
    mid = np.arange(MONTHS) + 0.5
    since = np.clip(mid - wind_down_days / DAYS_PER_MONTH, 0.0, None)
    return np.asarray(rate)[..., None] * np.minimum(1.0, since / np.asarray(recovery)[..., None])


def coverage(scenario: Scenario, categories, design_reach: float) -> np.ndarray:
    """Share of each category's sales to Huawei that the scenario's rule blocks (before licences)."""
    covered = set(scenario.parameters.covered_categories)
    if not covered:
        return np.zeros(len(categories))
    return np.array([1.0 if c in covered else design_reach if c in CHIP_CATEGORIES else 0.0
                     for c in categories])


def losses(chain: SupplyChain, scenario: Scenario, calib: Calibration, params: dict[str, np.ndarray]) -> dict:
    """Losses over the 12 months after the effective date, per draw, economy and category (USD bn).

    ``params`` maps each name in :data:`DRAWN` to an array of shape (n,). Returns arrays of shape
    (n, E, C) under ``direct``, ``complement``, ``upstream`` and ``gross`` (blocked sales before
    wind-down, stockpiling, licences and substitution), and ``monthly`` (n, 3, 12) by channel.
    """
    p = {k: np.atleast_1d(np.asarray(params[k], dtype=float)) for k in DRAWN}
    wind = scenario.parameters.wind_down_days
    sales = chain.matrix()
    monthly_sales = sales / MONTHS
    cov = coverage(scenario, chain.categories, calib.design_reach)
    approved = p["licence_approval_rate"][:, None]
    kept = 1.0 - _substitution(p["substitution_rate"], p["recovery_months"], wind)       # (n, 12)
    blocked_months = _months(wind)                                                       # (12,)
    pulled = p["stockpile_months"][:, None]
    # Direct: blocked months net of resale, less the months of orders pulled into the wind-down.
    direct_month = (1 - approved) * blocked_months * kept                                # (n, 12)
    offset = np.minimum(pulled, direct_month.sum(axis=1, keepdims=True))
    direct_month = direct_month * (1 - offset / np.maximum(direct_month.sum(axis=1, keepdims=True), 1e-12))
    # Complementarity: Huawei's output falls once its stockpile runs out.
    chip = np.array([c in CHIP_CATEGORIES for c in chain.categories])
    blocked_share = (sales[:, chip] * cov[chip]).sum() / max(sales[:, chip].sum(), 1e-12)
    cut = np.minimum(1.0, COMPLEMENTARITY * blocked_share * (1 - approved))               # (n, 1)
    active = _months(wind, p["stockpile_months"])                                        # (n, 12)
    complement_month = cut * active * kept * p["indirect_coverage"][:, None]
    direct = np.einsum("ec,n->nec", monthly_sales * cov, direct_month.sum(axis=1))
    complement = np.einsum("ec,n->nec", monthly_sales * (1 - cov), complement_month.sum(axis=1))
    # Upstream tiers: first-round losses of Asia-Pacific suppliers cut their own purchases.
    apac = np.array([e in APAC for e in chain.economies])
    first_round = (direct + complement)[:, apac, :].sum(axis=1)                           # (n, C)
    upstream_by_cat = first_round @ chain.multiplier(calib.network_scale).T * p["indirect_coverage"][:, None]
    weights = sales * apac[:, None]
    weights = weights / np.where(weights.sum(axis=0) > 0, weights.sum(axis=0), 1.0)
    upstream = upstream_by_cat[:, None, :] * weights[None, :, :]
    gross = np.broadcast_to(sales * cov, direct.shape) * blocked_months.sum() / MONTHS
    upstream_share = upstream.sum(axis=(1, 2)) / np.maximum(first_round.sum(axis=1), 1e-12)
    monthly_apac = sales[apac].sum() / MONTHS
    monthly = np.stack([
        direct_month * (monthly_sales[apac] * cov).sum(),
        complement_month * (monthly_sales[apac] * (1 - cov)).sum(),
        (direct_month * (monthly_sales[apac] * cov).sum() + complement_month * (monthly_sales[apac] * (1 - cov))
         .sum()) * upstream_share[:, None]], axis=1)
    del monthly_apac
    return {"direct": direct, "complement": complement, "upstream": upstream, "gross": gross, "monthly": monthly}


def central_params(scenario: Scenario) -> dict[str, np.ndarray]:
    return {k: np.array([uncertainty.central(scenario.value(k))]) for k in DRAWN}


def draw_params(scenario: Scenario, n: int) -> dict[str, np.ndarray]:
    return {k: uncertainty.draw(scenario.value(k), n, scenario.seed, k) for k in DRAWN}


def apac_totals(result: dict, chain: SupplyChain) -> dict[str, np.ndarray]:
    """Direct, indirect and total loss of Asia-Pacific suppliers per draw (USD bn)."""
    apac = np.array([e in APAC for e in chain.economies])
    direct = result["direct"][:, apac].sum(axis=(1, 2))
    indirect = (result["complement"] + result["upstream"])[:, apac].sum(axis=(1, 2))
    return {"direct": direct, "indirect": indirect, "total": direct + indirect}


def targets() -> dict[str, float]:
    t = data.load("calibration_targets")
    t = t[t["scenario"] == CALIBRATION_SCENARIO].set_index("target")["value_usd_bn"]
    return {"direct": float(t["apac_revenue_at_risk_direct"]), "indirect": float(t["apac_revenue_at_risk_indirect"])}


def calibrate(chain: SupplyChain, scenario: Scenario, target: dict[str, float] | None = None) -> Calibration:
    """Solve ``design_reach`` (direct target) then ``network_scale`` (indirect target).

    ``network_scale`` multiplies the assumed supplier network ``A``: how much of the upstream
    trade in data/supply_network.csv actually moves with a supplier's lost sales. It is searched
    below the scale at which the Leontief inverse stops existing.

    Both are solved by Brent's method at the scenario's central parameter values; the fit is in
    :meth:`Calibration.table`. Raises InputError when a target cannot be reached in the range.
    """
    target = target or targets()
    params = central_params(scenario)

    def total(reach, comp):
        out = apac_totals(losses(chain, scenario, Calibration(reach, comp), params), chain)
        return float(out["direct"][0]), float(out["indirect"][0])

    def solve(f, lo, hi, name):
        if f(lo) > 0 or f(hi) < 0:
            raise InputError.single("data/calibration_targets.csv", name,
                                    f"the target cannot be reached with {name} in [{lo}, {hi}] "
                                    f"(model gives {f(lo) + 0:.2f} to {f(hi):.2f} above target)")
        return optimize.brentq(f, lo, hi, xtol=1e-12)

    reach = solve(lambda r: total(r, 0.0)[0] - target["direct"], 0.0, 1.0, "design_reach")
    top = min(chain.max_network_scale() * 0.999, 1e3)
    scale = solve(lambda k: total(reach, k)[1] - target["indirect"], 0.0, top, "network_scale")
    direct, indirect = total(reach, scale)
    return Calibration(reach, scale, {"direct": target["direct"], "indirect": target["indirect"],
                                     "total": target["direct"] + target["indirect"]},
                       {"direct": direct, "indirect": indirect, "total": direct + indirect})
