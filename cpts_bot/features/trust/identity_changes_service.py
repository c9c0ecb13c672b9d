"""Identity changes awaiting a coordinator's confirmation (« confiance @name:server »):
a person whose cross-signing key changed is not answered until then."""

from __future__ import annotations

from cpts_bot.services.context import Context
from cpts_bot.storage import pinned_identities as pins
from cpts_bot.storage.pinned_identities import PinnedIdentity


async def confirm(context: Context, user_id: str, by: str) -> PinnedIdentity | None:
    """``by`` confirms ``user_id``'s new identity; None when no change was pending."""
    return await pins.confirm_pending(context.db, user_id, by, context.now)


async def pending(context: Context) -> list[PinnedIdentity]:
    """The identity changes awaiting confirmation."""
    return await pins.list_pending(context.db)
