"""The aiohttp transport under httpx, over real sockets: what a backend call sends and
gets back is what httpx's own transport gives, and each way a server can fail comes out
as the httpx error the retries and the circuit breaker already know."""

import asyncio
import gzip
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from erp_backends.aiohttp_transport import AiohttpTransport
from erp_backends.errors import BackendDataError, BackendUnavailable
from erp_backends.http import BackendHttp, Resilience, StatelessClient

pytestmark = pytest.mark.slow

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def raw_server(handler: Handler) -> AsyncIterator[str]:
    """A TCP server on loopback that answers with whatever bytes `handler` writes."""
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}"


async def read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    return head, await reader.readexactly(length)


def answer(status: str, body: bytes, *headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *headers, "", ""]
    return "\r\n".join(lines).encode() + body


def client(**options) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=AiohttpTransport(max_connections=4), **options)


async def test_a_call_sends_and_gets_back_what_httpx_would():
    seen: list[tuple[bytes, bytes]] = []

    async def echo(reader, writer):
        while True:
            try:
                head, body = await read_request(reader)
            except asyncio.IncompleteReadError:
                break
            seen.append((head, body))
            payload = gzip.compress(json.dumps({"got": body.decode()}).encode())
            writer.write(
                answer("201 Created", payload, "Content-Encoding: gzip", "X-Trace: a", "X-Trace: b")
            )
            await writer.drain()
        writer.close()

    async with raw_server(echo) as url, client(headers={"User-Agent": "erp-gateway"}) as http:
        for _ in range(2):  # the second call reuses the pooled connection
            response = await http.post(f"{url}/jsonrpc?x=1", json={"a": 1})
            assert response.status_code == 201
            assert response.json() == {"got": '{"a":1}'}  # decoded once, by httpx
            assert response.headers.get_list("x-trace") == ["a", "b"]
    head = seen[0][0].decode().lower()
    assert head.startswith("post /jsonrpc?x=1 http/1.1\r\n")
    assert "user-agent: erp-gateway\r\n" in head
    assert "content-type: application/json\r\n" in head
    assert head.count("content-length:") == 1


async def test_a_server_that_does_not_answer_in_time_is_a_read_timeout():
    never = asyncio.Event()

    async def silent(reader, writer):
        await read_request(reader)
        await never.wait()  # holds the request until the test ends

    async with raw_server(silent) as url, client() as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get(url, timeout=0.2)
        never.set()


async def test_a_refused_connection_is_a_connect_error():
    async with raw_server(lambda r, w: asyncio.sleep(0)) as url:
        pass  # closed: nothing listens on its port any more
    async with client() as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(url)


