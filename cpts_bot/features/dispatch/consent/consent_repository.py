"""The patient's consent recorded with each dispatch request. Runs in the caller's
transaction."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from cpts_bot.core.times import to_iso


async def record_consent(
    db: aiosqlite.Connection, dispatch_id: int, consent: bool | None, by: str, now: datetime
) -> None:
    await db.execute(
        "INSERT OR REPLACE INTO dispatch_consents (dispatch_id, consent, recorded_by,"
        " recorded_at) VALUES (?, ?, ?, ?)",
        (dispatch_id, None if consent is None else int(consent), by, to_iso(now)),
    )


async def consent_of(db: aiosqlite.Connection, dispatch_id: int) -> bool | None:
    async with db.execute(
        "SELECT consent FROM dispatch_consents WHERE dispatch_id = ?", (dispatch_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return None if row is None or row["consent"] is None else bool(row["consent"])
