"""The outbox's delivery book-keeping: rows due now (answers first), failures retried on
their destination's schedule, rows set aside past their bound ("stuck"), offers of
requests that ended, what the coordination was told, and the operator's list and drop.

A row closed without being sent keeps ``sent_at`` (so that nothing sends it), no event
id, an erased payload and a ``closed_reason``: ``request-over``, ``dropped``.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from cpts_bot.core.times import from_iso, to_iso
from cpts_bot.features.cover.models import CORRELATION_PREFIX as COVER_PREFIX
from cpts_bot.features.dispatch.models import CORRELATION_PREFIX as DISPATCH_PREFIX
from cpts_bot.storage.core_repository import ERASED_PAYLOAD, OutboxRow
from cpts_bot.storage.database import Database

REASON_REQUEST_OVER = "request-over"
REASON_DROPPED = "dropped"
_UNSENT = "sent_at IS NULL AND stuck_at IS NULL"
# Offers whose request ended are not worth sending: (the feature's correlation prefix,
# its table, the kinds that are offers).
_OFFERS = (
    (DISPATCH_PREFIX, "dispatches", ("broadcast", "room")),
    (COVER_PREFIX, "shift_swaps", ("offer",)),
)


@dataclass(frozen=True)
class DeliveryRow:
    """An unsent (or stuck) row as ``cpts-bot outbox list`` shows it."""

    id: int
    action: str
    target: str
    correlation: str | None
    created_at: datetime
    attempts: int
    last_error: str | None
    first_failed_at: datetime | None
    retry_at: datetime | None
    stuck_at: datetime | None


async def due_rows(
    database: Database, now: datetime, limit: int, skip: Collection[int] = ()
) -> list[OutboxRow]:
    """Unsent rows that may be tried now, but those in ``skip`` (being sent): answers
    first, then in the outbox's order."""
    rows = await database.fetch_all(
        f"SELECT * FROM outbox WHERE {_UNSENT} AND (retry_at IS NULL OR retry_at <= ?)"
        " AND id NOT IN (SELECT value FROM json_each(?)) ORDER BY priority, id LIMIT ?",
        (to_iso(now), json.dumps(sorted(skip)), limit),
    )
    return [OutboxRow.from_row(row) for row in rows]


async def next_retry_at(database: Database) -> datetime | None:
    row = await database.fetch_one(f"SELECT MIN(retry_at) FROM outbox WHERE {_UNSENT}")
    return from_iso(row[0]) if row and row[0] else None


async def record_retry(
    database: Database, row_id: int, error: str, now: datetime, retry_at: datetime
) -> datetime:
    """Count a failed attempt, to be tried again at ``retry_at`` (so are the rows queued
    to the same destination before, to keep their order); the first failure of the
    streak (returned)."""
    async with database.transaction() as db:
        await db.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, retry_at = ?,"
            " first_failed_at = COALESCE(first_failed_at, ?) WHERE id = ?",
            (error[:500], to_iso(retry_at), to_iso(now), row_id),
        )
        await db.execute(
            f"UPDATE outbox SET retry_at = ? WHERE {_UNSENT} AND id > ?"
            " AND target = (SELECT target FROM outbox WHERE id = ?)"
            " AND (retry_at IS NULL OR retry_at < ?)",
            (to_iso(retry_at), row_id, row_id, to_iso(retry_at)),
        )
        async with db.execute("SELECT first_failed_at FROM outbox WHERE id = ?", (row_id,)) as cur:
            found = await cur.fetchone()
    return from_iso(found[0]) if found and found[0] else now


async def set_aside(db: aiosqlite.Connection, row_id: int, now: datetime) -> None:
    """No more attempts for this row: it stays in the outbox for the operator."""
    await db.execute("UPDATE outbox SET stuck_at = ? WHERE id = ?", (to_iso(now), row_id))


async def close_unsent(
    db: aiosqlite.Connection, row_ids: list[int], reason: str, now: datetime
) -> int:
    """Close rows without sending them (payload and media erased): how many were open."""
    closed = 0
    for row_id in row_ids:
        cursor = await db.execute(
            "UPDATE outbox SET sent_at = ?, closed_reason = ?, payload = ?,"
            " payload_erased_at = ?, stuck_at = NULL WHERE id = ? AND sent_at IS NULL",
            (to_iso(now), reason, ERASED_PAYLOAD, to_iso(now), row_id),
        )
        if cursor.rowcount:
            closed += 1
            await db.execute(
                "DELETE FROM outbox_media WHERE txn_id = (SELECT txn_id FROM outbox WHERE id = ?)",
                (row_id,),
            )
    return closed


async def ended_offers(db: aiosqlite.Connection) -> list[int]:
    """The unsent offers of dispatches and requests for cover that are no longer open
    (taken, cancelled, expired), read in one statement."""
    selects, parameters = [], []
    for prefix, table, _kinds in _OFFERS:
        start = len(prefix) + 1
        selects.append(
            f"SELECT o.id, o.correlation FROM outbox o WHERE o.sent_at IS NULL"
            f" AND o.correlation LIKE ? AND EXISTS (SELECT 1 FROM {table} r WHERE"
            f" r.state != 'open' AND r.id = CAST(substr(o.correlation, {start},"
            f" instr(substr(o.correlation, {start}), ':') - 1) AS INTEGER))"
        )
        parameters.append(prefix + "%")
    found = await db.execute_fetchall(" UNION ALL ".join(selects), parameters)
    return [
        row_id
        for row_id, text in found
        for prefix, _table, kinds in _OFFERS
        if text.startswith(prefix) and text.split(":", 3)[2] in kinds
    ]


