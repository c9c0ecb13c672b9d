"""Answering the person being handled: a reply to the message when there is one, else a
direct message. Shared by the offer engine and every feature's services."""

from __future__ import annotations

from cpts_bot.core.messages import Reply
from cpts_bot.services.context import Context


async def respond(deps: Context, user_id: str, reply: Reply) -> None:
    """Answer the message being handled when there is one, else write to ``user_id``."""
    if deps.outbox.reply_room is not None:
        await deps.outbox.reply(reply)
    else:
        await deps.outbox.send_direct(user_id, reply)


async def respond_with(deps: Context, user_id: str, message: str, **values: object) -> None:
    """:func:`respond` with ``message`` (a catalog id) in ``user_id``'s language."""
    translator = await deps.translator_for(user_id)
    await respond(deps, user_id, Reply(translator.gettext(message, **values)))
