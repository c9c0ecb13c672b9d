"""One short welcome in each direct chat the bot opened ahead of need, once its person
has joined: an invitation from a bot says nothing by itself, and the chat has then had a
message before the first request that matters there (a room's first message costs the
homeserver more than the next ones: docs/benchmarks.md, dispatch fan-out). A chat the
bot wrote in before its person joined (a dispatch at first need) gets none."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from cpts_bot.core.catalog_marks import N_
from cpts_bot.core.messages import Reply
from cpts_bot.i18n import Translator
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.core_repository import languages_of
from cpts_bot.storage.database import Database
from cpts_bot.storage.direct_chat_welcomes import take_welcomes
from cpts_bot.storage.outbox import OutboxWriter

WELCOME = N_(
    "Hello, I am the assistant of {territory}. Requests for you come to this chat "
    "(dispatches, duty covers): reply “je prends” or react 👍 to take one. Write “aide” "
    "to see all I can do."
)


async def queue_welcomes(
    database: Database, config: RoomsConfig, joined: Collection[str], now: datetime
) -> int:
    """Queue the welcome of each of ``joined`` (people who joined their direct chat)
    whose chat has had none and no message; how many were queued."""
    if not joined:
        return 0
    async with database.transaction() as db:
        fresh = await take_welcomes(db, joined, now)
        chosen = await languages_of(db, fresh)
        texts: dict[str, str] = {}
        messages = []
        for user_id in fresh:
            language = chosen.get(user_id) or config.language
            if language not in texts:
                translator = Translator(language)
                texts[language] = translator.gettext(WELCOME, territory=config.territory.name)
            messages.append((user_id, Reply(texts[language]), None))
        await OutboxWriter(db, now).send_direct_each(messages)
    return len(messages)
