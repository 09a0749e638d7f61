"""Revenue impacts: what Asia-Pacific technology suppliers have at risk, and lose, when a US rule cuts
Huawei off (a stage of :mod:`econ.model.world`; it reads Huawei's chip supply and market shares).

Annual sales to Huawei ``S[e, c]`` by supplier economy ``e`` and product category ``c`` are
Huawei's procurement from ``e`` (data/huawei_procurement.csv; mainland China's unknown row drawn
over its range) times a category mix (data/procurement_category_mix.csv, an assumption).
Two figures are kept apart:

* **Revenue at risk**, S&P Global Ratings' concept: a year of sales exposed to the rule. Direct:
  sales in the categories the rule covers. Indirect: sales of other parts that go into products
  the rule stops, ``S[e, c] (u_c b_handset + (1 - u_c) b_network)``, where ``u_c`` is the share of
  Huawei's purchases of ``c`` that go into consumer devices (data/procurement_by_business.csv) and
  ``b`` the share of a product's output the rule's chip block stops (:mod:`econ.model.chip_supply`);
  plus upstream tiers through the Leontief multiplier of the supplier network. Nothing is fitted to
  S&P: its figures are scored by the back-test.
* **Net loss over the 12 months after the rule**: direct losses after the wind-down, net of
  licences, orders pulled forward and resale to other customers (capacity was short in 2020-21);
  indirect losses as Huawei's output actually falls, month by month: handsets with their chip
  supply (a phone needs its chips; stocks carry it for a while), base stations with Huawei's
  sales in the market-share stage against what it would sell without the chip limit, less what
  rivals who build with the same suppliers' parts take over (``rival_recapture_rate``); then
  upstream tiers (``supply_network_scale`` times data/supply_network.csv).

The headline figures cover Asia-Pacific: Taiwan, South Korea, Japan and mainland China.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from econ import data, uncertainty
from econ.errors import InputError
from econ.model import chip_supply
from econ.model.market_share import YEARS as SHARE_YEARS
from econ.model.stage import Declaration, Metric, Stage
from econ.scenario import Scenario

MONTHS = 12
DAYS_PER_MONTH = 365.25 / 12
APAC = ("taiwan", "south_korea", "japan", "china")
CATEGORIES = tuple(data.CATEGORIES)
BASE_YEAR = 2019

_M = {"apac_revenue_loss_usd_bn": ("Asia-Pacific suppliers' net revenue loss", "in the 12 months after the rule"),
      "apac_direct_loss_usd_bn": ("Net loss of sales the rule blocks", "direct part of the net loss"),
      "apac_indirect_loss_usd_bn": ("Net loss of parts Huawei no longer needs", "indirect part: complements and upstream"),
      "apac_revenue_at_risk_usd_bn": ("Asia-Pacific suppliers' revenue at risk",
                                      "a year of sales exposed to the rule (S&P's concept)"),
      "apac_direct_at_risk_usd_bn": ("Sales the rule blocks (a year)", "direct part of the revenue at risk"),
      "apac_indirect_at_risk_usd_bn": ("Sales of parts for the products it stops (a year)",
                                       "indirect part of the revenue at risk")}

DECLARATION = Declaration(
    name="revenue",
    title="Asia-Pacific suppliers' revenue",
    groups=("policy", "revenue"),
    reads=("chip_supply", "market_share"),
    metrics=(*(Metric(k, "USD bn, nominal", label, f"Taiwan, South Korea, Japan and mainland China: {meaning}")
               for k, (label, meaning) in _M.items()),
             Metric("rated_revenue_at_risk_usd_bn", "USD bn, nominal",
                    "Revenue at risk in Taiwan, South Korea and Japan",
                    "A year of sales exposed to the rule in the economies of S&P's rated issuers (its US$25bn "
                    "for the May 2020 rule); mainland China's suppliers are mostly unrated")),
    drawn_inputs={"procurement_china": "data/huawei_procurement.csv: 2019 china (range 8-25)",
                  **{f"consumer_share_{c}": f"data/procurement_by_business.csv: {c}" for c in CATEGORIES},
                  "category_mix_*": "data/procurement_category_mix.csv: each share over its range, renormalised"},
    bytes_per_draw=8 * (4 * 7 * len(CATEGORIES) + 3 * MONTHS + 2 * 12 * 12),
)


@dataclass(frozen=True)
class SupplyChain:
    """Huawei's 2019 purchases by supplier economy and category, and the upstream network.

    :attr:`sales` (E, C): central annual sales to Huawei, USD bn; ``china_range`` (value, low, high) of
    mainland China's total; ``network[i, j]``: USD of category ``i`` inputs bought from Asia-Pacific
    suppliers per USD of category ``j`` output; ``use[c]`` (value, low, high) consumer share.
    """

    mix: pd.DataFrame
    mix_ranges: dict              # "category_mix_ECONOMY_CATEGORY" -> (share, low, high)
    totals: np.ndarray            # (E,) annual purchases by economy, USD bn (China's: central)
    china_range: tuple[float, float, float]
    network: np.ndarray
    use: dict
    economies: tuple[str, ...]
    source: str

    @classmethod
    def load(cls, year: int = BASE_YEAR) -> SupplyChain:
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
        economies = tuple(sorted(proc["supplier_economy"]))
        mix_table = mix.pivot_table(index="supplier_economy", columns="product_category", values="share",
                                    aggfunc="sum").reindex(index=economies, columns=CATEGORIES).fillna(0.0)
        totals = proc.set_index("supplier_economy")["procurement_usd_bn"].reindex(economies)
        china = proc[proc["supplier_economy"] == "china"].iloc[0]
        low = china["procurement_usd_bn"] if pd.isna(china["procurement_low_usd_bn"]) else china["procurement_low_usd_bn"]
        high = china["procurement_usd_bn"] if pd.isna(china["procurement_high_usd_bn"]) else china["procurement_high_usd_bn"]
        net = data.load("supply_network")
        a = (net.pivot_table(index="input_category", columns="output_category", values="coefficient", aggfunc="sum")
             .reindex(index=CATEGORIES, columns=CATEGORIES).fillna(0.0).to_numpy())
        use = data.load("procurement_by_business").set_index("product_category")
        if set(use.index) != set(CATEGORIES):
            raise InputError.single("data/procurement_by_business.csv", "product_category",
                                    f"need one row for each of {', '.join(CATEGORIES)}")
        use_ranges = {c: (float(use.at[c, "consumer_share"]), float(use.at[c, "consumer_share_low"]),
                          float(use.at[c, "consumer_share_high"])) for c in CATEGORIES}
        mix_ranges = {f"category_mix_{r.supplier_economy}_{r.product_category}": (float(r.share), float(r.share_low),
                                                                                   float(r.share_high))
                      for r in mix.itertuples() if r.supplier_economy in economies}
        return cls(mix_table, mix_ranges, totals.to_numpy(),
                   (float(china["procurement_usd_bn"]),
                   float(low), float(high)), a, use_ranges, economies, data.cite(pd.concat([proc, mix])))

    @property
    def sales(self) -> np.ndarray:
        """Central annual sales to Huawei (E, C), USD bn: each economy's total times its category mix."""
        return self.totals[:, None] * self.mix.to_numpy()

    @functools.cached_property
    def spectral_radius(self) -> float:
        return float(np.max(np.abs(np.linalg.eigvals(self.network))))

    def matrix(self, p: dict) -> np.ndarray:
        """Annual sales to Huawei per draw (n, E, C): each economy's total (mainland China's from
        ``p``) times its category mix, each share drawn over its documented range and the mix
        renormalised to sum to 1."""
        n = len(p["procurement_china"])
        mix = np.broadcast_to(self.mix.to_numpy(), (n, *self.mix.shape)).copy()
        for e, economy in enumerate(self.economies):
            for c, category in enumerate(CATEGORIES):
                name = f"category_mix_{economy}_{category}"
                if name in p:
                    mix[:, e, c] = p[name]
        mix /= np.where(mix.sum(axis=2, keepdims=True) > 0, mix.sum(axis=2, keepdims=True), 1.0)
        totals = np.broadcast_to(self.totals, (n, len(self.economies))).copy()
        totals[:, self.economies.index("china")] = p["procurement_china"]
        return totals[:, :, None] * mix

    def upstream(self, first_round: np.ndarray, scale) -> np.ndarray:
        """``first_round`` (n, C) through the upstream tiers: ``sum_k (sA)^k x`` for k >= 1, which is
        ``((I - sA)^-1 - I) x`` (the second-round Leontief multiplier), one small linear solve per draw
        rather than a matrix inverse. The series converges (the network's spectral radius times the largest scale
        is below 1, checked), so the solve is the sum of every tier."""
        s = np.asarray(scale, dtype=float)
        radius = self.spectral_radius * float(np.max(np.abs(s), initial=0.0))
        if radius >= 1:
            raise InputError.single("data/supply_network.csv", "coefficient",
                                    "the network times supply_network_scale has a spectral radius of 1 or more: "
                                    "the upstream tiers do not converge")
        x = np.asarray(first_round, dtype=float)
        system = np.eye(len(self.network))[None] - s[:, None, None] * self.network[None]
        return np.linalg.solve(system, x[:, :, None])[:, :, 0] - x

    @property
    def apac(self) -> np.ndarray:
        return np.array([e in APAC for e in self.economies])


