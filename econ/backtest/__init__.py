"""The back-test: the linked model against what was published for 2020-2024, beside naive forecasts.

Every figure of data/backtest.csv says what it is (:mod:`~econ.backtest.table`): only clean outcomes
count in the headline. The model's draws (:mod:`~econ.backtest.quantities`) and two naive forecasts
made from the record before the rules (:mod:`~econ.backtest.naive`: persistence and the pre-2020
trend) are scored alike (:mod:`~econ.backtest.scores`: coverage, width, WIS, CRPS), and the skill
is the model's score relative to each naive forecast's, overall and per family
(:mod:`~econ.backtest.results`, in words by :mod:`~econ.backtest.text`). Run it with
``python -m econ.backtest``; notebook 05 publishes it.
"""

from econ.backtest.results import Backtest
from econ.backtest.run import DOC_DRAWS, MARKERS, main, run, write_doc
from econ.backtest.table import check, figures

__all__ = ["DOC_DRAWS", "MARKERS", "Backtest", "check", "figures", "main", "run", "write_doc"]
