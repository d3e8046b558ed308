"""A backend's rate limit shared by several gateway processes through a real Redis."""

import asyncio
import time
import uuid

from redis.asyncio import Redis

from erp_backends.rate_limit import RateLimit
from gateway.shared_rate_limit import RedisTokenBucket


def buckets(redis_url: str, limit: RateLimit, count: int, **options):
    """`count` buckets on one key, each with its own connection, as processes have."""
    key = f"test:rate-limit:{uuid.uuid4().hex}"
    clients = [Redis.from_url(redis_url) for _ in range(count)]
    return clients, [RedisTokenBucket(client, key, limit, **options) for client in clients]


async def test_processes_sharing_a_bucket_stay_within_one_limit_together(redis_url):
    clients, (first, second) = buckets(redis_url, RateLimit(20, 1.0), 2)
    started = time.monotonic()
    try:
        # 60 calls between two processes, at 20 a second with a burst of 20: the last
        # 40 need at least 2 seconds of refill, however the two interleave.
        await asyncio.gather(*(bucket.acquire() for bucket in (first, second) for _ in range(30)))
    finally:
        for client in clients:
            await client.aclose()
    assert time.monotonic() - started >= 1.9


class WouldWait(Exception):
    """The bucket asked its caller to wait for a token."""


async def refuse_to_wait(seconds: float) -> None:
    raise WouldWait(seconds)


async def test_background_callers_leave_the_reserve_to_everyone_else(redis_url):
    # The bucket's sleep raises, so "it would wait" is its own answer, not a short
    # timeout that a slow Redis round trip could also run into.
    clients, (bucket,) = buckets(redis_url, RateLimit(10, 3600.0), 1, sleep=refuse_to_wait)
    try:
        taken = 0
        while True:  # the worker drains what it may
            try:
                await bucket.acquire(background=True)
            except WouldWait:
                break
            taken += 1
        # A fifth of the bucket is left for reads: they go at once.
        await bucket.acquire()
        await bucket.acquire()
    finally:
        for client in clients:
            await client.aclose()
    assert taken == 8


async def test_without_redis_each_process_limits_itself(caplog):
    unreachable = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.2)
    bucket = RedisTokenBucket(unreachable, "test:rate-limit:gone", RateLimit(2, 60.0))
    try:
        await asyncio.wait_for(bucket.acquire(), 5)
        await asyncio.wait_for(bucket.acquire(), 5)
        try:  # the local bucket's two tokens are spent; the third waits
            await asyncio.wait_for(bucket.acquire(), 0.3)
            raised = False
        except TimeoutError:
            raised = True
    finally:
        await unreachable.aclose()
    assert raised
    warnings = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(warnings) == 1


async def test_backends_share_their_limits_through_the_queues_redis(redis_url, odoo_emulator_url):
    from contextlib import AsyncExitStack
    from dataclasses import replace

    from gateway.wiring.backends import rate_limit_redis
    from tests.harness import odoo_settings, own_queue

    local = odoo_settings(odoo_emulator_url)
    shared = replace(local, queue=replace(own_queue(), url=redis_url))
    async with AsyncExitStack() as stack:
        assert await rate_limit_redis(local, stack) is None
        redis = await rate_limit_redis(shared, stack)
        assert redis is not None
        assert await redis.ping()


async def test_each_process_sees_the_headroom_the_others_left(redis_url):
    # 3600 an hour: the bucket refills a token a second, too slowly to blur the count.
    clients, (first, second) = buckets(redis_url, RateLimit(10, 3600.0), 2)
    try:
        assert first.headroom() == 1.0  # nothing taken yet
        for _ in range(6):
            await first.acquire()
        await second.acquire()  # learns what the first one spent
        assert first.headroom() < 0.45
        assert 0.29 < second.headroom() < 0.32  # 3 of 10 left
    finally:
        for client in clients:
            await client.aclose()
