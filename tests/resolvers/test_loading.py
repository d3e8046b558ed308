"""each_settled and each_loaded: a batch's loads awaited one after the other, with what
`asyncio.gather` gives (order, errors) and no error left unretrieved. And
`RequestLoader`'s lean `load`: batches and cache as strawberry's DataLoader's."""

from __future__ import annotations

import asyncio
import gc

import pytest
from strawberry.dataloader import DataLoader

from resolvers.loading import RequestLoader, each_loaded, each_settled


class Refused(Exception):
    pass


def squares(
    refuse: set[int] = frozenset(),  # type: ignore[assignment]
    kind: type[DataLoader[int, int]] = DataLoader,
) -> DataLoader[int, int]:
    batches: list[list[int]] = []

    async def load(keys: list[int]) -> list[int | Exception]:
        batches.append(keys)
        await asyncio.sleep(0)
        return [Refused(key) if key in refuse else key * key for key in keys]

    loader: DataLoader[int, int] = kind(load_fn=load)
    loader.batches = batches  # type: ignore[attr-defined]
    return loader


async def test_values_come_in_order_from_one_batch():
    loader = squares()
    assert await each_loaded([loader.load(k) for k in (3, 1, 2, 3)]) == [9, 1, 4, 9]
    assert loader.batches == [[3, 1, 2]]  # type: ignore[attr-defined]


async def test_settled_gives_each_error_in_its_place():
    loader = squares(refuse={2})
    settled = await each_settled([loader.load(k) for k in (1, 2, 3)])
    assert settled[0] == 1
    assert isinstance(settled[1], Refused)
    assert settled[2] == 9


async def test_loaded_raises_the_first_error_once_all_are_settled():
    loop = asyncio.get_running_loop()
    unretrieved: list[dict] = []
    loop.set_exception_handler(lambda _loop, context: unretrieved.append(context))
    failing = [loop.create_future() for _ in range(3)]
    for number, future in enumerate(failing):
        future.set_exception(Refused(number))
    with pytest.raises(Refused) as raised:
        await each_loaded(failing)
    assert raised.value.args == (0,)
    del failing, raised
    gc.collect()
    assert unretrieved == []  # "exception was never retrieved" for none of them


async def test_a_load_still_running_is_waited_for():
    loop = asyncio.get_running_loop()
    slow = loop.create_future()
    loop.call_soon(slow.set_result, "late")
    done = loop.create_future()
    done.set_result("early")
    assert await asyncio.wait_for(each_loaded([slow, done]), 5) == ["late", "early"]


# strawberry's own DataLoader is the reference: `RequestLoader` must behave as it does.
LOADERS = pytest.mark.parametrize("kind", [DataLoader, RequestLoader], ids=["strawberry", "lean"])


@LOADERS
async def test_a_tick_of_loads_is_one_batch_and_a_key_one_future(kind):
    loader = squares(kind=kind)
    first, second, again = loader.load(4), loader.load(5), loader.load(4)
    assert first is again
    assert await each_loaded([first, second, again]) == [16, 25, 16]
    assert loader.batches == [[4, 5]]  # type: ignore[attr-defined]


@LOADERS
async def test_a_later_load_is_a_new_batch_and_a_known_key_no_call(kind):
    loader = squares(kind=kind)
    await loader.load(2)
    assert await each_loaded([loader.load(2), loader.load(3)]) == [4, 9]
    assert loader.batches == [[2], [3]]  # type: ignore[attr-defined]


@LOADERS
async def test_an_error_fails_its_own_load_only(kind):
    loader = squares(refuse={7}, kind=kind)
    settled = await each_settled([loader.load(6), loader.load(7)])
    assert settled[0] == 36
    assert isinstance(settled[1], Refused)


@LOADERS
async def test_a_cancelled_load_is_loaded_again(kind):
    loader = squares(kind=kind)
    cancelled = loader.load(8)
    assert isinstance(cancelled, asyncio.Future)  # a load is its future
    cancelled.cancel()
    assert await loader.load(8) == 64
    assert loader.batches == [[8, 8]]  # type: ignore[attr-defined]  # same batch, twice
    assert await loader.load(8) == 64  # the second future is the one kept


async def test_a_batch_cancelled_before_it_goes_is_never_sent_and_the_loader_goes_on():
    """Not strawberry's: its done callbacks cancel the batch's dispatch before its
    first step, so the batch is never marked sent and takes every later load of the
    loader, which then waits forever (strawberry-graphql 0.341)."""
    loader = squares(kind=RequestLoader)
    for future in [loader.load(1), loader.load(2)]:
        assert isinstance(future, asyncio.Future)
        future.cancel()
    for _ in range(3):  # the dispatch runs: scheduled, then its task's first step
        await asyncio.sleep(0)
    assert loader.batches == []  # type: ignore[attr-defined]
    assert await asyncio.wait_for(loader.load(1), 30) == 1  # the deadline bounds a hang
    assert loader.batches == [[1]]  # type: ignore[attr-defined]


@LOADERS
async def test_a_primed_key_makes_no_call(kind):
    loader = squares(kind=kind)
    loader.prime(9, 0)
    assert await loader.load(9) == 0
    assert loader.batches == []  # type: ignore[attr-defined]
