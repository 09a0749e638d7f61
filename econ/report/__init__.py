"""Publishing: executed notebooks to self-contained, offline HTML reports.

Charts stay interactive: each chart output (the spec under ``application/vnd.vegalite.v6+json``)
becomes a ``<div>`` and a ``vegaEmbed`` call, and the Vega JavaScript from vl-convert is inlined
once in the page head (or, for a site, loaded once per run from ``vega-bundle.js`` beside the
pages: :data:`BUNDLE_FILE`). The template drops every script the stock nbconvert page loads from a CDN.

What a reader never sees: stderr (warnings, a library's complaints) is taken off the page and
written to the run's logs; the parameters cells are hidden with the code. What a reader gets on
every page: a banner naming the scenario (and any override the run applied), links to the previous
and next notebook and to the same notebook under the other scenarios (:func:`navigation`, stamped
on every page of a run by :func:`finish_pages` once the run's pages are known), a contents list on
long pages, and under each chart links that save its data as CSV and the chart as PNG or SVG.
"""

from econ.report.bundle import (
    BUNDLE_FILE,
    CSS_FILE,
    EMBED_OPTIONS,
    TEMPLATES,
    chart_html,
    notebook_css,
    vega_bundle,
    vega_script,
)
from econ.report.notebooks import (
    error_page,
    exporter,
    notebook_to_html,
    overrides_note,
    publish_notebook,
    run_settings,
    warm_up,
)
from econ.report.pages import (
    PAGE_CSS,
    READER_CSS,
    banner,
    contents,
    finish_pages,
    navigation,
    notebook_title,
    page,
    restamp,
)

__all__ = ["BUNDLE_FILE", "CSS_FILE", "EMBED_OPTIONS", "PAGE_CSS", "READER_CSS", "TEMPLATES", "banner", "chart_html",
           "contents",
           "error_page", "exporter", "finish_pages", "navigation", "notebook_css", "notebook_title",
           "notebook_to_html", "overrides_note",
           "page", "publish_notebook", "restamp", "run_settings", "vega_bundle", "vega_script", "warm_up"]
