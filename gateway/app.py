"""The ASGI app: GraphQL at /graphql (GraphiQL for browsers), health at /healthz."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, TypedDict

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.schema import BaseSchema

from gateway.auth.http import Authenticated
from gateway.auth.principal import Principal
from gateway.auth.service import AuthServices, open_auth
from gateway.backends import Backends, open_backends
from gateway.commands.runtime import open_writes
from gateway.config import Settings, WooCommerceOptions
from resolvers.commands.accepting import Writes
from resolvers.context import Federation, GatewayContext
from resolvers.loaders import Loaders
from resolvers.schema import build_schema

log = logging.getLogger("erp_gateway")


class State(TypedDict):
    backends: Backends
    auth: AuthServices
    writes: Writes | None


class GatewayGraphQL(GraphQL[GatewayContext, None]):
    def __init__(self, schema: BaseSchema, federation: Federation, **options: Any) -> None:
        super().__init__(schema, **options)
        self.federation = federation

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket | None
    ) -> GatewayContext:
        backends: Backends = request.state.backends
        principal: Principal = request.state.principal  # set by `Authenticated`
        return GatewayContext(
            loaders=Loaders.for_principal(principal, backends.erp, backends.crm, backends.shop),
            request_id=request.headers.get("x-request-id") or uuid.uuid4().hex,
            federation=self.federation,
            principal=principal,
            audit=request.state.auth.audit,
            writes=request.state.writes,
            request=request,
            response=response if isinstance(response, Response) else None,
        )


def create_app(settings: Settings, backends: Backends | None = None) -> Starlette:
    """The gateway app; tests may pass `backends` to use instead of the configured ones."""

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[State]:
        async with AsyncExitStack() as stack:
            opened = backends or await open_backends(settings, stack)
            auth = await open_auth(settings.auth, stack)
            writes = None
            if opened.erp_writer is not None and opened.erp_live is not None:
                writes = await open_writes(
                    settings.queue, erp_live=opened.erp_live, writer=opened.erp_writer,
                    cache=opened.cache, audit=auth.audit, stack=stack,
                )  # fmt: skip
            yield {"backends": opened, "auth": auth, "writes": writes}

    limits = settings.graphql
    schema = build_schema(
        max_depth=limits.max_depth,
        max_aliases=limits.max_aliases,
        max_tokens=limits.max_tokens,
        introspection=limits.introspection,
    )
    graphql = GatewayGraphQL(
        schema,
        federation(settings),
        graphql_ide="graphiql" if limits.graphiql else None,
    )
    return Starlette(
        routes=[
            Route("/graphql", Authenticated(graphql), methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def federation(settings: Settings) -> Federation:
    shop = settings.shop.options if settings.shop else WooCommerceOptions()
    assert isinstance(shop, WooCommerceOptions), "config gives the shop its kind's options"
    return Federation(
        link_field=settings.federation.link_field,
        shop_order_prefix=shop.order_reference_prefix,
    )


async def healthz(_: Request) -> Response:
    """Liveness: the process serves requests. It does not call backends on purpose: a
    slow ERP must not make the load balancer take every gateway out of rotation."""
    return JSONResponse({"status": "ok"})