@pytest.mark.parametrize(
    "reply",
    [b"", b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort", b"not http at all\r\n\r\n"],
    ids=["closed without an answer", "cut mid-body", "not HTTP"],
)
async def test_a_broken_answer_is_an_httpx_transport_error(reply):
    async def broken(reader, writer):
        await read_request(reader)
        writer.write(reply)
        await writer.drain()
        writer.close()

    async with raw_server(broken) as url, client() as http:
        with pytest.raises(httpx.TransportError):
            await http.get(url)


async def test_a_read_is_retried_after_a_dropped_connection():
    calls = 0

    async def drops_first(reader, writer):
        nonlocal calls
        await read_request(reader)
        calls += 1
        if calls > 1:
            ok = answer("200 OK", b'{"ok": true}', "Connection: close")
            writer.write(ok)
            await writer.drain()
        writer.close()

    async def no_wait(_: float) -> None:
        return None

    async with raw_server(drops_first) as url, client() as http:
        backend = BackendHttp(
            http, url, backend="erp", system="Odoo", resilience=Resilience(retries=1), sleep=no_wait
        )
        response = await backend.request("GET", "/", read=True)
        assert response.json() == {"ok": True}
        assert calls == 2
        calls = 0
        with pytest.raises(BackendUnavailable):  # a write is sent once, never again
            await backend.request("POST", "/", read=False, content=b"{}")
        assert calls == 1


async def test_a_compressed_answer_that_inflates_past_the_cap_is_refused_once():
    calls = 0
    bomb = gzip.compress(b"[" + b" " * 4_000_000 + b"]")  # about 4 KB on the wire

    async def inflating(reader, writer):
        nonlocal calls
        while True:
            try:
                await read_request(reader)
            except asyncio.IncompleteReadError:
                break
            calls += 1
            writer.write(answer("200 OK", bomb, "Content-Encoding: gzip"))
            await writer.drain()
        writer.close()

    async with raw_server(inflating) as url, client() as http:
        backend = BackendHttp(
            http,
            url,
            backend="erp",
            system="Odoo",
            resilience=Resilience(retries=2),
            max_answer_bytes=1_000_000,
        )
        with pytest.raises(BackendDataError, match="more than 1000000 bytes"):
            await backend.request("POST", "/jsonrpc", read=True, content=b"{}")
        assert calls == 1  # the same answer again would be no smaller: not retried
        assert backend.breaker.state == "closed"
        # Under the cap, the same connection pool serves the next call as before.
        roomy = BackendHttp(http, url, backend="erp", system="Odoo")
        response = await roomy.request("POST", "/jsonrpc", read=True, content=b"{}")
        assert response.json() == []


async def test_an_answer_that_does_not_decode_as_its_encoding_says_is_a_data_error():
    async def lying(reader, writer):
        await read_request(reader)
        writer.write(answer("200 OK", b"not gzip at all", "Content-Encoding: gzip"))
        await writer.drain()
        writer.close()

    async with raw_server(lying) as url, client() as http:
        backend = BackendHttp(http, url, backend="shop", system="WooCommerce")
        with pytest.raises(BackendDataError, match="does not decode as its Content-Encoding"):
            await backend.request("GET", "/orders", read=True)


async def test_an_endless_answer_is_cut_off_at_the_cap_not_read_into_memory():
    sent_all = asyncio.Event()
    dropped = asyncio.Event()
    size = 64 * 1024 * 1024  # far more than socket buffers hold between the two sides

    async def endless(reader, writer):
        await read_request(reader)
        writer.write(f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n".encode())
        chunk = b"x" * 65536
        try:
            for _ in range(size // len(chunk)):
                writer.write(chunk)
                await writer.drain()
            sent_all.set()
        except ConnectionError:
            dropped.set()
        writer.close()

    async with raw_server(endless) as url, client() as http:
        backend = BackendHttp(http, url, backend="erp", system="Odoo", max_answer_bytes=1_000_000)
        with pytest.raises(BackendDataError, match="more than 1000000 bytes"):
            await backend.request("GET", "/", read=True)
        await asyncio.wait_for(dropped.wait(), timeout=30)  # a condition, not a race
    assert not sent_all.is_set()


async def test_a_cookie_one_answer_sets_never_rides_on_the_next_call():
    heads: list[str] = []

    async def sets_a_session(reader, writer):
        while True:
            try:
                head, _ = await read_request(reader)
            except asyncio.IncompleteReadError:
                break
            heads.append(head.decode().lower())
            cookie = "Set-Cookie: session_id=someone-elses; Path=/; HttpOnly"
            writer.write(answer("200 OK", b"{}", cookie))
            await writer.drain()
        writer.close()

    transport = AiohttpTransport(max_connections=4)
    async with raw_server(sets_a_session) as url, StatelessClient(transport=transport) as http:
        # A host name: aiohttp's own jar would not keep a cookie of an IP address.
        named = url.replace("127.0.0.1", "localhost")
        backend = BackendHttp(http, named, backend="erp", system="Odoo")
        for _ in range(2):
            await backend.request("POST", "/jsonrpc", read=True, content=b"{}")
        assert len(http.cookies) == 0
    assert len(heads) == 2
    assert all("cookie:" not in head for head in heads)  # neither aiohttp nor httpx kept it
