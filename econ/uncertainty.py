"""Uncertain parameters: distributions with explicit bounds, seeded vectorised draws, intervals.

A scenario parameter is either a point value or one of the distributions below. Every
distribution is bounded (normal and lognormal are truncated at ``low`` and ``high``) so that a
draw never leaves the parameter's declared range. Draws are made by inverse-CDF sampling from a
per-parameter random stream, so adding a parameter to a scenario never changes the draws of the
others, and the same seed always gives the same numbers.
"""

from __future__ import annotations

import math
import zlib
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy import special

#: The percentiles every headline figure is reported at.
PERCENTILES = {"p05": 5.0, "p50": 50.0, "p95": 95.0}


class _Bounded(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self):
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        return self

    def ppf(self, u: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws, by inverse CDF of uniforms from ``rng``."""
        return self.ppf(rng.random(n))


class Uniform(_Bounded):
    """Every value in [low, high] equally likely."""

    dist: Literal["uniform"] = "uniform"

    @property
    def central(self) -> float:
        return (self.low + self.high) / 2

    def ppf(self, u):
        return self.low + u * (self.high - self.low)


class Triangular(_Bounded):
    """Triangular on [low, high] with its peak at ``mode``."""

    dist: Literal["triangular"] = "triangular"
    mode: float

    @model_validator(mode="after")
    def _mode_inside(self):
        if not self.low <= self.mode <= self.high:
            raise ValueError(f"mode ({self.mode}) must lie in [low, high] = [{self.low}, {self.high}]")
        return self

    @property
    def central(self) -> float:
        return self.mode

    def ppf(self, u):
        a, c, b = self.low, self.mode, self.high
        cut = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < cut, left, right)


def _truncated_standard_normal(u, lo_z, hi_z):
    """Inverse CDF of a standard normal truncated to [lo_z, hi_z]."""
    lo_p, hi_p = special.ndtr(lo_z), special.ndtr(hi_z)
    return special.ndtri(lo_p + u * (hi_p - lo_p))


class Normal(_Bounded):
    """Normal(mean, sd) truncated to [low, high]."""

    dist: Literal["normal"] = "normal"
    mean: float
    sd: float = Field(gt=0)

    @model_validator(mode="after")
    def _mean_inside(self):
        if not self.low <= self.mean <= self.high:
            raise ValueError(f"mean ({self.mean}) must lie in [low, high] = [{self.low}, {self.high}]")
        return self

    @property
    def central(self) -> float:
        return self.mean

    def ppf(self, u):
        z = _truncated_standard_normal(u, (self.low - self.mean) / self.sd, (self.high - self.mean) / self.sd)
        return np.clip(self.mean + self.sd * z, self.low, self.high)


class LogNormal(_Bounded):
    """Lognormal with the given ``median`` and log-scale ``sigma``, truncated to [low, high] (low > 0)."""

    dist: Literal["lognormal"] = "lognormal"
    median: float = Field(gt=0)
    sigma: float = Field(gt=0)

    @model_validator(mode="after")
    def _positive_and_inside(self):
        if self.low <= 0:
            raise ValueError(f"low ({self.low}) must be above 0 for a lognormal")
        if not self.low <= self.median <= self.high:
            raise ValueError(f"median ({self.median}) must lie in [low, high] = [{self.low}, {self.high}]")
        return self

    @property
    def central(self) -> float:
        return self.median

    def ppf(self, u):
        mu = np.log(self.median)
        z = _truncated_standard_normal(u, (np.log(self.low) - mu) / self.sigma,
                                       (np.log(self.high) - mu) / self.sigma)
        return np.clip(np.exp(mu + self.sigma * z), self.low, self.high)


Distribution = Annotated[Uniform | Triangular | Normal | LogNormal, Field(discriminator="dist")]
DISTRIBUTIONS = ("uniform", "triangular", "normal", "lognormal")


def is_distribution(value) -> bool:
    return isinstance(value, _Bounded)


def central(value) -> float:
    """The point value used when a parameter is not drawn: a distribution's mode, mean or median."""
    return value.central if is_distribution(value) else value


def bounds(value) -> tuple[float, float]:
    """(low, high) of a distribution, or (v, v) for a point value."""
    return (value.low, value.high) if is_distribution(value) else (value, value)


def rng_for(seed: int, name: str) -> np.random.Generator:
    """The random stream of one parameter: the scenario seed and a stable hash of the name."""
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(name.encode())]))


