"""Declared commands: each command says once what it is, and routing and help follow.

A :class:`Command` declares its phrase (a pattern, or a domain parser returning a typed
command), its audience (anyone, a professional of the directory, a coordinator), where
it is heard (direct chat, mention, any room, the coordination room), its help text and
examples (catalog strings), its help topic and priority, and its handler.

The :class:`CommandRegistry` picks, for a message, the declaration whose phrase
understands it most specifically: a pattern's specificity is how much of the message its
fixed words account for (captured values do not count), a parser's is declared. Free
text (the directory question) has specificity 0 and is understood only when nothing else
is. Order never matters: :meth:`CommandRegistry.problems` lists what would make it matter
(two claiming one phrase) or cannot be helped (no help, no example, or one not understood).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Protocol

from cpts_bot.chat.triggers import Triggers, derived, message_text
from cpts_bot.core.messages import IncomingMessage, Reply
from cpts_bot.core.text_normalizer import fold, loosen
from cpts_bot.services.context import Context

FREE_TEXT = 0


class Audience(StrEnum):
    """Who may use a command: the router refuses the others, once, with one text."""

    ANYONE = "anyone"
    PROFESSIONAL = "professional"  # someone with a card in the directory
    COORDINATOR = "coordinator"


class Heard(StrEnum):
    """Where a message was said, as the router sees it."""

    DIRECT = "direct"  # the bot's direct chat with the person
    MENTION = "mention"  # a room message that mentions the bot
    ROOM = "room"  # any room message, mentioned or not
    COORDINATION_ROOM = "coordination_room"


ADDRESSED = frozenset({Heard.DIRECT, Heard.MENTION})
EVERYWHERE = frozenset({Heard.DIRECT, Heard.MENTION, Heard.ROOM})


class Topic(StrEnum):
    """The help topics: « aide annuaire », « aide gardes », ... (value: the French word)."""

    DIRECTORY = "annuaire"
    DUTY = "gardes"
    ALERTS = "alertes"
    COORDINATION = "coordination"
    GENERAL = "general"


@dataclass(frozen=True)
class Understood:
    """What a phrase read in a message: a match or a typed command, and how specifically."""

    value: Any
    specificity: int
    body: str | None = None  # the loose form it was read in, when not as typed


class Phrase(Protocol):
    """How a command recognises its messages."""

    def read(self, message: IncomingMessage, context: Context) -> Understood | None: ...


def fold_command(text: str) -> str:
    """The text commands are matched on: trimmed, lower case, no accents, same spelling
    otherwise (positions in it map back to the stripped original)."""
    return fold(text.strip(), keep_positions=True)


@dataclass(frozen=True)
class Pattern:
    """A regular expression matched on :func:`fold_command` of the message."""

    regex: re.Pattern[str]

    def read(self, message: IncomingMessage, context: Context) -> Understood | None:
        match = self.regex.match(fold_command(message.body))
        if match is None:
            return None
        return Understood(match, literal_length(match))

    def triggers(self) -> Triggers:
        """A pattern's triggers are its own required words."""
        return derived(self.regex)


@dataclass(frozen=True)
class Parser:
    """A domain parser: ``parse(text, context)`` returns a typed command or None."""

    parse: Callable[[str, Context], Any]
    specificity: int

    def read(self, message: IncomingMessage, context: Context) -> Understood | None:
        value = self.parse(message.body, context)
        return None if value is None else Understood(value, self.specificity)


@dataclass(frozen=True)
class MessageParser:
    """Like :class:`Parser`, for parsers that need the whole message (sender, room)."""

    parse: Callable[[IncomingMessage, Context], Any]
    specificity: int

    def read(self, message: IncomingMessage, context: Context) -> Understood | None:
        value = self.parse(message, context)
        return None if value is None else Understood(value, self.specificity)


def literal_length(match: re.Match[str]) -> int:
    """Characters of the match that are the pattern's own words, not captured values."""
    captured: set[int] = set()
    for index in range(1, (match.re.groups or 0) + 1):
        start, end = match.span(index)
        if start >= 0:
            captured.update(range(start, end))
    return len(match.group(0).strip()) - len(captured)


@dataclass(frozen=True)
class CommandCall:
    """One message understood as one command: what the handler receives."""

    command: Command
    message: IncomingMessage
    context: Context
    value: Any
    typed: str | None = None  # the body as typed, when ``message`` holds its loose form

    @property
    def typed_message(self) -> IncomingMessage:
        """The message as the person typed it (to quote it back or pass it on)."""
        return self.message if self.typed is None else replace(self.message, body=self.typed)

    @property
    def _(self) -> Callable[..., str]:
        return self.context.translator.gettext

    async def reply(self, text: str, html: str | None = None) -> None:
        await self.context.outbox.reply(Reply(text, html=html))


