"""What rota messages mean (French; English read as its French, see rota_english.py):

- "qui est de garde ce soir à Hyères ?", "IDE d'astreinte demain matin ?" -> a query
- "mes gardes", "mes congés" -> the sender's own duties and leave; "mes gardes calendrier"
  (or "ics", "agenda") -> the same, with an .ics file of the coming duties
- "absente du 12 au 20 décembre", "en congés demain" -> leave for the sender
- "congé @bob:hs du 12 au 20 décembre" (coordinator) -> leave for someone else
- "garde @alice:hs IDE Hyères 24/12 20h-8h" (coordinator) -> a one-off shift
- "garde @alice:hs IDE Hyères chaque lundi 18h-20h" (coordinator) -> a weekly slot;
  "garde @alice:hs IDE dimanches et jours fériés 8h-20h", "... jours fériés 8h-20h" -> a
  slot that follows the public holidays
- "qui est de garde le prochain jour férié ?" -> the next public holiday; "annuler congé 3"
Pure: text and the time in, values out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from cpts_bot.core.catalog_marks import N_
from cpts_bot.core.french_datetime import (
    ERROR_INVALID_TIME,
    ERROR_NOT_FOUND,
    WEEKDAYS,
    Moment,
    MomentError,
    Period,
    local_to_utc,
    parse_moment,
    parse_period,
)
from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.profession_words import find_profession
from cpts_bot.core.public_holidays import GENERAL_CALENDAR, HolidayCalendar
from cpts_bot.core.text_normalizer import fold
from cpts_bot.core.times import PARIS
from cpts_bot.core.user_error import UserError
from cpts_bot.features.rota.english import english_to_french, looks_english
from cpts_bot.features.rota.holiday_slots import HolidayRule, find_slot_days
from cpts_bot.features.rota.patterns import (
    CANCEL_LEAVE,
    DUTY_WORDS,
    LEAVE_START,
    MY_DUTIES,
    MY_LEAVE,
    SET,
)


class RotaCommandKind(StrEnum):
    WHO_IS_ON_DUTY = "who_is_on_duty"
    MY_DUTIES = "my_duties"
    MY_LEAVE = "my_leave"
    DECLARE_LEAVE = "declare_leave"
    CANCEL_LEAVE = "cancel_leave"
    SET_SHIFT = "set_shift"
    SET_WEEKLY = "set_weekly"


@dataclass(frozen=True)
class RotaCommand:
    """A rota command. Times are aware UTC; ``period`` is the span asked about."""

    kind: RotaCommandKind
    user_id: str | None = None  # whose leave or shift (a coordinator naming someone)
    profession: str | None = None
    communes: tuple[str, ...] = ()
    moment: Moment | None = None
    period: Period | None = None
    weekday: int | None = None
    start_time: time | None = None
    end_time: time | None = None
    leave_id: int | None = None
    holidays: HolidayRule = HolidayRule.WEEKDAY  # a weekly slot's public holidays
    calendar_file: bool = False  # "mes gardes calendrier": attach an .ics file


_CALENDAR_FILE = re.compile(
    r"(?<![a-z])(?:en\s+|au\s+format\s+|(?:le\s+|un\s+)?fichier\s+)?"
    r"(?:\.?ics|ical|icalendar|calendriers?|agendas?)(?![a-z])"
)
_MENTION = re.compile(r"@[a-z0-9._=\-/+]+:[a-z0-9.\-]+(?::\d+)?")
_TIME_RANGE = re.compile(
    r"(?<![0-9])(?P<h1>\d{1,2})\s?(?:h|:)\s?(?P<m1>\d{2})?\s*(?:-|a|au|jusqu'a)\s*"
    r"(?P<h2>\d{1,2})\s?(?:h|:)\s?(?P<m2>\d{2})?(?![0-9])"
)
_WEEKLY = re.compile(
    r"(?<![a-z])(?:chaque|tous\s+les|toutes\s+les|le)?\s*(?P<wd>"
    + "|".join(WEEKDAYS)
    + r")s?(?:\s+(?:de\s+)?chaque\s+semaine)?(?![a-z])"
)
_ANY_WEEKDAY = re.compile(r"(?<![a-z])(?:" + "|".join(WEEKDAYS) + r")s?(?![a-z])")
_EVERY = re.compile(r"(?<![a-z])(?:chaque|tous\s+les|toutes\s+les|hebdo\w*|chaque\s+semaine)")


# Why a rota command cannot be read.
RotaError = UserError


ERROR_NEED_TIMES = N_("Give the hours, e.g. “20h-8h”.")
ERROR_NEED_DAY = N_("Give the day, e.g. “24/12” or “chaque lundi”.")
ERROR_NEED_PROFESSION = N_("Give the profession, e.g. IDE, kiné, médecin.")
ERROR_ONE_DAY_WITH_HOLIDAYS = N_(
    "One day per slot with public holidays: send one line per day, e.g. “… samedi 8h-20h”"
    " then “… dimanches et jours fériés 8h-20h”."
)
ERROR_NEED_PERIOD = N_("Give the dates, e.g. “du 12 au 20 décembre” or “demain”.")


def _time_range(text: str) -> tuple[time, time, re.Match[str]] | MomentError | None:
    match = _TIME_RANGE.search(text)
    if match is None:
        return None
    h1, h2 = int(match.group("h1")), int(match.group("h2"))
    m1, m2 = int(match.group("m1") or 0), int(match.group("m2") or 0)
    for hour, minute in ((h1, m1), (h2, m2)):
        if hour > 24 or minute > 59 or (hour == 24 and minute):
            return MomentError(ERROR_INVALID_TIME, f"{hour}h{minute:02d}")
    return time(h1 % 24, m1), time(h2 % 24, m2), match


def parse_rota_command(
    text: str,
    now: datetime,
    places: PlaceIndex,
    calendar: HolidayCalendar = GENERAL_CALENDAR,
) -> RotaCommand | RotaError | MomentError | None:
    """The rota command in ``text``, an error explaining what is missing, or None when the
    text is not about the rota (``calendar``: the territory's public holidays). English
    (« who is on call tonight », « my shifts ») is read as its French."""
    found = _parse_french(text, now, places, calendar)
    if found is None and looks_english(folded := fold(text, keep_positions=True)):
        found = _parse_french(english_to_french(folded), now, places, calendar)
    return found


def _parse_french(
    text: str, now: datetime, places: PlaceIndex, calendar: HolidayCalendar
) -> RotaCommand | RotaError | MomentError | None:
    normalized = re.sub(r"\s+", " ", fold(text, keep_positions=True).strip())
    normalized = re.sub(r"\s*[?!.]+$", "", normalized)
    cancel = CANCEL_LEAVE.match(normalized)
    if cancel:
        return RotaCommand(RotaCommandKind.CANCEL_LEAVE, leave_id=int(cancel.group(1)))
    if MY_LEAVE.match(normalized):
        return RotaCommand(RotaCommandKind.MY_LEAVE)
    mine = MY_DUTIES.match(normalized)
    if mine:
        rest, calendar_file = _CALENDAR_FILE.subn(" ", mine.group("rest"))
        period = parse_period(rest, now) if rest.strip() else None
        if isinstance(period, MomentError) and period.message_id != ERROR_NOT_FOUND:
            return period  # « mes gardes du 31/02 »: said, never read as « all my duties »
        return RotaCommand(
            RotaCommandKind.MY_DUTIES,
            period=period if isinstance(period, Period) else None,
            calendar_file=calendar_file > 0,
        )
    setting = SET.match(normalized)
    if setting:
        user = _MENTION.match(setting.group("user"))
        if user is None:
            return None
        rest = setting.group("rest")
        if setting.group("what").startswith(("conge", "absence")):
            return _leave(rest, now, user.group(0))
        return _shift(rest, now, places, user.group(0))
    if LEAVE_START.match(normalized) and not DUTY_WORDS.search(normalized):
        # Only a message that starts by saying so: "le patient était absent" is not leave.
        return _leave(text, now, None)
    if DUTY_WORDS.search(normalized) and "@" not in normalized:
        return _query(text, now, places, calendar)
    return None


def _leave(text: str, now: datetime, user_id: str | None) -> RotaCommand | MomentError | RotaError:
    period = parse_period(text, now)
    if isinstance(period, MomentError):
        if period.message_id.startswith("No date"):
            return RotaError(ERROR_NEED_PERIOD)
        return period
    return RotaCommand(RotaCommandKind.DECLARE_LEAVE, user_id=user_id, period=period)


def _query(
    text: str, now: datetime, places: PlaceIndex, calendar: HolidayCalendar
) -> RotaCommand | MomentError:
    profession = find_profession(text)
    communes = tuple(found.code for found in places.find(text))
    moment = parse_moment(text, now)
    period = None
    if isinstance(moment, MomentError):
        holiday = _next_holiday(text, now, calendar)
        if holiday is not None:
            moment, period = Moment(holiday.start, "day", holiday.matched), holiday
        elif moment.message_id != ERROR_NOT_FOUND:
            return moment  # « le 31/02 » is said, never answered for now
        else:
            moment = Moment(now, "exact", "")
    if moment.precision in ("day", "part_of_day") and period is None:
        day_period = parse_period(text, now)
        period = day_period if isinstance(day_period, Period) else None
    return RotaCommand(
        RotaCommandKind.WHO_IS_ON_DUTY,
        profession=profession.code if profession else None,
        communes=communes,
        moment=moment,
        period=period,
    )


def _next_holiday(text: str, now: datetime, calendar: HolidayCalendar) -> Period | None:
    """ "le prochain jour férié", "un férié": the whole of the next public holiday (today's
    if today is one); None when the text names no public holiday."""
    found = find_slot_days(text)
    if found is None or found.days.rule is not HolidayRule.ONLY:
        return None
    today = now.astimezone(PARIS).date()
    upcoming = calendar.between(today, today + timedelta(days=366))
    if not upcoming:
        return None
    day = upcoming[0][0]
    start = local_to_utc(day, time(0, 0))
    end = local_to_utc(day + timedelta(days=1), time(0, 0))
    return Period(start, end, text[found.start : found.end])


def _shift(
    text: str, now: datetime, places: PlaceIndex, user_id: str
) -> RotaCommand | RotaError | MomentError:
    profession = find_profession(text)
    if profession is None:
        return RotaError(ERROR_NEED_PROFESSION)
    communes = tuple(found.code for found in places.find(text))
    normalized = fold(text, keep_positions=True)
    hours = _time_range(normalized)
    if isinstance(hours, MomentError):
        return hours
    if hours is None:
        return RotaError(ERROR_NEED_TIMES)
    start, end, match = hours
    without_hours = normalized[: match.start()] + " " + normalized[match.end() :]
    holiday_days = find_slot_days(without_hours)
    if holiday_days is not None:
        others = without_hours[: holiday_days.start] + " " + without_hours[holiday_days.end :]
        if _ANY_WEEKDAY.search(others):
            return RotaError(ERROR_ONE_DAY_WITH_HOLIDAYS)
        return RotaCommand(
            RotaCommandKind.SET_WEEKLY,
            user_id=user_id,
            profession=profession.code,
            communes=communes,
            weekday=holiday_days.days.weekday,
            start_time=start,
            end_time=end,
            holidays=holiday_days.days.rule,
        )
    weekly = _WEEKLY.search(without_hours)
    if weekly and _EVERY.search(without_hours):
        return RotaCommand(
            RotaCommandKind.SET_WEEKLY,
            user_id=user_id,
            profession=profession.code,
            communes=communes,
            weekday=WEEKDAYS[weekly.group("wd")],
            start_time=start,
            end_time=end,
        )
    day = parse_moment(without_hours, now)
    if isinstance(day, MomentError):
        if day.message_id.startswith("No date"):
            return RotaError(ERROR_NEED_DAY)
        return day
    local_day: date = day.at.astimezone(PARIS).date()
    if day.precision != "day":
        local_day = day.at.astimezone(PARIS).date()
    begins = local_to_utc(local_day, start)
    ends = local_to_utc(local_day + timedelta(days=0 if end > start else 1), end)
    return RotaCommand(
        RotaCommandKind.SET_SHIFT,
        user_id=user_id,
        profession=profession.code,
        communes=communes,
        period=Period(begins, ends, match.group(0)),
        start_time=start,
        end_time=end,
    )
