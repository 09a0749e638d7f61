"""The market-share stage's answer for one scenario: draws of new contracts and installed base, their
breakdowns, and the figures it reports."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from econ import uncertainty
from econ.model.market_share.base_year import BaseYear
from econ.model.market_share.choice import HUAWEI, VENDORS
from econ.model.market_share.declaration import DECLARATION, END_YEAR, FOREIGN_EXCLUDED, GROUPS, RANK_YEAR, YEARS
from econ.model.market_share.layout import Layout
from econ.model.stage import Figure, figures, flat
from econ.scenario import Scenario


def figure_values(out: dict, markets: pd.DataFrame) -> dict[str, np.ndarray]:
    values = dict(out["share_metrics"])
    foreign = ~markets["market"].isin(FOREIGN_EXCLUDED).to_numpy()
    revenue = out["huawei_market_rank_year"][:, foreign]
    russia = int(np.flatnonzero(markets["market"].to_numpy()[foreign] == "russia")[0])
    values[f"russia_rank_in_huawei_foreign_markets_{RANK_YEAR}"] = 1 + (revenue > revenue[:, [russia]]).sum(axis=1)
    return values


def downstream(out: dict) -> dict[str, np.ndarray]:
    """What later stages read: Huawei's sales, installed base and unconstrained sales (n, T), the
    Russian vendor mix (n, T, V), the removed installed value per ban (n, T, B) and the share of
    Russia's equipment orders no vendor could deliver (n, T)."""
    return {k: out[k] for k in ("huawei_sales_usd_bn", "huawei_installed_usd_bn", "huawei_unconstrained_usd_bn",
                                "russia_mix", "removed_usd_bn", "russia_shortfall")}


