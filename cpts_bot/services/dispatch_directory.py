"""The directory as the dispatch feature sees it (a :class:`ProfessionalLookup`)."""

from __future__ import annotations

from collections.abc import Collection

import aiosqlite

from cpts_bot.domain.directory_models import Professional
from cpts_bot.storage.directory_repository import DirectoryRepository


class DirectoryProfessionalLookup:
    """Professionals with a Matrix account, from the directory tables."""

    async def members(
        self, db: aiosqlite.Connection, profession_code: str, communes: Collection[str] | None
    ) -> list[Professional]:
        """Active professionals of ``profession_code`` who gave a Matrix ID, practising in
        one of ``communes`` (anywhere when None)."""
        sql = (
            "SELECT DISTINCT p.key FROM directory_professionals p"
            " JOIN directory_cards c ON c.professional_key = p.key AND c.matrix_id IS NOT NULL"
        )
        parameters: list[str] = []
        if communes is not None:
            codes = sorted(set(communes))
            if not codes:
                return []
            marks = ",".join("?" for _ in codes)
            sql += (
                " JOIN directory_sites s ON s.professional_key = p.key"
                f" AND s.commune_insee IN ({marks})"
            )
            parameters.extend(codes)
        sql += " WHERE p.active = 1 AND p.profession_code = ? ORDER BY p.key"
        parameters.append(profession_code)
        async with db.execute(sql, parameters) as cursor:
            keys = [row[0] for row in await cursor.fetchall()]
        repository = DirectoryRepository(db)
        found = []
        for key in keys:
            professional = await repository.get_professional(key)
            if professional is not None and professional.matrix_id:
                found.append(professional)
        return found

    async def by_matrix_id(self, db: aiosqlite.Connection, user_id: str) -> Professional | None:
        return await DirectoryRepository(db).find_by_matrix_id(user_id)
