"""The market-share stage's layout: cells (market x part) with their 2019 spending, the bans and exits
that split them into situations, and what the compiled year loop needs that does not change with
the draws."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from econ.model.market_share import china as china_market
from econ.model.market_share.base_year import BASE_YEAR, REGIONS, BaseYear, base_year, base_years
from econ.model.market_share.choice import HUAWEI, VENDORS
from econ.model.market_share.declaration import ALIGNMENT_FROM, CHINA_RADIO, EMERGING, GROUPS, PENALISED_PARTS, YEARS
from econ.scenario import PARTS, Scenario


def restrictions(parameters) -> tuple:
    """Buyers' bans and vendors' exits, in that order: both take vendors out of the choice set in
    their places and parts from their year, and remove their kit by a deadline if they have one."""
    return tuple(parameters.vendor_bans) + tuple(parameters.vendor_exits)


def restriction_names(parameters) -> list[str]:
    """Each restriction's field in the scenario file: vendor_bans.0, ..., vendor_exits.0, ..."""
    return ([f"vendor_bans.{i}" for i in range(len(parameters.vendor_bans))]
            + [f"vendor_exits.{i}" for i in range(len(parameters.vendor_exits))])


def first_year(ban) -> int:
    """The first model year a ban acts in: bans older than the base year act from the year after it
    (the base year's shares are data and reflect them only in part)."""
    return max(ban.from_year, BASE_YEAR + 1)


def removal_years(ban) -> tuple[int, int]:
    """First and last model year of a ban's removal of installed kit (both included)."""
    return max(ban.remove_from or ban.from_year, BASE_YEAR + 1), ban.remove_by


@dataclass(frozen=True)
class Layout:
    """Cells (market x part) with their 2019 spending, and how bans split them into situations."""

    base: BaseYear
    cells: pd.DataFrame           # market, region, part, spend_usd_bn (2019)
    bans: tuple
    removals: tuple               # (ban index, cell indices) of bans with a removal deadline

    @classmethod
    def build(cls, scenario: Scenario) -> Layout:
        return _layout(scenario.parameters.russia_equipment_share_of_capex, restrictions(scenario.parameters))

    def available(self, year: int) -> np.ndarray:
        """(C, V) True where a vendor may win new contracts in a cell in ``year``."""
        ok = np.ones((len(self.cells), len(VENDORS)), dtype=bool)
        for ban in self.bans:
            if first_year(ban) <= year:
                ok[np.ix_(self.in_scope(ban), np.isin(VENDORS, ban.vendors))] = False
        return ok

    def in_scope(self, ban) -> np.ndarray:
        c = self.cells
        return ((c["market"].isin(ban.places) | c["region"].isin(ban.places)) & c["part"].isin(ban.parts)).to_numpy()

    def group_matrix(self) -> np.ndarray:
        """(C, G) 1 where a cell belongs to a group (regions, world, world ex China)."""
        region = self.cells["region"].to_numpy()
        cols = [region == r for r in REGIONS] + [np.ones(len(region), bool), region != "china"]
        return np.stack(cols, axis=1).astype(float)

    def market_matrix(self) -> np.ndarray:
        """(C, M) 1 where a cell belongs to a national market (base.markets order)."""
        return (self.cells["market"].to_numpy()[:, None] == self.base.markets["market"].to_numpy()[None, :]).astype(float)


@functools.lru_cache(maxsize=32)
def _layout(russia_equipment_share: float, bans: tuple) -> Layout:
    base = base_year(russia_equipment_share)
    m = base.markets
    cells = pd.DataFrame([{"market": r.market, "region": r.region, "part": part,
                           "spend_usd_bn": r.spend_usd_bn * base.parts[part]}
                          for r in m.itertuples() for part in PARTS])
    layout = Layout(base, cells, bans, ())
    removals = tuple((i, np.flatnonzero(layout.in_scope(b))) for i, b in enumerate(bans) if b.remove_by is not None)
    return Layout(base, cells, bans, removals)