async def drop_offers_of_ended_requests(db: aiosqlite.Connection, now: datetime) -> int:
    """Close the unsent offers of requests that are no longer open: how many."""
    return await close_unsent(db, await ended_offers(db), REASON_REQUEST_OVER, now)


async def still_failing(database: Database, destination: str) -> bool:
    row = await database.fetch_one(
        "SELECT 1 FROM outbox WHERE sent_at IS NULL AND target = ? AND first_failed_at IS NOT NULL",
        (destination,),
    )
    return row is not None


async def queued_bulk(database: Database) -> int:
    row = await database.fetch_one(f"SELECT COUNT(*) FROM outbox WHERE {_UNSENT} AND priority > 0")
    return int(row[0]) if row else 0


# What the coordination was told about, noted once in ``delivery_reports``: a destination
# whose deliveries stopped is ``stuck:<destination>`` (owned by the kernel's manifest).
STUCK = "stuck:"


def stuck_subject(destination: str) -> str:
    """The ``delivery_reports`` subject of ``destination``'s stopped deliveries."""
    return STUCK + destination


async def mark_reported(db: aiosqlite.Connection, subject: str, now: datetime) -> bool:
    """Note that the coordination was told about ``subject``: False when it already was."""
    cursor = await db.execute(
        "INSERT INTO delivery_reports (subject, reported_at) VALUES (?, ?)"
        " ON CONFLICT (subject) DO NOTHING",
        (subject, to_iso(now)),
    )
    return bool(cursor.rowcount)


async def forget_report(database: Database, subject: str) -> None:
    """Forget what the coordination was told about ``subject`` (it works again)."""
    if (
        await database.fetch_one("SELECT 1 FROM delivery_reports WHERE subject = ?", (subject,))
        is None
    ):
        return
    async with database.transaction() as db:
        await db.execute("DELETE FROM delivery_reports WHERE subject = ?", (subject,))


async def open_rows(database: Database) -> list[DeliveryRow]:
    """Every unsent row, stuck ones included, oldest first (``cpts-bot outbox list``)."""
    rows = await database.fetch_all(
        "SELECT id, action, target, correlation, created_at, attempts, last_error,"
        " first_failed_at, retry_at, stuck_at FROM outbox WHERE sent_at IS NULL ORDER BY id"
    )

    def moment(text: str | None) -> datetime | None:
        return from_iso(text) if text else None

    return [
        DeliveryRow(
            row[0],
            row[1],
            row[2],
            row[3],
            from_iso(row[4]),
            row[5],
            row[6],
            moment(row[7]),
            moment(row[8]),
            moment(row[9]),
        )
        for row in rows
    ]


async def direct_room(database: Database, user_id: str) -> tuple[str, bool] | None:
    """The bot's direct chat with ``user_id`` and whether they were invited to it."""
    row = await database.fetch_one(
        "SELECT room_id, invited_at FROM direct_rooms WHERE user_id = ?", (user_id,)
    )
    return (row[0], row[1] is not None) if row else None


async def direct_rooms_found(database: Database) -> dict[str, tuple[str, bool]]:
    """:func:`direct_room` of everyone at once (the lanes of a fan-out), by user id."""
    rows = await database.fetch_all("SELECT user_id, room_id, invited_at FROM direct_rooms")
    return {row[0]: (row[1], row[2] is not None) for row in rows}


async def direct_rooms(database: Database) -> list[tuple[str, str]]:
    """Every direct chat of the bot: (user id, room id)."""
    rows = await database.fetch_all("SELECT user_id, room_id FROM direct_rooms ORDER BY user_id")
    return [(row[0], row[1]) for row in rows]


async def forget_invitation(database: Database, user_id: str) -> None:
    """The person's direct chat is a new room: they are not invited to it yet."""
    async with database.transaction() as db:
        await db.execute("UPDATE direct_rooms SET invited_at = NULL WHERE user_id = ?", (user_id,))


async def mark_invited(database: Database, user_id: str, now: datetime) -> None:
    async with database.transaction() as db:
        await db.execute(
            "UPDATE direct_rooms SET invited_at = ? WHERE user_id = ?", (to_iso(now), user_id)
        )


async def members_without_direct_room(database: Database) -> list[str]:
    """Active directory members with a Matrix ID and no direct chat with the bot yet."""
    rows = await database.fetch_all(
        "SELECT c.matrix_id FROM directory_cards c"
        " JOIN directory_professionals p ON p.key = c.professional_key"
        " WHERE p.active = 1 AND c.matrix_id IS NOT NULL"
        " AND c.matrix_id NOT IN (SELECT user_id FROM direct_rooms) ORDER BY c.matrix_id"
    )
    return [row[0] for row in rows]
