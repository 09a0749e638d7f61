"""Investment needs: Russia's 5G build-out 2020-2030, how it compares with what the operators
spend, and the cost of ripping banned kit out (a stage of :mod:`econ.model.world`; it reads the
market-share stage's Russian vendor mix and the kit its bans remove).

Russia, per Monte Carlo draw (axis 0), population tier and year, in constant 2020 roubles:

* **Timing.** The national build follows the shared ``russia_5g_launch_year``: the 2020 plans'
  coverage milestones and subscriber path (data/russia_coverage_targets.csv, russia_5g_plan.csv)
  are shifted by the launch year less the planned launch (2022). Before launch only pilot base
  stations are built (a data row with a range).
* **Coverage layers.** A milestone's cities first get a thin layer (centres and hubs,
  ``first_layer_coverage_share`` of what the full layer covers), densified later to
  ``urban_coverage_share`` of their population.
* **Coverage part.** A network needs ``area / site area`` sites on 3.4-3.8 GHz, and
  ``high_band_site_ratio`` times as many on 4.4-4.99 GHz until the military's band is released
  (``military_band_release_year``). ``network_sharing`` "alone" builds four networks, "partial"
  two, "single" one: sharing divides these sites. Existing LTE masts of the operators in a network
  are upgraded first; the rest are new sites.
* **Capacity part.** Busy-hour traffic beyond what the coverage layer carries (its sites times a
  three-sector site's capacity with the spectrum held; pooled spectrum makes that the same for
  every sharing mode) needs extra radio capacity, priced per MHz carried from the reference kit:
  sharing does not reduce it, so traffic growth, not sharing, drives late capex. A coverage site's
  radio is sized for the spectrum its network carries (a shared site carries every sharer's), its
  price rising with bandwidth at ``radio_cost_bandwidth_elasticity``.
* **Prices.** Kit is priced by vendor from the market-share stage's mix of new contracts in
  Russia (Russian-made at ``domestic_price_premium`` above Huawei, Ericsson/Nokia/Samsung/Cisco at
  ``western_price_premium``); ``vendor_choice`` "huawei" or "western" overrides who supplies the
  non-Russian-made part. Imported kit is priced in dollars: its cost in constant 2020 roubles
  follows the real exchange rate (``rub_per_usd_path``, or the data's rates; US prices rise at
  ``usd_inflation_rate``, Russian at ``inflation_rate``), so the 2022-23 rouble moves it. Civil
  works are China Mobile's times ``site_cost_multiplier``.
* **Core and data centres**: one 5G core per operator (one for a single network) over the launch
  year and the next, data-centre capacity per Gbps added; **spectrum clearing** in the release year.

Financing compares capex with the operators' usual capex times GSMA's 5G share, from the launch
year (pilots before it are in the budget). The present value discounts real capex at the real
``discount_rate``; nominal figures apply ``inflation_rate``.

**Rip-and-replace**, only for bans and exits with a removal deadline (``vendor_bans``,
``vendor_exits``: kit whose vendor left and stopped supporting it), in their parts:
the gross cost is the swap of every unit in scope (UK radio sites: operators' site counts times
the per-site swap cost in data/rip_and_replace.csv; US: the carriers' filed replacement cost,
already priced for the deadline; elsewhere: the installed value the market-share stage removes
times China Mobile's all-in to kit cost ratio). What a ban *adds* over the normal replacement path
(:mod:`~econ.model.investment.vintage`) is the value lost by retiring kit before its life ends, given
when it was installed (the UK's Huawei 5G radios from 2019, on 4G kit installed in steady state;
elsewhere steady state; ``equipment_life_years`` is the market-share stage's), plus the replacement
vendor's price above the banned vendor's on the kit (``western_price_premium``).
"""

from econ.model.investment import model
from econ.model.investment.declaration import BANDS, COMPONENTS, DECLARATION, REAL, VENDOR_CHOICES
from econ.model.investment.inputs import (
    DATA_DRAWN,
    END_YEAR,
    OPERATORS,
    START_YEAR,
    TIERS,
    YEARS,
    Inputs,
    capex_capacity,
    capital_intensity,
    convert,
    coverage_targets,
    nominal,
    operator_capex,
    operator_capex_path,
    units_per_usd,
)
from econ.model.investment.model import npv, rip_and_replace, russia_capex
from econ.model.investment.results import InvestmentNeeds
from econ.model.stage import Stage

STAGE = Stage(DECLARATION, check=model.check, evaluate=model.evaluate, assess=model.assess,
              draw_inputs=model.draw_inputs, central_inputs=model.central_inputs)

__all__ = ["BANDS", "COMPONENTS", "DATA_DRAWN", "END_YEAR", "OPERATORS", "REAL", "STAGE", "START_YEAR", "TIERS",
           "VENDOR_CHOICES", "YEARS", "Inputs", "InvestmentNeeds", "capex_capacity", "convert", "coverage_targets",
           "nominal", "npv", "operator_capex", "operator_capex_path", "capital_intensity", "rip_and_replace",
           "russia_capex", "units_per_usd"]
