"""The revenue stage's model: what a rule puts at risk of Asia-Pacific suppliers' sales to Huawei, and
what they lose over the 12 months after it, for each parameter set (see the package's docstring)."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from econ import data, uncertainty
from econ.errors import InputError
from econ.model import chip_supply
from econ.model.market_share import YEARS as SHARE_YEARS
from econ.model.revenue.declaration import BASE_YEAR, CATEGORIES, DAYS_PER_MONTH, MONTHS
from econ.model.revenue.results import RevenueImpact, figure_values
from econ.model.revenue.supply_chain import chain
from econ.scenario import Scenario


def draw_inputs(scenario: Scenario, n: int) -> dict[str, np.ndarray]:
    c = chain()
    ranges = {"procurement_china": c.china_range, **{f"consumer_share_{k}": v for k, v in c.use.items()},
              **c.mix_ranges}
    return {name: uncertainty.draw(uncertainty.data_range(*row), n, scenario.seed, name) for name, row in ranges.items()}


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


#: Categories whose blocked sales a US licence can let through (1) or not (0). Foundry: no licence
#: reached the foundries making Huawei's own designs; TSMC shipped nothing to Huawei after 14-15 Sep
#: 2020 (Caixin, 16 Oct 2020, https://www.caixinglobal.com/2020-10-16/tsmc-wont-sell-chips-to-huawei-in-
#: fourth-quarter-101615215.html; TSMC's statement of Oct 2024 that it had not supplied Huawei since
#: mid-September 2020, AFP via OODA Loop, https://www.oodaloop.com/briefs/2024/10/29/tsmc-cuts-off-a-
#: customer-that-was-secretly-funneling-chips-to-huawei/). The licences granted were for merchant parts
#: (4G chips, memory, sensors, displays), so ``licence_approval_rate`` applies to the other categories.
LICENSABLE = np.array([0.0 if c == "foundry" else 1.0 for c in CATEGORIES])


def coverage(scenario: Scenario) -> np.ndarray:
    """1 for the categories the rule covers (C,)."""
    covered = set(scenario.parameters.covered_categories)
    return np.array([1.0 if c in covered else 0.0 for c in CATEGORIES])


def _use(p: dict) -> np.ndarray:
    return np.stack([p[f"consumer_share_{c}"] for c in CATEGORIES], axis=1)          # (n, C)


def purchases(p: dict) -> dict[str, np.ndarray]:
    """Huawei's annual purchases per draw (n, E, C) (``sales``) and each Asia-Pacific economy's share of
    its region's sales of each category (``weights``, (n, E, C)): what :func:`at_risk` and :func:`losses`
    both start from, computed once when a caller runs both."""
    sales = chain().matrix(p)
    weights = sales * chain().apac[None, :, None]
    total = weights.sum(axis=1, keepdims=True)
    weights /= np.where(total > 0, total, 1.0)
    return {"sales": sales, "weights": weights}


def _upstream(first_round: np.ndarray, weights: np.ndarray, scale: np.ndarray, apac: np.ndarray) -> np.ndarray:
    """Upstream tiers (n, E, C): Asia-Pacific first-round losses by category through the Leontief
    multiplier at ``scale`` (n,), shared among Asia-Pacific economies by ``weights`` (:func:`purchases`)."""
    by_cat = chain().upstream(first_round[:, apac].sum(axis=1), scale)
    return by_cat[:, None, :] * weights


def at_risk(scenario: Scenario, p: dict, supply: dict, bought: dict | None = None) -> dict[str, np.ndarray]:
    """A year of sales exposed to the rule (n, E, C): ``direct``, ``complement``, ``upstream``
    (``bought``: :func:`purchases` of ``p``, if the caller has it)."""
    c = chain()
    bought = bought or purchases(p)
    sales = bought["sales"]
    cov = coverage(scenario)
    if not cov.any():
        zero = np.zeros_like(sales)
        return {"direct": zero, "complement": zero, "upstream": zero}
    use = _use(p)
    stopped = use * supply["handset_blocked"][:, None] + (1 - use) * supply["network_blocked"][:, None]
    direct = sales * cov
    complement = sales * (1 - cov)
    complement *= stopped[:, None, :]
    upstream = _upstream(direct + complement, bought["weights"], p["supply_network_scale"], c.apac)
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


def losses(scenario: Scenario, p: dict, supply: dict, shares: dict, bought: dict | None = None) -> dict[str, np.ndarray]:
    """Net losses over the 12 months after the effective date (n, E, C): ``direct``, ``complement``,
    ``upstream``, and ``monthly`` (n, 3, 12): Asia-Pacific totals by channel and month (``bought``:
    :func:`purchases` of ``p``, if the caller has it)."""
    c = chain()
    bought = bought or purchases(p)
    sales = bought["sales"]
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
    licensed = p["licence_approval_rate"][:, None] * LICENSABLE[None, :]                  # (n, C)
    direct_month = (1 - licensed)[:, :, None] * (blocked * (1 - resale))[:, None, :]    # (n, C, 12)
    total = direct_month.sum(axis=2, keepdims=True)
    pulled = np.minimum(p["stockpile_months"][:, None, None], total)
    direct_month = direct_month * (1 - pulled / np.maximum(total, 1e-12))
    handset, network = _window(scenario, n, supply, shares)
    use = _use(p)
    kept = 1 - p["rival_recapture_rate"][:, None]
    lost_h, lost_n = (1 - handset) * kept, (1 - network) * kept                          # (n, 12)
    monthly_sales = sales / MONTHS
    direct = monthly_sales * cov
    direct *= direct_month.sum(axis=2)[:, None, :]
    per_cat = use[:, :, None] * lost_h[:, None, :]                                       # (n, C, 12)
    per_cat += (1 - use[:, :, None]) * lost_n[:, None, :]
    complement = monthly_sales * (1 - cov)
    complement *= per_cat.sum(axis=-1)[:, None, :]
    upstream = _upstream(direct + complement, bought["weights"], p["supply_network_scale"], c.apac)
    apac = c.apac
    d_m = np.einsum("nc,ncm->nm", (monthly_sales[:, apac] * cov).sum(axis=1), direct_month)
    c_m = np.einsum("nc,ncm->nm", (monthly_sales[:, apac] * (1 - cov)).sum(axis=1), per_cat)
    first = (direct + complement)[:, apac].sum(axis=(1, 2))
    ratio = upstream[:, apac].sum(axis=(1, 2)) / np.maximum(first, 1e-12)
    return {"direct": direct, "complement": complement, "upstream": upstream,
            "monthly": np.stack([d_m, c_m, (d_m + c_m) * ratio[:, None]], axis=1)}


def evaluate(scenario: Scenario, params: dict, upstream: dict) -> dict[str, np.ndarray]:
    supply, shares = upstream["chip_supply"], upstream["market_share"]
    bought = purchases(params)
    return figure_values(at_risk(scenario, params, supply, bought), losses(scenario, params, supply, shares, bought))


def assess(scenario: Scenario, params: dict, upstream: dict) -> RevenueImpact:
    supply, shares = upstream["chip_supply"].outputs, upstream["market_share"].outputs
    bought = purchases(params)
    return RevenueImpact(scenario, chain(), params, at_risk(scenario, params, supply, bought),
                         losses(scenario, params, supply, shares, bought), supply, shares,
                         functools.partial(losses, scenario, supply=supply, shares=shares))


def targets() -> pd.DataFrame:
    """S&P Global Ratings' published revenue at risk (data/calibration_targets.csv)."""
    return data.load("calibration_targets")
