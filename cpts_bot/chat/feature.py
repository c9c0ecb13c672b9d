"""The contract between the router and each feature (directory, dispatch, alerts, ...).

A feature is told about every message and reaction, in order, inside the transaction
that will record the event as handled; it says whether it handled it. Everything it
wants sent goes through ``context.outbox`` and is committed with that transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import aiosqlite

from cpts_bot.chat.incoming import IncomingMessage, IncomingReaction
from cpts_bot.i18n import Translator
from cpts_bot.services.outbox import OutboxWriter
from cpts_bot.settings import RoomsConfig


@dataclass
class HandlerContext:
    """What a handler may use: the open transaction, the time, the outbox, the config."""

    db: aiosqlite.Connection
    now: datetime
    outbox: OutboxWriter
    config: RoomsConfig
    translator: Translator
    bot_user_id: str

    @property
    def _(self):
        return self.translator.gettext

    def is_coordinator(self, user_id: str) -> bool:
        return self.config.is_coordinator(user_id)


class ChatFeature(Protocol):
    """A feature of the bot. Features are tried in the order the app lists them."""

    name: str

    def help_lines(self, translator: Translator, is_coordinator: bool) -> list[str]:
        """One line per command this feature understands, for "aide"."""
        ...

    async def handle_message(self, message: IncomingMessage, context: HandlerContext) -> bool:
        """Handle ``message`` and return True, or return False to let the next feature try."""
        ...

    async def handle_reaction(self, reaction: IncomingReaction, context: HandlerContext) -> bool:
        """Handle ``reaction`` and return True, or return False."""
        ...
