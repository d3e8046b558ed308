"""What a log line knows of the request it was logged for.

`RequestLogging` (an ASGI middleware, inside `EdgeHeaders`) gives each request a
`RequestLog` in a context variable; every line logged while the request is served, by
the gateway or by uvicorn's access log, reads it. The request id and the principal are
read from the request's state when a line is written, not when they are set: the edge
and `Authenticated` put them there already, and a request that logs nothing pays
nothing for them. The GraphQL view names the operation (`note_operation`).

The middleware is installed only with `[logging] format = "json"`; without it,
`note_operation` finds no `RequestLog` and returns at once.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

# The first named operation of a document, past comments: what "operation" shows for a
# request that sent a document but no operationName.
_NAMED_OPERATION = re.compile(r"\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)")
_COMMENT = re.compile(r"#[^\n\r]*")
MAX_NAME_CHARS = 100  # a client's operationName is free text: a log line stays short


@dataclass(slots=True)
class RequestLog:
    """The request being served, as its log lines show it. Mutable on purpose: tasks
    the request starts (loader batches) copy the context variable, not the object, so
    an operation noted later still shows on their lines."""

    state: dict[str, Any]  # the request's `scope["state"]`
    operation_name: str | None = None
    document: str | None = None

    @property
    def request_id(self) -> str | None:
        value = self.state.get("request_id")
        return None if value is None else str(value)

    @property
    def subject(self) -> str | None:
        principal = self.state.get("principal")
        return None if principal is None else str(principal.subject)

    @property
    def actor(self) -> str | None:
        """The staff member behind an impersonated request."""
        principal = self.state.get("principal")
        actor = None if principal is None else principal.actor
        return None if actor is None else str(actor.subject)

    @property
    def operation(self) -> str | None:
        if self.operation_name:
            return self.operation_name[:MAX_NAME_CHARS]
        if self.document is None:
            return None
        found = _NAMED_OPERATION.search(_COMMENT.sub("", self.document))
        return None if found is None else found.group(1)


_current: ContextVar[RequestLog | None] = ContextVar("erp_gateway_request_log", default=None)


def current_request() -> RequestLog | None:
    return _current.get()


def note_operation(name: str | None, document: str | None) -> None:
    """The GraphQL operation the request runs: its `operationName`, else the first name
    in its document (found only when a line is written)."""
    log = _current.get()
    if log is not None:
        log.operation_name = name
        log.document = document


class RequestLogging:
    """Gives each HTTP request the `RequestLog` its log lines read."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return
        token = _current.set(RequestLog(scope.setdefault("state", {})))
        try:
            await self._app(scope, receive, send)
        finally:
            _current.reset(token)
