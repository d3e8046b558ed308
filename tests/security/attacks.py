"""Hostile requests, as an anonymous caller could send them; shared by the attack tests
and `bench/attacks.py`."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlsplit

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"


def fragment_fan_out(levels: int = 30) -> str:
    """~1 KB describing 2^levels fields: each fragment spreads the one before it twice."""
    fragments = ["fragment F0 on Query { viewer { __typename } }"]
    fragments += [
        f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)
    ]
    return f"query FanOut {{ ...F{levels} }}\n" + "\n".join(fragments)


# Inside every depth and alias limit: a million orders in the making.
NESTED_CONNECTIONS = """
{ customers(first: 100) { nodes { orders(first: 100) { nodes {
    customer { orders(first: 100) { nodes { id number } } }
} } } } }
"""

# 400 copies of one field: graphql-core compares every pair of them.
REPEATED_FIELDS = "{ viewer { " + "customer { id } " * 400 + "} }"


def nested_variables(depth: int = 5000) -> bytes:
    """A body whose variables nest `depth` deep (written by hand: json.dumps would
    recurse as deep)."""
    return (
        b'{"query": "query($v: String) { __typename }", "variables": {"v": '
        + b"[" * depth
        + b"]" * depth
        + b"}}"
    )


# Bodies that are not a well-formed GraphQL request, each with what is wrong.
MALFORMED_BODIES: dict[str, bytes] = {
    "json null": b"null",
    "a JSON string": b'"{ __typename }"',
    "a JSON number": b"42",
    "truncated JSON": b'{"query": "{ __typ',
    "invalid UTF-8": b'{"query": "{ __typename }", "x": "\xff\xfe"}',
    "NaN": b'{"query": "{ __typename }", "variables": {"x": NaN}}',
    "a 5,000-digit number": b'{"query": "{ __typename }", "variables": {"x": '
    + b"9" * 5000
    + b"}}",
    "variables nested 5,000 deep": nested_variables(),
    "variables not an object": b'{"query": "{ __typename }", "variables": [7]}',
    "query not a string": b'{"query": {"a": 1}}',
    "no query": b'{"qeury": "{ __typename }"}',
    "a batch": b'[{"query": "{ __typename }"}]',
}

INT_VARIABLE = "query Products($first: Int!) { products(first: $first) { totalCount } }"
DECIMAL_VARIABLE = """
mutation Order($quantity: Decimal!) {
  placeOrder(input: {lines: [{sku: "X", quantity: $quantity}], idempotencyKey: "k"}) {
    userErrors { code }
  }
}
"""
# Variables of the right shape with values their types refuse.
BAD_VARIABLES: dict[str, tuple[str, dict[str, object]]] = {
    "an Int 1.5": (INT_VARIABLE, {"first": 1.5}),
    "an Int as a string": (INT_VARIABLE, {"first": "10"}),
    "an Int beyond 32 bits": (INT_VARIABLE, {"first": 2**40}),
    "a Decimal 2,5": (DECIMAL_VARIABLE, {"quantity": "2,5"}),
    "a Decimal NaN": (DECIMAL_VARIABLE, {"quantity": "NaN"}),
    "a Decimal Infinity": (DECIMAL_VARIABLE, {"quantity": "Infinity"}),
    "a Decimal of 5,000 digits": (DECIMAL_VARIABLE, {"quantity": "1" * 5000}),
    "a missing required variable": (INT_VARIABLE, {}),
}


def body(query: str, variables: dict[str, object] | None = None) -> bytes:
    return json.dumps({"query": query, "variables": variables or {}}).encode()


def raw_exchange(url: str, *parts: bytes, pause_s: float = 0.0, timeout_s: float = 30.0) -> bytes:
    """Sends `parts` over one raw connection, `pause_s` apart, and returns everything
    the server sends until it closes the connection (or `timeout_s` passes)."""
    address = urlsplit(url)
    with socket.create_connection((address.hostname, address.port), timeout=timeout_s) as sock:
        for part in parts:
            try:
                sock.sendall(part)
            except OSError:  # the server hung up first: read what it said
                break
            time.sleep(pause_s)
        received = b""
        while chunk := _recv(sock):
            received += chunk
        return received


def _recv(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except (TimeoutError, ConnectionResetError):
        return b""
