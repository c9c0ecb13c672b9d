"""Chat feature: "rapport novembre", "rapport 2026-11" -> the month's report (coordinators)."""

from __future__ import annotations

import re

from cpts_bot.chat.feature import HandlerContext
from cpts_bot.chat.incoming import IncomingMessage, IncomingReaction, Reply
from cpts_bot.domain.monthly_stats import parse_report_month
from cpts_bot.domain.times import PARIS
from cpts_bot.i18n import Translator
from cpts_bot.services.publish_monthly_report import post_report

COMMAND = re.compile(r"^\s*!?(?:rapport|report)\b(.*)$", re.I | re.S)


class ReportFeature:
    """The monthly report on demand."""

    name = "report"

    def help_lines(self, translator: Translator, is_coordinator: bool) -> list[str]:
        if not is_coordinator:
            return []
        return [
            translator.gettext(
                "« rapport novembre » or « rapport 2026-11 » — the month's figures and charts"
            )
        ]

    async def handle_message(self, message: IncomingMessage, context: HandlerContext) -> bool:
        match = COMMAND.match(message.body)
        if not match:
            return False
        _ = context._
        if not context.is_coordinator(message.sender):
            await context.outbox.reply(Reply(_("Only the coordination can ask for reports.")))
            return True
        argument = match.group(1).strip(" :")
        month = parse_report_month(argument, context.now.astimezone(PARIS).date())
        if month is None:
            await context.outbox.reply(
                Reply(
                    _(
                        "I do not understand the month « {text} ». Write for example « rapport"
                        " novembre » or « rapport 2026-11 ».",
                        text=argument,
                    )
                )
            )
            return True
        await post_report(
            context.db,
            context.outbox,
            message.room_id,
            month,
            context.translator,
            in_reply_to=message.event_id,
            config=context.config,
        )
        return True

    async def handle_reaction(self, reaction: IncomingReaction, context: HandlerContext) -> bool:
        return False
