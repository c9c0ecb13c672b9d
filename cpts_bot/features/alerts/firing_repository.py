"""The postings of alerts in SQLite: firings, their posts per room (pinned or not), who
acknowledged them and who asked to be reminded later. Every function runs in the
caller's transaction.

``alert_firings`` has one row per occurrence under a unique (alert, scheduled_for) key,
so an occurrence is posted at most once whatever happens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from cpts_bot.core.times import from_iso, to_iso
from cpts_bot.features.alerts.models import ACKNOWLEDGED_LEVELS
from cpts_bot.features.alerts.snooze import Snooze
from cpts_bot.features.alerts.states import AlertState
from cpts_bot.storage.database import changed_one, select_all
from cpts_bot.storage.rows import text_and_time


async def record_firing(
    db: aiosqlite.Connection,
    alert_id: int,
    scheduled_for: datetime,
    now: datetime,
    level: str,
    *,
    posted: bool,
    late: bool = False,
) -> int | None:
    """Record an occurrence as posted or skipped; None if it was already handled."""
    cursor = await db.execute(
        "INSERT OR IGNORE INTO alert_firings (alert_id, scheduled_for, fired_at, status, late,"
        " level) VALUES (?, ?, ?, ?, ?, ?)",
        (
            alert_id,
            to_iso(scheduled_for),
            to_iso(now),
            "posted" if posted else "skipped",
            int(late),
            level,
        ),
    )
    return cursor.lastrowid if cursor.rowcount else None


async def record_post(db: aiosqlite.Connection, firing_id: int, room_id: str) -> None:
    await db.execute(
        "INSERT INTO alert_posts (firing_id, room_id) VALUES (?, ?)", (firing_id, room_id)
    )


async def set_targeted(db: aiosqlite.Connection, firing_id: int, count: int) -> None:
    await db.execute("UPDATE alert_firings SET targeted = ? WHERE id = ?", (count, firing_id))


async def set_post_event(
    db: aiosqlite.Connection, firing_id: int, room_id: str, event_id: str
) -> None:
    await db.execute(
        "UPDATE alert_posts SET event_id = ? WHERE firing_id = ? AND room_id = ?",
        (event_id, firing_id, room_id),
    )


async def firing_of_event(db: aiosqlite.Connection, room_id: str, event_id: str) -> int | None:
    async with db.execute(
        "SELECT firing_id FROM alert_posts WHERE event_id = ? AND room_id = ?",
        (event_id, room_id),
    ) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else None


async def alert_of_firing(db: aiosqlite.Connection, firing_id: int) -> int | None:
    async with db.execute(
        "SELECT alert_id FROM alert_firings WHERE id = ?", (firing_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else None


async def latest_firing(db: aiosqlite.Connection, alert_id: int) -> int | None:
    async with db.execute(
        "SELECT id FROM alert_firings WHERE alert_id = ? AND status = 'posted'"
        " ORDER BY scheduled_for DESC LIMIT 1",
        (alert_id,),
    ) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else None


async def fired_at(db: aiosqlite.Connection, firing_id: int) -> datetime:
    async with db.execute(
        "SELECT fired_at FROM alert_firings WHERE id = ?", (firing_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return from_iso(row[0])


async def post_rooms(db: aiosqlite.Connection, firing_id: int) -> list[str]:
    async with db.execute(
        "SELECT room_id FROM alert_posts WHERE firing_id = ?", (firing_id,)
    ) as cursor:
        return [row[0] for row in await cursor.fetchall()]


# ------------------------------------------------------------------ pins


async def posts_to_pin_or_unpin(db: aiosqlite.Connection) -> list[aiosqlite.Row]:
    """Sent posts not yet unpinned, with their alert's status and end, and the newest
    posted firing of the same alert in the same room (``latest``)."""
    async with db.execute(
        "SELECT p.firing_id, p.room_id, p.event_id, p.pinned_at, f.fired_at, f.alert_id,"
        " a.status, a.expires_at,"
        " (SELECT MAX(f2.id) FROM alert_firings f2 JOIN alert_posts p2 ON p2.firing_id = f2.id"
        "   WHERE f2.alert_id = f.alert_id AND p2.room_id = p.room_id"
        "   AND f2.status = 'posted') AS latest"
        " FROM alert_posts p JOIN alert_firings f ON f.id = p.firing_id"
        " JOIN alerts a ON a.id = f.alert_id"
        " WHERE p.event_id IS NOT NULL AND p.unpinned_at IS NULL"
    ) as cursor:
        return list(await cursor.fetchall())


async def mark_pin(
    db: aiosqlite.Connection, firing_id: int, room_id: str, now: datetime, *, pinned: bool
) -> None:
    """Record that the post of ``firing_id`` in ``room_id`` is pinned (or done with)."""
    column = "pinned_at" if pinned else "unpinned_at"
    await db.execute(
        f"UPDATE alert_posts SET {column} = ? WHERE firing_id = ? AND room_id = ?",
        (to_iso(now), firing_id, room_id),
    )


# ------------------------------------------------------------------ acknowledgements


async def acknowledge(
    db: aiosqlite.Connection, firing_id: int, user_id: str, at: datetime, via: str
) -> bool:
    """Record ``user_id``'s acknowledgement (the first one counts); True if new."""
    return await changed_one(
        db,
        "INSERT OR IGNORE INTO alert_acknowledgements (firing_id, user_id, at, via)"
        " VALUES (?, ?, ?, ?)",
        (firing_id, user_id, to_iso(at), via),
    )


