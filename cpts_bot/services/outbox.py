"""The outbox writer, now in :mod:`cpts_bot.storage.outbox` (kept importable from here)."""

from cpts_bot.storage.outbox import (
    ACTION_DIRECT_MESSAGE,
    ACTION_EDIT,
    ACTION_MESSAGE,
    ACTION_PIN,
    ACTION_REACTION,
    ACTION_REDACT,
    ACTION_UNPIN,
    OutboxWriter,
)

__all__ = [
    "ACTION_DIRECT_MESSAGE",
    "ACTION_EDIT",
    "ACTION_MESSAGE",
    "ACTION_PIN",
    "ACTION_REACTION",
    "ACTION_REDACT",
    "ACTION_UNPIN",
    "OutboxWriter",
]
