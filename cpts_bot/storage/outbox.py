"""The outbox: what the bot will send, queued in the handler's transaction.

Rows are sent in order by the Matrix adapter, each with its fixed transaction id, so a
resend after a crash is deduplicated by the homeserver. A row may carry a
``correlation`` (e.g. ``"dispatch:42:@nurse:hs"``): once it is sent, listeners
registered for that prefix learn the event id (to map later replies and reactions).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from cpts_bot.core.delivery_policy import PRIORITY_ANSWER, PRIORITY_BULK
from cpts_bot.core.messages import Reply
from cpts_bot.core.times import to_iso

ACTION_MESSAGE = "message"  # target: room id
ACTION_DIRECT_MESSAGE = "direct_message"  # target: user id (the bot's DM with that user)
ACTION_REACTION = "reaction"  # target: room id
ACTION_EDIT = "edit"  # target: room id
ACTION_REDACT = "redact"  # target: room id
ACTION_PIN = "pin"  # target: room id
ACTION_UNPIN = "unpin"  # target: room id


_INSERT = (
    "INSERT INTO outbox (txn_id, action, target, payload, correlation, created_at, priority)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def _outbox_row(
    action: str,
    target: str,
    payload: dict[str, Any],
    correlation: str | None,
    now: datetime,
    priority: int,
) -> tuple[str, str, str, str, str | None, str, int]:
    """The values of one outbox row, under a new transaction id (its first item)."""
    txn_id = "cpts" + uuid.uuid4().hex
    payload_json = json.dumps(payload, ensure_ascii=False)
    return (txn_id, action, target, payload_json, correlation, to_iso(now), priority)


@dataclass
class OutboxWriter:
    """Queue sends inside the current transaction ``db``."""

    db: aiosqlite.Connection
    now: datetime
    reply_to_event: str | None = None
    reply_room: str | None = None

    async def _queue(
        self,
        action: str,
        target: str,
        payload: dict[str, Any],
        correlation: str | None,
        priority: int = PRIORITY_BULK,
    ) -> str:
        row = _outbox_row(action, target, payload, correlation, self.now, priority)
        await self.db.execute(_INSERT, row)
        return row[0]

    async def reply(
        self, reply: Reply, correlation: str | None = None, *, clear: bool = False
    ) -> str:
        """Answer the message being handled, as an ``m.notice`` reply to it: it goes
        before bulk sends (offers, edits, alert posts). ``clear`` lets it go to a room
        that is not encrypted (a refusal that says nothing of anyone: anything else is
        sent only in encrypted rooms)."""
        if self.reply_room is None:
            raise RuntimeError("reply() outside the handling of a message")
        payload = _message_payload(reply, self.reply_to_event, None, True)
        if clear:
            payload["clear"] = True
        return await self._queue(
            ACTION_MESSAGE, self.reply_room, payload, correlation, PRIORITY_ANSWER
        )

    async def send(
        self,
        room_id: str,
        reply: Reply,
        *,
        in_reply_to: str | None = None,
        thread_root: str | None = None,
        notice: bool = True,
        correlation: str | None = None,
    ) -> str:
        """Post ``reply`` in ``room_id``."""
        payload = _message_payload(reply, in_reply_to, thread_root, notice)
        return await self._queue(ACTION_MESSAGE, room_id, payload, correlation)

    async def send_direct(
        self, user_id: str, reply: Reply, *, notice: bool = True, correlation: str | None = None
    ) -> str:
        """Post ``reply`` in the bot's encrypted direct chat with ``user_id`` (created if need be)."""
        payload = _message_payload(reply, None, None, notice)
        return await self._queue(ACTION_DIRECT_MESSAGE, user_id, payload, correlation)

    async def send_direct_each(
        self, messages: Sequence[tuple[str, Reply, str | None]], *, notice: bool = True
    ) -> None:
        """:meth:`send_direct` for each ``(user_id, reply, correlation)``, queued in one
        write (a dispatch to a hundred professionals)."""
        await self._queue_each(
            ACTION_DIRECT_MESSAGE,
            [
                (user_id, _message_payload(reply, None, None, notice), correlation)
                for user_id, reply, correlation in messages
            ],
        )

    async def _queue_each(
        self, action: str, rows: Sequence[tuple[str, dict[str, Any], str | None]]
    ) -> None:
        """Queue ``(target, payload, correlation)`` rows of ``action`` in one write."""
        await self.db.executemany(
            _INSERT,
            [
                _outbox_row(action, target, payload, correlation, self.now, PRIORITY_BULK)
                for target, payload, correlation in rows
            ],
        )

    async def react(self, room_id: str, event_id: str, key: str) -> str:
        payload = {"relates_to": event_id, "key": key}
        return await self._queue(ACTION_REACTION, room_id, payload, None)

    async def edit(self, room_id: str, event_id: str, reply: Reply) -> str:
        """Replace the text of the bot's own message ``event_id``."""
        return await self._queue(ACTION_EDIT, room_id, _edit_payload(event_id, reply), None)

    async def edit_each(self, edits: Sequence[tuple[str, str, Reply]]) -> None:
        """:meth:`edit` for each ``(room_id, event_id, reply)``, queued in one write (the
        offers of a request just taken)."""
        await self._queue_each(
            ACTION_EDIT,
            [(room_id, _edit_payload(event_id, reply), None) for room_id, event_id, reply in edits],
        )

    async def pin(self, room_id: str, event_id: str, correlation: str | None = None) -> str:
        """Pin ``event_id``; a ``correlation`` lets a failure be reported (see the
        adapter's failure listeners)."""
        return await self._queue(ACTION_PIN, room_id, {"event_id": event_id}, correlation)

    async def unpin(self, room_id: str, event_id: str) -> str:
        return await self._queue(ACTION_UNPIN, room_id, {"event_id": event_id}, None)


def _message_payload(
    reply: Reply, in_reply_to: str | None, thread_root: str | None, notice: bool
) -> dict[str, Any]:
    return {
        "text": reply.text,
        "html": reply.html,
        "mentions": list(reply.mentions),
        "room_mention": reply.room_mention,
        "in_reply_to": in_reply_to,
        "thread_root": thread_root,
        "notice": notice,
    }


def _edit_payload(event_id: str, reply: Reply) -> dict[str, Any]:
    payload = _message_payload(reply, None, None, True)
    payload["replaces"] = event_id
    return payload
