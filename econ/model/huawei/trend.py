"""Huawei's own revenue gap after the 2020 US sanctions: a pre-sanction trend and its counterfactual.

:class:`RevenueTrend` fits, for every (dimension, segment) revenue series, an OLS of log revenue on a
constant and years since ``until`` (the last pre-sanction year), using statsmodels. The fitted
:class:`RevenueTrendResults` keeps the statsmodels results, so ``summary()`` and ``conf_int()`` work
as usual, and turns them into tidy frames: trend parameters, counterfactual forecasts with
prediction intervals, the gap between counterfactual and actual revenue, and seeded draws of that gap.

The trend is a descriptive counterfactual ("had revenue kept growing at its pre-sanction rate"),
not a causal estimate: anything else that changed after ``until`` (the pandemic, the 2020 sale of
Honor, the 5G cycle) is attributed to the gap too.

Examples
--------
>>> trend = RevenueTrend(history, until=2019)            # doctest: +SKIP
>>> res = trend.fit()                                    # doctest: +SKIP
>>> res.summary()                                        # doctest: +SKIP
>>> gap = res.counterfactual_gap(actual)                 # doctest: +SKIP
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd
import statsmodels.api as sm

from econ.errors import InputError
from econ.model.huawei.trend_results import FILE, FORMS, KEY, MIN_OBS, RevenueTrendResults, _series_years, _tidy
from econ.model.stage import Figure


class RevenueTrend:
    """Pre-sanction trend of Huawei's revenue, fitted with statsmodels OLS on log revenue.

    For every (dimension, segment) series with at least three observations in years
    ``<= until``, fits

    .. math:: \\log R_t = a + b\\,(t - \\text{until}) + \\varepsilon_t

    so the intercept ``a`` is the trend level in ``until`` and ``exp(b) - 1`` the trend growth
    rate per year. With ``form="linear"`` revenue is fitted in levels,
    :math:`R_t = a + b (t - \\text{until})`.

    Parameters
    ----------
    history : pandas.DataFrame
        Tidy revenue frame (the output of ``econ.data.defaults("huawei_revenue")``) with columns
        ``year`` (int), ``dimension`` (str: "total", "region" or "business_group"), ``segment``
        (str, e.g. "group", "china", "carrier") and ``revenue_cny_bn`` (float, CNY bn, nominal).
        Other columns are ignored; the frame is not modified. Rows after ``until`` are kept but
        play no part in the fit.
    until : int, default 2019
        Last year of the trend period (calendar year). The US Commerce Department's May 2020
        foreign direct product rule makes 2019 the last full pre-sanction year.
    form : {"loglinear", "linear"}, default "loglinear"
        "loglinear" fits log revenue (constant growth rate); "linear" fits revenue in CNY bn
        (constant increase per year).

    Raises
    ------
    InputError
        If a column is missing, a year is not a whole number, a (dimension, segment, year) occurs
        twice, revenue is missing or negative, revenue in the trend period is not positive in the
        loglinear form, ``until`` lies outside the years present, or ``form`` is unknown.

    See Also
    --------
    RevenueTrendResults : what :meth:`fit` returns.
    """

    def __init__(self, history: pd.DataFrame, until: int = 2019, form: str = "loglinear"):
        if form not in FORMS:
            raise InputError.single("override", "form", f"unknown form {form!r}; allowed: {', '.join(FORMS)}")
        frame = _tidy(history, allow_missing_revenue=False)
        if len(frame) == 0:
            raise InputError.single(FILE, "year", "history has no rows")
        first, last = int(frame["year"].min()), int(frame["year"].max())
        if (isinstance(until, bool) or not isinstance(until, (int, np.integer, float, np.floating))
                or not float(until).is_integer() or not first <= until <= last):
            raise InputError.single(FILE, "year", f"until={until!r} must be a year within the history "
                                    f"({first}-{last})")
        until = int(until)
        if form == "loglinear":
            bad = frame[(frame["year"] <= until) & (frame["revenue_cny_bn"] <= 0)]
            if len(bad):
                raise InputError.single(FILE, "revenue_cny_bn", "revenue must be positive in the loglinear "
                                        f"form (it takes logs); not positive for {_series_years(bad)}. "
                                        "Use form='linear' or drop those rows")
        self.history = frame
        self.until = until
        self.form = form

    def fit(self) -> RevenueTrendResults:
        """Fit one OLS trend per series; series with fewer than 3 trend-period points are skipped.

        Returns
        -------
        RevenueTrendResults
            The statsmodels results per series and the list of skipped series.

        Raises
        ------
        InputError
            If no series has enough observations in years ``<= until``.
        """
        models = {}
        skipped = []
        regressor = f"year_minus_{self.until}"
        outcome = "log_revenue_cny_bn" if self.form == "loglinear" else "revenue_cny_bn"
        for (dimension, segment), series in self.history.groupby(KEY, sort=True):
            pre = series[series["year"] <= self.until]
            if len(pre) < MIN_OBS:
                skipped.append((dimension, segment, len(pre),
                                f"{len(pre)} observation(s) in years <= {self.until}; a trend needs at "
                                f"least {MIN_OBS}"))
                continue
            revenue = pre["revenue_cny_bn"].to_numpy()
            endog = pd.Series(np.log(revenue) if self.form == "loglinear" else revenue,
                              index=pd.Index(pre["year"].to_numpy(), name="year"), name=outcome)
            exog = pd.DataFrame({"const": 1.0, regressor: (pre["year"] - self.until).to_numpy(float)},
                                index=endog.index)
            models[(dimension, segment)] = sm.OLS(endog, exog).fit()
        if not models:
            raise InputError.single(FILE, "year", f"no series has {MIN_OBS} or more observations in years "
                                    f"<= until={self.until}; choose a later until")
        skipped_frame = pd.DataFrame(skipped, columns=["dimension", "segment", "n_obs", "reason"])
        return RevenueTrendResults(MappingProxyType(models), self.until, self.form, skipped_frame)


def descriptive_gap(n: int = 10_000, seed: int = 20200515, years=(2020, 2021)):
    """Huawei's revenue against its 2013-2019 trend: the fitted trend, the gap frame, and
    ``huawei_revenue_trend_gap_cny_bn_YEAR`` (with _p05/_p95 from the predictive distribution).

    A descriptive comparison only: the trend extrapolates 2013-19 growth, so it also attributes the
    pandemic, the 5G cycle and the Honor sale to the gap. The workbook's headline gap is the linked
    model's (:mod:`econ.model.huawei`).
    """
    from econ import data, uncertainty

    revenue = data.defaults("huawei_revenue")
    res = RevenueTrend(revenue[revenue["year"] <= max(years)], until=2019).fit()
    gap = res.counterfactual_gap(revenue, years=years)
    found = []
    for year in years:
        draws = res.gap_draws(revenue, year, n, seed)
        iv = uncertainty.interval(draws)
        found.append(Figure(f"huawei_revenue_trend_gap_cny_bn_{year}", f"Huawei's revenue below its 2013-2019 trend, "
                            f"{year}", "CNY bn, nominal", "World", year, iv["p50"], iv["p05"], iv["p95"],
                            meaning="The 2013-2019 log-linear trend's forecast less reported revenue (descriptive: "
                            "it also counts the pandemic, the 5G cycle and the Honor sale)",
                            variable="Huawei's revenue below its 2013-2019 trend", draws=draws))
    return res, gap, found
