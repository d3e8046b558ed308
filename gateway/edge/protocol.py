"""uvicorn's httptools protocol with limits on the request head.

uvicorn has neither for httptools: a client could send megabytes of headers, or one
header byte every few seconds and hold the connection for ever (slowloris). Here the
request line and headers together may hold `max_header_bytes` (431 past that), and must
arrive within `header_timeout_s` of the connection opening or of the previous answer
(408 then). Either way the connection is closed. Limits on the body are the app's
(`body_limit.py`), where the ASGI flow control is.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from gateway.edge.errors import error_body

_REASONS = {400: b"Bad Request", 408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


class _HeadRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class HeadLimitedProtocol(HttpToolsProtocol):
    """Set `max_head_bytes` and `head_timeout_s` on a subclass (`head_limited`)."""

    max_head_bytes = 16 * 1024
    head_timeout_s = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_arrived()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        # uvicorn's own, except that a refused head gets its own status, and a request
        # that is not HTTP gets JSON.
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError as exc:
            refusal = exc.__context__
            if isinstance(refusal, _HeadRefused):
                self._refuse(refusal.status, refusal.message)
            else:
                self._refuse(400, "The request is not valid HTTP")
        except httptools.HttpParserError:
            self._refuse(400, "The request is not valid HTTP")
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._head_timer is None:  # the next request on a kept-alive connection
            self._await_head()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._head_arrived()
        super().on_headers_complete()

    def _await_head(self) -> None:
        self._head_bytes = 0
        self._head_timer = self.loop.call_later(self.head_timeout_s, self._head_too_slow)

    def _head_arrived(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self.max_head_bytes:
            raise _HeadRefused(
                431, f"The request line and headers are larger than {self.max_head_bytes} bytes"
            )

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined head behind an answer still being written: its time starts
            # when that answer is done, as a kept-alive connection's does.
            self._await_head()
            return
        self._refuse(408, f"The request headers did not arrive within {self.head_timeout_s:g} s")

    def _refuse(self, status: int, message: str) -> None:
        self._head_arrived()
        if self.transport.is_closing():
            return
        answering = self.cycle is not None and not self.cycle.response_complete
        if not answering:  # else an answer is being written: closing is all that is left
            body = error_body("BAD_REQUEST", message)
            self.transport.write(
                b"HTTP/1.1 %d %s\r\ncontent-type: application/json\r\n"
                b"content-length: %d\r\nconnection: close\r\n\r\n%s"
                % (status, _REASONS[status], len(body), body)
            )
        self.transport.close()


def head_limited(max_head_bytes: int, head_timeout_s: float) -> type[HeadLimitedProtocol]:
    """The protocol class to give uvicorn (`Config(http=...)`) for these limits."""
    return type(
        "HeadLimitedProtocol",
        (HeadLimitedProtocol,),
        {"max_head_bytes": max_head_bytes, "head_timeout_s": head_timeout_s},
    )
