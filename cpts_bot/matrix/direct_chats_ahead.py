"""Open the direct chats of the directory's members ahead of need (at start, and within
a minute of a member being added), so that a dispatch does not wait for room creation
when the bot had time to prepare; once the member has joined (and after each start),
share the chat's room key with their devices, so that the first dispatch there does not
wait for key claims and to-device messages either. A chat opened ahead and never used
gets a short welcome once its member has joined (services/direct_chat_welcome.py).
A join seen by the sync loop wakes the loop (``nudge``): the member is welcomed within
seconds, not at the next minute.

One chat at a time, and only while the homeserver has refused nothing for a while: the
deliveries keep their share of the rate limits (Synapse lets an account create 10 rooms,
then about one a minute; matrix-nio waits the ``retry_after_ms`` it is given). A member
whose chat cannot be opened (their server does not answer) is not tried again in this
run; their first delivery tries again, on its own schedule.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from cpts_bot.matrix.delivery_throttle import bulk_work
from cpts_bot.storage import outbox_delivery as delivery
from cpts_bot.storage.database import Database

log = logging.getLogger(__name__)

EVERY_SECONDS = 60.0
# Quiet time (no refusal from the homeserver) before each room is opened.
QUIET_SECONDS = 10.0


@dataclass(eq=False)
class DirectChatsAhead:
    """Opens the members' direct chats through ``open_room`` (the gateway's)."""

    database: Database
    open_room: Callable[[str], Awaitable[str]]
    quiet: Callable[[float], Awaitable[None]]
    may_open: Callable[[str], bool]
    every_seconds: float = EVERY_SECONDS
    share_room_keys: Callable[[], Awaitable[int]] | None = None
    welcome: Callable[[], Awaitable[int]] | None = None
    _failed: set[str] = field(init=False, default_factory=set)
    _nudged: asyncio.Event = field(init=False, default_factory=asyncio.Event)

    def nudge(self) -> None:
        """Someone joined a room: run the next round now (the sync loop's ``on_member_joined``)."""
        self._nudged.set()

    async def open_missing(self, stop: asyncio.Event) -> int:
        """Open the chats still missing, one after the other: how many were opened."""
        opened = 0
        for user_id in await delivery.members_without_direct_room(self.database):
            if stop.is_set():
                break
            if user_id in self._failed or not self.may_open(user_id):
                continue
            await self.quiet(QUIET_SECONDS)
            try:
                with bulk_work():  # never before an answer (delivery_throttle)
                    await self.open_room(user_id)
            except Exception as error:  # their server, their account: try at first need
                self._failed.add(user_id)
                log.warning(
                    "direct chat not opened ahead", extra={"user_id": user_id, "error": str(error)}
                )
                continue
            opened += 1
        if opened:
            log.info("direct chats opened ahead", extra={"count": opened})
        return opened

    async def share_keys(self) -> int:
        """Share the room keys of the chats whose person joined since (``share_room_keys``)."""
        return await self._step(self.share_room_keys, "room keys shared ahead", quiet=True)

    async def welcome_joined(self) -> int:
        """Welcome those who joined a chat opened for them and never used (``welcome``)."""
        return await self._step(self.welcome, "direct chats welcomed")

    async def _step(
        self, step: Callable[[], Awaitable[int]] | None, done: str, *, quiet: bool = False
    ) -> int:
        """``step`` when given (after a quiet time if ``quiet``), logged as ``done``."""
        if step is None:
            return 0
        if quiet:
            await self.quiet(QUIET_SECONDS)
        with bulk_work():  # never before an answer (delivery_throttle)
            count = await step()
        if count:
            log.info(done, extra={"count": count})
        return count

    async def run(self, ready: asyncio.Event, stop: asyncio.Event) -> None:
        await ready.wait()
        while not stop.is_set():
            try:
                await self.open_missing(stop)
                await self.welcome_joined()
                await self.share_keys()
            except Exception:
                log.exception("opening direct chats ahead failed")
            await self._next_round(stop)

    async def _next_round(self, stop: asyncio.Event) -> None:
        """Wait for the period, a ``nudge`` or ``stop``, whichever comes first."""
        waits = [asyncio.create_task(stop.wait()), asyncio.create_task(self._nudged.wait())]
        try:
            await asyncio.wait(
                waits, timeout=self.every_seconds, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            for wait in waits:
                wait.cancel()
        self._nudged.clear()
