"""Chat feature: "je veux parler à la coordination" -> a person of the coordination answers.

Thin: the phrase is ``features/handoff/phrases.py`` (a typed :class:`HandoffRequest`), the
work is ``features/handoff/service.py``. The coordinators' answers, written in the thread of the
hand-off post (or as a reply to it) in the coordination room, are a follow-up routed by
the post's correlation (``handoff:<id>``).
"""

from __future__ import annotations

import aiosqlite

from cpts_bot.chat.commands import Audience, Command, CommandCall, Parser, Topic
from cpts_bot.chat.follow_ups import FollowUp
from cpts_bot.chat.triggers import derived
from cpts_bot.core.messages import IncomingMessage
from cpts_bot.features.handoff import service as handoff
from cpts_bot.features.handoff.models import CORRELATION_PREFIX
from cpts_bot.features.handoff.phrases import (
    HANDOFF_PATTERNS,
    asks_for_a_person,
    parse_handoff_request,
)
from cpts_bot.features.reports.request_tracking_service import RecentQuestions
from cpts_bot.i18n.translator import N_
from cpts_bot.services.context import Context

__all__ = ["HandoffFeature", "asks_for_a_person"]


class HandoffFeature:
    """Hand requests to the coordination and relay its answers."""

    name = "handoff"
    help_topic = Topic.COORDINATION

    def __init__(self, recent_questions: RecentQuestions | None = None) -> None:
        """``recent_questions``: the directory's last question per person and room (shared
        with the directory feature); "coordination" right after it passes it on."""
        self.recent_questions = recent_questions

    def follow_up(self) -> FollowUp:
        """Coordinators' answers to a hand-off post (correlated ``handoff:``) are relayed."""

        async def on_message(message: IncomingMessage, context: Context, _c: str) -> bool:
            if message.room_id != context.config.rooms.coordination:
                return False
            relayed = await handoff.relay_answer(
                context.db, context.outbox, context.config, message
            )
            return relayed is not None

        return FollowUp(
            CORRELATION_PREFIX,
            on_message,
            help=N_("answer a hand-off in the thread of its post: the answer is relayed"),
            examples=(N_("(your answer, in the thread)"),),
            topic=Topic.COORDINATION,
            audience=Audience.COORDINATOR,
            priority=75,
        )

    def commands(self) -> list[Command]:
        """« parler à la coordination », declared."""
        return [
            Command(
                name="coordination",
                phrase=Parser(lambda text, _c: parse_handoff_request(text), specificity=10),
                triggers=derived(*HANDOFF_PATTERNS),
                handler=self.ask,
                help=N_("a person of the coordination answers you"),
                examples=(N_("parler à la coordination"), N_("coordination")),
                topic=Topic.COORDINATION,
                priority=30,
            )
        ]

    async def ask(self, call: CommandCall) -> None:
        """Pass the request (and the question just before it) to the coordination."""
        message, context = call.message, call.context
        recent = None
        if self.recent_questions is not None:
            recent = self.recent_questions.last(message.sender, message.room_id, context.now)
        result = await handoff.hand_off_request(context, call.typed_message, recent)
        if result is None:
            await call.reply(
                call._(
                    "No coordination room is set up: I cannot pass your request on."
                    " Please phone the CPTS."
                )
            )
            return
        if recent is not None and self.recent_questions is not None:
            self.recent_questions.forget(message.sender, message.room_id)
        await call.reply(
            call._(
                "Passed on to the coordination (request no. {number}): their answer will"
                " come here.",
                number=result.id,
            )
        )

    async def on_sent(
        self, db: aiosqlite.Connection, correlation: str, room_id: str, event_id: str
    ) -> bool:
        """Map a sent hand-off post to its hand-off (see :func:`handoff.on_sent`)."""
        return await handoff.on_sent(db, correlation, room_id, event_id)
