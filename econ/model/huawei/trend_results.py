"""The fitted trend of Huawei's revenue (:class:`RevenueTrendResults`, from :class:`econ.model.huawei.
trend.RevenueTrend`): statsmodels' results kept, turned into tidy frames (parameters, counterfactual
forecasts with prediction intervals, the gap to actual revenue, seeded draws of it), and the tidy
revenue frames both read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from econ.errors import InputError
from econ.uncertainty import rng_for

#: The dataset these frames come from (``econ.data.defaults("huawei_revenue")``), named in errors.
FILE = "huawei_revenue"
COLUMNS = ("year", "dimension", "segment", "revenue_cny_bn")
KEY = ["dimension", "segment"]
FORMS = ("loglinear", "linear")
#: Two parameters plus one residual degree of freedom: the fewest points that give an interval.
MIN_OBS = 3


def _tidy(frame: pd.DataFrame, *, allow_missing_revenue: bool) -> pd.DataFrame:
    """A checked copy of a revenue frame: the four columns, typed, one row per series and year."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError.single(FILE, "", f"expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise InputError([(FILE, c, f"required column is missing; a revenue frame needs {', '.join(COLUMNS)}")
                          for c in missing])
    out = frame.loc[:, list(COLUMNS)].copy()
    year = pd.to_numeric(out["year"], errors="coerce")
    if year.isna().any() or not np.all(year == np.round(year)):
        bad = out["year"][year.isna() | (year != np.round(year))].tolist()
        raise InputError.single(FILE, "year", f"years must be whole numbers; got {bad[:5]}")
    out["year"] = year.astype("int64")
    out["revenue_cny_bn"] = _revenue_column(out, allow_missing_revenue)
    out = out[out["revenue_cny_bn"].notna()]
    if (out["revenue_cny_bn"] < 0).any():
        raise InputError.single(FILE, "revenue_cny_bn", "negative revenue for "
                                + _series_years(out[out["revenue_cny_bn"] < 0]))
    for c in KEY:
        out[c] = out[c].astype(str)
    duplicated = out.duplicated(KEY + ["year"], keep=False)
    if duplicated.any():
        raise InputError.single(FILE, "year", "more than one row for " + _series_years(out[duplicated])
                                + "; keep one row per dimension, segment and year (the default estimate)")
    return out.sort_values(KEY + ["year"], ignore_index=True)


def _revenue_column(out: pd.DataFrame, allow_missing: bool) -> pd.Series:
    """The revenue column as finite numbers (missing values allowed only where ``allow_missing``)."""
    revenue = pd.to_numeric(out["revenue_cny_bn"], errors="coerce")
    not_number = revenue.isna() & out["revenue_cny_bn"].notna()
    if not_number.any():
        bad = out["revenue_cny_bn"][not_number].tolist()
        raise InputError.single(FILE, "revenue_cny_bn", f"revenue must be a number (CNY bn); got {bad[:5]}")
    if not np.isfinite(revenue.dropna()).all():
        raise InputError.single(FILE, "revenue_cny_bn", "revenue must be finite (CNY bn)")
    if revenue.isna().any() and not allow_missing:
        raise InputError.single(FILE, "revenue_cny_bn", "missing revenue for " + _series_years(out[revenue.isna()])
                                + "; drop the rows rather than leave them blank")
    return revenue.astype("float64")


def _series_years(rows: pd.DataFrame, limit: int = 5) -> str:
    """'total/group 2015, region/china 2016' for error messages."""
    items = [f"{d}/{s} {y}" for d, s, y in rows[KEY + ["year"]].drop_duplicates().itertuples(index=False)]
    return ", ".join(items[:limit]) + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _forecast_years(years, until: int) -> np.ndarray:
    """``years`` as a 1-d integer array, every one after ``until``, or InputError."""
    arr = np.atleast_1d(np.asarray(years))
    if arr.size == 0:
        raise InputError.single(FILE, "year", "no forecast years given")
    if arr.dtype.kind not in "iuf" or not np.all(arr == np.round(arr)):
        raise InputError.single(FILE, "year", f"forecast years must be whole numbers; got {arr.tolist()}")
    arr = arr.astype("int64")
    early = arr[arr <= until]
    if early.size:
        raise InputError.single(FILE, "year", f"forecast year(s) {early.tolist()} are not after "
                                f"until={until}; the counterfactual is defined only for years after the "
                                "trend period")
    return arr


