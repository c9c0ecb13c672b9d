"""What a handler (a chat command, a follow-up, a periodic job) works with: the open
transaction, the time, the outbox, the configuration, the translator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from cpts_bot.i18n import Translator
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.outbox import OutboxWriter


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
