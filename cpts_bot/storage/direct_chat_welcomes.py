"""Which direct chats have had their welcome (migration 0036)."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime

import aiosqlite

from cpts_bot.core.times import to_iso
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import ACTION_DIRECT_MESSAGE
from cpts_bot.storage.outbox_media import ACTION_DIRECT_FILE


async def chats_to_welcome(database: Database) -> list[tuple[str, str]]:
    """The direct chats not welcomed yet: (user id, room id)."""
    rows = await database.fetch_all(
        "SELECT user_id, room_id FROM direct_rooms WHERE welcomed_at IS NULL ORDER BY user_id"
    )
    return [(row[0], row[1]) for row in rows]


async def take_welcomes(
    db: aiosqlite.Connection, user_ids: Collection[str], now: datetime
) -> list[str]:
    """Of ``user_ids``, those whose chat is still to be welcomed and where nothing was
    said yet, by the bot or by them (the others' chats are in use: a chat they opened
    themselves, or one a dispatch opened); all of them are marked welcomed, in the
    caller's transaction."""
    users = json.dumps(sorted(set(user_ids)))
    rows = await db.execute_fetchall(
        "SELECT d.user_id, EXISTS (SELECT 1 FROM outbox o WHERE (o.target = d.user_id"
        " AND o.action IN (?, ?)) OR o.target = d.room_id)"
        " OR EXISTS (SELECT 1 FROM handled_events h WHERE h.room_id = d.room_id)"
        " OR EXISTS (SELECT 1 FROM inbox i WHERE i.room_id = d.room_id)"
        " FROM direct_rooms d"
        " WHERE d.welcomed_at IS NULL AND d.user_id IN (SELECT value FROM json_each(?))"
        " ORDER BY d.user_id",
        (ACTION_DIRECT_MESSAGE, ACTION_DIRECT_FILE, users),
    )
    await db.execute(
        "UPDATE direct_rooms SET welcomed_at = ?"
        " WHERE welcomed_at IS NULL AND user_id IN (SELECT value FROM json_each(?))",
        (to_iso(now), users),
    )
    return [row[0] for row in rows if not row[1]]
