"""What ``cpts-bot status`` reads of the outbox's deliveries, read-only (the standard
library's ``sqlite3`` with ``mode=ro``, as :mod:`cpts_bot.storage.bot_status`): rows set
aside past their bound, destinations failing now, what the coordination was told."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from cpts_bot.storage.database import read_only


@dataclass(frozen=True)
class DeliveryStatus:
    stuck: list[tuple[int, str]] = field(default_factory=list)  # (row id, destination)
    failing: list[tuple[str, int]] = field(default_factory=list)  # (destination, rows)
    slowed_reported_at: str | None = None
    error: str | None = None


def read_delivery_status(database: Path) -> DeliveryStatus:
    if not database.exists():
        return DeliveryStatus(error=f"no database at {database}")
    try:
        with read_only(database) as connection:
            stuck = connection.execute(
                "SELECT id, target FROM outbox WHERE sent_at IS NULL AND stuck_at IS NOT NULL"
                " ORDER BY id"
            ).fetchall()
            failing = connection.execute(
                "SELECT target, COUNT(*) FROM outbox WHERE sent_at IS NULL AND first_failed_at"
                " IS NOT NULL AND stuck_at IS NULL GROUP BY target ORDER BY target"
            ).fetchall()
            slowed = connection.execute(
                "SELECT reported_at FROM delivery_reports WHERE subject = 'slowed'"
            ).fetchone()
    except sqlite3.Error as error:
        return DeliveryStatus(error=str(error))
    return DeliveryStatus(
        [(row[0], row[1]) for row in stuck],
        [(row[0], row[1]) for row in failing],
        slowed[0] if slowed else None,
    )
