"""When a failed delivery is tried again, when it is set aside, and how long a throttled
queue will take: pure rules over times passed in.

A destination (a room, or the person whose direct chat is to be opened) that fails is
tried again after a delay that doubles with each failure (from :data:`FIRST_RETRY` to
:data:`LONGEST_RETRY`), never sooner than the homeserver's ``retry_after_ms`` when it
gave one. A row that has kept failing for longer than its bound is *stuck*: it is not
tried any more, the coordination is told once, and it stays in the outbox (``cpts-bot
outbox list``) until an operator drops it or its request ends.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

FIRST_RETRY = timedelta(seconds=2)
LONGEST_RETRY = timedelta(minutes=5)
DEFAULT_STUCK_AFTER = timedelta(minutes=15)
# Priorities of outbox rows: lower goes first.
PRIORITY_ANSWER = 0  # the answer to a person who just wrote
PRIORITY_BULK = 1  # offers, edits, alert posts, reminders


def retry_delay(failures: int, retry_after: timedelta | None = None) -> timedelta:
    """The wait before the next attempt after ``failures`` failures in a row (1 or more)."""
    exponent = max(0, min(failures - 1, 16))
    delay = min(FIRST_RETRY * (2**exponent), LONGEST_RETRY)
    if retry_after is not None and retry_after > delay:
        return retry_after
    return delay


def is_stuck(first_failed_at: datetime | None, now: datetime, bound: timedelta) -> bool:
    """Has the row kept failing for longer than ``bound``?"""
    return first_failed_at is not None and now - first_failed_at >= bound


@dataclass(frozen=True)
class SlowedQueue:
    """What the coordination is told when the homeserver slows the bot's sends down."""

    waiting: int
    minutes: int


def slowed_queue(waiting: int, seconds_per_send: float) -> SlowedQueue:
    """``waiting`` bulk rows at ``seconds_per_send`` each: the estimate, in whole minutes
    (at least 1)."""
    return SlowedQueue(waiting, max(1, math.ceil(waiting * seconds_per_send / 60)))
