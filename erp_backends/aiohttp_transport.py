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

import ssl
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

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
        body = await request.aread()
        with _as_httpx_errors(request):
            answer = await session.request(
                request.method,
                str(request.url),
                headers=headers,
                data=body or None,
                timeout=_timeout(request),
                allow_redirects=False,
                ssl=self._tls() if request.url.scheme == "https" else True,
            )
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
        with _as_httpx_errors(self._request):
            async for chunk in self._answer.content.iter_chunked(CHUNK_BYTES):
                yield chunk

    async def aclose(self) -> None:
        if self._answer.content.at_eof():
            self._answer.release()
        else:
            self._answer.close()


def _timeout(request: httpx.Request) -> aiohttp.ClientTimeout:
    timeout = request.extensions.get("timeout", {})
    return aiohttp.ClientTimeout(
        total=None,
        sock_connect=timeout.get("connect"),
        sock_read=timeout.get("read"),
        # Waiting for a free pooled connection, then connecting.
        connect=_sum(timeout.get("pool"), timeout.get("connect")),
    )


def _sum(*seconds: float | None) -> float | None:
    return None if any(s is None for s in seconds) else sum(s for s in seconds if s is not None)


@contextmanager
def _as_httpx_errors(request: httpx.Request) -> Iterator[None]:
    try:
        yield
    except aiohttp.ConnectionTimeoutError as exc:
        raise httpx.ConnectTimeout(str(exc) or "connect timeout", request=request) from exc
    except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
        raise httpx.ReadTimeout(str(exc) or "read timeout", request=request) from exc
    except aiohttp.ClientConnectorError as exc:
        raise httpx.ConnectError(str(exc), request=request) from exc
    except aiohttp.ClientResponseError as exc:  # an answer that is not valid HTTP
        raise httpx.RemoteProtocolError(str(exc), request=request) from exc
    except (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError) as exc:
        raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc
    except aiohttp.InvalidURL as exc:
        raise httpx.UnsupportedProtocol(str(exc), request=request) from exc
    except (aiohttp.ClientError, OSError) as exc:
        raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc
