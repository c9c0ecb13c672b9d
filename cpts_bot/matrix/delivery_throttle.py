"""The homeserver's rate limit as the outbox sees it, and the send slots of answers and
bulk deliveries.

matrix-nio retries a request refused with 429 ``M_LIMIT_EXCEEDED`` itself, after the
``retry_after_ms`` the homeserver gave (sends, room creation, invites, key claims,
uploads alike); it reports each such refusal to the response callbacks first.
:class:`Throttle` listens there: bulk deliveries (offers, edits, alert posts) then hold
off until that time has passed, while an answer to a person who just wrote goes as
soon as it is queued: bulk sends share what the rate limit leaves. Answers also have
slots of their own, so that they never wait for a bulk send's place.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

from nio import ErrorResponse, RoomSendError, ToDeviceError

from cpts_bot.domain.delivery_policy import PRIORITY_ANSWER

ANSWER_SLOTS = 4
BULK_SLOTS = 12
# Refusals remembered (the « slowed » notice, status).
_MEMORY = timedelta(hours=1)
# Bulk sends wait this much longer than the homeserver asked: the answer that waited
# for the same moment gets there first.
_BULK_MARGIN = 1.0
# Refusals of these hold bulk messages back; others (room creation, invitations, key
# claims, uploads) are only remembered: their request waits (matrix-nio) while sends
# to rooms that exist go on.
_MESSAGE_LIMITS = (RoomSendError, ToDeviceError)


class Throttle:
    """When the homeserver last asked the bot to slow down, and until when."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._until = 0.0
        self._refusals: deque[tuple[float, float]] = deque()  # (when, retry_after_s)
        self._answers = asyncio.Semaphore(ANSWER_SLOTS)
        self._bulk = asyncio.Semaphore(BULK_SLOTS)
        self._one_bulk = asyncio.Semaphore(1)

    def observe(self, response: Any) -> None:
        """A response callback: note a 429 and its ``retry_after_ms``."""
        if not isinstance(response, ErrorResponse):
            return
        if response.status_code not in ("M_LIMIT_EXCEEDED", 429, "429"):
            return
        after = (getattr(response, "retry_after_ms", None) or 5000) / 1000
        now = self._clock()
        if isinstance(response, _MESSAGE_LIMITS):
            self._until = max(self._until, now + after + _BULK_MARGIN)
        self._refusals.append((now, after))
        while self._refusals and now - self._refusals[0][0] > _MEMORY.total_seconds():
            self._refusals.popleft()

    def throttled(self) -> bool:
        """Has the homeserver refused a request for its rate limit in the last minute?"""
        return self.refusals_within(timedelta(minutes=1)) > 0

    def refusals_within(self, window: timedelta) -> int:
        now = self._clock()
        return sum(1 for when, _ in self._refusals if now - when <= window.total_seconds())

    def seconds_per_send(self) -> float:
        """The longest wait the homeserver asked for lately (at least one second)."""
        recent = [after for when, after in self._refusals if self._clock() - when <= 300]
        return max([1.0, *recent])

    async def _bulk_turn(self) -> None:
        # A deadline that each new 429 may push back, not an event to wait for.
        while (wait := self._until - self._clock()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(min(wait, 5.0))

    async def quiet(self, seconds: float = 30.0) -> None:
        """Wait until the homeserver has refused nothing for ``seconds``: for background
        writes (command descriptions) that must not take the deliveries' share."""
        # A deadline that each new refusal pushes back, not an event to wait for.
        while self._refusals and (wait := self._refusals[-1][0] + seconds - self._clock()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(min(wait, 1.0))

    @contextlib.asynccontextmanager
    async def slot(self, priority: int) -> AsyncIterator[None]:
        """A place to send a row of ``priority``: an answer's at once, a bulk row's once
        the homeserver's wait has passed."""
        if priority <= PRIORITY_ANSWER:
            async with self._answers:
                yield
            return
        await self._bulk_turn()
        async with self._bulk:
            if not self.throttled():
                yield
                return
            # Throttled: one bulk request at a time, so that the homeserver's next free
            # turn goes to an answer rather than to one of many bulk retries.
            async with self._one_bulk:
                yield
