"""Market shares: where telecom-equipment vendors' shares move under bans and alignments.

The model in four steps.

1. **Base year (2019).** Each region's vendor shares are fitted by biproportional scaling (RAS,
   :func:`ras`) of judgement seeds (data/vendor_share_priors.csv) so that, weighted by regional
   spending, they reproduce Dell'Oro's 2019 world shares exactly, while the cells the data pin down
   (Huawei in China) stay fixed. Regional spending is world spending (data/market_size.csv) split
   by assumed regional weights (data/equipment_regions.csv), except Russia, sized from its
   operators' capex (:func:`russia_spend_usd_bn`). National markets inherit their region's shares.
2. **New contracts** each year are shared by a nested logit (nests: Chinese, Western, other).
   Vendor attractiveness is inverted from base shares (so an unchanged world reproduces them),
   then shifted: Huawei loses ``huawei_sanctions_penalty`` outside China from the rule's effective
   date, gains ``russia_huawei_alignment`` in Russia from 2020; a ban removes a vendor from a
   market's choice set from its year; Russia's domestic-content target reserves a share of new
   contracts for domestic makers ("others"), scaled by what its industry can supply.
3. **Spending** grows at ``market_growth`` with a 5G wave per region (peak ``five_g_wave_uplift``
   two years after launch). The **installed base** turns over at 1/``equipment_life_years`` a
   year; a ban with ``remove_by`` forces early removal, and that replacement is extra spending.
4. **Outputs**: shares of new contracts and of the installed base by region, vendor and year;
   Huawei's revenue by market; where Huawei's lost sales go (against the same scenario with Huawei
   unrestricted); Russia's rank among Huawei's foreign markets.

Every step is vectorised over Monte Carlo draws: arrays are (draw, market, vendor) within a year.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from econ import data, uncertainty
from econ.errors import InputError
from econ.scenario import Region, Scenario, Vendor

VENDORS: tuple[str, ...] = Vendor.__args__
REGIONS: tuple[str, ...] = Region.__args__
NESTS = {"chinese": ("huawei", "zte"), "western": ("ericsson", "nokia", "samsung", "cisco"), "other": ("others",)}
BASE_YEAR = 2019
END_YEAR = 2030
YEARS = tuple(range(BASE_YEAR, END_YEAR + 1))
#: World shares come from this market in data/vendor_shares.csv; vendors outside VENDORS join "others".
WORLD_MARKET = "telecom_equipment"
VENDOR_ALIASES = {"ciena": "others", "other": "others"}
SHARE_TOLERANCE = 0.01
#: Aggregates reported beside the regions.
AGGREGATES = ("world", "world_ex_china")
#: Year the Russian alignment starts to count (Lavrov's 2020 statement; MTS deal June 2019).
ALIGNMENT_FROM = 2020
#: The 5G wave peaks this many years after launch, with this spread (years): a modelling choice.
WAVE_PEAK_LAG, WAVE_WIDTH = 2.0, 1.5
DRAWN = ("huawei_sanctions_penalty", "russia_huawei_alignment", "russia_domestic_capability",
         "equipment_life_years", "market_growth", "five_g_wave_uplift", "vendor_nest_correlation")


# --- base year ---------------------------------------------------------------------------------------

def world_base_shares(year: int = BASE_YEAR) -> pd.Series:
    """Dell'Oro's world vendor shares for ``year`` (default rows), mapped to VENDORS; must sum to 1."""
    table = data.defaults("vendor_shares")
    rows = table[(table["year"] == year) & (table["market"] == WORLD_MARKET) & (table["region"] == "world")]
    shares = rows.assign(vendor=rows["vendor"].replace(VENDOR_ALIASES)).groupby("vendor")["share"].sum()
    check_sums_to_one(shares.sum(), "data/vendor_shares.csv", f"share ({WORLD_MARKET}, world, {year})")
    return shares.reindex(VENDORS, fill_value=0.0)


def check_sums_to_one(total: float, file: str, field: str) -> None:
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise InputError.single(file, field, f"shares sum to {total:.4f}; they must sum to 1 "
                                f"within {SHARE_TOLERANCE}")


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
    region_shares: pd.DataFrame  # index region, columns VENDORS (rows sum to 1)
    world_shares: pd.Series      # the target, index VENDORS
    world_spend_usd_bn: float
    source: str

    @classmethod
    def derive(cls, russia_equipment_share: float = 0.5) -> BaseYear:
        regions = data.load("equipment_regions").set_index("region")
        markets = data.load("equipment_markets")
        priors = data.load("vendor_share_priors")
        _check_inputs(regions, markets, priors)
        world = world_base_shares()
        size = data.defaults("market_size")
        world_spend = float(size[(size["year"] == BASE_YEAR) & (size["market"] == WORLD_MARKET)
                                 & (size["region"] == "world")]["size_usd_bn"].iloc[0])
        russia = russia_spend_usd_bn(data.defaults("russia_operators"), data.load("exchange_rates"),
                                     russia_equipment_share)
        spend = {r: (world_spend - russia) * regions.at[r, "share_of_world_ex_russia"] for r in regions.index}
        spend["russia"] = russia
        region_spend = np.array([spend[r] for r in REGIONS])
        seed = priors.pivot(index="region", columns="vendor", values="prior_share").reindex(
            index=REGIONS, columns=VENDORS, fill_value=0.0).to_numpy()
        fixed = (priors.pivot(index="region", columns="vendor", values="fixed") == "true").reindex(
            index=REGIONS, columns=VENDORS, fill_value=False).to_numpy()
        try:
            values = ras(seed * region_spend[:, None], region_spend, world.to_numpy() * world_spend, fixed)
        except ValueError as e:
            raise InputError.single("data/vendor_share_priors.csv", "prior_share",
                                    f"the regional fit failed: {e}") from None
        shares = pd.DataFrame(values / region_spend[:, None], index=pd.Index(REGIONS, name="region"),
                              columns=pd.Index(VENDORS, name="vendor"))
        markets = markets.assign(
            spend_usd_bn=markets["region"].map(spend) * markets["weight_in_region"],
            launch_year=markets["region"].map(regions["five_g_launch_year"]).astype(float))
        shares_rows = data.defaults("vendor_shares")
        source = (f"world shares {data.cite(shares_rows[shares_rows['year'] == BASE_YEAR].head(1))}, "
                  f"market size {data.cite(size[size['year'] == BASE_YEAR].head(1))}, Russian operators' "
                  "capex (MTS 20-F); regional seeds and weights: workbook assumptions")
        return cls(markets[["market", "region", "weight_in_region", "spend_usd_bn", "launch_year"]],
                   shares, world, world_spend, source)

    def market_shares(self) -> np.ndarray:
        """Base shares by market (markets in self.markets order) and vendor."""
        return self.region_shares.loc[self.markets["region"]].to_numpy()

    def reproduced_world_shares(self) -> pd.Series:
        """World shares implied by the regional fit, weighted by spending (should equal world_shares)."""
        spend = self.markets.groupby("region")["spend_usd_bn"].sum().reindex(REGIONS)
        return (self.region_shares.mul(spend, axis=0).sum() / spend.sum()).rename("share")

    def checks(self) -> pd.DataFrame:
        """The fit against its targets (world shares) and a published share it was not fitted to."""
        fitted = self.reproduced_world_shares()
        rows = [{"check": f"world share, {v}", "target": self.world_shares[v], "fitted": fitted[v],
                 "note": "fitted to Dell'Oro 2019 total telecom equipment"} for v in VENDORS]
        spend = self.markets.groupby("region")["spend_usd_bn"].sum()
        ex = spend.drop("china")
        huawei_ex = (self.region_shares.loc[ex.index, "huawei"] * ex).sum() / ex.sum()
        published = data.defaults("vendor_shares").query(
            "year == @BASE_YEAR and market == 'ran' and region == 'world_ex_china' and vendor == 'huawei'")
        rows.append({"check": "Huawei share outside China", "target": float(published["share"].iloc[0]),
                     "fitted": huawei_ex, "note": "not fitted: Dell'Oro 2019 RAN only (Huawei is stronger "
                     "in RAN than in routers and switches), so the fit should be lower"})
        return pd.DataFrame(rows)

    def table(self) -> pd.DataFrame:
        """Tidy base-year shares by region and vendor, with each region's spending."""
        spend = self.markets.groupby("region")["spend_usd_bn"].sum()
        out = self.region_shares.stack().rename("share").reset_index()
        return out.assign(region_spend_usd_bn=out["region"].map(spend))


