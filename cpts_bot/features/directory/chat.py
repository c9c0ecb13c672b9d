"""The directory chat feature: understand a question, search the index, reply.

Each user keeps a short conversation context per room (in memory, expiring after
``context_ttl``), so "plus", "et à domicile ?" and the answer to "which one do you
mean?" continue the previous question. Messages that are not directory questions
(and the hook intents: on call, dispatch, alerts) are left to the other features.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from html import escape
from typing import Protocol

from cpts_bot.chat.not_understood import pointer
from cpts_bot.chat.place_labels import outside_note, outside_reply_lines, with_first_line
from cpts_bot.core.messages import IncomingMessage, IncomingReaction, Reply
from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.places.resolver import official_communes
from cpts_bot.core.text_normalizer import tokens
from cpts_bot.core.vocabulary_loader import Vocabulary, load_vocabulary
from cpts_bot.features.directory.name_or_place import names_over_lone_places
from cpts_bot.features.directory.professional_matcher import DirectoryIndex, SearchResult, search
from cpts_bot.features.directory.query_parser import (
    ConversationContext,
    DirectoryQuery,
    Intent,
    Lexicon,
    parse_query,
)
from cpts_bot.features.directory.replies import DirectoryReplies
from cpts_bot.features.reports.request_tracking_service import (
    RecentQuestions,
    track_directory_question,
)
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services.context import Context
from cpts_bot.settings import Territory

DEFAULT_CONTEXT_TTL = timedelta(minutes=30)
MAX_CONTEXTS = 10_000


class DirectoryIndexProvider(Protocol):
    """Whatever holds the current in-memory directory (rebuilt after an import)."""

    def current_index(self) -> DirectoryIndex: ...


@dataclass
class _Remembered:
    context: ConversationContext
    at: datetime


class DirectoryFeature:
    """ChatFeature answering directory questions ("qui fait quoi, où")."""

    name = "directory"

    def __init__(
        self,
        index_provider: DirectoryIndexProvider,
        vocabulary: Vocabulary | None = None,
        context_ttl: timedelta = DEFAULT_CONTEXT_TTL,
        answer_unaddressed: bool = False,
        recent_questions: RecentQuestions | None = None,
    ) -> None:
        """``answer_unaddressed``: also answer in group rooms when the bot is not mentioned.

        ``recent_questions``: shared with the hand-off feature, so that "coordination"
        after a question passes that question on.
        """
        self.index_provider = index_provider
        self.recent_questions = recent_questions
        self.vocabulary = vocabulary or load_vocabulary()
        self.context_ttl = context_ttl
        self.answer_unaddressed = answer_unaddressed
        self._contexts: dict[tuple[str, str], _Remembered] = {}
        self._lexicons: dict[int, tuple[Territory, PlaceIndex, Lexicon]] = {}
        official_communes()  # read once at start-up, not on the first question

    def help_lines(self, translator: Translator, is_coordinator: bool) -> list[str]:
        """One line: how to ask the directory."""
        return [
            translator.gettext(
                N_(
                    "Directory: “kiné respi à domicile Lyon 8”, “combien d'IDE à Bron ?”, "
                    "then “plus”"
                )
            )
        ]

    def lexicon_for(self, territory: Territory) -> tuple[PlaceIndex, Lexicon]:
        """The place index and lexicon of ``territory`` (built once, then cached)."""
        cached = self._lexicons.get(id(territory))
        if cached is None or cached[0] is not territory:
            places = PlaceIndex.build(territory.communes, territory.sectors, territory.name)
            cached = (territory, places, Lexicon.build(self.vocabulary, places))
            self._lexicons = {id(territory): cached}
        return cached[1], cached[2]

    def conversation(self, user_id: str, room_id: str, now: datetime) -> ConversationContext:
        """The user's unexpired context in this room (empty when none)."""
        remembered = self._contexts.get((user_id, room_id))
        if remembered is None or now - remembered.at > self.context_ttl:
            return ConversationContext()
        return remembered.context

    def _remember(
        self, user_id: str, room_id: str, context: ConversationContext, now: datetime
    ) -> None:
        if len(self._contexts) >= MAX_CONTEXTS:
            expired = [
                key for key, item in self._contexts.items() if now - item.at > self.context_ttl
            ]
            for key in expired:
                del self._contexts[key]
            if len(self._contexts) >= MAX_CONTEXTS:
                oldest = min(self._contexts, key=lambda key: self._contexts[key].at)
                del self._contexts[oldest]
        self._contexts[(user_id, room_id)] = _Remembered(context, now)

    async def handle_message(self, message: IncomingMessage, context: Context) -> bool:
        """Answer a directory question; False when the message is not one."""
        if not (message.is_direct or message.mentions_bot or self.answer_unaddressed):
            return False
        places, lexicon = self.lexicon_for(context.config.territory)
        previous = self.conversation(message.sender, message.room_id, context.now)
        parsed = parse_query(message.body, lexicon, previous)
        # "sage-femme Brunet": a surname of the directory, not the commune elsewhere
        query = names_over_lone_places(self.index_provider.current_index(), parsed.query)
        if query.intent == Intent.UNKNOWN:
            query = self._as_name_look_up(query, places)
        if query.intent in (Intent.UNKNOWN, *_HOOKS):
            return False
        if query.intent == Intent.HELP and not _DIRECTORY_WORDS & set(tokens(message.body)):
            # General help belongs to the router; the directory answers "aide annuaire".
            return False
        replies = DirectoryReplies(self.vocabulary, places, context.translator)
        if (on_duty := pointer(message.body, context.translator)) is not None:
            reply = Reply(on_duty)  # « pharma ouverte dimanche ? »: the 3237 knows
        elif query.intent == Intent.HELP:
            reply = replies.help_reply()
        elif query.intent == Intent.MORE:
            reply = replies.nothing_to_continue_reply()
        elif query.intent == Intent.CLARIFY:
            reply = replies.clarification_reply(query)
        elif query.outside_places and not query.places:
            # Never the whole territory's list for a place the territory does not cover.
            lines = outside_reply_lines(query, places, context.translator)
            reply = Reply("\n".join(lines), "".join(f"<p>{escape(line)}</p>" for line in lines))
            empty = SearchResult(query, (), 0, query.page)
            reply = await self._track(message, context, query, empty, places, reply)
        else:
            result = search(self.index_provider.current_index(), query, self.vocabulary, places)
            reply = with_first_line(
                replies.search_reply(result), outside_note(query, places, context.translator)
            )
            if query.page == 0:
                reply = await self._track(message, context, query, result, places, reply)
        self._remember(message.sender, message.room_id, parsed.context, context.now)
        await context.outbox.reply(reply)
        return True

    def _as_name_look_up(self, query: DirectoryQuery, places: PlaceIndex) -> DirectoryQuery:
        """« Dimitri Chauveau » alone: no profession, place or activity word, but the
        name of someone in the directory — a question about that person."""
        as_find = replace(query, intent=Intent.FIND)
        result = search(self.index_provider.current_index(), as_find, self.vocabulary, places)
        return as_find if result.name is not None and result.found else query

    async def _track(
        self,
        message: IncomingMessage,
        context: Context,
        query: DirectoryQuery,
        result: SearchResult,
        places: PlaceIndex,
        reply: Reply,
    ) -> Reply:
        """Record the question; offer the hand-off when nothing was found, even relaxed."""
        summary_words = DirectoryReplies(
            self.vocabulary, places, Translator(context.config.language)
        ).criteria(query)
        recent = await track_directory_question(
            context, message, query, result, summary_words, self.vocabulary
        )
        if self.recent_questions is not None:
            self.recent_questions.remember(message.sender, message.room_id, recent)
        if result.found or context.config.rooms.coordination is None:
            return reply
        offer = context._("Write « coordination » to pass your request on to the team.")
        html = reply.html + f"<p>{escape(offer)}</p>" if reply.html else None
        return replace(reply, text=f"{reply.text}\n{offer}", html=html)

    async def handle_reaction(self, reaction: IncomingReaction, context: Context) -> bool:
        """The directory does not use reactions."""
        return False


_DIRECTORY_WORDS = frozenset({"annuaire", "directory"})
_HOOKS = (Intent.ON_CALL, Intent.DISPATCH, Intent.ALERT)


@dataclass
class StaticIndexProvider:
    """An index provider holding one index (tests, demo); ``replace`` swaps it."""

    index: DirectoryIndex

    def current_index(self) -> DirectoryIndex:
        return self.index

    def replace(self, index: DirectoryIndex) -> None:
        self.index = index
