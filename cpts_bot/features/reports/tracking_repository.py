"""The tracking table: one row per request, its outcome over time, and retention.

Other features call :func:`record_request` inside their handler's transaction::

    request_id = await record_request(context.db, TrackedRequest(
        requested_at=message.timestamp, kind=KIND_QUESTION, category="orientation",
        outcome=OUTCOME_ANSWERED, answered_at=context.now,
        profession_asked="IDE", commune_asked="69388", summary="IDE, soins à domicile",
        free_text=message.body))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

import aiosqlite

from cpts_bot.core.times import from_iso, to_iso
from cpts_bot.features.reports.models import RequestFacts
from cpts_bot.features.reports.monthly_stats import RequestRow
from cpts_bot.storage.database import select_all
from cpts_bot.storage.rows import model_from_row, text_and_time

KIND_QUESTION = "question"
KIND_DISPATCH = "dispatch"
KIND_ALERT = "alert"
KIND_UPDATE = "update"
KIND_HANDOFF = "handoff"

OUTCOME_ANSWERED = "answered"
OUTCOME_NOTHING_FOUND = "nothing_found"
OUTCOME_HANDED_OFF = "handed_off"
OUTCOME_HANDOFF_ANSWERED = "handoff_answered"
OUTCOME_DISPATCH_OPEN = "dispatch_open"
OUTCOME_DISPATCH_TAKEN = "dispatch_taken"
OUTCOME_DISPATCH_EXPIRED = "dispatch_expired"
OUTCOME_DISPATCH_CANCELLED = "dispatch_cancelled"
OUTCOME_POSTED = "posted"
OUTCOME_REFUSED = "refused"

SUMMARY_MAX = 200


@dataclass(frozen=True)
class TrackedRequest(RequestFacts):
    """One request as the tracking table records it.

    ``summary`` is what the bot understood (codes and short labels); ``free_text`` is
    what the person typed and is purged after the retention period. ``answered_at``
    gives the response time (from ``requested_at``) when known.
    """

    summary: str | None = None
    free_text: str | None = None
    answered_at: datetime | None = None
    source_event_id: str | None = None


def _millis(start: datetime, end: datetime | None) -> int | None:
    if end is None:
        return None
    return max(0, round((end - start).total_seconds() * 1000))


# The profession of the directory card holding a Matrix ID, read within the insert.
_CARD_PROFESSION = (
    "(SELECT p.profession_code FROM directory_cards c"
    " JOIN directory_professionals p ON p.key = c.professional_key WHERE c.matrix_id = ?)"
)


async def record_request(
    db: aiosqlite.Connection, request: TrackedRequest, *, requester: str | None = None
) -> int:
    """Insert ``request`` (inside the caller's transaction) and return its id. Its first
    event is written with it (migration 0034). Without a ``requester_profession``, the
    profession on the card of the Matrix user ``requester`` is read in the same statement."""
    summary = request.summary[:SUMMARY_MAX] if request.summary else request.summary
    outcome_at = request.answered_at or request.requested_at
    cursor = await db.execute(
        "INSERT INTO tracked_requests (requested_at, kind, category, requester_profession,"
        " summary, free_text, outcome, outcome_at, response_ms, profession_asked,"
        f" commune_asked, source_event_id) VALUES (?, ?, ?, COALESCE(?, {_CARD_PROFESSION}),"
        " ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            to_iso(request.requested_at),
            request.kind,
            request.category,
            request.requester_profession,
            requester,
            summary,
            request.free_text,
            request.outcome,
            to_iso(outcome_at),
            _millis(request.requested_at, request.answered_at),
            request.profession_asked,
            request.commune_asked,
            request.source_event_id,
        ),
    )
    request_id = cursor.lastrowid
    assert request_id is not None
    return request_id


async def update_outcome(
    db: aiosqlite.Connection,
    request_id: int,
    outcome: str,
    at: datetime,
    *,
    set_response_time: bool = False,
) -> None:
    """Move request ``request_id`` to ``outcome`` at ``at`` (history kept).

    With ``set_response_time`` the response time becomes ``at - requested_at`` (e.g. a
    dispatch's first accept, or the coordination's answer to a hand-off).
    """
    async with db.execute(
        "SELECT requested_at FROM tracked_requests WHERE id = ?", (request_id,)
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:
        raise KeyError(f"no tracked request {request_id}")
    if set_response_time:
        await db.execute(
            "UPDATE tracked_requests SET outcome = ?, outcome_at = ?, response_ms = ? WHERE id = ?",
            (outcome, to_iso(at), _millis(from_iso(row[0]), at), request_id),
        )
    else:
        await db.execute(
            "UPDATE tracked_requests SET outcome = ?, outcome_at = ? WHERE id = ?",
            (outcome, to_iso(at), request_id),
        )
    await db.execute(
        "INSERT INTO tracked_request_events (request_id, outcome, at) VALUES (?, ?, ?)",
        (request_id, outcome, to_iso(at)),
    )


async def outcome_history(db: aiosqlite.Connection, request_id: int) -> list[tuple[str, datetime]]:
    """The outcomes of one request, oldest first, with their times."""
    return await select_all(
        db,
        "SELECT outcome, at FROM tracked_request_events WHERE request_id = ? ORDER BY id",
        (request_id,),
        text_and_time,
    )


async def requests_between(
    db: aiosqlite.Connection, start: datetime, end: datetime
) -> list[RequestRow]:
    """Requests made in ``[start, end)``, as plain rows for the monthly figures."""
    return await select_all(
        db,
        "SELECT requested_at, kind, category, outcome, response_ms, profession_asked,"
        " commune_asked, requester_profession FROM tracked_requests"
        " WHERE requested_at >= ? AND requested_at < ? ORDER BY requested_at",
        (to_iso(start), to_iso(end)),
        partial(model_from_row, RequestRow),
    )


EXPORT_COLUMNS = (
    "id",
    "requested_at",
    "kind",
    "category",
    "requester_profession",
    "summary",
    "outcome",
    "outcome_at",
    "response_ms",
    "profession_asked",
    "commune_asked",
)


async def export_rows_between(
    db: aiosqlite.Connection, start: datetime, end: datetime
) -> list[tuple[object, ...]]:
    """Rows for an export (free text left out: it is personal and short-lived)."""
    columns = ", ".join(EXPORT_COLUMNS)
    return await select_all(
        db,
        f"SELECT {columns} FROM tracked_requests"
        " WHERE requested_at >= ? AND requested_at < ? ORDER BY requested_at, id",
        (to_iso(start), to_iso(end)),
        tuple,
    )
