"""The revenue stage's answer for one scenario: revenue at risk and net loss over the same draws, with
the breakdowns notebook 01 shows, and the figures it reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from econ import data, uncertainty
from econ.model.revenue.declaration import APAC, CATEGORIES, DECLARATION, MONTHS, RATED
from econ.model.revenue.supply_chain import SupplyChain, chain
from econ.model.stage import Figure, figures, flat
from econ.scenario import Scenario


def apac_totals(result: dict, economies=APAC) -> dict[str, np.ndarray]:
    """Direct, indirect and total of Asia-Pacific suppliers (or ``economies``) per draw (USD bn)."""
    apac = np.isin(chain().economies, economies)
    direct = result["direct"][:, apac].sum(axis=(1, 2))
    indirect = (result["complement"] + result["upstream"])[:, apac].sum(axis=(1, 2))
    return {"direct": direct, "indirect": indirect, "total": direct + indirect}


def figure_values(risk: dict, loss: dict) -> dict[str, np.ndarray]:
    r, n_ = apac_totals(risk), apac_totals(loss)
    return {"apac_revenue_loss_usd_bn": n_["total"], "apac_direct_loss_usd_bn": n_["direct"],
            "apac_indirect_loss_usd_bn": n_["indirect"], "apac_revenue_at_risk_usd_bn": r["total"],
            "apac_direct_at_risk_usd_bn": r["direct"], "apac_indirect_at_risk_usd_bn": r["indirect"],
            "rated_revenue_at_risk_usd_bn": apac_totals(risk, RATED)["total"],
            "rated_revenue_loss_usd_bn": apac_totals(loss, RATED)["total"]}


CHANNELS = ("direct", "complement", "upstream")
CHANNEL_LABELS = {"direct": "direct: sales the rule blocks",
                  "complement": "indirect: parts Huawei no longer needs",
                  "upstream": "indirect: upstream suppliers"}


@dataclass(frozen=True)
class RevenueImpact:
    """Revenue at risk and net 12-month loss of Huawei's suppliers, per draw."""

    scenario: Scenario
    chain: SupplyChain
    params: dict
    risk: dict
    loss: dict
    supply: dict       # the chip-supply stage's outputs
    shares: dict       # the market-share stage's outputs
    #: The net loss of these draws under other parameter values (the model's, bound by ``assess``): the
    #: waterfall switches one mechanism on at a time.
    loss_under: Callable[[dict], dict]

    @property
    def outputs(self) -> dict:
        return {}

    @property
    def source(self) -> str:
        """Citation for charts: the procurement and mix data."""
        return f"{self.chain.source}; workbook model"

    @property
    def draws(self) -> dict:
        return self.loss

    @property
    def totals(self) -> dict[str, np.ndarray]:
        return apac_totals(self.loss)

    def figure_draws(self) -> dict:
        return figure_values(self.risk, self.loss)

    def figures(self) -> list[Figure]:
        """The stage's figures (records with their draws), in declared order."""
        return figures(DECLARATION, self.figure_draws())

    def metrics(self) -> dict[str, float]:
        """results.json's older flat keys of :meth:`figures`."""
        return flat(self.figures())

    def against_sp(self) -> pd.DataFrame:
        """S&P's published revenue at risk beside the model's of the same scope (Taiwan, South Korea and
        Japan: S&P's rated issuers; never fitted to it) and the net loss of that scope."""
        sp = data.load("calibration_targets").set_index("target")["value_usd_bn"]
        risk, loss = apac_totals(self.risk, RATED), apac_totals(self.loss, RATED)
        rows = []
        for part, label in (("total", "total"), ("direct", "direct"), ("indirect", "indirect")):
            r, n_ = uncertainty.interval(risk[part]), uncertainty.interval(loss[part])
            rows.append({"part": label, "sp_revenue_at_risk_usd_bn": float(sp[f"apac_revenue_at_risk_{part}"]),
                         "model_at_risk_usd_bn": r["p50"], "model_at_risk_p05": r["p05"], "model_at_risk_p95": r["p95"],
                         "model_net_loss_usd_bn": n_["p50"], "model_net_loss_p05": n_["p05"],
                         "model_net_loss_p95": n_["p95"]})
        return pd.DataFrame(rows)

    def fan(self) -> pd.DataFrame:
        """Asia-Pacific net loss by month after the effective date: p05, p25, p50, p75, p95 (USD bn)."""
        total = self.loss["monthly"].sum(axis=1)
        return pd.DataFrame(uncertainty.fan(total, np.arange(1, MONTHS + 1))).assign(
            metric="apac_revenue_loss_usd_bn per month")

    def by_economy(self) -> pd.DataFrame:
        """At risk and net loss by supplier economy and channel: p05, p50, p95 (USD bn). Tidy."""
        rows = []
        for basis, values in (("revenue at risk", self.risk), ("net loss, 12 months", self.loss)):
            for i, e in enumerate(self.chain.economies):
                for ch in CHANNELS:
                    iv = uncertainty.interval(values[ch][:, i].sum(axis=1))
                    rows.append({"economy": e, "asia_pacific": e in APAC, "basis": basis, "channel": CHANNEL_LABELS[ch],
                                 "loss_usd_bn": iv["p50"], "loss_p05_usd_bn": iv["p05"], "loss_p95_usd_bn": iv["p95"]})
        return pd.DataFrame(rows)

    def by_supplier(self) -> pd.DataFrame:
        """Named suppliers with published Huawei exposure: their Huawei sales and the model's median
        direct revenue at risk and net direct loss (USD bn), at the model's rates for their economy
        and category."""
        exposure = data.defaults("supplier_exposure")
        revenue = data.load("supplier_revenue").drop_duplicates("supplier")
        frame = exposure.merge(revenue[["supplier", "revenue_usd_bn"]], on="supplier")
        sales = np.median(self.chain.matrix(self.params), axis=0)
        # Medians by economy and category, once (each (n, E, C) sum would otherwise be rebuilt per supplier).
        medians = {k: np.median(v["direct"] + v["complement"], axis=0) for k, v in (("risk", self.risk),
                                                                                     ("loss", self.loss))}
        rows = []
        for r in frame.itertuples():
            e, c = self.chain.economies.index(r.supplier_economy), CATEGORIES.index(r.product_category)
            huawei_sales = r.revenue_usd_bn * r.huawei_share_of_revenue
            rates = {k: float(m[e, c]) / sales[e, c] if sales[e, c] > 0 else 0.0 for k, m in medians.items()}
            rows.append({"supplier": r.supplier, "economy": r.supplier_economy, "category": r.product_category,
                         "huawei_sales_usd_bn": huawei_sales, "at_risk_usd_bn": huawei_sales * rates["risk"],
                         "net_loss_usd_bn": huawei_sales * rates["loss"],
                         "net_loss_share_of_revenue": huawei_sales * rates["loss"] / r.revenue_usd_bn})
        return pd.DataFrame(rows)

    def waterfall(self) -> pd.DataFrame:
        """From revenue at risk to the net 12-month loss (medians, USD bn), one mechanism at a time.

        Each step switches one mechanism on, in order: the year of sales at risk, less what Huawei's
        stocks and the wind-down carry, licences, orders pulled forward, resale to other customers,
        rivals' recapture, and the upstream tiers' own netting; the last bar is the net loss.
        """
        p = dict(self.params)
        zero = {k: np.zeros_like(p[k]) for k in ("licence_approval_rate", "stockpile_months", "substitution_rate",
                                                  "rival_recapture_rate")}
        start = float(np.median(apac_totals(self.risk)["total"]))
        steps = [("at risk: a year of exposed sales", None)]
        order = [("less stocks, wind-down, timing", dict(p, **zero)),
                 ("less licences", dict(p, **{k: v for k, v in zero.items() if k != "licence_approval_rate"})),
                 ("less orders pulled forward", dict(p, substitution_rate=zero["substitution_rate"],
                                                     rival_recapture_rate=zero["rival_recapture_rate"])),
                 ("less resale to other customers", dict(p, rival_recapture_rate=zero["rival_recapture_rate"])),
                 ("less rivals' recapture", p)]
        rows = [{"step": steps[0][0], "kind": "level", "loss_usd_bn": start}]
        level = start
        for label, params in order:
            value = float(np.median(apac_totals(self.loss_under(params))["total"]))
            rows.append({"step": label, "kind": "change", "loss_usd_bn": value - level})
            level = value
        rows.append({"step": "net loss, 12 months", "kind": "level", "loss_usd_bn": level})
        return pd.DataFrame(rows)

    def time_profile(self) -> pd.DataFrame:
        """Median net loss by month after the effective date and channel (USD bn). Tidy."""
        start = pd.Timestamp(self.scenario.parameters.rule_effective_date)
        med = np.median(self.loss["monthly"], axis=0)
        return pd.DataFrame([{"month": (start + pd.DateOffset(months=m)).strftime("%Y-%m"), "month_index": m + 1,
                              "channel": CHANNEL_LABELS[ch], "loss_usd_bn": float(med[i, m])}
                             for i, ch in enumerate(CHANNELS) for m in range(MONTHS)])
