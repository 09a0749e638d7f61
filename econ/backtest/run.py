"""Run the back-test: assess each scenario the table names once, score the model and the naive
forecasts against every scored figure, and rewrite docs/backtest.md."""

from __future__ import annotations

import pandas as pd

from econ import paths
from econ.backtest import naive, quantities, table
from econ.backtest import scores as scoring
from econ.backtest.results import Backtest
from econ.errors import InputError
from econ.model import world
from econ.scenario import load_scenario


def _figure_row(r) -> dict:
    return {"figure": r.figure_id, "year": int(r.year), "published": r.value, "unit": r.unit,
            "scenario": r.scenario, "quantity": r.quantity, "kind": r.kind, "relation": r.relation,
            "relation_note": r.relation_note, "family": r.family, "source_id": r.source_id,
            "quality": r.quality, "note": r.note, "standing": table.standing(r._asdict())}


def _score_rows(result: world.World, r) -> list[dict]:
    """The model's and each naive forecast's scores of one figure."""
    rows = [{"figure": r.figure_id, "forecast": "model", "basis": f"the linked model, scenario {r.scenario}",
             **scoring.score(quantities.draws(result, r.quantity, int(r.year)), r.value)}]
    record = naive.record(r.quantity, quantities.base_year(result, r.quantity))
    for method, forecast in naive.forecasts(record, int(r.year)).items():
        rows.append({"figure": r.figure_id, "forecast": method, "basis": forecast.basis,
                     **scoring.score(forecast.draws(), r.value)})
    return rows


def run(draws: int = 4000, figures: pd.DataFrame | None = None) -> Backtest:
    """Score every figure of data/backtest.csv that is not a fitted input (one scenario's world at a time)."""
    figures = table.figures() if figures is None else figures
    table.check(figures)
    rows = pd.DataFrame([_figure_row(r) for r in figures.itertuples()])
    rows = rows.assign(headline=table.headline(figures).to_numpy(), scored=table.scored(figures).to_numpy())
    scored, result, current = [], None, None
    for r in sorted(figures[table.scored(figures)].itertuples(), key=lambda r: (r.scenario, r.Index)):
        if r.scenario != current:
            result = None  # let the last scenario's world go before the next is built
            result, current = world.assess(load_scenario(r.scenario), draws), r.scenario
        scored += _score_rows(result, r)
    order = {f: i for i, f in enumerate(figures["figure_id"])}
    frame = pd.DataFrame(scored).sort_values("figure", key=lambda s: s.map(order), kind="stable")
    return Backtest(rows, frame.reset_index(drop=True))


#: docs/backtest.md's generated part lies between these markers (``python -m econ.backtest`` rewrites it).
MARKERS = ("<!-- backtest:begin (python -m econ.backtest rewrites this part) -->", "<!-- backtest:end -->")
#: Draws the documented table is made with: the notebooks' default, so docs/backtest.md shows what notebook
#: 05 publishes (the back-test test runs 2,000 draws against its committed level).
DOC_DRAWS = 10_000


def write_doc(test: Backtest, path=None) -> str:
    """Rewrite the generated part of docs/backtest.md from ``test``; returns the new text."""
    from econ.backtest import text

    path = path or paths.ROOT / "docs" / "backtest.md"
    old = path.read_text()
    begin, end = MARKERS
    if begin not in old or end not in old:
        raise InputError.single(paths.relative(path), "", f"the markers {begin} and {end} are missing")
    head, rest = old.split(begin, 1)
    new = head + begin + "\n" + text.markdown(test) + end + rest.split(end, 1)[1]
    path.write_text(new)
    return new


def main(draws: int = DOC_DRAWS) -> None:
    """``python -m econ.backtest``: print the scores and rewrite docs/backtest.md."""
    from econ.backtest import text

    test = run(draws)
    print(text.console(test))
    write_doc(test)
    print(f"rewrote {paths.relative(paths.ROOT / 'docs' / 'backtest.md')}")


__all__ = ["DOC_DRAWS", "MARKERS", "main", "run", "write_doc"]