def draw(value, n: int, seed: int, name: str) -> np.ndarray:
    """``n`` draws of one parameter (a point value is repeated ``n`` times)."""
    if is_distribution(value):
        return value.sample(rng_for(seed, name), n)
    return np.full(n, float(value))


def data_range(value: float, low: float, high: float):
    """A data row's value and range as a parameter value: triangular(low, value, high), or the value
    itself when the row gives no range (draw it with :func:`draw`, its point with :func:`central`)."""
    return Triangular(low=low, mode=value, high=high) if low < high else float(value)


def psd_cholesky(cov) -> np.ndarray:
    """Lower-triangular ``L`` with ``L @ L.T == cov`` for a positive semi-definite ``cov``, computed
    here in plain floating-point arithmetic (no LAPACK), so it is the same on every machine.

    Unlike an eigen-decomposition, whose eigenvectors' signs depend on the LAPACK build, the
    Cholesky factor is unique (positive diagonal). A direction with no variance (a pivot at or
    below ``1e-12`` of its diagonal, as when two estimates share one source of error) gets a zero
    column, so a singular covariance is drawn in its rank-deficient form.
    """
    cov = np.asarray(cov, dtype=float)
    k = cov.shape[0]
    if cov.shape != (k, k) or not np.allclose(cov, cov.T, rtol=1e-10, atol=0.0):
        raise ValueError(f"need a symmetric square covariance; got shape {cov.shape}")
    low = [[0.0] * k for _ in range(k)]
    for j in range(k):
        pivot = float(cov[j, j]) - sum(low[j][m] * low[j][m] for m in range(j))
        if pivot < -1e-9 * max(float(cov[j, j]), 1e-300):
            raise ValueError(f"covariance is not positive semi-definite (pivot {pivot:.3g} in row {j})")
        if pivot <= 1e-12 * float(cov[j, j]):
            continue  # no variance left in this direction: a zero column
        low[j][j] = math.sqrt(pivot)
        for i in range(j + 1, k):
            low[i][j] = (float(cov[i, j]) - sum(low[i][m] * low[j][m] for m in range(j))) / low[j][j]
    return np.array(low)


def multivariate_normal(rng: np.random.Generator, mean, cov, n: int) -> np.ndarray:
    """``n`` draws (n, k) of a normal with ``mean`` and (possibly singular) ``cov``.

    ``mean + z L'`` with ``z`` standard normal from ``rng`` and ``L`` from :func:`psd_cholesky`,
    summed column by column in a fixed order (no BLAS call, whose kernels differ by CPU), so the
    same seed gives the same draws on every machine and build.
    """
    mean = np.asarray(mean, dtype=float)
    factor = psd_cholesky(cov)
    z = rng.standard_normal((n, len(mean)))
    out = np.empty_like(z)
    for i in range(len(mean)):
        column = np.full(n, mean[i])
        for j in range(i + 1):
            if factor[i, j] != 0.0:
                column = column + factor[i, j] * z[:, j]
        out[:, i] = column
    return out


def interval(samples: np.ndarray, axis: int = 0) -> dict[str, np.ndarray | float]:
    """p05, p50 and p95 of ``samples`` along ``axis``."""
    qs = np.percentile(samples, list(PERCENTILES.values()), axis=axis)
    return {k: (float(q) if np.ndim(q) == 0 else q) for k, q in zip(PERCENTILES, qs)}


# --- sensitivity: what moves a metric --------------------------------------------------------------
# The functions below take ``evaluate``: a callable from {parameter: (n,) array} to
# {metric: (n,) array}, so they work for any vectorised model (see econ.sweep.MODELS).

FAN_PERCENTILES = (5, 25, 50, 75, 95)


def fan(samples: np.ndarray, periods) -> dict[str, np.ndarray]:
    """p05, p25, p50, p75 and p95 over draws (axis 0) of a (n, T) array, for a fan chart."""
    qs = np.percentile(samples, FAN_PERCENTILES, axis=0)
    return {"period": np.asarray(periods), **{f"p{p:02d}": q for p, q in zip(FAN_PERCENTILES, qs)}}


