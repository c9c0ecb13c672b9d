"""Dispatches, their recipients, messages, transitions and drafts in SQLite.

Every function runs in the caller's transaction. A state change goes through
:func:`apply_transition`: the transition table decides the new state, and one
conditional update (``WHERE id = ? AND state = ?``) applies it, so that of two racing
accepts only one changes a row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import aiosqlite

from cpts_bot.core.times import from_iso, to_iso
from cpts_bot.features.dispatch import tracking_repository as dispatch_tracking
from cpts_bot.features.dispatch.models import (
    Dispatch,
    DispatchFigures,
    DispatchRequest,
    dispatch_figures,
)
from cpts_bot.features.dispatch.policy import EscalationAction
from cpts_bot.features.dispatch.states import TABLE, DispatchEvent, DispatchState
from cpts_bot.storage import offer_repository as offers
from cpts_bot.storage.offer_repository import OfferTables
from cpts_bot.storage.rows import model_from_row

SYSTEM_ACTOR = "system"  # the bot itself (escalation, expiry, reminders)

TABLES = OfferTables.of("dispatches", "dispatch_id", "dispatch")
record_transition = partial(offers.record_transition, TABLES)
transitions = partial(offers.transitions, TABLES)
recipients = partial(offers.recipients, TABLES)
set_answer = partial(offers.set_answer, TABLES)
record_message = partial(offers.record_message, TABLES)
messages = partial(offers.messages, TABLES)

_UPDATABLE = frozenset(
    {
        "taken_by",
        "taken_at",
        "step_index",
        "next_step_at",
        "expires_at",
        "widened_communes",
        "reminder_step",
    }
)


def _join(codes: Iterable[str]) -> str:
    return ",".join(codes)


def _split(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


def dispatch_from_row(row: aiosqlite.Row) -> Dispatch:
    return model_from_row(
        Dispatch,
        row,
        communes=_split(row["communes"]),
        widened_communes=_split(row["widened_communes"]),
        details_erased=bool(row["details_erased_at"]) and not row["details"],
    )


async def create(db: aiosqlite.Connection, new: DispatchRequest, now: datetime) -> Dispatch:
    """Insert an open dispatch and record its creation."""
    state = TABLE.next_state(None, DispatchEvent.CREATE)
    cursor = await db.execute(
        "INSERT INTO dispatches (state, requester, request_room, profession, communes,"
        " needed_at, needed_precision, what, details, details_length, urgent, step_index,"
        " next_step_at, expires_at, created_at, updated_at, usual_professional)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
        (
            state.value,
            new.requester,
            new.request_room,
            new.profession,
            _join(new.communes),
            to_iso(new.needed_at),
            new.needed_precision,
            new.what,
            new.details,
            len(new.details),
            int(new.urgent),
            to_iso(new.next_step_at) if new.next_step_at else None,
            to_iso(new.expires_at),
            to_iso(now),
            to_iso(now),
            new.usual_professional,
        ),
    )
    dispatch_id = int(cursor.lastrowid or 0)
    await record_transition(db, dispatch_id, DispatchEvent.CREATE, None, state, new.requester, now)
    found = await get(db, dispatch_id)
    assert found is not None
    await dispatch_tracking.track_created(db, found)
    return found


async def get(db: aiosqlite.Connection, dispatch_id: int) -> Dispatch | None:
    async with db.execute("SELECT * FROM dispatches WHERE id = ?", (dispatch_id,)) as cursor:
        row = await cursor.fetchone()
    return dispatch_from_row(row) if row else None


async def open_dispatches(db: aiosqlite.Connection) -> list[Dispatch]:
    async with db.execute("SELECT * FROM dispatches WHERE state = 'open' ORDER BY id") as cursor:
        return [dispatch_from_row(row) for row in await cursor.fetchall()]


async def due_candidates(db: aiosqlite.Connection, now: datetime) -> list[Dispatch]:
    """Open dispatches with a step or an expiry at or before ``now`` (ISO UTC text of one
    format compares like the times it holds)."""
    stamp = to_iso(now)
    async with db.execute(
        "SELECT * FROM dispatches WHERE state = 'open' AND next_step_at <= ?"
        " UNION SELECT * FROM dispatches WHERE state = 'open' AND expires_at <= ?"
        " ORDER BY id",
        (stamp, stamp),
    ) as cursor:
        return [dispatch_from_row(row) for row in await cursor.fetchall()]


async def reminder_candidates(db: aiosqlite.Connection, last_step: int) -> list[Dispatch]:
    """Taken dispatches with a reminder still to send (the pure core says when)."""
    async with db.execute(
        "SELECT * FROM dispatches WHERE state = 'taken' AND reminder_step < ? ORDER BY id",
        (last_step,),
    ) as cursor:
        return [dispatch_from_row(row) for row in await cursor.fetchall()]


async def mark_reminded(
    db: aiosqlite.Connection, dispatch: Dispatch, step: int, note: str, now: datetime
) -> Dispatch | None:
    """Move ``dispatch`` (read at ``reminder_step`` ``step``, taken by ``taken_by``) to
    the next reminder step; None when something changed meanwhile (done, handed back,
    already reminded): the conditional update makes each reminder happen once."""
    after = TABLE.next_state(dispatch.state, DispatchEvent.REMIND)
    cursor = await db.execute(
        "UPDATE dispatches SET reminder_step = ?, updated_at = ? WHERE id = ? AND state = ?"
        " AND reminder_step = ? AND taken_by IS ?",
        (step + 1, to_iso(now), dispatch.id, dispatch.state.value, step, dispatch.taken_by),
    )
    if cursor.rowcount != 1:
        return None
    await record_transition(
        db, dispatch.id, DispatchEvent.REMIND, dispatch.state, after, SYSTEM_ACTOR, now, note
    )
    return await get(db, dispatch.id)


async def of_user(db: aiosqlite.Connection, user_id: str, limit: int = 10) -> list[Dispatch]:
    """The latest dispatches ``user_id`` requested or took."""
    async with db.execute(
        "SELECT * FROM dispatches WHERE requester = ? OR taken_by = ? ORDER BY id DESC LIMIT ?",
        (user_id, user_id, limit),
    ) as cursor:
        return [dispatch_from_row(row) for row in await cursor.fetchall()]


async def figures(db: aiosqlite.Connection, start: datetime, end: datetime) -> DispatchFigures:
    """Figures of the dispatches created in [start, end) (monthly report)."""
    async with db.execute(
        "SELECT * FROM dispatches WHERE created_at >= ? AND created_at < ? ORDER BY id",
        (to_iso(start), to_iso(end)),
    ) as cursor:
        dispatches = [dispatch_from_row(row) for row in await cursor.fetchall()]
    if not dispatches:
        return dispatch_figures([], [])
    async with db.execute(
        "SELECT dispatch_id, event, at FROM dispatch_transitions"
        " WHERE dispatch_id BETWEEN ? AND ? AND NOT (event = 'escalate' AND note = ?)"
        " ORDER BY id",
        # Asking the others after the usual professional is the normal course, not an
        # escalation for the figures.
        (dispatches[0].id, dispatches[-1].id, EscalationAction.WIDEN_FROM_USUAL.value),
    ) as cursor:
        rows = [(row[0], row[1], from_iso(row[2])) for row in await cursor.fetchall()]
    return dispatch_figures(dispatches, rows)


async def apply_transition(
    db: aiosqlite.Connection,
    dispatch: Dispatch,
    event: DispatchEvent,
    actor: str,
    now: datetime,
    note: str = "",
    **fields: Any,
) -> Dispatch | None:
    """Move ``dispatch`` from the state it was read in, by ``event`` (the transition table
    raises if the move is illegal). Return the updated dispatch, or None if its state
    changed meanwhile (someone else won)."""
    after = TABLE.next_state(dispatch.state, event)
    unknown = set(fields) - _UPDATABLE
    if unknown:
        raise ValueError(f"cannot update {sorted(unknown)}")
    # The dispatch is over: its private details are no longer needed by anyone.
    erase = (_ERASE_DETAILS, (to_iso(now),)) if after in ENDED_STATES else None
    values = {name: _join(v) if isinstance(v, tuple) else v for name, v in fields.items()}
    if not await offers.move(TABLES, db, dispatch.id, dispatch.state, after, now, values, erase):
        return None
    await record_transition(db, dispatch.id, event, dispatch.state, after, actor, now, note)
    await dispatch_tracking.track_transition(
        db, dispatch.id, event, dispatch.state.value, after.value, now
    )
    return await get(db, dispatch.id)


ENDED_STATES = frozenset({DispatchState.EXPIRED, DispatchState.CANCELLED, DispatchState.COMPLETED})
# One assignment list of an UPDATE: SQLite evaluates every right-hand side on the old row.
_ERASE_DETAILS = (
    "details_length = MAX(details_length, length(details)), details = '',"
    " details_erased_at = CASE WHEN details <> '' THEN ? ELSE details_erased_at END"
)


async def erase_details_taken_before(
    db: aiosqlite.Connection, cutoff: datetime, now: datetime
) -> int:
    """Erase the details of taken dispatches whose taking and care time are both before
    ``cutoff``; return how many."""
    cursor = await db.execute(
        f"UPDATE dispatches SET {_ERASE_DETAILS} WHERE details <> '' AND state = 'taken'"
        " AND MAX(taken_at, needed_at) < ?",
        (to_iso(now), to_iso(cutoff)),
    )
    return cursor.rowcount


async def delete_drafts_before(db: aiosqlite.Connection, cutoff: datetime) -> int:
    """Forget dispatch drafts untouched since ``cutoff`` (they may hold patient details)."""
    cursor = await db.execute("DELETE FROM dispatch_drafts WHERE updated_at < ?", (to_iso(cutoff),))
    return cursor.rowcount


# ------------------------------------------------------------------------- recipients


async def add_recipients(
    db: aiosqlite.Connection,
    dispatch_id: int,
    user_ids: Iterable[str],
    step_index: int,
    now: datetime,
) -> list[str]:
    """Record that ``user_ids`` are asked; return those not asked before (in one read
    and one write, inside the caller's transaction)."""
    asked = {
        row[0]
        for row in await db.execute_fetchall(
            "SELECT user_id FROM dispatch_recipients WHERE dispatch_id = ?", (dispatch_id,)
        )
    }
    added = list(dict.fromkeys(user_id for user_id in user_ids if user_id not in asked))
    await db.executemany(
        "INSERT OR IGNORE INTO dispatch_recipients (dispatch_id, user_id, step_index, asked_at)"
        " VALUES (?, ?, ?, ?)",
        [(dispatch_id, user_id, step_index, to_iso(now)) for user_id in added],
    )
    return added


async def reset_answers(db: aiosqlite.Connection, dispatch_id: int, keep: str) -> None:
    """Forget the answers except ``keep``'s (a re-opened dispatch is asked again)."""
    await db.execute(
        "UPDATE dispatch_recipients SET answer = NULL, answered_at = NULL"
        " WHERE dispatch_id = ? AND user_id != ? AND answer != 'handed_back'",
        (dispatch_id, keep),
    )


# --------------------------------------------------------------------------- messages


# ----------------------------------------------------------------------------- drafts


@dataclass(frozen=True)
class Draft:
    user_id: str
    room_id: str
    fields: dict[str, Any]
    awaiting: str
    updated_at: datetime


async def save_draft(
    db: aiosqlite.Connection,
    user_id: str,
    room_id: str,
    fields: dict[str, Any],
    awaiting: str,
    now: datetime,
) -> None:
    await db.execute(
        "INSERT OR REPLACE INTO dispatch_drafts (user_id, room_id, fields, awaiting, updated_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (user_id, room_id, json.dumps(fields, ensure_ascii=False), awaiting, to_iso(now)),
    )


async def get_draft(db: aiosqlite.Connection, user_id: str) -> Draft | None:
    rows = list(
        await db.execute_fetchall("SELECT * FROM dispatch_drafts WHERE user_id = ?", (user_id,))
    )
    if not rows:
        return None
    row = rows[0]
    return Draft(
        row["user_id"],
        row["room_id"],
        json.loads(row["fields"]),
        row["awaiting"],
        from_iso(row["updated_at"]),
    )


async def delete_draft(db: aiosqlite.Connection, user_id: str) -> None:
    await db.execute("DELETE FROM dispatch_drafts WHERE user_id = ?", (user_id,))


async def bring_next_step_forward(
    db: aiosqlite.Connection, dispatch_id: int, now: datetime
) -> None:
    """Make an open dispatch's next step (escalation, expiry) due at ``now``."""
    await db.execute(
        "UPDATE dispatches SET next_step_at = ? WHERE id = ? AND state = 'open'"
        " AND next_step_at IS NOT NULL",
        (to_iso(now), dispatch_id),
    )


# ------------------------------------------------------------ waiting for an answer


async def taken_by(db: aiosqlite.Connection, user_id: str) -> list[int]:
    """The dispatches ``user_id`` took and still holds, newest first."""
    async with db.execute(
        "SELECT id FROM dispatches WHERE state = 'taken' AND taken_by = ? ORDER BY id DESC",
        (user_id,),
    ) as cursor:
        return [row["id"] for row in await cursor.fetchall()]
