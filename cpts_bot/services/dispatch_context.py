"""What the dispatch and rota services need, and small helpers they share.

The directory is reached through :class:`ProfessionalLookup`, a Protocol, so that these
services do not depend on how the directory is stored.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Protocol

import aiosqlite

from cpts_bot.domain.directory_models import Professional
from cpts_bot.domain.dispatch_policy import DispatchPolicy, policy_from_config
from cpts_bot.domain.messages import Reply
from cpts_bot.domain.place_index import PlaceIndex
from cpts_bot.domain.profession_words import profession_label
from cpts_bot.domain.times import PARIS
from cpts_bot.i18n import Translator
from cpts_bot.services.people import Person
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.core_repository import language_of
from cpts_bot.storage.outbox import OutboxWriter
from cpts_bot.storage.rota_repository import rota_name


class ProfessionalLookup(Protocol):
    """The part of the directory the dispatch feature needs."""

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
class DispatchDeps:
    """The open transaction, the time, the outbox, the configuration and the directory."""

    db: aiosqlite.Connection
    now: datetime
    outbox: OutboxWriter
    config: RoomsConfig
    directory: ProfessionalLookup
    bot_user_id: str = ""
    _translators: dict[str, Translator] = field(default_factory=dict)

    @property
    def policy(self) -> DispatchPolicy:
        return policy_from_config(self.config)

    @property
    def places(self) -> PlaceIndex:
        """The territory's places (names, neighbours, places named in a text)."""
        return places_for(self.config)

    # The former name of ``places``.
    gazetteer = places

    async def translator_for(self, user_id: str) -> Translator:
        """The user's chosen language, else the territory's."""
        language = await language_of(self.db, user_id) or self.config.language
        if language not in self._translators:
            self._translators[language] = Translator(language)
        return self._translators[language]

    async def person(self, user_id: str) -> Person:
        """The directory's card for ``user_id``, else the rota's name, else the bare id."""
        professional = await self.directory.by_matrix_id(self.db, user_id)
        if professional is not None and professional.display_name:
            return Person.from_card(user_id, professional)
        return Person(user_id, await rota_name(self.db, user_id))

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


def format_moment(moment: datetime, precision: str, translator: Translator) -> str:
    """A moment for people: "lun. 23 nov. 20:00" in Paris time (no hour for a whole day)."""
    pattern = "EEE d MMM" if precision == "day" else "EEE d MMM HH:mm"
    return translator.format_datetime(moment, pattern)


def format_time(moment: datetime, translator: Translator) -> str:
    return translator.format_datetime(moment, "HH:mm")


def format_duration(elapsed: timedelta, translator: Translator) -> str:
    """A duration as people say it: « moins d'une minute », « 12 min », « 1 h 05 »;
    never « 0 min »."""
    minutes = int(elapsed.total_seconds() // 60)
    if minutes < 1:
        return translator.gettext("less than a minute")
    if minutes < 60:
        return translator.gettext("{minutes} min", minutes=minutes)
    return _hours(minutes, translator)


def _hours(minutes: int, translator: Translator) -> str:
    hours, rest = divmod(minutes, 60)
    if rest == 0:
        return translator.gettext("{hours} h", hours=hours)
    return translator.gettext("{hours} h {minutes}", hours=hours, minutes=f"{rest:02d}")


def format_hours(start: time, end: time, translator: Translator) -> str:
    """A slot's hours: « 20:00–08:00 »; a slot whose end is its start lasts 24 h:
    « 24 h à partir de 08:00 », or « toute la journée » from midnight."""
    if start == end:
        if start == time(0, 0):
            return translator.gettext("all day (24 h)")
        return translator.gettext("24 h from {start}", start=start.strftime("%H:%M"))
    return f"{start.strftime('%H:%M')}–{end.strftime('%H:%M')}"


def format_span(start: datetime, end: datetime, translator: Translator) -> str:
    """The hours of a duty between two instants (Paris time), 24 h slots in words."""
    local_start, local_end = start.astimezone(PARIS), end.astimezone(PARIS)
    if end - start >= timedelta(days=1):
        return format_hours(local_start.time(), local_start.time(), translator)
    return format_hours(local_start.time(), local_end.time(), translator)


def profession_name(code: str, translator: Translator) -> str:
    return profession_label(code, translator.language)


def place_names(communes: Collection[str], places: PlaceIndex, translator: Translator) -> str:
    if not communes:
        return translator.gettext("whole territory")
    return ", ".join(places.name(code) for code in communes)


async def respond(deps: DispatchDeps, user_id: str, reply: Reply) -> None:
    """Answer the message being handled when there is one, else write to ``user_id``."""
    if deps.outbox.reply_room is not None:
        await deps.outbox.reply(reply)
    else:
        await deps.outbox.send_direct(user_id, reply)


async def respond_with(deps: DispatchDeps, user_id: str, message: str, **values: object) -> None:
    """:func:`respond` with ``message`` (a catalog id) in ``user_id``'s language."""
    translator = await deps.translator_for(user_id)
    await respond(deps, user_id, Reply(translator.gettext(message, **values)))


def answering_directly(deps: DispatchDeps) -> DispatchDeps:
    """``deps`` whose answers go to each person's direct chat (a reaction has nothing to
    reply to)."""
    return replace(deps, outbox=OutboxWriter(deps.db, deps.now))
