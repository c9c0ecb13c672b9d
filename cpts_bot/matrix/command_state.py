"""Publish the bot's command descriptions as room state in the rooms it is in.

The contents are built elsewhere (from the declared commands); this adapter only puts
them, once per room, skipping what is already there. Rooms where the bot may not send
state (a direct chat someone else created, power level 0) are noted and left alone: the
help text remains the way to discover the commands there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from nio import AsyncClient, RoomGetStateResponse, RoomPutStateResponse

from cpts_bot.core.errors import MatrixError
from cpts_bot.matrix.nio_responses import checked

log = logging.getLogger(__name__)

Description = tuple[str, dict[str, Any]]  # state key, content


async def publish_in_room(
    client: AsyncClient,
    room_id: str,
    event_type: str,
    descriptions: Sequence[Description],
    wait_turn: Callable[[], Awaitable[None]] | None = None,
) -> int:
    """Put every description that differs from the room's state; the number written.
    The room's state is read once (one request, not one per command: a hundred direct
    chats at start were 2,500 reads, still going during the first dispatch).
    Raises :class:`MatrixError` when the homeserver refuses (e.g. not enough power).
    ``wait_turn`` is awaited before the read and before each write (the outbox's turn
    first: these requests count against the same rate limit and the same homeserver as
    the messages)."""
    if wait_turn is not None:
        await wait_turn()
    current = await _current_descriptions(client, room_id, event_type)
    written = 0
    for key, content in descriptions:
        if current.get(key) == content:
            continue
        if wait_turn is not None:
            await wait_turn()
        response = await client.room_put_state(room_id, event_type, content, state_key=key)
        checked(response, RoomPutStateResponse, "publishing the commands")
        written += 1
    return written


async def _current_descriptions(
    client: AsyncClient, room_id: str, event_type: str
) -> dict[str, Any]:
    """The room's state events of ``event_type``, content by state key (none known when
    the state cannot be read: every description is then put, and a refusal raised)."""
    state = await client.room_get_state(room_id)
    if not isinstance(state, RoomGetStateResponse):
        return {}
    return {
        event.get("state_key"): event.get("content")
        for event in state.events
        if event.get("type") == event_type
    }


class CommandStatePublisher:
    """Publishes the descriptions in each room the bot is in, once per run of the bot."""

    def __init__(
        self,
        client: AsyncClient,
        event_type: str,
        descriptions: Sequence[Description],
        every_seconds: float = 5.0,
        wait_turn: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._wait_turn = wait_turn
        self._client = client
        self._event_type = event_type
        self._descriptions = list(descriptions)
        self._every = every_seconds
        self._done: set[str] = set()

    async def publish_new_rooms(self) -> None:
        for room_id in sorted(set(self._client.rooms) - self._done):
            self._done.add(room_id)
            try:
                written = await publish_in_room(
                    self._client, room_id, self._event_type, self._descriptions, self._wait_turn
                )
            except MatrixError as error:
                log.info(
                    "commands not published in room",
                    extra={"room_id": room_id, "error": str(error)},
                )
                continue
            if written:
                log.info("commands published", extra={"room_id": room_id, "count": written})

    async def run(self, ready: asyncio.Event, stop: asyncio.Event) -> None:
        """After the first sync, publish in every room, then in each room joined later."""
        await ready.wait()
        while not stop.is_set():
            await self.publish_new_rooms()
            try:
                await asyncio.wait_for(stop.wait(), timeout=self._every)
            except TimeoutError:
                pass
