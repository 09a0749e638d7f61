"""The back-test's results: one row per figure, one row per figure and forecast, and the summaries.

``figures``   one row per figure of data/backtest.csv: what it is (kind, relation, family, standing,
              headline) and, for scored figures, the published value.
``scores``    one row per scored figure and forecast (model, persistence, trend): quantiles p05-p95,
              coverage, width, absolute log error, WIS and CRPS (:mod:`econ.backtest.scores`) and,
              for naive forecasts, what they start from.

Headline figures are the clean outcomes. Summaries are taken over the figures every forecast
covers, overall and per family.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from econ.backtest import scores as scoring
from econ.backtest.naive import METHODS
from econ.backtest.table import FAMILIES
from econ.model.stage import Figure

FORECASTS = ("model", *METHODS)


def slug(family: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in family.lower().replace("'s", "")).strip("_").replace("__", "_")


@dataclass(frozen=True)
class Summary:
    """Scores of each forecast over one set of figures (all forecasts cover every figure in it)."""

    count: int
    by_forecast: pd.DataFrame      # index forecast: coverage_50, coverage_90, width_90, abs_log_error, wis, crps
    skill: dict[str, float]        # "persistence", "trend" (CRPS), "persistence_wis", "trend_wis"
    skill_interval: tuple[float, float]  # p05-p95 of the CRPS skill over persistence

    @classmethod
    def of(cls, frame: pd.DataFrame) -> Summary:
        rows = {}
        for name, g in frame.groupby("forecast"):
            rows[name] = {"coverage_50": g["covered_50"].mean(), "coverage_90": g["covered_90"].mean(),
                          "width_90": g["width_90"].median(), "abs_log_error": g["abs_log_error"].median(),
                          "wis": g["wis"].mean(), "crps": g["crps"].mean()}
        table = pd.DataFrame.from_dict(rows, orient="index").reindex(FORECASTS)
        wide = frame.pivot(index="figure", columns="forecast", values=["crps", "wis"])
        skill = {}
        for naive in METHODS:
            skill[naive] = scoring.skill(wide["crps"]["model"], wide["crps"][naive])
            skill[f"{naive}_wis"] = scoring.skill(wide["wis"]["model"], wide["wis"][naive])
        families = frame.drop_duplicates("figure").set_index("figure")["family"].reindex(wide.index)
        interval = scoring.skill_interval(wide["crps"]["model"], wide["crps"]["persistence"], families)
        return cls(int(frame["figure"].nunique()), table, skill, interval)


@dataclass(frozen=True)
class Backtest:
    figures: pd.DataFrame
    scores: pd.DataFrame

    def _complete(self, which: pd.Series) -> pd.DataFrame:
        """Scores of the selected figures that every forecast covers."""
        names = set(self.figures.loc[which, "figure"])
        s = self.scores[self.scores["figure"].isin(names)]
        s = s.merge(self.figures[["figure", "family"]], on="figure")
        covered = s.groupby("figure")["forecast"].nunique()
        return s[s["figure"].isin(covered[covered == len(FORECASTS)].index)]

    @property
    def headline(self) -> pd.DataFrame:
        return self.figures[self.figures["headline"]]

    @property
    def others(self) -> pd.DataFrame:
        """Scored figures that stay out of the headline, with the reason."""
        return self.figures[self.figures["scored"] & ~self.figures["headline"]]

    @property
    def fitted(self) -> pd.DataFrame:
        return self.figures[~self.figures["scored"]]

    def overall(self) -> Summary:
        return Summary.of(self._complete(self.figures["headline"]))

    def by_family(self) -> dict[str, Summary | None]:
        """Each family's summary, None where it has no clean outcome (its skill cannot be measured)."""
        out = {}
        for family in FAMILIES:
            frame = self._complete(self.figures["headline"] & (self.figures["family"] == family))
            out[family] = Summary.of(frame) if len(frame) else None
        return out

    def without(self, family: str) -> Summary:
        """The headline summary leaving one family out (how much one family carries the skill)."""
        return Summary.of(self._complete(self.figures["headline"] & (self.figures["family"] != family)))

    def metrics(self) -> dict[str, float]:
        """The back-test's figures for results.json, over the clean outcomes (see :meth:`figures_out`)."""
        return {f.metric: f.median for f in self.figures_out()}

    def figures_out(self) -> list[Figure]:
        """What results.json records: the headline over clean outcomes, per family, and the legacy keys."""
        o = self.overall()
        model = o.by_forecast.loc["model"]
        low, high = o.skill_interval

        def fig(metric, label, unit, value, p05=None, p95=None):
            return Figure(metric, label, unit, "World", None, float(value), p05, p95)

        found = [
            fig("backtest_scored", "Clean outcomes scored (the headline set; until the back-test labelled its "
                "figures, every scored figure)", "figures", o.count),
            fig("backtest_inside_share", "Clean outcomes inside the model's p05-p95 (its 90% coverage)", "fraction",
                model["coverage_90"]),
            fig("backtest_median_abs_log_ratio", "Typical distance of the model's median from a clean outcome "
                "(median absolute log ratio)", "log ratio", model["abs_log_error"]),
            fig("backtest_not_clean", "Scored figures left out of the headline (not clean outcomes)", "figures",
                len(self.others)),
            fig("backtest_skill_persistence", "Skill over persistence ('nothing changed since 2019'), CRPS",
                "skill", o.skill["persistence"], low, high),
            fig("backtest_skill_trend", "Skill over the pre-2020 trend, CRPS", "skill", o.skill["trend"]),
            fig("backtest_skill_persistence_wis", "Skill over persistence, weighted interval score", "skill",
                o.skill["persistence_wis"]),
            fig("backtest_skill_trend_wis", "Skill over the pre-2020 trend, weighted interval score", "skill",
                o.skill["trend_wis"])]
        for forecast in FORECASTS:
            row = o.by_forecast.loc[forecast]
            who = "the model" if forecast == "model" else forecast
            found += [fig(f"backtest_coverage_50_{forecast}", f"Clean outcomes inside {who}'s 50% interval",
                          "fraction", row["coverage_50"]),
                      fig(f"backtest_coverage_90_{forecast}", f"Clean outcomes inside {who}'s 90% interval",
                          "fraction", row["coverage_90"]),
                      fig(f"backtest_width_90_{forecast}", f"Median width of {who}'s 90% interval (p95 / p05)",
                          "factor", row["width_90"]),
                      fig(f"backtest_crps_{forecast}", f"Mean CRPS of {who} (log scale)", "log score", row["crps"]),
                      fig(f"backtest_wis_{forecast}", f"Mean weighted interval score of {who} (log scale)",
                          "log score", row["wis"])]
        for family, s in self.by_family().items():
            key = slug(family)
            found.append(fig(f"backtest_clean_{key}", f"Clean outcomes scored: {family}", "figures",
                             s.count if s else 0))
            if s is None:
                continue
            found += [fig(f"backtest_skill_persistence_{key}", f"Skill over persistence, CRPS: {family}", "skill",
                          s.skill["persistence"]),
                      fig(f"backtest_skill_persistence_wis_{key}", f"Skill over persistence, WIS: {family}", "skill",
                          s.skill["persistence_wis"]),
                      fig(f"backtest_skill_trend_{key}", f"Skill over the pre-2020 trend, CRPS: {family}", "skill",
                          s.skill["trend"]),
                      fig(f"backtest_coverage_90_model_{key}", f"Clean outcomes inside the model's 90% interval: "
                          f"{family}", "fraction", s.by_forecast.loc["model", "coverage_90"])]
        return [f for f in found if np.isfinite(f.median)]


__all__ = ["Backtest", "FORECASTS", "Summary", "slug"]