def _check_alpha(alpha: float) -> float:
    if not 0 < alpha < 1:
        raise InputError.single("override", "alpha", f"alpha must lie strictly between 0 and 1; got {alpha}")
    return float(alpha)


@dataclass(frozen=True, eq=False)
class RevenueTrendResults:
    """Fitted pre-sanction revenue trends, one statsmodels OLS result per series.

    Attributes
    ----------
    models : Mapping[tuple[str, str], statsmodels RegressionResultsWrapper]
        The fitted OLS result of each series, keyed by ``(dimension, segment)``. Regressors are
        ``const`` and ``year_minus_<until>``; the outcome is log revenue (log CNY bn) in the
        loglinear form, revenue (CNY bn) in the linear form.
    until : int
        Last year of the trend period.
    form : {"loglinear", "linear"}
        The fitted form.
    skipped : pandas.DataFrame
        Series not fitted: ``dimension``, ``segment``, ``n_obs`` (observations in years
        ``<= until``) and ``reason``.
    """

    models: Mapping[tuple[str, str], object]
    until: int
    form: str
    skipped: pd.DataFrame

    def _result(self, dimension: str, segment: str):
        try:
            return self.models[(dimension, segment)]
        except KeyError:
            skipped = self.skipped
            why = skipped[(skipped["dimension"] == dimension) & (skipped["segment"] == segment)]
            if len(why):
                message = f"{dimension}/{segment} was not fitted: {why['reason'].iloc[0]}"
            else:
                fitted = ", ".join(f"{d}/{s}" for d, s in self.models)
                message = f"no series {dimension}/{segment} in the history; fitted series: {fitted}"
            raise InputError.single(FILE, "segment", message) from None

    def summary(self, dimension: str = "total", segment: str = "group", alpha: float = 0.05):
        """The statsmodels regression summary of one series (renders as a table in Jupyter).

        Parameters
        ----------
        dimension, segment : str
            The series, e.g. ``("total", "group")`` or ``("region", "china")``.
        alpha : float, default 0.05
            Significance level of the parameter confidence intervals shown (fraction).

        Returns
        -------
        statsmodels.iolib.summary.Summary
        """
        return self._result(dimension, segment).summary(alpha=_check_alpha(alpha))

    @property
    def params(self) -> pd.DataFrame:
        """Trend parameters of every fitted series, one row per series.

        Returns
        -------
        pandas.DataFrame
            ``dimension``, ``segment``;
            ``growth_rate`` (fraction per year): ``exp(slope) - 1`` in the loglinear form; in the
            linear form ``slope / intercept``, the growth rate at ``until``;
            ``intercept`` (trend level in ``until``: log CNY bn, or CNY bn in the linear form);
            ``slope`` (log points per year, or CNY bn per year) and its standard error ``slope_se``;
            ``r_squared`` (fraction); ``n_obs``; ``first_year`` and ``last_year`` of the trend period.
        """
        rows = []
        for (dimension, segment), res in self.models.items():
            intercept, slope = (float(v) for v in res.params.to_numpy())
            years = res.model.data.row_labels
            rows.append({
                "dimension": dimension, "segment": segment,
                "growth_rate": np.expm1(slope) if self.form == "loglinear" else slope / intercept,
                "intercept": intercept, "slope": slope, "slope_se": float(res.bse.iloc[1]),
                "r_squared": float(res.rsquared), "n_obs": int(res.nobs),
                "first_year": int(min(years)), "last_year": int(max(years)),
            })
        return pd.DataFrame(rows)

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Confidence intervals of the trend parameters (t distribution, residual degrees of freedom).

        Parameters
        ----------
        alpha : float, default 0.05
            Significance level (fraction); the interval covers ``1 - alpha``.

        Returns
        -------
        pandas.DataFrame
            One row per series and parameter: ``dimension``, ``segment``, ``parameter``
            ("intercept", "slope" and, in the loglinear form, "growth_rate" = ``exp(slope) - 1``
            with the slope's bounds transformed), ``estimate``, ``lower``, ``upper``, in the
            units given in :attr:`params`.
        """
        alpha = _check_alpha(alpha)
        rows = []
        for (dimension, segment), res in self.models.items():
            ci = res.conf_int(alpha=alpha).to_numpy()
            est = res.params.to_numpy()
            for name, e, (lo, hi) in zip(("intercept", "slope"), est, ci, strict=True):
                rows.append((dimension, segment, name, float(e), float(lo), float(hi)))
            if self.form == "loglinear":
                rows.append((dimension, segment, "growth_rate", *np.expm1([est[1], *ci[1]]).tolist()))
        return pd.DataFrame(rows, columns=["dimension", "segment", "parameter", "estimate", "lower", "upper"])

    def _predict(self, res, years: np.ndarray):
        """statsmodels prediction of the trend for ``years`` (already checked)."""
        exog = np.column_stack([np.ones(len(years)), (years - self.until).astype(float)])
        return res.get_prediction(exog)

    def forecast(self, years: int | Iterable[int], alpha: float = 0.10,
                 lognormal_mean: bool = False) -> pd.DataFrame:
        """Counterfactual revenue after ``until``: the trend extrapolated, with prediction intervals.

        In the loglinear form the point is ``exp`` of the predicted log revenue, i.e. the
        **median** counterfactual (not the mean), and the interval is the OLS prediction interval
        for a new observation on the log scale (t distribution, residual degrees of freedom, both
        parameter and residual uncertainty), exponentiated. In the linear form all three are in
        levels and the point is the mean.

        Parameters
        ----------
        years : int or iterable of int
            Calendar years, each after ``until``.
        alpha : float, default 0.10
            Significance level of the prediction interval (fraction); 0.10 gives a 90% interval.
        lognormal_mean : bool, default False
            Loglinear form only: add ``lognormal_mean_cny_bn`` = ``exp(mean + se_obs**2 / 2)``, the
            mean counterfactual if the log prediction error were normal. (Under the t predictive
            distribution the mean of revenue does not exist, which is one reason the median is
            the reported point.)

        Returns
        -------
        pandas.DataFrame
            ``dimension``, ``segment``, ``year``, ``counterfactual_cny_bn`` (CNY bn, nominal),
            ``lower_cny_bn`` and ``upper_cny_bn`` (CNY bn, the ``1 - alpha`` prediction interval).

        Raises
        ------
        InputError
            If a year is not after ``until`` (field ``year``).
        """
        years = _forecast_years(years, self.until)
        alpha = _check_alpha(alpha)
        log = self.form == "loglinear"
        parts = []
        for (dimension, segment), res in self.models.items():
            pred = self._predict(res, years)
            frame = pred.summary_frame(alpha=alpha)
            point, lower, upper = (frame[c].to_numpy() for c in ("mean", "obs_ci_lower", "obs_ci_upper"))
            part = pd.DataFrame({
                "dimension": dimension, "segment": segment, "year": years,
                "counterfactual_cny_bn": np.exp(point) if log else point,
                "lower_cny_bn": np.exp(lower) if log else lower,
                "upper_cny_bn": np.exp(upper) if log else upper,
            })
            if lognormal_mean and log:
                part["lognormal_mean_cny_bn"] = np.exp(point + pred.se_obs ** 2 / 2)
            parts.append(part)
        return pd.concat(parts, ignore_index=True)

    def counterfactual_gap(self, actual: pd.DataFrame, years: int | Iterable[int] = (2020, 2021),
                           alpha: float = 0.10) -> pd.DataFrame:
        """Revenue lost relative to the pre-sanction trend: counterfactual minus actual.

        Parameters
        ----------
        actual : pandas.DataFrame
            Observed revenue, same tidy shape as ``history`` (``year``, ``dimension``,
            ``segment``, ``revenue_cny_bn`` in CNY bn). Series and years without an actual value
            (no row, or a blank revenue) are omitted from the result.
        years : int or iterable of int, default (2020, 2021)
            Years after ``until`` to compare.
        alpha : float, default 0.10
            Significance level of the prediction interval (fraction).

        Returns
        -------
        pandas.DataFrame
            ``dimension``, ``segment``, ``year``, ``actual_cny_bn``, ``counterfactual_cny_bn``
            (median counterfactual in the loglinear form), ``lower_cny_bn``, ``upper_cny_bn``
            (CNY bn); ``gap_cny_bn`` = counterfactual - actual (CNY bn, positive when revenue fell
            short of the trend); ``gap_lower_cny_bn`` = lower - actual and ``gap_upper_cny_bn`` =
            upper - actual (CNY bn); ``gap_share`` = gap / counterfactual (fraction).
        """
        observed = _tidy(actual, allow_missing_revenue=True)
        observed = observed.rename(columns={"revenue_cny_bn": "actual_cny_bn"})
        forecast = self.forecast(years, alpha=alpha)
        out = forecast.merge(observed, on=KEY + ["year"], how="inner", validate="one_to_one")
        out["gap_cny_bn"] = out["counterfactual_cny_bn"] - out["actual_cny_bn"]
        out["gap_lower_cny_bn"] = out["lower_cny_bn"] - out["actual_cny_bn"]
        out["gap_upper_cny_bn"] = out["upper_cny_bn"] - out["actual_cny_bn"]
        out["gap_share"] = out["gap_cny_bn"] / out["counterfactual_cny_bn"]
        columns = ["dimension", "segment", "year", "actual_cny_bn", "counterfactual_cny_bn", "lower_cny_bn",
                   "upper_cny_bn", "gap_cny_bn", "gap_lower_cny_bn", "gap_upper_cny_bn", "gap_share"]
        return out[columns].sort_values(KEY + ["year"], ignore_index=True)

    def gap_draws(self, actual: pd.DataFrame, year: int, n: int, seed: int,
                  dimension: str = "total", segment: str = "group") -> np.ndarray:
        """Seeded draws of one series' gap (counterfactual - actual) in one year, CNY bn.

        The counterfactual is drawn from the OLS predictive distribution of a new observation:
        ``mean + se_obs * T`` with ``T`` Student t on the residual degrees of freedom and
        ``se_obs`` the prediction standard error (parameter and residual uncertainty), on the log
        scale and exponentiated in the loglinear form. The median of the draws is therefore the
        point gap of :meth:`counterfactual_gap`, and their 5th-95th percentiles its 90% interval.

        Parameters
        ----------
        actual : pandas.DataFrame
            Observed revenue, same tidy shape as ``history``; must hold the series and year.
        year : int
            Calendar year after ``until``.
        n : int
            Number of draws.
        seed : int
            Scenario seed. The stream is derived from the seed and the series and year (as in
            :func:`econ.uncertainty.rng_for`), so the same seed gives the same draws.
        dimension, segment : str, default "total", "group"
            The series.

        Returns
        -------
        numpy.ndarray
            ``n`` draws of the gap, CNY bn (positive when actual revenue is below the counterfactual).
        """
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise InputError.single("override", "n", f"the number of draws must be a positive integer; "
                                    f"got {n!r}")
        res = self._result(dimension, segment)
        years = _forecast_years(year, self.until)
        if years.size != 1:
            raise InputError.single(FILE, "year", f"gap_draws takes one year; got {years.tolist()}")
        observed = _tidy(actual, allow_missing_revenue=True)
        row = observed[(observed["dimension"] == dimension) & (observed["segment"] == segment)
                       & (observed["year"] == years[0])]
        if row.empty:
            raise InputError.single(FILE, "revenue_cny_bn", f"no actual revenue for {dimension}/{segment} "
                                    f"in {int(years[0])}")
        pred = self._predict(res, years)
        rng = rng_for(seed, f"revenue_trend:{dimension}/{segment}:{int(years[0])}")
        draws = pred.predicted_mean[0] + pred.se_obs[0] * rng.standard_t(res.df_resid, size=n)
        counterfactual = np.exp(draws) if self.form == "loglinear" else draws
        return counterfactual - float(row["revenue_cny_bn"].iloc[0])
