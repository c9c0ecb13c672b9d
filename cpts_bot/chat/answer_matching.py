"""Answers are matched to what they answer, or to nothing (see
:mod:`cpts_bot.core.answer_matching`): the router holds back an answer to an event
the outbox may not have recorded yet, and the routing never gives an answer to an
unknown, foreign or closed message to another open request."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import aiosqlite

from cpts_bot.core.answer_matching import AnswerFacts, Parent, must_wait, strongest
from cpts_bot.core.messages import (
    KIND_MESSAGE,
    KIND_REACTION,
    IncomingMessage,
    IncomingReaction,
    Reply,
)
from cpts_bot.core.offers import Answer, classify_answer, classify_reaction
from cpts_bot.services.context import Context
from cpts_bot.storage import answer_waits
from cpts_bot.storage.core_repository import InboxRow
from cpts_bot.storage.database import Database


def answered_events(kind: str, payload: dict[str, Any]) -> list[str]:
    """The events an inbox event answers: a message's reply and thread root, a
    reaction's target."""
    if kind == KIND_MESSAGE:
        keys: Iterable[str] = ("reply_to", "thread_root")
    elif kind == KIND_REACTION:
        keys = ("reacts_to",)
    else:
        return []
    return list(dict.fromkeys(str(payload[key]) for key in keys if payload.get(key)))


async def parent_of(db: aiosqlite.Connection, events: Iterable[str]) -> Parent:
    return strongest([await answer_waits.parent_of(db, event_id) for event_id in events])


async def hold_back(
    db: aiosqlite.Connection,
    event_id: str,
    room_id: str,
    sender: str,
    answered: list[str],
    now: datetime,
) -> bool:
    """Whether the answer ``event_id`` waits for the outbox to record the send it may
    answer (recorded as waiting); False when it is to be routed now."""
    parent = await parent_of(db, answered) if answered else Parent.NONE
    since = await answer_waits.waiting_since(db, event_id)
    if parent is not Parent.UNKNOWN and since is None:
        return False
    facts = AnswerFacts(
        parent=parent,
        unrecorded_send=parent is Parent.UNKNOWN
        and await answer_waits.unrecorded_send_to(db, room_id, sender),
        waiting_since=since,
        waiting_count=await answer_waits.waiting_count(db),
    )
    if must_wait(facts, now):
        await answer_waits.start_waiting(db, event_id, room_id, now)
        return True
    await answer_waits.stop_waiting(db, event_id)
    return False


def should_tell(message: IncomingMessage, parent: Parent) -> bool:
    """Whether an answer to something that is not an open request is told so: in a direct
    chat, when the bot is mentioned, or when it answers the bot's own message or one the
    bot does not know (in a shared room, a colleague's « ok » to a colleague is theirs)."""
    if classify_answer(message.body) is None:
        return False
    return (
        message.is_direct
        or message.mentions_bot
        or parent in (Parent.BOT_CORRELATED, Parent.UNKNOWN)
    )


def _answers_nothing(context: Context) -> Reply:
    return Reply(
        context._(
            "Your answer matches no open request: the message you replied to is not one "
            "of my requests waiting for you. Nothing was taken. Reply to the request's "
            "own message."
        )
    )


async def tell_answers_nothing(context: Context) -> None:
    await context.outbox.reply(_answers_nothing(context))


async def tell_reaction_answers_nothing(reaction: IncomingReaction, context: Context) -> bool:
    """A 👍 in the person's direct chat on an event the bot does not know (its send was
    never recorded): told that nothing was taken, rather than dropped in silence."""
    if classify_reaction(reaction.key) is not Answer.ACCEPT:
        return False
    if await parent_of(context.db, [reaction.reacts_to]) is not Parent.UNKNOWN:
        return False
    if not await answer_waits.is_direct_room(context.db, reaction.sender, reaction.room_id):
        return False
    await context.outbox.send(reaction.room_id, _answers_nothing(context))
    return True


async def held_back(database: Database, row: InboxRow, now: datetime) -> bool:
    """Whether the inbox ``row`` waits for the send it answers to be recorded."""
    answered = answered_events(row.kind, row.payload)
    if not answered:
        return False
    async with database.transaction() as db:
        return await hold_back(db, row.event_id, row.room_id, row.sender, answered, now)
