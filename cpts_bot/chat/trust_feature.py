"""Coordinators confirm a user's new identity: ``confiance @user:server``.

When a user's cross-signing master key changes, the bot ignores that user until a
coordinator, having checked with them out of band, confirms the new key. ``confiance``
alone lists the identities waiting for confirmation.
"""

from __future__ import annotations

import re

from cpts_bot.chat.feature import HandlerContext
from cpts_bot.chat.incoming import IncomingMessage, IncomingReaction, Reply
from cpts_bot.i18n import Translator
from cpts_bot.storage import pinned_identities as pins

COMMAND = re.compile(
    r"^\s*!?(?:confiance|confirmer\s+identit[eé]|trust)\b\s*(?P<user>\S+)?\s*$", re.IGNORECASE
)
USER_ID = re.compile(r"^@[^:\s]+:[A-Za-z0-9.\-]+(:\d+)?$")


def _fingerprint(master_key: str) -> str:
    """The key in groups of four, as clients show it, for a comparison by phone."""
    return " ".join(master_key[i : i + 4] for i in range(0, len(master_key), 4))


class TrustFeature:
    """The ``confiance`` command (coordinators only)."""

    name = "trust"

    def help_lines(self, translator: Translator, is_coordinator: bool) -> list[str]:
        if not is_coordinator:
            return []
        return [
            translator.gettext(
                "confiance @name:server — confirm a user's new identity after checking with them"
            )
        ]

    async def handle_message(self, message: IncomingMessage, context: HandlerContext) -> bool:
        match = COMMAND.match(message.body)
        if not match:
            return False
        _ = context._
        if not context.is_coordinator(message.sender):
            await context.outbox.reply(Reply(_("Only coordinators can confirm an identity.")))
            return True
        user_id = match.group("user")
        if user_id is None:
            await context.outbox.reply(Reply(await self._pending_text(context)))
            return True
        if not USER_ID.match(user_id):
            await context.outbox.reply(
                Reply(
                    _(
                        "“{text}” is not a Matrix ID. Write for example: confiance @name:server",
                        text=user_id,
                    )
                )
            )
            return True
        confirmed = await pins.confirm_pending(context.db, user_id, message.sender, context.now)
        if confirmed is None:
            await context.outbox.reply(
                Reply(
                    _("Nothing to confirm for {user}: no identity change is pending.", user=user_id)
                )
            )
            return True
        await context.outbox.reply(
            Reply(
                _(
                    "Identity of {user} confirmed. I answer their messages again.\nNew key: {key}",
                    user=user_id,
                    key=_fingerprint(confirmed.master_key),
                )
            )
        )
        return True

    async def _pending_text(self, context: HandlerContext) -> str:
        _ = context._
        pending = await pins.list_pending(context.db)
        if not pending:
            return _("No identity change awaits confirmation.")
        lines = [_("Identity changes awaiting confirmation:")]
        for identity in pending:
            key = _fingerprint(identity.pending_master_key or "")
            lines.append(f"• {identity.user_id} — {key}")
        lines.append(_("After checking with the person: confiance @name:server"))
        return "\n".join(lines)

    async def handle_reaction(self, reaction: IncomingReaction, context: HandlerContext) -> bool:
        return False
