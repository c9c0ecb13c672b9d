"""« mes gardes calendrier »: the person's coming duties as an .ics file in their direct chat.

The file goes through the outbox like the report's images (``direct_file``: an encrypted
``m.file`` in the bot's direct chat with the person), in the handler's transaction.
"""

from __future__ import annotations

from datetime import datetime

from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.public_holidays import HolidayCalendar
from cpts_bot.core.times import PARIS
from cpts_bot.features.dispatch.context_service import format_span, place_names, profession_name
from cpts_bot.features.rota.duty_rota import Duty
from cpts_bot.features.rota.service import send_calendar_file
from cpts_bot.features.rota.shift_calendar import MIMETYPE, ShiftEvent, shifts_calendar
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context

CALENDAR_DAYS = 90  # "mes gardes calendrier" without dates: the coming 90 days
FILENAME = "gardes.ics"


def holiday_of(duty: Duty, calendar: HolidayCalendar, language: str) -> str | None:
    """The public holiday on which ``duty`` starts (Paris date), if any."""
    return calendar.name(duty.start.astimezone(PARIS).date(), language)


def shift_event(
    duty: Duty, places: PlaceIndex, calendar: HolidayCalendar, translator: Translator
) -> ShiftEvent:
    """The calendar event of ``duty``, in the person's language."""
    summary = translator.gettext(
        "Duty {profession}, {hours}",
        profession=profession_name(duty.profession, translator),
        hours=format_span(duty.start, duty.end, translator),
    )
    places = place_names(sorted(duty.communes), places, translator)
    details = [translator.gettext("Area: {places}", places=places)]
    holiday = holiday_of(duty, calendar, translator.language)
    if holiday:
        details.append(translator.gettext("Public holiday: {name}", name=holiday))
    return ShiftEvent(duty, summary, location=places, description="\n".join(details))


async def send_duties_calendar(
    context: Context,
    user_id: str,
    duties: list[Duty],
    places: PlaceIndex,
    calendar: HolidayCalendar,
    now: datetime,
) -> str:
    """Queue the .ics file of ``duties`` for ``user_id``'s direct chat; its txn id."""
    translator = context.translator
    events = [shift_event(duty, places, calendar, translator) for duty in duties]
    name = translator.gettext("My duties ({territory})", territory=context.config.territory.name)
    data = shifts_calendar(events, name, now)
    caption = translator.gettext(
        "{filename}: your duties, to open with your calendar app", filename=FILENAME
    )
    return await send_calendar_file(context, user_id, FILENAME, data, MIMETYPE, caption)
