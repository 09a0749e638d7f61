"""China as its own market: how much it spends on telecom equipment each year, who wins its radio
tenders, and how its operators answered Western bans on Huawei (read by :mod:`econ.model.market_share`).

China is a quarter of world spending and its 2019-2022 5G build was larger and earlier than
anywhere else, so a region that grew like the others would misstate Huawei's and ZTE's world
shares. Three pieces, each from data:

1. **Spending.** China's equipment spending follows its three operators' capex
   (data/china_operator_capex.csv), with 5G capex weighted by ``china_5g_equipment_intensity``
   against the rest: a yuan of 5G capex buys mostly radio and core equipment, a yuan of other capex
   also fibre civil works, buildings and IT. The index is

       I_y = (k G_y + (C_y - G_y)) / (k G_2019 + (C_2019 - G_2019))

   with ``C`` total capex, ``G`` 5G capex and ``k`` the intensity (``k = 1``: total capex). After
   the last year of data it grows at ``market_growth``.
2. **Radio tenders.** From 2020 China's radio contracts were awarded in a few national 5G tenders
   whose value shares by vendor were published (data/china_5g_tenders.csv). The radio part of
   China's spending is shared as the 2020 tenders' value-weighted shares (:func:`radio_shares`)
   instead of the 2019 regional fit.
3. **Response to Western bans.** After Sweden excluded Huawei (October 2020), Ericsson's share of
   Chinese tenders fell from about a tenth to 2-3%. :func:`response_estimate` fits a fractional
   logit of the Western vendors' share by tender on a 2021-onward dummy; the market-share stage
   moves the Western nest's utility in China's radio tenders by that shift (drawn from its sampling
   distribution) times ``china_response_scale``, from :data:`RESPONSE_FROM`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from econ import data, uncertainty
from econ.errors import InputError
from econ.model.market_share.choice import VENDORS, WESTERN

BASE_YEAR = 2019
#: First year China's radio contracts follow the 5G tenders' shares.
TENDERS_FROM = 2020
#: First tenders after Sweden's ban (20 October 2020): China Mobile's 700 MHz and the joint China
#: Telecom / China Unicom tenders of July-August 2021.
RESPONSE_FROM = 2021
TENDERS_FILE = "data/china_5g_tenders.csv"
CAPEX_FILE = "data/china_operator_capex.csv"


@functools.lru_cache(maxsize=1)
def capex() -> pd.DataFrame:
    """China's three operators' total and 5G capex by year (CNY bn): columns total, five_g."""
    table = data.load("china_operator_capex")
    over = table[table["capex_5g_cny_bn"] > table["capex_cny_bn"]]
    if len(over):
        raise InputError.single(CAPEX_FILE, "capex_5g_cny_bn", "5G capex above total capex for "
                                + ", ".join(f"{r.operator} {r.year}" for r in over.itertuples()))
    wide = table.pivot_table(index="year", columns="operator", values=["capex_cny_bn", "capex_5g_cny_bn"],
                             aggfunc="sum")
    if BASE_YEAR not in wide.index or wide.isna().any().any():
        raise InputError.single(CAPEX_FILE, "capex_cny_bn",
                                f"need every operator's capex and 5G capex for every year from {BASE_YEAR}")
    return pd.DataFrame({"total": wide["capex_cny_bn"].sum(axis=1), "five_g": wide["capex_5g_cny_bn"].sum(axis=1)})


def spend_index(intensity: np.ndarray, growth: np.ndarray, years) -> np.ndarray:
    """China's equipment spending relative to 2019 (n, T) at 5G ``intensity`` (n,), growing at
    ``growth`` (n,) a year after the data's last year."""
    table = capex()
    k = np.asarray(intensity, dtype=float)[:, None]
    weighted = k * table["five_g"].to_numpy()[None, :] + (table["total"] - table["five_g"]).to_numpy()[None, :]
    observed = weighted / weighted[:, [list(table.index).index(BASE_YEAR)]]          # (n, years of data)
    data_years = list(table.index)
    last = data_years[-1]
    out = np.empty((len(k), len(years)))
    for t, year in enumerate(years):
        out[:, t] = (observed[:, data_years.index(year)] if year in data_years
                     else observed[:, -1] * (1 + np.asarray(growth, dtype=float)) ** (year - last))
    return out


