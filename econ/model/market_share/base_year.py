"""The market-share stage's starting point: 2019 spending and vendor shares by region, market and
network part, fitted to Dell'Oro's world shares.

Each region's shares are fitted by biproportional scaling (RAS, :func:`ras`) of judgement seeds
(data/vendor_share_priors.csv) so that, weighted by regional spending, they reproduce Dell'Oro's
2019 world shares exactly, while the cells the data pin down stay fixed (Huawei in China; the
Russian-made share in Russia, a seed). Regional spending is world spending (data/market_size.csv)
split by assumed weights (data/equipment_regions.csv), except Russia, sized from its operators'
capex (:func:`russia_spend_usd_bn`). National markets inherit their region's shares, and each
market's spending splits into network parts by data/equipment_parts.csv; a part starts with its
market's shares (only bans tell the parts apart).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from econ import data
from econ.errors import InputError
from econ.model.market_share.choice import VENDORS
from econ.scenario import PARTS, Region

REGIONS: tuple[str, ...] = Region.__args__
BASE_YEAR = 2019
#: World shares come from this market in data/vendor_shares.csv; vendors outside VENDORS join "others".
WORLD_MARKET = "telecom_equipment"
VENDOR_ALIASES = {"ciena": "others", "other": "others"}
SHARE_TOLERANCE = 0.01


def check_sums_to_one(total: float, file: str, field: str) -> None:
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise InputError.single(file, field, f"shares sum to {total:.4f}; they must sum to 1 within {SHARE_TOLERANCE}")


def world_base_shares(year: int = BASE_YEAR) -> pd.Series:
    """Dell'Oro's world vendor shares for ``year`` (default rows), mapped to VENDORS; must sum to 1."""
    table = data.defaults("vendor_shares")
    rows = table[(table["year"] == year) & (table["market"] == WORLD_MARKET) & (table["region"] == "world")]
    shares = rows.assign(vendor=rows["vendor"].replace(VENDOR_ALIASES)).groupby("vendor")["share"].sum()
    check_sums_to_one(shares.sum(), "data/vendor_shares.csv", f"share ({WORLD_MARKET}, world, {year})")
    return shares.reindex(VENDORS, fill_value=0.0)


def russia_spend_usd_bn(operators: pd.DataFrame, rates: pd.DataFrame, equipment_share: float,
                        year: int = BASE_YEAR) -> float:
    """Russia's telecom-equipment spending in ``year`` (USD bn), from operator capex.

    MTS's capex is scaled up by its subscriber share to the big four (assumes capex in proportion
    to subscribers: MegaFon's, Beeline's and Tele2's capex for the year are not all published),
    times the share of capex spent on equipment, at the year's average RUB per USD.
    """
    capex = operators[(operators["operator"] == "mts") & (operators["metric"] == "capex_rub_bn")
                      & (operators["year"] == year)]["value"]
    share = operators[(operators["operator"] == "mts") & (operators["metric"] == "subscriber_share")]
    share = share.sort_values("year")["value"]
    rate = rates[(rates["currency"] == "RUB") & (rates["year"] == year)]["units_per_usd"]
    if capex.empty or share.empty or rate.empty:
        raise InputError.single("data/russia_operators.csv", "capex_rub_bn",
                                f"MTS capex, subscriber share and the RUB rate are needed for {year}")
    return float(capex.iloc[0] / share.iloc[-1] * equipment_share / rate.iloc[0])


def ras(prior: np.ndarray, row_totals: np.ndarray, col_totals: np.ndarray, fixed: np.ndarray,
        tol: float = 1e-12, max_iter: int = 10_000) -> np.ndarray:
    """Biproportional (RAS) fit: scale ``prior`` rows and columns to the totals, keeping ``fixed`` cells.

    ``prior`` holds values (not shares); cells where ``fixed`` is True keep their value and the
    rest are scaled until row and column sums match within ``tol``. Raises ValueError when the
    totals cannot be met (they disagree, or the fixed cells exceed them).
    """
    free = np.where(fixed, 0.0, prior)
    rows = row_totals - np.where(fixed, prior, 0.0).sum(axis=1)
    cols = col_totals - np.where(fixed, prior, 0.0).sum(axis=0)
    if (rows < -tol).any() or (cols < -tol).any() or abs(rows.sum() - cols.sum()) > 1e-9 * max(1, cols.sum()):
        raise ValueError("RAS totals are inconsistent with each other or with the fixed cells")
    x = free.copy()
    for _ in range(max_iter):
        x *= np.divide(rows, x.sum(axis=1), out=np.zeros_like(rows), where=x.sum(axis=1) > 0)[:, None]
        x *= np.divide(cols, x.sum(axis=0), out=np.zeros_like(cols), where=x.sum(axis=0) > 0)[None, :]
        if np.abs(x.sum(axis=1) - rows).max() < tol:
            return x + np.where(fixed, prior, 0.0)
    raise ValueError(f"RAS did not converge in {max_iter} iterations")


@dataclass(frozen=True)
class BaseYear:
    """The 2019 starting point: spending by market and vendor shares by region (fitted)."""

    markets: pd.DataFrame        # market, region, weight_in_region, spend_usd_bn, launch_year
    parts: pd.Series             # part -> share of a market's spending
    region_shares: pd.DataFrame  # index region, columns VENDORS (rows sum to 1)
    world_shares: pd.Series      # the target, index VENDORS
    world_spend_usd_bn: float
    source: str

    @classmethod
    def derive(cls, russia_equipment_share: float = 0.5, weights: dict | None = None) -> BaseYear:
        """The fit with the regional spending weights of data/equipment_regions.csv, or ``weights``
        (region -> share of world spending outside Russia) in their place."""
        return cls.fit(_Inputs.read(russia_equipment_share), weights)

    @classmethod
    def fit(cls, inputs: _Inputs, weights: dict | None = None) -> BaseYear:
        """:meth:`derive` from inputs read once (:func:`base_years` fits sixteen sets of weights to them)."""
        regions, markets, world_spend, russia = inputs.regions, inputs.markets, inputs.world_spend, inputs.russia
        if weights is not None:
            regions = regions.assign(share_of_world_ex_russia=pd.Series(weights))
            _check_inputs(regions, markets, inputs.priors, inputs.parts)
        spend = {r: (world_spend - russia) * regions.at[r, "share_of_world_ex_russia"] for r in regions.index}
        spend["russia"] = russia
        region_spend = np.array([spend[r] for r in REGIONS])
        seed, fixed = inputs.seed, inputs.fixed
        # Dell'Oro's "other" holds the Russian-made makers: their fixed value comes out of it.
        targets = inputs.world.to_numpy() * world_spend
        fixed_rm = (seed * region_spend[:, None] * fixed)[:, VENDORS.index("russian_made")].sum()
        targets[VENDORS.index("russian_made")] = fixed_rm
        targets[VENDORS.index("others")] -= fixed_rm
        try:
            values = ras(seed * region_spend[:, None], region_spend, targets, fixed)
        except ValueError as e:
            raise InputError.single("data/vendor_share_priors.csv", "prior_share",
                                    f"the regional fit failed: {e}") from None
        shares = pd.DataFrame(values / region_spend[:, None], index=pd.Index(REGIONS, name="region"),
                              columns=pd.Index(VENDORS, name="vendor"))
        markets = markets.assign(
            spend_usd_bn=markets["region"].map(spend) * markets["weight_in_region"],
            launch_year=markets["region"].map(regions["five_g_launch_year"]).astype(float))
        return cls(markets[["market", "region", "weight_in_region", "spend_usd_bn", "launch_year"]],
                   inputs.parts.reindex(PARTS), shares, inputs.world, world_spend, inputs.source)

    def reproduced_world_shares(self) -> pd.Series:
        """World shares implied by the regional fit, weighted by spending (should equal world_shares)."""
        spend = self.markets.groupby("region")["spend_usd_bn"].sum().reindex(REGIONS)
        return (self.region_shares.mul(spend, axis=0).sum() / spend.sum()).rename("share")

    def ex_china_share(self, vendor: str = "huawei") -> float:
        spend = self.markets.groupby("region")["spend_usd_bn"].sum().drop("china")
        return float((self.region_shares.loc[spend.index, vendor] * spend).sum() / spend.sum())

    def checks(self) -> pd.DataFrame:
        """The fit against its targets (world shares) and a published share it was not fitted to."""
        fitted = self.reproduced_world_shares()
        rows = [{"check": f"world share, {v}", "target": self.world_shares[v], "fitted": fitted[v],
                 "note": "fitted to Dell'Oro 2019 total telecom equipment"} for v in VENDORS if v != "russian_made"]
        published = data.defaults("vendor_shares").query(
            "year == @BASE_YEAR and market == 'ran' and region == 'world_ex_china' and vendor == 'huawei'")
        rows.append({"check": "Huawei share outside China", "target": float(published["share"].iloc[0]),
                     "fitted": self.ex_china_share(), "note": "not fitted: Dell'Oro 2019 RAN only (Huawei is "
                     "stronger in RAN than in routers and switches), so the fit should be lower"})
        return pd.DataFrame(rows)

    def table(self) -> pd.DataFrame:
        """Tidy base-year shares by region and vendor, with each region's spending."""
        spend = self.markets.groupby("region")["spend_usd_bn"].sum()
        out = self.region_shares.stack().rename("share").reset_index()
        return out.assign(region_spend_usd_bn=out["region"].map(spend))


