"""Bounds on repetition that graphql-core's validation would pay for quadratically.

Its `OverlappingFieldsCanBeMerged` rule compares every pair of fields that share a
response name in a selection set (merging their sub-selections, so repeats multiply
level by level), and every pair of fragments spread into one: 1,200 copies of
`customer { id }` in 19 KB, or 7 copies nested three deep, keep it busy for over a
second, and 100 fragments spread side by side for a quarter of one. Real queries
repeat a field a handful of times (`id` in each inline fragment of a `node` query) and
rarely define more than a couple of dozen fragments; past these bounds a document is
refused, counted in one pass, before graphql-core sees it.
"""

from __future__ import annotations

from graphql import (
    DocumentNode,
    ExecutableDefinitionNode,
    FieldNode,
    FragmentDefinitionNode,
    InlineFragmentNode,
    SelectionSetNode,
)

from resolvers.limits.measure import DocumentRefused

MAX_REPEATED_FIELDS = 50  # over the document: each field beyond the first of its name
MAX_FRAGMENTS = 30  # fragment definitions in one document


def check_repetition(document: DocumentNode) -> None:
    """Raises `DocumentRefused` when the document repeats more than the bounds allow."""
    fragments = sum(isinstance(d, FragmentDefinitionNode) for d in document.definitions)
    if fragments > MAX_FRAGMENTS:
        raise DocumentRefused(
            f"The document defines {fragments} fragments; at most {MAX_FRAGMENTS}"
        )
    groups = [
        d.selection_set for d in document.definitions if isinstance(d, ExecutableDefinitionNode)
    ]
    repeated = 0
    while groups:
        names, nested = _merged_names(groups.pop())
        repeated += sum(count - 1 for count in names.values())
        if repeated > MAX_REPEATED_FIELDS:
            raise DocumentRefused(
                f"The document selects a field again in the same selection set more than "
                f"{MAX_REPEATED_FIELDS} times; select each field once"
            )
        groups.extend(nested)


def _merged_names(selection_set: SelectionSetNode) -> tuple[dict[str, int], list[SelectionSetNode]]:
    """Response names in what graphql-core merges into one selection set (its fields and
    those of its inline fragments), and the fields' own selection sets."""
    names: dict[str, int] = {}
    nested: list[SelectionSetNode] = []
    pending = [selection_set]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                name = (selection.alias or selection.name).value
                names[name] = names.get(name, 0) + 1
                if selection.selection_set is not None:
                    nested.append(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
    return names, nested