@functools.lru_cache(maxsize=1)
def chain() -> SupplyChain:
    return SupplyChain.load()


def draw_inputs(scenario: Scenario, n: int) -> dict[str, np.ndarray]:
    c = chain()
    ranges = {"procurement_china": c.china_range, **{f"consumer_share_{k}": v for k, v in c.use.items()},
              **c.mix_ranges}
    return {name: uncertainty.Triangular(low=lo, mode=v, high=hi).sample(uncertainty.rng_for(scenario.seed, name), n)
            if lo < hi else np.full(n, v) for name, (v, lo, hi) in ranges.items()}


def central_inputs(scenario: Scenario) -> dict[str, np.ndarray]:
    c = chain()
    return {"procurement_china": np.array([c.china_range[0]]),
            **{f"consumer_share_{k}": np.array([v[0]]) for k, v in c.use.items()},
            **{k: np.array([v[0]]) for k, v in c.mix_ranges.items()}}


def check(scenario: Scenario) -> None:
    """The rule must take effect after the procurement base year and within three years of it."""
    chain()
    d = scenario.parameters.rule_effective_date
    if scenario.parameters.covered_categories and not BASE_YEAR < d.year <= BASE_YEAR + 3:
        raise InputError.single(scenario.set_in.get("rule_effective_date", scenario.files[0] if scenario.files else
                                                    "scenario"), "parameters.rule_effective_date",
                                f"{d} is outside the years the procurement data can describe: allowed "
                                f"{BASE_YEAR + 1}-01-01 to {BASE_YEAR + 3}-12-31 (base year {BASE_YEAR})")


