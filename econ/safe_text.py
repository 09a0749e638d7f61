"""Published text is data: text from scenario files, the timeline or the story can end up inside a page's
``<script>`` block or a CSV a reader opens in a spreadsheet, and must not act there.

* :func:`script_json` serialises for a ``<script>`` block: ``<``, ``>``, ``&`` and the line separators
  U+2028/U+2029 are written as JSON escapes, so no text can end the block (``</script>``), comment it
  out (``<!--``) or open CDATA; the JSON still parses to the same value.
* :func:`defuse` and :func:`csv_text` follow OWASP's advice on CSV injection: a text cell starting
  with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so a spreadsheet
  shows it as text instead of running it as a formula. Numbers are never touched (a negative number
  is a number column, not text). The page's own CSV downloads do the same in JavaScript
  (:data:`econ.report.bundle.CHART_SCRIPT`, ``cell``).
"""

from __future__ import annotations

import json

import pandas as pd

#: Characters that make a spreadsheet treat a cell as a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SCRIPT_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026",
                   0x2028: "\\u2028", 0x2029: "\\u2029"}


def script_json(value, **kwargs) -> str:
    """``json.dumps(value)`` that is safe anywhere inside an HTML ``<script>`` element."""
    return json.dumps(value, **kwargs).translate(_SCRIPT_ESCAPES)


def defuse(text):
    """A text cell a spreadsheet will show as text (anything else unchanged)."""
    if isinstance(text, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


def defuse_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell defused; numeric columns and the column names' types unchanged."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(defuse)
    out.columns = [defuse(c) for c in out.columns]
    return out


def csv_text(frame: pd.DataFrame, **kwargs) -> str:
    """``frame.to_csv(index=False, ...)`` with its text cells defused."""
    return defuse_frame(frame).to_csv(index=False, **kwargs)
