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

import functools
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
DRAWN = ("licence_approval_rate", "stockpile_months", "substitution_rate", "recovery_months", "indirect_coverage")
CALIBRATION_SCENARIO = "may2020_fdpr"
#: Huawei's output falls one-for-one with the share of its chip supply blocked: Leontief fixed
#: proportions (a device cannot be built without its chips, and chips are not substitutable
#: across designs in 12 months). A modelling constant, not calibrated.
COMPLEMENTARITY = 1.0
CALIBRATION_DRAWS = 4000


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
        sums = mix.groupby("supplier_economy")["share"].sum()
        off = sums[(sums - 1).abs() > 1e-6]
        if len(off):
            raise InputError([("data/procurement_category_mix.csv", "share",
                               f"{e} sums to {v:.3g}; each economy's category shares must sum to 1")
                              for e, v in off.items()])
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
    (n, E, C) under ``direct``, ``complement`` and ``upstream``, and ``monthly`` (n, 3, 12): the
    Asia-Pacific total by channel (direct, complement, upstream) and month after the effective date.
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
    # Month by month for all Asia-Pacific suppliers (n, 3, 12): direct, complement, upstream.
    apac_direct = (monthly_sales[apac] * cov).sum() * direct_month
    apac_complement = (monthly_sales[apac] * (1 - cov)).sum() * complement_month
    upstream_ratio = upstream.sum(axis=(1, 2)) / np.maximum(first_round.sum(axis=1), 1e-12)
    monthly = np.stack([apac_direct, apac_complement, (apac_direct + apac_complement) * upstream_ratio[:, None]],
                       axis=1)
    return {"direct": direct, "complement": complement, "upstream": upstream, "monthly": monthly}


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

    Both are solved by Brent's method so that the *median* of the scenario's Monte Carlo draws
    (``CALIBRATION_DRAWS`` seeded draws, the same draws at every step) equals the target: S&P's
    figure is read as a central estimate. The fit is in :meth:`Calibration.table`. Raises
    InputError when a target cannot be reached in the search range.
    """
    target = target or targets()
    params = draw_params(scenario, CALIBRATION_DRAWS)

    def total(reach, comp):
        out = apac_totals(losses(chain, scenario, Calibration(reach, comp), params), chain)
        return float(np.median(out["direct"])), float(np.median(out["indirect"]))

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


# --- the scenario-facing view ---------------------------------------------------------------------

CHANNELS = ("direct", "complement", "upstream")
CHANNEL_LABELS = {"direct": "direct: sales the rule blocks",
                  "complement": "indirect: parts Huawei no longer needs",
                  "upstream": "indirect: upstream suppliers"}


def check_rule_date(scenario: Scenario, chain: SupplyChain) -> None:
    """The rule must take effect after the procurement base year and within three years of it."""
    d = scenario.parameters.rule_effective_date
    if scenario.parameters.covered_categories and not chain.year < d.year <= chain.year + 3:
        raise InputError.single(scenario.files[0] if scenario.files else "scenario", "parameters.rule_effective_date",
                                f"{d} is outside the years the procurement data can describe: "
                                f"allowed {chain.year + 1}-01-01 to {chain.year + 3}-12-31 (base year {chain.year})")


@dataclass(frozen=True)
class RevenueImpact:
    """The revenue model's answer for one scenario: Monte Carlo draws and their summaries."""

    scenario: Scenario
    chain: SupplyChain
    calibration: Calibration
    draws: dict

    @property
    def source(self) -> str:
        """Citation for charts: the procurement and mix data, and the calibration target."""
        return f"{self.chain.source}; calibrated to {data.cite(data.load('calibration_targets'))}; workbook model"

    @property
    def totals(self) -> dict[str, np.ndarray]:
        return apac_totals(self.draws, self.chain)

    def metrics(self) -> dict[str, float]:
        """Headline metrics: p50 and _p05/_p95 of APAC total, direct and indirect loss (USD bn)."""
        out = {}
        for name, values in _named(self.totals).items():
            iv = uncertainty.interval(values)
            out.update({name: iv["p50"], f"{name}_p05": iv["p05"], f"{name}_p95": iv["p95"]})
        return out

    def fan(self) -> pd.DataFrame:
        """Asia-Pacific loss by month after the effective date: p05, p25, p50, p75, p95 (USD bn)."""
        total = self.draws["monthly"].sum(axis=1)                                      # (n, 12)
        return pd.DataFrame(uncertainty.fan(total, np.arange(1, MONTHS + 1))).assign(
            metric="apac_revenue_loss_usd_bn per month")

    def by_economy(self) -> pd.DataFrame:
        """Loss by supplier economy and channel: p05, p50, p95 (USD bn, 12 months). Tidy."""
        rows = []
        for i, e in enumerate(self.chain.economies):
            for ch in CHANNELS:
                iv = uncertainty.interval(self.draws[ch][:, i].sum(axis=1))
                rows.append({"economy": e, "asia_pacific": e in APAC, "channel": ch,
                             "loss_usd_bn": iv["p50"], "loss_p05_usd_bn": iv["p05"], "loss_p95_usd_bn": iv["p95"]})
        return pd.DataFrame(rows)

    def by_supplier(self) -> pd.DataFrame:
        """Named suppliers with exposure data: their sales to Huawei and median direct loss (USD bn).

        A supplier's direct loss is its Huawei sales times the share its category loses directly in
        the model (the economy-category loss over the economy-category sales).
        """
        exposure = data.defaults("supplier_exposure")
        revenue = data.load("supplier_revenue").drop_duplicates("supplier")
        frame = exposure.merge(revenue[["supplier", "revenue_usd_bn"]], on="supplier")
        sales = self.chain.matrix()
        direct = np.median(self.draws["direct"], axis=0)
        rows = []
        for r in frame.itertuples():
            e, c = self.chain.economies.index(r.supplier_economy), self.chain.categories.index(r.product_category)
            huawei_sales = r.revenue_usd_bn * r.huawei_share_of_revenue
            rate = direct[e, c] / sales[e, c] if sales[e, c] > 0 else 0.0
            rows.append({"supplier": r.supplier, "economy": r.supplier_economy, "category": r.product_category,
                         "huawei_sales_usd_bn": huawei_sales, "direct_loss_usd_bn": huawei_sales * rate,
                         "direct_loss_share_of_revenue": huawei_sales * rate / r.revenue_usd_bn})
        return pd.DataFrame(rows)

    def waterfall(self) -> pd.DataFrame:
        """From gross exposure to net loss (medians, USD bn), one step at a time. Tidy: step, loss_usd_bn.

        Each step switches one mechanism on, in order: blocked sales over 12 months, less shipments
        in the wind-down, licences, stockpiled orders, resale to other customers (the direct loss);
        then the two indirect channels.
        """
        p = draw_params(self.scenario, len(self.totals["total"]))
        zero = {k: np.zeros_like(v) for k, v in p.items()}
        steps = [("blocked sales, 12 months", dict(zero, recovery_months=p["recovery_months"]), 0),
                 ("less wind-down shipments", dict(zero, recovery_months=p["recovery_months"]), None),
                 ("less licences", dict(zero, recovery_months=p["recovery_months"],
                                        licence_approval_rate=p["licence_approval_rate"]), None),
                 ("less stockpiled orders", dict(p, substitution_rate=zero["substitution_rate"]), None),
                 ("less resale to others", p, None)]
        level, rows = 0.0, []
        for label, params, wind in steps:
            scn = self.scenario
            if wind is not None:
                scn = scn.model_copy(update={"parameters": scn.parameters.model_copy(update={"wind_down_days": wind})})
            value = float(np.median(apac_totals(losses(self.chain, scn, self.calibration, params), self.chain)["direct"]))
            rows.append({"step": label, "kind": "level" if not rows else "change", "loss_usd_bn": value - level})
            level = value
        for ch in ("complement", "upstream"):
            value = float(np.median(self.draws[ch][:, [e in APAC for e in self.chain.economies]].sum(axis=(1, 2))))
            rows.append({"step": "plus " + CHANNEL_LABELS[ch].split(": ")[1], "kind": "change", "loss_usd_bn": value})
            level += value
        rows.append({"step": "net loss, 12 months", "kind": "level", "loss_usd_bn": level})
        return pd.DataFrame(rows)

    def time_profile(self) -> pd.DataFrame:
        """Median loss by month after the effective date and channel (USD bn). Tidy."""
        start = pd.Timestamp(self.scenario.parameters.rule_effective_date)
        med = np.median(self.draws["monthly"], axis=0)  # (3, 12)
        return pd.DataFrame([{"month": (start + pd.DateOffset(months=m)).strftime("%Y-%m"), "month_index": m + 1,
                              "channel": CHANNEL_LABELS[ch], "loss_usd_bn": float(med[i, m])}
                             for i, ch in enumerate(CHANNELS) for m in range(MONTHS)])


