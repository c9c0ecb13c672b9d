"""The messages the bot receives and sends, as plain values (no nio types): what the
Matrix adapter hands the chat layer, and what handlers queue in the outbox."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cpts_bot.core.times import from_iso

KIND_MESSAGE = "message"
KIND_REACTION = "reaction"
KIND_UNDECRYPTABLE = "undecryptable"


@dataclass(frozen=True)
class IncomingMessage:
    """A text message for the bot, already decrypted, its reply fallback removed."""

    event_id: str
    room_id: str
    sender: str
    body: str
    timestamp: datetime
    reply_to: str | None = None
    thread_root: str | None = None
    is_direct: bool = False
    room_encrypted: bool = True
    mentions_bot: bool = False


@dataclass(frozen=True)
class IncomingReaction:
    """An ``m.reaction`` (annotation) on an event."""

    event_id: str
    room_id: str
    sender: str
    key: str
    reacts_to: str
    timestamp: datetime


@dataclass(frozen=True)
class Reply:
    """One message to post: plain text and, optionally, its HTML rendering."""

    text: str
    html: str | None = None
    mentions: tuple[str, ...] = field(default_factory=tuple)
    room_mention: bool = False


def without_mention(body: str, bot_user_id: str) -> str:
    """The text without a leading mention of the bot ("cpts-bot: ma fiche")."""
    localpart = bot_user_id.lstrip("@").split(":", 1)[0]
    for prefix in (bot_user_id, "@" + localpart, localpart):
        if prefix and body.lower().startswith(prefix.lower()):
            rest = body[len(prefix) :]
            if not rest or rest[0] in ":, \t\n":
                return rest.lstrip(":, \t\n")
    return body


def message_from_payload(
    event_id: str, room_id: str, sender: str, payload: dict[str, Any]
) -> IncomingMessage:
    return IncomingMessage(
        event_id=event_id,
        room_id=room_id,
        sender=sender,
        body=payload["body"],
        timestamp=from_iso(payload["timestamp"]),
        reply_to=payload.get("reply_to"),
        thread_root=payload.get("thread_root"),
        is_direct=bool(payload.get("is_direct")),
        room_encrypted=bool(payload.get("room_encrypted", True)),
        mentions_bot=bool(payload.get("mentions_bot")),
    )


def reaction_from_payload(
    event_id: str, room_id: str, sender: str, payload: dict[str, Any]
) -> IncomingReaction:
    return IncomingReaction(
        event_id=event_id,
        room_id=room_id,
        sender=sender,
        key=payload["key"],
        reacts_to=payload["reacts_to"],
        timestamp=from_iso(payload["timestamp"]),
    )
