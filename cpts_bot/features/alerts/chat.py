"""Chat feature: territorial alerts (coordinators create and manage; everyone acknowledges).

Syntax (see docs/alerts.md)::

    alerte urgent: Canicule niveau 3 ... | quand: demain 8h | pour: tous | jusqu'au: 15 décembre
    oui / non                      confirm or drop the alert just described (a pending
                                   exchange of the draft, or a reply to its echo)
    alertes                        list alerts in force
    alerte 12                      show one, with its history
    pause alerte 12 / reprendre alerte 12 / annuler alerte 12
    modifier alerte 12 quand: tous les lundis à 9h | texte: ...
    qui a lu l'alerte 12 ?
    plus tard (reply to an alert or its reminder; or react 💤)   remind me later

The phrases are read in the domain, the use cases are services; this module only
declares, routes and words the outcomes.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from cpts_bot.chat.commands import Audience, Command, CommandCall, Topic
from cpts_bot.chat.follow_ups import WAITING_EXCHANGE, FollowUp, Waiting
from cpts_bot.core.messages import IncomingMessage, IncomingReaction
from cpts_bot.features.alerts import acknowledgement_service as acknowledgement
from cpts_bot.features.alerts.audience_service import RoomMembers
from cpts_bot.features.alerts.commands import alert_commands
from cpts_bot.features.alerts.management_service import answer_draft, pending_draft
from cpts_bot.features.alerts.phrases import (
    AlertCommand,
    DraftAnswer,
    is_snooze,
    is_snooze_reaction,
    parse_draft_answer,
)
from cpts_bot.features.alerts.posting_service import CORRELATION_PREFIX
from cpts_bot.features.alerts.reminders_service import REMINDER_CORRELATION_PREFIX
from cpts_bot.features.alerts.replies import AlertReplies
from cpts_bot.features.alerts.run_service import AlertSettings
from cpts_bot.i18n.translator import N_
from cpts_bot.services.context import Context

DRAFT_CORRELATION_PREFIX = "alert-draft:"


class AlertsFeature:
    """Territorial alerts by chat."""

    name = "alerts"
    help_topic = Topic.ALERTS

    def __init__(
        self, members: RoomMembers | None = None, settings: AlertSettings | None = None
    ) -> None:
        self.members = members
        self.settings = settings or AlertSettings()
        self.replies = AlertReplies(members, DRAFT_CORRELATION_PREFIX)

    def commands(self) -> list[Command]:
        """The alert commands (coordinators)."""

        async def run(call: CommandCall) -> None:
            command: AlertCommand = call.value
            await self.replies.run(command, call.message, call.context)

        return alert_commands(run)

    async def _draft_waiting(self, message: IncomingMessage, context: Context) -> Waiting | None:
        """« oui » / « non » from a coordinator whose alert draft waits in this room: the
        pending exchange of the draft (anyone else's « oui » is not about an alert)."""
        if not context.is_coordinator(message.sender):
            return None
        answer = parse_draft_answer(message.body)
        if answer is None:
            return None
        draft = await pending_draft(context.db, message.sender, message.room_id, context.now)
        if draft is None:
            return None
        label = context._("alert no. {number} to confirm", number=draft.id)
        return Waiting(
            WAITING_EXCHANGE, label, lambda: self._answer_draft(message, context, answer)
        )

    async def _answer_draft(
        self, message: IncomingMessage, context: Context, answer: DraftAnswer
    ) -> bool:
        """Confirm or drop the sender's draft in this room; False when none waits."""
        if not context.is_coordinator(message.sender):
            return False
        draft = await answer_draft(context.db, message.sender, message.room_id, context.now, answer)
        if draft is None:
            return False
        await self.replies.draft_answered(draft, answer, context)
        return True

    # ------------------------------------------------------------------ follow-ups

    def follow_ups(self) -> list[FollowUp]:
        """Answers to the alert posts (``alert:``), to the reminders (``alert-reminder:``)
        and to the draft's echo (``alert-draft:``)."""
        return [
            FollowUp(
                CORRELATION_PREFIX,
                self._on_post,
                self._on_post_reaction,
                help=N_("acknowledge an alert: react to it (or reply to it)"),
                examples=(N_("👍"),),
                topic=Topic.ALERTS,
                priority=36,
            ),
            FollowUp(
                REMINDER_CORRELATION_PREFIX,
                self._on_reminder,
                self._on_reminder_reaction,
                help=N_(
                    "remind me of an alert later: reply this to the alert or to its reminder"
                    " (or react 💤)"
                ),
                examples=(N_("plus tard"),),
                topic=Topic.ALERTS,
                priority=60,
            ),
            FollowUp(
                DRAFT_CORRELATION_PREFIX,
                self._on_draft,
                waiting=self._draft_waiting,
                help=N_("confirm the alert you just described (« non » drops it)"),
                examples=(N_("oui"),),
                topic=Topic.ALERTS,
                audience=Audience.COORDINATOR,
                priority=86,
            ),
        ]

    async def _on_post(self, message: IncomingMessage, context: Context, _c: str) -> bool:
        parents = (message.reply_to, message.thread_root)
        firing_id = await acknowledgement.firing_answered(context.db, message.room_id, parents)
        if firing_id is None:
            return False
        await self._answer(firing_id, message, context)
        return True

    async def _on_post_reaction(
        self, reaction: IncomingReaction, context: Context, _c: str
    ) -> bool:
        firing_id = await acknowledgement.firing_answered(
            context.db, reaction.room_id, (reaction.reacts_to,)
        )
        if firing_id is None:
            return False
        await self._react(firing_id, reaction, context)
        return True

    async def _on_reminder(
        self, message: IncomingMessage, context: Context, correlation: str
    ) -> bool:
        await self._answer(_number(correlation, REMINDER_CORRELATION_PREFIX), message, context)
        return True

    async def _on_reminder_reaction(
        self, reaction: IncomingReaction, context: Context, correlation: str
    ) -> bool:
        await self._react(_number(correlation, REMINDER_CORRELATION_PREFIX), reaction, context)
        return True

    async def _on_draft(self, message: IncomingMessage, context: Context, _c: str) -> bool:
        answer = parse_draft_answer(message.body)
        return answer is not None and await self._answer_draft(message, context, answer)

    async def _answer(self, firing_id: int, message: IncomingMessage, context: Context) -> None:
        snooze = is_snooze(message.body)
        await self._receive(firing_id, message.sender, message.timestamp, snooze, "reply", context)

    async def _react(self, firing_id: int, reaction: IncomingReaction, context: Context) -> None:
        snooze = is_snooze_reaction(reaction.key)
        await self._receive(
            firing_id, reaction.sender, reaction.timestamp, snooze, "reaction", context
        )

    async def _receive(
        self, firing_id: int, user: str, at: datetime, snooze: bool, via: str, context: Context
    ) -> None:
        """An answer to an alert (a reply or a reaction): a snooze, or an acknowledgement;
        the bot's own never counts."""
        if user == context.bot_user_id:
            return
        if snooze:
            await self._snooze(firing_id, user, context)
        else:
            await acknowledgement.acknowledge(context.db, firing_id, user, at, via)

    async def _snooze(self, firing_id: int, user: str, context: Context) -> None:
        snoozed = await acknowledgement.snooze(
            context.db, firing_id, user, context.now, self.settings.snooze
        )
        if snoozed is not None:
            await acknowledgement.tell_snoozed(
                context.outbox, context.db, user, snoozed, context.config.language
            )

    async def on_sent(
        self, db: aiosqlite.Connection, correlation: str, room_id: str, event_id: str
    ) -> bool:
        """Map a sent alert post to its firing (see :func:`acknowledgement.on_sent`)."""
        return await acknowledgement.on_sent(db, correlation, room_id, event_id)


def _number(correlation: str, prefix: str) -> int:
    return int(correlation.removeprefix(prefix).split(":", 1)[0])
