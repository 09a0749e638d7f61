"""Revenue impacts: what Asia-Pacific technology suppliers have at risk, and lose, when a US rule cuts
Huawei off (a stage of :mod:`econ.model.world`; it reads Huawei's chip supply and market shares).

Annual sales to Huawei ``S[e, c]`` by supplier economy ``e`` and product category ``c`` are
Huawei's procurement from ``e`` (data/huawei_procurement.csv; mainland China's unknown row drawn
over its range) times a category mix (data/procurement_category_mix.csv, an assumption).
Two figures are kept apart:

* **Revenue at risk**, S&P Global Ratings' concept: a year of sales exposed to the rule. Direct:
  sales in the categories the rule covers. Indirect: sales of other parts that go into products
  the rule stops, ``S[e, c] (u_c b_handset + (1 - u_c) b_network)``, where ``u_c`` is the share of
  Huawei's purchases of ``c`` that go into consumer devices (data/procurement_by_business.csv) and
  ``b`` the share of a product's output the rule's chip block stops (:mod:`econ.model.chip_supply`);
  plus upstream tiers through the Leontief multiplier of the supplier network. Nothing is fitted to
  S&P: its figures are scored by the back-test.
* **Net loss over the 12 months after the rule**: direct losses after the wind-down, net of
  licences, orders pulled forward and resale to other customers (capacity was short in 2020-21);
  indirect losses as Huawei's output actually falls, month by month: handsets with their chip
  supply (a phone needs its chips; stocks carry it for a while), base stations with Huawei's
  sales in the market-share stage against what it would sell without the chip limit, less what
  rivals who build with the same suppliers' parts take over (``rival_recapture_rate``); then
  upstream tiers (``supply_network_scale`` times data/supply_network.csv).

The headline figures cover Asia-Pacific: Taiwan, South Korea, Japan and mainland China.
"""

from econ.model.revenue import model
from econ.model.revenue.declaration import APAC, CATEGORIES, DECLARATION, MONTHS, RATED
from econ.model.revenue.model import at_risk, coverage, losses, targets
from econ.model.revenue.results import CHANNELS, RevenueImpact, apac_totals
from econ.model.revenue.supply_chain import SupplyChain, chain
from econ.model.stage import Stage

STAGE = Stage(DECLARATION, check=model.check, evaluate=model.evaluate, assess=model.assess,
              draw_inputs=model.draw_inputs, central_inputs=model.central_inputs)

__all__ = ["APAC", "CATEGORIES", "CHANNELS", "MONTHS", "RATED", "STAGE", "RevenueImpact", "SupplyChain", "apac_totals",
           "at_risk", "chain", "coverage", "losses", "targets"]
