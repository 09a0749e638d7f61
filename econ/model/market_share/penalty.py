"""How far did Huawei's radio share outside China fall in 2020? A single-year fractional logit, kept as a
comparison.

The market-share stage draws the buyers' response from :mod:`~econ.model.market_share.ban_response`
(a difference-in-differences with untreated countries); this before-and-after estimate has no
untreated group and counts bans and regional 5G timing the model has elsewhere, so notebook 02 and
docs/model.md show it beside the other and nothing draws from it. :class:`ShareShift` fits a
fractional logit
(Papke and Wooldridge 1996: a binomial GLM with logit link on shares, robust standard errors)
to vendor shares in one or more published series::

    logit E[share_vst] = a_vs + c_st + b * post_vt

with a fixed effect ``a_vs`` for each vendor in each series, a year effect ``c_st`` for each
series (the change common to all vendors) and ``post`` = 1 for the vendor of interest from the
first year after the rule. ``b`` is the change in that vendor's log-odds of winning a contract
relative to the other vendors' common change: what the penalty means in the logit (up to the
nest correlation).

The data are thin: Dell'Oro's RAN shares outside China for 2019 and 2020 give ten observations
and one post-rule year. ``logit`` here is the share transform the drift and back-test modules use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

from econ import data

#: The default series: Dell'Oro RAN shares outside China (the market the penalty is about).
DEFAULT_SERIES = (("ran", "world_ex_china"),)


@dataclass(frozen=True)
class ShareShiftResults:
    """Fitted fractional logit; keeps the statsmodels result for ``summary()`` and ``conf_int()``."""

    result: object
    vendors: tuple[str, ...]
    after: int
    frame: pd.DataFrame

    @property
    def params(self) -> pd.Series:
        return self.result.params

    @property
    def bse(self) -> pd.Series:
        return self.result.bse

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        return self.result.conf_int(alpha)

    def summary(self):
        who = " and ".join(self.vendors)
        return self.result.summary(title=f"Fractional logit: change in {who}'s log-odds from {self.after}")

    def shift(self, vendor: str | None = None) -> float:
        """The estimated change in a vendor's log-odds (negative: it became less attractive)."""
        return float(self.params[f"post_{vendor or self.vendors[0]}"])

    def table(self, alpha: float = 0.10) -> pd.DataFrame:
        ci = self.conf_int(alpha)
        level = int(round(100 * (1 - alpha)))
        return pd.DataFrame([{"vendor": v, "from_year": self.after, "shift_logit": self.shift(v),
                              "std_error": float(self.bse[f"post_{v}"]), f"ci{level}_low": ci.at[f"post_{v}", 0],
                              f"ci{level}_high": ci.at[f"post_{v}", 1], "observations": len(self.frame)}
                             for v in self.vendors])


class ShareShift:
    """Fractional-logit model of vendor shares with a post-rule shift for each of ``vendors``.

    Parameters
    ----------
    shares : DataFrame
        Columns year, market, region, vendor, share (as data/vendor_shares.csv).
    vendors : sequence of str
        The vendors whose shifts are estimated (each gets its own ``post_VENDOR``).
    after : int
        First year counted as after the rule.
    series : sequence of (market, region)
        Which published series to pool (each gets its own vendor fixed effects).
    """

    def __init__(self, shares: pd.DataFrame, vendors=("huawei",), after: int = 2020, series=DEFAULT_SERIES):
        vendors = (vendors,) if isinstance(vendors, str) else tuple(vendors)
        keys = pd.MultiIndex.from_frame(shares[["market", "region"]])
        frame = shares[keys.isin(list(series))].copy()
        if frame.empty:
            raise ValueError(f"no vendor shares for series {list(series)}")
        frame["series"] = frame["market"] + "/" + frame["region"]
        for vendor in vendors:
            post = ((frame["vendor"] == vendor) & (frame["year"] >= after)).astype(float)
            if post.sum() == 0 or post[frame["vendor"] == vendor].eq(0).sum() == 0:
                raise ValueError(f"need {vendor} shares both before and from {after}")
            frame[f"post_{vendor}"] = post
        self.frame = frame.sort_values(["series", "vendor", "year"]).reset_index(drop=True)
        self.vendors, self.after = vendors, after

    def exog(self) -> pd.DataFrame:
        f = self.frame
        vendors = pd.get_dummies(f["series"] + ":" + f["vendor"], dtype=float)
        first = f.groupby("series")["year"].transform("min")
        years = pd.get_dummies((f["series"] + ":" + f["year"].astype(str)).where(f["year"] > first), dtype=float)
        return pd.concat([vendors, years, f[[f"post_{v}" for v in self.vendors]]], axis=1)

    def fit(self) -> ShareShiftResults:
        model = sm.GLM(self.frame["share"].to_numpy(), self.exog(), family=sm.families.Binomial())
        return ShareShiftResults(model.fit(cov_type="HC1"), self.vendors, self.after, self.frame)


def estimate(vendors=("huawei",), after: int = 2020, series=DEFAULT_SERIES) -> ShareShiftResults:
    """Fit :class:`ShareShift` on the default rows of data/vendor_shares.csv."""
    return ShareShift(data.defaults("vendor_shares"), vendors, after, series).fit()


def logit(p):
    """Log-odds of a share."""
    return np.log(p / (1 - p))