@functools.lru_cache(maxsize=1)
def tenders() -> pd.DataFrame:
    """The published tender shares, checked: shares in [0, 1], no tender's shares above 1."""
    table = data.load("china_5g_tenders")
    unknown = sorted(set(table["vendor"]) - set(VENDORS))
    if unknown:
        raise InputError.single(TENDERS_FILE, "vendor", f"{unknown} not among {', '.join(VENDORS)}")
    table = table.assign(complete=table["complete"] == "true")
    totals = table.groupby("tender")["share"].sum()
    over = totals[totals > 1.005]  # published shares are rounded
    if len(over):
        raise InputError.single(TENDERS_FILE, "share", f"shares of {list(over.index)} sum above 1")
    return table


def radio_shares() -> np.ndarray:
    """China's radio shares by vendor (V,) from 2020: the value-weighted shares of the 2020 tenders
    whose full split was published."""
    t = tenders()
    first = t[(t["year"] == TENDERS_FROM) & t["complete"]]
    if first.empty:
        raise InputError.single(TENDERS_FILE, "year", f"need at least one complete tender in {TENDERS_FROM}")
    value = first.groupby("tender")["value_cny_bn"].first()
    wide = first.pivot_table(index="tender", columns="vendor", values="share", aggfunc="sum").reindex(columns=VENDORS)
    shares = (wide.fillna(0.0).mul(value, axis=0).sum() / value.sum()).to_numpy()
    return shares / shares.sum()


@dataclass(frozen=True)
class Response:
    """The fitted change in the Western vendors' log-odds of winning Chinese tenders from
    :data:`RESPONSE_FROM`, with the fit (statsmodels) and the tenders used."""

    shift: float
    std_error: float
    result: object
    frame: pd.DataFrame

    def table(self) -> pd.DataFrame:
        lo, hi = self.result.conf_int(0.10).loc["post"]
        return pd.DataFrame([{"from_year": RESPONSE_FROM, "shift_logit": self.shift, "std_error": self.std_error,
                              "ci90_low": lo, "ci90_high": hi, "tenders": len(self.frame)}])


@functools.lru_cache(maxsize=1)
def response_estimate() -> Response:
    """Fractional logit (binomial GLM, robust errors) of the Western vendors' share of each tender on
    a constant and ``post`` (tender from :data:`RESPONSE_FROM`)."""
    t = tenders()
    western = t[t["vendor"].isin(np.array(VENDORS)[WESTERN])].groupby(["tender", "year"])["share"].sum().reset_index()
    western["post"] = (western["year"] >= RESPONSE_FROM).astype(float)
    if western["post"].nunique() < 2:
        raise InputError.single(TENDERS_FILE, "year", f"need tenders both before and from {RESPONSE_FROM}")
    exog = sm.add_constant(western[["post"]])
    fit = sm.GLM(western["share"].to_numpy(), exog, family=sm.families.Binomial()).fit(cov_type="HC1")
    return Response(float(fit.params["post"]), float(fit.bse["post"]), fit, western)


def draw_shift(seed: int, n: int) -> np.ndarray:
    """The Western vendors' log-odds shift in China, drawn from its sampling distribution (n,)."""
    r = response_estimate()
    return r.shift + r.std_error * uncertainty.rng_for(seed, "china_western_shift").standard_normal(n)


__all__ = ["RESPONSE_FROM", "TENDERS_FROM", "Response", "capex", "draw_shift", "radio_shares", "response_estimate",
           "spend_index", "tenders"]
