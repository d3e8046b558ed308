"""Opens the configured backends for the app's lifetime and closes them after.

Each backend gets its own `httpx.AsyncClient` (its own connection pool) wrapped in a
`BackendHttp` with the backend's timeout, retries, circuit breaker and rate limit.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import httpx
from redis.asyncio import Redis

from erp_backends import registry
from erp_backends.aiohttp_transport import AiohttpTransport
from erp_backends.http import BackendHttp, StatelessClient
from erp_backends.ports import CrmBackend, ErpBackend, ShopBackend
from erp_backends.rate_limit import RateLimit, RateLimiter, TokenBucket
from erp_backends.registry import Connection, ErpPorts
from erp_backends.writes import ErpWriter
from gateway.cache.caching import CachePolicy
from gateway.cache.responses import MemoryResponses, RedisResponses, ResponseStore
from gateway.cache.service import GatewayCache
from gateway.cache.store import RecordStore, open_cache
from gateway.config import BackendSettings, CacheSettings, Settings
from gateway.shared_rate_limit import RedisTokenBucket, bucket_key

if TYPE_CHECKING:
    from gateway.observability.backend_calls import BackendCalls
    from gateway.observability.tracing import Tracing


@dataclass(frozen=True, slots=True)
class Backends:
    erp: ErpBackend
    crm: CrmBackend | None = None
    shop: ShopBackend | None = None
    cache: GatewayCache | None = None  # invalidation and statistics
    # The write side: the ERP read past the cache (for validating writes) and its writer.
    # None: this gateway accepts no mutations.
    erp_live: ErpBackend | None = None
    erp_writer: ErpWriter | None = None


async def open_backends(
    settings: Settings,
    stack: AsyncExitStack,
    *,
    clock: Callable[[], float] = time.monotonic,
    transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
    processes: int = 1,
    observer: BackendCalls | None = None,
) -> Backends:
    """The configured backends, each read through the shared cache; `clock` times their
    circuit breakers (a test passes one it moves itself). `transports` replaces the
    network for some roles: tests reach an emulator's ASGI app in-process. `processes`
    serve together: without Redis to share a rate limit, each keeps to its share.
    `observer` sees every backend call (metrics, traces)."""
    transports = transports or {}
    cache = await open_gateway_cache(settings.cache, stack)
    crm, shop = settings.crm, settings.shop
    shared = await rate_limit_redis(settings, stack)

    async def http(backend: BackendSettings) -> BackendHttp:
        transport = transports.get(backend.role)
        made = await backend_http(
            backend,
            stack,
            shared=shared,
            clock=clock,
            transport=transport,
            processes=processes,
            observer=observer,
        )
        if observer is not None:
            observer.watch(made)
        return made

    # Each read through the cache, whose misses gather into fewer calls as the backend's
    # rate limit runs out (its `headroom`).
    erp_http = await http(settings.erp)
    erp = erp_side(settings.erp, erp_http)
    crm_port = shop_port = None
    if crm is not None:
        crm_http = await http(crm)
        crm_port = cache.crm(open_crm(crm, crm_http), crm_http.headroom)
    if shop is not None:
        shop_http = await http(shop)
        shop_port = cache.shop(open_shop(shop, shop_http), shop_http.headroom)
    return Backends(
        erp=cache.erp(erp.reader, erp_http.headroom),
        crm=crm_port,
        shop=shop_port,
        cache=cache,
        erp_live=erp.reader,
        erp_writer=erp.writer,
    )


def traced(backends: Backends, tracing: Tracing | None) -> Backends:
    """The read ports with a span around each call, that is each DataLoader batch, when
    traces are on; the write side is traced by its backend calls alone."""
    if tracing is None:
        return backends
    from gateway.cache.reads import CRM, ERP, SHOP
    from gateway.observability.tracing import traced_port

    tracer = tracing.tracer
    crm, shop = backends.crm, backends.shop
    return replace(
        backends,
        erp=traced_port(backends.erp, ERP, tracer),
        crm=None if crm is None else traced_port(crm, CRM, tracer),
        shop=None if shop is None else traced_port(shop, SHOP, tracer),
    )


def erp_side(settings: BackendSettings, http: BackendHttp) -> ErpPorts:
    """The ERP's reader and writer over one client: one rate limit, one circuit."""
    return registry.erp(settings.kind).open(_connection(settings, http), settings.options)