def situations(layout: Layout, year: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cells that face the same choice in ``year``: (cell -> situation index, situation region
    index, whether the buyers' penalty applies to the situation's part, availability (U, V))."""
    region = layout.cells["region"].map({r: i for i, r in enumerate(REGIONS)}).to_numpy()
    penalised = layout.cells["part"].isin(PENALISED_PARTS).to_numpy()
    key = np.column_stack([region, penalised, layout.available(year)])
    unique, which = np.unique(key, axis=0, return_inverse=True)
    return which.ravel(), unique[:, 0], unique[:, 1].astype(bool), unique[:, 2:].astype(bool)


@functools.lru_cache(maxsize=32)
def _situations(russia_equipment_share: float, bans: tuple) -> tuple:
    """:func:`situations` of every year of one layout (the kernel's inputs for other draws' settings, such as
    the year of Russia's pull-back, share them)."""
    layout = _layout(russia_equipment_share, bans)
    return tuple(situations(layout, year) for year in YEARS)


@functools.lru_cache(maxsize=32)
def _kernel_inputs(russia_equipment_share: float, bans: tuple, penalty_year: int | None, response: bool,
                   pullback_from: int) -> tuple:
    """What the kernel needs that does not change with the draws: the base shares and spending of
    each base-year variant (with China's tender shares as one more row, :data:`CHINA_RADIO`), the
    situation types and each year's situations with their (sparse) spending weights by group and
    market, the cells a removal tracks, and the removal bans."""
    layout = _layout(russia_equipment_share, bans)
    fits = base_years(russia_equipment_share)
    cells = layout.cells
    cell_region = cells["region"].map({r: i for i, r in enumerate(REGIONS)}).to_numpy()
    part_share = cells["part"].map(layout.base.parts).to_numpy()
    shares_k = np.stack([f.region_shares.to_numpy() for f in fits])                       # (K, R, V)
    radio = np.broadcast_to(china_market.radio_shares(), (len(fits), 1, len(VENDORS)))
    shares_k = np.concatenate([shares_k, radio], axis=1)                                  # (K, R + 1, V)
    spend_k = np.stack([f.markets.set_index("market")["spend_usd_bn"].reindex(cells["market"]).to_numpy() * part_share
                        for f in fits])                                                    # (K, C)
    groups, markets = layout.group_matrix(), layout.market_matrix()
    start_k = np.einsum("kc,kcv,cg->kgv", spend_k, shares_k[:, cell_region], groups)
    base_hw_k = np.einsum("kc,kc,cr->kr", spend_k, shares_k[:, cell_region, HUAWEI], np.eye(len(REGIONS))[cell_region])
    china, russia, emerging = REGIONS.index("china"), REGIONS.index("russia"), REGIONS.index(EMERGING)
    types: dict[tuple, int] = {}
    T, C, K = len(YEARS), len(cells), len(fits)
    per_year = []
    for year, (which, region, pen, avail) in zip(YEARS, _situations(russia_equipment_share, bans)):
        keys = [(int(r), year == BASE_YEAR, bool(penalty_year is not None and year >= penalty_year and r != china and pn),
                 bool(r == russia and year >= ALIGNMENT_FROM), tuple(bool(a) for a in av),
                 CHINA_RADIO if (r == china and pn and year >= china_market.TENDERS_FROM) else int(r),
                 bool(response and r == china and pn and year >= china_market.RESPONSE_FROM),
                 bool(r == russia and year >= pullback_from), bool(r == emerging and year > BASE_YEAR))
                for r, pn, av in zip(region, pen, avail)]
        per_year.append((which, [types.setdefault(key, len(types)) for key in keys]))
    ordered = sorted(types, key=types.get)
    type_region = np.array([key[0] for key in ordered], np.int64)
    type_base, type_penalty, type_align = (np.array([key[j] for key in ordered], np.bool_) for j in (1, 2, 3))
    type_avail = np.array([key[4] for key in ordered], np.bool_)
    type_row = np.array([key[5] for key in ordered], np.int64)
    type_west = np.array([key[6] for key in ordered], np.bool_)
    type_pull = np.array([key[7] for key in ordered], np.bool_)
    type_emerging = np.array([key[8] for key in ordered], np.bool_)
    umax = max(len(t) for _, t in per_year)
    n_sit = np.array([len(t) for _, t in per_year], np.int64)
    sit_type = np.zeros((T, umax), np.int64)
    weights_g = np.zeros((T, umax, groups.shape[1], K))
    weights_m = np.zeros((T, umax, markets.shape[1], K))
    tracked = np.unique(np.concatenate([c_ for _, c_ in layout.removals])) if layout.removals else np.zeros(0, np.int64)
    cell_sit = np.zeros((T, len(tracked)), np.int64)
    for t, (which, sit) in enumerate(per_year):
        u = len(sit)
        sit_type[t, :u] = sit
        member = np.zeros((u, C))
        member[which, np.arange(C)] = 1.0
        weights_g[t, :u] = np.einsum("uc,kc,cg->ugk", member, spend_k, groups)
        weights_m[t, :u] = np.einsum("uc,kc,cm->umk", member, spend_k, markets)
        cell_sit[t] = which[tracked]
    n_grp, grp, grp_w = _sparse(weights_g)
    n_mkt, mkt, mkt_w = _sparse(weights_m)
    world_w = weights_g[:, :, GROUPS.index("world"), :].copy()
    removal = list(layout.removals)
    ban_start = np.array([removal_years(layout.bans[i])[0] for i, _ in removal], np.int64)
    ban_end = np.array([removal_years(layout.bans[i])[1] for i, _ in removal], np.int64)
    ban_vendor = np.array([np.isin(VENDORS, layout.bans[i].vendors) for i, _ in removal], np.bool_).reshape(
        len(removal), len(VENDORS))
    ban_cell = np.array([np.isin(tracked, c_) for _, c_ in removal], np.bool_).reshape(len(removal), len(tracked))
    ban_index = np.array([i for i, _ in removal], np.int64)
    cell_market = markets[tracked].argmax(axis=1).astype(np.int64) if len(tracked) else np.zeros(0, np.int64)
    return (shares_k, start_k, base_hw_k, type_region, type_row, type_base, type_penalty, type_align, type_west,
            type_pull, type_emerging, type_avail,
            n_sit, sit_type, n_grp, grp, grp_w, n_mkt, mkt, mkt_w, world_w, cell_sit, groups[tracked].copy(),
            cell_market, cell_region[tracked].astype(np.int64), spend_k[:, tracked].copy(),
            ban_start, ban_end, ban_vendor, ban_cell, ban_index)


def _sparse(weights: np.ndarray):
    """(T, U, X, K) weights as, per (t, u), the count, the indices and the weights of the X with any
    nonzero weight: (T, U), (T, U, J), (T, U, J, K)."""
    nonzero = np.abs(weights).sum(axis=-1) > 0                                             # (T, U, X)
    most = max(1, int(nonzero.sum(axis=-1).max()))
    count = nonzero.sum(axis=-1).astype(np.int64)
    index = np.zeros(weights.shape[:2] + (most,), np.int64)
    values = np.zeros(weights.shape[:2] + (most, weights.shape[-1]))
    for t in range(weights.shape[0]):
        for u in range(weights.shape[1]):
            cols = np.flatnonzero(nonzero[t, u])
            index[t, u, :len(cols)] = cols
            values[t, u, :len(cols)] = weights[t, u, cols]
    return count, index, values
