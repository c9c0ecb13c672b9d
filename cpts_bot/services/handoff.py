"""Hand a request to a person of the coordination team, and relay the answer back.

The request is posted in the coordination room (outbox correlation ``handoff:<id>``);
once that post is sent, :func:`on_sent` records its event id. A coordinator answers in
the thread of that post (or as a reply to it); :func:`relay_answer` sends the answer to
the person who asked, in the chat where they asked, and the tracking table shows the
request as handed off, then answered, with both times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from cpts_bot.domain.messages import IncomingMessage, Reply
from cpts_bot.domain.times import to_iso
from cpts_bot.i18n import Translator
from cpts_bot.services.people import person_label
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.core_repository import language_of
from cpts_bot.storage.outbox import OutboxWriter
from cpts_bot.storage.tracking_repository import (
    KIND_HANDOFF,
    OUTCOME_HANDED_OFF,
    OUTCOME_HANDOFF_ANSWERED,
    TrackedRequest,
    record_request,
    update_outcome,
)

CORRELATION_PREFIX = "handoff:"
QUOTE_MAX = 600


@dataclass(frozen=True)
class Handoff:
    """A request handed to the coordination."""

    id: int
    request_id: int | None
    requester: str
    origin_room_id: str
    origin_event_id: str | None
    coordination_room_id: str
    coordination_event_id: str | None
    answered_at: str | None

    @classmethod
    def from_row(cls, row: aiosqlite.Row) -> Handoff:
        return cls(
            row["id"],
            row["request_id"],
            row["requester"],
            row["origin_room_id"],
            row["origin_event_id"],
            row["coordination_room_id"],
            row["coordination_event_id"],
            row["answered_at"],
        )


def _coordination_translator(config: RoomsConfig) -> Translator:
    return Translator(config.language)


async def hand_off(
    db: aiosqlite.Connection,
    outbox: OutboxWriter,
    config: RoomsConfig,
    *,
    requester: str,
    origin_room_id: str,
    origin_event_id: str | None,
    question: str,
    requested_at: datetime,
    reason: str | None = None,
    requester_profession: str | None = None,
    profession_asked: str | None = None,
    commune_asked: str | None = None,
) -> Handoff | None:
    """Post ``question`` in the coordination room; None when no such room is configured.

    Other features call this when they found nothing (``reason`` says what was looked
    for, e.g. "no speech therapist in Bron"). The caller tells the requester.
    """
    room = config.rooms.coordination
    if room is None:
        return None
    request_id = await record_request(
        db,
        TrackedRequest(
            requested_at=requested_at,
            kind=KIND_HANDOFF,
            category="handoff",
            outcome=OUTCOME_HANDED_OFF,
            requester_profession=requester_profession,
            summary=reason,
            free_text=question,
            profession_asked=profession_asked,
            commune_asked=commune_asked,
        ),
    )
    cursor = await db.execute(
        "INSERT INTO handoffs (request_id, requester, origin_room_id, origin_event_id,"
        " question, created_at, coordination_room_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            request_id,
            requester,
            origin_room_id,
            origin_event_id,
            question,
            to_iso(outbox.now),
            room,
        ),
    )
    handoff_id = cursor.lastrowid
    assert handoff_id is not None
    translator = _coordination_translator(config)
    _ = translator.gettext
    quoted = question.strip()[:QUOTE_MAX]
    lines = [
        _(
            "🙋 Request no. {number} from {user}, for a person of the coordination:",
            number=handoff_id,
            user=await person_label(db, requester, translator, phone=True),
        ),
        f"« {quoted} »",
    ]
    if reason:
        lines.append(_("Context: {reason}", reason=reason))
    lines.append(_("Answer in the thread of this message: the answer is sent to them."))
    await outbox.send(
        room, Reply("\n".join(lines), mentions=()), correlation=f"{CORRELATION_PREFIX}{handoff_id}"
    )
    return Handoff(
        handoff_id, request_id, requester, origin_room_id, origin_event_id, room, None, None
    )


async def on_sent(db: aiosqlite.Connection, correlation: str, room_id: str, event_id: str) -> bool:
    """Record the event id of a sent hand-off post; False if ``correlation`` is not ours."""
    if not correlation.startswith(CORRELATION_PREFIX):
        return False
    try:
        handoff_id = int(correlation.removeprefix(CORRELATION_PREFIX))
    except ValueError:
        return False
    await db.execute(
        "UPDATE handoffs SET coordination_event_id = ? WHERE id = ? AND coordination_room_id = ?",
        (event_id, handoff_id, room_id),
    )
    return True


async def find_by_coordination_event(
    db: aiosqlite.Connection, room_id: str, event_id: str
) -> Handoff | None:
    async with db.execute(
        "SELECT * FROM handoffs WHERE coordination_event_id = ? AND coordination_room_id = ?",
        (event_id, room_id),
    ) as cursor:
        row = await cursor.fetchone()
    return Handoff.from_row(row) if row else None


async def requester_translator(
    db: aiosqlite.Connection, user_id: str, config: RoomsConfig
) -> Translator:
    """The translator in ``user_id``'s chosen language (the CPTS's language otherwise)."""
    return Translator(await language_of(db, user_id) or config.language)


async def relay_answer(
    db: aiosqlite.Connection,
    outbox: OutboxWriter,
    config: RoomsConfig,
    message: IncomingMessage,
) -> Handoff | None:
    """If ``message`` answers a hand-off (in its thread or as a reply), relay it."""
    handoff = None
    for parent in (message.thread_root, message.reply_to):
        if parent:
            handoff = await find_by_coordination_event(db, message.room_id, parent)
            if handoff:
                break
    if handoff is None:
        return None
    _ = (await requester_translator(db, handoff.requester, config)).gettext
    await outbox.send(
        handoff.origin_room_id,
        Reply(_("Answer from the coordination: {answer}", answer=message.body.strip())),
        in_reply_to=handoff.origin_event_id,
        notice=False,
    )
    first_answer = handoff.answered_at is None
    await db.execute(
        "UPDATE handoffs SET answered_at = COALESCE(answered_at, ?),"
        " answered_by = COALESCE(answered_by, ?), answer_count = answer_count + 1"
        " WHERE id = ?",
        (to_iso(message.timestamp), message.sender, handoff.id),
    )
    if first_answer and handoff.request_id is not None:
        await update_outcome(
            db,
            handoff.request_id,
            OUTCOME_HANDOFF_ANSWERED,
            message.timestamp,
            set_response_time=True,
        )
    await outbox.react(message.room_id, message.event_id, "✅")
    return handoff
