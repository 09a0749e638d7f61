"""Naive forecasts made from the record before the rules: the benchmarks the model must beat.

For each scored figure two forecasts are made from what was published for 2019 and earlier, on the
scale where changes are roughly symmetric (log-odds for shares, logs for revenue and capex):

**persistence**  "nothing changed since 2019": the last value published for a year before the rules,
                 with a random walk's spread, ``sigma * sqrt(h)`` at ``h`` years from it;
**trend**        the drift method (Hyndman and Athanasopoulos, *Forecasting: principles and
                 practice*, 5.2): the average yearly change over the published years before the
                 rules carried forward, spread ``sigma * sqrt(h * (1 + h / T))`` over a span of T
                 years. Where fewer than two years before the rules are published, there is no trend
                 to carry and the trend forecast is persistence (the table says so).

``sigma`` is calibrated from the record before 2020, never from the model: for shares the year-on-
year log-odds changes of the vendors' published world shares (the changes the vendor-drift estimate
uses, :mod:`econ.model.market_share.drift`); for Huawei's revenue each business's own year-on-year
log changes; for capex the Russian operators' own (one change, MegaFon's 2017-2018, is all that is
published). The predictive distribution is Student's t with as many degrees of freedom as changes
behind ``sigma`` (less one for a trend), or normal where a single change is all there is (t with one
degree of freedom has no mean). Where no value for 2019 or earlier is published in the figure's own
region (shares outside China, in China, in Russia), persistence starts from the model's 2019 base
year, which is fitted to Dell'Oro's 2019 world shares. Estimates of an effect and plans have no
value before the rules, so no naive forecast.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from econ import data
from econ.model.market_share import drift
from econ.model.market_share.base_year import WORLD_MARKET
from econ.model.market_share.penalty import logit

LAST_YEAR = drift.LAST_PRE_RULE_YEAR
METHODS = ("persistence", "trend")
OPERATORS = {"mts": "MTS", "megafon": "MegaFon", "beeline": "Beeline", "tele2": "Tele2"}
#: Quasi-draws each naive forecast is represented by (its quantiles at (i + 0.5) / n): no seed, the
#: same numbers on every machine.
POINTS = 4000


@dataclass(frozen=True)
class Record:
    """A series before the rules (on the forecast scale) and the spread of yearly changes it is given."""

    years: tuple[int, ...]
    values: tuple[float, ...]     # natural scale
    scale: str                    # "logit" or "log"
    sigma: float                  # persistence: root mean square yearly change
    changes: int                  # how many yearly changes sigma comes from
    basis: str


@dataclass(frozen=True)
class Naive:
    """One naive forecast of one figure: a location-scale distribution on the forecast scale."""

    method: str
    center: float
    spread: float
    dof: float | None             # None: normal
    scale: str
    basis: str

    def _back(self, z: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-z)) if self.scale == "logit" else np.exp(z)

    def quantile(self, p) -> np.ndarray:
        q = stats.norm.ppf(p) if self.dof is None else stats.t.ppf(p, self.dof)
        return self._back(self.center + self.spread * np.asarray(q))

    def draws(self) -> np.ndarray:
        return self.quantile((np.arange(POINTS) + 0.5) / POINTS)


def _forward(x, scale: str):
    return logit(np.asarray(x, dtype=float)) if scale == "logit" else np.log(np.asarray(x, dtype=float))


def _rms_changes(frame: pd.DataFrame, key: str, scale: str) -> tuple[float, int]:
    """Root mean square of the consecutive-year changes of every series in ``frame`` (year, key, value)."""
    changes = []
    for _, g in frame.sort_values("year").groupby(key):
        y, v = g["year"].to_numpy(), _forward(g["value"].to_numpy(), scale)
        changes += list((v[1:] - v[:-1])[np.diff(y) == 1])
    return (float(np.sqrt(np.mean(np.square(changes)))), len(changes)) if changes else (float("nan"), 0)


@functools.lru_cache(maxsize=1)
def _shares() -> pd.DataFrame:
    t = data.defaults("vendor_shares")
    return t[(t["market"] == WORLD_MARKET) & (t["year"] <= LAST_YEAR)].rename(columns={"share": "value"})


@functools.lru_cache(maxsize=1)
def _revenue() -> pd.DataFrame:
    t = data.defaults("huawei_revenue")
    t = t[(t["dimension"] == "business_group") & (t["year"] <= LAST_YEAR)]
    return t.rename(columns={"revenue_cny_bn": "value"})


@functools.lru_cache(maxsize=1)
def _units() -> pd.DataFrame:
    t = data.load("huawei_handsets")
    t = t[(t["item"] == "phone_units_m") & (t["year"] <= LAST_YEAR)]
    return t.assign(segment="phones")


@functools.lru_cache(maxsize=1)
def _capex() -> pd.DataFrame:
    t = data.defaults("russia_operators")
    return t[(t["metric"] == "capex_rub_bn") & (t["year"] <= LAST_YEAR)]


def _span(years) -> str:
    return f", {years[0]}-{years[-1]}" if years[0] != years[-1] else ""


def _share_record(vendors: str, group: str, base_year: float | None) -> Record | None:
    d = drift.estimate()
    names = vendors.split("+")
    t = _shares()
    t = t[(t["region"] == group) & t["vendor"].isin(names)]
    years = sorted(y for y, g in t.groupby("year") if set(g["vendor"]) == set(names))
    if years:
        values = tuple(float(t[t["year"] == y]["value"].sum()) for y in years)
        return Record(tuple(years), values, "logit", d.sigma, d.count,
                      f"Dell'Oro's published {group.replace('_', ' ')} share{_span(years)}")
    if base_year is None:
        return None
    return Record((LAST_YEAR,), (base_year,), "logit", d.sigma, d.count,
                  "the model's 2019 base year: no 2019 share is published for this region")


def _series_record(frame: pd.DataFrame, key: str, name: str, what: str) -> Record | None:
    sigma, k = _rms_changes(frame, key, "log")
    own = frame[frame[key] == name].sort_values("year")
    if own.empty or k == 0:
        return None
    years = tuple(own["year"].astype(int))
    return Record(years, tuple(own["value"].astype(float)), "log", sigma, k, f"{what}{_span(years)}")


def record(quantity: str, base_year: float | None = None) -> Record | None:
    """What was published before the rules for one quantity, or None (estimates, plans, metrics).
    ``base_year``: the model's 2019 value, for shares of a region where none is published."""
    kind, *rest = quantity.split(":")
    if kind in ("share", "installed_share"):
        return _share_record(rest[0], rest[1], base_year)
    if kind == "huawei_revenue":
        frame = _revenue()
        return _series_record(frame[frame["segment"] == rest[0]], "segment", rest[0],
                              f"Huawei's published {rest[0]} revenue")
    if kind == "huawei_units":
        return _series_record(_units(), "segment", rest[0], "Huawei's published phone shipments")
    if kind == "operator_capex":
        return _series_record(_capex(), "operator", rest[0], f"{OPERATORS.get(rest[0], rest[0])}'s published capex")
    return None


