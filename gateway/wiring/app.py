"""The ASGI app: GraphQL at /graphql (GraphiQL for browsers), health at /healthz."""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from typing import TypedDict

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from strawberry.schema import BaseSchema

from erp_backends.ports import ShopOrderLink
from gateway.auth.http import Authenticated
from gateway.auth.service import AuthServices, open_auth
from gateway.config import GraphQLSettings, Settings
from gateway.edge.body_limit import BodyLimit
from gateway.edge.cors import cors_middleware
from gateway.edge.errors import error_response
from gateway.edge.headers import EdgeHeaders, request_id_in
from gateway.wiring.backends import Backends, open_backends
from gateway.wiring.graphql_http import GatewayGraphQL
from gateway.wiring.persisted import PersistedOperations
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


def create_app(
    settings: Settings,
    backends: Backends | None = None,
    *,
    clock: Callable[[], float] = time.monotonic,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    processes: int = 1,
    serving: bool = False,
) -> Starlette:
    """The gateway app; tests may pass `backends` to use instead of the configured ones,
    the `clock` that times the configured backends' circuit breakers, or `transports`
    by role that replace the network (an emulator's ASGI app, in-process). `processes`
    is how many serve together (`serve --workers`): they share the backends' limits.
    `serving`: the app is the process's one job from start to stop (`erp-gateway
    serve`), so what its start built is frozen out of the garbage collector's sight."""

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[State]:
        async with AsyncExitStack() as stack:
            opened = backends or await open_backends(
                settings, stack, clock=clock, transports=transports, processes=processes
            )
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
            if serving:
                freeze_startup_objects()
            yield {"backends": opened, "auth": auth, "writes": writes}

    graphql = GatewayGraphQL(
        schema_for(settings.graphql),
        federation(settings),
        persisted=PersistedOperations.from_settings(settings.graphql),
        graphql_ide="graphiql" if settings.graphql.graphiql else None,
    )
    http = settings.http
    return Starlette(
        routes=[
            Route(
                "/graphql",
                Authenticated(
                    ResponseCaching(graphql, max_ttl_s=settings.cache.responses.max_ttl_s)
                ),
                methods=["GET", "POST"],
            ),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/", to_graphql, methods=["GET"]),
        ],
        middleware=[
            # Outermost: a preflight is answered before any limit or authentication.
            *cors_middleware(http.cors_origins),
            Middleware(EdgeHeaders),
            Middleware(BodyLimit, max_bytes=http.max_body_bytes, timeout_s=http.body_timeout_s),
        ],
        exception_handlers={404: not_found, 405: method_not_allowed, Exception: internal_error},
        lifespan=lifespan,
    )


def freeze_startup_objects() -> None:
    """Move every object built so far (modules, the schema, the backends' clients) out
    of the cyclic garbage collector's sight. They live as long as the process, yet each
    full collection walked them all again: about 50 ms every few large queries, the
    tail of the customer-360's latency. Objects made later are collected as before."""
    gc.collect()
    gc.freeze()


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


def schema_for(graphql: GraphQLSettings) -> BaseSchema:
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
