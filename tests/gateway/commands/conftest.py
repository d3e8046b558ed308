"""The store every queue test runs over: a SQLite file and a real Redis."""

import uuid

import pytest
from redis.asyncio import Redis

from tests.gateway.commands.queues import Store


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.slow)])
async def store(request, tmp_path):
    if request.param == "sqlite":
        store = Store(f"sqlite:///{tmp_path / 'state' / 'commands.sqlite3'}")
    else:
        store = Store(request.getfixturevalue("redis_url"), f"test-{uuid.uuid4().hex}")
    yield store
    for queue in store.opened:
        await queue.close()
    if store.prefix is not None:
        redis = Redis.from_url(store.url)
        keys = [key async for key in redis.scan_iter(match=f"{store.prefix}:*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


@pytest.fixture
def queue(store):
    return store.open()
