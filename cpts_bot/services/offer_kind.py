"""What one kind of "first accept wins" offer supplies to the offer engine
(``services/offer_service.py``): its rules and tables, its texts, and its side effects
as hooks. A new kind is a subclass setting four attributes and a few methods."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

import aiosqlite

from cpts_bot.core.offers import Answer, OfferRules, Outcome
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context
from cpts_bot.storage import offer_repository as offers
from cpts_bot.storage.offer_repository import OfferTables


class Subject(Protocol):
    """What is offered: a dispatch, a request for cover, a patient's request."""

    @property
    def id(self) -> int: ...

    @property
    def state(self) -> Any: ...


T = TypeVar("T", bound=Subject)


@dataclass(frozen=True)
class OfferTexts:
    """A kind's answers to a person (catalog ids; ``{id}``, ``{name}``, ``{state}``), and
    the names of its states (catalog ids)."""

    unknown: str  # no such subject
    not_offered: str
    already_yours: str
    too_late: str  # someone else ({name}) won
    closed: str  # no longer open ({state})
    declined: str
    states: Mapping[Any, str]


class OfferKind(Generic[T]):
    """One kind of offer. Subclasses set the four attributes and implement ``load``,
    ``take``, ``apply``, ``holder`` and ``offer_body``; the other hooks do nothing unless
    the kind has something to do."""

    rules: OfferRules[Any, Any]
    tables: OfferTables
    texts: OfferTexts
    offer_messages: tuple[str, ...]  # the message kinds an answer may reply to

    async def load(self, deps: Context, subject_id: int) -> T | None:
        raise NotImplementedError

    async def take(self, deps: Context, subject: T, user_id: str) -> T | None:
        """The conditional update that makes ``user_id`` the winner (None: lost)."""
        raise NotImplementedError

    async def apply(
        self, deps: Context, subject: T, event: StrEnum, actor: str, **fields: Any
    ) -> T | None:
        """Move ``subject`` by ``event`` (None: it moved meanwhile)."""
        raise NotImplementedError

    def holder(self, subject: T) -> str | None:
        """Who won ``subject``, if anyone."""
        raise NotImplementedError

    async def offer_body(self, deps: Context, subject: T, translator: Translator) -> str:
        """An offer's text once it can no longer be answered (under its status line)."""
        raise NotImplementedError

    def state_name(self, state: Any, translator: Translator) -> str:
        """The name of ``state``, in the person's language."""
        return translator.gettext(self.texts.states[state])

    async def may_take(self, deps: Context, subject: T, user_id: str) -> bool:
        """Whether ``user_id`` may win now (False: they were told why)."""
        return True

    async def won(self, deps: Context, subject: T, user_id: str) -> None:
        """The side effects of a win: who is told what, what changes."""

    async def declined(self, deps: Context, subject: T, user_id: str) -> None:
        """After a decline of an open offer (escalate, end, offer the next one)."""

    async def lost(self, deps: Context, subject: T, user_id: str) -> None:
        """After an accept that came too late."""

    async def hand_back(self, deps: Context, subject: T, user_id: str) -> Outcome:
        """« je ne peux plus »: most kinds have nothing to hand back."""
        return Outcome.UNKNOWN

    async def waiting_for(self, db: aiosqlite.Connection, user_id: str, given: Answer) -> list[int]:
        """The open subjects offered to ``user_id`` that they have not answered."""
        return await offers.awaiting_answer_of(self.tables, db, user_id, self.rules.open)
