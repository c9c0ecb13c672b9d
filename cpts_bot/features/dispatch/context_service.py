"""Small helpers the dispatch, rota and offer services share: how a moment, a duration,
a place and a profession are written (answering the person being handled is the shared
``services/responding.py``)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, time, timedelta

from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.profession_words import profession_label
from cpts_bot.core.times import PARIS
from cpts_bot.i18n import Translator


def format_moment(moment: datetime, precision: str, translator: Translator) -> str:
    """A moment for people: "lun. 23 nov. 20:00" in Paris time (no hour for a whole day)."""
    pattern = "EEE d MMM" if precision == "day" else "EEE d MMM HH:mm"
    return translator.format_datetime(moment, pattern)


def format_time(moment: datetime, translator: Translator) -> str:
    return translator.format_datetime(moment, "HH:mm")


def format_duration(elapsed: timedelta, translator: Translator) -> str:
    """A duration as people say it: « moins d'une minute », « 12 min », « 1 h 05 »;
    never « 0 min »."""
    minutes = int(elapsed.total_seconds() // 60)
    if minutes < 1:
        return translator.gettext("less than a minute")
    if minutes < 60:
        return translator.gettext("{minutes} min", minutes=minutes)
    return _hours(minutes, translator)


def _hours(minutes: int, translator: Translator) -> str:
    hours, rest = divmod(minutes, 60)
    if rest == 0:
        return translator.gettext("{hours} h", hours=hours)
    return translator.gettext("{hours} h {minutes}", hours=hours, minutes=f"{rest:02d}")


def format_hours(start: time, end: time, translator: Translator) -> str:
    """A slot's hours: « 20:00–08:00 »; a slot whose end is its start lasts 24 h:
    « 24 h à partir de 08:00 », or « toute la journée » from midnight."""
    if start == end:
        if start == time(0, 0):
            return translator.gettext("all day (24 h)")
        return translator.gettext("24 h from {start}", start=start.strftime("%H:%M"))
    return f"{start.strftime('%H:%M')}–{end.strftime('%H:%M')}"


def format_span(start: datetime, end: datetime, translator: Translator) -> str:
    """The hours of a duty between two instants (Paris time), 24 h slots in words."""
    local_start, local_end = start.astimezone(PARIS), end.astimezone(PARIS)
    if end - start >= timedelta(days=1):
        return format_hours(local_start.time(), local_start.time(), translator)
    return format_hours(local_start.time(), local_end.time(), translator)


def profession_name(code: str, translator: Translator) -> str:
    return profession_label(code, translator.language)


def place_names(communes: Collection[str], places: PlaceIndex, translator: Translator) -> str:
    if not communes:
        return translator.gettext("whole territory")
    return ", ".join(places.name(code) for code in communes)
