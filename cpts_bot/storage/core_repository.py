"""Core tables: sync token, inbox, handled events, outbox, preferences, direct rooms."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self

import aiosqlite

from cpts_bot.core.times import to_iso
from cpts_bot.storage import bot_status
from cpts_bot.storage.database import Database
from cpts_bot.storage.matrix_names import record_answer_delivered, remember_name
from cpts_bot.storage.rows import model_from_row

SYNC_TOKEN_KEY = "next_batch"


class _PayloadRow:
    """A stored row whose ``payload`` column holds JSON: read as its model."""

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> Self:
        return model_from_row(cls, row, payload=json.loads(row["payload"]))


@dataclass(frozen=True)
class InboxRow(_PayloadRow):
    event_id: str
    room_id: str
    sender: str
    kind: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class OutboxRow(_PayloadRow):
    id: int
    txn_id: str
    action: str
    target: str
    payload: dict[str, Any]
    correlation: str | None
    attempts: int
    priority: int = 1


@dataclass(frozen=True)
class InboxItem:
    """An event to store in the inbox."""

    event_id: str
    room_id: str
    sender: str
    kind: str
    payload: dict[str, Any]


async def load_sync_token(database: Database) -> str | None:
    row = await database.fetch_one("SELECT value FROM sync_state WHERE key = ?", (SYNC_TOKEN_KEY,))
    return row["value"] if row else None


async def store_batch(
    database: Database,
    items: list[InboxItem],
    next_batch: str,
    now: datetime,
    status: Mapping[str, str] | None = None,
) -> int:
    """Store the events of one sync and its token atomically (with ``status``, the
    bot's status values of this sync); return how many are new."""
    added = 0
    async with database.transaction() as db:
        if status:
            await bot_status.record(db, status, now)
        for item in items:
            # One statement: an event handled already is not stored again.
            cursor = await db.execute(
                "INSERT OR IGNORE INTO inbox (event_id, room_id, sender, kind, payload,"
                " received_at) SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS"
                " (SELECT 1 FROM handled_events WHERE event_id = ?)",
                (
                    item.event_id,
                    item.room_id,
                    item.sender,
                    item.kind,
                    json.dumps(item.payload, ensure_ascii=False),
                    to_iso(now),
                    item.event_id,
                ),
            )
            added += cursor.rowcount
            if cursor.rowcount and item.payload.get("sender_name"):
                await remember_name(db, item.sender, str(item.payload["sender_name"]), now)
        await db.execute(
            "INSERT INTO sync_state (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (SYNC_TOKEN_KEY, next_batch),
        )
    return added


async def pending_inbox(database: Database, limit: int = 50) -> list[InboxRow]:
    rows = await database.fetch_all(
        "SELECT * FROM inbox ORDER BY received_at, rowid LIMIT ?", (limit,)
    )
    return [InboxRow.from_row(row) for row in rows]


async def knows_event(database: Database, event_id: str) -> bool:
    """True when the event is in the inbox or was handled already."""
    row = await database.fetch_one(
        "SELECT 1 FROM inbox WHERE event_id = ?"
        " UNION ALL SELECT 1 FROM handled_events WHERE event_id = ?",
        (event_id, event_id),
    )
    return row is not None


async def is_handled(db: aiosqlite.Connection, event_id: str) -> bool:
    # One round trip to the database thread (a cursor's fetchone and close are two more).
    sql = "SELECT 1 FROM handled_events WHERE event_id = ?"
    return bool(await db.execute_fetchall(sql, (event_id,)))


async def claim(db: aiosqlite.Connection, event_id: str, room_id: str, now: datetime) -> bool:
    """Record ``event_id`` as handled in the caller's transaction, before its handling
    (which commits with it, or not at all): False when it was handled already. One round
    trip where a check and a mark after the handling took two."""
    cursor = await db.execute(
        "INSERT OR IGNORE INTO handled_events (event_id, room_id, handled_at) VALUES (?, ?, ?)",
        (event_id, room_id, to_iso(now)),
    )
    return cursor.rowcount == 1


async def mark_handled(
    db: aiosqlite.Connection, event_id: str, room_id: str, now: datetime
) -> None:
    """Record ``event_id`` as handled and drop it (and its content) from the inbox."""
    await db.execute(
        "INSERT OR IGNORE INTO handled_events (event_id, room_id, handled_at) VALUES (?, ?, ?)",
        (event_id, room_id, to_iso(now)),
    )
    await drop_from_inbox(db, event_id)


async def drop_from_inbox(db: aiosqlite.Connection, event_id: str) -> None:
    """Forget an inbox row (an event already handled, delivered again)."""
    await db.execute("DELETE FROM inbox WHERE event_id = ?", (event_id,))


async def count_attempt(database: Database, event_id: str) -> int:
    async with database.transaction() as db:
        await db.execute("UPDATE inbox SET attempts = attempts + 1 WHERE event_id = ?", (event_id,))
        async with db.execute("SELECT attempts FROM inbox WHERE event_id = ?", (event_id,)) as cur:
            row = await cur.fetchone()
    return int(row[0]) if row else 0


async def unsent_outbox(database: Database, limit: int = 50) -> list[OutboxRow]:
    rows = await database.fetch_all(
        "SELECT * FROM outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?", (limit,)
    )
    return [OutboxRow.from_row(row) for row in rows]


ERASED_PAYLOAD = "{}"


async def mark_sent(
    db: aiosqlite.Connection,
    row_id: int,
    event_id: str | None,
    now: datetime,
    room_id: str | None = None,
) -> None:
    """Mark the row sent and erase what it said, in the caller's transaction: the
    homeserver has it now. Kept: transaction id, event id, room, time."""
    await record_answer_delivered(db, row_id, now)
    await db.execute(
        "UPDATE outbox SET sent_at = ?, event_id = ?, room_id = COALESCE(?, room_id),"
        " last_error = NULL, payload = ?, payload_erased_at = ? WHERE id = ?",
        (to_iso(now), event_id, room_id, ERASED_PAYLOAD, to_iso(now), row_id),
    )
    await _erase_media(db, row_id)


async def _erase_media(db: aiosqlite.Connection, row_id: int) -> None:
    await db.execute(
        "DELETE FROM outbox_media WHERE txn_id = (SELECT txn_id FROM outbox WHERE id = ?)",
        (row_id,),
    )


async def record_failure(
    database: Database, row_id: int, error: str, give_up: bool, now: datetime
) -> None:
    """Count a failed attempt; a row given up on is closed (sent_at set, no event id) and
    its payload erased: it will never be sent."""
    async with database.transaction() as db:
        await db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?,"
            " sent_at = CASE WHEN ? THEN ? ELSE sent_at END,"
            " payload = CASE WHEN ? THEN ? ELSE payload END,"
            " payload_erased_at = CASE WHEN ? THEN ? ELSE payload_erased_at END WHERE id = ?",
            (
                error[:500],
                give_up,
                to_iso(now),
                give_up,
                ERASED_PAYLOAD,
                give_up,
                to_iso(now),
                row_id,
            ),
        )
        if give_up:
            await _erase_media(db, row_id)


