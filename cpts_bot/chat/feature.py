"""The contract between the router and each feature (directory, dispatch, alerts, ...).

A feature is told about every message and reaction, in order, inside the transaction
that will record the event as handled; it says whether it handled it. Everything it
wants sent goes through ``context.outbox`` and is committed with that transaction.
"""

from __future__ import annotations

from typing import Protocol

from cpts_bot.domain.messages import IncomingMessage, IncomingReaction
from cpts_bot.i18n import Translator
from cpts_bot.services.handler_context import HandlerContext

__all__ = ["ChatFeature", "HandlerContext"]


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
