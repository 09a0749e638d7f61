"""YAML read strictly: every file a user writes (scenarios, data/manifest.yaml, ``-p`` values).

PyYAML reads YAML 1.1, where ``yes``/``no``/``on``/``off`` are booleans, ``1:30`` is 90 (base 60),
``010`` is 8 and ``1_000`` is 1000, but ``1e-3`` is text. Here:

* scalars are read as YAML 1.2's core schema: ``true``/``false``, ``null``/``~``, decimal and
  hexadecimal integers, and floats with or without a point (``1e-3`` is 0.001);
* a plain scalar that YAML 1.1 and 1.2 read differently as a boolean or a number (``yes``, ``off``,
  ``1:30``, ``010``, ``1_000``) is refused, saying why: quote it for text or write the number;
* dates are text (``2020-05-15``), parsed by the field that wants a date, so an impossible date is a
  message about that field, not a crash in the reader;
* a key given twice is refused, naming both lines; keys are scalars;
* only the core tags (``!!str``, ``!!int``, ``!!float``, ``!!bool``, ``!!null``, ``!!seq``, ``!!map``);
* bounded: the file's size, the nesting depth and the number of values aliases expand to (a
  "billion laughs" file is refused before anything walks it), and a recursive alias is refused.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver, Resolver
from yaml.scanner import Scanner

from econ.errors import InputError, shorten

#: Largest YAML file read (scenario files are a few kB), deepest nesting, and most values after
#: aliases are expanded.
MAX_BYTES = 1_000_000
MAX_DEPTH = 50
MAX_NODES = 100_000

_NULL = re.compile(r"(?:~|null|Null|NULL|)\Z")
_BOOL = re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z")
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z|0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z"
                    r"|[-+]?\.(?:inf|Inf|INF)\Z|\.(?:nan|NaN|NAN)\Z")
_STR, _INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL_TAG, _NULL_TAG = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"
_SEQ_TAG, _MAP_TAG = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_YAML11 = Resolver()


class YamlError(Exception):
    """A problem at a line of the text (1-based; 0 when the whole text is at fault)."""

    def __init__(self, line: int, message: str):
        self.line, self.message = line, message
        super().__init__(f"line {line}: {message}" if line else message)


def _line(node_or_mark) -> int:
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    return mark.line + 1 if mark is not None else 0


class _Resolver(BaseResolver):
    """YAML 1.2 core schema for plain scalars."""


for _tag, _regexp in ((_NULL_TAG, _NULL), (_BOOL_TAG, _BOOL), (_INT_TAG, _INT), (_FLOAT_TAG, _FLOAT)):
    _Resolver.add_implicit_resolver(_tag, _regexp, None)


def _ambiguity(value: str, tag: str) -> str | None:
    """Why a plain scalar must not be read either way (YAML 1.1 gives it another type), or None."""
    old = _YAML11.resolve(ScalarNode, value, (True, False))
    if old == tag or old not in (_BOOL_TAG, _INT_TAG, _FLOAT_TAG):
        return None
    text = shorten(value, 40)
    if old == _BOOL_TAG:
        return (f"{text} is true or false in YAML 1.1 but text in YAML 1.2: write true or false, "
                f"or quote it ('{text}') for text")
    if ":" in value:
        return (f"{text} is a base-60 number in YAML 1.1 (1:30 is 90): write the number itself, "
                f"or quote it ('{text}') for text")
    return (f"{text} is read differently by YAML 1.1 (leading zeros are octal, '_' is ignored) and 1.2: "
            f"write a plain decimal number, or quote it ('{text}') for text")


class _Composer(Composer):
    """Bounds the nesting depth while the document is built (deep nesting would recurse)."""

    _depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlError(_line(self.peek_event()), f"nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Constructor(SafeConstructor):
    """The core tags only; numbers converted by the YAML 1.2 rules matched above."""

    yaml_constructors = {}

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except YamlError:
            raise
        except yaml.YAMLError as e:
            raise YamlError(_line(node), getattr(e, "problem", None) or str(e)) from None
        except (ValueError, TypeError, OverflowError) as e:
            raise YamlError(_line(node), f"{shorten(getattr(node, 'value', ''), 40)!r} cannot be read as "
                            f"{node.tag.rsplit(':', 1)[-1]}: {e}") from None

    def construct_strict_int(self, node):
        value = self.construct_scalar(node)
        if not _INT.match(value):
            raise YamlError(_line(node), f"{shorten(value, 40)!r} is not a whole number (decimal, or 0x hexadecimal)")
        return int(value, 16) if value.startswith("0x") else int(value)

    def construct_strict_float(self, node):
        value = self.construct_scalar(node)
        if not _FLOAT.match(value):
            raise YamlError(_line(node), f"{shorten(value, 40)!r} is not a number")
        lower = value.lower()
        if lower.endswith(".inf"):
            return float("-inf") if lower.startswith("-") else float("inf")
        return float("nan") if lower == ".nan" else float(value)

    def construct_strict_bool(self, node):
        value = self.construct_scalar(node)
        if not _BOOL.match(value):
            raise YamlError(_line(node), f"{shorten(value, 40)!r} is not true or false")
        return value.lower() == "true"

    def construct_undefined(self, node):
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise YamlError(_line(node), f"the tag {shorten(tag, 60)} is not allowed: plain values, lists and "
                        "mappings only")


_Constructor.add_constructor(_NULL_TAG, SafeConstructor.construct_yaml_null)
_Constructor.add_constructor(_BOOL_TAG, _Constructor.construct_strict_bool)
_Constructor.add_constructor(_INT_TAG, _Constructor.construct_strict_int)
_Constructor.add_constructor(_FLOAT_TAG, _Constructor.construct_strict_float)
_Constructor.add_constructor(_STR, SafeConstructor.construct_yaml_str)
_Constructor.add_constructor(_SEQ_TAG, SafeConstructor.construct_yaml_seq)
_Constructor.add_constructor(_MAP_TAG, SafeConstructor.construct_yaml_map)
_Constructor.add_constructor(None, _Constructor.construct_undefined)


class _Loader(Reader, Scanner, Parser, _Composer, _Constructor, _Resolver):
    def __init__(self, stream):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _Composer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


class _Walk:
    """One walk of the composed document: ambiguous scalars, keys, duplicates, alias expansion (each
    node's size counted once, so an alias repeated inside aliases is measured before it is built)."""

    def __init__(self):
        self.sizes: dict[int, int] = {}
        self.open: set[int] = set()

    def size(self, node: Node, path: str) -> int:
        key = id(node)
        if key in self.sizes:
            return self.sizes[key]
        if key in self.open:
            raise YamlError(_line(node), f"{path or 'the document'}: an alias refers to a collection that "
                            "contains it (recursive data)")
        self.open.add(key)
        if isinstance(node, ScalarNode):
            total = self.scalar(node, path)
        elif isinstance(node, SequenceNode):
            total = 1 + sum(self.size(item, f"{path}.{i}" if path else str(i)) for i, item in enumerate(node.value))
        else:
            total = self.mapping(node, path) if isinstance(node, MappingNode) else 1
        self.open.discard(key)
        self.sizes[key] = total
        if total > MAX_NODES:
            raise YamlError(_line(node), f"{path or 'the document'} expands to more than {MAX_NODES:,} values "
                            "(aliases repeated inside aliases?): refused before reading it")
        return total

    @staticmethod
    def scalar(node: ScalarNode, path: str) -> int:
        if node.style is None and node.tag in (_STR, _NULL_TAG, _BOOL_TAG, _INT_TAG, _FLOAT_TAG):
            why = _ambiguity(node.value, node.tag)
            if why:
                raise YamlError(_line(node), (f"{path}: " if path else "") + why)
        return 1

    def mapping(self, node: MappingNode, path: str) -> int:
        where = path or "the document"
        if any(k.tag == "tag:yaml.org,2002:merge" or (isinstance(k, ScalarNode) and k.value == "<<" and k.style is None)
               for k, _ in node.value):
            raise YamlError(_line(node), f"{where}: merge keys (<<) are not supported: write the keys out")
        seen: dict[object, int] = {}
        total = 1
        for k, v in node.value:
            if not isinstance(k, ScalarNode):
                raise YamlError(_line(k), f"{where}: a key must be a plain value, not a list or mapping")
            self.size(k, path)
            ident, name = (k.tag, k.value), shorten(k.value, 60)
            if ident in seen:
                raise YamlError(_line(k), f"{path + '.' if path else ''}{name}: the key is given twice, on "
                                f"line {seen[ident]} and line {_line(k)}; give it once")
            seen[ident] = _line(k)
            total += 1 + self.size(v, f"{path}.{name}" if path else name)
        return total


def _check(root: Node) -> None:
    """Walk the composed document once: ambiguous scalars, keys, duplicates, alias expansion."""
    _Walk().size(root, "")


#: Documents already read, by their text: the same file is read by every scenario that inherits it and by
#: each comparison of a page, and the strict composer is pure Python (about 35 ms a scenario file).
#: Keyed on the text itself, so an edited file is read again; callers get a deep copy they may change.
_READ: dict[str, object] = {}
_READ_MAX = 256


def loads(text: str):
    """The data of one YAML document, read strictly (see the module's docstring); YamlError if bad."""
    if text in _READ:
        return copy.deepcopy(_READ[text])
    data = _loads(text)
    if len(_READ) >= _READ_MAX:
        _READ.clear()
    _READ[text] = data
    return copy.deepcopy(data)


def _loads(text: str):
    if len(text) > MAX_BYTES:
        raise YamlError(0, f"{len(text):,} characters: at most {MAX_BYTES:,} are read")
    loader = None
    try:
        try:
            loader = _Loader(text)
            node = loader.get_single_node()
        except RecursionError:
            raise YamlError(0, f"nested too deeply (at most {MAX_DEPTH} levels)") from None
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            raise YamlError(_line(mark), shorten(" ".join(filter(None, [e.context, e.problem])), 300)) from None
        except yaml.YAMLError as e:
            raise YamlError(0, shorten(str(e), 300)) from None
        if node is None:
            return None
        try:
            _check(node)
        except RecursionError:
            raise YamlError(0, "aliases nested too deeply") from None
        return loader.construct_document(node)
    finally:
        if loader is not None:
            loader.dispose()


def read(path: Path, what: str, max_bytes: int = MAX_BYTES):
    """The data of YAML file ``path`` (a ``what``: "scenario file", ...), or InputError naming the file
    and line: missing, a folder, not a regular file, too large, not UTF-8 text, or not strict YAML."""
    from econ import paths

    file = paths.relative(path)
    problem = None
    try:
        if path.is_dir():
            problem = f"is a folder, not a {what}"
        elif not path.exists():
            problem = f"no such {what}"
        elif not path.is_file():
            problem = f"is not a regular file (a device or a pipe?): not a {what}"
        else:
            with open(path, "rb") as f:
                raw = f.read(max_bytes + 1)
    except (OSError, ValueError) as e:  # unreadable, a NUL byte in the name, ...
        problem = f"cannot be read: {type(e).__name__}: {e}"
    if problem:
        raise InputError.single(file, "", problem)
    if len(raw) > max_bytes:
        raise InputError.single(file, "", f"is larger than {max_bytes:,} bytes: not a {what}")
    if b"\x00" in raw:
        raise InputError.single(file, "", f"holds NUL bytes (a binary file?): a {what} is YAML text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError.single(file, "", f"is not UTF-8 text (a binary file?): byte {e.start}") from None
    try:
        return loads(text)
    except YamlError as e:
        raise InputError.single(file, f"line {e.line}" if e.line else "", f"not valid YAML: {e.message}") from None
