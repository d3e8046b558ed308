"""Per-client rate limits at the HTTP edge (the buckets are `gateway/limits/`).

    AddressGate ─▶ Authenticated ─▶ ClientRateLimit ─▶ response cache ─▶ GraphQL

- `ClientRateLimit`, once the principal is known, takes 1 token from its client's
  bucket before GraphQL parses anything; an empty bucket is HTTP 429 with `Retry-After`
  and a GraphQL error `RATE_LIMITED`. It leaves the request's `RequestCharge` in the
  state, from which validation takes what the operation's cost adds
  (`resolvers/limits/rate_charge.py`). Every answer to a limited client carries
  `RateLimit-Limit` (the bucket's size), `RateLimit-Remaining` (tokens left) and
  `RateLimit-Reset` (seconds until the bucket is full again), as in the IETF draft
  httpapi-ratelimit-headers.
- `AddressGate`, before authentication: refused credentials (401, 403) draw from the
  bucket of the client's address, as anonymous requests do. An address whose bucket a
  refusal finds empty is refused at once, before its credentials are decoded, until
  the bucket has the token again: a flood of bad tokens does not cost a JWT check each.
  This is kept in the process (`PenaltyBox`), so that the gate costs no round trip to
  Redis on the way in.

The address is the peer's, or with `[http] trusted_proxies` the last address in
`X-Forwarded-For` that is not a trusted proxy; an IPv6 address counts as its /64, which
one client usually holds whole.
"""

from __future__ import annotations

import ipaddress
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import replace

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.edge.errors import error_response
from gateway.limits.buckets import Decision
from gateway.limits.clients import CHARGE_STATE, ClientLimiter, RequestCharge

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
ADDRESS_STATE = "client_address"
REFUSED_CREDENTIALS = (401, 403)
MAX_BOXED = 100_000  # addresses kept refused at once, per process


def rate_headers(decision: Decision) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"ratelimit-limit", b"%d" % decision.limit),
        (b"ratelimit-remaining", b"%d" % decision.remaining),
        (b"ratelimit-reset", b"%d" % decision.reset_s),
    ]
    if not decision.allowed:
        headers.append((b"retry-after", b"%d" % decision.retry_after_s))
    return headers


async def refuse(scope: Scope, receive: Receive, send: Send, decision: Decision) -> None:
    response = error_response(
        429,
        "RATE_LIMITED",
        f"Too many requests: this client may send {decision.limit} in a burst, refilled at "
        f"{decision.rate * 60:g} a minute; retry in {decision.retry_after_s} s",
    )
    response.raw_headers.extend(rate_headers(decision))
    await response(scope, receive, send)


class ClientRateLimit:
    """Inside `Authenticated`: the principal is in the state. Off (absent) when `[limits]
    enabled = false`."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limiter: ClientLimiter | None = scope["state"].get("limits")
        if scope["type"] != "http" or limiter is None:
            await self._app(scope, receive, send)
            return
        state = scope["state"]
        client = limiter.client_of(state["principal"], state.get(ADDRESS_STATE, "-"))
        decision = await limiter.take(client, 1)
        if not decision.allowed:
            await refuse(scope, receive, send, decision)
            return
        charge = RequestCharge(limiter, client, decision)
        state[CHARGE_STATE] = charge

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Appended as they are: nothing before sets them, and it saves a scan
                # of the headers for each.
                message["headers"] = [*message.get("headers", ()), *rate_headers(charge.decision)]
            await send(message)

        await self._app(scope, receive, send_with_headers)


class PenaltyBox:
    """Addresses refused until a moment; bounded, the earliest boxed dropped first."""

    def __init__(self, clock: Callable[[], float], max_boxed: int = MAX_BOXED) -> None:
        self._clock = clock
        self._max = max_boxed
        self._until: OrderedDict[str, tuple[float, Decision]] = OrderedDict()

    def refusal(self, address: str) -> Decision | None:
        """The refusal to answer while `address` is boxed: its Retry-After counts down."""
        boxed = self._until.get(address)
        if boxed is None:
            return None
        until, decision = boxed
        left_s = until - self._clock()
        if left_s <= 0:
            del self._until[address]
            return None
        return replace(decision, tokens=decision.wanted - left_s * decision.rate)

    def box(self, address: str, decision: Decision) -> None:
        self._until.pop(address, None)
        self._until[address] = (self._clock() + decision.retry_after_s, decision)
        if len(self._until) > self._max:
            self._until.popitem(last=False)


class AddressGate:
    """Outside `Authenticated`: finds the client's address, and refuses an address whose
    refused credentials have spent its bucket."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        trusted_proxies: Sequence[IPNetwork] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._app = app
        self._trusted = tuple(trusted_proxies)
        self._box = PenaltyBox(clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limiter: ClientLimiter | None = scope["state"].get("limits")
        if scope["type"] != "http" or limiter is None:
            await self._app(scope, receive, send)
            return
        address = client_address(scope, self._trusted)
        scope["state"][ADDRESS_STATE] = address
        boxed = self._box.refusal(address)
        if boxed is not None:
            limiter.refused(limiter.address_client(address))
            await refuse(scope, receive, send, boxed)
            return
        status = 0

        async def watching(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self._app(scope, receive, watching)
        if status in REFUSED_CREDENTIALS and "principal" not in scope["state"]:
            decision = await limiter.take(limiter.address_client(address), 1)
            if not decision.allowed:
                self._box.box(address, decision)


def client_address(scope: Scope, trusted: Sequence[IPNetwork]) -> str:
    """Who sent the request, as a bucket names it (see the module's docstring)."""
    peer = scope.get("client")
    if peer and not trusted and ":" not in peer[0]:
        return str(peer[0])  # an IPv4 peer, as the server wrote it: nothing to parse
    address = _ip(peer[0]) if peer else None
    if address is not None and trusted and _is_trusted(address, trusted):
        for hop in reversed(_forwarded_for(scope)):
            forwarded = _ip(hop)
            if forwarded is None:
                break  # a hop we cannot read: trust nothing left of it
            address = forwarded
            if not _is_trusted(forwarded, trusted):
                break
    if address is None:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _forwarded_for(scope: Scope) -> list[str]:
    hops: list[str] = []
    for name, value in scope["headers"]:
        if name == b"x-forwarded-for":
            hops.extend(part.strip() for part in value.decode("latin-1").split(","))
    return hops


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, trusted: Sequence[IPNetwork]
) -> bool:
    return any(address in network for network in trusted)
