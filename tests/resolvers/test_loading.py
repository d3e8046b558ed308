"""each_settled and each_loaded: a batch's loads awaited one after the other, with what
`asyncio.gather` gives (order, errors) and no error left unretrieved."""

from __future__ import annotations

import asyncio
import gc

import pytest
from strawberry.dataloader import DataLoader

from resolvers.loading import each_loaded, each_settled


class Refused(Exception):
    pass


def squares(refuse: set[int] = frozenset()) -> DataLoader[int, int]:  # type: ignore[assignment]
    batches: list[list[int]] = []

    async def load(keys: list[int]) -> list[int | Exception]:
        batches.append(keys)
        await asyncio.sleep(0)
        return [Refused(key) if key in refuse else key * key for key in keys]

    loader: DataLoader[int, int] = DataLoader(load_fn=load)
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
