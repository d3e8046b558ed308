"""`Loaders.derived`: one loader per build for the request, which it reaches through a
weak reference, so that a request's loaders form no cycle (see test_request_garbage)."""

from __future__ import annotations

import asyncio
import gc

from resolvers.loaders import Loaders


async def doubled(loaders: Loaders, keys: list[int]) -> list[int]:
    doubled.batches.append((loaders, keys))  # type: ignore[attr-defined]
    return [key * 2 for key in keys]


async def test_a_build_gets_the_requests_loaders_and_one_batch():
    doubled.batches = []  # type: ignore[attr-defined]
    loaders = Loaders(erp=object())  # type: ignore[arg-type]
    loader = loaders.derived(doubled)
    assert loaders.derived(doubled) is loader
    assert list(await asyncio.gather(loader.load(1), loader.load(2))) == [2, 4]
    assert doubled.batches == [(loaders, [1, 2])]  # type: ignore[attr-defined]


async def test_a_batch_left_by_its_request_is_not_built():
    """A request cancelled before its batch ran: its loaders are freed, and the batch
    makes no backend call for nobody."""
    doubled.batches = []  # type: ignore[attr-defined]
    loaders = Loaders(erp=object())  # type: ignore[arg-type]
    load = asyncio.ensure_future(loaders.derived(doubled).load(1))
    del loaders
    gc.collect()
    await asyncio.sleep(0)  # the batch's turn
    await asyncio.sleep(0)
    assert doubled.batches == []  # type: ignore[attr-defined]
    assert not load.done()
    load.cancel()
