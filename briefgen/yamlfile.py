"""YAML as briefgen reads it, for briefs, sources and styles alike: safe tags only, dates kept
as text, and no "billion laughs".

An alias reuses a node, so a few lines of anchors can stand for billions of values. PyYAML builds
such data quickly (shared references), but whatever walks it afterwards — validation, a cache
key, a template — expands it. A file is therefore refused, right after parsing, when its aliases
would expand it past MAX_VALUES.
"""

from __future__ import annotations

from typing import Any

import yaml

#: Far more values than any brief, sources list or style holds.
MAX_VALUES = 100_000


class _Loader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so pydantic reports a bad date like any bad value
    (PyYAML's own date constructor crashes on 2026-02-30)."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


class AliasExpansionError(yaml.MarkedYAMLError):
    """Aliases that expand to more than MAX_VALUES values, or that contain themselves."""

    hint = "write the values out, or use fewer aliases"


def compose(text: str) -> yaml.Node | None:
    """The node tree of a one-document YAML text (None when it is empty), its lines in the
    nodes' marks. Raises yaml.YAMLError (AliasExpansionError included) or RecursionError."""
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
    sizes: dict[int, int | None] = {}  # None: being counted, so meeting it again is a cycle

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            known = sizes[key]
            if known is None:
                raise AliasExpansionError(problem="an alias refers to the value that holds it",
                                          problem_mark=node.start_mark)
            return known
        sizes[key] = None
        total = 1
        if isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total += sum(size(item) for item in node.value)
        if total > MAX_VALUES:
            raise AliasExpansionError(
                problem=f"it stands for more than {MAX_VALUES:,} values once its aliases are "
                        "expanded",
                problem_mark=node.start_mark)
        sizes[key] = total
        return total

    size(root)
