"""Published figures of the same concept as a figure the workbook reports: its anchors.

A reader who sees a figure wants what was published about the same thing beside it, and why that
published figure is or is not a test of the model. The anchors are the rows of data/backtest.csv
whose quantity is the figure itself (``metric:NAME``) or, for a vendor's share of a region's market in
a year (``VENDOR_share_REGION_YEAR``), that share (``share:VENDOR:world_ex_china``). Each says what
kind of figure it is (what happened, an estimate made at the time, a plan) and whether the back-test
may score it (a clean outcome) or not (used to fit or set something, or not an outcome).
One definition for the front page's anchors line, the figure cards of every page and the flags.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import pandas as pd

#: What each kind of published figure is, in words.
KIND = {"outcome": "what happened", "estimate": "an estimate made at the time, not an outcome",
        "plan": "a plan, not an outcome"}
#: Who published an anchor, by figure_id, where its source id does not say it plainly.
PUBLISHER = {"uk_government_estimate": "UK government (2020), up to", "uk_enders_estimate": "Enders Analysis (2020)",
             "us_fcc_reviewed_cost": "FCC (2022)", "roadmap_base_stations_2024": "Russia's roadmap (2020), for 2024"}
#: Units of data/backtest.csv as a reader writes them after a number.
UNITS = {"usd_bn": "USD bn", "gbp_bn": "GBP bn", "cny_bn": "CNY bn", "rub_bn": "RUB bn", "thousand": "thousand"}
_SHARE = re.compile(r"(?P<vendor>[a-z_]+?)_share_ex_china_(?P<year>\d{4})")


@dataclass(frozen=True)
class Anchor:
    figure_id: str
    value: float
    unit: str
    year: int
    kind: str
    relation: str
    relation_note: str
    source_id: str

    @property
    def who(self) -> str:
        """Who published it: the workbook's name for it, else its source's publisher (data/sources.csv)."""
        return PUBLISHER.get(self.figure_id) or _publishers().get(self.source_id, self.source_id)

    @property
    def clean(self) -> bool:
        return self.relation == "clean"

    def value_words(self, shown) -> str:
        """The published value in its own unit ("18%", "5.0 USD bn", "10 thousand"). ``shown``: the
        report's number format (econ.findings.shown; passed in, so this module stays below findings)."""
        from econ import words

        if self.unit in ("share", "fraction"):
            return shown(self.value, "share")
        return f"{shown(self.value, '')} {UNITS.get(self.unit) or words.label(self.unit)}"

    def named(self, shown) -> str:
        """Who, when and what: "FCC (2022) 5.0 USD bn" (the year once, when the name has none)."""
        when = "" if "(" in self.who else f" ({self.year})"
        return f"{self.who}{when} {self.value_words(shown)}"

    def words(self, shown) -> str:
        """One sentence: who published what, what kind of figure it is and whether it tests the model."""
        if self.clean and self.kind == "outcome":
            test = "a clean outcome, scored by the back-test"
        elif self.clean:
            test = "scored beside the back-test, not in its headline"
        elif self.kind == "outcome":
            test = f"not a test of the model: {self.relation_note[:1].lower()}{self.relation_note[1:]}"
        else:
            test = "not a test of the model"
        return f"Published: {self.named(shown)}, {KIND.get(self.kind, self.kind)}; {test}."


@functools.lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    from econ import data

    return data.load("backtest")


@functools.lru_cache(maxsize=1)
def _publishers() -> dict[str, str]:
    from econ import data

    return data.sources().set_index("source_id")["publisher"].astype(str).to_dict()


def _rows(quantity: str, year: int | None) -> list[Anchor]:
    t = _table()
    hit = t[(t["quantity"] == quantity) & (t["value"].notna())]
    if year is not None:
        hit = hit[hit["year"] == year]
    return [Anchor(r.figure_id, float(r.value), str(r.unit), int(r.year), str(r.kind), str(r.relation),
                   str(r.relation_note), str(r.source_id)) for r in hit.itertuples()]


def of(metric: str) -> list[Anchor]:
    """The published figures of the same concept as ``metric`` (empty: none published)."""
    m = _SHARE.fullmatch(metric)
    if m:
        return _rows(f"share:{m['vendor']}:world_ex_china", int(m["year"]))
    return _rows(f"metric:{metric}", None)