def open_crm(settings: BackendSettings, http: BackendHttp) -> CrmBackend:
    return registry.crm(settings.kind).open(_connection(settings, http), settings.options)


def open_shop(settings: BackendSettings, http: BackendHttp) -> ShopBackend:
    return registry.shop(settings.kind).open(_connection(settings, http), settings.options)


def _connection(settings: BackendSettings, http: BackendHttp) -> Connection:
    return Connection(http=http, credentials=settings.credentials.reveal(), role=settings.role)


async def open_gateway_cache(settings: CacheSettings, stack: AsyncExitStack) -> GatewayCache:
    password = None if settings.password is None else settings.password.reveal()
    store = RecordStore(open_cache(settings.url, password))
    stack.push_async_callback(store.close)
    policy = CachePolicy(ttls=settings.ttls, stale_ttl=settings.stale_ttl)
    return GatewayCache(store, policy, open_responses(settings, password, stack))


def open_responses(
    settings: CacheSettings, password: str | None, stack: AsyncExitStack
) -> ResponseStore | None:
    """The response cache where the records are: Redis, so that every process and worker
    shares its invalidations, or this process's memory."""
    if not settings.responses.enabled:
        return None
    responses: ResponseStore
    if settings.url.startswith(("redis://", "rediss://")):
        redis = Redis.from_url(
            settings.url, password=password, socket_connect_timeout=2.0, socket_timeout=2.0
        )
        responses = RedisResponses(redis)
    else:
        responses = MemoryResponses(settings.responses.max_bytes)
    stack.push_async_callback(responses.close)
    return responses


async def rate_limit_redis(settings: Settings, stack: AsyncExitStack) -> Redis | None:
    """The Redis that shares rate limits between gateway processes: the queue's, else the
    cache's; None when neither is Redis (each process then limits itself alone)."""
    for url, password in (
        (settings.queue.url, settings.queue.password),
        (settings.cache.url, settings.cache.password),
    ):
        if url.startswith(("redis://", "rediss://")):
            redis = Redis.from_url(
                url,
                password=None if password is None else password.reveal(),
                socket_connect_timeout=2.0,
                socket_timeout=2.0,
            )
            stack.push_async_callback(redis.aclose)
            return redis
    return None


MAX_CONNECTIONS = 20  # per backend and process


async def backend_http(
    settings: BackendSettings,
    stack: AsyncExitStack,
    *,
    shared: Redis | None = None,
    clock: Callable[[], float] = time.monotonic,
    transport: httpx.AsyncBaseTransport | None = None,
    processes: int = 1,
    observer: BackendCalls | None = None,
) -> BackendHttp:
    limiter: RateLimiter | None = None
    if settings.rate_limit is not None:
        limiter = (
            TokenBucket(share_of(settings.rate_limit, processes))
            if shared is None
            else RedisTokenBucket(
                shared, bucket_key(settings.role, settings.url), settings.rate_limit
            )
        )
    client = await stack.enter_async_context(
        StatelessClient(
            headers={"User-Agent": "erp-gateway"},
            # aiohttp carries the bytes (see erp_backends/aiohttp_transport.py); tests
            # may pass a transport of their own (an emulator's ASGI app).
            transport=transport or AiohttpTransport(max_connections=MAX_CONNECTIONS),
        )
    )
    return BackendHttp(
        client,
        settings.url,
        backend=settings.role,
        system=registry.kind(settings.role, settings.kind).title,
        resilience=settings.resilience,
        rate_limiter=limiter,
        clock=clock,
        observer=observer,
    )


def share_of(limit: RateLimit, processes: int) -> RateLimit:
    """What one of `processes` may spend of `limit` when nothing shares a bucket between
    them: an equal share, at least one call per period."""
    return RateLimit(max(1, limit.count // processes), limit.period_s)
