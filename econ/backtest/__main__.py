"""``python -m econ.backtest``: print the back-test's scores and rewrite docs/backtest.md."""

from econ.backtest.run import main

main()
