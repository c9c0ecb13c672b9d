"""Dispatches in the tracking table, fed from the dispatch repository's own transitions.

:func:`cpts_bot.features.dispatch.repository.create` and ``apply_transition`` call these
in the same transaction as the state change, so the tracking row of a dispatch always
says what the dispatch tables say: open, then taken / expired / cancelled / completed,
with the time to the first accept (the time of the first ``accept`` transition minus
the creation time, as :func:`cpts_bot.features.dispatch.models.dispatch_figures` counts it).
The row is found again by its ``source_event_id``, ``dispatch:<id>``.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from cpts_bot.features.dispatch.models import CORRELATION_PREFIX, Dispatch
from cpts_bot.features.dispatch.states import DispatchEvent
from cpts_bot.features.reports.tracking_repository import (
    KIND_DISPATCH,
    TrackedRequest,
    record_request,
    update_outcome,
)

CATEGORY = "dispatch"
SOURCE_PREFIX = CORRELATION_PREFIX  # a dispatch tracked as its correlation says it


def dispatch_outcome(state: str) -> str:
    """The tracking outcome of a dispatch state: ``taken`` -> ``dispatch_taken``."""
    return f"dispatch_{state}"


def _summary(dispatch: Dispatch) -> str:
    communes = ",".join(dispatch.communes) or "-"
    urgent = ", urgent" if dispatch.urgent else ""
    return f"dispatch no. {dispatch.id}: profession {dispatch.profession}, {communes}{urgent}"


async def track_created(db: aiosqlite.Connection, dispatch: Dispatch) -> int:
    """Record a new (open) dispatch; the broadcast text goes to the purged column."""
    async with db.execute(
        "SELECT profession_code FROM directory_cards c JOIN directory_professionals p"
        " ON p.key = c.professional_key WHERE c.matrix_id = ?",
        (dispatch.requester,),
    ) as cursor:
        row = await cursor.fetchone()
    return await record_request(
        db,
        TrackedRequest(
            requested_at=dispatch.created_at,
            kind=KIND_DISPATCH,
            category=CATEGORY,
            outcome=dispatch_outcome(dispatch.state.value),
            requester_profession=row[0] if row else None,
            summary=_summary(dispatch),
            free_text=dispatch.what,
            profession_asked=dispatch.profession,
            commune_asked=",".join(dispatch.communes) or None,
            source_event_id=f"{SOURCE_PREFIX}{dispatch.id}",
        ),
    )


async def track_transition(
    db: aiosqlite.Connection,
    dispatch_id: int,
    event: DispatchEvent,
    before: str,
    after: str,
    now: datetime,
) -> None:
    """Follow a dispatch's change of state; the first accept sets the response time."""
    async with db.execute(
        "SELECT id, response_ms FROM tracked_requests WHERE source_event_id = ? AND kind = ?",
        (f"{SOURCE_PREFIX}{dispatch_id}", KIND_DISPATCH),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None or before == after:
        return
    first_accept = event == DispatchEvent.ACCEPT and row[1] is None
    await update_outcome(db, row[0], dispatch_outcome(after), now, set_response_time=first_accept)
