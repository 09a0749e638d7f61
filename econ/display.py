"""What a reader sees of a table or a diagnostic: human labels, sensible rounding, no index column,
and developer output (statsmodels summaries, fit diagnostics) folded into a "technical details" block.

Objects returned here render as HTML in JupyterLab and on the published page, and as plain text
anywhere else. snake_case names stay in the CSV and JSON files; only what is shown is relabelled.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pandas as pd

from econ.findings import csv_link, rounded
from econ.scenario import Scenario, parameter_table
from econ.words import Note, label, note, parameter_label, parameter_meaning, shown_value, value_words, words  # noqa: F401
from econ.words import label as words_label


def _cell(value) -> str:
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return ""
        if float(value).is_integer() and abs(value) < 10_000 and abs(value) >= 1900:
            return str(int(value))  # a year
        return rounded(float(value), 3)
    if isinstance(value, str):
        return label(value) if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+|[a-z]+", value) else words(value)
    if value is None:
        return ""
    return str(value)


_SHARE_NAME = re.compile(r"(^|_)(share|fraction|probability|coverage)(_|$)")


def _is_share_column(column: pd.Series) -> bool:
    """A column of shares (by its name, numbers between -1 and 1.5): shown as per cent, never 0.0551."""
    return (bool(_SHARE_NAME.search(str(column.name))) and pd.api.types.is_float_dtype(column)
            and bool(column.dropna().between(-1.0, 1.5).all()))


def _percent(value) -> str:
    if value is None or (isinstance(value, float | np.floating) and np.isnan(value)):
        return ""
    v = 100 * float(value)
    return f"{v:.0f}%" if abs(v) >= 10 or v == 0 else f"{v:.1f}%"


class Table:
    """A frame as a reader's table: labelled columns, rounded numbers, no index, and a link that
    saves the frame itself (names and full precision, as in the CSV files) from the page."""

    def __init__(self, frame: pd.DataFrame, unit: str = "", caption: str = "", name: str = "table",
                 labels: dict | None = None, hide: tuple[str, ...] = ()):
        named = frame.index.names != [None] and not isinstance(frame.index, pd.RangeIndex)
        self.frame = frame.reset_index() if named else frame.reset_index(drop=True)
        self.unit, self.caption, self.name, self.labels, self.hide = unit, caption, name, labels or {}, hide

    def _label(self, column) -> str:
        return self.labels.get(column) or label(column)

    def _repr_html_(self) -> str:
        def kind(c):
            return "text" if self.frame[c].dtype == object or pd.api.types.is_string_dtype(self.frame[c]) else ""

        shown = self.frame[[c for c in self.frame.columns if c not in self.hide]]
        head = "".join(f'<th class="{kind(c)}">{html.escape(str(self._label(c)))}</th>' for c in shown.columns)
        percent = [_is_share_column(shown[c]) for c in shown.columns]
        rows = "".join("<tr>" + "".join(
            f'<td class="{"text" if isinstance(v, str) else ""}">{html.escape(_percent(v) if pc else _cell(v))}</td>'
            for v, pc in zip(r, percent)) + "</tr>" for r in shown.itertuples(index=False))
        caption = self.caption or (f"Money in {self.unit}" if self.unit else "")
        cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
        link = csv_link(self.frame, f"{self.name}.csv")
        return (f'<div class="scroll"><table class="econ-table">{cap}<thead><tr>{head}</tr></thead><tbody>{rows}'
                f'</tbody></table></div><p class="econ-table-tools">{link}</p>')

    def __repr__(self) -> str:
        shown = self.frame.copy()
        shown.columns = [label(c) for c in shown.columns]
        return shown.to_string(index=False)


def show(frame: pd.DataFrame, unit: str = "", caption: str = "", name: str = "table") -> Table:
    """``frame`` for a reader (see :class:`Table`); ``name`` names the CSV a reader saves."""
    return Table(frame, unit, caption, name)


def assumptions(scenario: Scenario, groups: tuple[str, ...] | None = None) -> Table:
    """Every assumption of the scenario (or of ``groups``) for a reader: what it is, its value and
    unit, the allowed range, and where it was set; the names stay in the CSV."""
    from econ.notebook import assumptions as table

    frame = table(scenario, groups)
    shown = pd.DataFrame({
        "parameter": frame["parameter"], "assumption": frame["meaning"], "group": frame["group"].map(label),
        "value": frame["value"].map(value_words), "unit": frame["unit"], "allowed range": frame["allowed range"],
        "set in": frame["set in"].map(lambda s: ", ".join(f.rsplit("/", 1)[-1] for f in s.split(", "))),
        "evidence": frame["evidence"]})
    return Table(shown, caption="Every assumption: its value in this scenario, the file that set it (an override "
                 "says so) and the evidence for it, or that it is a judgement", name="assumptions", hide=("parameter",))


class Technical:
    """A diagnostic (a statsmodels summary, a fit table) folded away under "Technical details"."""

    def __init__(self, obj, title: str = "Technical details"):
        self.obj, self.title = obj, title

    def _repr_html_(self) -> str:
        inner = self.obj._repr_html_() if hasattr(self.obj, "_repr_html_") else f"<pre>{html.escape(str(self.obj))}</pre>"
        if isinstance(self.obj, pd.DataFrame):
            inner = Table(self.obj)._repr_html_()
        return f'<details class="econ-technical"><summary>{html.escape(self.title)}</summary>{inner}</details>'

    def __repr__(self) -> str:
        return f"{self.title}:\n{self.obj}"


def technical(obj, title: str = "Technical details") -> Technical:
    return Technical(obj, title)


def coefficients(result, terms: dict[str, str] | None = None, note: str = "", level: float = 0.90) -> Table:
    """A fitted statsmodels model's coefficients as a reader's table (never its raw summary): term,
    estimate, standard error, test statistic, p-value and the ``level`` interval, rounded, with the
    sample and the covariance used in the caption. ``terms``: the terms shown, with their names in words
    (default: every term); fixed effects left out are said so in ``note``."""
    index = list(result.params.index) if isinstance(result.params, pd.Series) else list(result.model.exog_names)

    def named(values) -> pd.Series:  # arrays (a model fitted on arrays) get the model's term names
        return values if isinstance(values, pd.Series) else pd.Series(np.asarray(values), index=index)

    names = list(terms) if terms else index
    ci = pd.DataFrame(np.asarray(result.conf_int(1 - level)), index=index)
    stat = named(result.tvalues)
    level_name = int(round(100 * level))
    frame = pd.DataFrame({
        "term": [(terms or {}).get(t, t) for t in names],
        "estimate": [float(named(result.params)[t]) for t in names],
        "std_error": [float(named(result.bse)[t]) for t in names],
        "statistic": [float(stat[t]) for t in names],
        "p_value": [float(named(result.pvalues)[t]) for t in names],
        f"ci{level_name}_low": [float(ci.loc[t, 0]) for t in names],
        f"ci{level_name}_high": [float(ci.loc[t, 1]) for t in names]}).round(4)
    cov = getattr(result, "cov_type", "")
    caption = (f"{int(result.nobs)} observations" + (f"; standard errors: {cov}" if cov else "")
               + (f"; {note}" if note else ""))
    return Table(frame, caption=caption, name="coefficients",
                 labels={"std_error": "Std. error", "statistic": "t or z", "p_value": "p-value",
                         f"ci{level_name}_low": f"{level_name}% low", f"ci{level_name}_high": f"{level_name}% high"})


class Prose:
    """Paragraphs of plain text (a scenario's title and description), escaped, in the page's font,
    with an optional list of facts under them."""

    def __init__(self, title: str, text: str, facts: list[str] | None = None, heading: str = ""):
        self.title, self.text, self.facts, self.heading = title, text, facts or [], heading

    def _repr_html_(self) -> str:
        esc = html.escape
        head = f'<h2 id="scenario">{esc(self.heading)}</h2>' if self.heading else ""
        facts = ("<ul>" + "".join(f"<li>{esc(f)}</li>" for f in self.facts) + "</ul>") if self.facts else ""
        return (f'<div class="econ-prose">{head}<p><strong>{esc(self.title)}</strong></p>'
                f"<p>{esc(self.text)}</p>{facts}</div>")

    def __repr__(self) -> str:
        return f"{self.title}\n\n{self.text}" + "".join(f"\n- {f}" for f in self.facts)


def describe(scenario: Scenario, facts: bool = False) -> Prose:
    """The scenario's title and description, as prose; with ``facts``, what is in force, in a list."""
    title = scenario.title + (f" (with overrides: {', '.join(sorted(scenario.overrides))})" if scenario.overrides else "")
    listed = _facts(scenario) if facts else []
    return Prose(title, " ".join(scenario.description.split()), listed, "What this scenario assumes" if facts else "")


def _facts(scenario: Scenario) -> list[str]:
    from econ import uncertainty

    p = scenario.parameters
    out = []
    if p.covered_categories:
        cats = ", ".join(words(c).lower() for c in p.covered_categories)
        out.append(f"A US rule in force from {scenario.value('rule_effective_date')}, covering sales to Huawei of: {cats}.")
    else:
        out.append("No US export rule on sales to Huawei.")
    bans = scenario.value("vendor_bans")
    if bans:
        out.append(f"{len(bans)} vendor ban{'s' if len(bans) != 1 else ''}: " + "; ".join(
            words(str(b)) for b in _ban_words(bans)) + ".")
    uncertain = [r["name"] for r in parameter_table() if uncertainty.is_distribution(scenario.value(r["name"]))]
    out.append(f"{len(uncertain)} uncertain assumptions, drawn with seed {scenario.seed}; every other is a point value.")
    if scenario.overrides:
        out.append("Changed for this run: " + ", ".join(f"{k} = {v}" for k, v in sorted(scenario.overrides.items())) + ".")
    return out


def _ban_words(bans) -> list[str]:

    return [part.strip() for part in shown_value(tuple(bans)).split(";")]


def sensitivity_summary(tornado: pd.DataFrame) -> Table:
    """For each headline figure, the assumption that moves it most over the scenario's own range."""
    if tornado.empty:
        return Table(pd.DataFrame({"note": ["This scenario has no uncertain assumptions."]}))
    from econ import findings
    from econ.model import world

    top = tornado.sort_values("swing", ascending=False).groupby("metric", sort=False).head(1)
    top = top[top["metric"].isin(findings.HEADLINE) & (top["swing"] > 0)]
    have = set(top["metric"])
    top = top.set_index("metric").loc[[m for m in findings.HEADLINE if m in have]].reset_index()
    declared = world.metrics_table()
    frame = pd.DataFrame({"metric": top["metric"], "parameter": top["parameter"],
                          "figure": top["metric"].map(lambda m: declared[m][1].label if m in declared else label(m)),
                          "moved most by": top["parameter"].map(parameter_label),
                          "from": [findings.shown(min(a, b), declared[m][1].unit) for m, a, b in
                                   zip(top["metric"], top["at_low"], top["at_high"])],
                          "to": [findings.shown(max(a, b), declared[m][1].unit) + findings._unit_words(declared[m][1].unit)
                                 for m, a, b in zip(top["metric"], top["at_low"], top["at_high"])]})
    return Table(frame, caption="Each headline figure at the two ends of its most influential assumption's p05-p95 "
                 "(the others at their central values)", name="sensitivity", hide=("metric", "parameter"))


def by_figure(tornado: pd.DataFrame, declared: pd.DataFrame | None = None, indices: pd.DataFrame | None = None,
              metrics=None) -> None:
    """The sensitivity page figure by figure: for each headline figure (then any other asked for), a
    section with its heading, one sentence on what moves it most, the tornado over the scenario's
    own p05-p95 (the whole allowed range as a second view) and its Sobol indices."""
    from IPython.display import HTML
    from IPython.display import display as show_output

    from econ import charts, findings
    from econ.model import world

    declared_metrics = world.metrics_table()
    have = list(dict.fromkeys(tornado["metric"]))
    chosen = list(metrics) if metrics is not None else [m for m in findings.HEADLINE if m in have]
    if not chosen:
        show_output(note("This scenario has no uncertain assumptions, so nothing moves its figures."))
        return
    for metric in chosen:
        label = declared_metrics[metric][1].label if metric in declared_metrics else words_label(metric)
        rows = tornado[tornado["metric"] == metric].sort_values("swing", ascending=False)
        if rows.empty or rows["swing"].max() <= 0:
            text = "No uncertain assumption of this scenario moves it."
        else:
            top = rows.iloc[0]
            unit = declared_metrics[metric][1].unit if metric in declared_metrics else ""
            lo, hi = sorted((top["at_low"], top["at_high"]))
            text = (f"Moved most by {parameter_label(top['parameter']).lower()}: from {findings.shown(lo, unit)} to "
                    f"{findings.shown(hi, unit)}{findings._unit_words(unit)} as it goes over the scenario's p05-p95.")
        show_output(HTML(f'<h2 id="figure-{html.escape(metric)}">{html.escape(label)}</h2>'
                         f'<p class="econ-prose">{html.escape(text)}</p>'))
        if not rows.empty and rows["swing"].max() > 0:
            show_output(charts.tornado(tornado, metric, declared=declared))
        part = indices[indices["metric"] == metric] if indices is not None and len(indices) else None
        if part is not None and len(part) and part["ST"].max() > 0.01:
            show_output(charts.sobol_indices(indices, metric))


