"""OpenTelemetry traces, exported over OTLP/HTTP in batches, only when a collector is
configured (`[telemetry] otlp_endpoint`): without one no tracer provider exists, and
the request path asks no question of OpenTelemetry.

A request's trace: the request's span (a W3C `traceparent` the client sent is its
parent), a span per resolver batch (one port call of a DataLoader, see `traced_port`),
and a span per backend call under it, whose `traceparent` the backend receives. The
provider is this app's own, not OpenTelemetry's global one, and the app's lifespan
shuts it down, which sends the spans still waiting in the batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Span, Tracer, set_span_in_context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from gateway.cache.reads import Reads

P = TypeVar("P")
TRACES_PATH = "/v1/traces"
EXPORT_TIMEOUT_S = 5.0


class Tracing:
    """The app's tracer and the W3C trace-context propagation."""

    def __init__(self, provider: TracerProvider) -> None:
        self.provider = provider
        self.tracer: Tracer = provider.get_tracer("erp_gateway")
        self.propagation = TraceContextTextMapPropagator()

    @classmethod
    def to_collector(
        cls, endpoint: str, *, service_name: str, sample_ratio: float = 1.0
    ) -> Tracing:
        """Spans in batches to the OTLP/HTTP collector at `endpoint` (its base URL, or
        the traces URL itself)."""
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider = TracerProvider(
            resource=Resource.create({"service.name": service_name}),
            sampler=sampler(sample_ratio),
            shutdown_on_exit=False,  # the app's lifespan shuts it down
        )
        exporter = OTLPSpanExporter(endpoint=traces_url(endpoint), timeout=EXPORT_TIMEOUT_S)
        provider.add_span_processor(BatchSpanProcessor(exporter))
        return cls(provider)

    def parent_in(self, traceparent: str | None, tracestate: str | None) -> Context | None:
        """The context a client's `traceparent` names; None without one (a malformed one
        is ignored, as the W3C spec says)."""
        if traceparent is None:
            return None
        carrier = {"traceparent": traceparent}
        if tracestate is not None:
            carrier["tracestate"] = tracestate
        return self.propagation.extract(carrier)

    def inject(self, span: Span, headers: Any) -> None:
        """`traceparent` (and `tracestate`) of `span` into outgoing request headers."""
        self.propagation.inject(headers, context=set_span_in_context(span))

    async def shutdown(self) -> None:
        """Export what is waiting and stop; the exporter's HTTP is blocking, so off the loop."""
        await asyncio.to_thread(self.provider.shutdown)


def sampler(ratio: float) -> ParentBased:
    """`ratio` of the traces, by trace id. A caller's `traceparent` is followed (its trace
    id kept, its "not sampled" obeyed), but its "sampled" flag does not force a trace the
    ratio would drop: any client on the internet may send one on every request."""
    by_trace_id = TraceIdRatioBased(ratio)
    return ParentBased(by_trace_id, remote_parent_sampled=by_trace_id)


def traces_url(endpoint: str) -> str:
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith(TRACES_PATH) else endpoint + TRACES_PATH


def traced_port(port: P, reads: Reads[Any], tracer: Tracer) -> P:
    """`port` with a span around each call of a declared read: the loaders call a port
    once per DataLoader batch, so each span is one resolver batch."""
    return cast(P, _TracedPort(port, reads, tracer))


class _TracedPort:
    def __init__(self, port: object, reads: Reads[Any], tracer: Tracer) -> None:
        self._port = port
        self._reads = {read.name: read.entity.value for read in reads}
        self._tracer = tracer

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._port, name)
        entity = self._reads.get(name)
        if entity is None:
            return found
        traced = _batch_span(found, f"batch {entity} {name}", entity, self._tracer)
        setattr(self, name, traced)  # wrapped once: the next lookup finds it here
        return traced


def _batch_span(
    method: Callable[..., Awaitable[Any]], span_name: str, entity: str, tracer: Tracer
) -> Callable[..., Awaitable[Any]]:
    async def traced(*args: Any, **kwargs: Any) -> Any:
        # Keys of a batch; a search (its text first) is one.
        keys = len(args[0]) if args and isinstance(args[0], list | tuple) else 1
        attributes: dict[str, str | int] = {
            "erp_gateway.entity": entity,
            "erp_gateway.batch.keys": keys,
        }
        with tracer.start_as_current_span(span_name, attributes=attributes):
            return await method(*args, **kwargs)

    return traced
