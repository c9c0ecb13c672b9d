"""The language each person chose, as the router reads it for every message."""

from __future__ import annotations

from typing import Any

from cpts_bot.storage import core_repository as repo
from cpts_bot.storage.database import Database


class KnownLanguages:
    """Each person's language, read again only after a choice is written (or a
    transaction undone) in this process: a round trip less for each message."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._known: dict[str, tuple[tuple[int, int], str | None]] = {}

    async def of(self, db: Any, user_id: str) -> str | None:
        """The language ``user_id`` chose (None: the territory's), read on ``db``."""
        version = (repo.language_writes(), self._database.rollbacks)
        known = self._known.get(user_id)
        if known is None or known[0] != version:
            known = self._known[user_id] = (version, await repo.language_of(db, user_id))
        return known[1]
