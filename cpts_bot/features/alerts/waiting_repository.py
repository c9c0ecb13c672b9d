"""Alerts no longer in force that still wait for acknowledgements (« alertes » lists
them): a one-off important or urgent alert is finished once posted, while its readers
are still asked to acknowledge it. Runs in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from cpts_bot.core.times import to_iso
from cpts_bot.features.alerts.models import Alert
from cpts_bot.features.alerts.repository import alert_from_row


async def awaiting_acknowledgement(
    db: aiosqlite.Connection, since: datetime
) -> list[tuple[Alert, int, int | None]]:
    """Finished important and urgent alerts last posted after ``since`` whose readers have
    not all acknowledged: each with how many did and how many were asked (None: unknown)."""
    async with db.execute(
        "SELECT a.*, f.targeted AS asked,"
        " (SELECT COUNT(DISTINCT k.user_id) FROM alert_acknowledgements k"
        "   WHERE k.firing_id = f.id) AS done"
        " FROM alerts a JOIN alert_firings f ON f.id ="
        "  (SELECT MAX(g.id) FROM alert_firings g WHERE g.alert_id = a.id AND g.status = 'posted')"
        " WHERE a.status = 'finished' AND a.level IN ('important', 'urgent')"
        " AND f.fired_at >= ? ORDER BY a.id",
        (to_iso(since),),
    ) as cursor:
        rows = await cursor.fetchall()
    return [
        (alert_from_row(row), int(row["done"]), row["asked"])
        for row in rows
        if row["asked"] is None or row["done"] < row["asked"]
    ]
