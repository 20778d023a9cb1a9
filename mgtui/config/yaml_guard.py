"""Anchors and aliases within a budget, before anything walks the YAML.

PyYAML builds aliases as shared references, so a 700-byte "billion laughs" file parses
instantly and then explodes in whatever walks it (line index, ${VAR} interpolation, pydantic):
minutes and gigabytes. An alias to an enclosing node (`a: &a [*a]`) is a cycle that ends in
RecursionError. `alias_problem` measures the tree as it would be expanded, on the node graph
and without expanding it (each node is sized once), and names the line of the culprit.
"""

from __future__ import annotations

import yaml

# Expanded nodes a config may have. A large real config has a few thousand; merge keys
# (`<<: *defaults`) on a dozen agents add a few hundred more.
MAX_EXPANDED_NODES = 20_000


class YamlTooLarge(Exception):
    """The node graph is recursive or expands beyond the budget. `line`/`column` are 1-based."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line, self.column = line, column


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_aliases(root: yaml.Node, budget: int = MAX_EXPANDED_NODES) -> None:
    """Raise YamlTooLarge for a recursive alias or an expansion over `budget` nodes."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in open_nodes:
            mark = node.start_mark
            raise YamlTooLarge("an alias refers to a node that contains it (recursive anchor)", mark.line + 1, mark.column + 1)
        open_nodes.add(key)
        total = 1
        for child in _children(node):
            total += size(child)
            if total > budget:
                # the innermost node over budget is where the expansion happens: name its line
                mark = node.start_mark
                raise YamlTooLarge(f"anchors and aliases expand to more than {budget:,} nodes here (an alias bomb?)", mark.line + 1, mark.column + 1)
        open_nodes.discard(key)
        sizes[key] = total
        return total

    size(root)
