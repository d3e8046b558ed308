"""Misses of concurrent requests share backend calls once the backend is slow
(gateway/cache/misses.py); a fast backend is never kept waiting."""

import asyncio

import pytest

from gateway.cache.misses import MissBatcher


class SlowBackend:
    """Answers each key with its upper case, once `go` is set; records every call."""

    def __init__(self):
        self.calls: list[list[str]] = []
        self.go = asyncio.Event()
        self.fail = False

    async def fetch(self, keys):
        self.calls.append(list(keys))
        await self.go.wait()
        if self.fail:
            raise RuntimeError("backend down")
        return {key: key.upper() for key in keys if key != "unknown"}


async def until(condition):
    while not condition():
        await asyncio.sleep(0)


async def test_while_the_calls_are_busy_the_misses_of_many_requests_go_in_one_call():
    backend = SlowBackend()
    batcher = MissBatcher(backend.fetch, max_in_flight=1)

    first = asyncio.create_task(batcher.fetch(["a"]))
    await until(lambda: backend.calls)
    waiting = [asyncio.create_task(batcher.fetch(keys)) for keys in (["b"], ["c", "b"], ["d"])]
    await asyncio.sleep(0)
    assert backend.calls == [["a"]]  # the others wait for the busy call

    backend.go.set()
    results = await asyncio.gather(first, *waiting)

    assert backend.calls == [["a"], ["b", "c", "d"]]
    assert results == [{"a": "A"}, {"b": "B"}, {"c": "C", "b": "B"}, {"d": "D"}]


async def test_a_backend_that_keeps_up_gets_each_request_as_it_comes():
    backend = SlowBackend()
    backend.go.set()
    batcher = MissBatcher(backend.fetch, max_in_flight=2)

    answers = [await batcher.fetch([key]) for key in "abc"]

    assert backend.calls == [["a"], ["b"], ["c"]]
    assert answers == [{"a": "A"}, {"b": "B"}, {"c": "C"}]


async def test_a_key_the_backend_does_not_know_is_left_out():
    backend = SlowBackend()
    batcher = MissBatcher(backend.fetch, max_in_flight=1)
    first = asyncio.create_task(batcher.fetch(["a"]))
    await until(lambda: backend.calls)
    second = asyncio.create_task(batcher.fetch(["unknown", "b"]))
    await asyncio.sleep(0)

    backend.go.set()

    assert await first == {"a": "A"}
    assert await second == {"b": "B"}


async def test_every_request_that_waited_gets_the_backends_error():
    backend = SlowBackend()
    batcher = MissBatcher(backend.fetch, max_in_flight=1)
    first = asyncio.create_task(batcher.fetch(["a"]))
    await until(lambda: backend.calls)
    waiting = [asyncio.create_task(batcher.fetch([key])) for key in "bc"]
    await asyncio.sleep(0)

    backend.fail = True
    backend.go.set()

    for task in (first, *waiting):
        with pytest.raises(RuntimeError, match="backend down"):
            await task


async def test_a_batch_holds_at_most_max_batch_keys():
    backend = SlowBackend()
    batcher = MissBatcher(backend.fetch, max_in_flight=1, max_batch=2)
    first = asyncio.create_task(batcher.fetch(["a"]))
    await until(lambda: backend.calls)
    waiting = [asyncio.create_task(batcher.fetch([key])) for key in "bcde"]
    await asyncio.sleep(0)

    backend.go.set()
    await asyncio.gather(first, *waiting)

    assert backend.calls == [["a"], ["b", "c"], ["d", "e"]]


async def test_misses_wait_once_a_call_is_out_longer_than_the_patience():
    backend, now = SlowBackend(), [0.0]
    batcher = MissBatcher(backend.fetch, max_in_flight=4, patience_s=0.05, clock=lambda: now[0])

    first = asyncio.create_task(batcher.fetch(["a"]))
    await until(lambda: backend.calls)
    soon = asyncio.create_task(batcher.fetch(["b"]))  # the first call is young: b goes
    await until(lambda: len(backend.calls) == 2)
    now[0] = 1.0  # both calls have been out a second: the backend is slow
    late = [asyncio.create_task(batcher.fetch([key])) for key in "cd"]
    await asyncio.sleep(0)
    assert backend.calls == [["a"], ["b"]]

    backend.go.set()
    await asyncio.gather(first, soon, *late)

    assert backend.calls == [["a"], ["b"], ["c", "d"]]


class Pace:
    """The batcher's sleep between paced calls: records each, and ends when `turn` is set."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self.turn = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        await self.turn.wait()


async def test_below_half_its_rate_limit_a_backend_gets_fewer_calls_paced_by_the_budget():
    backend, now, budget, pace = SlowBackend(), [0.0], [1.0], Pace()
    backend.go.set()
    batcher = MissBatcher(
        backend.fetch,
        patience_s=0.05,
        budget=lambda: budget[0],
        clock=lambda: now[0],
        sleep=pace.sleep,
    )
    assert await batcher.fetch(["a"]) == {"a": "A"}  # plenty left: at once

    budget[0], now[0] = 0.1, 0.1  # a tenth of the burst left, 0.1 s after "a" went
    waiting = [asyncio.create_task(batcher.fetch(keys)) for keys in (["b"], ["c", "b"], ["d"])]
    await until(lambda: pace.slept)
    assert backend.calls == [["a"]]  # nobody's miss goes alone
    assert pace.slept == [pytest.approx(0.4)]  # 0.05 / 0.1 after the last call began

    pace.turn.set()
    results = await asyncio.gather(*waiting)

    assert backend.calls == [["a"], ["b", "c", "d"]]
    assert results == [{"b": "B"}, {"c": "C", "b": "B"}, {"d": "D"}]


async def test_a_call_that_ends_on_a_low_budget_leaves_the_next_to_the_pace():
    backend, now, budget, pace = SlowBackend(), [0.0], [1.0], Pace()
    batcher = MissBatcher(
        backend.fetch,
        max_in_flight=1,
        budget=lambda: budget[0],
        clock=lambda: now[0],
        sleep=pace.sleep,
    )
    first = asyncio.create_task(batcher.fetch(["a"]))
    await until(lambda: backend.calls)
    second = asyncio.create_task(batcher.fetch(["b"]))  # waits for the busy call
    await asyncio.sleep(0)
    budget[0] = 0.0  # the burst is spent meanwhile

    backend.go.set()
    assert await first == {"a": "A"}
    await until(lambda: pace.slept)
    assert backend.calls == [["a"]]
    assert pace.slept == [pytest.approx(1.0)]  # a spent budget: a second apart at most

    pace.turn.set()
    assert await second == {"b": "B"}
    assert backend.calls == [["a"], ["b"]]
