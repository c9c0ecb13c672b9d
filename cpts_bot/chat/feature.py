"""The contract between the router and each feature (directory, dispatch, alerts, ...).

A feature declares its commands and follow-ups; the router matches them, whatever the
order features are listed in, inside the transaction that will record the event as
handled. Everything a handler wants sent goes through ``context.outbox`` and is
committed with that transaction.
"""

from __future__ import annotations

from typing import Protocol

from cpts_bot.core.messages import IncomingMessage, IncomingReaction
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context

__all__ = ["ChatFeature"]


class ChatFeature(Protocol):
    """A feature that routes some messages itself: its ``handle_message`` would be asked
    after the declared commands (see ``chat/command_dispatch.Routes``). None is left:
    every feature only declares commands (``commands()``) and follow-ups
    (``follow_up()`` / ``follow_ups()``); ``tests/unit/test_routing_order.py`` keeps it so."""

    name: str

    def help_lines(self, translator: Translator, is_coordinator: bool) -> list[str]:
        """One line per command this feature understands, for "aide"."""
        ...

    async def handle_message(self, message: IncomingMessage, context: Context) -> bool:
        """Handle ``message`` and return True, or return False to let the next feature try."""
        ...

    async def handle_reaction(self, reaction: IncomingReaction, context: Context) -> bool:
        """Handle ``reaction`` and return True, or return False."""
        ...
