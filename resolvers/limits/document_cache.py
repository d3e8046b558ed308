"""Parse and validate a document once, not on every request.

graphql-core parses and validates every request in full, on the event loop: a third of
the serving loop's time on a burst of `placeOrder` mutations, which send the same few
documents again and again. `DocumentCache` keeps, per schema, the parsed document of
each query text and whether it passed graphql-core's validation, in a bounded LRU;
`CachedDocuments` is the schema extension that uses it.

What stays per request: `OperationLimits` checks depth, aliases and cost before
validation, for the principal of the request; what its passes over the document find
is kept with the document's entry (`resolvers.limits.measured_documents`), per page
size. Validation's outcome is kept only for a document that passed, so an invalid one
gets its errors afresh.

Pinned documents (the trusted documents of the persisted-operations manifest) are
parsed at start and never evicted: a flood of other query texts cannot make an app's
known operations pay for parsing again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from graphql import DocumentNode
from strawberry.extensions import SchemaExtension

from resolvers.limits.measured_documents import DocumentMeasures

MAX_DOCUMENTS = 1000  # query texts kept; each at most [graphql] max_tokens long


@dataclass
class _Entry:
    document: DocumentNode
    valid: bool = False  # passed graphql-core's validation
    measures: DocumentMeasures = field(default_factory=DocumentMeasures)


class DocumentCache:
    """The parsed documents of one schema by query text, least recently used first."""

    def __init__(self, max_documents: int = MAX_DOCUMENTS) -> None:
        self._max = max_documents
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._pinned: dict[str, _Entry] = {}
        self.parsed = 0  # documents parsed (a miss), for tests and benchmarks

    def pin(self, query: str, document: DocumentNode) -> None:
        """Keep `query`'s document for good, outside the LRU; it is validated the first
        time it runs, like any other."""
        entry = self._entries.pop(query, None)
        self._pinned[query] = entry if entry is not None else _Entry(document)

    def get(self, query: str) -> _Entry | None:
        pinned = self._pinned.get(query)
        if pinned is not None:
            return pinned
        entry = self._entries.get(query)
        if entry is not None:
            self._entries.move_to_end(query)
        return entry

    def put(self, query: str, document: DocumentNode) -> None:
        self.parsed += 1
        self._entries[query] = _Entry(document)
        self._entries.move_to_end(query)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)


class CachedDocuments(SchemaExtension):
    """Place it after every extension that checks a document before validation
    (`OperationLimits`): those still run on every request."""

    def __init__(self, *, cache: DocumentCache) -> None:
        self.cache = cache

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        entry = None if query is None else self.cache.get(query)
        if entry is not None:
            context.graphql_document = entry.document  # strawberry then skips parsing
            yield
            return
        yield
        if query is not None and context.graphql_document is not None:
            self.cache.put(query, context.graphql_document)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        entry = None if context.query is None else self.cache.get(context.query)
        checked_before = context.pre_execution_errors is not None  # refused by a limit
        if entry is not None and entry.valid and not checked_before:
            context.pre_execution_errors = []  # strawberry then skips validation
        yield
        if entry is not None and not checked_before and context.pre_execution_errors == []:
            entry.valid = True
