"""Hand-offs to the coordination in SQLite: every statement about the ``handoffs`` table.

Transitions are conditional updates on the column that makes the state (see
``features/handoff/states.py``): recording the post only while none is recorded,
the first answer only while none is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from cpts_bot.core.times import to_iso
from cpts_bot.features.handoff.models import Handoff
from cpts_bot.storage.rows import model_from_row


@dataclass(frozen=True)
class NewHandoff:
    """What is recorded when a request is handed off."""

    request_id: int | None
    requester: str
    origin_room_id: str
    origin_event_id: str | None
    question: str
    coordination_room_id: str


def handoff_from_row(row: aiosqlite.Row) -> Handoff:
    return model_from_row(Handoff, row)


async def create(db: aiosqlite.Connection, new: NewHandoff, now: datetime) -> Handoff:
    cursor = await db.execute(
        "INSERT INTO handoffs (request_id, requester, origin_room_id, origin_event_id,"
        " question, created_at, coordination_room_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            new.request_id,
            new.requester,
            new.origin_room_id,
            new.origin_event_id,
            new.question,
            to_iso(now),
            new.coordination_room_id,
        ),
    )
    assert cursor.lastrowid is not None
    handoff = await get(db, cursor.lastrowid)
    assert handoff is not None
    return handoff


async def get(db: aiosqlite.Connection, handoff_id: int) -> Handoff | None:
    async with db.execute("SELECT * FROM handoffs WHERE id = ?", (handoff_id,)) as cursor:
        row = await cursor.fetchone()
    return handoff_from_row(row) if row else None


async def find_by_coordination_event(
    db: aiosqlite.Connection, room_id: str, event_id: str
) -> Handoff | None:
    """The hand-off whose post in ``room_id`` is ``event_id``."""
    async with db.execute(
        "SELECT * FROM handoffs WHERE coordination_event_id = ? AND coordination_room_id = ?",
        (event_id, room_id),
    ) as cursor:
        row = await cursor.fetchone()
    return handoff_from_row(row) if row else None


async def record_post(
    db: aiosqlite.Connection, handoff_id: int, room_id: str, event_id: str
) -> bool:
    """asked -> posted: the post's event id; False when it was already recorded."""
    cursor = await db.execute(
        "UPDATE handoffs SET coordination_event_id = ?"
        " WHERE id = ? AND coordination_room_id = ? AND coordination_event_id IS NULL",
        (event_id, handoff_id, room_id),
    )
    return cursor.rowcount == 1


async def record_answer(
    db: aiosqlite.Connection, handoff_id: int, answered_by: str, at: datetime
) -> bool:
    """posted -> answered (or answered again); True when this was the first answer."""
    cursor = await db.execute(
        "UPDATE handoffs SET answered_at = ?, answered_by = ?, answer_count = answer_count + 1"
        " WHERE id = ? AND answered_at IS NULL AND coordination_event_id IS NOT NULL",
        (to_iso(at), answered_by, handoff_id),
    )
    if cursor.rowcount == 1:
        return True
    await db.execute(
        "UPDATE handoffs SET answer_count = answer_count + 1 WHERE id = ?", (handoff_id,)
    )
    return False
