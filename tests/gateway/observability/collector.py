"""An OTLP/HTTP trace collector on loopback, for tests: it keeps the spans it receives,
decoded with opentelemetry-proto, and an ASGI wrapper that records the headers an
emulator receives."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from tests.servers import serve_in_thread


@dataclass
class Collected:
    spans: list[Span]
    service_names: set[str]


@contextmanager
def otlp_collector() -> Iterator[tuple[str, Collected]]:
    """A collector's base URL and what it has received so far."""
    collected = Collected(spans=[], service_names=set())

    async def traces(request: Request) -> Response:
        export = ExportTraceServiceRequest.FromString(await request.body())
        for resource_spans in export.resource_spans:
            for attribute in resource_spans.resource.attributes:
                if attribute.key == "service.name":
                    collected.service_names.add(attribute.value.string_value)
            for scope_spans in resource_spans.scope_spans:
                collected.spans.extend(scope_spans.spans)
        return Response(
            ExportTraceServiceResponse().SerializeToString(), media_type="application/x-protobuf"
        )

    app = Starlette(routes=[Route("/v1/traces", traces, methods=["POST"])])
    with serve_in_thread(app) as url:
        yield url, collected


class HeaderRecorder:
    """Wraps an emulator app: the `traceparent` of every request it receives."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.traceparents: list[str | None] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith("/_emulator"):
            headers = dict(scope["headers"])
            value = headers.get(b"traceparent")
            self.traceparents.append(None if value is None else value.decode())
        await self.app(scope, receive, send)
