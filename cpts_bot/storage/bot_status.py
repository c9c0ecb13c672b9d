"""What the running bot records about itself for ``cpts-bot status`` (table
``bot_status``), and the read-only snapshot that command takes.

The snapshot opens the database read-only (``mode=ro``) with the standard library: in
WAL mode a reader never blocks the bot's writer, and the command never migrates or
writes anything.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import aiosqlite

from cpts_bot.core.health import StatusSnapshot
from cpts_bot.core.times import from_iso, to_iso
from cpts_bot.storage.database import read_only

LAST_SYNC_AT = "last_sync_at"
ROOMS_JOINED = "rooms_joined"
DEVICE_ID = "device_id"
USER_ID = "user_id"
CROSS_SIGNING = "cross_signing"


async def record(db: aiosqlite.Connection, values: Mapping[str, str], now: datetime) -> None:
    """Upsert ``values`` in the caller's transaction."""
    await db.executemany(
        "INSERT INTO bot_status (key, value, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value,"
        " updated_at = excluded.updated_at",
        [(key, value, to_iso(now)) for key, value in values.items()],
    )


def read_snapshot(database: Path, now: datetime, has_credentials: bool) -> StatusSnapshot:
    """Read the status without writing (a missing or unreadable database is reported)."""
    if not database.exists():
        return StatusSnapshot(now, has_credentials, database_error=f"no database at {database}")
    try:
        with read_only(database) as connection:
            status = dict(connection.execute("SELECT key, value FROM bot_status").fetchall())
            inbox, oldest_in = connection.execute(
                "SELECT COUNT(*), MIN(received_at) FROM inbox"
            ).fetchone()
            outbox, oldest_out = connection.execute(
                "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE sent_at IS NULL"
            ).fetchone()
    except sqlite3.Error as error:
        return StatusSnapshot(now, has_credentials, database_error=str(error))
    rooms = json.loads(status[ROOMS_JOINED]) if ROOMS_JOINED in status else None
    return StatusSnapshot(
        now,
        has_credentials,
        device_id=status.get(DEVICE_ID),
        user_id=status.get(USER_ID),
        cross_signing=status.get(CROSS_SIGNING),
        rooms_joined=len(rooms) if rooms is not None else None,
        inbox_waiting=inbox,
        oldest_inbox_at=from_iso(oldest_in) if oldest_in else None,
        outbox_unsent=outbox,
        oldest_unsent_at=from_iso(oldest_out) if oldest_out else None,
        last_sync_at=from_iso(status[LAST_SYNC_AT]) if LAST_SYNC_AT in status else None,
    )
