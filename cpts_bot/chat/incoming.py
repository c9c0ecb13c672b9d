"""The message types, now in :mod:`cpts_bot.domain.messages` (kept importable from here)."""

from cpts_bot.domain.messages import (
    KIND_MESSAGE,
    KIND_REACTION,
    KIND_UNDECRYPTABLE,
    IncomingMessage,
    IncomingReaction,
    Reply,
    message_from_payload,
    reaction_from_payload,
)

__all__ = [
    "KIND_MESSAGE",
    "KIND_REACTION",
    "KIND_UNDECRYPTABLE",
    "IncomingMessage",
    "IncomingReaction",
    "Reply",
    "message_from_payload",
    "reaction_from_payload",
]
