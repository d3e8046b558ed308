"""Trusted documents: the manifest of operations the gateway knows by SHA-256 hash.

The manifest is the JSON that GraphQL Codegen's client preset writes as
`persisted-documents.json` with `hashAlgorithm: "sha256"` (and The Guild's Hive takes
as "trusted documents"): one object, the lowercase hex SHA-256 of each document's text
-> that text. Apollo's `apollo-persisted-query-manifest` (from
`@apollo/generate-persisted-query-manifest`) is read as well. `erp-gateway persisted
export` writes the former from a folder of `.graphql` files.

Every entry is checked when the manifest is read, so a bad file stops the gateway at
start rather than refusing an app's operations later: each key must be the SHA-256 of
its document (what a client sends as `extensions.persistedQuery.sha256Hash`), and each
document must parse.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path

from graphql import GraphQLSyntaxError, parse, print_ast

APOLLO_FORMAT = "apollo-persisted-query-manifest"
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")


class ManifestError(ValueError):
    """The manifest, or an operations folder, cannot be used; the message says why."""


def document_hash(text: str) -> str:
    """The SHA-256 of a document's UTF-8 text, as clients send it: 64 hex digits."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_document_hash(value: object) -> bool:
    return isinstance(value, str) and _SHA256_HEX.fullmatch(value) is not None


def read_manifest(path: Path) -> dict[str, str]:
    """The documents of the manifest at `path`, by hash."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestError("no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"cannot read it ({getattr(exc, 'strerror', None) or exc})") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ManifestError(f"not valid JSON: {exc}") from None
    return manifest_documents(data)


def manifest_documents(data: object) -> dict[str, str]:
    """The documents of a decoded manifest, in either format, each entry checked."""
    if isinstance(data, dict) and data.get("format") == APOLLO_FORMAT:
        entries = _apollo_entries(data)
    elif isinstance(data, dict):
        entries = list(data.items())
    else:
        raise ManifestError("expected a JSON object of SHA-256 hash -> document")
    if not entries:
        raise ManifestError("it holds no documents")
    documents: dict[str, str] = {}
    for key, document in entries:
        sha256, text = _checked(key, document)
        documents[sha256] = text
    return documents


def operations_manifest(folder: Path) -> dict[str, str]:
    """A manifest of every `.graphql` file in `folder`, each document as graphql-core
    prints it (graphql-js's `print`): no comments, one layout, so the hash does not
    change with a file's formatting."""
    if not folder.is_dir():
        raise ManifestError(f"{folder}: no such folder")
    files = sorted(folder.glob("*.graphql"))
    if not files:
        raise ManifestError(f"{folder}: holds no .graphql files")
    documents: dict[str, str] = {}
    for file in files:
        try:
            printed = print_ast(parse(file.read_text(encoding="utf-8")))
        except GraphQLSyntaxError as exc:
            raise ManifestError(f"{file}: {_syntax(exc)}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ManifestError(f"{file}: cannot read it ({exc})") from None
        documents[document_hash(printed)] = printed
    return documents


def manifest_json(documents: Mapping[str, str]) -> str:
    """The manifest's file content: sorted by hash, so that it diffs well."""
    return json.dumps(dict(sorted(documents.items())), indent=2) + "\n"


def _apollo_entries(data: dict[str, object]) -> list[tuple[object, object]]:
    if data.get("version") != 1:
        raise ManifestError(f"{APOLLO_FORMAT}: expected version 1, got {data.get('version')!r}")
    operations = data.get("operations")
    if not isinstance(operations, list):
        raise ManifestError(f"{APOLLO_FORMAT}: expected a list of operations")
    entries: list[tuple[object, object]] = []
    for number, operation in enumerate(operations, start=1):
        if not isinstance(operation, dict):
            raise ManifestError(f"operation {number}: expected an object with id and body")
        entries.append((operation.get("id"), operation.get("body")))
    return entries


def _checked(key: object, document: object) -> tuple[str, str]:
    shown = repr(key)[:80]
    if not is_document_hash(key):
        raise ManifestError(f"entry {shown}: expected a SHA-256 hash in lowercase hex (64 digits)")
    assert isinstance(key, str)
    if not isinstance(document, str) or not document.strip():
        raise ManifestError(f"entry {shown}: expected the document's text, got {document!r:.80}")
    if document_hash(document) != key:
        raise ManifestError(
            f"entry {shown}: the key is not the SHA-256 of its document "
            f"({document_hash(document)}); was the manifest written with another hash?"
        )
    try:
        parse(document)
    except GraphQLSyntaxError as exc:
        raise ManifestError(f"entry {shown}: {_syntax(exc)}") from None
    return key, document


def _syntax(exc: GraphQLSyntaxError) -> str:
    """graphql-core's message, with where: its `str()` quotes the source as well."""
    if not exc.locations:
        return exc.message
    location = exc.locations[0]
    return f"{exc.message} (line {location.line}, column {location.column})"
