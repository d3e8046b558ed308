"""ASGI apps driven in-process: no sockets, no server threads, for the fast test lane.

`serve_in_process(app)` runs an app's lifespan on a private event loop (an anyio
blocking portal) and gives a synchronous `httpx.Client` whose requests go straight into
the app on that loop. `in_process_gateway` does it for the gateway, whose backends reach
emulator apps over `httpx.ASGITransport` on the same loop: the whole path of a query,
schema, loaders, adapters and emulators, without the network.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
from anyio.from_thread import BlockingPortal, start_blocking_portal
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.config import Settings
from gateway.wiring.app import create_app


class _PortalTransport(httpx.BaseTransport):
    """Sends a synchronous client's requests to an ASGI app on the portal's loop."""

    def __init__(self, portal: BlockingPortal, app: ASGIApp) -> None:
        self._portal = portal
        self._transport = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            answer = await self._transport.handle_async_request(request)
            body = await answer.aread()
            return httpx.Response(answer.status_code, headers=answer.headers, content=body)

        return self._portal.call(send)


class _WithState:
    """Gives every request the state the app's lifespan yielded, as a server does."""

    def __init__(self, app: ASGIApp, state: Mapping[str, Any]) -> None:
        self._app = app
        self._state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = {**scope, "state": dict(self._state)}
        await self._app(scope, receive, send)


@asynccontextmanager
async def _lifespan(app: Any) -> AsyncIterator[Mapping[str, Any]]:
    """The app's own lifespan (Starlette's router runs it), its state yielded."""
    async with app.router.lifespan_context(app) as state:
        yield state or {}


@contextmanager
def serve_in_process(app: ASGIApp, base_url: str = "http://in-process") -> Iterator[httpx.Client]:
    """A client of `app`, whose lifespan runs for the duration of the block."""
    with start_blocking_portal() as portal:
        lifespan = portal.wrap_async_context_manager(_lifespan(app))
        with lifespan as state:
            transport = _PortalTransport(portal, _WithState(app, state))
            with httpx.Client(transport=transport, base_url=base_url, timeout=30) as client:
                yield client


@contextmanager
def in_process_gateway(
    settings: Settings, emulators: Mapping[str, ASGIApp], **app_options: Any
) -> Iterator[httpx.Client]:
    """The gateway with each role's backend an emulator app on the same loop."""
    transports = {role: httpx.ASGITransport(app=app) for role, app in emulators.items()}
    with serve_in_process(create_app(settings, transports=transports, **app_options)) as client:
        yield client
