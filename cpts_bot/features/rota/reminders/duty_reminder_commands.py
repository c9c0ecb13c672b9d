"""« rappels de garde non / oui / à 19h »: one's own reminders before a duty
(« duty reminders off / on / at 7pm » in English)."""

from __future__ import annotations

import re
from datetime import time

from cpts_bot.chat.commands import Command, CommandCall, Pattern, Topic
from cpts_bot.features.rota.reminders.duty_reminder_choices_service import choice_of, choose
from cpts_bot.features.rota.reminders.duty_reminder_policy import PersonalChoice
from cpts_bot.i18n.translator import N_

_SUBJECT = r"^!?(?:rappels?\s+(?:de|des)\s+gardes?|duty\s+reminders?)\s+"
_ON_OFF = re.compile(_SUBJECT + r"(non|oui|off|on|stop)\s*[.!]*$")
_AT = re.compile(_SUBJECT + r"(?:a|at|vers)\s+(\d{1,2})\s*(?:h|:)?\s*(\d{2})?\s*(am|pm)?\s*[.!]*$")


def _clock(match: re.Match[str]) -> time | None:
    hour, minutes, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minutes > 59:
        return None
    return time(hour, minutes)


async def switch(call: CommandCall) -> None:
    enabled = call.value.group(1) in ("oui", "on")
    sender = call.message.sender
    current = await choice_of(call.context, sender)
    await choose(call.context, sender, PersonalChoice(enabled, current.at))
    if enabled:
        await call.reply(call._("Duty reminders on: the day before each of your duties."))
    else:
        await call.reply(call._("Duty reminders off. « rappels de garde oui » turns them back on."))


async def set_time(call: CommandCall) -> None:
    at = _clock(call.value)
    if at is None:
        await call.reply(call._("I cannot read that time: write it as « rappels de garde à 19h »."))
        return
    sender = call.message.sender
    await choose(call.context, sender, PersonalChoice(True, at))
    await call.reply(
        call._(
            "Duty reminders at {time} the day before each of your duties (never between "
            "{quiet_start} and {quiet_end}).",
            time=at.strftime("%H:%M"),
            quiet_start=call.context.config.quiet_hours.start.strftime("%H:%M"),
            quiet_end=call.context.config.quiet_hours.end.strftime("%H:%M"),
        )
    )


DUTY_REMINDER_COMMANDS = (
    Command(
        name="rappels-de-garde",
        phrase=Pattern(_ON_OFF),
        handler=switch,
        help=N_("reminders before your duties, on or off"),
        examples=(N_("rappels de garde non"), N_("rappels de garde oui")),
        topic=Topic.DUTY,
        priority=63,
    ),
    Command(
        name="rappels-de-garde-à",
        phrase=Pattern(_AT),
        handler=set_time,
        help=N_("when reminders before your duties are sent"),
        examples=(N_("rappels de garde à 19h"),),
        topic=Topic.DUTY,
        priority=64,
    ),
)
