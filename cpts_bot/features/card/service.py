"""The directory's cards as a person reads and edits them by chat (« ma fiche », « fiche
de Mme Martin : téléphone … »): whose card a phrase names, the card, its changes."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from cpts_bot.features.card.update_parser import CardTarget
from cpts_bot.features.directory.card import Card, FieldChange
from cpts_bot.features.directory.models import Professional
from cpts_bot.features.directory.repository import DirectoryRepository


class Cards:
    """The cards of the directory, in the caller's transaction."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._repository = DirectoryRepository(db)

    async def key_of(self, matrix_id: str) -> str | None:
        """The card linked to the Matrix account ``matrix_id``."""
        return await self._repository.find_key_by_matrix_id(matrix_id)

    async def keys_for(self, target: CardTarget) -> list[str]:
        """The cards ``target`` names: by Matrix ID, RPPS number, or name (« Martin
        Claire » as well as « Claire Martin »)."""
        repository = self._repository
        if target.matrix_id:
            key = await repository.find_key_by_matrix_id(target.matrix_id)
            return [key] if key else []
        if target.rpps:
            key = "8" + target.rpps
            return [key] if await repository.exists(key) else []
        name = (target.name or "").strip()
        keys = await repository.find_keys_by_name(name)
        words = name.split()
        if not keys and len(words) > 1:
            keys = sorted(
                set(await repository.find_keys_by_name(words[-1], " ".join(words[:-1])))
                | set(await repository.find_keys_by_name(words[0], " ".join(words[1:])))
            )
        return keys

    async def professional(self, key: str) -> Professional | None:
        return await self._repository.get_professional(key)

    async def card(self, key: str) -> Card:
        return await self._repository.load_card(key)

    async def profession_label(self, key: str) -> str:
        return await self._repository.profession_label(key)

    async def save(self, key: str, card: Card, changed_by: str, now: datetime) -> list[FieldChange]:
        """Store ``card`` as ``key``'s, each changed field logged; the changes."""
        return await self._repository.save_card(key, card, changed_by, now)