# A handler may return False to say "not mine after all" (e.g. no rota for that
# profession: the directory answers); None or True mean handled.
Handler = Callable[[CommandCall], Awaitable[bool | None]]


@dataclass(frozen=True)
class Parameter:
    """One argument, as published to clients (MSC4391): key, type and description."""

    key: str
    type: str  # string | integer | user_id | ...
    description: str  # N_ msgid
    optional: bool = False


@dataclass(frozen=True)
class Command:
    """One declared command. ``help`` and ``examples`` are catalog message ids; an
    example may name ``{commune}`` / ``{other_commune}``, filled from the territory."""

    name: str
    phrase: Phrase
    handler: Handler
    help: str
    examples: tuple[str, ...]
    topic: Topic
    audience: Audience = Audience.ANYONE
    heard: frozenset[Heard] = EVERYWHERE
    priority: int = 50
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)
    published: bool = True  # offered to clients as room state (MSC4391)
    help_audience: Audience | None = None  # who sees it in help, when not ``audience``
    # What a message must hold for the phrase to read it (a pattern derives its own);
    # None on a parser: undeclared, it reads every message and the checks say so.
    triggers: Triggers | None = None

    def is_heard(self, places: frozenset[Heard]) -> bool:
        return bool(self.heard & places)

    @property
    def trigger_words(self) -> Triggers | None:
        if self.triggers is not None:
            return self.triggers
        own = getattr(self.phrase, "triggers", None)
        return own() if own is not None else None

    def may_read(self, free_text: bool | None) -> bool:
        """Whether the phrase may understand free text (``free_text``), or something
        else (not ``free_text``), as far as its declared specificity tells."""
        declared = getattr(self.phrase, "specificity", None)
        if free_text is None or declared is None:
            return True
        return (declared == FREE_TEXT) == free_text


class CommandRegistry:
    """The declared commands; the same answer whatever the order they were declared in."""

    def __init__(self, commands: Iterable[Command] = ()) -> None:
        self._commands: dict[str, Command] = {}
        self._triggers: dict[str, Triggers] = {}
        self.declare(*commands)

    def declare(self, *commands: Command) -> None:
        for command in commands:
            if command.name in self._commands:
                raise ValueError(f"command {command.name!r} is declared twice")
            self._commands[command.name] = command
            self._triggers[command.name] = command.trigger_words or Triggers()
        self._sorted = tuple(self._commands[name] for name in sorted(self._commands))
        self._fragments = frozenset().union(*(t.fragments for t in self._triggers.values()))

    def readers(
        self, message: IncomingMessage, places: frozenset[Heard] | None, free_text: bool | None
    ) -> list[Command]:
        """The declarations whose phrase may understand ``message`` (heard in ``places``,
        free text or not): those whose triggers it holds (each fragment looked for once)."""
        present = message_text(message.body).present(self._fragments)
        return [
            command
            for command in self._sorted
            if (places is None or command.is_heard(places))
            and command.may_read(free_text)
            and self._triggers[command.name].held_in(present)
        ]

    @property
    def commands(self) -> tuple[Command, ...]:
        """Every declaration, by name (never by declaration order)."""
        return self._sorted

    def candidates(
        self,
        message: IncomingMessage,
        context: Context,
        places: frozenset[Heard] | None = None,
        free_text: bool | None = None,
    ) -> list[tuple[Command, Understood]]:
        """Every declaration that understands ``message``, most specific first.

        Its loose forms spelt out (:func:`loosen`: « c ki de garde dem1 » -> « c'est qui
        de garde demain ») are read too; what understands only them carries that
        ``body``, and the text as typed wins a tie."""
        found = self._read(message, context, places, free_text)
        loose = loosen(message.body)
        if loose and loose != message.body.strip():
            found += [
                (command, replace(understood, body=loose))
                for command, understood in self._read(
                    replace(message, body=loose), context, places, free_text
                )
                if understood.specificity != FREE_TEXT
            ]
        return sorted(found, key=lambda item: (-item[1].specificity, item[0].name))

    def _read(
        self,
        message: IncomingMessage,
        context: Context,
        places: frozenset[Heard] | None,
        free_text: bool | None,
    ) -> list[tuple[Command, Understood]]:
        found = []
        for command in self.readers(message, places, free_text):
            understood = command.phrase.read(message, context)
            if understood is not None:
                found.append((command, understood))
        return found

    def heard(
        self,
        message: IncomingMessage,
        context: Context,
        places: frozenset[Heard],
        free_text: bool = False,
    ) -> list[tuple[Command, Understood]]:
        """The declarations heard in ``places`` that understand ``message``, most specific
        first (only free text if ``free_text``, else none of it)."""
        return [
            (command, understood)
            for command, understood in self.candidates(message, context, places, free_text)
            if (understood.specificity == FREE_TEXT) == free_text
        ]
