"""The values of the `operation` label, bounded: clients choose operation names, and a
label of raw names would let any client grow the gateway's memory (and the metrics
store's) one name at a time."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from graphql import GraphQLError, OperationDefinitionNode, parse

ANONYMOUS = "anonymous"  # an operation without a name
OTHER = "other"  # a name beyond the bound, or one that is no GraphQL name
NONE = "none"  # no operation ran: refused before GraphQL, or answered from a cache
MAX_NAME_CHARS = 64
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


class OperationNames:
    """The trusted documents' operation names always, plus the first `max_others` names
    of operations that ran; every further name is "other"."""

    def __init__(self, trusted: Iterable[str] = (), *, max_others: int = 100) -> None:
        self._trusted = frozenset(trusted)
        self._others: set[str] = set()
        self._max_others = max_others

    @classmethod
    def of_documents(cls, documents: Mapping[str, str], *, max_others: int) -> OperationNames:
        return cls(names_in(documents.values()), max_others=max_others)

    def label(self, name: str | None, *, ran: bool = True) -> str:
        """The label of an operation of this name; one that did not run (refused by
        validation or a limit) takes no place in the bound: anyone can send those."""
        if name is None:
            return ANONYMOUS
        if name in self._trusted or name in self._others:
            return name
        if not ran or len(self._others) >= self._max_others:
            return OTHER
        if len(name) > MAX_NAME_CHARS or not _NAME.fullmatch(name):
            return OTHER
        self._others.add(name)
        return name


def names_in(documents: Iterable[str]) -> set[str]:
    """The names of every operation the documents define."""
    names = set()
    for document in documents:
        try:
            parsed = parse(document)
        except GraphQLError:  # the manifest was checked at start; a bad one names nothing
            continue
        for definition in parsed.definitions:
            if isinstance(definition, OperationDefinitionNode) and definition.name:
                names.add(definition.name.value)
    return names
