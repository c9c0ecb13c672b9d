"""What the bot says in a room that is not end-to-end encrypted: one line, sent in clear
(it says nothing of anyone), and, in an unencrypted direct chat, the opening of an
encrypted one where everything else goes (the Matrix adapter never sends anything else
to a room that is not encrypted, and never keeps such a room as a person's direct chat).
"""

from __future__ import annotations

from cpts_bot.core.messages import IncomingMessage, Reply
from cpts_bot.services.context import Context


async def refuse_clear_room(message: IncomingMessage, context: Context) -> None:
    """Answer ``message``, said in a room that is not encrypted, when it was for the bot."""
    _ = context.translator.gettext
    if message.is_direct:
        text = _(
            "I only work in end-to-end encrypted rooms: I send nothing here. I am opening an "
            "encrypted chat with you: write to me there."
        )
        await context.outbox.reply(Reply(text), clear=True)
        # The direct chat with this person is always an encrypted one: opened now if need be.
        await context.outbox.send_direct(
            message.sender,
            Reply(
                _("Here is our encrypted chat: write to me here (« aide » lists what I can do).")
            ),
        )
        return
    text = _(
        "I only work in end-to-end encrypted rooms: no directory data here. "
        "Write to me in an encrypted chat."
    )
    await context.outbox.reply(Reply(text), clear=True)
