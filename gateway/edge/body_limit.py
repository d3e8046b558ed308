"""Reads a request's body within `[http] max_body_bytes` and `body_timeout_s`.

The GraphQL view reads whole bodies into memory, so the limit is checked as the bytes
arrive, not only against a Content-Length the client may not send (chunked) or may
understate. A client that trickles its body is cut off at the timeout instead of
holding a request open. The app behind gets the body in one message.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.edge.errors import error_response
from gateway.edge.headers import request_id_in

log = logging.getLogger("erp_gateway.http")


class _TooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int, timeout_s: float) -> None:
        self._app = app
        self._max_bytes = max_bytes
        self._timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        try:
            self._check_declared_length(scope)
            async with asyncio.timeout(self._timeout_s):
                body = await self._read(receive)
        except _TooLarge:
            log.info("request %s: body over %d bytes", request_id_in(scope), self._max_bytes)
            response = error_response(
                413, "BAD_REQUEST", f"The request body is larger than {self._max_bytes} bytes"
            )
        except TimeoutError:
            log.info(
                "request %s: body not received within %ss", request_id_in(scope), self._timeout_s
            )
            response = error_response(
                408, "BAD_REQUEST", f"The request body did not arrive within {self._timeout_s:g} s"
            )
        else:
            await self._app(scope, replay_body(body, receive), send)
            return
        response.headers["connection"] = "close"
        await response(scope, receive, send)

    def _check_declared_length(self, scope: Scope) -> None:
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and _over(value, self._max_bytes):
                raise _TooLarge

    async def _read(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left; nothing to answer
                return b""
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self._max_bytes:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _over(digits: bytes, limit: int) -> bool:
    # Past 18 digits it is over any limit, and int() of thousands of digits would raise.
    return len(digits) > 18 or int(digits) > limit


def replay_body(body: bytes, receive: Receive) -> Receive:
    """The body in one message, then whatever the server says next (a disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
