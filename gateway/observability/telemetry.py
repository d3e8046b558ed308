"""`Telemetry`: what `[telemetry]` turns on, built once per app by the wiring.

Off (the default), it is nothing on the request path: no route, no wrapper, no schema
extension, no backend observer. Metrics are built with the app; the tracer provider is
opened by the app's lifespan (it starts an exporting thread) and shut down by it.
"""

from __future__ import annotations

import logging
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING

from starlette.routing import Route
from starlette.types import ASGIApp
from strawberry.extensions import SchemaExtension

from gateway.config import Settings, TelemetrySettings

log = logging.getLogger("erp_gateway.metrics")

if TYPE_CHECKING:
    from gateway.cache.caching import CacheStats
    from gateway.observability.backend_calls import BackendCalls
    from gateway.observability.metrics import GatewayMetrics, QueueCounts
    from gateway.observability.tracing import Tracing


class Telemetry:
    def __init__(self, settings: TelemetrySettings, metrics: GatewayMetrics | None = None) -> None:
        self.settings = settings
        self.metrics = metrics
        self.tracing: Tracing | None = None  # set by `open`, with a collector configured

    @classmethod
    def from_settings(cls, settings: Settings, *, processes: int = 1) -> Telemetry:
        telemetry = settings.telemetry
        if not telemetry.metrics:
            return cls(telemetry)
        if processes > 1:
            log.warning(
                "metrics: %d processes serve on one socket and each counts for itself; "
                "a scrape of /metrics reaches one of them at random. Serve one process "
                "per container (and scrape each), or read the counters as one process's",
                processes,
            )
        from gateway.observability.metrics import GatewayMetrics
        from gateway.observability.operations import OperationNames

        names = OperationNames.of_documents(
            settings.graphql.persisted_documents, max_others=telemetry.max_operation_names
        )
        return cls(telemetry, GatewayMetrics(names))

    @property
    def on(self) -> bool:
        return self.metrics is not None or self.settings.otlp_endpoint is not None

    async def open(self, stack: AsyncExitStack) -> None:
        """Start the tracer provider, if traces go to a collector, until the stack closes."""
        endpoint = self.settings.otlp_endpoint
        if endpoint is None:
            return
        from gateway.observability.tracing import Tracing

        tracing = Tracing.to_collector(
            endpoint,
            service_name=self.settings.service_name,
            sample_ratio=self.settings.trace_sample_ratio,
        )
        self.tracing = tracing

        async def close() -> None:
            self.tracing = None
            await tracing.shutdown()

        stack.push_async_callback(close)

    def watch(self, *, cache: CacheStats | None, queue: QueueCounts | None) -> None:
        """Read these when scraped: the cache's counts, the command queue's depth."""
        if self.metrics is not None:
            self.metrics.scraped.cache = cache
            self.metrics.scraped.queue = queue

    def rate_limit_refused(self, kind: str) -> None:
        """What the per-client rate limit calls for each request it refuses, with the
        principal's kind; nothing when metrics are off."""
        if self.metrics is not None:
            self.metrics.rate_limit_refusal(kind)

    def backend_calls(self) -> BackendCalls | None:
        """The observer of backend calls; None when neither metrics nor traces are on."""
        if not self.on:
            return None
        from gateway.observability.backend_calls import BackendCalls

        return BackendCalls(self.metrics, self.tracing)

    def around_requests(self, app: ASGIApp) -> ASGIApp:
        """`app` (the /graphql route) counted, timed and traced, when any of it is on."""
        if not self.on:
            return app
        from gateway.observability.requests import RequestTelemetry

        return RequestTelemetry(app, self.metrics, lambda: self.tracing)

    def schema_extensions(self) -> list[type[SchemaExtension]]:
        """The extension that names each request's operation and outcome, when on."""
        if not self.on:
            return []
        from gateway.observability.requests import OperationObserver

        return [OperationObserver]

    def routes(self) -> list[Route]:
        if self.metrics is None or self.settings.metrics_token is None:
            return []
        from gateway.observability.endpoint import MetricsEndpoint

        endpoint = MetricsEndpoint(self.metrics, self.settings.metrics_token)
        return [Route("/metrics", endpoint, methods=["GET"])]