def _check_inputs(regions: pd.DataFrame, markets: pd.DataFrame, priors: pd.DataFrame) -> None:
    """Every region present once, weights and seeds summing to 1 per region (file and field named)."""
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
    if problems:
        raise InputError(problems)


@lru_cache(maxsize=8)
def base_year(russia_equipment_share: float = 0.5) -> BaseYear:
    return BaseYear.derive(russia_equipment_share)


# --- the choice model --------------------------------------------------------------------------------

def _nest_index() -> np.ndarray:
    lookup = {v: i for i, members in enumerate(NESTS.values()) for v in members}
    return np.array([lookup[v] for v in VENDORS])


_NEST_MEMBERS = [np.flatnonzero(_nest_index() == g) for g in range(len(NESTS))]


def utilities(shares: np.ndarray, correlation: np.ndarray) -> np.ndarray:
    """Attractiveness that reproduces ``shares`` (..., V) under the nested logit (Berry's inversion).

    With lambda = 1 - correlation and nest share S_g: delta_j = lambda ln s_j + (1 - lambda) ln S_g.
    A vendor with no base share gets minus infinity: nothing in the model makes it enter a market.
    """
    lam = (1.0 - np.asarray(correlation))[..., None, None]
    nests = _nest_index()
    nest_share = np.stack([shares[..., nests == g].sum(axis=-1) for g in range(len(NESTS))], axis=-1)[..., nests]
    with np.errstate(divide="ignore"):
        delta = lam * np.log(shares) + (1.0 - lam) * np.log(nest_share)
    return np.where(shares > 0, delta, -np.inf)


