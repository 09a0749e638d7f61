"""The back-test: every published figure in data/backtest.csv beside the linked model's median and
p05-p95 under the scenario that stands for history, with a verdict.

A row names the model quantity it checks (``quantity``), the scenario, and whether the figure was
used to fit anything (``used_to_fit``): fitted figures are listed with what used them and never
scored. A scored figure is *inside* when it lies within the model's p05-p95; the ratio is the
model's median over the published figure. Quantities:

``metric:NAME``                      a headline metric of the world (results.json)
``share:VENDOR:GROUP``               share of new contracts in a region or aggregate, in ``year``
``installed_share:V1+V2:GROUP``      share of the installed base, in ``year``
``huawei_revenue:BUSINESS``          Huawei's carrier or consumer revenue, in ``year`` (CNY bn)
``operator_capex:OPERATOR``          a Russian operator's capex in ``year``, nominal (RUB bn)
``at_risk:E1+E2:PART``               revenue at risk of some supplier economies (total, direct or
                                     indirect), USD bn: S&P's universe of rated issuers is Taiwan,
                                     South Korea and Japan, not mainland China's mostly unrated suppliers

The scored share of figures inside their interval is recorded in results.json of notebook 05
(``backtest_inside_share``) and a test keeps it at or above the committed level
(tests/expected/backtest.json).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from econ import data, paths, uncertainty
from econ.errors import InputError
from econ.model import world
from econ.model.market_share import GROUPS, YEARS
from econ.model.market_share.choice import VENDORS
from econ.model.stage import Figure
from econ.scenario import load_scenario

FILE = "data/backtest.csv"
KINDS = ("metric", "share", "installed_share", "huawei_revenue", "operator_capex", "at_risk")


def _label(figure_id: str) -> str:
    from econ.words import label

    return label(figure_id)


def figures() -> pd.DataFrame:
    """data/backtest.csv, with ``used_to_fit`` as a boolean."""
    table = data.load("backtest")
    return table.assign(used_to_fit=table["used_to_fit"] == "true")


def check(table: pd.DataFrame) -> None:
    """Every scored row names a known kind of quantity, a shipped scenario and a value."""
    from econ.scenario import scenario_names

    problems = []
    names = set(scenario_names())
    for i, r in table[~table["used_to_fit"]].iterrows():
        line = f"line {i + 2}"
        kind = r["quantity"].split(":")[0]
        if kind not in KINDS:
            problems.append((FILE, f"column 'quantity', {line}",
                             f"{r['quantity']!r}: the kind must be one of {', '.join(KINDS)}"))
        if r["scenario"] not in names:
            problems.append((FILE, f"column 'scenario', {line}", f"{r['scenario']!r} is not a shipped scenario"))
        if pd.isna(r["value"]):
            problems.append((FILE, f"column 'value', {line}", "a scored figure needs a value"))
    if problems:
        raise InputError(problems)


def _draws(result: world.World, quantity: str, year: int) -> np.ndarray:
    """The model's draws of one quantity (n,)."""
    kind, *rest = quantity.split(":")
    if kind == "share" or kind == "installed_share":
        vendors, group = rest[0].split("+"), rest[1]
        shares = result["market_share"]._shares("new" if kind == "share" else "installed")
        cols = [VENDORS.index(v) for v in vendors]
        return shares[:, YEARS.index(year), GROUPS.index(group)][:, cols].sum(axis=-1)
    if kind == "huawei_revenue":
        return result["huawei"].outputs[f"{rest[0]}_cny_bn"][:, YEARS.index(year)]
    if kind == "at_risk":
        impact = result["revenue"]
        economies = [impact.chain.economies.index(e) for e in rest[0].split("+")]
        parts = {"direct": ("direct",), "indirect": ("complement", "upstream"),
                 "total": ("direct", "complement", "upstream")}[rest[1]]
        return sum(impact.risk[p][:, economies].sum(axis=(1, 2)) for p in parts)
    if kind == "operator_capex":
        needs = result["investment"]
        capex = needs.inputs.operator_capex.set_index("operator").at[rest[0], "capex_rub_bn"]
        return capex * (1 + needs.params["inflation_rate"]) ** (year - 2020)
    raise KeyError(quantity)


def _interval(result: world.World, quantity: str, year: int) -> dict:
    if quantity.startswith("metric:"):
        found = {f.metric: f for f in result.figures()}[quantity.removeprefix("metric:")]
        low, high = (found.p05, found.p95) if found.p05 is not None else (found.median, found.median)
        return {"p50": found.median, "p05": low, "p95": high}
    return uncertainty.interval(_draws(result, quantity, year))


