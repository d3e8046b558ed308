"""Request ids and the headers every answer carries.

`X-Request-ID` from the client is kept only when it looks like an id
(`[A-Za-z0-9._:-]{1,128}`): anything else (newlines, a megabyte, markup) would end up in
logs and the audit log, so it is replaced by a fresh one. The id in use is in
`scope["state"]["request_id"]` for the app and in the answer's `X-Request-ID`.

Every answer gets `X-Content-Type-Options: nosniff`; an answer to a request with
credentials gets `Cache-Control: no-store` (it may hold that principal's data); an HTML
page (GraphiQL) gets `HTML_CSP`: scripts, styles and calls to the gateway's own origin
only (GraphiQL's files are served by the gateway, `gateway/graphiql/`), inline styles
(which GraphiQL's editors set) and `data:` fonts and images (in GraphiQL's CSS), and no
framing (clickjacking). Inline scripts are refused: markup injected into the page
cannot run.
"""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
_CREDENTIALS = (b"authorization", b"x-api-key")
HTML_CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "font-src 'self' data:",
        "img-src 'self' data:",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)


def request_id_of(scope: Scope) -> str:
    """The client's X-Request-ID if it is a well-formed id, else a new one."""
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER.encode() and _REQUEST_ID.fullmatch(value):
            return bytes(value).decode("ascii")
    return uuid.uuid4().hex


def request_id_in(scope: Scope) -> str:
    """The id `EdgeHeaders` gave this request ("-" for one that did not pass it)."""
    return str(scope.get("state", {}).get("request_id", "-"))


class EdgeHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self._app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        credentials = any(name in _CREDENTIALS for name, _ in scope["headers"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                _add_headers(MutableHeaders(scope=message), request_id, credentials)
            await send(message)

        await self._app(scope, receive, send_with_headers)


def _add_headers(headers: MutableHeaders, request_id: str, credentials: bool) -> None:
    headers["X-Request-ID"] = request_id
    headers["X-Content-Type-Options"] = "nosniff"
    if credentials:
        headers["Cache-Control"] = "no-store"
    if headers.get("content-type", "").startswith("text/html"):
        headers["Content-Security-Policy"] = HTML_CSP
