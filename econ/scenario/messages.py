"""A validation error as a user reads it: what is wrong, what was given (cut short), what is allowed,
and the closest allowed name."""

from __future__ import annotations

from econ.errors import shown, suggest

#: The keys a mapping-valued parameter takes, by its field name (filled by econ.scenario.values).
KEYS_BY_FIELD: dict[str, tuple[str, ...]] = {}


def got(value) -> str:
    """How a message names a value of the wrong type (text is not a number, a boolean is not a number)."""
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        try:
            float(value)
            return f"the text {shown(value)} (remove the quotes for a number)"
        except ValueError:
            return f"the text {shown(value)}"
    if isinstance(value, float) and value.is_integer():
        return f"{value!r} (whole numbers are written without a decimal point)"
    if isinstance(value, list | tuple):
        return f"the list {shown(value)}"
    if isinstance(value, dict):
        return f"the mapping {shown(value)}"
    return shown(value)



def message(err: dict) -> str:
    """A pydantic error as a user reads it: what is wrong, what was given (cut short), what is allowed."""
    kind, msg = err["type"], err["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        loc = [x for x in err["loc"] if isinstance(x, str)]
        allowed = next((KEYS_BY_FIELD[x] for x in loc if x in KEYS_BY_FIELD), ())
        name = str(loc[-1]) if loc else ""
        return f"unknown key{suggest(name, allowed)}" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
    if kind in ("value_error", "missing", "assertion_error") or "input" not in err:
        return msg
    if kind in _WANTED:
        hint = ""
        if isinstance(err["input"], str) and kind in ("tuple_type", "list_type", "dict_type", "model_type"):
            hint = " (papermill: give lists and mappings with -y 'NAME: [...]', not -p)"
        return f"{got(err['input'])} is not {_WANTED[kind]}{hint}"
    return f"{msg}; got {got(err['input'])}"


#: What a strict type error says was wanted.
_WANTED = {"int_type": "a whole number", "int_parsing": "a whole number", "int_from_float": "a whole number",
           "float_type": "a number", "float_parsing": "a number", "string_type": "text",
           "bool_type": "true or false", "bool_parsing": "true or false", "tuple_type": "a list",
           "list_type": "a list", "dict_type": "a mapping", "model_type": "a mapping (key: value)",
           "model_attributes_type": "a mapping (key: value)", "date_type": "a date (YYYY-MM-DD)"}


def describe(err: dict) -> str:
    loc = ".".join(str(x) for x in err["loc"])
    msg = message(err)
    return f"{loc}: {msg}" if loc else msg
