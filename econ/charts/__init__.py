"""Altair chart builders, the workbook's theme, and the renderer notebooks use.

Each builder takes a tidy frame and returns a chart; nothing is displayed or saved here. The builders
live in modules by what they draw, and are all importable from here (``charts.share_areas(...)``):

* :mod:`econ.charts.style`: the theme, the ``econ`` renderer, titles with sources, palettes;
* :mod:`econ.charts.shares`: market shares, chip supply, Huawei's revenue by market and business;
* :mod:`econ.charts.impacts`: suppliers' losses, Huawei's revenue gap, Russia's capex, rip-and-replace;
* :mod:`econ.charts.summaries`: sensitivity, the back-test, the comparison page, the timeline.
"""

from econ.charts.impacts import (  # noqa: F401
    capex_by_band_vendor,
    capex_by_component,
    coverage_by_tier,
    financing_gap,
    loss_time_profile,
    loss_waterfall,
    losses_by_economy,
    revenue_gap,
    rip_and_replace_costs,
)
from econ.charts.shares import (  # noqa: F401
    chip_supply,
    diversion,
    huawei_business,
    huawei_foreign_revenue,
    huawei_revenue,
    share_areas,
)
from econ.charts.style import (  # noqa: F401
    DISTINCT,
    HIGHLIGHT,
    LAB_MIME,
    SOURCE_FONT_SIZE,
    SOURCE_LINE_CHARS,
    SPEC_MIME,
    VENDOR_COLOURS,
    VENDOR_ORDER,
    empty,
    enable,
    fan,
    stacked,
    theme,
    titled,
    words,
)
from econ.charts.summaries import (  # noqa: F401
    TIMELINE_TITLE,
    backtest,
    headline_multiples,
    parameter_intervals,
    sobol_indices,
    sweep_heatmap,
    timeline,
    tornado,
)
