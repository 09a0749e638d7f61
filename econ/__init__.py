"""econ: the sanctions scenario workbook's model package.

The linked model is ``econ.model`` (its stages, the linker, paired differences). Around it: ``scenario``
(typed scenarios), ``data`` (sourced datasets), ``uncertainty`` (draws, intervals), ``sensitivity`` and
``sweep``, ``backtest``; for readers ``words``, ``findings``, ``effects``, ``display``, ``charts`` and
``report`` (offline pages); for notebooks ``notebook``, ``arguments``, ``kernel``, ``memory``; ``batch``
(running notebooks) and ``cli`` (the ``econ`` command).
"""

import sys

# Start-up time. jsonschema, imported by altair, builds an RFC 3987 grammar with lark at import when
# the optional rfc3987_syntax is installed (jupyter-events pulls it in): about 2 s of every kernel's
# start, for the "iri" format check, which no Vega-Lite schema uses. Marking the module absent makes
# jsonschema skip that one check. Measured here: `from econ import charts, data, notebook, revenue`
# 4.7-7.4 s -> 2.2-3.8 s.
if "jsonschema" not in sys.modules:
    sys.modules.setdefault("rfc3987_syntax", None)

from econ import charts  # noqa: E402
from econ.errors import InputError  # noqa: E402
from econ.scenario import Scenario, load_scenario, parameter_table, scenario_names  # noqa: E402

__version__ = "0.1.0"
__all__ = ["InputError", "Scenario", "load_scenario", "parameter_table", "scenario_names", "__version__"]

charts.enable()