async def acknowledgements(db: aiosqlite.Connection, firing_id: int) -> list[tuple[str, datetime]]:
    return await select_all(
        db,
        "SELECT user_id, at FROM alert_acknowledgements WHERE firing_id = ? ORDER BY at, user_id",
        (firing_id,),
        text_and_time,
    )


# ------------------------------------------------------------------ reminders and snoozes


@dataclass(frozen=True)
class ReminderDue:
    """A posting whose reminder round has not been sent."""

    firing_id: int
    alert_id: int
    fired_at: datetime
    reminder_minutes: int


async def rounds_not_reminded(db: aiosqlite.Connection) -> list[ReminderDue]:
    """Postings of acknowledged levels with a reminder delay, not reminded yet."""
    marks = ", ".join("?" for _ in ACKNOWLEDGED_LEVELS)
    async with db.execute(
        "SELECT f.id, f.fired_at, a.id AS alert_id, a.reminder_minutes FROM alert_firings f"
        " JOIN alerts a ON a.id = f.alert_id"
        " WHERE f.status = 'posted' AND f.reminded_at IS NULL AND a.reminder_minutes IS NOT NULL"
        f" AND f.level IN ({marks}) AND a.status != ?",
        (*ACKNOWLEDGED_LEVELS, AlertState.CANCELLED.value),
    ) as cursor:
        rows = await cursor.fetchall()
    return [
        ReminderDue(row["id"], row["alert_id"], from_iso(row["fired_at"]), row["reminder_minutes"])
        for row in rows
    ]


async def mark_round_reminded(db: aiosqlite.Connection, firing_id: int, now: datetime) -> None:
    await db.execute(
        "UPDATE alert_firings SET reminded_at = ? WHERE id = ?", (to_iso(now), firing_id)
    )


async def snooze(
    db: aiosqlite.Connection, firing_id: int, user_id: str, now: datetime, remind_at: datetime
) -> None:
    """Postpone ``user_id``'s reminder of ``firing_id`` to ``remind_at`` (again if said again)."""
    await db.execute(
        "INSERT INTO alert_snoozes (firing_id, user_id, snoozed_at, remind_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (firing_id, user_id) DO UPDATE SET snoozed_at = excluded.snoozed_at,"
        " remind_at = excluded.remind_at, reminded_at = NULL",
        (firing_id, user_id, to_iso(now), to_iso(remind_at)),
    )


async def snoozes_of(db: aiosqlite.Connection, firing_id: int) -> dict[str, datetime]:
    """Readers of ``firing_id`` who said « plus tard », and until when."""
    async with db.execute(
        "SELECT user_id, remind_at FROM alert_snoozes WHERE firing_id = ?",
        (firing_id,),
    ) as cursor:
        return {row[0]: from_iso(row[1]) for row in await cursor.fetchall()}


async def open_snoozes(db: aiosqlite.Connection, now: datetime) -> list[Snooze]:
    """Postponed reminders due at ``now`` (of alerts not cancelled)."""
    async with db.execute(
        "SELECT s.firing_id, s.user_id, s.remind_at FROM alert_snoozes s"
        " JOIN alert_firings f ON f.id = s.firing_id JOIN alerts a ON a.id = f.alert_id"
        " WHERE s.reminded_at IS NULL AND s.remind_at <= ? AND a.status != ?"
        " ORDER BY s.remind_at, s.user_id",
        (to_iso(now), AlertState.CANCELLED.value),
    ) as cursor:
        rows = await cursor.fetchall()
    return [Snooze(row[0], row[1], from_iso(row[2])) for row in rows]


async def mark_snooze_done(
    db: aiosqlite.Connection, firing_id: int, user_id: str, now: datetime
) -> None:
    await db.execute(
        "UPDATE alert_snoozes SET reminded_at = ? WHERE firing_id = ? AND user_id = ?",
        (to_iso(now), firing_id, user_id),
    )


async def author_of_firing(db: aiosqlite.Connection, firing_id: int) -> tuple[int, str] | None:
    """(alert number, author) of the alert ``firing_id`` posted."""
    async with db.execute(
        "SELECT a.id, a.created_by FROM alert_firings f JOIN alerts a ON a.id = f.alert_id"
        " WHERE f.id = ?",
        (firing_id,),
    ) as cursor:
        row = await cursor.fetchone()
    return (row[0], row[1]) if row else None
