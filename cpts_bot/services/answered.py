"""What an answer answers, for the chat: the correlation of the bot's message it replies
to, what the events it answers are to the bot, and whether a room is the sender's direct
chat. Read in the event's own transaction (the context's), so that the chat asks here
rather than reading the inbox and outbox tables itself."""

from __future__ import annotations

from collections.abc import Iterable

import aiosqlite

from cpts_bot.core.answer_matching import Parent, strongest
from cpts_bot.services.context import Context
from cpts_bot.storage import answer_waits, core_repository


async def correlation_of(context: Context, event_id: str) -> str | None:
    """The correlation of the bot's own sent event ``event_id`` (what it was about)."""
    return await core_repository.correlation_of(context.db, event_id)


async def parent_in(db: aiosqlite.Connection, events: Iterable[str]) -> Parent:
    """What the answered ``events`` are to the bot, the strongest first."""
    return strongest([await answer_waits.parent_of(db, event_id) for event_id in events])


async def parent_of(context: Context, events: Iterable[str]) -> Parent:
    """What the events an answer answers are to the bot, in the event's transaction."""
    return await parent_in(context.db, events)


async def is_direct_room(context: Context, user_id: str, room_id: str) -> bool:
    """Whether ``room_id`` is ``user_id``'s direct chat with the bot."""
    return await answer_waits.is_direct_room(context.db, user_id, room_id)
