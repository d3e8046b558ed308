"""Each GraphQL request's count, latency and span, around `/graphql`.

`RequestTelemetry` wraps the route: it times the request, opens its span (a child of
the client's `traceparent`, if it sent one) and, once answered, records the operation
and the outcome. Those come from `OperationSeen`, which the schema extension
`OperationObserver` fills in as the operation ends; a request that never reached
GraphQL (refused credentials, a rate limit, a bad body, an answer from the response
cache) takes its outcome from the HTTP status instead, under the operation "none".

Outcomes: ok, partial (data and errors), error (no data), rejected (refused before it
ran: parse, validation, limits), cached, and for requests GraphQL never saw:
unauthenticated, forbidden, rate_limited, bad_request, unavailable, server_error.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from dataclasses import dataclass

import graphql
from graphql.execution import InitialIncrementalExecutionResult
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from gateway.observability.metrics import GatewayMetrics
from gateway.observability.operations import NONE
from gateway.observability.tracing import Tracing


@dataclass(slots=True)
class OperationSeen:
    """What the schema extension tells the request's wrapper."""

    ran: bool = False  # a document parsed: the fields below are set
    name: str | None = None
    type: str | None = None  # query, mutation, subscription
    outcome: str | None = None


# What strawberry leaves in `execution_context.result`: each has `data` and `errors`.
GraphQLResult = ExecutionResult | graphql.ExecutionResult | InitialIncrementalExecutionResult

SEEN: ContextVar[OperationSeen | None] = ContextVar("erp_gateway_operation_seen", default=None)

_BY_STATUS = {401: "unauthenticated", 403: "forbidden", 429: "rate_limited", 503: "unavailable"}


class OperationObserver(SchemaExtension):
    """Tells the request's wrapper the operation's name, type and outcome. First in the
    schema's extensions, so it leaves last and sees the final errors."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        seen = SEEN.get()
        if seen is None:  # not through RequestTelemetry (a test's direct execution)
            return
        context = self.execution_context
        seen.outcome = graphql_outcome(context.result)
        if context.graphql_document is None:  # did not parse
            return
        seen.ran = True
        seen.name = context.operation_name
        try:
            seen.type = context.operation_type.value
        except Exception:  # e.g. an operationName the document does not define
            seen.type = None


def graphql_outcome(result: GraphQLResult | None) -> str:
    if result is None:
        return "error"
    errors = result.errors or []
    if not errors:
        return "ok"
    if result.data is not None:
        return "partial"
    return "rejected" if all(error.path is None for error in errors) else "error"


class RequestTelemetry:
    """Wraps the `/graphql` route (outside authentication, so its refusals count)."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: GatewayMetrics | None,
        tracing: Callable[[], Tracing | None],
        *,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._app = app
        self._metrics = metrics
        self._tracing = tracing  # opened with the app's lifespan, hence asked for
        self._clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        tracing = self._tracing()
        if tracing is None:
            await self._observed(scope, receive, send, None)
            return
        traceparent, tracestate = _trace_headers(scope)
        parent = tracing.parent_in(traceparent, tracestate)
        from opentelemetry.trace import SpanKind

        with tracing.tracer.start_as_current_span(
            f"{scope['method']} /graphql",
            context=parent,
            kind=SpanKind.SERVER,
            attributes={"http.request.method": scope["method"], "url.path": scope["path"]},
        ):
            await self._observed(scope, receive, send, tracing)

    async def _observed(
        self, scope: Scope, receive: Receive, send: Send, tracing: Tracing | None
    ) -> None:
        started = self._clock()
        seen = OperationSeen()
        token = SEEN.set(seen)
        status = 500
        cached = False

        async def watching(message: Message) -> None:
            nonlocal status, cached
            if message["type"] == "http.response.start":
                status = message["status"]
                cached = (b"x-cache", b"HIT") in message.get("headers", ())
            await send(message)

        try:
            await self._app(scope, receive, watching)
        finally:
            SEEN.reset(token)
            self._record(seen, status, cached, self._clock() - started, tracing)

    def _record(
        self,
        seen: OperationSeen,
        status: int,
        cached: bool,
        seconds: float,
        tracing: Tracing | None,
    ) -> None:
        outcome = seen.outcome or _http_outcome(status, cached)
        operation = NONE
        if self._metrics is not None:
            if seen.ran:
                operation = self._metrics.operations.label(seen.name, ran=outcome != "rejected")
            self._metrics.request(operation, outcome, seconds)
        if tracing is not None:
            _describe_span(seen, outcome, status)


def _describe_span(seen: OperationSeen, outcome: str, status: int) -> None:
    from opentelemetry.trace import Status, StatusCode, get_current_span

    span = get_current_span()
    span.set_attribute("http.response.status_code", status)
    span.set_attribute("erp_gateway.outcome", outcome)
    if seen.ran:
        # Spans are sampled and kept apart from metrics: the name as sent, if a GraphQL name.
        name = seen.name or ""
        span.set_attribute("graphql.operation.name", name[:100])
        if seen.type is not None:
            span.set_attribute("graphql.operation.type", seen.type)
            span.update_name(f"{seen.type} {name[:100]}".rstrip())
    if outcome not in ("ok", "partial", "cached"):
        span.set_status(Status(StatusCode.ERROR, outcome))


def _http_outcome(status: int, cached: bool) -> str:
    if status < 400:
        return "cached" if cached else "ok"
    return _BY_STATUS.get(status, "bad_request" if status < 500 else "server_error")


def _trace_headers(scope: Scope) -> tuple[str | None, str | None]:
    traceparent = tracestate = None
    for name, value in scope["headers"]:
        if name == b"traceparent":
            traceparent = value.decode("latin-1")
        elif name == b"tracestate":
            tracestate = value.decode("latin-1")
    return traceparent, tracestate
