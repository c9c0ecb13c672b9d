"""Chat feature: "je veux parler à la coordination" -> a person of the coordination answers.

Also relays the coordinators' answers, written in the thread of the hand-off post (or
as a reply to it) in the coordination room, to the person who asked.
"""

from __future__ import annotations

import re

import aiosqlite

from cpts_bot.chat.commands import Audience, Command, CommandCall, Parser, Topic
from cpts_bot.chat.feature import HandlerContext
from cpts_bot.chat.follow_ups import FollowUp
from cpts_bot.chat.incoming import IncomingMessage, IncomingReaction, Reply
from cpts_bot.domain.text_normalizer import fold
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services import handoff
from cpts_bot.services.request_tracking import RecentQuestions, requester_profession

_PERSON = (
    r"(?:la\s+)?(?:coordination|coordinat(?:eur|rice)s?|cpts|(?:un|une)\s+(?:humain|personne)"
    r"|quelqu\s*un|une\s+vraie\s+personne|un\s+etre\s+humain)"
)
HANDOFF_PATTERNS = (
    re.compile(rf"\b(?:parler|discuter|echanger)\s+(?:a|avec)\s+{_PERSON}\b"),
    re.compile(
        r"\b(?:appeler|contacter|joindre|rappeler)\s+(?:la\s+)?(?:coordination|cpts|"
        r"coordinat(?:eur|rice)s?)\b"
    ),
    re.compile(r"^(?:je\s+veux\s+|je\s+voudrais\s+)?(?:un|une)\s+(?:humain|vraie\s+personne)\b"),
    re.compile(r"^(?:humain|coordination)\s*[!?.]*$"),
    re.compile(
        r"\b(?:talk|speak)\s+(?:to|with)\s+(?:a\s+human|a\s+person|someone|"
        r"(?:the\s+)?coordinat(?:ion|or))\b"
    ),
)


def _spaced(text: str) -> str:
    return re.sub(r"['`-]", " ", fold(text)).strip()


def _with_request(question: str, request: str) -> str:
    """The remembered question, and the words of the request unless they are only a call
    for the coordination ("coordination", "un humain")."""
    if _BARE_REQUEST.match(_spaced(request)):
        return question
    return f"{question} — {request.strip()}"


_BARE_REQUEST = re.compile(
    r"^(?:(?:je\s+)?(?:veux|voudrais)\s+)?(?:parler\s+a\s+)?(?:la\s+|un\s+|une\s+)?"
    r"(?:coordination|humain|personne|cpts)\s*(?:svp|s\s*il\s+vous\s+plait)?\s*[!?.]*$"
)


def asks_for_a_person(text: str) -> bool:
    """True when ``text`` asks to talk to a person of the coordination."""
    folded = _spaced(text)
    return any(pattern.search(folded) for pattern in HANDOFF_PATTERNS)


class HandoffFeature:
    """Hand requests to the coordination and relay its answers."""

    name = "handoff"
    routes_itself = False  # declared: see commands()
    help_topic = Topic.COORDINATION

    def __init__(self, recent_questions: RecentQuestions | None = None) -> None:
        """``recent_questions``: the directory's last question per person and room (shared
        with the directory feature); "coordination" right after it passes it on."""
        self.recent_questions = recent_questions

    def follow_up(self) -> FollowUp:
        """Coordinators' answers to a hand-off post (correlated ``handoff:``) are relayed."""

        async def on_message(message: IncomingMessage, context: HandlerContext, _c: str) -> bool:
            if message.room_id != context.config.rooms.coordination:
                return False
            relayed = await handoff.relay_answer(
                context.db, context.outbox, context.config, message
            )
            return relayed is not None

        return FollowUp(
            "handoff:",
            on_message,
            help=N_("answer a hand-off in the thread of its post: the answer is relayed"),
            examples=(N_("(your answer, in the thread)"),),
            topic=Topic.COORDINATION,
            audience=Audience.COORDINATOR,
            priority=75,
        )

    async def handle_message(self, message: IncomingMessage, context: HandlerContext) -> bool:
        coordination = context.config.rooms.coordination
        if message.room_id == coordination:
            relayed = await handoff.relay_answer(
                context.db, context.outbox, context.config, message
            )
            return relayed is not None
        if not asks_for_a_person(message.body):
            return False
        await self.ask(message, context)
        return True

    def commands(self) -> list[Command]:
        """« parler à la coordination », declared."""

        async def handle(call: CommandCall) -> None:
            await self.ask(call.message, call.context)

        return [
            Command(
                name="coordination",
                phrase=Parser(lambda text, _c: asks_for_a_person(text) or None, specificity=10),
                handler=handle,
                help=N_("a person of the coordination answers you"),
                examples=(N_("parler à la coordination"), N_("coordination")),
                topic=Topic.COORDINATION,
                priority=30,
            )
        ]

    async def ask(self, message: IncomingMessage, context: HandlerContext) -> None:
        """Pass the request (and the question just before it) to the coordination."""
        _ = context._
        recent = None
        if self.recent_questions is not None:
            recent = self.recent_questions.last(message.sender, message.room_id, context.now)
        if recent is None:
            result = await handoff.hand_off(
                context.db,
                context.outbox,
                context.config,
                requester=message.sender,
                origin_room_id=message.room_id,
                origin_event_id=message.event_id,
                question=message.body,
                requested_at=message.timestamp,
                requester_profession=await requester_profession(context.db, message.sender),
            )
        else:
            team = Translator(context.config.language)
            reason = (
                team.gettext("directory found nothing for: {criteria}", criteria=recent.criteria)
                if recent.nothing_found
                else team.gettext(
                    "last directory question: {criteria} ({count} found)",
                    criteria=recent.criteria,
                    count=recent.total,
                )
            )
            result = await handoff.hand_off(
                context.db,
                context.outbox,
                context.config,
                requester=message.sender,
                origin_room_id=message.room_id,
                origin_event_id=message.event_id,
                question=_with_request(recent.text, message.body),
                requested_at=message.timestamp,
                reason=reason,
                requester_profession=recent.requester_profession,
                profession_asked=recent.profession_asked,
                commune_asked=recent.commune_asked,
            )
            if result is not None and self.recent_questions is not None:
                self.recent_questions.forget(message.sender, message.room_id)
        if result is None:
            await context.outbox.reply(
                Reply(
                    _(
                        "No coordination room is set up: I cannot pass your request on."
                        " Please phone the CPTS."
                    )
                )
            )
        else:
            await context.outbox.reply(
                Reply(
                    _(
                        "Passed on to the coordination (request no. {number}): their answer will"
                        " come here.",
                        number=result.id,
                    )
                )
            )

    async def handle_reaction(self, reaction: IncomingReaction, context: HandlerContext) -> bool:
        return False

    async def on_sent(
        self, db: aiosqlite.Connection, correlation: str, room_id: str, event_id: str
    ) -> bool:
        """Map a sent hand-off post to its hand-off (see :func:`handoff.on_sent`)."""
        return await handoff.on_sent(db, correlation, room_id, event_id)
