"""Hand a request to a person of the coordination team, and relay the answer back.

The request is posted in the coordination room (outbox correlation ``handoff:<id>``);
once that post is sent, :func:`on_sent` records its event id (asked -> posted). A
coordinator answers in the thread of that post (or as a reply to it); :func:`relay_answer`
sends the answer to the person who asked, in the chat where they asked (posted ->
answered), and the tracking table shows the request as handed off, then answered, with
both times. The states and their moves are ``features/handoff/states.py``; all SQL is
``features/handoff/repository.py``.
"""

from __future__ import annotations

import logging
from datetime import datetime

import aiosqlite

from cpts_bot.core.messages import IncomingMessage, Reply
from cpts_bot.core.state_table import IllegalTransition
from cpts_bot.features.handoff import repository as repo
from cpts_bot.features.handoff.models import Handoff, handoff_id_of, quoted
from cpts_bot.features.handoff.states import TABLE, HandoffEvent
from cpts_bot.features.reports.request_tracking_service import RecentQuestion, requester_profession
from cpts_bot.features.reports.tracking_repository import (
    KIND_HANDOFF,
    OUTCOME_HANDED_OFF,
    OUTCOME_HANDOFF_ANSWERED,
    TrackedRequest,
    record_request,
    update_outcome,
)
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context
from cpts_bot.services.people import person_label
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.core_repository import language_of
from cpts_bot.storage.outbox import OutboxWriter

__all__ = [
    "Handoff",
    "find_by_coordination_event",
    "hand_off",
    "hand_off_request",
    "on_sent",
    "relay_answer",
    "requester_translator",
]

log = logging.getLogger(__name__)


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
    question_before: str | None = None,
) -> Handoff | None:
    """Post ``question`` in the coordination room; None when no such room is configured.

    Other features call this when they found nothing (``reason`` says what was looked
    for, e.g. "no speech therapist in Bron"). ``question_before``: the directory
    question asked just before, shown in the post under the words quoted (never kept in
    the tracking table). The caller tells the requester.
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
    TABLE.next_state(None, HandoffEvent.CREATE)
    handoff = await repo.create(
        db,
        repo.NewHandoff(request_id, requester, origin_room_id, origin_event_id, question, room),
        outbox.now,
    )
    translator = Translator(config.language)
    text = await _post_text(db, handoff, (question, question_before), reason, translator)
    await outbox.send(room, Reply(text, mentions=()), correlation=handoff.correlation)
    return handoff


async def _post_text(
    db: aiosqlite.Connection,
    handoff: Handoff,
    questions: tuple[str, str | None],
    reason: str | None,
    translator: Translator,
) -> str:
    """The post in the coordination room: who asks, what (their words, then the question
    just before them), why, how to answer."""
    _ = translator.gettext
    question, question_before = questions
    lines = [
        _(
            "🙋 Request no. {number} from {user}, for a person of the coordination:",
            number=handoff.id,
            user=await person_label(db, handoff.requester, translator, phone=True),
        ),
        f"« {quoted(question)} »",
    ]
    if question_before:
        lines.append(
            _("Their question just before: « {question} »", question=quoted(question_before))
        )
    if reason:
        lines.append(_("Context: {reason}", reason=reason))
    lines.append(_("Answer in the thread of this message: the answer is sent to them."))
    return "\n".join(lines)


async def hand_off_request(
    context: Context,
    message: IncomingMessage,
    recent: RecentQuestion | None,
) -> Handoff | None:
    """« parler à la coordination »: pass on what the person typed, with the directory
    question just before it (``recent``) when there is one; None when no coordination
    room is configured."""
    about: dict[str, str | None] = {
        "requester_profession": await requester_profession(context.db, message.sender)
    }
    if recent is not None:
        about |= {
            "question_before": recent.request.free_text,
            "reason": _directory_reason(recent, Translator(context.config.language)),
            "profession_asked": recent.request.profession_asked,
            "commune_asked": recent.request.commune_asked,
        }
    return await hand_off(
        context.db,
        context.outbox,
        context.config,
        requester=message.sender,
        origin_room_id=message.room_id,
        origin_event_id=message.event_id,
        question=message.body,
        requested_at=message.timestamp,
        **about,
    )


def _directory_reason(recent: RecentQuestion, team: Translator) -> str:
    """What the directory made of the question before, for the coordination."""
    if recent.nothing_found:
        return team.gettext("directory found nothing for: {criteria}", criteria=recent.criteria)
    return team.gettext(
        "last directory question: {criteria} ({count} found)",
        criteria=recent.criteria,
        count=recent.total,
    )


async def on_sent(db: aiosqlite.Connection, correlation: str, room_id: str, event_id: str) -> bool:
    """Record the event id of a sent hand-off post; False if ``correlation`` is not ours."""
    handoff_id = handoff_id_of(correlation)
    if handoff_id is None:
        return False
    handoff = await repo.get(db, handoff_id)
    if handoff is None:
        return True
    try:
        TABLE.next_state(handoff.state, HandoffEvent.POST)
    except IllegalTransition:
        log.warning("hand-off post already recorded", extra={"handoff": handoff_id})
        return True
    await repo.record_post(db, handoff_id, room_id, event_id)
    return True


async def find_by_coordination_event(
    db: aiosqlite.Connection, room_id: str, event_id: str
) -> Handoff | None:
    return await repo.find_by_coordination_event(db, room_id, event_id)


async def requester_translator(
    db: aiosqlite.Connection, user_id: str, config: RoomsConfig
) -> Translator:
    """The translator in ``user_id``'s chosen language (the CPTS's language otherwise)."""
    return Translator(await language_of(db, user_id) or config.language)


async def relay_answer(context: Context, message: IncomingMessage) -> Handoff | None:
    """If ``message`` answers a hand-off (in its thread or as a reply), relay it."""
    db, outbox = context.db, context.outbox
    handoff = None
    for parent in (message.thread_root, message.reply_to):
        if parent:
            handoff = await repo.find_by_coordination_event(db, message.room_id, parent)
            if handoff:
                break
    if handoff is None:
        return None
    TABLE.next_state(handoff.state, HandoffEvent.ANSWER)
    _ = (await requester_translator(db, handoff.requester, context.config)).gettext
    await outbox.send(
        handoff.origin_room_id,
        Reply(_("Answer from the coordination: {answer}", answer=message.body.strip())),
        in_reply_to=handoff.origin_event_id,
        notice=False,
    )
    first = await repo.record_answer(db, handoff.id, message.sender, message.timestamp)
    if first and handoff.request_id is not None:
        await update_outcome(
            db,
            handoff.request_id,
            OUTCOME_HANDOFF_ANSWERED,
            message.timestamp,
            set_response_time=True,
        )
    await outbox.react(message.room_id, message.event_id, "✅")
    return handoff
