"""data/backtest.csv: the published figures the model is scored against, and what each one is.

Each row names the model quantity it checks (``quantity``), the scenario that stands for it, and two
labels that decide whether it may count in the headline score:

``kind``      outcome (something that happened and was measured), estimate (someone's estimate of an
              effect, made at the time) or plan (a target);
``relation``  the figure's relation to the model: clean (used nowhere in the model), fitted (an input
              or fit target: listed, never scored), same_source (from the source a fit used),
              seeded (a judgement seed was set from it) or hindsight (a setting was chosen after
              looking at it); ``relation_note`` says why in words.

Only clean outcomes count in the headline; every other scored row is shown, labelled, in its own
table. A scenario setting or parameter changed after looking at a scored figure makes that figure
``hindsight`` (and the commit that changes it says so). ``family`` groups the figures for the
per-family scores. Quantities:

``metric:NAME``                      a headline figure of the world (results.json)
``share:VENDOR:GROUP``               share of new contracts in a region or aggregate, in ``year``
``installed_share:V1+V2:GROUP``      share of the installed base, in ``year``
``huawei_revenue:BUSINESS``          Huawei's carrier or consumer revenue, in ``year`` (CNY bn)
``huawei_units:phones``              Huawei's phone shipments, in ``year`` (million units)
``operator_capex:OPERATOR``          a Russian operator's capex in ``year``, nominal (RUB bn)
``at_risk:E1+E2:PART``               revenue at risk of some supplier economies (total, direct or
                                     indirect), USD bn
"""

from __future__ import annotations

import pandas as pd

from econ import data
from econ.data.schemas import BACKTEST_FAMILIES, BACKTEST_KINDS, BACKTEST_RELATIONS
from econ.errors import InputError, suggest

FILE = "data/backtest.csv"
QUANTITIES = ("metric", "share", "installed_share", "huawei_revenue", "huawei_units", "operator_capex", "at_risk")
#: The closed lists are declared once, with the file's schema.
KINDS, RELATIONS, FAMILIES = BACKTEST_KINDS, BACKTEST_RELATIONS, BACKTEST_FAMILIES
#: How a reader sees each relation.
RELATION_WORDS = {"clean": "clean", "fitted": "fitted to", "same_source": "same source as a fit",
                  "seeded": "seeded from", "hindsight": "set with hindsight"}


def figures() -> pd.DataFrame:
    """data/backtest.csv, validated (kinds, relations and families are closed lists)."""
    return data.load("backtest")


def headline(table: pd.DataFrame) -> pd.Series:
    """Whether each row counts in the headline score: a clean outcome."""
    return (table["kind"] == "outcome") & (table["relation"] == "clean")


def scored(table: pd.DataFrame) -> pd.Series:
    """Whether each row is scored at all (everything but fitted inputs)."""
    return table["relation"] != "fitted"


def standing(row) -> str:
    """A row's standing in words: 'clean outcome', 'estimate', 'plan', or the relation that keeps it out."""
    if row["kind"] != "outcome":
        return row["kind"]
    return "clean outcome" if row["relation"] == "clean" else RELATION_WORDS[row["relation"]]


def check(table: pd.DataFrame) -> None:
    """Every scored row names a known quantity, a shipped scenario and a value; every row a reason; every
    clean outcome has a record before 2020 for the naive forecasts to start from (or it would be
    left out of the headline unseen)."""
    from econ.backtest import naive
    from econ.scenario import scenario_names

    problems = []
    names = scenario_names()
    for i, r in table.iterrows():
        line = f"line {i + 2}"
        if not str(r["relation_note"]).strip() or pd.isna(r["relation_note"]):
            problems.append((FILE, f"column 'relation_note', {line}", "say in words why the figure is "
                             f"{r['relation']} (every row gives its reason)"))
        if r["relation"] == "fitted":
            continue
        quantity = r["quantity"].split(":")[0]
        if quantity not in QUANTITIES:
            problems.append((FILE, f"column 'quantity', {line}", f"{r['quantity']!r}: the quantity must start "
                             f"with one of {', '.join(QUANTITIES)}{suggest(quantity, QUANTITIES)}"))
        if r["scenario"] not in names:
            problems.append((FILE, f"column 'scenario', {line}", f"{r['scenario']!r} is not a shipped scenario"
                             f"{suggest(r['scenario'], names)}"))
        if pd.isna(r["value"]):
            problems.append((FILE, f"column 'value', {line}", "a scored figure needs a value"))
        # Shares start persistence from the model's 2019 base year where none is published; other
        # quantities need their own record.
        clean = r["kind"] == "outcome" and r["relation"] == "clean"
        if clean and quantity not in ("share", "installed_share") and naive.record(r["quantity"]) is None:
            problems.append((FILE, f"column 'relation', {line}", f"{r['figure_id']} is a clean outcome but nothing "
                             f"before 2020 gives {r['quantity']!r} a naive forecast: mark it with another relation "
                             "or add its record to data/"))
    if problems:
        raise InputError(problems)


__all__ = ["FAMILIES", "FILE", "KINDS", "QUANTITIES", "RELATIONS", "RELATION_WORDS", "check", "figures",
           "headline", "scored", "standing"]
