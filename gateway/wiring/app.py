"""The ASGI app: GraphQL at /graphql (GraphiQL for browsers), health at /healthz,
readiness at /readyz."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TypedDict

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp
from strawberry.extensions import SchemaExtension
from strawberry.schema import BaseSchema

from erp_backends.ports import ShopOrderLink
from gateway import graphiql
from gateway.auth.http import Authenticated
from gateway.auth.service import AuthServices, open_auth
from gateway.config import GraphQLSettings, Settings
from gateway.edge.body_limit import BodyLimit
from gateway.edge.cors import cors_middleware
from gateway.edge.errors import error_response
from gateway.edge.headers import EdgeHeaders, request_id_in
from gateway.edge.rate_limit import AddressGate, ClientRateLimit
from gateway.limits.clients import ClientLimiter
from gateway.limits.service import open_limits
from gateway.logs import RequestLogging
from gateway.observability.telemetry import Telemetry
from gateway.wiring.backends import Backends, open_backends, traced
from gateway.wiring.graphql_http import GatewayGraphQL
from gateway.wiring.persisted import PersistedOperations
from gateway.wiring.readiness import Readiness, open_readiness, readyz
from gateway.wiring.response_caching import ResponseCaching
from gateway.wiring.writes import open_writes
from resolvers.commands.accepting import Writes
from resolvers.context import Federation
from resolvers.limits.measure import CostModel
from resolvers.limits.operation_limits import Limits
from resolvers.schema import build_schema

log = logging.getLogger("erp_gateway")


class State(TypedDict):
    backends: Backends
    auth: AuthServices
    writes: Writes | None
    readiness: Readiness
    limits: ClientLimiter | None


def create_app(
    settings: Settings,
    backends: Backends | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    processes: int = 1,
    serving: bool = False,
    rate_clock: Callable[[], float] | None = None,
) -> Starlette:
    """The gateway app; tests may pass `backends` to use instead of the configured ones,
    the `clock` that times the configured backends' circuit breakers (and how long one
    round of readiness checks answers /readyz), or `transports`
    by role that replace the network (an emulator's ASGI app, in-process). `processes`
    is how many serve together (`serve --workers`): they share the backends' limits.
    `serving`: the app is the process's one job from start to stop (`erp-gateway
    serve`), so what its start built is frozen out of the garbage collector's sight.
    `rate_clock`: the time of the client rate limits' buckets (tests), else Redis's TIME
    or the monotonic clock."""

    telemetry = Telemetry.from_settings(settings, processes=processes)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[State]:
        async with AsyncExitStack() as stack:
            await telemetry.open(stack)  # first in, last out: it sends the last spans
            opened = backends or await open_backends(
                settings,
                stack,
                clock=clock,
                transports=transports,
                processes=processes,
                observer=telemetry.backend_calls(),
            )
            opened = traced(opened, telemetry.tracing)
            auth = await open_auth(settings.auth, stack)
            writes = None
            if opened.erp_writer is not None and opened.erp_live is not None:
                writes = await open_writes(
                    settings.queue,
                    settings.writes,
                    erp_live=opened.erp_live,
                    writer=opened.erp_writer,
                    cache=opened.cache,
                    audit=auth.audit,
                    stack=stack,
                    alone=processes == 1,
                )
            telemetry.watch(
                cache=None if opened.cache is None else opened.cache.stats,
                queue=None if writes is None else writes.commands.queue.counts,
            )
            readiness = await open_readiness(settings, stack, queue=writes is not None, clock=clock)
            limits = await open_limits(
                settings.limits,
                stack,
                cache_url=settings.cache.url,
                cache_password=settings.cache.password,
                clock=rate_clock,
                processes=processes,
                on_refused=telemetry.rate_limit_refused,
            )
            if serving:
                freeze_startup_objects()
            yield {
                "backends": opened,
                "auth": auth,
                "writes": writes,
                "readiness": readiness,
                "limits": limits,
            }

    graphql = GatewayGraphQL(
        schema_for(
            settings.graphql,
            telemetry.schema_extensions(),
            charge_cost=settings.limits.weighs_cost,
        ),
        federation(settings),
        persisted=PersistedOperations.from_settings(settings.graphql),
        graphql_ide="graphiql" if settings.graphql.graphiql else None,
    )
    http = settings.http
    return Starlette(
        routes=[
            Route(
                "/graphql",
                telemetry.around_requests(
                    authenticated(
                        ResponseCaching(graphql, max_ttl_s=settings.cache.responses.max_ttl_s),
                        settings,
                        rate_clock,
                    )
                ),
                methods=["GET", "POST"],
            ),
            *telemetry.routes(),  # /metrics, with [telemetry] metrics = true
            *([Route(graphiql.ROUTE, graphiql.serve_asset)] if settings.graphql.graphiql else []),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/", to_graphql, methods=["GET"]),
        ],
        middleware=[
            # Outermost: a preflight is answered before any limit or authentication.
            *cors_middleware(http.cors_origins),
            Middleware(EdgeHeaders),
            # Inside the edge, which gives the request its id; only for JSON log lines.
            *([Middleware(RequestLogging)] if settings.logging.format == "json" else []),
            Middleware(BodyLimit, max_bytes=http.max_body_bytes, timeout_s=http.body_timeout_s),
        ],
        exception_handlers={404: not_found, 405: method_not_allowed, Exception: internal_error},
        lifespan=lifespan,
    )


def authenticated(app: ASGIApp, settings: Settings, clock: Callable[[], float] | None) -> ASGIApp:
    """Authentication, with the client rate limits around it (refused credentials by
    address) and inside it (by principal), unless `[limits] enabled = false`."""
    if not settings.limits.enabled:
        return Authenticated(app)
    return AddressGate(
        Authenticated(ClientRateLimit(app)),
        trusted_proxies=settings.http.trusted_proxies,
        clock=clock or time.monotonic,
    )


# The collector's middle generation is collected after this many young collections
# (Python's default: 10). See `freeze_startup_objects`.
MIDDLE_GENERATION_THRESHOLD = 100


def freeze_startup_objects() -> None:
    """Move every object built so far (modules, the schema, the backends' clients) out
    of the cyclic garbage collector's sight. They live as long as the process, yet each
    full collection walked them all again: about 50 ms every few large queries, the
    tail of the customer-360's latency. Objects made later are collected as before.

    And collect the middle generation ten times less often. A request's objects (its
    records, its results) live until its answer is sent, and that is what survives a
    young collection: the middle generation is mostly requests still in flight, which
    a collection walks and keeps. Collected every 10 young collections, it walked each
    federated customer-360's 7,000 objects again (1 ms a request, plus a full collection
    every 8); every 100, most of them have been freed by then, since a request's
    objects form no cycles (`tests/resolvers/test_request_garbage.py` keeps it so)."""
    gc.collect()
    gc.freeze()
    young, _, old = gc.get_threshold()
    gc.set_threshold(young, MIDDLE_GENERATION_THRESHOLD, old)


async def not_found(request: Request, _: Exception) -> Response:
    return error_response(404, "NOT_FOUND", f"Nothing at {request.url.path[:100]}: try /graphql")


async def method_not_allowed(request: Request, _: Exception) -> Response:
    response = error_response(405, "BAD_REQUEST", f"{request.method} is not allowed here")
    response.headers["Allow"] = "GET, POST"
    return response


async def internal_error(request: Request, exc: Exception) -> Response:
    """A bug: logged with its traceback and request id; the client sees neither."""
    request_id = request_id_in(request.scope)
    log.error("unexpected error (request %s)", request_id, exc_info=exc)
    response = error_response(500, "INTERNAL_SERVER_ERROR", "Internal server error")
    # Starlette answers this outside the middleware, so the edge's headers are set here.
    response.headers["X-Request-ID"] = request_id
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def schema_for(
    graphql: GraphQLSettings,
    observers: Sequence[type[SchemaExtension]] = (),
    *,
    charge_cost: bool = False,
) -> BaseSchema:
    limits = Limits(
        max_depth=graphql.max_depth,
        max_aliases=graphql.max_aliases,
        max_cost=graphql.max_cost,
        max_cost_by_kind=graphql.max_cost_by_kind,
        costs=CostModel(
            list_estimate=graphql.list_estimate, mutation_weight=graphql.mutation_weight
        ),
    )
    return build_schema(
        limits=limits,
        max_tokens=graphql.max_tokens,
        max_response_bytes=graphql.max_response_bytes,
        introspection=graphql.introspection,
        suggestions=graphql.suggestions,
        charge_cost=charge_cost,
        observers=observers,
    )


def federation(settings: Settings) -> Federation:
    shop = settings.shop.options if settings.shop else None
    if not isinstance(shop, ShopOrderLink):  # no shop, or one whose orders carry no link
        return Federation(link_field=settings.federation.link_field)
    return Federation(
        link_field=settings.federation.link_field,
        shop_order_prefix=shop.order_reference_prefix,
    )


async def to_graphql(request: Request) -> Response:
    """The root sends a browser to GraphiQL (and an API client to the one endpoint),
    under whatever prefix a proxy mounts the gateway."""
    return RedirectResponse(request.scope.get("root_path", "") + "/graphql", status_code=302)


async def healthz(_: Request) -> Response:
    """Liveness: the process serves requests. It does not call backends on purpose: a
    slow ERP must not make the load balancer take every gateway out of rotation."""
    return JSONResponse({"status": "ok"})