@dataclass(frozen=True)
class _Inputs:
    """What every fit of one base year reads (the datasets, checked; world spending and shares; Russia's
    spending at one equipment share of capex; the seeds), whatever the regional weights."""

    regions: pd.DataFrame
    markets: pd.DataFrame
    priors: pd.DataFrame
    parts: pd.Series
    world: pd.Series
    world_spend: float
    russia: float
    seed: np.ndarray
    fixed: np.ndarray
    source: str

    @classmethod
    def read(cls, russia_equipment_share: float) -> _Inputs:
        regions = data.load("equipment_regions").set_index("region")
        markets = data.load("equipment_markets")
        priors = data.load("vendor_share_priors")
        parts = data.load("equipment_parts").set_index("part")["share_of_spend"]
        _check_inputs(regions, markets, priors, parts)
        world = world_base_shares()
        size = data.defaults("market_size")
        world_spend = float(size[(size["year"] == BASE_YEAR) & (size["market"] == WORLD_MARKET)
                                 & (size["region"] == "world")]["size_usd_bn"].iloc[0])
        russia = russia_spend_usd_bn(data.defaults("russia_operators"), data.load("exchange_rates"),
                                     russia_equipment_share)
        seed = priors.pivot(index="region", columns="vendor", values="prior_share").reindex(
            index=REGIONS, columns=VENDORS, fill_value=0.0).fillna(0.0).to_numpy()
        fixed = (priors.pivot(index="region", columns="vendor", values="fixed") == "true").reindex(
            index=REGIONS, columns=VENDORS, fill_value=False).to_numpy()
        shares_rows = data.defaults("vendor_shares")
        source = (f"world shares {data.cite(shares_rows[shares_rows['year'] == BASE_YEAR].head(1))}, "
                  f"market size {data.cite(size[size['year'] == BASE_YEAR].head(1))}, Russian operators' "
                  "capex (MTS 20-F); regional seeds and weights: workbook assumptions")
        return cls(regions, markets, priors, parts, world, world_spend, russia, seed, fixed, source)


