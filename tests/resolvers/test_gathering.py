"""gather_first_inline: side by side, in order, failures and cancellation as graphql-core's
gather_with_cancel has them, one task fewer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from resolvers.execution.gathering import gather_first_inline


async def test_values_come_in_order_and_all_run_side_by_side():
    later_started = asyncio.Event()

    async def first() -> str:
        # Waits for the second to start: only side by side can both finish.
        await later_started.wait()
        return "first"

    async def second() -> str:
        later_started.set()
        await asyncio.sleep(0)
        return "second"

    async def third() -> str:
        return "third"

    values = await asyncio.wait_for(gather_first_inline([first(), second(), third()]), 5)
    assert values == ["first", "second", "third"]


async def test_the_first_runs_in_the_awaiting_task_and_the_others_in_tasks_of_their_own():
    tasks = []

    async def record() -> None:
        tasks.append(asyncio.current_task())

    await gather_first_inline([record(), record(), record()])
    assert tasks[0] is asyncio.current_task()
    assert len({id(task) for task in tasks}) == 3


class NeverDone:
    """Awaitables that never finish, and which of them started and were cancelled."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.cancelled: list[str] = []

    async def waits(self, name: str) -> None:
        self.started.append(name)
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled.append(name)
            raise


async def test_a_failure_of_the_first_cancels_the_others_and_is_raised():
    never = NeverDone()

    async def fails() -> None:
        await asyncio.sleep(0)
        raise ValueError("first failed")

    with pytest.raises(ValueError, match="first failed"):
        await gather_first_inline([fails(), never.waits("b"), never.waits("c")])
    assert never.cancelled == ["b", "c"]


async def test_the_others_have_started_when_a_failure_at_once_cancels_them():
    never = NeverDone()

    async def fails_at_once() -> None:
        raise ValueError("at once")

    with pytest.raises(ValueError, match="at once"):
        await gather_first_inline([fails_at_once(), never.waits("b"), never.waits("c")])
    # None was cancelled before it ran: nothing it awaits is left never awaited.
    assert never.started == ["b", "c"]
    assert never.cancelled == ["b", "c"]


async def test_a_later_failure_is_raised_once_the_first_is_done_and_cancels_the_rest():
    first_may_finish = asyncio.Event()
    never = NeverDone()

    async def first() -> str:
        await first_may_finish.wait()
        return "done"

    async def fails() -> None:
        first_may_finish.set()
        raise ValueError("second failed")

    with pytest.raises(ValueError, match="second failed"):
        await asyncio.wait_for(gather_first_inline([first(), fails(), never.waits("c")]), 5)
    assert never.cancelled == ["c"]


async def test_cancelling_the_awaiting_task_cancels_every_awaitable():
    never = NeverDone()
    started, cancelled = never.started, never.cancelled
    waits = never.waits
    gathering = asyncio.ensure_future(gather_first_inline([waits("a"), waits("b"), waits("c")]))
    await steps_until(lambda: len(started) == 3)
    gathering.cancel()
    with pytest.raises(asyncio.CancelledError):
        await gathering
    await steps_until(lambda: len(cancelled) == 3)  # each sees it on its next step
    assert sorted(cancelled) == ["a", "b", "c"]


async def steps_until(condition: Callable[[], bool]) -> None:
    """Lets the loop run until `condition` holds, a bounded number of steps (no clock)."""
    for _ in range(20):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("not reached in 20 steps of the event loop")