@dataclass(frozen=True)
class MarketShares:
    """The market-share stage's answer for one scenario: draws of new contracts and installed base."""

    scenario: Scenario
    layout: Layout
    sim: dict
    counterfactual: dict | None = None
    light: bool = False

    @property
    def outputs(self) -> dict:
        return downstream(self.sim)

    @property
    def base(self) -> BaseYear:
        return self.layout.base

    @property
    def source(self) -> str:
        return f"{self.base.source}; workbook model"

    def _shares(self, kind: str) -> np.ndarray:
        value = self.sim[kind]
        return value / value.sum(axis=-1, keepdims=True)

    def share_of(self, vendors: list[str], group: str, year: int, kind: str = "new") -> np.ndarray:
        """The vendors' combined share of ``group`` in ``year`` by draw (n,): new contracts or the
        installed base, without computing every year's and region's shares."""
        value = self.sim[kind][:, YEARS.index(year), GROUPS.index(group)]
        return value[:, [VENDORS.index(v) for v in vendors]].sum(axis=-1) / value.sum(axis=-1)

    def shares(self, kind: str = "new") -> pd.DataFrame:
        """Tidy shares (p05/p50/p95) by year, region, vendor; ``kind`` is "new" or "installed"."""
        iv = uncertainty.interval(self._shares(kind))
        index = pd.MultiIndex.from_product([YEARS, GROUPS, VENDORS], names=["year", "region", "vendor"])
        frame = pd.DataFrame({k: iv[k].ravel() for k in ("p05", "p50", "p95")}, index=index).reset_index()
        return frame.rename(columns={"p50": "share", "p05": "share_p05", "p95": "share_p95"}).assign(basis=kind)

    def huawei_revenue(self) -> pd.DataFrame:
        """Huawei's new-contract sales by market and year (USD bn, nominal), p05/p50/p95."""
        iv = uncertainty.interval(self.sim["huawei_by_market"])
        index = pd.MultiIndex.from_product([YEARS, self.base.markets["market"]], names=["year", "market"])
        frame = pd.DataFrame({k: iv[k].ravel() for k in iv}, index=index).reset_index()
        frame = frame.rename(columns={"p50": "revenue_usd_bn", "p05": "revenue_usd_bn_p05", "p95": "revenue_usd_bn_p95"})
        return frame.merge(self.base.markets[["market", "region"]], on="market")

    def russia_rank(self) -> pd.DataFrame:
        """Russia's rank among Huawei's foreign markets by year (1 = largest), and the chance it is first."""
        keep = ~self.base.markets["market"].isin(FOREIGN_EXCLUDED).to_numpy()
        revenue = self.sim["huawei_by_market"][:, :, keep]
        russia = revenue[:, :, list(self.base.markets["market"][keep]).index("russia")]
        rank = 1 + (revenue > russia[..., None]).sum(axis=-1)
        pct = {q: np.percentile(rank, v, axis=0, method="inverted_cdf") for q, v in (("p50", 50), ("p05", 5), ("p95", 95))}
        return pd.DataFrame({"year": YEARS, "rank_p50": pct["p50"], "rank_p05": pct["p05"], "rank_p95": pct["p95"],
                             "probability_largest": (rank == 1).mean(axis=0)})

    def largest_foreign_market_year(self) -> int | None:
        """First year in which Russia is Huawei's largest foreign market in at least half the draws."""
        ranks = self.russia_rank()
        hits = ranks[ranks["probability_largest"] >= 0.5]
        return int(hits["year"].iloc[0]) if len(hits) else None

    def diversion(self, first: int = 2020, last: int = END_YEAR) -> pd.DataFrame:
        """Where Huawei's lost sales go, first..last, against the same scenario without its rules.

        Per region: each vendor's change in new-contract value (USD bn, nominal, mean of draws, so
        that the changes add up) and its share of Huawei's loss. Replacing ripped-out kit counts.
        """
        if self.counterfactual is None:
            raise ValueError("diversion needs the world without the rules (econ.model.world.assess pairs them)")
        span = [i for i, y in enumerate(YEARS) if first <= y <= last]
        change = (self.sim["new"][:, span].sum(axis=1) - self.counterfactual["new"][:, span].sum(axis=1)).mean(axis=0)
        loss = -change[:, HUAWEI]
        return pd.DataFrame([{"region": group, "vendor": vendor, "change_usd_bn": change[g, v],
                              "share_of_huawei_loss": change[g, v] / loss[g] if loss[g] > 1e-9 else np.nan}
                             for g, group in enumerate(GROUPS) for v, vendor in enumerate(VENDORS)])

    def fan(self, vendor: str = "huawei", region: str = "world_ex_china", kind: str = "new") -> pd.DataFrame:
        """One vendor's share in one region by year: p05, p25, p50, p75, p95 of the draws."""
        value = self.sim[kind][:, :, GROUPS.index(region)]              # (n, T, V): this region only
        share = value[..., VENDORS.index(vendor)] / value.sum(axis=-1)
        return pd.DataFrame(uncertainty.fan(share, YEARS)).assign(metric=f"{vendor}_share_{region}")

    def figure_draws(self) -> dict:
        """Each figure's draws (a light run: the fast ones only); the chance Russia is Huawei's largest
        foreign market is one number over the draws."""
        values = figure_values(self.sim, self.base.markets)
        if self.light:
            return values
        values["huawei_installed_share_russia_2025"] = self._shares("installed")[:, YEARS.index(2025),
                                                                                GROUPS.index("russia"), HUAWEI]
        values["huawei_foreign_revenue_usd_bn_2025"] = self.sim["new"][:, YEARS.index(2025),
                                                                       GROUPS.index("world_ex_china"), HUAWEI]
        values["russia_largest_foreign_market_probability_2030"] = float(
            self.russia_rank()["probability_largest"].iloc[-1])
        return values

    def figures(self) -> list[Figure]:
        """The stage's figures (records with their draws), in declared order."""
        return figures(DECLARATION, self.figure_draws())

    def metrics(self) -> dict[str, float]:
        """results.json's older flat keys of :meth:`figures`."""
        return flat(self.figures())