def forecasts(rec: Record | None, year: int) -> dict[str, Naive]:
    """Persistence and trend forecasts of ``year`` from a record (empty without one)."""
    if rec is None or rec.changes == 0:
        return {}
    v = _forward(rec.values, rec.scale)
    h = year - rec.years[-1]
    dof = float(rec.changes) if rec.changes >= 2 else None
    out = {"persistence": Naive("persistence", float(v[-1]), rec.sigma * np.sqrt(h), dof, rec.scale,
                                f"{rec.values[-1]:.3g} in {rec.years[-1]} ({rec.basis}); spread from "
                                f"{rec.changes} yearly change{'s' if rec.changes > 1 else ''} before 2020")}
    span = rec.years[-1] - rec.years[0]
    if span == 0:
        out["trend"] = Naive("trend", out["persistence"].center, out["persistence"].spread, dof, rec.scale,
                             "no trend: one year published before the rules; persistence")
        return out
    mu = float(v[-1] - v[0]) / span
    gaps = np.diff(rec.years).astype(float)
    # Residuals of each step about the drift, per year of its gap: a two-year step counts once, scaled.
    residuals = (np.diff(v) - gaps * mu) / np.sqrt(gaps)
    sd, k = (float(np.sqrt(np.sum(residuals**2) / (len(residuals) - 1))), len(residuals) - 1) \
        if len(residuals) >= 3 else (rec.sigma, rec.changes)
    out["trend"] = Naive("trend", float(v[-1] + mu * h), sd * np.sqrt(h * (1 + h / span)),
                         float(k) if k >= 2 else None, rec.scale,
                         f"{100 * (np.exp(mu) - 1) if rec.scale == 'log' else mu:+.3g}"
                         f"{'% a year' if rec.scale == 'log' else ' log-odds a year'} over {rec.years[0]}-{rec.years[-1]}")
    return out


__all__ = ["METHODS", "Naive", "POINTS", "Record", "forecasts", "record"]
