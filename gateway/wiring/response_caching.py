"""The response cache: a query's whole answer, kept per principal's visibility.

A repeated query is answered from the cache without parsing, validating or executing
it. The key is what decides the answer: the principal's visibility (kind, scopes, and
the customers it may see: two staff members with the same scopes share entries, two
customers never do), then the request exactly as sent (method, query string, content
type, `Accept`, body). A query sent with other whitespace is another entry, never a
wrong answer.

What is kept (see `gateway.cache.response_reads`): answers of 200 without errors, to a
query whose data all came through the record cache. A response lives as long as the
earliest of its records stays fresh (and at most `[cache.responses] max_ttl_s`), and
the invalidations that evict those records evict it. Never kept: mutations,
impersonated requests (each one is audited), anonymous requests, `viewer`, `command`,
stale data served while a backend fails, entities whose TTL is 0.

A client may opt out per request: `Cache-Control: no-cache` runs the query and keeps
the fresh answer, `no-store` neither reads nor keeps. Each answer says what happened in
`X-Cache` (HIT, MISS, or BYPASS when the response cache was not consulted).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from redis.exceptions import RedisError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.auth.principal import Principal
from gateway.cache.response_reads import RESPONSE_READS, ResponseReads
from gateway.cache.responses import Lookup, ResponseStore
from gateway.cache.service import GatewayCache
from gateway.edge.body_limit import replay_body

log = logging.getLogger("erp_gateway.response_cache")

_CACHEABLE_METHODS = ("GET", "POST")


class ResponseCaching:
    """Wraps the GraphQL app, inside `Authenticated` (it needs the principal) and
    `BodyLimit` (which hands the body over in one message)."""

    def __init__(self, app: ASGIApp, *, max_ttl_s: float) -> None:
        self._app = app
        self._max_ttl_s = max_ttl_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        cache: GatewayCache | None = scope["state"]["backends"].cache
        principal: Principal = scope["state"]["principal"]
        directives = _cache_control(scope)
        if (
            cache is None
            or cache.responses is None
            or principal.is_anonymous
            or principal.actor is not None
            or scope["method"] not in _CACHEABLE_METHODS
            or "no-store" in directives
        ):
            await self._app(scope, receive, _marked(send, b"BYPASS"))
            return
        message = await receive()
        body = message.get("body", b"") if message["type"] == "http.request" else b""
        key = response_key(principal, scope, body)
        responses = cache.responses
        found = await _lookup(responses, key)
        if found is None:  # the store failed: answer as if there were no response cache
            await self._app(scope, replay_body(body, receive), _marked(send, b"BYPASS"))
            return
        if found.body is not None and "no-cache" not in directives:
            await _answer(send, found.body, found.media_type)
            return
        keep = _Keep(responses, key, found.epoch, clock=cache.store.now)
        await self._run_and_keep(scope, replay_body(body, receive), send, keep)

    async def _run_and_keep(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        keep: _Keep,
    ) -> None:
        reads = ResponseReads()
        token = RESPONSE_READS.set(reads)
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                message["headers"] = [*message.get("headers", []), (b"x-cache", b"MISS")]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self._app(scope, receive, capture)
        finally:
            RESPONSE_READS.reset(token)
        body = b"".join(chunks)
        if start.get("status") != 200 or reads.refusal is not None or not reads.tags:
            return
        if b'"errors"' in body:  # an answer with errors is not kept (nor is a look-alike)
            return
        ttl_s = min(reads.expires_at - keep.clock(), self._max_ttl_s)
        media_type = _header(start, b"content-type")
        try:
            await keep.responses.put(keep.key, body, media_type, ttl_s, reads.tags, keep.epoch)
        except (RedisError, OSError) as exc:
            log.warning("could not keep a response: %s", exc)


@dataclass(frozen=True, slots=True)
class _Keep:
    """Where a missed response goes if it may be kept."""

    responses: ResponseStore
    key: str
    epoch: int  # the store's when the request missed
    clock: Callable[[], float]  # the record store's: the one its TTLs count on


def response_key(principal: Principal, scope: Scope, body: bytes) -> str:
    """What decides the answer: who may see what, and the request as sent."""
    customers = principal.customer_keys
    visibility = "\x1f".join(
        (
            principal.kind.value,
            " ".join(sorted(principal.scopes)),
            principal.customer_id or "",
            "*" if customers is None else ",".join(sorted(customers)),
        )
    )
    digest = hashlib.sha256(visibility.encode())
    for part in (
        scope["method"].encode(),
        scope.get("query_string", b""),
        _header_bytes(scope, b"content-type"),
        _header_bytes(scope, b"accept"),
        body,
    ):
        digest.update(b"\x00%d\x00" % len(part))
        digest.update(part)
    return digest.hexdigest()


async def _lookup(responses: ResponseStore, key: str) -> Lookup | None:
    try:
        return await responses.lookup(key)
    except (RedisError, OSError) as exc:
        log.warning("response cache unavailable: %s", exc)
        return None


async def _answer(send: Send, body: bytes, media_type: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", media_type.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"x-cache", b"HIT"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _marked(send: Send, outcome: bytes) -> Send:
    async def marked(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), (b"x-cache", outcome)]
        await send(message)

    return marked


def _cache_control(scope: Scope) -> set[str]:
    value = _header_bytes(scope, b"cache-control").decode("latin-1").lower()
    return {part.strip().partition("=")[0] for part in value.split(",") if part.strip()}


def _header_bytes(scope: Scope, name: bytes) -> bytes:
    return b",".join(value for key, value in scope["headers"] if key == name)


def _header(message: Message, name: bytes) -> str:
    for key, value in message.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return "application/json"
