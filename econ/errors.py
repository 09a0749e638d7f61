"""The one error type a user sees for bad input: it names the file, the field and what is allowed."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input found before any model work runs.

    Parameters
    ----------
    problems : list of (file, field, message)
        Each problem names the file (or "override" for a value passed on the command line or by
        papermill), the field (dotted path, with the row for tabular data) and what is wrong,
        including the allowed values.
    """

    def __init__(self, problems: list[tuple[str, str, str]]):
        self.problems = list(problems)
        super().__init__(self.format())

    def format(self) -> str:
        lines = [f"{file}: {field}: {message}" if field else f"{file}: {message}"
                 for file, field, message in self.problems]
        return "\n".join(lines)

    @classmethod
    def single(cls, file: str, field: str, message: str) -> InputError:
        return cls([(file, field, message)])
