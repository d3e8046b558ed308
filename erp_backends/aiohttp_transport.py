"""httpx's requests, sent over the wire by aiohttp.

The adapters speak httpx (its requests, responses, auth flows, and respx in their
tests); this transport is only what carries the bytes. httpcore, httpx's own transport,
spends about a millisecond of CPU on a backend call on a busy pool (it polls every idle
pooled socket before each request, and writes head and body apart), more than the rest
of a simple query; aiohttp's client, with its C parser, spends a sixth of that
(`bench/peer.py`, the profile in the issue 12 note). Behaviour stays httpx's:

- timeouts from the request's `timeout` extension, raised as httpx's `ConnectTimeout`
  or `ReadTimeout`; every other failure as an httpx `TransportError` (`ConnectError`,
  `ReadError`, `RemoteProtocolError`), so retries and the circuit breaker
  (`erp_backends.http`) see what they saw before;
- no redirects followed and no decompression here: the httpx client does both, as
  with its own transport;
- TLS verified against the same certificates as httpx (certifi, or `SSL_CERT_FILE`),
  its context made on the first HTTPS request (loading the CA bundle costs tens of ms,
  which a backend on plain HTTP never needs);
- the body streamed to httpx as it arrives, so the caller's size cap
  (`BackendHttp`) stops an endless answer before it fills memory;
- idle connections kept 5 s, as httpx keeps them, well under the usual server idle
  timeouts (nginx 75 s), so a request seldom goes out on a connection being closed.
"""

from __future__ import annotations

import functools
import ssl
from collections.abc import AsyncIterator

import aiohttp
import httpx

# Hop-by-hop or computed headers: aiohttp writes its own for the body it sends.
_NOT_FORWARDED = frozenset({"content-length", "transfer-encoding", "connection", "host"})
KEEP_ALIVE_S = 5.0
CHUNK_BYTES = 64 * 1024


class AiohttpTransport(httpx.AsyncBaseTransport):
    def __init__(self, *, max_connections: int, verify: bool | str = True) -> None:
        self._max_connections = max_connections
        self._verify = verify
        self._ssl: ssl.SSLContext | None = None
        self._session: aiohttp.ClientSession | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session or self._open()
        headers = [
            (name, value)
            for name, value in request.headers.multi_items()
            if name.lower() not in _NOT_FORWARDED
        ]
        try:
            body = request.content  # read when built, unless its content streams
        except httpx.RequestNotRead:
            body = await request.aread()
        try:
            answer = await session.request(
                request.method,
                str(request.url),
                headers=headers,
                data=body or None,
                timeout=_timeout(request),
                allow_redirects=False,
                ssl=self._tls() if request.url.scheme == "https" else True,
            )
        except _FAILURES as exc:
            raise _httpx_error(exc, request) from exc
        return httpx.Response(
            answer.status,
            headers=answer.raw_headers,  # (name, value) pairs of bytes, as httpx takes them
            stream=_Body(answer, request),
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open(self) -> aiohttp.ClientSession:
        """Made on first use: aiohttp binds a session to the running event loop."""
        connector = aiohttp.TCPConnector(
            limit=self._max_connections, keepalive_timeout=KEEP_ALIVE_S
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,  # httpx decodes, as it would its own transport's bytes
            cookie_jar=aiohttp.DummyCookieJar(),  # httpx's client decides about cookies
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
        )
        return self._session

    def _tls(self) -> ssl.SSLContext:
        if self._ssl is None:
            self._ssl = httpx.create_ssl_context(verify=self._verify)
        return self._ssl


class _Body(httpx.AsyncByteStream):
    """An answer's body as aiohttp receives it. Closed before its end (the caller
    stopped reading), the connection is dropped rather than pooled with bytes unread."""

    def __init__(self, answer: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._answer = answer
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._answer.content.iter_chunked(CHUNK_BYTES):
                yield chunk
        except _FAILURES as exc:
            raise _httpx_error(exc, self._request) from exc

    async def aclose(self) -> None:
        if self._answer.content.at_eof():
            self._answer.release()
        else:
            self._answer.close()


def _timeout(request: httpx.Request) -> aiohttp.ClientTimeout:
    timeout = request.extensions.get("timeout", {})
    return _client_timeout(timeout.get("connect"), timeout.get("read"), timeout.get("pool"))


@functools.lru_cache(maxsize=64)  # a backend's calls share one or two timeouts
def _client_timeout(
    connect: float | None, read: float | None, pool: float | None
) -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(
        total=None,
        sock_connect=connect,
        sock_read=read,
        # Waiting for a free pooled connection, then connecting.
        connect=_sum(pool, connect),
    )


def _sum(*seconds: float | None) -> float | None:
    return None if any(s is None for s in seconds) else sum(s for s in seconds if s is not None)


# What aiohttp and the socket raise; each becomes an httpx error (`_httpx_error`).
_FAILURES = (aiohttp.ClientError, OSError, TimeoutError)


def _httpx_error(exc: BaseException, request: httpx.Request) -> httpx.TransportError:
    """The httpx error that its own transport would raise for this failure. (A plain
    try/except at each call, not a context manager: this runs twice per backend call.)"""
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return httpx.ConnectTimeout(str(exc) or "connect timeout", request=request)
    if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
        return httpx.ReadTimeout(str(exc) or "read timeout", request=request)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(str(exc), request=request)
    if isinstance(exc, aiohttp.ClientResponseError):  # an answer that is not valid HTTP
        return httpx.RemoteProtocolError(str(exc), request=request)
    if isinstance(exc, aiohttp.ClientPayloadError | aiohttp.ServerDisconnectedError):
        return httpx.ReadError(str(exc) or type(exc).__name__, request=request)
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol(str(exc), request=request)
    return httpx.ReadError(str(exc) or type(exc).__name__, request=request)
