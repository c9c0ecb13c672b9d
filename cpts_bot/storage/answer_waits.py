"""What an answered event is to the bot, and the answers waiting for the outbox to record
the bot's send they answer (see :mod:`cpts_bot.core.answer_matching`)."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from cpts_bot.core.answer_matching import Parent
from cpts_bot.core.times import from_iso, to_iso


async def parent_of(db: aiosqlite.Connection, event_id: str) -> Parent:
    """The bot's recorded send (with or without a correlation), an event it received, or
    an event it does not know."""
    async with db.execute(
        "SELECT correlation FROM outbox WHERE event_id = ? ORDER BY correlation IS NULL LIMIT 1",
        (event_id,),
    ) as cursor:
        sent = await cursor.fetchone()
    if sent is not None:
        return Parent.BOT_CORRELATED if sent[0] else Parent.BOT_PLAIN
    async with db.execute(
        "SELECT 1 FROM handled_events WHERE event_id = ?"
        " UNION ALL SELECT 1 FROM inbox WHERE event_id = ?",
        (event_id, event_id),
    ) as cursor:
        received = await cursor.fetchone()
    return Parent.FOREIGN if received is not None else Parent.UNKNOWN


async def unrecorded_send_to(db: aiosqlite.Connection, room_id: str, user_id: str) -> bool:
    """Whether a row for ``room_id`` (or for ``user_id``'s direct chat) is not recorded as
    sent yet."""
    async with db.execute(
        "SELECT 1 FROM outbox WHERE sent_at IS NULL AND target IN (?, ?) LIMIT 1",
        (room_id, user_id),
    ) as cursor:
        return await cursor.fetchone() is not None


async def waiting_since(db: aiosqlite.Connection, event_id: str) -> datetime | None:
    async with db.execute("SELECT since FROM answer_waits WHERE event_id = ?", (event_id,)) as cur:
        row = await cur.fetchone()
    return from_iso(row[0]) if row else None


async def waiting_count(db: aiosqlite.Connection) -> int:
    async with db.execute("SELECT COUNT(*) FROM answer_waits") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def start_waiting(
    db: aiosqlite.Connection, event_id: str, room_id: str, now: datetime
) -> None:
    await db.execute(
        "INSERT OR IGNORE INTO answer_waits (event_id, room_id, since) VALUES (?, ?, ?)",
        (event_id, room_id, to_iso(now)),
    )


async def stop_waiting(db: aiosqlite.Connection, event_id: str) -> None:
    await db.execute("DELETE FROM answer_waits WHERE event_id = ?", (event_id,))


async def is_direct_room(db: aiosqlite.Connection, user_id: str, room_id: str) -> bool:
    """Whether ``room_id`` is the bot's direct chat with ``user_id``."""
    async with db.execute(
        "SELECT 1 FROM direct_rooms WHERE user_id = ? AND room_id = ?", (user_id, room_id)
    ) as cursor:
        return await cursor.fetchone() is not None
