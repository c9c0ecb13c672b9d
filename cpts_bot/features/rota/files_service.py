"""Files the rota sends: a person's duties as an .ics calendar, in their direct chat."""

from __future__ import annotations

from cpts_bot.services.context import Context
from cpts_bot.storage.outbox_media import queue_direct_file


async def send_calendar_file(
    context: Context, user_id: str, filename: str, data: bytes, mimetype: str, caption: str
) -> str:
    """Queue ``data`` for ``user_id``'s direct chat in the current transaction; its txn id."""
    return await queue_direct_file(context.outbox, user_id, filename, data, mimetype, caption)
