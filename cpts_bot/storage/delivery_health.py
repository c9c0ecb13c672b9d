"""What ``cpts-bot status`` says about deliveries: the homeserver's 429 refusals
(table ``rate_limit_refusals``, written by the running bot) and the destinations whose
outbox rows keep failing.

:func:`record_refusal` runs in the bot (aiosqlite); :func:`read_delivery_health` opens
the database read-only with the standard library, like ``bot_status.read_snapshot``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cpts_bot.core.times import from_iso, to_iso
from cpts_bot.storage.database import Database, read_only

KEEP_REFUSALS = timedelta(days=1)
MAX_DESTINATIONS = 5


@dataclass(frozen=True)
class FailingDestination:
    """A room whose unsent outbox rows have failed at least once."""

    target: str
    unsent: int
    attempts: int
    last_error: str


@dataclass
class DeliveryHealth:
    refusals: int = 0  # 429 refusals in the window
    last_refusal_at: datetime | None = None
    longest_wait_ms: int = 0
    by_endpoint: dict[str, int] = field(default_factory=dict)
    failing: list[FailingDestination] = field(default_factory=list)
    failing_total: int = 0
    error: str = ""


async def record_refusal(
    database: Database, now: datetime, endpoint: str, retry_after_ms: int | None
) -> None:
    """Note one 429 refusal; forget those older than :data:`KEEP_REFUSALS`."""
    async with database.transaction() as db:
        await db.execute(
            "INSERT INTO rate_limit_refusals (seen_at, endpoint, retry_after_ms) VALUES (?, ?, ?)",
            (to_iso(now), endpoint, retry_after_ms),
        )
        await db.execute(
            "DELETE FROM rate_limit_refusals WHERE seen_at < ?", (to_iso(now - KEEP_REFUSALS),)
        )


def read_delivery_health(database: Path, now: datetime, window: timedelta) -> DeliveryHealth:
    """Refusals within ``window`` before ``now`` and the failing destinations, read-only."""
    health = DeliveryHealth()
    if not database.exists():
        return health
    try:
        with read_only(database) as connection:
            _read_refusals(connection, to_iso(now - window), health)
            _read_failing(connection, health)
    except sqlite3.Error as error:
        health.error = str(error)
    return health


def _read_refusals(connection: sqlite3.Connection, since: str, health: DeliveryHealth) -> None:
    rows = connection.execute(
        "SELECT endpoint, COUNT(*), MAX(seen_at), MAX(COALESCE(retry_after_ms, 0))"
        " FROM rate_limit_refusals WHERE seen_at >= ? GROUP BY endpoint ORDER BY 2 DESC",
        (since,),
    ).fetchall()
    for endpoint, count, last, longest in rows:
        health.refusals += count
        health.by_endpoint[endpoint] = count
        seen = from_iso(last)
        if health.last_refusal_at is None or seen > health.last_refusal_at:
            health.last_refusal_at = seen
        health.longest_wait_ms = max(health.longest_wait_ms, longest)


def _read_failing(connection: sqlite3.Connection, health: DeliveryHealth) -> None:
    rows = connection.execute(
        "SELECT target, COUNT(*), MAX(attempts),"
        " (SELECT last_error FROM outbox AS latest WHERE latest.target = outbox.target"
        "  AND latest.sent_at IS NULL AND latest.attempts > 0 ORDER BY latest.id DESC LIMIT 1)"
        " FROM outbox WHERE sent_at IS NULL AND attempts > 0"
        " GROUP BY target ORDER BY MAX(attempts) DESC, target"
    ).fetchall()
    health.failing_total = len(rows)
    health.failing = [
        FailingDestination(target, unsent, attempts, last_error or "")
        for target, unsent, attempts, last_error in rows[:MAX_DESTINATIONS]
    ]
