"""How a person is named to others: the directory card's name and profession (and phone
where the context needs it), else the rota's name, else their Matrix display name, else
the Matrix ID."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiosqlite

from cpts_bot.core.profession_words import profession_label
from cpts_bot.features.directory.models import Professional
from cpts_bot.features.directory.repository import DirectoryRepository
from cpts_bot.features.rota.repository import rota_name
from cpts_bot.i18n import Translator
from cpts_bot.storage import core_repository
from cpts_bot.storage.matrix_names import matrix_name

if TYPE_CHECKING:  # the context names people with this module: no import at run time
    from cpts_bot.services.context import Context


@dataclass(frozen=True)
class Person:
    """What the bot knows to name ``user_id``."""

    user_id: str
    name: str | None = None
    profession_code: str | None = None
    phone: str | None = None

    @classmethod
    def from_card(cls, user_id: str, professional: Professional) -> Person:
        phones = [site.phone for site in professional.sites if site.phone]
        return cls(
            user_id,
            professional.display_name or None,
            professional.profession_code or None,
            phones[0] if phones else None,
        )

    def label(self, translator: Translator, *, phone: bool = False) -> str:
        """« Alice TEST (IDE) », with « — 04 78 … » when ``phone``; the Matrix ID when
        nothing names the person."""
        if self.name is None:
            return self.user_id
        text = self.name
        if self.profession_code:
            text += f" ({profession_label(self.profession_code, translator.language)})"
        if phone and self.phone:
            text += f" — {self.phone}"
        return text


async def find_person(db: aiosqlite.Connection, user_id: str) -> Person:
    professional = await DirectoryRepository(db).find_by_matrix_id(user_id)
    if professional is not None and professional.display_name:
        return Person.from_card(user_id, professional)
    return Person(user_id, await rota_name(db, user_id) or await matrix_name(db, user_id))


async def person_label(
    db: aiosqlite.Connection, user_id: str, translator: Translator, *, phone: bool = False
) -> str:
    return (await find_person(db, user_id)).label(translator, phone=phone)


async def person_labels(context: Context, user_ids: Iterable[str]) -> list[str]:
    """How ``user_ids`` are named to the person the context answers."""
    return [await person_label(context.db, u, context.translator) for u in user_ids]


async def is_listed(context: Context, user_id: str) -> bool:
    """Whether the directory has a card for the Matrix account ``user_id``."""
    return await DirectoryRepository(context.db).find_key_by_matrix_id(user_id) is not None


async def set_language(context: Context, user_id: str, language: str) -> None:
    """« langue en »: ``user_id`` is answered in ``language`` from now on."""
    await core_repository.set_language(context.db, user_id, language, context.now)
