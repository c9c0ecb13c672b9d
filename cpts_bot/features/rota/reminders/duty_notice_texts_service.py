"""How a duty is named in the notices about it: « demain 8 h – 20 h (IDE, Vénissieux) »,
and where the coordination is told."""

from __future__ import annotations

from datetime import datetime, timedelta

from cpts_bot.core.messages import Reply
from cpts_bot.core.times import PARIS
from cpts_bot.features.dispatch.context_service import place_names, profession_name
from cpts_bot.features.rota.duty_rota import Duty
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services.context import Context

WHOLE_HOUR = N_("H:00")  # a babel pattern: « 8 h » in French
HOUR_MINUTES = N_("H:mm")  # « 8 h 30 »


def clock(moment: datetime, translator: Translator) -> str:
    """A time of day the reader's way (« 8 h », « 20 h 30 »; « 8:00 » in English)."""
    local = moment.astimezone(PARIS)
    pattern = WHOLE_HOUR if local.minute == 0 else HOUR_MINUTES
    return translator.format_datetime(moment, translator.gettext(pattern))


def day_word(start: datetime, now: datetime, translator: Translator) -> str:
    """« aujourd'hui », « demain », else « le sam. 24 déc. »."""
    days = (start.astimezone(PARIS).date() - now.astimezone(PARIS).date()).days
    if days == 0:
        return translator.gettext("today")
    if days == 1:
        return translator.gettext("tomorrow")
    return translator.gettext("on {day}", day=translator.format_datetime(start, "EEE d MMM"))


def hours(duty: Duty, translator: Translator) -> str:
    if duty.end - duty.start >= timedelta(days=1):
        return translator.gettext("24 h from {start}", start=clock(duty.start, translator))
    return f"{clock(duty.start, translator)} – {clock(duty.end, translator)}"


def what_and_where(duty: Duty, deps: Context, translator: Translator) -> str:
    """« IDE, Vénissieux »."""
    places = place_names(sorted(duty.communes), deps.places, translator)
    return f"{profession_name(duty.profession, translator)}, {places}"


async def tell_coordination(deps: Context, text: str) -> None:
    """Post in the coordination room, else write to each coordinator."""
    room = deps.config.rooms.coordination
    if room is not None:
        await deps.outbox.send(room, Reply(text), notice=False)
        return
    for coordinator in deps.config.coordinators:
        await deps.outbox.send_direct(coordinator, Reply(text), notice=False)
