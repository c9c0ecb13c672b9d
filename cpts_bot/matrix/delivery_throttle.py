"""The homeserver's rate limit as the outbox sees it, and the send slots of answers and
bulk deliveries.

matrix-nio retries a request refused with 429 ``M_LIMIT_EXCEEDED`` itself, after the
``retry_after_ms`` the homeserver gave (sends, room creation, invites, key claims,
uploads alike); it reports each such refusal to the response callbacks first.
:class:`Throttle` listens there: bulk deliveries (offers, edits, alert posts) then hold
off until that time has passed, while an answer to a person who just wrote goes as
soon as it is queued: bulk sends share what the rate limit leaves. Answers also have
slots of their own, so that they never wait for a bulk send's place.

matrix-nio's own retry of a refused request would otherwise race the answer for the
homeserver's next free turn: every request refused in the same second is told to come
back at the same moment, and whoever arrives first wins (measured: an answer queued
behind ten refused room creations and offers waited 50 s, losing ten rounds).
:meth:`Throttle.hold_bulk_retry` is therefore awaited by nio before it retries: a
request made for bulk work (:func:`bulk_work`) comes back a moment after the time the
homeserver gave, and not while an answer is still waiting for its turn; nio's own wait
is then skipped. Answers keep nio's retry at the exact time.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from nio import ErrorResponse, RoomSendError, ToDeviceError

from cpts_bot.core.delivery_policy import PRIORITY_ANSWER

ANSWER_SLOTS = 4
BULK_SLOTS = 16
# Background writes wait this long after the last delivery (Throttle.quiet).
IDLE_SECONDS = 1.0
# Refusals remembered (the « slowed » notice, status).
_MEMORY = timedelta(hours=1)
# Bulk sends wait this much longer than the homeserver asked: the answer that waited
# for the same moment gets there first.
_BULK_MARGIN = 1.0
# Refusals of these hold bulk messages back; others (room creation, invitations, key
# claims, uploads) are only remembered: their request waits (matrix-nio) while sends
# to rooms that exist go on.
_MESSAGE_LIMITS = (RoomSendError, ToDeviceError)
# A bulk request refused while answers wait holds back at most this long past the
# homeserver's time, so that a stream of answers cannot stop deliveries.
_ANSWER_PRECEDENCE_MAX_S = 30.0
# Whether the request under way is made for bulk work (set by the delivery lanes and
# by the chats opened ahead; nio's tasks inherit it).
_BULK_REQUEST: ContextVar[bool] = ContextVar("cpts_bulk_request", default=False)


@contextlib.contextmanager
def bulk_work(bulk: bool = True) -> Iterator[None]:
    """Mark the requests made inside as bulk work (or not) for :class:`Throttle`."""
    token = _BULK_REQUEST.set(bulk)
    try:
        yield
    finally:
        _BULK_REQUEST.reset(token)


def _is_limit(response: Any) -> bool:
    return isinstance(response, ErrorResponse) and response.status_code in (
        "M_LIMIT_EXCEEDED",
        429,
        "429",
    )


class Throttle:
    """When the homeserver last asked the bot to slow down, and until when."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._until = 0.0
        self._refusals: deque[tuple[float, float]] = deque()  # (when, retry_after_s)
        self._answers = asyncio.Semaphore(ANSWER_SLOTS)
        self._bulk = asyncio.Semaphore(BULK_SLOTS)
        self._one_bulk = asyncio.Semaphore(1)
        self._answers_in_flight = 0
        self._sending = 0  # sends in flight, answers and bulk
        self._last_send_at = float("-inf")  # when the last one ended

    def observe(self, response: Any) -> None:
        """A response callback: note a 429 and its ``retry_after_ms``."""
        if not _is_limit(response):
            return
        after = (getattr(response, "retry_after_ms", None) or 5000) / 1000
        now = self._clock()
        if isinstance(response, _MESSAGE_LIMITS):
            self._until = max(self._until, now + after + _BULK_MARGIN)
        self._refusals.append((now, after))
        while self._refusals and now - self._refusals[0][0] > _MEMORY.total_seconds():
            self._refusals.popleft()

    async def hold_bulk_retry(self, response: Any) -> None:
        """A response callback, awaited by nio before it retries a refused request: a
        bulk request waits the homeserver's time plus a margin, then while an answer
        is waiting (bounded), and is retried at once; other requests are left as is."""
        if not _is_limit(response) or not _BULK_REQUEST.get():
            return
        after = (getattr(response, "retry_after_ms", None) or 5000) / 1000
        await asyncio.sleep(after + _BULK_MARGIN)
        deadline = self._clock() + _ANSWER_PRECEDENCE_MAX_S
        while self._answers_in_flight and self._clock() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        response.retry_after_ms = 1  # nio's own wait: already done here

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
        """Wait until the homeserver has refused nothing for ``seconds``, and no delivery
        has been in flight for :data:`IDLE_SECONDS`: for background writes (command
        descriptions, chats opened ahead) that must not take the deliveries' share, of
        the rate limits or of the homeserver's time (a fan-out's last recipients)."""
        # Deadlines that each new refusal or send pushes back, not events to wait for.
        while self._refusals and (wait := self._refusals[-1][0] + seconds - self._clock()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(min(wait, 1.0))
        while self._sending or (wait := self._last_send_at + IDLE_SECONDS - self._clock()) > 0:  # noqa: ASYNC110
            await asyncio.sleep(IDLE_SECONDS if self._sending else min(wait, IDLE_SECONDS))

    @contextlib.contextmanager
    def _in_flight(self) -> Iterator[None]:
        self._sending += 1
        try:
            yield
        finally:
            self._sending -= 1
            self._last_send_at = self._clock()

    @contextlib.asynccontextmanager
    async def slot(self, priority: int) -> AsyncIterator[None]:
        """A place to send a row of ``priority``: an answer's at once, a bulk row's once
        the homeserver's wait has passed."""
        if priority <= PRIORITY_ANSWER:
            async with self._answers:
                self._answers_in_flight += 1
                try:
                    with self._in_flight():
                        yield
                finally:
                    self._answers_in_flight -= 1
            return
        await self._bulk_turn()
        async with self._bulk:
            if not self.throttled():
                with self._in_flight():
                    yield
                return
            # Throttled: one bulk request at a time, so that the homeserver's next free
            # turn goes to an answer rather than to one of many bulk retries.
            async with self._one_bulk:
                with self._in_flight():
                    yield