def coverage(scenario: Scenario) -> np.ndarray:
    """1 for the categories the rule covers (C,)."""
    covered = set(scenario.parameters.covered_categories)
    return np.array([1.0 if c in covered else 0.0 for c in CATEGORIES])


def _use(p: dict) -> np.ndarray:
    return np.stack([p[f"consumer_share_{c}"] for c in CATEGORIES], axis=1)          # (n, C)


def _upstream(first_round: np.ndarray, sales: np.ndarray, scale: np.ndarray, apac: np.ndarray) -> np.ndarray:
    """Upstream tiers (n, E, C): Asia-Pacific first-round losses by category through the Leontief
    multiplier at ``scale`` (n,), shared among Asia-Pacific economies by their sales of each category."""
    by_cat = chain().upstream(first_round[:, apac].sum(axis=1), scale)
    weights = sales * apac[None, :, None]
    weights = weights / np.where(weights.sum(axis=1, keepdims=True) > 0, weights.sum(axis=1, keepdims=True), 1.0)
    return by_cat[:, None, :] * weights


def at_risk(scenario: Scenario, p: dict, supply: dict) -> dict[str, np.ndarray]:
    """A year of sales exposed to the rule (n, E, C): ``direct``, ``complement``, ``upstream``."""
    c = chain()
    sales = c.matrix(p)
    cov = coverage(scenario)
    if not cov.any():
        zero = np.zeros_like(sales)
        return {"direct": zero, "complement": zero, "upstream": zero}
    use = _use(p)
    stopped = use * supply["handset_blocked"][:, None] + (1 - use) * supply["network_blocked"][:, None]
    direct = sales * cov
    complement = sales * (1 - cov) * stopped[:, None, :]
    upstream = _upstream(direct + complement, sales, p["supply_network_scale"], c.apac)
    return {"direct": direct, "complement": complement, "upstream": upstream}


def _window(scenario: Scenario, n: int, supply: dict, shares: dict) -> tuple[np.ndarray, np.ndarray]:
    """Huawei's handset and base-station output, as a share of plan, in each of the 12 months after
    the rule (n, 12 each)."""
    start = chip_supply.month_index(scenario.parameters.rule_effective_date)
    months = np.clip(np.floor(start + np.arange(MONTHS) + 0.5).astype(int), 0, chip_supply.MONTHS - 1)
    handset = supply["handset_monthly"][:, months]
    ratio = np.minimum(1.0, shares["huawei_sales_usd_bn"] / shares["huawei_unconstrained_usd_bn"])
    year_index = months // 12
    before = max(scenario.parameters.rule_effective_date.year - 1 - SHARE_YEARS[0], 0)
    network = np.minimum(1.0, ratio[:, year_index] / ratio[:, [before]])
    return handset, network


