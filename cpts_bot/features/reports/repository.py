"""What the monthly report reads and records: the alerts posted in a month, and which
months were already posted (so that a report goes out once)."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from cpts_bot.core.times import to_iso
from cpts_bot.features.reports.monthly_stats import AlertRow
from cpts_bot.storage.database import changed_one, select_all
from cpts_bot.storage.rows import model_from_row


async def claim_monthly_report(
    db: aiosqlite.Connection, month_label: str, room_id: str, now: datetime
) -> bool:
    """Record that ``month_label``'s report is posted in ``room_id``; False if it was."""
    return await changed_one(
        db,
        "INSERT OR IGNORE INTO monthly_reports_posted (month, room_id, posted_at) VALUES (?, ?, ?)",
        (month_label, room_id, to_iso(now)),
    )


async def alert_rows_between(
    db: aiosqlite.Connection, start: datetime, end: datetime
) -> list[AlertRow]:
    """Postings of alerts between ``start`` and ``end`` with their acknowledgement counts
    (none without the alerts tables)."""
    async with db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alert_firings'"
    ) as cursor:
        if await cursor.fetchone() is None:
            return []
    return await select_all(
        db,
        "SELECT f.alert_id, f.level, f.fired_at, f.targeted,"
        " (SELECT COUNT(DISTINCT k.user_id) FROM alert_acknowledgements k"
        "   WHERE k.firing_id = f.id) AS acknowledged"
        " FROM alert_firings f"
        " WHERE f.status = 'posted' AND f.fired_at >= ? AND f.fired_at < ?",
        (to_iso(start), to_iso(end)),
        lambda row: model_from_row(AlertRow, row, targeted=row["targeted"] or 0),
    )
