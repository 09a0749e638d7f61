"""econ: the sanctions scenario workbook's model package.

Modules: ``scenario`` (typed scenarios), ``data`` (sourced datasets), ``uncertainty`` (draws and
intervals), ``revenue`` and ``investment`` (the models), ``charts`` (Altair builders), ``notebook``
(what notebooks call), ``report`` (offline HTML), ``batch`` (running notebooks), ``cli`` (the
``econ`` command).
"""

from econ import charts
from econ.errors import InputError
from econ.scenario import Scenario, load_scenario, parameter_table, scenario_names

__version__ = "0.1.0"
__all__ = ["InputError", "Scenario", "load_scenario", "parameter_table", "scenario_names", "__version__"]

charts.enable()
