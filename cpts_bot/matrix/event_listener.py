"""nio events -> plain inbox items (messages, reactions, undecryptable events).

The bot's own events, notices from other bots, edits and state events are not items.
Nothing here sends or stores: the sync loop does.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from nio import MatrixRoom, MegolmEvent, ReactionEvent, RoomMemberEvent, RoomMessageText

from cpts_bot.core.messages import KIND_MESSAGE, KIND_REACTION, KIND_UNDECRYPTABLE
from cpts_bot.core.times import from_iso, from_millis, to_iso
from cpts_bot.storage.core_repository import InboxItem

_MX_REPLY = re.compile(r"<mx-reply>.*?</mx-reply>", re.S)


def strip_reply_fallback(body: str) -> str:
    """Remove the ``> quoted`` lines a client puts before a reply's own text."""
    lines = body.split("\n")
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    if index == 0:
        return body
    while index < len(lines) and not lines[index].strip():
        index += 1
    return "\n".join(lines[index:])


def _relation(content: dict[str, Any]) -> dict[str, Any]:
    relates = content.get("m.relates_to")
    return relates if isinstance(relates, dict) else {}


def to_inbox_item(event: Any, room: MatrixRoom, bot_user_id: str) -> InboxItem | None:
    """Turn one timeline event into an inbox item, or None when it is not for the bot."""
    if getattr(event, "sender", None) == bot_user_id:
        return None
    timestamp = to_iso(from_millis(event.server_timestamp))
    if isinstance(event, RoomMessageText):
        content = event.source.get("content", {})
        relation = _relation(content)
        if relation.get("rel_type") == "m.replace":
            return None
        reply_to = (relation.get("m.in_reply_to") or {}).get("event_id")
        thread_root = relation.get("event_id") if relation.get("rel_type") == "m.thread" else None
        if relation.get("is_falling_back") and thread_root:
            reply_to = None
        body = strip_reply_fallback(event.body) if reply_to else event.body
        mentions = content.get("m.mentions") or {}
        payload = {
            "body": body,
            "timestamp": timestamp,
            "reply_to": reply_to,
            "thread_root": thread_root,
            "is_direct": room.member_count <= 2,
            "room_encrypted": bool(room.encrypted),
            "mentions_bot": bot_user_id in (mentions.get("user_ids") or []),
            "sender_key": getattr(event, "sender_key", None),
            "sender_name": room.user_name(event.sender),
            "decrypted": bool(getattr(event, "decrypted", False)),
        }
        return InboxItem(event.event_id, room.room_id, event.sender, KIND_MESSAGE, payload)
    if isinstance(event, ReactionEvent):
        payload = {
            "key": event.key,
            "reacts_to": event.reacts_to,
            "timestamp": timestamp,
            # Element's library sends reactions in clear even in encrypted rooms.
            "encrypted": bool(getattr(event, "decrypted", False)),
        }
        return InboxItem(event.event_id, room.room_id, event.sender, KIND_REACTION, payload)
    if isinstance(event, MegolmEvent):
        payload = {
            "timestamp": timestamp,
            "source": event.source,
            "session_id": event.session_id,
            "sender_key": event.sender_key,
            "is_direct": room.member_count <= 2,
            "room_name": room.display_name,
        }
        return InboxItem(event.event_id, room.room_id, event.sender, KIND_UNDECRYPTABLE, payload)
    return None


def predates(timestamp_iso: str, joined_at_iso: str | None) -> bool:
    """True when an event is older than the bot's joining of its room."""
    if joined_at_iso is None:
        return False
    event_time: datetime = from_iso(timestamp_iso)
    return event_time < from_iso(joined_at_iso)


def joins(event: Any, bot: str) -> bool:
    """Whether ``event`` is someone other than ``bot`` joining the room (not a join
    repeated to change a name or an avatar)."""
    return (
        isinstance(event, RoomMemberEvent)
        and event.membership == "join"
        and event.prev_membership != "join"
        and event.state_key != bot
    )
