"""The in-memory directory index, loaded from the database and rebuilt after changes."""

from __future__ import annotations

import logging

from cpts_bot.core.vocabulary_loader import Vocabulary, load_vocabulary
from cpts_bot.features.directory.professional_matcher import DirectoryIndex
from cpts_bot.features.directory.repository import DirectoryRepository
from cpts_bot.storage.database import Database

log = logging.getLogger(__name__)


class DatabaseIndexProvider:
    """Holds the current index; :meth:`mark_dirty` after a card change, then
    :meth:`refresh_if_dirty` (after the transaction commits) rebuilds it."""

    def __init__(self, database: Database, vocabulary: Vocabulary | None = None) -> None:
        self._database = database
        self.vocabulary = vocabulary or load_vocabulary()
        self._index = DirectoryIndex.build([], (), self.vocabulary)
        self._dirty = True
        self._version: str | None = None

    def current_index(self) -> DirectoryIndex:
        return self._index

    def mark_dirty(self, _key: str = "") -> None:
        self._dirty = True

    async def refresh_if_dirty(self) -> None:
        """Rebuild if a card changed since the last build."""
        if self._dirty:
            await self.refresh()

    async def check_version(self) -> None:
        """Notice a change made behind the bot's back (an import run from the command
        line while it runs): polled by a periodic job, then rebuilt before the next event."""
        repository = DirectoryRepository(self._database.connection)
        if await repository.directory_version() != self._version:
            self._dirty = True

    async def refresh(self) -> None:
        self._dirty = False
        repository = DirectoryRepository(self._database.connection)
        self._version = await repository.directory_version()
        professionals = await repository.load_active_professionals()
        structures = await repository.load_active_structures()
        self._index = DirectoryIndex.build(professionals, structures, self.vocabulary)
        log.info(
            "directory loaded",
            extra={"professionals": len(professionals), "structures": len(structures)},
        )
