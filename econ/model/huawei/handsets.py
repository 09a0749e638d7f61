"""Huawei's phones by units: output from the chip supply by chip type, and which phones the chips go to.

A phone needs its chip set (Leontief, as in :mod:`econ.model.chip_supply`). The chip-supply shares are
read as shares of the *value* of the chips needed (licences were granted on the value of the
applications; memory is bought by value), and a phone's chip set is taken to cost in proportion to
the phone's price, so a supply share is the share of phone demand *by value* the chips can serve: an
assumption. After the rules two chip types part ways:

* a **5G phone** needs a 5G system-on-chip, Huawei's own Kirin (made by TSMC until 15 September 2020)
  or a merchant one; no US licence covered them (Qualcomm's November 2020 licence was for 4G parts,
  source ``cnet_2020_qualcomm_4g``). The model takes a 5G phone's whole blocked share as unlicensed
  (its memory included): its supply ``s5`` is the chip-supply stage's ``handset_5g_yearly``;
* a **4G phone** uses parts the licences let through: supply ``s4``, the stage's ``handset_yearly``.

A share ``m_t`` of Huawei's phone demand is for 5G phones (data/huawei_handsets.csv: Huawei's own
2019 5G shipments, China's 5G share of shipments in 2020-2021, then a judgement with a range). These
are shares of units, used for the share by value: 5G phones cost more, so ``m`` understates the 5G
share of value. A buyer who wants a 5G phone and cannot get one takes a 4G Huawei phone with
probability ``r`` (``five_g_buyers_taking_4g``), counted at the value of the phone wanted. The share of
its phone demand, by value, that Huawei can serve is

    f = m (s5 + (1 - s5) r s4) + (1 - m) s4.

Phone revenue is that share of what the business would have sold (the Huawei stage's model).
**Units** fall faster than revenue, because Huawei gives scarce chips to its dearest phones first:
with phone prices lognormal over units with spread ``sigma`` (``phone_price_spread``), the dearest
``u`` of the units carry ``Phi(Phi^-1(u) + sigma)`` of the revenue (the lognormal's Lorenz curve), so
serving a revenue share ``f`` takes a unit share ``u = Phi(Phi^-1(f) - sigma)``.

**Honor** (sold 17 November 2020) leaves Huawei's demand, not its served phones: from the sale, the
demand the chips serve is Huawei's own brand's, its units ``1 - honor_share_of_phone_units`` of the
whole and its revenue ``1 - honor_share_of_phone_revenue`` (Honor's phones were cheaper: the two
shares are drawn on the same random numbers, so a draw never has Honor's revenue share above its unit
share). ``sigma`` then stands for the spread of Huawei's own line-up. Without the rules, demand grows
at ``huawei_consumer_growth`` in units and in revenue alike (prices held): an assumption.

Huawei's other devices (tablets, PCs, wearables, screens) meet ``1 - e (1 - s4)`` of their demand, ``e``
their exposure to the blocked chips relative to a 4G phone's (``nonphone_chip_exposure``).

Shipments are checked in the back-test against Canalys's 2020 and Omdia's 2021 counts (both marked
hindsight: the judgements' central values were set with the record in view).
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import special

from econ import data, uncertainty
from econ.errors import InputError
from econ.model.huawei.declaration import HANDSET_DATA

FILE = "data/huawei_handsets.csv"
#: Each drawn row (declaration.HANDSET_DATA) is drawn over its range on its own seeded stream, except these,
#: which share another's random numbers (comonotonic): Honor's unit share with its revenue share
#: (``honor_share``, econ.model.huawei.model), so the cheaper brand's revenue share stays below its unit share.
STREAMS = {"honor_units_share": "honor_share"}
#: The last year before the rules: units are counted from its shipments.
BASE_YEAR = 2019


@functools.lru_cache(maxsize=1)
def inputs() -> dict:
    """The file's rows by (item, year), the 2019 shipments and the 5G demand share's years."""
    table = data.load("huawei_handsets")
    rows = {(r.item, int(r.year)): (float(r.value), float(r.value_low), float(r.value_high))
            for r in table.itertuples()}
    missing = [f"{item} {year}" for item, year in [*HANDSET_DATA.values(), ("phone_units_m", BASE_YEAR)]
               if (item, year) not in rows]
    mix_years = sorted(y for item, y in rows if item == "five_g_share_of_demand")
    if not mix_years or mix_years[0] > BASE_YEAR:
        missing.append(f"five_g_share_of_demand {BASE_YEAR}")
    if missing:
        raise InputError.single(FILE, "item", f"missing rows: {', '.join(missing)}")
    return {"rows": rows, "units_2019": rows[("phone_units_m", BASE_YEAR)][0], "mix_years": tuple(mix_years),
            "source": data.cite(table)}


def draw_inputs(seed: int, n: int) -> dict[str, np.ndarray]:
    """The judgements and the 5G demand shares, each drawn triangular(low, value, high)."""
    rows = inputs()["rows"]
    out = {name: uncertainty.draw(uncertainty.data_range(*rows[key]), n, seed, STREAMS.get(name, name))
           for name, key in HANDSET_DATA.items()}
    for year in inputs()["mix_years"]:
        name = f"five_g_share_of_demand_{year}"
        out[name] = uncertainty.draw(uncertainty.data_range(*rows[("five_g_share_of_demand", year)]), n, seed, name)
    return out


def central_inputs() -> dict[str, np.ndarray]:
    rows = inputs()["rows"]
    out = {name: np.array([rows[key][0]]) for name, key in HANDSET_DATA.items()}
    out.update({f"five_g_share_of_demand_{y}": np.array([rows[("five_g_share_of_demand", y)][0]])
                for y in inputs()["mix_years"]})
    return out


def five_g_share(p: dict, years) -> np.ndarray:
    """The 5G share of Huawei's phone demand (n, T): each data year's draw, held after the last."""
    mix_years = inputs()["mix_years"]
    index = np.searchsorted(np.array(mix_years), np.array(years), side="right") - 1
    columns = [np.asarray(p[f"five_g_share_of_demand_{y}"], dtype=float) for y in mix_years]
    return np.stack([columns[max(i, 0)] for i in index], axis=1)


def served(p: dict, chips: dict, years) -> dict[str, np.ndarray]:
    """Shares (n, T) of phone demand by value (``phones``) and of other devices' demand Huawei can serve."""
    s4, s5 = chips["handset_yearly"], chips["handset_5g_yearly"]
    m = five_g_share(p, years)
    r = np.asarray(p["five_g_buyers_taking_4g"], dtype=float)[:, None]
    phones = m * (s5 + (1 - s5) * r * s4) + (1 - m) * s4
    other = 1 - np.asarray(p["nonphone_chip_exposure"], dtype=float)[:, None] * (1 - s4)
    return {"phones": phones, "other": other}


def unit_share(value_share: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """Share of units that carries ``value_share`` of revenue when the dearest phones are served first."""
    with np.errstate(divide="ignore"):
        return special.ndtr(special.ndtri(np.clip(value_share, 0.0, 1.0)) - np.asarray(spread, dtype=float)[:, None])


def units(p: dict, phones_served: np.ndarray, demand_growth: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """Phone shipments (n, T), million units: 2019's grown with demand, the share the chips serve, less Honor's
    (``kept``: the share of units still Huawei's, by year)."""
    return (inputs()["units_2019"] * demand_growth * unit_share(phones_served, p["phone_price_spread"]) * kept)


__all__ = ["BASE_YEAR", "FILE", "central_inputs", "draw_inputs", "five_g_share", "inputs", "served",
           "unit_share", "units"]
