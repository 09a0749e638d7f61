"""How far did Huawei's attractiveness fall after the 2020 rules? A fractional-logit estimate.

The market-share model moves Huawei's attractiveness by ``huawei_sanctions_penalty`` (logit
utility). What do the published shares say? :class:`ShareShift` fits a fractional logit
(Papke and Wooldridge 1996: a binomial GLM with logit link on shares, robust standard errors)
to vendor shares in one or more published series::

    logit E[share_vst] = a_vs + c_st + b * post_vt

with a fixed effect ``a_vs`` for each vendor in each series, a year effect ``c_st`` for each
series (the change common to all vendors) and ``post`` = 1 for the vendor of interest from the
first year after the rule. ``b`` is the change in that vendor's log-odds of winning a contract
relative to the other vendors' common change: what the penalty means in the logit (up to the
nest correlation).

The data are thin: Dell'Oro's RAN shares outside China for 2019 and 2020 give ten observations
and one post-rule year. The estimate is shown next to the scenario's assumed range; it is not
used to set it.
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
    vendor: str
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
        return self.result.summary(title=f"Fractional logit: change in {self.vendor}'s log-odds from {self.after}")

    @property
    def shift(self) -> float:
        """The estimated change in log-odds (negative: the vendor became less attractive)."""
        return float(self.params["post"])

    def table(self, alpha: float = 0.10) -> pd.DataFrame:
        low, high = self.conf_int(alpha).loc["post"]
        return pd.DataFrame([{"vendor": self.vendor, "from_year": self.after, "shift_logit": self.shift,
                              "std_error": float(self.bse["post"]), f"ci{int(100 * (1 - alpha))}_low": low,
                              f"ci{int(100 * (1 - alpha))}_high": high, "observations": len(self.frame)}])


class ShareShift:
    """Fractional-logit model of vendor shares with a post-rule shift for one vendor.

    Parameters
    ----------
    shares : DataFrame
        Columns year, market, region, vendor, share (as data/vendor_shares.csv).
    vendor : str
        The vendor whose shift is estimated.
    after : int
        First year counted as after the rule.
    series : sequence of (market, region)
        Which published series to pool (each gets its own vendor fixed effects).
    """

    def __init__(self, shares: pd.DataFrame, vendor: str = "huawei", after: int = 2020,
                 series=DEFAULT_SERIES):
        keys = pd.MultiIndex.from_frame(shares[["market", "region"]])
        frame = shares[keys.isin(list(series))].copy()
        if frame.empty:
            raise ValueError(f"no vendor shares for series {list(series)}")
        frame["series"] = frame["market"] + "/" + frame["region"]
        frame["post"] = ((frame["vendor"] == vendor) & (frame["year"] >= after)).astype(float)
        if frame["post"].sum() == 0 or frame.loc[frame["vendor"] == vendor, "post"].eq(0).sum() == 0:
            raise ValueError(f"need {vendor} shares both before and from {after}")
        self.frame = frame.sort_values(["series", "vendor", "year"]).reset_index(drop=True)
        self.vendor, self.after = vendor, after

    def exog(self) -> pd.DataFrame:
        f = self.frame
        vendors = pd.get_dummies(f["series"] + ":" + f["vendor"], dtype=float)
        first = f.groupby("series")["year"].transform("min")
        years = pd.get_dummies((f["series"] + ":" + f["year"].astype(str)).where(f["year"] > first), dtype=float)
        return pd.concat([vendors, years, f[["post"]]], axis=1)

    def fit(self) -> ShareShiftResults:
        model = sm.GLM(self.frame["share"].to_numpy(), self.exog(), family=sm.families.Binomial())
        return ShareShiftResults(model.fit(cov_type="HC1"), self.vendor, self.after, self.frame)


def estimate(vendor: str = "huawei", after: int = 2020, series=DEFAULT_SERIES) -> ShareShiftResults:
    """Fit :class:`ShareShift` on the default rows of data/vendor_shares.csv."""
    return ShareShift(data.defaults("vendor_shares"), vendor, after, series).fit()


def logit(p):
    return np.log(p / (1 - p))
