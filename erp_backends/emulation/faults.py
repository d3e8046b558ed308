"""Plumbing shared by the backend emulators: injected faults and a log of calls.

Every emulator (Odoo today, HubSpot and WooCommerce later) wraps its Starlette app in
`FaultInjection`, so tests and demos can make any backend slow, throttled or flaky in
the same way, and serves `call_log_routes` so benchmarks can count backend calls.
Paths under `/_emulator` are the emulator's own controls and never see a fault.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from erp_backends.emulation.responses import JSONResponse
from erp_backends.rate_limit import RateLimit, TokenBucket

EMULATOR_PREFIX = "/_emulator"

# What nginx answers when its upstream is down; real backends sit behind such proxies.
_NGINX_503 = (
    "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n"
    "<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n"
    "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@dataclass(frozen=True)
class FaultOptions:
    """Faults an emulator injects: added latency, a rate limit and random 503s, which
    `FaultInjection` adds in front of every request; and `refuse`, the operations the
    emulated system itself refuses for a business reason, with its own error and before
    changing anything, as the system's transaction would roll back (Odoo:
    `"<model>.<method>"`, e.g. `"sale.order.action_confirm"`, answered with
    `odoo.exceptions.UserError`)."""

    latency_ms: float = 0
    fail_rate: float = 0
    rate_limit: RateLimit | None = None
    seed: int = 1
    refuse: frozenset[str] = frozenset()


class FaultInjection:
    """ASGI middleware that makes every non-exempt HTTP request slow, limited or failing.

    In order: sleep `latency_ms`; answer 429 with `Retry-After` when the token bucket
    is empty; answer 503 with probability `fail_rate` (drawn from a seeded generator,
    so a test sees the same sequence every run); otherwise pass the request on.
    Paths under `exempt_prefix` skip all faults, paths under `unlimited_prefix` skip
    only the rate limit (health checks should not spend the API budget). `throttled`
    builds the 429 from the seconds to wait, so each emulator can answer with its
    system's own throttle body.
    """

    def __init__(
        self,
        app: ASGIApp,
        options: FaultOptions,
        *,
        exempt_prefix: str | tuple[str, ...] = EMULATOR_PREFIX,
        unlimited_prefix: str | tuple[str, ...] = (),
        throttled: Callable[[float], Response] | None = None,
        log: CallLog | None = None,
    ) -> None:
        self.app = app
        self.options = options
        self._log = log  # counts the faults it injects, for tests and benchmarks
        self._exempt = exempt_prefix
        self._unlimited = unlimited_prefix
        self._throttled = throttled or too_many_requests
        self._bucket = TokenBucket(options.rate_limit) if options.rate_limit else None
        self._random = random.Random(options.seed)  # noqa: S311 - fake failures, not crypto

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self._exempt):
            await self.app(scope, receive, send)
            return
        fault = await self._fault(scope["path"])
        if fault is None:
            await self.app(scope, receive, send)
        else:
            await fault(scope, receive, send)

    async def _fault(self, path: str) -> Response | None:
        if self.options.latency_ms > 0:
            await asyncio.sleep(self.options.latency_ms / 1000)
        if self._bucket is not None and not path.startswith(self._unlimited):
            wait = self._bucket.try_acquire()
            if wait > 0:
                self._count("throttled")
                return self._throttled(wait)
        if self.options.fail_rate > 0 and self._random.random() < self.options.fail_rate:
            self._count("failed")
            return Response(_NGINX_503, status_code=503, media_type="text/html")
        return None

    def _count(self, fault: str) -> None:
        if self._log is not None:
            self._log.fault(fault)


def too_many_requests(wait_s: float) -> Response:
    """HTTP 429 telling the client to come back in `wait_s` (whole seconds, at least 1)."""
    retry_after = max(1, math.ceil(wait_s))
    return Response(
        json.dumps({"message": "Too Many Requests"}),
        status_code=429,
        media_type="application/json",
        headers={"Retry-After": str(retry_after)},
    )


class CallLog:
    """Counts calls by key ("sale.order.search_read").

    Emulators record from request handlers, which run on one event loop and never
    await between reading and writing the counter, so no lock is needed.
    """

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._faults: Counter[str] = Counter()  # "throttled" (429), "failed" (503)

    def record(self, key: str) -> None:
        self._counts[key] += 1

    def fault(self, kind: str) -> None:
        self._faults[kind] += 1

    def faults(self) -> dict[str, int]:
        return dict(self._faults)

    def snapshot(self) -> dict[str, int]:
        return dict(self._counts)

    @property
    def total(self) -> int:
        return sum(self._counts.values())

    def reset(self) -> None:
        self._counts.clear()
        self._faults.clear()


def call_log_routes(log: CallLog) -> list[Route]:
    """`GET /_emulator/calls` -> `{"total": n, "calls": {...}, "faults": {...}}`, where
    faults counts the requests answered 429 or 503 by fault injection; `DELETE` resets."""

    async def calls(request: Request) -> Response:
        if request.method == "DELETE":
            log.reset()
        return JSONResponse({"total": log.total, "calls": log.snapshot(), "faults": log.faults()})

    return [Route(f"{EMULATOR_PREFIX}/calls", calls, methods=["GET", "DELETE"])]
