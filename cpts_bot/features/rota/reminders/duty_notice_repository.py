"""Notices about duties, each recorded once, and people's reminder choices. Every
function runs in the caller's transaction."""

from __future__ import annotations

from datetime import datetime, time

import aiosqlite

from cpts_bot.core.times import to_iso
from cpts_bot.features.rota.reminders.duty_reminder_policy import PersonalChoice
from cpts_bot.storage.database import upsert

DUTY_REMINDER = "duty_reminder"
UNCOVERED = "uncovered"
SWAP_REMINDER = "swap_reminder"
SWAP_UNCOVERED = "swap_uncovered"
GAPS = "gaps"


async def record_notice(
    db: aiosqlite.Connection,
    kind: str,
    subject: str,
    profession: str,
    starts_at: datetime,
    now: datetime,
) -> bool:
    """Record that this notice is sent; False when it already was (send nothing)."""
    cursor = await db.execute(
        "INSERT OR IGNORE INTO duty_notices (kind, subject, profession, starts_at, sent_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (kind, subject, profession, to_iso(starts_at), to_iso(now)),
    )
    return cursor.rowcount == 1


async def notices_sent(db: aiosqlite.Connection, kind: str) -> int:
    async with db.execute(
        "SELECT COUNT(*) AS n FROM duty_notices WHERE kind = ?", (kind,)
    ) as cursor:
        row = await cursor.fetchone()
    return int(row["n"]) if row else 0


async def choices(db: aiosqlite.Connection) -> dict[str, PersonalChoice]:
    """Everyone's reminder choice, by Matrix id (those who never chose are absent)."""
    async with db.execute("SELECT * FROM duty_reminder_settings") as cursor:
        rows = await cursor.fetchall()
    return {
        row["user_id"]: PersonalChoice(
            bool(row["enabled"]), time.fromisoformat(row["at_time"]) if row["at_time"] else None
        )
        for row in rows
    }


async def set_choice(
    db: aiosqlite.Connection, user_id: str, choice: PersonalChoice, now: datetime
) -> None:
    values = {
        "user_id": user_id,
        "enabled": int(choice.enabled),
        "at_time": choice.at.strftime("%H:%M") if choice.at else None,
        "updated_at": to_iso(now),
    }
    await upsert(db, "duty_reminder_settings", "user_id", values)