#: Headline metrics, one value per parameter set (see :func:`evaluate`).
METRICS = ("apac_revenue_loss_usd_bn", "apac_direct_loss_usd_bn", "apac_indirect_loss_usd_bn")


def _named(totals: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return dict(zip(METRICS, (totals["total"], totals["direct"], totals["indirect"])))


@functools.lru_cache(maxsize=1)
def _chain() -> SupplyChain:
    return SupplyChain.load()


def evaluate(scenario: Scenario, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Headline metrics for each parameter set: ``params`` maps each name in DRAWN to an (n,) array.

    The fast path for sensitivity analysis and sweeps: no intervals, no breakdowns. The
    calibration is the one every scenario uses (it is not re-solved per parameter set).
    """
    chain = _chain()
    check_rule_date(scenario, chain)
    return _named(apac_totals(losses(chain, scenario, default_calibration(), params), chain))


@functools.lru_cache(maxsize=4)
def default_calibration(targets_key: tuple = ()) -> Calibration:
    """The calibration every scenario uses: may2020_fdpr against data/calibration_targets.csv."""
    from econ.scenario import load_scenario

    target = dict(targets_key) or None
    return calibrate(SupplyChain.load(), load_scenario(CALIBRATION_SCENARIO), target)


def assess(scenario: Scenario, n: int = 10_000, calibration: Calibration | None = None) -> RevenueImpact:
    """Run the revenue model for ``scenario`` over ``n`` seeded draws."""
    chain = SupplyChain.load()
    check_rule_date(scenario, chain)
    calibration = calibration or default_calibration()
    return RevenueImpact(scenario, chain, calibration, losses(chain, scenario, calibration, draw_params(scenario, n)))


def huawei_gap(n: int = 10_000, seed: int = 20200515, years=(2020, 2021)):
    """Huawei's revenue gap (trend counterfactual minus actual), its fitted trend, and draw intervals.

    Returns (results, gap frame, metrics) where metrics hold huawei_revenue_gap_cny_bn_YEAR with
    _p05/_p95 from the predictive distribution.
    """
    from econ.trend import RevenueTrend

    revenue = data.defaults("huawei_revenue")
    res = RevenueTrend(revenue, until=2019).fit()
    gap = res.counterfactual_gap(revenue, years=years)
    metrics = {}
    for year in years:
        iv = uncertainty.interval(res.gap_draws(revenue, year, n, seed))
        metrics.update({f"huawei_revenue_gap_cny_bn_{year}": iv["p50"],
                        f"huawei_revenue_gap_cny_bn_{year}_p05": iv["p05"],
                        f"huawei_revenue_gap_cny_bn_{year}_p95": iv["p95"]})
    return res, gap, metrics