def losses(scenario: Scenario, p: dict, supply: dict, shares: dict) -> dict[str, np.ndarray]:
    """Net losses over the 12 months after the effective date (n, E, C): ``direct``, ``complement``,
    ``upstream``, and ``monthly`` (n, 3, 12): Asia-Pacific totals by channel and month."""
    c = chain()
    sales = c.matrix(p)
    n = len(sales)
    cov = coverage(scenario)
    if not cov.any():
        zero = np.zeros_like(sales)
        return {"direct": zero, "complement": zero, "upstream": zero, "monthly": np.zeros((n, 3, MONTHS))}
    wind = scenario.parameters.wind_down_days / DAYS_PER_MONTH
    m = np.arange(MONTHS)
    blocked = np.clip(m + 1 - wind, 0.0, 1.0)                                           # (12,)
    since = np.clip(m + 0.5 - wind, 0.0, None)
    resale = p["substitution_rate"][:, None] * np.minimum(1.0, since / p["recovery_months"][:, None])
    direct_month = (1 - p["licence_approval_rate"][:, None]) * blocked * (1 - resale)   # (n, 12)
    total = direct_month.sum(axis=1, keepdims=True)
    pulled = np.minimum(p["stockpile_months"][:, None], total)
    direct_month = direct_month * (1 - pulled / np.maximum(total, 1e-12))
    handset, network = _window(scenario, n, supply, shares)
    use = _use(p)
    kept = 1 - p["rival_recapture_rate"][:, None]
    lost_h, lost_n = (1 - handset) * kept, (1 - network) * kept                          # (n, 12)
    monthly_sales = sales / MONTHS
    direct = monthly_sales * cov * direct_month.sum(axis=1)[:, None, None]
    per_cat = use[:, :, None] * lost_h[:, None, :] + (1 - use[:, :, None]) * lost_n[:, None, :]  # (n, C, 12)
    complement = monthly_sales * (1 - cov) * per_cat.sum(axis=-1)[:, None, :]
    upstream = _upstream(direct + complement, sales, p["supply_network_scale"], c.apac)
    apac = c.apac
    d_m = (monthly_sales[:, apac] * cov).sum(axis=(1, 2))[:, None] * direct_month
    c_m = np.einsum("nc,ncm->nm", (monthly_sales[:, apac] * (1 - cov)).sum(axis=1), per_cat)
    first = (direct + complement)[:, apac].sum(axis=(1, 2))
    ratio = upstream[:, apac].sum(axis=(1, 2)) / np.maximum(first, 1e-12)
    return {"direct": direct, "complement": complement, "upstream": upstream,
            "monthly": np.stack([d_m, c_m, (d_m + c_m) * ratio[:, None]], axis=1)}


#: The economies of S&P's rated Asia-Pacific tech issuers (its May 2020 estimate's universe).
RATED = ("taiwan", "south_korea", "japan")


def apac_totals(result: dict, economies=APAC) -> dict[str, np.ndarray]:
    """Direct, indirect and total of Asia-Pacific suppliers (or ``economies``) per draw (USD bn)."""
    apac = np.isin(chain().economies, economies)
    direct = result["direct"][:, apac].sum(axis=(1, 2))
    indirect = (result["complement"] + result["upstream"])[:, apac].sum(axis=(1, 2))
    return {"direct": direct, "indirect": indirect, "total": direct + indirect}


def _metrics(risk: dict, loss: dict) -> dict[str, np.ndarray]:
    r, n_ = apac_totals(risk), apac_totals(loss)
    return {"apac_revenue_loss_usd_bn": n_["total"], "apac_direct_loss_usd_bn": n_["direct"],
            "apac_indirect_loss_usd_bn": n_["indirect"], "apac_revenue_at_risk_usd_bn": r["total"],
            "apac_direct_at_risk_usd_bn": r["direct"], "apac_indirect_at_risk_usd_bn": r["indirect"],
            "rated_revenue_at_risk_usd_bn": apac_totals(risk, RATED)["total"]}


def evaluate(scenario: Scenario, params: dict, upstream: dict) -> dict[str, np.ndarray]:
    supply, shares = upstream["chip_supply"], upstream["market_share"]
    return _metrics(at_risk(scenario, params, supply), losses(scenario, params, supply, shares))


def assess(scenario: Scenario, params: dict, upstream: dict):
    from econ.revenue_impact import RevenueImpact

    supply, shares = upstream["chip_supply"].outputs, upstream["market_share"].outputs
    return RevenueImpact(scenario, chain(), params, at_risk(scenario, params, supply),
                         losses(scenario, params, supply, shares), supply, shares)


def targets() -> pd.DataFrame:
    """S&P Global Ratings' published revenue at risk (data/calibration_targets.csv)."""
    return data.load("calibration_targets")


STAGE = Stage(DECLARATION, check=check, evaluate=evaluate, assess=assess,
              draw_inputs=draw_inputs, central_inputs=central_inputs)
