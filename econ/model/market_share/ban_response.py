"""How do buyers respond when Chinese vendors are restricted? A difference-in-differences estimate.

The market-share stage moves Huawei's and ZTE's attractiveness to radio buyers outside China from
the rule's year by a shift drawn from this estimate (times ``sanctions_penalty_scale``).
:class:`BanResponse` fits, on the Chinese vendors' share of each European country's radio network
before and after the 2020 restrictions (data/europe_5g_vendor_panel.csv, Strand Consult's counts)::

    logit E[share_ct] = a_c + g_t + delta * decided_ct

a fractional logit (Papke and Wooldridge 1996: binomial GLM, logit link) with a fixed effect for
each country (its level, whatever it measures), one for each wave (what changed for every country:
the US rules, the move from 4G to 5G, 5G timing) and ``decided`` = 1 from the first wave after the
country's government restricted Chinese vendors (the event named in the panel, dated in
data/sanctions_timeline.csv). ``delta`` is the change in the Chinese vendors' log-odds where a
government restricted them, against countries whose government did not: the buyers' response to a
restriction, with untreated countries as controls. Identification: parallel trends in log-odds
between treated and untreated countries from the 2020 to the 2022 wave.

Standard errors are clustered by country (few clusters: the statsmodels small-sample correction)
and checked by exact randomization inference: ``delta`` against its value under every assignment of
the same number of treated countries. The stage draws the shift from a Student t with clusters - 1
degrees of freedom around ``delta`` with the clustered standard error (the estimate may be zero or
positive: buyers brought purchases forward before restrictions bit). The wave effect is not
attributed to the rules: it mixes them with the 4G-to-5G change.

Two waves cannot show whether the response fades; Dell'Oro's single-year vendor estimate
(:mod:`~econ.model.market_share.penalty`, no untreated group) is kept beside it as a comparison.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from econ import data, uncertainty
from econ.errors import InputError, suggest

PANEL = "europe_5g_vendor_panel"
#: Date each wave measures: Strand's 2020 count is of networks at the end of 2019; its Dec 2022
#: report is of the second quarter of 2022.
WAVE_DATES = {2020: pd.Timestamp("2019-12-31"), 2022: pd.Timestamp("2022-06-30")}


@dataclass(frozen=True)
class BanResponseResults:
    """Fitted difference-in-differences; keeps the statsmodels result for ``summary()``."""

    result: object
    frame: pd.DataFrame
    randomization_p: float
    assignments: int

    @property
    def delta(self) -> float:
        """Change in the Chinese vendors' log-odds where a government restricted them."""
        return float(self.result.params["decided"])

    @property
    def std_error(self) -> float:
        return float(self.result.bse["decided"])

    @property
    def clusters(self) -> int:
        return int(self.frame["country"].nunique())

    @property
    def treated(self) -> list[str]:
        return sorted(self.frame.loc[self.frame["decided"] > 0, "country"].unique())

    def summary(self):
        return self.result.summary(title="Fractional logit, country and wave effects: Chinese vendors' share")

    def table(self) -> pd.DataFrame:
        """One row: the estimate, its clustered standard error, 90% interval (Student t, clusters - 1
        degrees of freedom, as drawn), randomization p and sample."""
        half = stats.t.ppf(0.95, self.clusters - 1) * self.std_error
        low, high = self.delta - half, self.delta + half
        return pd.DataFrame([{"effect": "restriction by the buyers' government (log-odds)", "estimate": self.delta,
                              "std_error": self.std_error, "ci90_low": low, "ci90_high": high,
                              "randomization_p": self.randomization_p, "assignments": self.assignments,
                              "countries": self.clusters, "treated": ", ".join(self.treated),
                              "observations": len(self.frame)}])

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` draws of the shift: Student t with clusters - 1 degrees of freedom."""
        return self.delta + self.std_error * rng.standard_t(self.clusters - 1, n)


class BanResponse:
    """The difference-in-differences of :mod:`econ.model.market_share.ban_response` on a country panel.

    Parameters
    ----------
    panel : DataFrame
        Columns country, year, chinese_share, decision_event (as data/europe_5g_vendor_panel.csv).
    timeline : DataFrame
        Columns event_id, date (as data/sanctions_timeline.csv): the decisions' dates.
    """

    def __init__(self, panel: pd.DataFrame, timeline: pd.DataFrame):
        frame = panel.copy()
        file = f"data/{PANEL}.csv"
        unknown = sorted(set(frame["year"]) - set(WAVE_DATES))
        if unknown:
            raise InputError.single(file, "year", f"{unknown[0]} is not a wave; allowed: {sorted(WAVE_DATES)}")
        dup = frame[frame.duplicated(["country", "year"])]
        if not dup.empty:
            raise InputError.single(file, "country, year", f"{dup.iloc[0]['country']} {dup.iloc[0]['year']} appears twice")
        dates = dict(zip(timeline["event_id"], pd.to_datetime(timeline["date"].astype(str), format="mixed")))
        events = timeline.set_index("event_id")
        for event in frame["decision_event"].dropna().unique():
            if event not in dates:
                raise InputError.single(file, "decision_event", f"'{event}' is not an event_id of "
                                        f"data/sanctions_timeline.csv{suggest(event, list(dates))}")
            _check_event(file, event, events.loc[event], frame.loc[frame["decision_event"] == event, "country"])
        waves = frame.groupby("country")["year"].nunique()
        if (waves < 2).any():
            raise InputError.single(file, "country", f"{waves[waves < 2].index[0]} has one wave; each needs both")
        events_per_country = frame.groupby("country")["decision_event"].agg(lambda x: x.nunique(dropna=False))
        if (events_per_country > 1).any():
            raise InputError.single(file, "decision_event", f"{events_per_country[events_per_country > 1].index[0]}: "
                                    "give the same decision_event (or none) on each of the country's rows")
        when = frame["decision_event"].map(dates)
        frame["decided"] = (when.notna() & (when <= frame["year"].map(WAVE_DATES))).astype(float)
        if frame["decided"].sum() == 0 or frame["decided"].eq(0).groupby(frame["country"]).all().sum() == 0:
            raise InputError.single(file, "decision_event", "need treated and untreated countries after a decision")
        self.frame = frame.sort_values(["country", "year"]).reset_index(drop=True)

    def _exog(self, decided: pd.Series) -> pd.DataFrame:
        f = self.frame
        countries = pd.get_dummies(f["country"], dtype=float)
        later = pd.get_dummies(f["year"], dtype=float).iloc[:, 1:].add_prefix("wave_")
        return pd.concat([countries, later, decided.rename("decided")], axis=1)

    def _fit(self, decided: pd.Series, cluster: bool):
        model = sm.GLM(self.frame["chinese_share"].to_numpy(), self._exog(decided), family=sm.families.Binomial())
        if cluster:
            groups = pd.factorize(self.frame["country"])[0]
            return model.fit(cov_type="cluster", cov_kwds={"groups": groups})
        return model.fit()

    def fit(self, randomization: bool = True) -> BanResponseResults:
        f = self.frame
        result = self._fit(f["decided"], cluster=True)
        if not randomization:
            return BanResponseResults(result, f, float("nan"), 0)
        # Exact randomization inference: every assignment of as many treated countries, treated from
        # the later wave (as the observed ones are).
        countries = sorted(f["country"].unique())
        treated = f.loc[f["decided"] > 0, "country"].nunique()
        later = f["year"] == max(WAVE_DATES)
        observed = abs(float(result.params["decided"]))
        draws = []
        for chosen in itertools.combinations(countries, treated):
            decided = (f["country"].isin(chosen) & later).astype(float)
            draws.append(abs(float(self._fit(decided, cluster=False).params["decided"])))
        p = float(np.mean(np.array(draws) >= observed - 1e-12))
        return BanResponseResults(result, f, p, len(draws))


def _check_event(file: str, event: str, row: pd.Series, countries: pd.Series) -> None:
    """A decision is a ban or restriction of the country's own government that covers the radio network
    (its parts list names ran, or names no part), dated after the first wave."""
    parts = [] if pd.isna(row["parts"]) else str(row["parts"]).split(";")
    where = set(countries)
    if where != {row["jurisdiction"]}:
        raise InputError.single(file, "decision_event", f"'{event}' is {row['jurisdiction']}'s, not {sorted(where)[0]}'s")
    if row["event_type"] != "ban_5g" or (parts and "ran" not in parts):
        raise InputError.single(file, "decision_event", f"'{event}' is not a restriction of the radio network "
                                f"(event_type {row['event_type']}, parts {';'.join(parts) or 'all'}): allowed ban_5g "
                                "covering ran")
    if pd.to_datetime(str(row["date"]), format="mixed") <= min(WAVE_DATES.values()):
        raise InputError.single(file, "decision_event", f"'{event}' is dated before the first wave's "
                                f"{min(WAVE_DATES.values()).date()}: the country would be treated in both waves")


@functools.lru_cache(maxsize=1)
def estimate() -> BanResponseResults:
    """Fit :class:`BanResponse` on data/europe_5g_vendor_panel.csv and the timeline's dates."""
    return BanResponse(data.load(PANEL), data.load("sanctions_timeline")).fit()


def _readings() -> dict[str, pd.DataFrame]:
    """The panel under each reading of the data: as coded, Italy untreated (its radio decision was a
    conditional approval), Poland treated (a secondary list names it), and the coded ranges' ends for
    the shares reported as 'just over' or 'above' 50%."""
    panel = data.load(PANEL)
    ranged = panel["share_low"] < panel["share_high"]
    low = panel["chinese_share"].mask(ranged, panel["share_low"])
    high = panel["chinese_share"].mask(ranged, panel["share_high"])
    return {
        "as coded": panel,
        "Italy untreated": panel.assign(decision_event=panel["decision_event"].where(panel["country"] != "IT")),
        "Poland treated (pl_5g_restriction_2020)": panel.assign(decision_event=panel["decision_event"].mask(
            panel["country"] == "PL", "pl_5g_restriction_2020")),
        "ranged shares at their low ends": panel.assign(chinese_share=low),
        "ranged shares at their high ends": panel.assign(chinese_share=high),
    }


def sensitivity() -> pd.DataFrame:
    """The estimate under each reading of :func:`_readings`, with its randomization p."""
    timeline = data.load("sanctions_timeline")
    rows = []
    for name, frame in _readings().items():
        r = BanResponse(frame, timeline).fit()
        rows.append({"reading": name, "estimate": r.delta, "std_error": r.std_error,
                     "randomization_p": r.randomization_p, "treated": ", ".join(r.treated)})
    return pd.DataFrame(rows)


@functools.lru_cache(maxsize=1)
def _fits() -> tuple[BanResponseResults, ...]:
    timeline = data.load("sanctions_timeline")
    return tuple(BanResponse(frame, timeline).fit(randomization=False) for frame in _readings().values())


def central() -> float:
    """The estimate as coded (without the randomization fits :func:`estimate` also runs)."""
    return _fits()[0].delta


def draws(seed: int, n: int) -> np.ndarray:
    """The shift's draws on the stage's own seeded stream: each draw takes one reading of the data
    (:func:`_readings`, equally likely) and a Student t around its estimate, so the coding's
    uncertainty is carried as well as the sampling error."""
    rng = uncertainty.rng_for(seed, "sanctions_shift")
    fits = _fits()
    which = rng.integers(0, len(fits), n)
    out = np.empty(n)
    for k, fit in enumerate(fits):
        out[which == k] = fit.draw(rng, int(np.sum(which == k)))
    return out