def _edge(x: float, published: float) -> str:
    """``x`` to three significant figures, or as many more as it takes (up to six) not to print the
    published figure itself: a bound that just misses must not read as equal to the figure."""
    for digits in range(3, 7):
        text, ref = f"{x:,.{digits}g}", f"{published:,.{digits}g}"
        if text != ref or x == published:
            return text if abs(x) < 1000 or digits > 3 else f"{x:,.0f}"
    return text


def _verdict(r) -> str:
    """Inside, outside, or just outside with the bound that decides it."""
    if r.inside:
        return "inside"
    bound, side = (r.model_p05, "above") if r.published < r.model_p05 else (r.model_p95, "below")
    if abs(bound - r.published) <= 0.01 * abs(r.published):
        return f"just outside: the model's {'p05' if side == 'above' else 'p95'} is {_edge(bound, r.published)}"
    return "outside"


@dataclass(frozen=True)
class Backtest:
    """The scored table and the fitted figures, for the scenarios that stand for history."""

    table: pd.DataFrame

    @property
    def scored(self) -> pd.DataFrame:
        return self.table[self.table["status"] == "scored"]

    @property
    def fitted(self) -> pd.DataFrame:
        return self.table[self.table["status"] == "fitted"]

    def summary(self):
        """A reader's summary: how many figures were scored and how many lie inside the model's range."""
        from econ.findings import Findings

        m = self.metrics()
        frame = pd.DataFrame([
            {"figure": "Published figures scored", "median": m["backtest_scored"], "p05": None, "p95": None,
             "unit": "figures", "sentence": f"{m['backtest_scored']:.0f} published figures were scored."},
            {"figure": "Inside the model's p05-p95", "median": m["backtest_inside_share"], "p05": None, "p95": None,
             "unit": "share", "sentence": f"{100 * m['backtest_inside_share']:.0f}% lie inside the model's range."},
            {"figure": "Typical distance of the median from the figure", "median":
             100 * (np.exp(m["backtest_median_abs_log_ratio"]) - 1), "p05": None, "p95": None, "unit": "per cent",
             "sentence": f"The model's median is typically {100 * (np.exp(m['backtest_median_abs_log_ratio']) - 1):.0f}% "
             "from the published figure."}])
        return Findings(frame, "How the model compares with what was published")

    def chart_frame(self) -> pd.DataFrame:
        s = self.scored
        return pd.DataFrame({"label": s["figure"].map(_label) + " (" + s["year"].astype(str) + ")",
                             "ratio": s["ratio"], "low_ratio": s["model_p05"] / s["published"],
                             "high_ratio": s["model_p95"] / s["published"], "inside": s["inside"]})

    def scored_table(self) -> pd.DataFrame:
        s = self.scored
        return pd.DataFrame({"figure": s["figure"].map(_label), "year": s["year"], "published": s["published"],
                             "unit": s["unit"], "model median": s["model"], "model p05": s["model_p05"],
                             "model p95": s["model_p95"], "inside": s["inside"],
                             "verdict": [_verdict(r) for r in s.itertuples()], "model / published": s["ratio"],
                             "scenario": s["scenario"], "source": s["source_id"], "quality": s["quality"]})

    def fitted_table(self) -> pd.DataFrame:
        f = self.fitted
        return pd.DataFrame({"figure": f["figure"].map(_label), "year": f["year"], "used by": f["fitted_by"],
                             "source": f["source_id"], "note": f["note"]})

    def markdown(self) -> str:
        """The scored and fitted figures as Markdown tables (docs/backtest.md holds them)."""
        def num(x, published=None):
            return _edge(x, published) if published is not None else (f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}")

        m = self.metrics()
        lines = [f"{m['backtest_scored']:.0f} figures scored, {100 * m['backtest_inside_share']:.0f}% inside the "
                 f"model's p05-p95; the median is typically {100 * (np.exp(m['backtest_median_abs_log_ratio']) - 1):.0f}% "
                 "from the published figure.", "",
                 "| figure | year | scenario | published | model median [p05, p95] | inside | model / published |",
                 "|---|---|---|---|---|---|---|"]
        for r in self.scored.itertuples():
            unit = {"share": "", "usd_bn": " USD bn", "gbp_bn": " GBP bn", "cny_bn": " CNY bn", "rub_bn": " RUB bn",
                    "thousand": " thousand"}.get(r.unit, f" {r.unit}")
            lines.append(f"| {_label(r.figure)} | {r.year} | {r.scenario} | {num(r.published)}{unit} | "
                         f"{num(r.model)} [{num(r.model_p05, r.published)}, {num(r.model_p95, r.published)}] | "
                         f"{'yes' if r.inside else '**no**'} | "
                         f"{r.ratio:.2f} |")
        lines += ["", "Figures used to fit something, listed and not scored:", "",
                  "| figure | year | used by | source |", "|---|---|---|---|"]
        lines += [f"| {_label(r.figure)} | {r.year} | {r.fitted_by} | {r.source_id} |" for r in self.fitted.itertuples()]
        return "\n".join(lines) + "\n"

    def figures(self) -> list[Figure]:
        """What results.json records of the back-test: figures scored, the share inside, the typical distance."""
        m = self.metrics()
        return [Figure("backtest_scored", "Published figures scored", "figures", "World", None, m["backtest_scored"]),
                Figure("backtest_inside_share", "Published figures inside the model's p05-p95", "fraction", "World",
                       None, m["backtest_inside_share"]),
                Figure("backtest_median_abs_log_ratio", "Typical distance of the model's median from the figure "
                       "(absolute log ratio)", "log ratio", "World", None, m["backtest_median_abs_log_ratio"])]

    def metrics(self) -> dict[str, float]:
        """``backtest_scored`` (figures scored), ``backtest_inside_share`` (share inside p05-p95) and
        ``backtest_median_abs_log_ratio`` (typical distance of the median from the figure)."""
        s = self.scored
        return {"backtest_scored": float(len(s)), "backtest_inside_share": float(s["inside"].mean()) if len(s) else 0.0,
                "backtest_median_abs_log_ratio": float(np.median(np.abs(np.log(s["ratio"])))) if len(s) else 0.0}


