import pytest

from gateway.cache.store import RecordStore, open_cache


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.slow)])
async def store(request, clock):
    """The same tests over the in-memory cache and a real Redis."""
    url = "memory://" if request.param == "memory" else request.getfixturevalue("redis_url")
    store = RecordStore(open_cache(url), clock=clock)
    await store.clear()
    yield store
    await store.clear()
    await store.close()
