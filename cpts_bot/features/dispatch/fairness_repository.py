"""What fair asks read: when each professional was last asked for a dispatch, and how
many dispatches they accepted since a given time. Runs in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import aiosqlite

from cpts_bot.core.times import from_iso, to_iso
from cpts_bot.features.dispatch.fair_order import AskHistory


async def ask_history(
    db: aiosqlite.Connection, user_ids: Iterable[str], month_start: datetime
) -> dict[str, AskHistory]:
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    async with db.execute(
        "SELECT user_id, MAX(asked_at) AS last_asked,"
        " SUM(CASE WHEN answer = 'accepted' AND answered_at >= ? THEN 1 ELSE 0 END) AS accepted"
        f" FROM dispatch_recipients WHERE user_id IN ({marks}) GROUP BY user_id",
        (to_iso(month_start), *wanted),
    ) as cursor:
        rows = await cursor.fetchall()
    return {
        row["user_id"]: AskHistory(from_iso(row["last_asked"]), int(row["accepted"] or 0))
        for row in rows
    }
