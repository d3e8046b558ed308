"""The observer `BackendHttp` tells of every request it sends (`erp_backends.http.
CallObserver`): a count and a latency per backend, method and outcome, and a span whose
`traceparent` goes out with the request."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx
from opentelemetry.trace import SpanKind, Status, StatusCode

from erp_backends.errors import (
    BackendDataError,
    BackendRateLimited,
    BackendTimeout,
    BackendUnavailable,
)
from erp_backends.http import BackendHttp, CallDone
from gateway.observability.metrics import GatewayMetrics
from gateway.observability.tracing import Tracing

# The error a call raised, as its outcome (the first that matches: a rate limit is an
# outage too). Any other exception is "error".
_ERROR_OUTCOMES: tuple[tuple[type[BaseException], str], ...] = (
    (BackendRateLimited, "rate_limited"),
    (BackendTimeout, "timeout"),
    (BackendUnavailable, "unavailable"),
    (BackendDataError, "bad_answer"),
    (asyncio.CancelledError, "cancelled"),
)


class BackendCalls:
    """Metrics, traces or both of every backend call; the wiring makes one only when
    either is on, so without them `BackendHttp` checks one attribute per call."""

    def __init__(
        self,
        metrics: GatewayMetrics | None,
        tracing: Tracing | None,
        *,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._metrics = metrics
        self._tracing = tracing
        self._clock = clock

    def watch(self, http: BackendHttp) -> None:
        """Show this backend's circuit breaker in the metrics."""
        if self._metrics is not None:
            self._metrics.scraped.breakers[http.backend] = http.breaker

    def sending(self, backend: str, request: httpx.Request) -> CallDone:
        started = self._clock()
        method = request.method
        span = None
        if self._tracing is not None:
            span = self._tracing.tracer.start_span(
                f"{method} {backend}",
                kind=SpanKind.CLIENT,
                attributes={
                    "http.request.method": method,
                    "server.address": request.url.host,
                    "url.path": request.url.path,
                    "erp_gateway.backend": backend,
                },
            )
            self._tracing.inject(span, request.headers)

        def done(status: int | None, error: BaseException | None) -> None:
            outcome = call_outcome(status, error)
            if self._metrics is not None:
                self._metrics.backend_call(backend, method, outcome, self._clock() - started)
            if span is not None:
                if status is not None:
                    span.set_attribute("http.response.status_code", status)
                if outcome != "ok":
                    span.set_status(Status(StatusCode.ERROR, outcome))
                span.end()

        return done


def call_outcome(status: int | None, error: BaseException | None) -> str:
    """ok, client_error (a 4xx the system client reads, e.g. a not-found), server_error,
    or what the call raised."""
    if error is not None:
        return next((name for kind, name in _ERROR_OUTCOMES if isinstance(error, kind)), "error")
    if status is None or status < 400:
        return "ok"
    return "client_error" if status < 500 else "server_error"
