"""Pinned cross-signing identities of users, and the notices sent about untrusted devices.

Every function runs on an open connection: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from typing import ParamSpec, TypeVar

import aiosqlite

from cpts_bot.core.times import to_iso
from cpts_bot.storage.database import Database, changed_one, select_all, select_one
from cpts_bot.storage.rows import model_from_row

P = ParamSpec("P")
T = TypeVar("T")

# Writes of pinned identities so far in this process (the bot is its database's one
# writer): a reader's copy of a pinned identity holds while this count is unchanged.
_writes = 0


def writes() -> int:
    """How many writes of pinned identities this process has made (or begun)."""
    return _writes


def _writing(write: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Count ``write`` once it is done (a read begun before it ends is read again)."""

    @wraps(write)
    async def counted(*args: P.args, **kwargs: P.kwargs) -> T:
        global _writes
        try:
            return await write(*args, **kwargs)
        finally:
            _writes += 1

    return counted


@dataclass(frozen=True)
class PinnedIdentity:
    user_id: str
    master_key: str
    pinned_at: datetime
    changed_at: datetime | None = None
    pending_master_key: str | None = None
    warned_at: datetime | None = None
    confirmed_at: datetime | None = None
    confirmed_by: str | None = None

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> PinnedIdentity:
        return model_from_row(cls, row)


async def get_pinned(db: aiosqlite.Connection, user_id: str) -> PinnedIdentity | None:
    return await select_one(
        db, "SELECT * FROM pinned_identities WHERE user_id = ?", (user_id,), PinnedIdentity.from_row
    )


async def read_pinned(database: Database, user_id: str) -> PinnedIdentity | None:
    """:func:`get_pinned` outside a transaction (a read on the shared connection)."""
    row = await database.fetch_one("SELECT * FROM pinned_identities WHERE user_id = ?", (user_id,))
    return PinnedIdentity.from_row(row) if row else None


@_writing
async def pin(db: aiosqlite.Connection, user_id: str, master_key: str, now: datetime) -> bool:
    """Pin ``master_key`` for a user seen for the first time; False if already pinned."""
    return await changed_one(
        db,
        "INSERT INTO pinned_identities (user_id, master_key, pinned_at) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id) DO NOTHING",
        (user_id, master_key, to_iso(now)),
    )


@_writing
async def record_change(
    db: aiosqlite.Connection, user_id: str, new_master_key: str, now: datetime
) -> bool:
    """Note that the server shows ``new_master_key``; True when this key is newly pending
    (then the coordinators are to be warned)."""
    return await changed_one(
        db,
        "UPDATE pinned_identities SET pending_master_key = ?, changed_at = ?, warned_at = NULL"
        " WHERE user_id = ? AND master_key != ?"
        " AND (pending_master_key IS NULL OR pending_master_key != ?)",
        (new_master_key, to_iso(now), user_id, new_master_key, new_master_key),
    )


@_writing
async def mark_warned(db: aiosqlite.Connection, user_id: str, now: datetime) -> None:
    await db.execute(
        "UPDATE pinned_identities SET warned_at = ? WHERE user_id = ?", (to_iso(now), user_id)
    )


@_writing
async def clear_pending(db: aiosqlite.Connection, user_id: str) -> None:
    """Forget a pending key (the user is back to the pinned one)."""
    await db.execute(
        "UPDATE pinned_identities SET pending_master_key = NULL, changed_at = NULL,"
        " warned_at = NULL WHERE user_id = ?",
        (user_id,),
    )


@_writing
async def confirm_pending(
    db: aiosqlite.Connection, user_id: str, confirmed_by: str, now: datetime
) -> PinnedIdentity | None:
    """Trust the pending master key of ``user_id``; None when nothing awaits confirmation."""
    cursor = await db.execute(
        "UPDATE pinned_identities SET master_key = pending_master_key,"
        " pending_master_key = NULL, confirmed_at = ?, confirmed_by = ?"
        " WHERE user_id = ? AND pending_master_key IS NOT NULL",
        (to_iso(now), confirmed_by, user_id),
    )
    if cursor.rowcount != 1:
        return None
    await db.execute("DELETE FROM trust_notices WHERE user_id = ?", (user_id,))
    return await get_pinned(db, user_id)


async def list_pending(db: aiosqlite.Connection) -> list[PinnedIdentity]:
    return await select_all(
        db,
        "SELECT * FROM pinned_identities WHERE pending_master_key IS NOT NULL"
        " ORDER BY changed_at, user_id",
        (),
        PinnedIdentity.from_row,
    )


# The reason of the daily notice that a person's message could not be decrypted
# (``undecryptable:<day>``, owned by the kernel's manifest).
UNDECRYPTABLE = "undecryptable:"


async def claim_notice(
    db: aiosqlite.Connection, user_id: str, device_id: str, reason: str, now: datetime
) -> bool:
    """True the first time a notice for (user, device, reason) is claimed, False after."""
    return await changed_one(
        db,
        "INSERT INTO trust_notices (user_id, device_id, reason, notified_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        (user_id, device_id, reason, to_iso(now)),
    )
