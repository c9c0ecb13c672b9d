"""An answer to an event the outbox may not have recorded yet is held back (see
:mod:`cpts_bot.core.answer_matching`): the router asks here, on each inbox row, before
routing it, and the row waits (at most a while) for the send it may answer."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import aiosqlite

from cpts_bot.core.answer_matching import AnswerFacts, Parent, must_wait
from cpts_bot.core.messages import KIND_MESSAGE, KIND_REACTION
from cpts_bot.services.answered import parent_in
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
    parent = await parent_in(db, answered) if answered else Parent.NONE
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


async def held_back(database: Database, row: InboxRow, now: datetime) -> bool:
    """Whether the inbox ``row`` waits for the send it answers to be recorded."""
    answered = answered_events(row.kind, row.payload)
    if not answered:
        return False
    async with database.transaction() as db:
        return await hold_back(db, row.event_id, row.room_id, row.sender, answered, now)