def _check_inputs(regions, markets, priors, parts) -> None:
    """Every region present once, weights, seeds and parts summing to 1 (file and field named)."""
    problems = []
    missing = set(REGIONS) - {"russia"} - set(regions.index)
    if missing:
        problems.append(("data/equipment_regions.csv", "region", f"missing {sorted(missing)}"))
    total = regions["share_of_world_ex_russia"].sum()
    if abs(total - 1) > SHARE_TOLERANCE:
        problems.append(("data/equipment_regions.csv", "share_of_world_ex_russia",
                         f"shares sum to {total:.4f}; they must sum to 1 within {SHARE_TOLERANCE}"))
    for file, frame, column in [("data/equipment_markets.csv", markets, "weight_in_region"),
                                ("data/vendor_share_priors.csv", priors, "prior_share")]:
        sums = frame.groupby("region")[column].sum()
        for region, s in sums.items():
            if abs(s - 1) > SHARE_TOLERANCE:
                problems.append((file, f"{column} (region {region})",
                                 f"shares sum to {s:.4f}; they must sum to 1 within {SHARE_TOLERANCE}"))
        for region in set(REGIONS) - set(sums.index):
            problems.append((file, "region", f"no rows for {region}"))
    if set(parts.index) != set(PARTS):
        problems.append(("data/equipment_parts.csv", "part", f"need exactly one row for each of {', '.join(PARTS)}"))
    elif abs(parts.sum() - 1) > SHARE_TOLERANCE:
        problems.append(("data/equipment_parts.csv", "share_of_spend",
                         f"shares sum to {parts.sum():.4f}; they must sum to 1 within {SHARE_TOLERANCE}"))
    if problems:
        raise InputError(problems)


@lru_cache(maxsize=8)
def base_year(russia_equipment_share: float = 0.5) -> BaseYear:
    return BaseYear.derive(russia_equipment_share)


#: Alternative base years drawn over the regional weights' ranges (the first is the central fit).
VARIANTS = 16


@lru_cache(maxsize=8)
def base_years(russia_equipment_share: float = 0.5) -> tuple[BaseYear, ...]:
    """The central fit and ``VARIANTS - 1`` fits at regional weights spread over their low-high
    ranges (data/equipment_regions.csv; a scrambled Sobol' sequence, normalised to sum to 1): the
    base year's own uncertainty, drawn by the market-share stage."""
    from scipy.stats import qmc

    regions = data.load("equipment_regions").set_index("region")
    u = qmc.Sobol(d=len(regions), scramble=True, seed=20190101).random(VARIANTS)[1:]  # 2^4 points, the first dropped
    low, high = regions["share_low"].to_numpy(), regions["share_high"].to_numpy()
    fits = [base_year(russia_equipment_share)]
    inputs = _Inputs.read(russia_equipment_share)  # read and checked once for the fifteen fits
    for row in u:
        w = low + row * (high - low)
        fits.append(BaseYear.fit(inputs, dict(zip(regions.index, w / w.sum()))))
    return tuple(fits)
