"""Back-fill of a ``limited`` sync timeline, so that no event is skipped after a backlog.

The sync filter returns at most ``timeline.limit`` events per room; when more came since
the last sync (the bot was stopped, or the room was busy), the room's timeline is
``limited`` and its ``prev_batch`` token points before the oldest event returned. The
events in between are read here with room ``/messages``, backwards from ``prev_batch``
down to the previous sync token (the spec's ``to``), or until an event the bot already
has, and given back oldest first. nio decrypts them as it does the sync's timeline.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from nio import AsyncClient, MessageDirection, RoomMessagesResponse

log = logging.getLogger(__name__)

PAGE_SIZE = 100
# A guard against a pagination that never ends; far above any outage of a CPTS's rooms.
MAX_EVENTS = 20_000
ATTEMPTS = 5


async def missed_events(
    client: AsyncClient,
    room_id: str,
    prev_batch: str | None,
    since: str | None,
    known: Callable[[str], Awaitable[bool]],
) -> list[Any]:
    """The events of ``room_id`` between the sync token ``since`` and ``prev_batch``,
    oldest first, stopping at the first event ``known`` says the bot already has."""
    if not prev_batch or not since:
        return []
    newest_first: list[Any] = []
    start = prev_batch
    while len(newest_first) < MAX_EVENTS:
        response = await _page(client, room_id, start, since)
        if response is None:
            break
        for event in response.chunk:
            if await known(event.event_id):
                return _oldest_first(newest_first, room_id)
            newest_first.append(event)
        if not response.chunk or not response.end or response.end == start:
            break
        start = response.end
    else:
        log.warning("back-fill stopped at its bound", extra={"room_id": room_id})
    return _oldest_first(newest_first, room_id)


def _oldest_first(newest_first: list[Any], room_id: str) -> list[Any]:
    if newest_first:
        log.info("timeline back-filled", extra={"room_id": room_id, "count": len(newest_first)})
    return newest_first[::-1]


async def _page(
    client: AsyncClient, room_id: str, start: str, since: str
) -> RoomMessagesResponse | None:
    """One page of ``/messages`` (nio retries 429s and timeouts itself); a few attempts
    on other errors, then None (the room is left, or the homeserver refuses)."""
    delay = 1.0
    for attempt in range(ATTEMPTS):
        response = await client.room_messages(
            room_id, start=start, end=since, direction=MessageDirection.back, limit=PAGE_SIZE
        )
        if isinstance(response, RoomMessagesResponse):
            return response
        log.warning(
            "back-fill page failed",
            extra={"room_id": room_id, "error": str(response), "attempt": attempt + 1},
        )
        await asyncio.sleep(delay)
        delay *= 2
    return None
