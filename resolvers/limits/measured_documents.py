"""The limits' pass over a document, done once per document and page sizes.

`OperationLimits` checks repetition and measures depth, aliases and cost before
anything else runs, on every request: two passes over the document (a third of a
millisecond for the federated customer-360's, before its first backend call), though
most requests send a document already seen, with the same page sizes. What the passes
find depends only on the document's text, the operation that runs, and the values of
the variables the measure reads (a connection's `first`: `DocumentMeasure
.variables_read`). Kept with the document's cache entry (`DocumentCache`), a later
request with the same values takes it from there; the principal's own cost limit is
still compared on every request, and a refused document is checked again each time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from resolvers.limits.measure import DocumentMeasure

# Per document: one is sent with a few page sizes in practice; a client that varies
# `first` on every request is measured afresh past these, and fills nothing.
MAX_MEASURES = 32

_MISSING = object()  # a variable the request does not give: its default applies
_KEYABLE = (int, bool, str, float, type(None))


class DocumentMeasures:
    """What the limits' passes found in one document."""

    def __init__(self) -> None:
        self.repetition_checked = False
        self._read: dict[str | None, frozenset[str]] = {}  # per operation name
        self._measures: dict[tuple[Any, ...], DocumentMeasure] = {}

    def get(
        self, operation_name: str | None, variables: Mapping[str, Any] | None
    ) -> DocumentMeasure | None:
        read = self._read.get(operation_name)
        if read is None:
            return None
        key = _key(operation_name, read, variables or {})
        return None if key is None else self._measures.get(key)

    def put(
        self,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        measure: DocumentMeasure,
    ) -> None:
        self._read[operation_name] = measure.variables_read
        key = _key(operation_name, measure.variables_read, variables or {})
        if key is not None and len(self._measures) < MAX_MEASURES:
            self._measures[key] = measure


def _key(
    operation_name: str | None, read: frozenset[str], variables: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """The operation and the values read, each with its type (1, 1.0 and true are
    equal keys in a dict, not equal page sizes); None when a value is not a scalar."""
    values = [variables.get(name, _MISSING) for name in sorted(read)]
    if not all(value is _MISSING or type(value) in _KEYABLE for value in values):
        return None
    return (operation_name, *((type(value), value) for value in values))