def nested_logit(delta: np.ndarray, available: np.ndarray, correlation: np.ndarray) -> np.ndarray:
    """Choice probabilities (n, M, V) for utilities ``delta`` (n, M, V) over available vendors (M, V).

    P(j) = P(j | g) P(g), P(j | g) = exp(delta_j / lambda) / D_g, P(g) = D_g^lambda / sum_h D_h^lambda.
    A vendor not available has probability zero; the others' ratios within a nest are unchanged.
    """
    lam = (1.0 - np.asarray(correlation))[:, None, None]
    available = available & np.isfinite(delta)
    scaled = np.where(available, delta, 0.0) / lam
    scaled = scaled - np.where(available, scaled, -np.inf).max(axis=-1, keepdims=True)
    return _choice(np.where(available, np.exp(scaled), 0.0), lam)


def _choice(e: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Nested-logit shares from ``e`` = exp(delta / lambda), zero where a vendor is unavailable."""
    # Sums over each nest's vendors by slicing (a matrix product here would call multithreaded BLAS
    # on tiny inner dimensions, which is slower and erratic on a busy machine).
    inclusive = np.stack([e[..., members].sum(axis=-1) for members in _NEST_MEMBERS], axis=-1)  # D_g
    open_ = inclusive > 0
    weight = np.where(open_, np.where(open_, inclusive, 1.0) ** lam, 0.0)  # D_g^lambda
    nest_p = weight / weight.sum(axis=-1, keepdims=True)
    per_unit = np.divide(nest_p, inclusive, out=np.zeros_like(nest_p), where=open_)
    return e * per_unit[..., _nest_index()]


def availability(bans, markets: pd.DataFrame, year: int) -> np.ndarray:
    """(M, V) True where a vendor may win new contracts in a market in ``year``."""
    ok = np.ones((len(markets), len(VENDORS)), dtype=bool)
    for ban in bans:
        if first_year(ban) <= year:
            rows = markets["market"].isin(ban.places) | markets["region"].isin(ban.places)
            cols = np.isin(VENDORS, ban.vendors)
            ok[np.ix_(rows.to_numpy(), cols)] = False
    return ok


def spend_path(base: BaseYear, scenario: Scenario, growth: np.ndarray, uplift: np.ndarray) -> np.ndarray:
    """Spending (n, T, M) in USD bn, nominal: trend growth times each region's 5G wave, 2019 = base."""
    years = np.array(YEARS, dtype=float)
    launch = base.markets["launch_year"].to_numpy().copy()
    launch[base.markets["region"].to_numpy() == "russia"] = scenario.parameters.russia_5g_launch_year
    wave = np.exp(-0.5 * ((years[:, None] - launch[None, :] - WAVE_PEAK_LAG) / WAVE_WIDTH) ** 2)  # (T, M)
    level = 1.0 + uplift[:, None, None] * wave[None]
    level = level / level[:, :1, :]
    trend = (1.0 + growth[:, None]) ** (years[None, :] - BASE_YEAR)
    return base.markets["spend_usd_bn"].to_numpy()[None, None, :] * trend[:, :, None] * level


def _in_force(start, year: int) -> float:
    """Share of ``year`` after a date (0 before, 1 after)."""
    return float(np.clip((pd.Timestamp(year + 1, 1, 1) - pd.Timestamp(start)).days / 365.25, 0.0, 1.0))


def simulate(base: BaseYear, scenario: Scenario, params: dict[str, np.ndarray],
             restrict_huawei: bool = True, until: int = END_YEAR) -> dict[str, np.ndarray]:
    """Run the model for every draw in ``params`` (arrays of length n), from 2019 to ``until``.

    Returns arrays: ``new`` (n, T, M, V) new-contract value in USD bn, ``installed`` (n, T, M, V)
    installed base in USD bn, ``spend`` (n, T, M). ``restrict_huawei=False`` drops Huawei's bans
    and sanctions penalty (the counterfactual for the diversion table).
    """
    n, years = len(params["market_growth"]), [y for y in YEARS if y <= until]
    shape = (len(years), n, len(base.markets), len(VENDORS))                 # year first: contiguous writes
    new_out, inst_out = np.empty(shape), np.empty(shape)
    spend = None
    for t, _, new, installed, spend_path_ in _steps(base, scenario, params, restrict_huawei, until, track_all=True):
        new_out[t], inst_out[t], spend = new, installed, spend_path_
    return {"new": new_out.transpose(1, 0, 2, 3), "installed": inst_out.transpose(1, 0, 2, 3), "spend": spend}


def _steps(base: BaseYear, scenario: Scenario, params: dict[str, np.ndarray], restrict_huawei: bool,
           until: int, track_all: bool):
    """The model year by year: yields (t, year, new (n, M, V), installed, spend (n, T, M)).

    The installed base is tracked for every market and vendor when ``track_all`` (and yielded as
    (n, M, V)); otherwise only for the cells a removal deadline touches, which is all the new
    contracts depend on (and ``installed`` is None).
    """
    p = scenario.parameters
    n = len(params["market_growth"])
    markets = base.markets
    n_markets, n_vendors = len(markets), len(VENDORS)
    bans = p.vendor_bans if restrict_huawei else _without_huawei(p.vendor_bans)
    penalty = params["huawei_sanctions_penalty"] if restrict_huawei else np.zeros(n)
    corr = params["vendor_nest_correlation"]
    life = params["equipment_life_years"]
    base_shares = base.market_shares()                                     # (M, V)
    lam = (1.0 - corr)[:, None, None]
    with np.errstate(over="raise"):
        attraction = np.exp(utilities(np.broadcast_to(base_shares, (n, *base_shares.shape)), corr) / lam)
    spend = spend_path(base, scenario, params["market_growth"], params["five_g_wave_uplift"])
    hw = VENDORS.index("huawei")
    others = VENDORS.index("others")
    outside_china = (markets["region"] != "china").to_numpy()
    in_russia = (markets["region"] == "russia").to_numpy()
    target_year = p.russia_domestic_target_year
    quota_full = p.russia_domestic_target * params["russia_domestic_capability"]

    removals = [b for b in bans if b.remove_by is not None]
    masks = [(_place_mask(b, markets)[:, None] & np.isin(VENDORS, b.vendors)[None, :]).ravel() for b in removals]
    cells = np.arange(n_markets * n_vendors) if track_all else np.flatnonzero(np.logical_or.reduce(
        [np.zeros(n_markets * n_vendors, bool), *masks]))
    masks = [m[cells] for m in masks]
    to_market = np.eye(n_markets)[cells // n_vendors]                      # (K, M): cell -> its market
    installed = (spend[:, 0, :, None] * life[:, None, None] * base_shares[None]).reshape(n, -1)[:, cells]
    removable = np.zeros_like(installed)
    keep = 1 - 1 / life[:, None]
    for t, year in enumerate(y for y in YEARS if y <= until):
        if year == BASE_YEAR:
            shares = np.broadcast_to(base_shares, (n, n_markets, n_vendors))
        else:
            shift = np.zeros((n, n_markets))                                # Huawei's utility change
            shift[:, outside_china] -= penalty[:, None] * _in_force(p.rule_effective_date, year)
            if year >= ALIGNMENT_FROM:
                shift[:, in_russia] += params["russia_huawei_alignment"][:, None]
            e = attraction * availability(bans, markets, year)[None]
            e[..., hw] *= np.exp(shift / lam[..., 0])
            shares = _choice(e, lam)
            if p.russia_domestic_target > 0:
                ramp = np.clip((year - ALIGNMENT_FROM + 1) / max(target_year - ALIGNMENT_FROM + 1, 1), 0.0, 1.0)
                quota = (quota_full * ramp)[:, None]                       # reserved for domestic makers
                shares[:, in_russia, :] *= 1 - quota[..., None]
                shares[:, in_russia, others] += quota
        purchases = spend[:, t, :]
        if year > BASE_YEAR:
            installed *= keep                                              # retirements at end of life
            removable *= keep
            active = [(b, m) for b, m in zip(removals, masks) if first_year(b) <= year <= b.remove_by]
            if active:
                forced = np.zeros_like(installed)
                for ban, mask in active:
                    if year == first_year(ban):
                        removable[:, mask] = installed[:, mask] * ban.removal_share
                    step = removable[:, mask] / (ban.remove_by - year + 1)
                    forced[:, mask] += step
                    removable[:, mask] -= step
                installed -= forced
                purchases = purchases + forced @ to_market                 # replacing ripped-out kit
        new = shares * purchases[..., None]
        if year > BASE_YEAR:
            installed += new.reshape(n, -1)[:, cells]
        yield t, year, new, (installed.reshape(n, n_markets, n_vendors) if track_all else None), spend


def first_year(ban) -> int:
    """The first model year a ban acts in: bans older than the base year act from the year after it
    (the base year's shares are data and already reflect them only in part)."""
    return max(ban.from_year, BASE_YEAR + 1)


def _without_huawei(bans) -> tuple:
    out = []
    for ban in bans:
        vendors = tuple(v for v in ban.vendors if v != "huawei")
        if vendors:
            out.append(ban.model_copy(update={"vendors": vendors}))
    return tuple(out)


def _place_mask(ban, markets: pd.DataFrame) -> np.ndarray:
    return (markets["market"].isin(ban.places) | markets["region"].isin(ban.places)).to_numpy()


# --- the scenario-facing view ------------------------------------------------------------------------

def central_params(scenario: Scenario) -> dict[str, np.ndarray]:
    return {k: np.array([uncertainty.central(scenario.value(k))]) for k in DRAWN}


def draw_params(scenario: Scenario, n: int) -> dict[str, np.ndarray]:
    return {k: uncertainty.draw(scenario.value(k), n, scenario.seed, k) for k in DRAWN}


def check_bans(scenario: Scenario, markets: pd.DataFrame) -> None:
    """Removal deadlines inside the model's years (2020 to 2030), and some vendor left in every market."""
    bans = scenario.parameters.vendor_bans
    file = scenario.set_in.get("vendor_bans", "scenario")
    for i, ban in enumerate(bans):
        if ban.remove_by is not None and not BASE_YEAR < ban.remove_by <= END_YEAR:
            raise InputError.single(file, f"parameters.vendor_bans.{i}.remove_by",
                                    f"{ban.remove_by} is outside the model's years: allowed "
                                    f"{BASE_YEAR + 1} to {END_YEAR}")
    closed = ~availability(bans, markets, END_YEAR).any(axis=1)
    if closed.any():
        raise InputError.single(file, "parameters.vendor_bans", "every vendor is banned in "
                                f"{', '.join(markets['market'][closed])}: leave at least one of {', '.join(VENDORS)}")


def _groups(markets: pd.DataFrame) -> dict[str, np.ndarray]:
    """Boolean market masks for each region and aggregate."""
    out = {r: (markets["region"] == r).to_numpy() for r in REGIONS}
    out["world"] = np.ones(len(markets), dtype=bool)
    out["world_ex_china"] = (markets["region"] != "china").to_numpy()
    return out


def _by_group(values: np.ndarray, markets: pd.DataFrame) -> np.ndarray:
    """Sum (n, T, M, V) over the markets of each region and aggregate: (n, T, G, V)."""
    return np.stack([values[:, :, mask, :].sum(axis=2) for mask in _groups(markets).values()], axis=2)


FOREIGN_EXCLUDED = ("china", "other_europe", "other_apac", "other_world")


@dataclass(frozen=True)
class MarketShares:
    """The market-share model's answer for one scenario: draws of new contracts and installed base."""

    scenario: Scenario
    base: BaseYear
    sim: dict
    unrestricted: dict

    @property
    def source(self) -> str:
        return f"{self.base.source}; workbook model"

    @property
    def groups(self) -> tuple[str, ...]:
        return (*REGIONS, *AGGREGATES)

    def _shares(self, kind: str) -> np.ndarray:
        value = _by_group(self.sim[kind], self.base.markets)
        return value / value.sum(axis=-1, keepdims=True)

    def shares(self, kind: str = "new") -> pd.DataFrame:
        """Tidy shares (p05/p50/p95) by year, region, vendor; ``kind`` is "new" or "installed"."""
        iv = uncertainty.interval(self._shares(kind))
        index = pd.MultiIndex.from_product([YEARS, self.groups, VENDORS], names=["year", "region", "vendor"])
        frame = pd.DataFrame({k: iv[k].ravel() for k in ("p05", "p50", "p95")}, index=index).reset_index()
        return frame.rename(columns={"p50": "share", "p05": "share_p05", "p95": "share_p95"}).assign(basis=kind)

    def huawei_revenue(self) -> pd.DataFrame:
        """Huawei's new-contract sales by market and year (USD bn, nominal), p05/p50/p95."""
        value = self.sim["new"][..., VENDORS.index("huawei")]
        iv = uncertainty.interval(value)
        index = pd.MultiIndex.from_product([YEARS, self.base.markets["market"]], names=["year", "market"])
        frame = pd.DataFrame({k: iv[k].ravel() for k in iv}, index=index).reset_index()
        frame = frame.rename(columns={"p50": "revenue_usd_bn", "p05": "revenue_usd_bn_p05",
                                      "p95": "revenue_usd_bn_p95"})
        return frame.merge(self.base.markets[["market", "region"]], on="market")

    def _foreign(self) -> tuple[np.ndarray, list[str]]:
        keep = ~self.base.markets["market"].isin(FOREIGN_EXCLUDED).to_numpy()
        return self.sim["new"][:, :, keep, VENDORS.index("huawei")], list(self.base.markets["market"][keep])

    def russia_rank(self) -> pd.DataFrame:
        """Russia's rank among Huawei's foreign markets by year (1 = largest), and the chance it is first."""
        revenue, names = self._foreign()
        russia = revenue[:, :, names.index("russia")]
        rank = 1 + (revenue > russia[..., None]).sum(axis=-1)                # (n, T)
        return pd.DataFrame({"year": YEARS,
                             "rank_p50": np.percentile(rank, 50, axis=0, method="inverted_cdf"),
                             "rank_p05": np.percentile(rank, 5, axis=0, method="inverted_cdf"),
                             "rank_p95": np.percentile(rank, 95, axis=0, method="inverted_cdf"),
                             "probability_largest": (rank == 1).mean(axis=0)})

    def largest_foreign_market_year(self) -> int | None:
        """First year in which Russia is Huawei's largest foreign market in at least half the draws."""
        ranks = self.russia_rank()
        hits = ranks[ranks["probability_largest"] >= 0.5]
        return int(hits["year"].iloc[0]) if len(hits) else None

    def diversion(self, first: int = 2020, last: int = END_YEAR) -> pd.DataFrame:
        """Where Huawei's lost sales go, first..last, against the same scenario with Huawei unrestricted.

        Per region: each vendor's change in new-contract value (USD bn, nominal, mean of draws, so
        that the changes add up) and its share of Huawei's loss. Sales replacing ripped-out kit
        count as gains.
        """
        span = [i for i, y in enumerate(YEARS) if first <= y <= last]
        scn = _by_group(self.sim["new"], self.base.markets)[:, span].sum(axis=1)           # (n, G, V)
        cf = _by_group(self.unrestricted["new"], self.base.markets)[:, span].sum(axis=1)
        change = (scn - cf).mean(axis=0)                                                   # (G, V)
        loss = -change[:, VENDORS.index("huawei")]
        rows = []
        for g, group in enumerate(self.groups):
            for v, vendor in enumerate(VENDORS):
                rows.append({"region": group, "vendor": vendor, "change_usd_bn": change[g, v],
                             "share_of_huawei_loss": change[g, v] / loss[g] if loss[g] > 1e-9 else np.nan})
        return pd.DataFrame(rows)

    def backtest(self) -> pd.DataFrame:
        """The model's new-contract shares beside every published total-equipment share after 2019."""
        published = data.defaults("vendor_shares")
        published = published[(published["market"] == WORLD_MARKET) & (published["year"] > BASE_YEAR)
                              & published["region"].isin(self.groups) & published["vendor"].isin(VENDORS)]
        model = self.shares("new").set_index(["year", "region", "vendor"])
        rows = []
        for r in published.itertuples():
            if r.year in YEARS:
                m = model.loc[(r.year, r.region, r.vendor)]
                rows.append({"year": r.year, "region": r.region, "vendor": r.vendor, "published": r.share,
                             "model": m["share"], "model_p05": m["share_p05"], "model_p95": m["share_p95"],
                             "source_id": r.source_id})
        return pd.DataFrame(rows)

    def fan(self, vendor: str = "huawei", region: str = "world_ex_china", kind: str = "new") -> pd.DataFrame:
        """One vendor's share in one region by year: p05, p25, p50, p75, p95 of the draws."""
        share = self._shares(kind)[:, :, self.groups.index(region), VENDORS.index(vendor)]
        return pd.DataFrame(uncertainty.fan(share, YEARS)).assign(metric=f"{vendor}_share_{region}")

    def metrics(self) -> dict[str, float]:
        """Headline metrics (shares of new contracts; rank 1 = largest), with _p05 and _p95."""
        new = self._shares("new")
        g = {name: i for i, name in enumerate(self.groups)}
        t = {y: i for i, y in enumerate(YEARS)}
        out = {}
        for name, (vendor, group, year) in {**SHARE_METRICS, **EXTRA_SHARE_METRICS}.items():
            iv = uncertainty.interval(new[:, t[year], g[group], VENDORS.index(vendor)])
            out.update({name: iv["p50"], f"{name}_p05": iv["p05"], f"{name}_p95": iv["p95"]})
        inst = self._shares("installed")
        iv = uncertainty.interval(inst[:, t[2025], g["russia"], VENDORS.index("huawei")])
        out.update({"huawei_installed_share_russia_2025": iv["p50"],
                    "huawei_installed_share_russia_2025_p05": iv["p05"],
                    "huawei_installed_share_russia_2025_p95": iv["p95"]})
        rank = self.russia_rank().set_index("year")
        out.update({"russia_rank_in_huawei_foreign_markets_2025": float(rank.at[2025, "rank_p50"]),
                    "russia_rank_in_huawei_foreign_markets_2025_p05": float(rank.at[2025, "rank_p05"]),
                    "russia_rank_in_huawei_foreign_markets_2025_p95": float(rank.at[2025, "rank_p95"]),
                    "russia_largest_foreign_market_probability_2030": float(rank.at[2030, "probability_largest"])})
        foreign = self.sim["new"][:, t[2025], ~self.base.markets["region"].eq("china").to_numpy(),
                                  VENDORS.index("huawei")].sum(axis=-1)
        iv = uncertainty.interval(foreign)
        out.update({"huawei_foreign_revenue_usd_bn_2025": iv["p50"],
                    "huawei_foreign_revenue_usd_bn_2025_p05": iv["p05"],
                    "huawei_foreign_revenue_usd_bn_2025_p95": iv["p95"]})
        return out


#: Headline metrics, one value per parameter set (see :func:`evaluate`): (vendor, group, year) shares.
SHARE_METRICS = {
    "huawei_share_world_2021": ("huawei", "world", 2021),
    "huawei_share_ex_china_2021": ("huawei", "world_ex_china", 2021),
    "ericsson_share_ex_china_2021": ("ericsson", "world_ex_china", 2021),
    "nokia_share_ex_china_2021": ("nokia", "world_ex_china", 2021),
    "huawei_share_russia_2025": ("huawei", "russia", 2025),
}
METRICS = (*SHARE_METRICS, "russia_rank_in_huawei_foreign_markets_2025")
#: Shares reported in results.json beside the headline ones (not in the fast path).
EXTRA_SHARE_METRICS = {
    "huawei_share_europe_2025": ("huawei", "europe", 2025),
    "huawei_share_world_2030": ("huawei", "world", 2030),
}
#: Draws simulated at once by :func:`evaluate` (bounds memory: about 25 kB per draw; larger chunks were slower here).
CHUNK = 10_000


def evaluate(scenario: Scenario, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Headline metrics for each parameter set: ``params`` maps each name in DRAWN to an (n,) array.

    The fast path for sensitivity analysis and sweeps: only the scenario itself (no Huawei-
    unrestricted counterfactual), evaluated in chunks of CHUNK sets to bound memory.
    """
    base = base_year(scenario.parameters.russia_equipment_share_of_capex)
    check_bans(scenario, base.markets)
    n = len(next(iter(params.values())))
    groups = _groups(base.markets)
    foreign = ~base.markets["market"].isin(FOREIGN_EXCLUDED).to_numpy()
    russia = int(np.flatnonzero(base.markets["market"].to_numpy()[foreign] == "russia")[0])
    out = {name: np.empty(n) for name in METRICS}
    last = max(y for _, _, y in SHARE_METRICS.values())
    for lo in range(0, n, CHUNK):
        part = {k: np.asarray(v[lo:lo + CHUNK], dtype=float) for k, v in params.items()}
        for _, year, new, _, _ in _steps(base, scenario, part, True, last, track_all=False):
            for name, (vendor, group, at) in SHARE_METRICS.items():
                if at == year:
                    value = new[:, groups[group]]                                  # (n, M_g, V)
                    out[name][lo:lo + CHUNK] = value[..., VENDORS.index(vendor)].sum(axis=1) / value.sum(axis=(1, 2))
            if year == 2025:
                revenue = new[:, foreign, VENDORS.index("huawei")]
                out["russia_rank_in_huawei_foreign_markets_2025"][lo:lo + CHUNK] = \
                    1 + (revenue > revenue[:, [russia]]).sum(axis=1)
    return out


def assess(scenario: Scenario, n: int = 10_000) -> MarketShares:
    """Run the market-share model for ``scenario`` with ``n`` seeded draws (and Huawei unrestricted)."""
    base = base_year(scenario.parameters.russia_equipment_share_of_capex)
    check_bans(scenario, base.markets)
    params = draw_params(scenario, n)
    return MarketShares(scenario, base, simulate(base, scenario, params),
                        simulate(base, scenario, params, restrict_huawei=False))


__all__ = ["BaseYear", "MarketShares", "assess", "availability", "base_year", "nested_logit", "ras",
           "simulate", "utilities", "world_base_shares"]
