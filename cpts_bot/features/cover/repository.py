"""Requests for cover (swaps), their recipients, messages and transitions, and the duty
handovers, in SQLite. Every function runs in the caller's transaction.

A state change goes through :func:`apply_transition`: the transition table decides the
new state, one conditional update (``WHERE id = ? AND state = ?``) applies it. Taking a
swap (:func:`take`) is that update and the handover of the duty, in the same
transaction: of two racing accepts only one changes the row, and only that one changes
the rota.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

import aiosqlite

from cpts_bot.core.times import from_iso, to_iso
from cpts_bot.features.cover.models import ShiftSwap
from cpts_bot.features.cover.states import TABLE, SwapEvent
from cpts_bot.storage import offer_repository as offers
from cpts_bot.storage.offer_repository import OfferTables
from cpts_bot.storage.rows import model_from_row

TABLES = OfferTables.of("shift_swaps", "swap_id", "shift_swap", transition_notes=False)
record_transition = partial(offers.record_transition, TABLES)


def _swap_from_row(row: aiosqlite.Row) -> ShiftSwap:
    return model_from_row(
        ShiftSwap,
        row,
        communes=tuple(part for part in row["communes"].split(",") if part),
        start=from_iso(row["starts_at"]),
        end=from_iso(row["ends_at"]),
    )


@dataclass(frozen=True)
class NewSwap:
    requester: str
    request_room: str
    profession: str
    communes: tuple[str, ...]
    start: datetime
    end: datetime
    expires_at: datetime


async def create(db: aiosqlite.Connection, new: NewSwap, now: datetime) -> ShiftSwap:
    """Insert an open request and record its creation."""
    state = TABLE.next_state(None, SwapEvent.CREATE)
    cursor = await db.execute(
        "INSERT INTO shift_swaps (state, requester, request_room, profession, communes,"
        " starts_at, ends_at, expires_at, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            state.value,
            new.requester,
            new.request_room,
            new.profession,
            ",".join(new.communes),
            to_iso(new.start),
            to_iso(new.end),
            to_iso(new.expires_at),
            to_iso(now),
            to_iso(now),
        ),
    )
    swap_id = int(cursor.lastrowid or 0)
    await record_transition(db, swap_id, SwapEvent.CREATE, None, state, new.requester, now)
    found = await get(db, swap_id)
    assert found is not None
    return found


async def get(db: aiosqlite.Connection, swap_id: int) -> ShiftSwap | None:
    async with db.execute("SELECT * FROM shift_swaps WHERE id = ?", (swap_id,)) as cursor:
        row = await cursor.fetchone()
    return _swap_from_row(row) if row else None


async def open_of(db: aiosqlite.Connection, requester: str) -> list[ShiftSwap]:
    """``requester``'s open requests, oldest first."""
    async with db.execute(
        "SELECT * FROM shift_swaps WHERE requester = ? AND state = 'open' ORDER BY id",
        (requester,),
    ) as cursor:
        return [_swap_from_row(row) for row in await cursor.fetchall()]


async def open_for_duty(
    db: aiosqlite.Connection, requester: str, profession: str, start: datetime
) -> ShiftSwap | None:
    """The open request of ``requester`` for their duty of ``profession`` at ``start``."""
    async with db.execute(
        "SELECT * FROM shift_swaps WHERE requester = ? AND profession = ? AND starts_at = ?"
        " AND state = 'open'",
        (requester, profession, to_iso(start)),
    ) as cursor:
        row = await cursor.fetchone()
    return _swap_from_row(row) if row else None


async def due(db: aiosqlite.Connection, now: datetime) -> list[ShiftSwap]:
    """Open requests whose deadline is at or before ``now``."""
    async with db.execute(
        "SELECT * FROM shift_swaps WHERE state = 'open' AND expires_at <= ? ORDER BY id",
        (to_iso(now),),
    ) as cursor:
        return [_swap_from_row(row) for row in await cursor.fetchall()]


async def apply_transition(
    db: aiosqlite.Connection, swap: ShiftSwap, event: SwapEvent, actor: str, now: datetime
) -> ShiftSwap | None:
    """Move ``swap`` from the state it was read in by ``event`` (cancel, expire); None if
    its state changed meanwhile."""
    after = TABLE.next_state(swap.state, event)
    if not await offers.move(TABLES, db, swap.id, swap.state, after, now):
        return None
    await record_transition(db, swap.id, event, swap.state, after, actor, now)
    return await get(db, swap.id)


async def take(
    db: aiosqlite.Connection, swap: ShiftSwap, user_id: str, now: datetime
) -> ShiftSwap | None:
    """``user_id`` takes ``swap``: the conditional update decides, and the winner's duty
    handover is written in the same transaction. None when someone else won first (or
    the request ended)."""
    after = TABLE.next_state(swap.state, SwapEvent.ACCEPT)
    taker = {"taken_by": user_id, "taken_at": now}
    if not await offers.move(TABLES, db, swap.id, swap.state, after, now, taker):
        return None
    await record_transition(db, swap.id, SwapEvent.ACCEPT, swap.state, after, user_id, now)
    await add_handover(
        db, swap.requester, user_id, swap.profession, swap.start, swap.end, user_id, now, swap.id
    )
    return await get(db, swap.id)


async def add_handover(
    db: aiosqlite.Connection,
    from_user: str,
    to_user: str,
    profession: str,
    start: datetime,
    end: datetime,
    created_by: str,
    now: datetime,
    swap_id: int | None = None,
) -> int:
    """Record that ``to_user`` does ``from_user``'s duty of ``profession`` at ``start``."""
    cursor = await db.execute(
        "INSERT INTO duty_handovers (from_user, to_user, profession, starts_at, ends_at,"
        " swap_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            from_user,
            to_user,
            profession,
            to_iso(start),
            to_iso(end),
            swap_id,
            created_by,
            to_iso(now),
        ),
    )
    return int(cursor.lastrowid or 0)


# ------------------------------------------------------------------------- recipients


async def add_recipients(
    db: aiosqlite.Connection, swap_id: int, user_ids: Iterable[str], now: datetime
) -> list[str]:
    """Record that ``user_ids`` are asked; return those not asked before."""
    added = []
    for user_id in user_ids:
        cursor = await db.execute(
            "INSERT OR IGNORE INTO shift_swap_recipients (swap_id, user_id, asked_at)"
            " VALUES (?, ?, ?)",
            (swap_id, user_id, to_iso(now)),
        )
        if cursor.rowcount == 1:
            added.append(user_id)
    return added
