"""The directory as the dispatch feature sees it (a :class:`ProfessionalLookup`)."""

from __future__ import annotations

from collections.abc import Collection

import aiosqlite

from cpts_bot.features.directory.models import Professional
from cpts_bot.features.directory.repository import DirectoryRepository


class DirectoryProfessionalLookup:
    """Professionals with a Matrix account, from the directory tables."""

    async def members(
        self, db: aiosqlite.Connection, profession_code: str, communes: Collection[str] | None
    ) -> list[Professional]:
        """Active professionals of ``profession_code`` who gave a Matrix ID, practising in
        one of ``communes`` (anywhere when None)."""
        repository = DirectoryRepository(db)
        keys = await repository.keys_reachable_by_chat(profession_code, communes)
        found = await repository.get_professionals(keys)
        return [professional for professional in found if professional.matrix_id]

    async def by_matrix_id(self, db: aiosqlite.Connection, user_id: str) -> Professional | None:
        return await DirectoryRepository(db).find_by_matrix_id(user_id)