def one_at_a_time(evaluate, base: dict[str, float], ranges: dict[str, tuple[float, float]]) -> list[dict]:
    """Tornado rows: each parameter moved alone to the low and high ends of its range.

    ``base`` gives every parameter's value (the scenario's central values); ``ranges`` the
    (low, high) of the parameters to move. All 1 + 2 k points (:func:`one_at_a_time_points`) go to
    ``evaluate`` in one call; :func:`one_at_a_time_rows` reads the answer.
    """
    return one_at_a_time_rows(evaluate(one_at_a_time_points(base, ranges)), ranges)


def one_at_a_time_points(base: dict[str, float], ranges: dict[str, tuple[float, float]]) -> dict[str, np.ndarray]:
    """The 1 + 2 k points of a tornado: the base, then each parameter of ``ranges`` at its low and high end."""
    n = 1 + 2 * len(ranges)
    points = {k: np.full(n, float(v)) for k, v in base.items()}
    for i, name in enumerate(ranges):
        points[name][1 + 2 * i], points[name][2 + 2 * i] = ranges[name]
    return points


def one_at_a_time_rows(out: dict[str, np.ndarray], ranges: dict[str, tuple[float, float]]) -> list[dict]:
    """One row per metric of ``out`` (its values at :func:`one_at_a_time_points`) and parameter, with the
    metric at the base, low and high points and the swing |high - low|."""
    names = list(ranges)
    rows = []
    for metric, y in out.items():
        for i, name in enumerate(names):
            low, high = y[1 + 2 * i], y[2 + 2 * i]
            rows.append({"metric": metric, "parameter": name, "low": ranges[name][0], "high": ranges[name][1],
                         "base": float(y[0]), "at_low": float(low), "at_high": float(high),
                         "swing": float(abs(high - low))})
    return rows


def saltelli_unit(k: int, n_base: int, seed: int = 0) -> np.ndarray:
    """Saltelli's design on [0, 1]^k, (n_base * (k + 2), k), exactly as SALib's ``sobol.sample(problem,
    n_base, calc_second_order=False, scramble=True, seed=seed)`` on the unit hypercube, built by array
    copies instead of SALib's loop over every element: a scrambled Sobol' sequence of 2k dimensions (its
    first k columns the matrix A, its last k the matrix B) gives each base row k + 2 runs in SALib's order,
    A, AB_1 ... AB_k (A with column j from B), B."""
    from scipy.stats import qmc

    if k < 1:
        raise ValueError(f"need at least one parameter; got {k}")
    base = qmc.Sobol(d=2 * k, scramble=True, seed=seed).random(n_base)
    a, b = base[:, :k], base[:, k:]
    runs = np.repeat(a[:, None, :], k + 2, axis=1)                  # (N, k + 2, k): every run starts as A
    columns = np.arange(k)
    runs[:, 1 + columns, columns] = b                                 # AB_j: column j from B
    runs[:, k + 1, :] = b
    return runs.reshape(n_base * (k + 2), k)


def saltelli_design(distributions: dict, n_base: int, seed: int = 0) -> dict[str, np.ndarray]:
    """:func:`saltelli_unit` mapped through each distribution's quantile function: {parameter: (n_base *
    (k + 2),)}; the unit points kept off 0 and 1 by 1e-12 (a truncated normal's quantile there is its bound)."""
    names = list(distributions)
    u = np.clip(saltelli_unit(len(names), n_base, seed), 1e-12, 1 - 1e-12)
    return {name: distributions[name].ppf(u[:, j]) for j, name in enumerate(names)}


def sobol(evaluate, distributions: dict, n_base: int = 1024, seed: int = 0, conf_level: float = 0.95) -> list[dict]:
    """First-order and total Sobol indices of each metric over independent ``distributions``.

    One Sobol' design (Saltelli's scheme as SALib samples it: ``n_base`` * (k + 2) model runs for k
    parameters, scrambled, on the unit hypercube, mapped through each distribution's quantile
    function; :func:`saltelli_design`), evaluated in one call, then :func:`sobol_rows` for every metric
    at once. A metric that does not vary gets indices of zero.
    """
    return sobol_rows(evaluate(saltelli_design(distributions, n_base, seed)), list(distributions), n_base, seed,
                      conf_level)


