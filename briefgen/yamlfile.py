"""YAML (and JSON) as briefgen reads it, for briefs, sources and styles alike: safe tags only,
dates kept as text, no "billion laughs", no absurd nesting and no absurd numbers.

An alias reuses a node, so a few lines of anchors can stand for billions of values. PyYAML builds
such data quickly (shared references), but whatever walks it afterwards — validation, a cache
key, a template — expands it. A file is therefore refused, right after parsing, when its aliases
add more than MAX_ALIASED_VALUES to it, or when it nests deeper than MAX_DEPTH (serialising and
validating recurse, and would fail far from the file that caused it).

Whole numbers are capped at MAX_INT_DIGITS in YAML and JSON alike: Python refuses to convert one
of more than 4,300 digits to or from text, so a longer one fails while it is parsed or wherever
it is printed later (a message, a template), far from the line that holds it.

No text may hold one of `model.ILLEGAL_CHARACTERS` (control characters; what XML cannot hold):
written as it is, or made by an escape ("\\v", "\\x1b"), it is a located error naming it. A
style's labels and settings are read so; a brief's YAML leaves the escapes to its model, which
reports them with the brief's other problems (`construct(node, check_text=False)`).
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from .model import describe_characters, illegal_character_hint, illegal_characters

#: How many values aliases may add, beyond those written out: far more than any brief,
#: sources list or style repeats. (What is written out is capped by the 5 MB file size.)
MAX_ALIASED_VALUES = 100_000
#: Levels of nesting: a brief or a style needs fewer than ten.
MAX_DEPTH = 100
#: Digits in a whole number: far more than any version, year or count, and far fewer than the
#: 4,300 past which Python cannot print a number.
MAX_INT_DIGITS = 100
_INT_BOUND = 10**MAX_INT_DIGITS
_NUMBER_HINT = "numbers in a brief (a version, a year) are short; put text in quotes"


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so pydantic reports a bad date like any bad value
    (PyYAML's own date constructor crashes on 2026-02-30)."""


class YamlLimitError(yaml.MarkedYAMLError):
    """A file that parses but is beyond what briefgen reads: aliases that expand too far or
    contain themselves, nesting deeper than MAX_DEPTH, a number longer than MAX_INT_DIGITS, or
    text holding one of ILLEGAL_CHARACTERS."""

    def __init__(self, problem: str, problem_mark: yaml.Mark,
                 hint: str = "write the values out with fewer aliases and fewer levels") -> None:
        super().__init__(problem=problem, problem_mark=problem_mark)
        self.hint = hint


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    """PyYAML's whole numbers (decimal, hex, octal, binary, base 60), capped at MAX_INT_DIGITS:
    hex and base 60 convert at any length, decimal fails past Python's limit."""
    try:
        value = yaml.SafeLoader.construct_yaml_int(loader, node)
    except ValueError:  # more decimal digits than Python converts
        value = _INT_BOUND
    if abs(value) >= _INT_BOUND:
        raise YamlLimitError(f"a whole number of more than {MAX_INT_DIGITS} digits",
                             node.start_mark, hint=_NUMBER_HINT)
    return value


def _illegal_text(chars: list[str], mark: yaml.Mark) -> YamlLimitError:
    return YamlLimitError(f"holds {describe_characters(chars)}, which no edition can print",
                          mark, hint=illegal_character_hint(chars))


class _TextLoader(_Loader):
    """`_Loader` that refuses a string (a key too) holding one of ILLEGAL_CHARACTERS."""

    def construct_yaml_str(self, node: yaml.Node) -> str:
        value = super().construct_yaml_str(node)
        if chars := illegal_characters(value):
            raise _illegal_text(chars, node.start_mark)
        return value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_TextLoader.add_constructor("tag:yaml.org,2002:str", _TextLoader.construct_yaml_str)


