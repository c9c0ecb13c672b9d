"""The médecin-traitant desk in SQLite: requests, their private text, offers to GPs,
messages and transitions (GPs' room: :mod:`cpts_bot.features.medecin_traitant.gp_room_repository`).

Every function runs in the caller's transaction. A request's state changes through
:func:`apply_transition`: the transition table decides the new state and one conditional
update (``WHERE id = ? AND state = ?``) applies it, so that of two GPs accepting the same
request only one changes the row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import aiosqlite

from cpts_bot.core.times import to_iso
from cpts_bot.features.medecin_traitant import gp_room_repository
from cpts_bot.features.medecin_traitant.figures import MedecinTraitantFigures, month_figures
from cpts_bot.features.medecin_traitant.models import (
    PatientRequest,
    Priority,
    join_priorities,
    split_priorities,
)
from cpts_bot.features.medecin_traitant.states import TABLE, RequestEvent
from cpts_bot.storage import offer_repository as offers
from cpts_bot.storage.offer_repository import OfferTables
from cpts_bot.storage.rows import model_from_row

_UPDATABLE = frozenset({"placed_with", "placed_at", "cancelled_at"})

TABLES = OfferTables.of(
    "medecin_traitant_requests",
    "request_id",
    "medecin_traitant",
    recipients="medecin_traitant_offers",
    asked_at="offered_at",
)
record_transition = partial(offers.record_transition, TABLES)


async def pending_offers_of(db: aiosqlite.Connection, user_id: str) -> list[aiosqlite.Row]:
    return await offers.pending(TABLES, db, user_id=user_id)


async def answer_offer(
    db: aiosqlite.Connection, request_id: int, user_id: str, answer: str, now: datetime
) -> bool:
    """Close a pending offer with ``answer``; False if it was not pending (conditional)."""
    return await offers.set_answer(
        TABLES, db, request_id, user_id, answer, now, only_if_pending=True
    )


def request_from_row(row: aiosqlite.Row) -> PatientRequest:
    return model_from_row(PatientRequest, row, priorities=split_priorities(row["priorities"]))


@dataclass(frozen=True)
class NewRequest:
    commune: str
    age_band: str
    priorities: frozenset[Priority]
    referrer: str
    referrer_room: str
    private: str


async def create_request(
    db: aiosqlite.Connection, new: NewRequest, now: datetime
) -> PatientRequest:
    """Insert a waiting request (its private text apart) and record its registration."""
    state = TABLE.next_state(None, RequestEvent.REGISTER)
    cursor = await db.execute(
        "INSERT INTO medecin_traitant_requests (state, commune, age_band, priorities, referrer,"
        " referrer_room, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            state.value,
            new.commune,
            new.age_band,
            join_priorities(new.priorities),
            new.referrer,
            new.referrer_room,
            to_iso(now),
            to_iso(now),
        ),
    )
    request_id = int(cursor.lastrowid or 0)
    if new.private:
        await add_private(db, request_id, new.private, now)
    await record_transition(db, request_id, RequestEvent.REGISTER, None, state, new.referrer, now)
    found = await get_request(db, request_id)
    assert found is not None
    return found


async def get_request(db: aiosqlite.Connection, request_id: int) -> PatientRequest | None:
    async with db.execute(
        "SELECT * FROM medecin_traitant_requests WHERE id = ?", (request_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return request_from_row(row) if row else None


async def waiting_requests(db: aiosqlite.Connection) -> list[PatientRequest]:
    async with db.execute(
        "SELECT * FROM medecin_traitant_requests WHERE state = 'waiting' ORDER BY id"
    ) as cursor:
        return [request_from_row(row) for row in await cursor.fetchall()]


async def requests_created_before(db: aiosqlite.Connection, end: datetime) -> list[PatientRequest]:
    async with db.execute(
        "SELECT * FROM medecin_traitant_requests WHERE created_at < ? ORDER BY id", (to_iso(end),)
    ) as cursor:
        return [request_from_row(row) for row in await cursor.fetchall()]


async def apply_transition(
    db: aiosqlite.Connection,
    request: PatientRequest,
    event: RequestEvent,
    actor: str,
    now: datetime,
    note: str = "",
    **fields: Any,
) -> PatientRequest | None:
    """Move ``request`` from the state it was read in, by ``event`` (the table raises if the
    move is illegal). Return the updated request, or None if its state changed meanwhile."""
    after = TABLE.next_state(request.state, event)
    unknown = set(fields) - _UPDATABLE
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    if not await offers.move(TABLES, db, request.id, request.state, after, now, fields):
        return None
    await record_transition(db, request.id, event, request.state, after, actor, now, note)
    return await get_request(db, request.id)


async def mark_escalated(
    db: aiosqlite.Connection, request: PatientRequest, actor: str, now: datetime
) -> bool:
    """Record that ``request`` was brought to the coordination, once (conditional update)."""
    after = TABLE.next_state(request.state, RequestEvent.ESCALATE)
    cursor = await db.execute(
        "UPDATE medecin_traitant_requests SET escalated_at = ?, updated_at = ?"
        " WHERE id = ? AND state = ? AND escalated_at IS NULL",
        (to_iso(now), to_iso(now), request.id, request.state.value),
    )
    if cursor.rowcount != 1:
        return False
    await record_transition(db, request.id, RequestEvent.ESCALATE, request.state, after, actor, now)
    return True


# ----------------------------------------------------------------------- private text


async def add_private(db: aiosqlite.Connection, request_id: int, text: str, now: datetime) -> None:
    """Keep ``text`` (appended to what is there) for the GP who will accept."""
    await db.execute(
        "INSERT INTO medecin_traitant_private (request_id, text, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT (request_id) DO UPDATE SET text = text || char(10) || excluded.text,"
        " updated_at = excluded.updated_at",
        (request_id, text, to_iso(now)),
    )


async def private_text(db: aiosqlite.Connection, request_id: int) -> str:
    async with db.execute(
        "SELECT text FROM medecin_traitant_private WHERE request_id = ?", (request_id,)
    ) as cursor:
        row = await cursor.fetchone()
    return row[0] if row else ""


async def erase_private(db: aiosqlite.Connection, request_id: int) -> None:
    await db.execute("DELETE FROM medecin_traitant_private WHERE request_id = ?", (request_id,))


# ------------------------------------------------------------------------------ offers


async def add_offer(
    db: aiosqlite.Connection,
    request_id: int,
    user_id: str,
    tier: int,
    now: datetime,
    expires_at: datetime,
) -> bool:
    """Offer ``request_id`` to ``user_id``; False if they already had it, or already have
    another offer pending (one at a time)."""
    cursor = await db.execute(
        "INSERT OR IGNORE INTO medecin_traitant_offers (request_id, user_id, tier, offered_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?)",
        (request_id, user_id, tier, to_iso(now), to_iso(expires_at)),
    )
    return cursor.rowcount == 1


async def busy_users(db: aiosqlite.Connection) -> set[str]:
    async with db.execute(
        "SELECT user_id FROM medecin_traitant_offers WHERE answer IS NULL"
    ) as cursor:
        return {row[0] for row in await cursor.fetchall()}


async def closed_pairs(db: aiosqlite.Connection) -> set[tuple[int, str]]:
    """(request, GP) pairs already offered: never offered twice."""
    async with db.execute("SELECT request_id, user_id FROM medecin_traitant_offers") as cursor:
        return {(row[0], row[1]) for row in await cursor.fetchall()}


async def lapsed_offers(db: aiosqlite.Connection, now: datetime) -> list[aiosqlite.Row]:
    async with db.execute(
        "SELECT * FROM medecin_traitant_offers WHERE answer IS NULL AND expires_at <= ?"
        " ORDER BY expires_at, request_id, user_id",
        (to_iso(now),),
    ) as cursor:
        return list(await cursor.fetchall())


# ---------------------------------------------------------------------------- messages


async def figures(
    db: aiosqlite.Connection, start: datetime, end: datetime
) -> MedecinTraitantFigures:
    """The desk's figures for [start, end) (monthly report, export)."""
    return month_figures(
        await requests_created_before(db, end),
        await gp_room_repository.declarations_before(db, end),
        start,
        end,
    )
