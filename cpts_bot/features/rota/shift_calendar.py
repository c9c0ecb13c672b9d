"""A person's coming duties as an iCalendar (.ics) file, to import into any calendar app.

One VEVENT per duty, times in Europe/Paris (``TZID`` with its ``VTIMEZONE``), so that a
night slot across a change of clocks lasts what the clock says. Each event's UID is
derived from the duty itself (who, which profession, from when to when), never from a
database row: importing the file again, or a newer one after the rota was re-imported,
updates the same events instead of adding copies. The UID is a hash: it carries no
Matrix ID. Pure: duties and words in, bytes out (the words are the caller's, translated).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event

from cpts_bot.core.times import PARIS
from cpts_bot.features.rota.duty_rota import Duty

PRODUCT_ID = "-//cpts-bot//duty rota//FR"
UID_DOMAIN = "cpts-bot"
MIMETYPE = "text/calendar"


@dataclass(frozen=True)
class ShiftEvent:
    """One duty and the words that describe it (summary, place, details)."""

    duty: Duty
    summary: str
    location: str = ""
    description: str = ""


def shift_uid(duty: Duty) -> str:
    """A stable UID for ``duty``: the same duty always gets the same one."""
    key = "|".join(
        (
            duty.user_id,
            duty.profession,
            duty.start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"),
            duty.end.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"),
        )
    )
    return f"{hashlib.sha256(key.encode()).hexdigest()[:32]}@{UID_DOMAIN}"


def _event(shift: ShiftEvent, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", shift_uid(shift.duty))
    event.add("dtstamp", stamp)
    event.add("dtstart", shift.duty.start.astimezone(PARIS))
    event.add("dtend", shift.duty.end.astimezone(PARIS))
    event.add("summary", shift.summary)
    if shift.location:
        event.add("location", shift.location)
    if shift.description:
        event.add("description", shift.description)
    event.add("transp", "OPAQUE")
    return event


def shifts_calendar(shifts: Iterable[ShiftEvent], name: str, now: datetime) -> bytes:
    """The .ics file of ``shifts`` (a calendar called ``name``, stamped ``now``)."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    stamp = now.astimezone(UTC)
    for shift in shifts:
        calendar.add_component(_event(shift, stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()
