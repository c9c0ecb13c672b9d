"""matrix-nio's own retry of a refused bulk request never races an answer for the
homeserver's next free turn (delivery_throttle.Throttle.hold_bulk_retry)."""

from __future__ import annotations

import asyncio

from nio import RoomCreateError, RoomSendError

from cpts_bot.core.delivery_policy import PRIORITY_ANSWER
from cpts_bot.matrix.delivery_throttle import Throttle, bulk_work


def refused(after_ms: int = 10) -> RoomSendError:
    return RoomSendError("Too Many Requests", "M_LIMIT_EXCEEDED", retry_after_ms=after_ms)


async def test_a_refused_bulk_request_waits_while_an_answer_waits() -> None:
    throttle = Throttle()
    release = asyncio.Event()
    answer_in = asyncio.Event()

    async def answer() -> None:
        async with throttle.slot(PRIORITY_ANSWER):
            answer_in.set()
            await release.wait()

    answering = asyncio.create_task(answer())
    await answer_in.wait()
    response = RoomCreateError("Too Many Requests", "M_LIMIT_EXCEEDED", retry_after_ms=10)
    with bulk_work():
        held = asyncio.create_task(throttle.hold_bulk_retry(response))
    await asyncio.sleep(1.5)  # past the homeserver's time and the margin
    assert not held.done()  # the answer still waits for its turn
    release.set()
    await answering
    await asyncio.wait_for(held, 5)
    assert response.retry_after_ms == 1  # nio's own wait is already done


async def test_a_refused_bulk_request_comes_back_after_the_homeservers_time() -> None:
    throttle = Throttle()
    response = refused(10)
    with bulk_work():
        await asyncio.wait_for(throttle.hold_bulk_retry(response), 5)
    assert response.retry_after_ms == 1


async def test_an_answer_keeps_nios_retry_at_the_homeservers_time() -> None:
    throttle = Throttle()
    response = refused(4000)
    with bulk_work(False):
        await asyncio.wait_for(throttle.hold_bulk_retry(response), 0.5)
    await asyncio.wait_for(throttle.hold_bulk_retry(response), 0.5)  # not marked: as is
    assert response.retry_after_ms == 4000


async def test_other_errors_are_left_alone() -> None:
    throttle = Throttle()
    response = RoomSendError("Forbidden", "M_FORBIDDEN")
    with bulk_work():
        await asyncio.wait_for(throttle.hold_bulk_retry(response), 0.5)
    assert response.retry_after_ms is None
