"""The answer first: the comparison page's opening sentences, written from the run's numbers.

Three to five sentences answer the workbook's questions (what the rules put at risk and cost suppliers,
what they cost Huawei, what rip-and-replace costs, what Russia's 5G build needs), each with its p05-p95
and, where one exists, the published figure of the same concept beside it: S&P's revenue at risk
(data/calibration_targets.csv) and the UK government's and the FCC's removal costs
(data/backtest.csv). No number is typed in here; a figure the run did not compute drops its sentence.
Then the run's date, the model's version and a line that says how to cite the run (CITATION.cff).
"""

from __future__ import annotations

import html

import pandas as pd

from econ import findings
from econ.report.figures import metric_label, short_title
from econ.scenario import Scenario

esc = html.escape
#: The scenario the answer is told for first (the events as they happened) and S&P's own scenario.
WHAT_HAPPENED, SP_SCENARIO = "history", "may2020_fdpr"


def _figure(head: pd.DataFrame, metric: str, scenario: str) -> str | None:
    """``median (p05-p95) unit`` of one figure, or None when the run does not have it."""
    row = head[(head["metric"] == metric) & (head["scenario"] == scenario)]
    if row.empty or pd.isna(row["median"].iloc[0]):
        return None
    r = row.iloc[0]
    unit = metric_label(metric)[1]
    main, _, qualifier = findings.unit_words(unit).partition(", ")
    iv = findings.interval(r["p05"], r["p95"], unit)
    inside = ", ".join(x for x in (iv, qualifier) if x)
    return f"{findings.shown(r['median'], unit)}{' ' + main if main else ''}{f' ({inside})' if inside else ''}"


def _published(metric: str, figure_id: str) -> str | None:
    """The published figure ``figure_id`` of the same concept as ``metric`` (econ.anchors), rounded."""
    from econ import anchors

    found = [a for a in anchors.of(metric) if a.figure_id == figure_id]
    return findings.rounded(found[0].value) if found else None


def _sp_total() -> str | None:
    from econ.model.revenue.model import targets

    table = targets().set_index("target")
    return findings.rounded(float(table.at["apac_revenue_at_risk_total", "value_usd_bn"])) if (
        "apac_revenue_at_risk_total" in table.index) else None


def sentences(head: pd.DataFrame, scenarios: dict[str, Scenario]) -> list[str]:
    """The opening sentences (HTML-escaped), from the headline figures of ``head``."""
    told = WHAT_HAPPENED if WHAT_HAPPENED in set(head["scenario"]) else None
    if told is None:
        return []
    title = short_title(scenarios.get(told), told)
    out = []
    risk, loss = _figure(head, "rated_revenue_at_risk_usd_bn", told), _figure(head, "rated_revenue_loss_usd_bn", told)
    sp_model, sp = _figure(head, "rated_revenue_at_risk_usd_bn", SP_SCENARIO), _sp_total()
    if risk and loss:
        text = (f"Under the rules as they came ({title}), suppliers in Taiwan, South Korea and Japan had {risk} of a "
                f"year's sales to Huawei at risk and lost {loss} in the 12 months after the rule, once licences, "
                "stocks, resale and rivals' purchases are counted.")
        if sp_model and sp:
            text += (f" For the May 2020 rule alone the model gives {sp_model} at risk, against S&P Global Ratings' "
                     f"estimate of about US${sp}bn for its rated issuers in the same economies.")
        out.append(text)
    gap, share = _figure(head, "huawei_revenue_gap_cny_bn_2021", told), _figure(head, "huawei_share_ex_china_2022", told)
    if gap and share:
        out.append(f"Huawei lost about {gap} of revenue in 2021 to the rules, and its share of telecom equipment "
                   f"sales outside China in 2022 is put at {share}.")
    uk_gross, uk_added = (_figure(head, "uk_rip_and_replace_gross_gbp_bn", told),
                          _figure(head, "uk_rip_and_replace_gbp_bn", told))
    us_gross, us_added = (_figure(head, "us_rip_and_replace_gross_usd_bn", told),
                          _figure(head, "us_rip_and_replace_usd_bn", told))
    if uk_gross and uk_added and us_gross and us_added:
        uk_pub = _published("uk_rip_and_replace_gross_gbp_bn", "uk_government_estimate")
        us_pub = _published("us_rip_and_replace_gross_usd_bn", "us_fcc_reviewed_cost")
        out.append(f"Taking Huawei out of the UK's networks costs {uk_gross} gross"
                   + (f" (the government said up to GBP {uk_pub}bn)" if uk_pub else "")
                   + f", of which the ban adds {uk_added} over replacing the kit as it wears out; the US removal costs "
                   f"{us_gross} gross" + (f" (the FCC found USD {us_pub}bn of reasonable costs in 2022, for more "
                                          "carriers than the 2020 filing the model costs)" if us_pub else "")
                   + f", of which {us_added} is added.")
    capex, stations = (_figure(head, "russia_5g_capex_rub_bn_2020_2030", told),
                       _figure(head, "russia_5g_base_stations_thousand_2024", told))
    if capex and stations:
        out.append(f"Russia's 5G build-out needs {capex} of capex over 2020-2030, with {stations} in place by the "
                   "end of 2024, after Western vendors left and Huawei held back.")
    return [esc(s) for s in out]


def cite(run_id: str, finished: str, version: str, commit: str) -> str:
    """The run's date, version and how to cite it (HTML)."""
    day = str(finished)[:10] or "(not finished)"
    return (f"<p class='econ-cite'>Run {esc(run_id)} of {esc(day)}; model econ {esc(version)}"
            + (f", commit <code>{esc(commit[:12])}</code>" if commit else "") + ". <b>How to cite:</b> Sanctions scenario "
            f"workbook, econ {esc(version)}, run {esc(run_id)} ({esc(day)}); figures are medians with the range nine "
            "draws in ten fall in. The repository's CITATION.cff gives the citation for the software.</p>")


def section(head: pd.DataFrame, scenarios: dict[str, Scenario], run_id: str, manifest: dict) -> str:
    """The lede: the answer in sentences, then the run's date, version and how to cite it."""
    said = sentences(head, scenarios)
    text = "".join(f"<li>{s}</li>" for s in said)
    answer = f"<ul class='econ-answer'>{text}</ul>" if said else ""
    return answer + cite(run_id, str(manifest.get("finished", "")).replace("T", " "),
                         str((manifest.get("versions") or {}).get("econ", "")),
                         str((manifest.get("git") or {}).get("commit", "")))
