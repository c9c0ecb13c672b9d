"""Chat command: "rapport novembre", "rapport 2026-11" -> the month's report (coordinators)."""

from __future__ import annotations

import re

from cpts_bot.chat.command_table import command_table, row
from cpts_bot.chat.commands import Audience, CommandCall, Parameter, Topic
from cpts_bot.core.times import PARIS
from cpts_bot.features.reports.monthly_stats import parse_report_month
from cpts_bot.i18n.translator import N_
from cpts_bot.reporting.publish_monthly_report import post_report_in

COMMAND = re.compile(r"^!?(?:rapport|report)\b(.*)$", re.S)


async def monthly_report(call: CommandCall) -> None:
    """Post the month's figures and charts in the room the question came from."""
    context, message = call.context, call.message
    argument = message.body.strip()[call.value.start(1) :].strip(" :")
    month = parse_report_month(argument, context.now.astimezone(PARIS).date())
    if month is None:
        await call.reply(
            call._(
                "I do not understand the month « {text} ». Write for example « rapport"
                " novembre » or « rapport 2026-11 ».",
                text=argument,
            )
        )
        return
    await post_report_in(
        context, message.room_id, month, context.translator, in_reply_to=message.event_id
    )


REPORT_COMMANDS = command_table(
    row(
        "rapport",
        COMMAND,
        72,
        N_("the month's figures and charts"),
        N_("rapport novembre"),
        N_("rapport 2026-11"),
        handler=monthly_report,
        parameters=(Parameter("month", "string", N_("the month, e.g. novembre or 2026-11"), True),),
    ),
    topic=Topic.COORDINATION,
    audience=Audience.COORDINATOR,
)
