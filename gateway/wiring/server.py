"""Runs ASGI apps under uvicorn on sockets bound beforehand.

Binding first turns "port in use" into one clear message instead of a uvicorn
traceback, and lets the demo learn its emulators' free ports before anything starts.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import uvicorn
from starlette.types import ASGIApp

from gateway.config import HttpSettings, LoggingSettings
from gateway.edge.protocol import head_limited
from gateway.logs import uvicorn_logging

T = TypeVar("T")

# How long emulated backends keep an idle connection open: nginx's default, which fronts
# most real ones. It must outlast the gateway's pooled connections (httpx keeps them 5 s):
# with uvicorn's 5 s on both sides, a request could go out on a connection the backend
# was just closing and fail with a ReadError.
BACKEND_KEEP_ALIVE_S = 75


def run(main: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(main)` on uvloop where it is installed (uvicorn[standard] brings it
    everywhere but Windows). Servers here run under loops of their own, so uvicorn's
    `loop="auto"` never applies; uvloop's loop and transports cost a fraction of
    asyncio's for every request and every backend call."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - Windows
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


class ListenError(Exception):
    """The address cannot be listened on; the message says which and why."""


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio disables Nagle's algorithm on accepted connections
    # only for sockets whose protocol says TCP; with the default 0 every small answer
    # waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise ListenError(f"cannot listen on {host}:{port}: {reason}") from None
    return sock


def address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}" if ":" not in host else f"http://[{host}]:{port}"


@dataclass
class Served:
    app: ASGIApp
    sock: socket.socket
    access_log: bool = True
    http: HttpSettings | None = None  # limits on request heads; None: uvicorn's own (none)
    keep_alive_s: int = 5  # uvicorn's default; BACKEND_KEEP_ALIVE_S for emulators


def _protocol(http: HttpSettings | None) -> dict[str, Any]:
    """uvicorn's `http` option: the head-limited protocol when there are limits."""
    if http is None:
        return {}
    return {"http": head_limited(http.max_header_bytes, http.header_timeout_s)}


async def serve(
    apps: Sequence[Served],
    *,
    on_started: Callable[[], Awaitable[None]] | None = None,
    logging: LoggingSettings | None = None,
) -> None:
    """Serve every app until the first one stops (Ctrl-C stops them all); uvicorn logs
    as `logging` says (`configure_logging` applied), else in its own format at INFO."""
    servers = [
        uvicorn.Server(
            uvicorn.Config(
                s.app,
                access_log=s.access_log,
                timeout_keep_alive=s.keep_alive_s,
                **uvicorn_logging(logging),
                **_protocol(s.http),
            )
        )
        for s in apps
    ]
    tasks = [
        asyncio.create_task(server.serve(sockets=[s.sock]))
        for server, s in zip(servers, apps, strict=True)
    ]
    while not all(server.started for server in servers):
        if any(task.done() for task in tasks):
            break
        await asyncio.sleep(0.05)
    else:
        if on_started is not None:
            await on_started()
    await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for server in servers:
        server.should_exit = True
    await asyncio.gather(*tasks, return_exceptions=True)


@contextmanager
def serve_in_thread(
    app: ASGIApp,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    timeout_s: float = 30.0,
    http: HttpSettings | None = None,
) -> Iterator[str]:
    """Serve `app` from a thread of its own on `port` (0: a free one); yields its base URL.

    For tests and benchmarks, which drive servers from synchronous code; as these serve
    emulated backends too, idle connections stay open `BACKEND_KEEP_ALIVE_S`.
    """
    sock = bind(host, port)
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=1,
        timeout_keep_alive=BACKEND_KEEP_ALIVE_S,
        **_protocol(http),
    )
    with running_in_thread(config, sock, timeout_s=timeout_s):
        yield address(sock)


@contextmanager
def running_in_thread(
    config: uvicorn.Config, sock: socket.socket, *, timeout_s: float = 30.0
) -> Iterator[None]:
    """uvicorn with `config` serving on `sock` from a thread of its own, from the moment
    it has started to the end of the block; the socket is closed after."""
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError(f"the server for {config.app!r} did not start; see the log above")
        time.sleep(0.01)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
