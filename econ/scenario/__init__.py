"""Scenarios: the typed, validated set of assumptions every model runs on.

Every user-settable parameter is declared once, in :class:`Parameters`, with its type, default,
unit, valid range and a one-line meaning. That declaration drives validation, ``econ params``,
the notebooks' parameter cells and the report's assumptions table.

A scenario file is YAML under ``data/scenarios/``::

    title: May 2020 foreign-direct-product rule
    description: ...
    inherits: baseline          # optional: list only what differs from the parent
    seed: 20200515              # optional (inherited)
    parameters:
      covered_categories: [foundry]
      substitution_rate: {dist: triangular, low: 0.1, mode: 0.3, high: 0.6}

A numeric parameter may be a point value or a bounded distribution (see :mod:`econ.uncertainty`).

A list of restrictions (``vendor_bans``, ``vendor_exits``) may be given as ``{add: [...]}``: the
parent's list and these. A scenario may inherit from several parents (``inherits: [a, b]``): their
restriction lists are joined (an entry two parents share counts once), and any other parameter two
parents set differently must be set in the file itself, so that nothing is settled by list order.
However a restriction list is made (a file, parents, an override), an entry that repeats another
(the same kit and years, however written) is kept once, and two entries that would both remove the
same installed kit (a ban and an exit included) are refused: no kit is removed, or costed, twice.
"""

from econ.scenario.loading import (
    JOINED_LISTS,
    Scenario,
    counterfactual,
    load_scenario,
    scenario_names,
    scenario_path,
    with_values,
)
from econ.scenario.messages import describe, message
from econ.scenario.parameters import PARAMETER_NAMES, Parameters, parameter_table
from econ.scenario.values import (
    MARKET_YEARS,
    PARTS,
    SAFE_NAME,
    SAFE_NAME_RULE,
    Ban,
    Category,
    Market,
    Part,
    Place,
    Region,
    StrictModel,
    Vendor,
    param,
    path_value,
)

__all__ = ["JOINED_LISTS", "MARKET_YEARS", "PARAMETER_NAMES", "PARTS", "SAFE_NAME", "SAFE_NAME_RULE", "Ban", "Category",
           "Market", "Parameters", "Part", "Place", "Region", "Scenario", "StrictModel", "Vendor", "counterfactual",
           "describe", "load_scenario", "message", "param", "parameter_table", "path_value", "scenario_names",
           "scenario_path", "with_values"]
