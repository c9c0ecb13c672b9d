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


async def add_details(db: aiosqlite.Connection, dispatch_id: int, details: str) -> bool:
    """Give an urgent dispatch sent anonymised the details the patient agreed to share,
    if it is still open or taken (an ended dispatch keeps none); True if so."""
    cursor = await db.execute(
        "UPDATE dispatches SET details = ?, details_length = MAX(details_length, ?)"
        " WHERE id = ? AND state IN ('open', 'taken')",
        (details, len(details), dispatch_id),
    )
    return cursor.rowcount > 0
