"""People's Matrix display names as last seen, and the delivery time of answers to
questions (the monthly report's response time). Every function runs in the caller's
transaction."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from cpts_bot.core.times import to_iso


async def remember_name(db: aiosqlite.Connection, user_id: str, name: str, now: datetime) -> None:
    """Keep ``name`` as ``user_id``'s display name (a name that is only the ID is none)."""
    name = name.strip()
    if not name or name == user_id:
        return
    await db.execute(
        "INSERT INTO matrix_names (user_id, name, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET name = excluded.name,"
        " updated_at = excluded.updated_at WHERE name != excluded.name",
        (user_id, name[:200], to_iso(now)),
    )


async def matrix_name(db: aiosqlite.Connection, user_id: str) -> str | None:
    async with db.execute("SELECT name FROM matrix_names WHERE user_id = ?", (user_id,)) as c:
        row = await c.fetchone()
    return str(row["name"]) if row else None


async def record_answer_delivered(db: aiosqlite.Connection, outbox_row: int, now: datetime) -> None:
    """The outbox row ``outbox_row`` is delivered: when it answers a question (its first
    answer), the question's response time runs to now. Before the payload is erased."""
    await db.execute(
        "UPDATE tracked_requests SET answer_delivered_at = :now,"
        " response_ms = MAX(0, CAST(ROUND((julianday(:now) - julianday(requested_at))"
        " * 86400000) AS INTEGER))"
        " WHERE kind = 'question' AND answer_delivered_at IS NULL AND source_event_id ="
        " (SELECT json_extract(payload, '$.in_reply_to') FROM outbox WHERE id = :row)",
        {"now": to_iso(now), "row": outbox_row},
    )
