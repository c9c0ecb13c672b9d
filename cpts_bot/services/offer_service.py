"""The offer engine: answer, accept, decline, too late, edit the offers, end, next — once
for every "first accept wins" kind (dispatch, cover request, médecin traitant).

The first accept wins because the database says so: the kind's ``take`` moves the
subject from ``open`` to ``won`` with one conditional update, and only the handler whose
update changed the row goes on as the winner. Every loser is told once: either by the
win itself (a kind may close the pending offers and tell them, :func:`close_pending`),
or when their answer comes (:func:`too_late`) — never both, since the recipient's answer
records that they were told (``storage/offer_repository.unless_told_too_late``).

A kind (:class:`OfferKind`) supplies its rules and tables, its texts, and its side
effects as hooks: what winning does (details to the winner, the requester told, the
offers edited, a duty handed over...), what a decline leads to (escalation, the next
match), what a too-late answer leads to.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

import aiosqlite

from cpts_bot.core.messages import Reply
from cpts_bot.core.offers import ACCEPTED, DECLINED, Answer, Outcome
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context
from cpts_bot.services.offer_kind import OfferKind, T
from cpts_bot.services.responding import respond, respond_with
from cpts_bot.storage import offer_repository as offers
from cpts_bot.storage.offer_repository import OfferTables


async def answer(
    kind: OfferKind[T],
    deps: Context,
    subject_id: int,
    user_id: str,
    given: Answer,
    sent_at: datetime | None = None,
) -> Outcome:
    """Apply ``user_id``'s answer (written at ``sent_at``) to ``subject_id`` and tell
    them what happened."""
    subject = await kind.load(deps, subject_id)
    if subject is None:
        await respond_with(deps, user_id, kind.texts.unknown, id=subject_id)
        return Outcome.UNKNOWN
    if given is Answer.HAND_BACK:
        return await kind.hand_back(deps, subject, user_id)
    if await offers.recipient(kind.tables, deps.db, subject.id, user_id) is None:
        await respond_with(deps, user_id, kind.texts.not_offered, id=subject.id)
        return Outcome.NOT_ASKED
    if given is Answer.DECLINE:
        return await decline(kind, deps, subject, user_id)
    return await accept(kind, deps, subject, user_id, sent_at)


async def accept(
    kind: OfferKind[T],
    deps: Context,
    subject: T,
    user_id: str,
    sent_at: datetime | None = None,
) -> Outcome:
    """First accept wins; the others are too late."""
    if subject.state is kind.rules.open:
        if not await kind.may_take(deps, subject, user_id):
            return Outcome.NO_ROOM
        won = await kind.take(deps, subject, user_id)
        if won is not None:
            await offers.set_answer(kind.tables, deps.db, won.id, user_id, ACCEPTED, deps.now)
            await kind.won(deps, won, user_id)
            return Outcome.WON
        refreshed = await kind.load(deps, subject.id)
        assert refreshed is not None
        subject = refreshed
    return await too_late(kind, deps, subject, user_id, sent_at)


async def too_late(
    kind: OfferKind[T],
    deps: Context,
    subject: T,
    user_id: str,
    sent_at: datetime | None = None,
) -> Outcome:
    """An accept of a subject no longer open: the winner is told it is theirs already,
    a loser is told once who won (not again if the win told them before they wrote),
    the rest that it is closed."""
    holder = kind.holder(subject)
    if subject.state is kind.rules.won:
        if holder == user_id:
            await respond_with(deps, user_id, kind.texts.already_yours, id=subject.id)
            return Outcome.ALREADY_YOURS
        late = kind.rules.late
        once = offers.unless_told_too_late(sent_at)
        if await offers.set_answer(kind.tables, deps.db, subject.id, user_id, late, deps.now, once):
            name = await deps.display_name(str(holder))
            await respond_with(deps, user_id, kind.texts.too_late, name=name, id=subject.id)
        await kind.lost(deps, subject, user_id)
        return Outcome.TAKEN_BY_OTHER
    translator = await deps.translator_for(user_id)
    state = kind.state_name(subject.state, translator)
    text = translator.gettext(kind.texts.closed, id=subject.id, state=state)
    await respond(deps, user_id, Reply(text))
    return Outcome.CLOSED


async def decline(kind: OfferKind[T], deps: Context, subject: T, user_id: str) -> Outcome:
    """Recorded once while open; the kind decides what follows."""
    is_open = subject.state is kind.rules.open
    if is_open and await offers.set_answer(
        kind.tables, deps.db, subject.id, user_id, DECLINED, deps.now, offers.IF_PENDING
    ):
        state, event = subject.state, kind.rules.decline
        await offers.record_transition(
            kind.tables, deps.db, subject.id, event, state, state, user_id, deps.now
        )
    await respond_with(deps, user_id, kind.texts.declined, id=subject.id)
    if is_open:
        await kind.declined(deps, subject, user_id)
    return Outcome.DECLINED


async def everyone_declined(kind: OfferKind[T], db: aiosqlite.Connection, subject: T) -> bool:
    rows = await offers.recipients(kind.tables, db, subject.id)
    return bool(rows) and all(row["answer"] == DECLINED for row in rows)


async def edit_offers(
    kind: OfferKind[T],
    deps: Context,
    subject: T,
    status: str,
    own: str = "",
    *,
    only_to: str | None = None,
) -> None:
    """Put ``status`` (a catalog id with {id} and {name}) on top of every offer of
    ``subject`` (``only_to`` one person's); the winner's own offer gets ``own``
    instead, when given."""
    holder = kind.holder(subject)
    name = await deps.display_name(holder) if holder else ""
    rows = await offers.messages(kind.tables, deps.db, subject.id, kind.offer_messages)
    rows = [row for row in rows if only_to is None or row["target"] == only_to]
    translators = await deps.translators_for(row["target"] for row in rows)
    bodies: dict[str, str] = {}  # one per language
    edits = []
    for row in rows:
        translator = translators[row["target"]]
        if translator.language not in bodies:
            bodies[translator.language] = await kind.offer_body(deps, subject, translator)
        header = own if own and row["target"] == holder else status
        text = translator.gettext(header, id=subject.id, name=name)
        edits.append(
            (row["room_id"], row["event_id"], Reply(text + "\n" + bodies[translator.language]))
        )
    await deps.outbox.edit_each(edits)


async def end(
    kind: OfferKind[T],
    deps: Context,
    subject: T,
    event: StrEnum,
    actor: str,
    status: str,
    **fields: Any,
) -> T | None:
    """Move ``subject`` by ``event`` (cancel, expire) and mark its offers with
    ``status``; None if it had moved meanwhile."""
    ended = await kind.apply(deps, subject, event, actor, **fields)
    if ended is not None:
        await edit_offers(kind, deps, ended, status)
    return ended


async def close_pending(
    kind: OfferKind[T],
    deps: Context,
    subject: T,
    answer_word: str,
    *,
    notice: str | None = None,
) -> None:
    """Close every offer of ``subject`` still waiting for an answer with ``answer_word``;
    with ``notice``, tell each of them (once: a closed offer is not told again)."""
    for row in await offers.pending(kind.tables, deps.db, subject.id):
        user_id = row["user_id"]
        if (
            await offers.set_answer(
                kind.tables,
                deps.db,
                subject.id,
                user_id,
                answer_word,
                deps.now,
                offers.IF_PENDING,
            )
            and notice
        ):
            await tell(deps, user_id, notice, id=subject.id)


# A value written in its reader's language: called with their translator (may be async).
Localized = Callable[[Translator], str | Awaitable[str]]


async def in_language(values: dict[str, object], translator: Translator) -> dict[str, object]:
    """``values`` with each :data:`Localized` one written with ``translator``."""
    written: dict[str, object] = {}
    for name, value in values.items():
        if callable(value):
            value = value(translator)
            if inspect.isawaitable(value):
                value = await value
        written[name] = value
    return written


async def tell(
    deps: Context,
    user_id: str,
    message: str,
    *,
    ring: bool = False,
    correlation: str | None = None,
    **values: object,
) -> None:
    """Write to ``user_id`` in their direct chat; ``ring`` sends a plain message (which
    phones ring for) rather than a notice. A value may be :data:`Localized`: it is then
    written in the recipient's language (a duty, a contact), with the one translator."""
    translator = await deps.translator_for(user_id)
    await deps.outbox.send_direct(
        user_id,
        Reply(translator.gettext(message, **await in_language(values, translator))),
        notice=not ring,
        correlation=correlation,
    )


async def record_sent(
    tables: OfferTables,
    db: aiosqlite.Connection,
    parsed: tuple[int, str, str],
    room_id: str,
    event_id: str,
    now: datetime,
) -> None:
    """Remember a sent message (``parsed`` from its correlation: subject, kind, target) so
    that replies and reactions to it lead back to its subject."""
    subject_id, kind, target = parsed
    await offers.record_message(
        tables, db, event_id, room_id, subject_id or None, kind, target, now
    )


async def message_of(kind: OfferKind[T], context: Context, event_id: str) -> aiosqlite.Row | None:
    """The bot's message ``event_id`` about a subject of ``kind``, if it is one."""
    return await offers.message(kind.tables, context.db, event_id)


async def waiting_for(
    kind: OfferKind[T], context: Context, user_id: str, given: Answer
) -> list[int]:
    """What of ``kind`` waits for ``user_id``'s ``given`` answer, newest first."""
    return await kind.waiting_for(context.db, user_id, given)


async def tell_coordination(context: Context, reply: Reply) -> None:
    """Post ``reply`` in the coordination room, else to each coordinator directly."""
    room = context.config.rooms.coordination
    if room is not None:
        await context.outbox.send(room, reply, notice=False)
        return
    plain = Reply(reply.text)  # a room mention means nothing in a direct chat
    for coordinator in context.config.coordinators:
        await context.outbox.send_direct(coordinator, plain, notice=False)
