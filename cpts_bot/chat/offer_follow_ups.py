"""One chat follow-up per offer kind (dispatch, cover request, médecin traitant): the
answers to its offers — a reply (« je prends », « pas dispo »), a reaction (👍 / ❌), a
bare « ok » in a direct chat while one of its offers waits for this person — handed to
the offer engine (``services/offer_service.py``).

A kind supplies an :class:`OfferChat`: which answers it takes, how to name what waits,
and what replies to its other messages mean (a dispatch's details, a patient's
registration...). The follow-up is routed like every other, by the correlation prefix of
the message answered (``chat/follow_ups.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from cpts_bot.chat.commands import Topic
from cpts_bot.chat.follow_ups import WAITING_ANSWER, FollowUp, Waiting
from cpts_bot.core.messages import IncomingMessage, IncomingReaction, Reply
from cpts_bot.core.offers import Answer, classify_answer, classify_reaction
from cpts_bot.i18n import Translator
from cpts_bot.services import offer_service
from cpts_bot.services.context import Context, answering_directly
from cpts_bot.services.offer_kind import OfferKind

# A reply to one of the kind's other messages: (message, the message row, context).
OtherReply = Callable[[IncomingMessage, Any, Context], Awaitable[bool]]


@dataclass(frozen=True)
class OfferChat:
    """What the chat needs of one offer kind."""

    kind: OfferKind[Any]
    prefix: str  # the correlation prefix of the kind's messages
    answers: frozenset[Answer]
    label: Callable[[Translator, list[int]], str]  # names what waits (« dispatch no. 4 »)
    several: str  # a catalog id with {ids}: several wait, reply to the one you mean
    deps: Callable[[Context], Context]
    other_reply: OtherReply | None = None
    help: str = ""
    examples: tuple[str, ...] = ()
    topic: Topic = Topic.GENERAL
    priority: int = 50


async def on_reply(chat: OfferChat, message: IncomingMessage, context: Context) -> bool:
    """A reply to one of the kind's messages: an answer to an offer, or what the kind
    makes of a reply to its other messages."""
    if not message.reply_to:
        return False
    row = await offer_service.message_of(chat.kind, context.db, message.reply_to)
    if row is None:
        return False
    if row["kind"] not in chat.kind.offer_messages:
        return chat.other_reply is not None and await chat.other_reply(message, row, context)
    answer = classify_answer(message.body)
    if answer not in chat.answers:
        return False
    assert answer is not None
    subject_id = row[chat.kind.tables.key]
    deps = chat.deps(context)
    await offer_service.answer(
        chat.kind, deps, subject_id, message.sender, answer, message.timestamp
    )
    return True


async def on_reaction(chat: OfferChat, reaction: IncomingReaction, context: Context) -> bool:
    """👍 / ❌ on an offer. A reaction has nothing to reply to: answers go to the direct
    chat."""
    row = await offer_service.message_of(chat.kind, context.db, reaction.reacts_to)
    answer = classify_reaction(reaction.key)
    if row is None or row["kind"] not in chat.kind.offer_messages or answer is None:
        return False
    deps = answering_directly(chat.deps(context))
    subject_id = row[chat.kind.tables.key]
    await offer_service.answer(
        chat.kind, deps, subject_id, reaction.sender, answer, reaction.timestamp
    )
    return True


async def waiting(chat: OfferChat, message: IncomingMessage, context: Context) -> Waiting | None:
    """A bare answer in a direct chat, replying to nothing, while offers of this kind
    wait for this person's answer (a pending exchange: see ``chat/follow_ups.py``)."""
    answer = classify_answer(message.body.strip())
    if not message.is_direct or answer not in chat.answers:
        return None
    assert answer is not None
    ids = await offer_service.waiting_for(chat.kind, context.db, message.sender, answer)
    if not ids:
        return None

    async def take() -> None:
        if len(ids) > 1:
            listed = ", ".join(str(subject_id) for subject_id in ids)
            await context.outbox.reply(Reply(context._(chat.several, ids=listed)))
            return
        deps = chat.deps(context)
        await offer_service.answer(
            chat.kind, deps, ids[0], message.sender, answer, message.timestamp
        )

    return Waiting(WAITING_ANSWER, chat.label(context.translator, ids), take)


def offer_follow_up(chat: OfferChat) -> FollowUp:
    """The follow-up of one offer kind, routed by its correlation prefix."""

    async def message_follow_up(message: IncomingMessage, context: Context, _c: str) -> bool:
        return await on_reply(chat, message, context)

    async def reaction_follow_up(reaction: IncomingReaction, context: Context, _c: str) -> bool:
        return await on_reaction(chat, reaction, context)

    async def waiting_follow_up(message: IncomingMessage, context: Context) -> Waiting | None:
        return await waiting(chat, message, context)

    return FollowUp(
        chat.prefix,
        message_follow_up,
        reaction_follow_up,
        waiting=waiting_follow_up,
        help=chat.help,
        examples=chat.examples,
        topic=chat.topic,
        priority=chat.priority,
    )
