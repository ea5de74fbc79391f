"""YAML as briefgen reads it, for briefs, sources and styles alike: safe tags only, dates kept
as text, no "billion laughs" and no absurd nesting.

An alias reuses a node, so a few lines of anchors can stand for billions of values. PyYAML builds
such data quickly (shared references), but whatever walks it afterwards — validation, a cache
key, a template — expands it. A file is therefore refused, right after parsing, when its aliases
add more than MAX_ALIASED_VALUES to it, or when it nests deeper than MAX_DEPTH (serialising and
validating recurse, and would fail far from the file that caused it).
"""

from __future__ import annotations

from typing import Any

import yaml

#: How many values aliases may add, beyond those written out: far more than any brief,
#: sources list or style repeats. (What is written out is capped by the 5 MB file size.)
MAX_ALIASED_VALUES = 100_000
#: Levels of nesting: a brief or a style needs fewer than ten.
MAX_DEPTH = 100


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so pydantic reports a bad date like any bad value
    (PyYAML's own date constructor crashes on 2026-02-30)."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


class YamlLimitError(yaml.MarkedYAMLError):
    """A file that parses but is beyond what briefgen reads: aliases that expand too far or
    contain themselves, or nesting deeper than MAX_DEPTH."""

    hint = "write the values out with fewer aliases and fewer levels"


def compose(text: str) -> yaml.Node | None:
    """The node tree of a one-document YAML text (None when it is empty), its lines in the
    nodes' marks. Raises yaml.YAMLError (YamlLimitError included) or RecursionError."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    if node is not None:
        _check_expansion(node)
    return node


def construct(node: yaml.Node | None) -> Any:
    """The Python data of a node tree from `compose`."""
    return _Loader("").construct_document(node) if node is not None else None


def load(text: str) -> Any:
    return construct(compose(text))


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