def sobol_rows(out: dict[str, np.ndarray], names: list[str], n_base: int, seed: int = 0,
               conf_level: float = 0.95) -> list[dict]:
    """Rows of :func:`sobol` from the metrics ``out`` ({metric: (n_base * (k + 2),)}) of the design over
    the parameters ``names``: one per metric and parameter, with S1, ST and their confidence half-widths."""
    metrics = list(out)
    if not metrics:
        return []
    ys = np.stack([np.asarray(out[m], dtype=float) for m in metrics], axis=1)
    res = sobol_indices(ys, len(names), n_base, seed, conf_level)
    return [{"metric": metric, "parameter": name, "S1": float(res["S1"][j, i]), "S1_conf": float(res["S1_conf"][j, i]),
             "ST": float(res["ST"][j, i]), "ST_conf": float(res["ST_conf"][j, i]), "n_base": n_base,
             "evaluations": len(ys)}
            for i, metric in enumerate(metrics) for j, name in enumerate(names)]


#: Bootstrap resamples behind each index's confidence interval (SALib's default).
SOBOL_RESAMPLES = 100


def sobol_indices(ys: np.ndarray, k: int, n_base: int, seed: int = 0, conf_level: float = 0.95,
                  resamples: int = SOBOL_RESAMPLES) -> dict[str, np.ndarray]:
    """Sobol indices of M metrics at once from the runs of one Saltelli design.

    ``ys`` is (n_base * (k + 2), M) in SALib's order (each base row: A, AB_1 ... AB_k, B). First order
    by Saltelli et al. (2010), total by Jansen (1999), each normalised by the variance of A and B, as
    SALib's ``sobol.analyze``; confidence half-widths at ``conf_level`` from ``resamples`` bootstrap
    resamples of the base rows, drawn as SALib draws them for the same ``seed``. Every metric and
    parameter in a few matrix products instead of a loop: the bootstrap means are ``counts' @ values``
    with ``counts`` the number of times each base row is drawn in each resample.

    Returns S1, S1_conf, ST, ST_conf, each (k, M); zero for a metric that does not vary.
    """
    from scipy.stats import norm

    ys = np.asarray(ys, dtype=float)
    n, m = n_base, ys.shape[1]
    if ys.shape[0] != n * (k + 2):
        raise ValueError(f"expected {n * (k + 2)} runs for n_base {n} and {k} parameters; got {ys.shape[0]}")
    spread = np.ptp(ys, axis=0)
    flat = spread <= 1e-12 * np.maximum(1.0, np.abs(ys).max(axis=0))
    scale = np.where(flat, 1.0, ys.std(axis=0))
    ys = (ys - ys.mean(axis=0)) / scale                      # as SALib standardises: same indices, steadier sums
    runs = ys.reshape(n, k + 2, m)
    a, b, ab = runs[:, 0, :], runs[:, k + 1, :], runs[:, 1:k + 1, :]          # (n, M), (n, M), (n, k, M)
    first = b[:, None, :] * (ab - a[:, None, :])                               # (n, k, M)
    total = 0.5 * (a[:, None, :] - ab) ** 2

    def ratio(num, var):
        return np.divide(num, var, out=np.zeros(np.broadcast(num, var).shape), where=var > np.finfo(float).eps)

    both = np.concatenate([a, b])
    var = both.var(axis=0)                                                     # (M,)
    out = {"S1": ratio(first.mean(axis=0), var), "ST": ratio(total.mean(axis=0), var)}
    picks = np.random.default_rng(seed).integers(n, size=(n, resamples))  # seed 0 too: same inputs, same numbers
    counts = np.zeros((n, resamples))
    np.add.at(counts, (picks, np.arange(resamples)[None, :]), 1.0)
    counts = counts.T / n                                                      # (R, n): bootstrap weights
    mean_ab = counts @ (a + b)
    var_r = (counts @ (a * a + b * b)) / 2 - (mean_ab / 2) ** 2                # (R, M): variance of A[r] and B[r]
    z = norm.ppf(0.5 + conf_level / 2)
    for key, values in (("S1", first), ("ST", total)):
        boot = ratio((counts @ values.reshape(n, k * m)).reshape(resamples, k, m), var_r[:, None, :])
        out[f"{key}_conf"] = z * boot.std(axis=0, ddof=1)
    for key in out:
        out[key][:, flat] = 0.0
    return out
