"""Huawei's chip supply under an export rule: what share of its handset and base-station chip needs
it can meet, month by month (the first stage of the linked model, :mod:`econ.model.world`).

A rule blocks, from the end of its wind-down, the chips of the categories it covers:

* ``foundry``: chips made to Huawei's own (HiSilicon) designs. They carry a share
  ``hisilicon_share`` of a product's chip needs (data/huawei_chip_dependence.csv). While the rule
  leaves merchant chips alone (``chip_design`` not covered), Huawei fills a share
  ``merchant_chip_switch_share`` of those needs with bought-in chips (handsets only: a base
  station's baseband is built around its own ASICs).
* ``chip_design``: merchant chips made with US technology (the August 2020 rule): the rest of the
  chip needs, ``1 - hisilicon_share``.
* ``memory``: DRAM and flash from makers using US tools; Huawei's needs that no Chinese maker could
  fill are ``memory_import_dependence``.

The blocked share ``b`` of a product's chip needs is ``1 - (1 - chips) (1 - memory)``; licences let
``licence_approval_rate`` of it through. Huawei's stock of blocked chips carries production for
``*_chip_inventory_months`` after the wind-down; then a share ``b (1 - licence)`` of needs goes
unmet, less, for base stations, what redesigned boards recover (``network_chip_redesign_share``).
Licences end at ``licences_revoked_from`` (the US revoked Qualcomm's and Intel's in May 2024), and
Chinese-made chips fill a share ``domestic_chip_recovery`` (a path over years) of what stays unmet
(SMIC's 7 nm Kirin 9000S in Huawei's August 2023 phone).
Output is Leontief in chips: a product's deliverable share of planned output is its supply share.
Handsets also get ``handset_5g_yearly``: the supply of 5G systems-on-chip, which no licence covered
(the Huawei stage splits phone demand between 5G and 4G phones, :mod:`econ.model.huawei.handsets`).

Everything is vectorised over parameter draws: arrays are (draw, month) from January 2019.
"""

from econ.model.chip_supply import model
from econ.model.chip_supply.declaration import DAYS_PER_MONTH, DECLARATION, MONTHS, PRODUCTS, YEARS
from econ.model.chip_supply.model import month_index, supply
from econ.model.chip_supply.results import ChipSupply
from econ.model.stage import Stage

STAGE = Stage(DECLARATION, check=model.check, evaluate=model.evaluate, assess=model.assess,
              draw_inputs=model.draw_inputs, central_inputs=model.central_inputs)

__all__ = ["DAYS_PER_MONTH", "MONTHS", "PRODUCTS", "STAGE", "YEARS", "ChipSupply", "month_index", "supply"]