class JsonError(ValueError):
    """JSON that briefgen cannot read: a syntax error, nesting too deep to parse, or a whole
    number of more than MAX_INT_DIGITS digits; `line` is 1-based."""

    def __init__(self, message: str, line: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.line, self.hint = message, line, hint


class _LongNumber(Exception):
    """Raised from inside json.loads, which gives its hooks no position: found again after."""


def load_json(text: str) -> Any:
    """The data of a JSON text, its whole numbers capped like YAML's. Raises JsonError."""
    try:
        return json.loads(text, parse_int=_parse_json_int)
    except json.JSONDecodeError as error:
        raise JsonError(f"invalid JSON: {error.msg}", error.lineno) from None
    except RecursionError:
        raise JsonError("the JSON is nested too deeply to read", 1,
                        hint="flatten the structure: briefs and sources need only a few levels"
                        ) from None
    except _LongNumber:
        raise JsonError(f"a whole number of more than {MAX_INT_DIGITS} digits",
                        _line_of_long_json_int(text), hint=_NUMBER_HINT) from None


def _parse_json_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise _LongNumber
    return int(digits)


# A JSON string (skipped: digits in it are text), or a JSON number split into its whole part and
# the rest (a fraction or exponent makes it a float, which has no digit limit).
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"'
                         r"|-?(?P<whole>[0-9]+)(?P<rest>(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)")


def _line_of_long_json_int(text: str) -> int:
    """The line of the first whole number longer than MAX_INT_DIGITS in a JSON text."""
    for match in _JSON_TOKEN.finditer(text):
        if match["whole"] and not match["rest"] and len(match["whole"]) > MAX_INT_DIGITS:
            return text.count("\n", 0, match.start()) + 1
    return 1


def compose(text: str) -> yaml.Node | None:
    """The node tree of a one-document YAML text (None when it is empty), its lines in the
    nodes' marks. Raises yaml.YAMLError (YamlLimitError included) or RecursionError."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as error:  # a character YAML cannot hold, as it is written
        raise _reader_error(text, error) from None
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if node is not None:
        _check_expansion(node)
    return node


def construct(node: yaml.Node | None, check_text: bool = True) -> Any:
    """The Python data of a node tree from `compose`; with `check_text`, no string in it holds
    one of ILLEGAL_CHARACTERS (made by an escape: written as they are, `compose` refuses them)."""
    if node is None:
        return None
    return (_TextLoader if check_text else _Loader)("").construct_document(node)


def load(text: str) -> Any:
    return construct(compose(text))


def _reader_error(text: str, error: yaml.reader.ReaderError) -> yaml.YAMLError:
    """PyYAML's refusal of a character it cannot hold names neither line nor character; as a
    YamlLimitError at its line, naming it, when it is one of ILLEGAL_CHARACTERS."""
    position = error.position if isinstance(error.position, int) else 0
    chars = illegal_characters(text[position:position + 1])
    if not chars:
        return error
    line = text.count("\n", 0, position)
    column = position - (text.rfind("\n", 0, position) + 1)
    return _illegal_text(chars, yaml.Mark("<unicode string>", position, line, column, None,
                                          None))


def _check_expansion(root: yaml.Node) -> None:
    """Count the values the tree stands for, each shared node once (memoised by identity)."""
    written = _distinct_nodes(root)
    limit = written + MAX_ALIASED_VALUES
    sizes: dict[int, int | None] = {}  # None: being counted, so meeting it again is a cycle

    def size(node: yaml.Node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise YamlLimitError(problem=f"it is nested more than {MAX_DEPTH} levels deep",
                                 problem_mark=node.start_mark)
        key = id(node)
        if key in sizes:
            known = sizes[key]
            if known is None:
                raise YamlLimitError(problem="an alias refers to the value that holds it",
                                     problem_mark=node.start_mark)
            return known
        sizes[key] = None
        total = 1
        if isinstance(node, yaml.MappingNode):
            total += sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total += sum(size(item, depth + 1) for item in node.value)
        if total > limit:
            raise YamlLimitError(
                problem=f"its aliases add more than {MAX_ALIASED_VALUES:,} values to it",
                problem_mark=node.start_mark)
        sizes[key] = total
        return total

    size(root, 0)


def _distinct_nodes(root: yaml.Node) -> int:
    """How many nodes the text writes out (aliases point at these, adding none)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return len(seen)