async def language_of(db: aiosqlite.Connection, user_id: str) -> str | None:
    sql = "SELECT language FROM user_preferences WHERE user_id = ?"
    rows = list(await db.execute_fetchall(sql, (user_id,)))
    return rows[0][0] if rows else None


async def languages_of(db: aiosqlite.Connection, user_ids: Iterable[str]) -> dict[str, str]:
    """:func:`language_of` of each of ``user_ids`` who chose one, in one read."""
    sql = "SELECT user_id, language FROM user_preferences WHERE language IS NOT NULL"
    users = (json.dumps(sorted(set(user_ids))),)
    rows = await db.execute_fetchall(
        sql + " AND user_id IN (SELECT value FROM json_each(?))", users
    )
    return {row[0]: row[1] for row in rows}


_language_writes = 0  # so far in this process: a reader's copy holds while unchanged


def language_writes() -> int:
    return _language_writes


async def set_language(
    db: aiosqlite.Connection, user_id: str, language: str, now: datetime
) -> None:
    global _language_writes
    try:
        await db.execute(
            "INSERT INTO user_preferences (user_id, language, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET language = excluded.language,"
            " updated_at = excluded.updated_at",
            (user_id, language, to_iso(now)),
        )
    finally:
        _language_writes += 1


async def save_direct_room(
    database: Database, user_id: str, room_id: str, now: datetime, *, by_bot: bool = False
) -> None:
    """``by_bot``: a room the bot created (welcomed once its person joins, if unused)."""
    await database.execute(
        "INSERT INTO direct_rooms (user_id, room_id, created_at, welcomed_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET room_id = excluded.room_id,"
        " welcomed_at = excluded.welcomed_at",
        (user_id, room_id, to_iso(now), None if by_bot else to_iso(now)),
    )


async def joined_at(database: Database, room_id: str) -> str | None:
    row = await database.fetch_one(
        "SELECT joined_at FROM room_memberships WHERE room_id = ?", (room_id,)
    )
    return row["joined_at"] if row else None


async def save_joined_at(database: Database, room_id: str, when: datetime) -> None:
    await database.execute(
        "INSERT OR IGNORE INTO room_memberships (room_id, joined_at) VALUES (?, ?)",
        (room_id, to_iso(when)),
    )


async def correlation_of(db: aiosqlite.Connection, event_id: str) -> str | None:
    """The correlation of the bot's own sent event ``event_id`` (what it was about)."""
    async with db.execute(
        "SELECT correlation FROM outbox WHERE event_id = ? AND correlation IS NOT NULL",
        (event_id,),
    ) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else None
