"""Proper scores of a forecast given as draws, against the published figure, on the log scale.

Figures in shares, roubles and yuan are scored together, so every score is taken on the natural log
of the figure (a relative error; Bosse et al. 2023, "Scoring epidemiological forecasts on transformed
scales"). For one forecast and one figure ``y``:

``covered_50`` / ``covered_90``  y inside the central 50% (p25-p75) / 90% (p05-p95) interval
``width_90``                     p95 / p05: the interval's width as a factor (sharpness)
``abs_log_error``                |log(median / y)|
``wis``                          the weighted interval score over the median and the 50% and 90%
                                 intervals (Bracher et al. 2021): lower is better
``crps``                         the continuous ranked probability score from the draws,
                                 E|X - y| - E|X - X'| / 2 (Gneiting and Raftery 2007): lower is better

Skill of the model over a naive forecast is ``1 - score(model) / score(naive)`` on the mean score
over the same figures: above 0 the model does better, 0 is no better, below 0 worse. Its range
resamples whole families of figures (a cluster bootstrap), since figures of one family move together.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LEVELS = {"p05": 5, "p25": 25, "p50": 50, "p75": 75, "p95": 95}
#: Resamples of the figures behind a skill's p05-p95 (paired: the same figures for both forecasts).
BOOTSTRAP = 2000
BOOTSTRAP_SEED = 20200515


def quantiles(draws: np.ndarray) -> dict[str, float]:
    qs = np.percentile(np.asarray(draws, dtype=float), list(LEVELS.values()))
    return dict(zip(LEVELS, map(float, qs)))


def crps(draws: np.ndarray, y: float) -> float:
    """CRPS of the draws' empirical distribution at ``y`` (both already on the scoring scale)."""
    x = np.sort(np.asarray(draws, dtype=float))
    n = len(x)
    spread = 2.0 * np.sum((2 * np.arange(1, n + 1) - n - 1) * x) / n**2  # E|X - X'|
    return float(np.mean(np.abs(x - y)) - spread / 2)


def interval_score(low: float, high: float, y: float, alpha: float) -> float:
    return (high - low) + (2 / alpha) * (max(low - y, 0.0) + max(y - high, 0.0))


def wis(q: dict[str, float], y: float) -> float:
    """Weighted interval score of the median and the 50% and 90% intervals (all on the scoring scale)."""
    parts = [0.5 * abs(q["p50"] - y),
             0.5 / 2 * interval_score(q["p25"], q["p75"], y, 0.5),
             0.1 / 2 * interval_score(q["p05"], q["p95"], y, 0.1)]
    return float(sum(parts) / (2 + 0.5))


def score(draws: np.ndarray, published: float) -> dict[str, float]:
    """Every score of one forecast of one published figure (positive quantities)."""
    q = quantiles(draws)
    logged = {k: float(np.log(v)) for k, v in q.items()}
    y = float(np.log(published))
    return {**q, "covered_50": float(q["p25"] <= published <= q["p75"]),
            "covered_90": float(q["p05"] <= published <= q["p95"]),
            "width_90": q["p95"] / q["p05"], "abs_log_error": abs(logged["p50"] - y),
            "wis": wis(logged, y), "crps": crps(np.log(np.asarray(draws, dtype=float)), y)}


def skill(model: pd.Series, naive: pd.Series) -> float:
    """1 - mean(model) / mean(naive), over the same figures."""
    return float(1 - model.mean() / naive.mean()) if len(model) and naive.mean() > 0 else float("nan")


def skill_interval(model: pd.Series, naive: pd.Series, clusters: pd.Series | None = None) -> tuple[float, float]:
    """p05-p95 of the skill when the figures are resampled with replacement (paired: the same figures
    for both forecasts). With ``clusters`` (a family per figure) whole clusters are resampled, as
    figures of one family move together (a cluster bootstrap)."""
    m, b = np.asarray(model, dtype=float), np.asarray(naive, dtype=float)
    groups = np.arange(len(m)) if clusters is None else pd.factorize(np.asarray(clusters))[0]
    k = groups.max() + 1 if len(groups) else 0
    if k < 2:
        return float("nan"), float("nan")
    sums_m, sums_b = np.bincount(groups, m, k), np.bincount(groups, b, k)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    index = rng.integers(0, k, (BOOTSTRAP, k))
    values = 1 - sums_m[index].sum(axis=1) / sums_b[index].sum(axis=1)
    low, high = np.percentile(values, [5, 95])
    return float(low), float(high)


__all__ = ["LEVELS", "crps", "interval_score", "quantiles", "score", "skill", "skill_interval", "wis"]
