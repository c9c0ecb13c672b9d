"""What the Matrix adapter hands the chat layer: plain values, no nio types."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


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
