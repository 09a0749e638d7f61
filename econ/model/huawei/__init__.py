"""Huawei's own revenue by business, from the other stages (a stage of :mod:`econ.model.world`).

* **Carrier business** = equipment + services. Equipment is Huawei's new-contract sales in the
  market-share stage (Dell'Oro's telecom-equipment market), converted at the year's CNY per USD
  (data/exchange_rates.csv; after the data, the last observed rate). Services (maintenance,
  software, managed services) scale with Huawei's installed base in that stage. Their 2019 level
  is an accounting identity: reported 2019 carrier revenue less the model's 2019 equipment sales.
* **Consumer business** = its 2019 revenue grown at ``huawei_consumer_growth`` (what it would have
  earned with its chips), times, for the phone part, the handset chip supply from the chip-supply
  stage (a phone needs its chip set: Leontief), less the Honor brand's part once it is sold
  (``honor_sale_date``; data/huawei_business.csv). Devices other than phones are taken as not
  chip-limited (an assumption: Huawei's PCs ran on licensed Intel chips, wearables grew in 2021).
* The **revenue gap** is the counterfactual's revenue (the same draws without the rules, see
  :func:`econ.scenario.counterfactual`) minus the scenario's: scenario minus baseline, one
  subtraction. Enterprise and other revenue are not modelled (the rules are taken not to move them).

The statsmodels trend in :mod:`econ.model.huawei.trend` stays as a descriptive comparison, not the gap.
"""

from econ.model.huawei import model
from econ.model.huawei.declaration import BUSINESSES, DECLARATION, REPORTED_YEARS
from econ.model.huawei.results import HuaweiRevenue
from econ.model.stage import Stage

STAGE = Stage(DECLARATION, check=model.check, evaluate=model.evaluate, assess=model.assess,
              draw_inputs=model.draw_inputs, central_inputs=model.central_inputs, against=model.against)

__all__ = ["BUSINESSES", "REPORTED_YEARS", "STAGE", "HuaweiRevenue"]
