"""The in-memory directory index, rebuilt from the database when it is out of date.

Whatever changes the directory (an import, a card update) calls :meth:`mark_stale`;
the next directory question rebuilds the index inside its own transaction (so it reads
a consistent directory) before searching. Questions in between use the index as built.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import aiosqlite

from cpts_bot.domain.directory_models import Professional, Structure
from cpts_bot.domain.professional_matcher import DirectoryIndex

DirectoryLoader = Callable[
    [aiosqlite.Connection], Awaitable[tuple[Sequence[Professional], Sequence[Structure]]]
]


class DirectoryIndexCache:
    """An index provider for :class:`DirectoryFeature`, fed by ``loader``."""

    def __init__(self, loader: DirectoryLoader) -> None:
        self._loader = loader
        self._index = DirectoryIndex.build([])
        self._stale = True
        self.builds = 0

    def current_index(self) -> DirectoryIndex:
        """The index as last built (empty before the first :meth:`prepare`)."""
        return self._index

    def mark_stale(self) -> None:
        """The directory changed: rebuild before the next question."""
        self._stale = True

    async def prepare(self, db: aiosqlite.Connection) -> None:
        """Rebuild the index from ``db`` if it is out of date."""
        if not self._stale:
            return
        professionals, structures = await self._loader(db)
        self._index = DirectoryIndex.build(professionals, structures)
        self._stale = False
        self.builds += 1
