"""GPs' room for new patients in SQLite: each GP's latest declaration (with the monthly
reminder's state), the history of declarations, and the placements made with each GP.

Every function runs in the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import aiosqlite

from cpts_bot.core.times import from_iso, to_iso
from cpts_bot.features.medecin_traitant.models import (
    GpRoom,
    join_priorities,
    split_priorities,
)
from cpts_bot.storage.rows import model_from_row


def room_from_row(row: aiosqlite.Row) -> GpRoom:
    return model_from_row(GpRoom, row, priorities=split_priorities(row["priorities"]))


async def get_room(db: aiosqlite.Connection, user_id: str) -> GpRoom | None:
    async with db.execute(
        "SELECT * FROM medecin_traitant_gps WHERE user_id = ?", (user_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return room_from_row(row) if row else None


async def rooms(db: aiosqlite.Connection) -> list[GpRoom]:
    async with db.execute("SELECT * FROM medecin_traitant_gps ORDER BY user_id") as cursor:
        return [room_from_row(row) for row in await cursor.fetchall()]


async def save_room(db: aiosqlite.Connection, room: GpRoom) -> None:
    """Store ``room`` as the GP's declaration (kept in the history too)."""
    declared = (
        room.user_id,
        room.capacity,
        room.scope.value,
        int(room.accepting),
        join_priorities(room.priorities),
        to_iso(room.declared_at),
    )
    await db.execute(
        "INSERT INTO medecin_traitant_gps (user_id, capacity, scope, accepting, priorities,"
        " declared_at, reminders, last_reminded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET capacity = excluded.capacity,"
        " scope = excluded.scope, accepting = excluded.accepting,"
        " priorities = excluded.priorities, declared_at = excluded.declared_at,"
        " reminders = excluded.reminders",
        (
            *declared,
            int(room.reminders),
            to_iso(room.last_reminded_at) if room.last_reminded_at else None,
        ),
    )
    await db.execute(
        "INSERT INTO medecin_traitant_declarations (user_id, capacity, scope, accepting,"
        " priorities, declared_at) VALUES (?, ?, ?, ?, ?, ?)",
        declared,
    )


async def mark_reminded(
    db: aiosqlite.Connection, user_id: str, since: datetime, now: datetime
) -> bool:
    """Record this month's reminder once: False if one was already sent since ``since``."""
    cursor = await db.execute(
        "UPDATE medecin_traitant_gps SET last_reminded_at = ? WHERE user_id = ?"
        " AND reminders = 1 AND (last_reminded_at IS NULL OR last_reminded_at < ?)",
        (to_iso(now), user_id, to_iso(since)),
    )
    return cursor.rowcount == 1


async def declarations_before(db: aiosqlite.Connection, end: datetime) -> list[GpRoom]:
    async with db.execute(
        "SELECT user_id, capacity, scope, accepting, priorities, declared_at, 1 AS reminders,"
        " NULL AS last_reminded_at FROM medecin_traitant_declarations WHERE declared_at < ?"
        " ORDER BY id",
        (to_iso(end),),
    ) as cursor:
        return [room_from_row(row) for row in await cursor.fetchall()]


async def placements(db: aiosqlite.Connection) -> dict[str, list[datetime]]:
    """When each GP was given each patient: {GP: [placed_at, ...]}."""
    found: dict[str, list[datetime]] = defaultdict(list)
    async with db.execute(
        "SELECT placed_with, placed_at FROM medecin_traitant_requests"
        " WHERE placed_with IS NOT NULL AND placed_at IS NOT NULL"
    ) as cursor:
        for row in await cursor.fetchall():
            found[row[0]].append(from_iso(row[1]))
    return found
