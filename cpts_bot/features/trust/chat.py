"""Coordinators confirm a user's new identity: ``confiance @user:server``.

When a user's cross-signing master key changes, the bot ignores that user until a
coordinator, having checked with them out of band, confirms the new key. ``confiance``
alone lists the identities waiting for confirmation.
"""

from __future__ import annotations

import re

from cpts_bot.chat.command_table import command_table, row
from cpts_bot.chat.commands import Audience, CommandCall, Context, Parameter, Topic
from cpts_bot.features.trust import identity_changes_service as identity_changes
from cpts_bot.i18n.translator import N_

COMMAND = re.compile(r"^!?(?:confiance|confirmer\s+identite|trust)\b\s*(?P<user>\S+)?\s*$")
USER_ID = re.compile(r"^@[^:\s]+:[A-Za-z0-9.\-]+(:\d+)?$")


def _fingerprint(master_key: str) -> str:
    """The key in groups of four, as clients show it, for a comparison by phone."""
    return " ".join(master_key[i : i + 4] for i in range(0, len(master_key), 4))


async def confirm_identity(call: CommandCall) -> None:
    """``confiance`` (list the pending changes) or ``confiance @user`` (confirm one)."""
    context, _ = call.context, call._
    match = call.value
    if match.group("user") is None:
        await call.reply(await _pending_text(context))
        return
    # The match is on folded text: take the ID as written (case matters in Matrix IDs).
    user_id = call.message.body.strip()[match.start("user") : match.end("user")]
    if not USER_ID.match(user_id):
        await call.reply(
            _(
                "“{text}” is not a Matrix ID. Write for example: confiance @name:server",
                text=user_id,
            )
        )
        return
    confirmed = await identity_changes.confirm(context, user_id, call.message.sender)
    if confirmed is None:
        await call.reply(
            _("Nothing to confirm for {user}: no identity change is pending.", user=user_id)
        )
        return
    await call.reply(
        _(
            "Identity of {user} confirmed. I answer their messages again.\nNew key: {key}",
            user=user_id,
            key=_fingerprint(confirmed.master_key),
        )
    )


async def _pending_text(context: Context) -> str:
    _ = context._
    pending = await identity_changes.pending(context)
    if not pending:
        return _("No identity change awaits confirmation.")
    lines = [_("Identity changes awaiting confirmation:")]
    for identity in pending:
        key = _fingerprint(identity.pending_master_key or "")
        lines.append(f"• {identity.user_id} — {key}")
    lines.append(_("After checking with the person: confiance @name:server"))
    return "\n".join(lines)


TRUST_COMMANDS = command_table(
    row(
        "confiance",
        COMMAND,
        70,
        N_("confirm a user's new identity after checking with them"),
        N_("confiance @name:server"),
        N_("confiance"),
        handler=confirm_identity,
        parameters=(
            Parameter("user", "user_id", N_("the person whose new identity you checked"), True),
        ),
    ),
    topic=Topic.COORDINATION,
    audience=Audience.COORDINATOR,
)
