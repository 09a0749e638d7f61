"""The one error type a user sees for bad input: it names the file, the field and what is allowed."""

from __future__ import annotations

import difflib
import re

#: Longest file or field name, and longest message, an error prints (a value can be any size: a
#: YAML alias bomb, a megabyte of text passed with ``-p``); the rest is cut with "...".
MAX_FIELD = 200
MAX_MESSAGE = 1000
#: Most problems listed; the rest are counted.
MAX_PROBLEMS = 50

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def shorten(text: str, limit: int = 80) -> str:
    """``text`` with control characters escaped (one problem, one line) and cut to ``limit`` characters."""
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))
    return text if len(text) <= limit else text[:max(0, limit - 3)] + "..."


def shown(value, limit: int = 60) -> str:
    """A value as a message shows it: its repr, cut short."""
    try:
        text = repr(value)
    except Exception:  # a value whose repr fails or recurses
        text = f"<{type(value).__name__}>"
    return shorten(text, limit)


def suggest(name: str, allowed) -> str:
    """" (did you mean 'NAME'?)" for the allowed name closest to ``name``, or "" when none is close."""
    close = difflib.get_close_matches(str(name), [str(a) for a in allowed], n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


#: The command line's exit codes: 0 success; 1 a run finished but some notebook failed; 2 bad input
#: (nothing ran); 3 a finished run could not be published; 130 interrupted; 141 the reader went away.
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_NOT_PUBLISHED, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 1, 2, 3, 130, 141


class InputError(ValueError):
    """Bad input found before any model work runs.

    Parameters
    ----------
    problems : list of (file, field, message)
        Each problem names the file (or "override" for a value passed on the command line or by
        papermill), the field (dotted path, with the row for tabular data) and what is wrong,
        including the allowed values. Each part is printed on one line and cut to a bounded length.
    """

    def __init__(self, problems: list[tuple[str, str, str]]):
        # a problem found by several checks (a sources.csv row every dataset cites) is said once
        self.problems = list(dict.fromkeys((shorten(file, MAX_FIELD), shorten(field, MAX_FIELD),
                                            shorten(message, MAX_MESSAGE)) for file, field, message in problems))
        super().__init__(self.format())

    def format(self) -> str:
        lines = [f"{file}: {field}: {message}" if field else f"{file}: {message}"
                 for file, field, message in self.problems[:MAX_PROBLEMS]]
        if len(self.problems) > MAX_PROBLEMS:
            lines.append(f"... and {len(self.problems) - MAX_PROBLEMS} more problem(s)")
        return "\n".join(lines)

    @classmethod
    def single(cls, file: str, field: str, message: str) -> InputError:
        return cls([(file, field, message)])

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of a traceback (JupyterLab, papermill): the message alone."""
        lines = self.format().splitlines() or [""]
        return [f"\x1b[1;31mInputError\x1b[0m: {lines[0]}", *lines[1:]]
