"""What every handler and service works with — a chat command, a follow-up, a periodic
job, the offer engine: the open transaction, the time, the outbox, the configuration,
the directory, the translator of the person being answered.

One object for all of them: a feature that needs the directory hands the context its
own (:meth:`Context.with_directory`). The directory is reached through
:class:`ProfessionalLookup`, a Protocol, so that the services do not depend on how the
directory is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

import aiosqlite

from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.features.directory.models import Professional
from cpts_bot.features.dispatch.policy import DispatchPolicy, policy_from_config
from cpts_bot.features.rota.repository import rota_name
from cpts_bot.i18n import Translator
from cpts_bot.services.people import Person
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.core_repository import language_of, languages_of
from cpts_bot.storage.matrix_names import matrix_name
from cpts_bot.storage.outbox import OutboxWriter


class ProfessionalLookup(Protocol):
    """The part of the directory the services need."""

    async def members(
        self, db: aiosqlite.Connection, profession_code: str, communes: Collection[str] | None
    ) -> list[Professional]:
        """Active professionals of ``profession_code`` practising in one of ``communes``
        (every commune of the territory when None)."""
        ...

    async def by_matrix_id(self, db: aiosqlite.Connection, user_id: str) -> Professional | None:
        """The professional whose Matrix account is ``user_id``, if known."""
        ...


class NoDirectory:
    """A lookup that knows nobody: dispatches then reach only the professionals on duty."""

    async def members(
        self, db: aiosqlite.Connection, profession_code: str, communes: Collection[str] | None
    ) -> list[Professional]:
        return []

    async def by_matrix_id(self, db: aiosqlite.Connection, user_id: str) -> Professional | None:
        return None


@dataclass
class Context:
    """The open transaction, the time, the outbox, the configuration, the directory and
    the translator (the language of the person being answered; the territory's when
    none is given)."""

    db: aiosqlite.Connection
    now: datetime
    outbox: OutboxWriter
    config: RoomsConfig
    directory: ProfessionalLookup = field(default_factory=NoDirectory)
    bot_user_id: str = ""
    translator: Translator | None = None  # type: ignore[assignment]
    _translators: dict[str, Translator] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.translator is None:
            self.translator = Translator(self.config.language)

    @property
    def _(self) -> Callable[..., str]:
        assert self.translator is not None
        return self.translator.gettext

    def is_coordinator(self, user_id: str) -> bool:
        return self.config.is_coordinator(user_id)

    def with_directory(self, directory: ProfessionalLookup) -> Context:
        """This context, seeing ``directory``."""
        return replace(self, directory=directory)

    @property
    def policy(self) -> DispatchPolicy:
        return policy_from_config(self.config)

    @property
    def places(self) -> PlaceIndex:
        """The territory's places (names, neighbours, places named in a text)."""
        return places_for(self.config)

    async def translator_for(self, user_id: str) -> Translator:
        """The user's chosen language, else the territory's."""
        return self._translator(await language_of(self.db, user_id))

    async def translators_for(self, user_ids: Iterable[str]) -> dict[str, Translator]:
        """:meth:`translator_for` of each of ``user_ids``, their languages read at once."""
        users = list(user_ids)
        chosen = await languages_of(self.db, users)
        return {user_id: self._translator(chosen.get(user_id)) for user_id in users}

    def _translator(self, chosen: str | None) -> Translator:
        """The translator of ``chosen``, else of the territory's language (made once)."""
        language = chosen or self.config.language
        if language not in self._translators:
            self._translators[language] = Translator(language)
        return self._translators[language]

    async def person(self, user_id: str) -> Person:
        """The directory's card for ``user_id``, else the rota's name, else the bare id."""
        professional = await self.directory.by_matrix_id(self.db, user_id)
        if professional is not None and professional.display_name:
            return Person.from_card(user_id, professional)
        return Person(
            user_id, await rota_name(self.db, user_id) or await matrix_name(self.db, user_id)
        )

    async def display_name(self, user_id: str) -> str:
        """The directory's name for ``user_id``, else the rota's, else the Matrix id."""
        return (await self.person(user_id)).name or user_id

    async def contact(self, user_id: str, translator: Translator | None = None) -> str:
        """Name, profession and phone (« Alice TEST (IDE) — 04 78 … »); the Matrix id
        only when neither the directory nor the rota names the person."""
        translator = translator or Translator(self.config.language)
        return (await self.person(user_id)).label(translator, phone=True)


_PLACES: dict[int, tuple[RoomsConfig, PlaceIndex]] = {}


def places_for(config: RoomsConfig) -> PlaceIndex:
    """The territory's places, built once per configuration object."""
    cached = _PLACES.get(id(config))
    if cached is None or cached[0] is not config:
        cached = (config, PlaceIndex.from_territory(config.territory))
        _PLACES[id(config)] = cached
    return cached[1]


def answering_directly(context: Context) -> Context:
    """``context`` whose answers go to each person's direct chat (a reaction has nothing
    to reply to)."""
    return replace(context, outbox=OutboxWriter(context.db, context.now))