def run(draws: int = 4000, table: pd.DataFrame | None = None) -> Backtest:
    """Assess each scenario the table names once and score every figure not used to fit anything."""
    table = figures() if table is None else table
    check(table)
    rows, result, current = {}, None, None
    # One scenario's world at a time (a world holds every stage's draws): rows grouped by scenario.
    order = sorted(range(len(table)), key=lambda i: (str(table.iloc[i]["scenario"]), i))
    for i in order:
        r = table.iloc[i]
        row = {"figure": r.figure_id, "year": r.year, "published": r.value, "unit": r.unit, "scenario": r.scenario,
               "quantity": r.quantity, "source_id": r.source_id, "quality": r.quality, "note": r.note}
        if r.used_to_fit:
            rows[i] = {**row, "status": "fitted", "fitted_by": r.fitted_by}
            continue
        if r.scenario != current:
            result = None  # let the last scenario's world go before the next is built
            result, current = world.assess(load_scenario(r.scenario), draws), r.scenario
        iv = _interval(result, r.quantity, int(r.year))
        inside = bool(iv["p05"] - 1e-9 <= r.value <= iv["p95"] + 1e-9)
        rows[i] = {**row, "status": "scored", "model": iv["p50"], "model_p05": iv["p05"], "model_p95": iv["p95"],
                   "inside": inside, "ratio": iv["p50"] / r.value if r.value else np.nan}
    return Backtest(pd.DataFrame([rows[i] for i in range(len(table))]))


#: docs/backtest.md's generated part lies between these markers (``python -m econ.backtest`` rewrites it).
MARKERS = ("<!-- backtest:begin (python -m econ.backtest rewrites this part) -->", "<!-- backtest:end -->")
#: Draws the documented table is made with: the notebooks' default, so docs/backtest.md shows what notebook
#: 05 publishes (the back-test test runs 2,000 draws against its committed level).
DOC_DRAWS = 10_000


def write_doc(path=None, draws: int = DOC_DRAWS) -> str:
    """Rewrite the generated part of docs/backtest.md; returns the new text."""
    path = path or paths.ROOT / "docs" / "backtest.md"
    text = path.read_text()
    begin, end = MARKERS
    if begin not in text or end not in text:
        raise InputError.single(paths.relative(path), "", f"the markers {begin} and {end} are missing")
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    new = head + begin + "\n" + run(draws).markdown() + end + tail
    path.write_text(new)
    return new


if __name__ == "__main__":
    write_doc()
    print("rewrote docs/backtest.md")

