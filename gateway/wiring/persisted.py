"""Persisted operations: a request names its document by SHA-256 instead of sending it.

`extensions.persistedQuery = {"version": 1, "sha256Hash": ...}` is Apollo's protocol.
The hash is looked up in the trusted manifest (`[graphql] persisted_manifest`), then in
the documents clients registered (automatic persisted queries, `[graphql] apq`): a
request with both the query and its hash registers it once the document has run, which
means it parsed and passed validation and the limits. Unknown: `PersistedQueryNotFound`,
and Apollo's link sends the query with its hash.

Principals of the kinds in `[graphql] persisted_only_for` may run only the manifest's
documents, named by hash or sent in full; registered documents do not count for them.

`PersistedOperations.resolve` only decides which text runs; the HTTP view runs it, and
the schema's document cache then spares a known document its parsing and validation.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from graphql import GraphQLError

from gateway.config import GraphQLSettings
from gateway.persisted_documents import document_hash, is_document_hash

NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
REQUIRED = "PERSISTED_QUERY_REQUIRED"
# Answers that ran nothing: request errors, as the GraphQL-over-HTTP view treats them.
PERSISTED_ERROR_CODES = frozenset({NOT_FOUND, NOT_SUPPORTED, HASH_MISMATCH, REQUIRED})
# What Apollo's link retries or gives up on: always HTTP 200 whatever the media type,
# as Apollo Server answers them; older links turn APQ off for good on a 400.
APOLLO_SIGNALS = frozenset({NOT_FOUND, NOT_SUPPORTED})


class MalformedPersistedQuery(ValueError):
    """`extensions.persistedQuery` is not `{"version": 1, "sha256Hash": <64 hex>}`."""


class RegisteredDocuments:
    """Documents registered by clients, by hash, least recently used first: bounded in
    count and in bytes, since anyone may register (each one parsed and validated)."""

    def __init__(self, *, max_documents: int, max_bytes: int) -> None:
        self._max_documents = max_documents
        self._max_bytes = max_bytes
        self._documents: OrderedDict[str, str] = OrderedDict()
        self.bytes = 0  # the UTF-8 size of the texts held

    def __len__(self) -> int:
        return len(self._documents)

    def get(self, sha256: str) -> str | None:
        document = self._documents.get(sha256)
        if document is not None:
            self._documents.move_to_end(sha256)
        return document

    def put(self, sha256: str, document: str) -> None:
        size = len(document.encode("utf-8"))
        if size > self._max_bytes or self.get(sha256) is not None:
            return
        self._documents[sha256] = document
        self.bytes += size
        while len(self._documents) > self._max_documents or self.bytes > self._max_bytes:
            _, evicted = self._documents.popitem(last=False)
            self.bytes -= len(evicted.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class ToRun:
    """The document a request runs (None: it sent none, which strawberry answers), and
    the hash to register it under once it ran well."""

    query: str | None
    register_as: str | None = None


class PersistedOperations:
    def __init__(
        self,
        *,
        trusted: Mapping[str, str],
        only_for: Collection[str] = (),
        registered: RegisteredDocuments | None = None,
    ) -> None:
        self.trusted = trusted
        self.only_for = frozenset(only_for)
        self.registered = registered  # None: APQ is off

    @classmethod
    def from_settings(cls, graphql: GraphQLSettings) -> PersistedOperations:
        registered = None
        if graphql.apq:
            registered = RegisteredDocuments(
                max_documents=graphql.apq_max_documents, max_bytes=graphql.apq_max_bytes
            )
        return cls(
            trusted=graphql.persisted_documents,
            only_for=graphql.persisted_only_for,
            registered=registered,
        )

    def resolve(
        self, query: str | None, extensions: Mapping[str, object] | None, kind: str
    ) -> ToRun | GraphQLError:
        """What runs for a request of a principal of this `kind`, or the error that
        answers it instead. Raises `MalformedPersistedQuery`."""
        trusted_only = kind in self.only_for
        persisted = (extensions or {}).get("persistedQuery")
        if persisted is None:
            if trusted_only and query is not None and document_hash(query) not in self.trusted:
                return _required()
            return ToRun(query)
        sha256 = _hash_in(persisted)
        if query is None:
            return self._known(sha256, trusted_only)
        if document_hash(query) != sha256:
            return GraphQLError(
                "provided sha does not match query: extensions.persistedQuery.sha256Hash "
                "must be the SHA-256 of the query's exact text",
                extensions={"code": HASH_MISMATCH},
            )
        if trusted_only and sha256 not in self.trusted:
            return _required()
        registering = self.registered is not None and sha256 not in self.trusted
        return ToRun(query, register_as=sha256 if registering else None)

    def register(self, sha256: str, query: str) -> None:
        if self.registered is not None:
            self.registered.put(sha256, query)

    def _known(self, sha256: str, trusted_only: bool) -> ToRun | GraphQLError:
        document = self.trusted.get(sha256)
        if document is None and not trusted_only and self.registered is not None:
            document = self.registered.get(sha256)
        if document is not None:
            return ToRun(document)
        if self.registered is None and not self.trusted:
            return GraphQLError("PersistedQueryNotSupported", extensions={"code": NOT_SUPPORTED})
        # A trusted-only principal gets the same answer for a registered document as for
        # an unknown one: its retry with the full text is refused as REQUIRED.
        return GraphQLError("PersistedQueryNotFound", extensions={"code": NOT_FOUND})


def _hash_in(persisted: object) -> str:
    if not isinstance(persisted, dict):
        raise MalformedPersistedQuery(
            'extensions.persistedQuery: expected {"version": 1, "sha256Hash": "<64 hex digits>"}'
        )
    version = persisted.get("version")
    if version != 1 or isinstance(version, bool):
        raise MalformedPersistedQuery(
            f"extensions.persistedQuery.version: only version 1 is supported, got {version!r:.40}"
        )
    sha256 = persisted.get("sha256Hash")
    if isinstance(sha256, str):
        sha256 = sha256.lower()  # hex is hex in either case
    if not is_document_hash(sha256):
        raise MalformedPersistedQuery(
            "extensions.persistedQuery.sha256Hash: expected a SHA-256 hash, 64 hex digits, "
            f"got {sha256!r:.80}"
        )
    assert isinstance(sha256, str)
    return sha256


def _required() -> GraphQLError:
    return GraphQLError(
        "This client may run only the operations of the gateway's trusted documents: send "
        "one by its extensions.persistedQuery.sha256Hash",
        extensions={"code": REQUIRED},
    )
