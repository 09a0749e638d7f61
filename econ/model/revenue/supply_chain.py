"""Huawei's 2019 purchases by supplier economy and category, and the upstream network of Asia-Pacific
suppliers behind them (data/huawei_procurement.csv, procurement_category_mix.csv, supply_network.csv)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from econ import data
from econ.errors import InputError
from econ.model.revenue.declaration import APAC, BASE_YEAR, CATEGORIES


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
