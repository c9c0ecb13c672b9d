"""When an alert fires: one-off moments, daily / weekly / monthly rules, 5-field cron.

Pure: the clock is passed in. Recurring times are Paris wall-clock times: "tous les
lundis à 8h" is 8h in Paris in winter and in summer. A wall-clock time skipped by the
spring change (02:30) fires at 03:30; a time repeated in autumn fires once, the first
time. "Le 31 de chaque mois" fires on the last day of shorter months (a monthly alert
never silently skips a month); a cron expression keeps cron's meaning (no 31st in
November, no firing).

``due_firings`` decides what to do after the bot was down: the latest occurrence still
within the grace period is posted (marked late if it is), every other missed occurrence
is skipped, and reported; none is dropped silently and none is posted twice (the caller
records each occurrence under a unique (alert, scheduled_for) key).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from cpts_bot.domain.french_datetime import (
    ERROR_INVALID_TIME,
    Moment,
    MomentError,
    local_to_utc,
    parse_moment,
    parse_period,
)
from cpts_bot.domain.text_normalizer import fold
from cpts_bot.domain.times import PARIS, to_iso
from cpts_bot.domain.user_error import UserError

KIND_ONCE = "once"
KIND_DAILY = "daily"
KIND_WEEKLY = "weekly"
KIND_MONTHLY = "monthly"
KIND_CRON = "cron"

# Error message ids (English, translated by the alerts catalog); ``{detail}`` is filled.
ERROR_CRON = (
    "Invalid cron expression « {detail} »: five fields expected (minute hour day month weekday)."
)
ERROR_CRON_FIELD = "Invalid cron field « {detail} »."
ERROR_DAY_OF_MONTH = "There is no day {detail} in a month."
ERROR_IN_THE_PAST = "This moment is already past: {detail}."
ERROR_NOT_UNDERSTOOD = "When? I do not understand « {detail} »."

WEEKDAYS = {
    "lundi": 0,
    "mardi": 1,
    "mercredi": 2,
    "jeudi": 3,
    "vendredi": 4,
    "samedi": 5,
    "dimanche": 6,
}
MAX_ENUMERATED = 1000
# "chaque 1er du mois" without an hour fires at 8h (echoed back for confirmation).
DEFAULT_RECURRENCE_TIME = (8, 0)
# A cron expression that cannot match (e.g. 30 February) is found out within this horizon.
CRON_HORIZON_DAYS = 5 * 366


# Why a schedule could not be read: a message and the words (``detail``).
ScheduleError = UserError


@dataclass(frozen=True)
class CronSpec:
    """A parsed 5-field cron expression (sets of allowed values)."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Monday ... 6 = Sunday (cron's 0 and 7 are Sunday)
    days_restricted: bool
    weekdays_restricted: bool

    def matches_day(self, day: date) -> bool:
        if day.month not in self.months:
            return False
        in_days = day.day in self.days
        in_weekdays = day.weekday() in self.weekdays
        if self.days_restricted and self.weekdays_restricted:
            return in_days or in_weekdays  # cron's rule: either field may match
        return in_days and in_weekdays


@dataclass(frozen=True)
class Schedule:
    """When an alert fires. ``spec`` is its stored form (see :func:`schedule_from_spec`)."""

    kind: str
    at: datetime | None = None  # once
    hour: int = 0
    minute: int = 0
    weekdays: tuple[int, ...] = ()  # weekly
    day_of_month: int = 0  # monthly
    cron: str | None = None

    @property
    def recurring(self) -> bool:
        return self.kind != KIND_ONCE

    @property
    def spec(self) -> str:
        if self.kind == KIND_ONCE:
            assert self.at is not None
            return f"once {to_iso(self.at)}"
        clock = f"{self.hour:02d}:{self.minute:02d}"
        if self.kind == KIND_DAILY:
            return f"daily {clock}"
        if self.kind == KIND_WEEKLY:
            return f"weekly {','.join(map(str, self.weekdays))} {clock}"
        if self.kind == KIND_MONTHLY:
            return f"monthly {self.day_of_month} {clock}"
        return f"cron {self.cron}"


def schedule_from_spec(spec: str) -> Schedule:
    """Read the stored form written by :attr:`Schedule.spec`."""
    kind, _, rest = spec.partition(" ")
    if kind == KIND_ONCE:
        return Schedule(KIND_ONCE, at=datetime.fromisoformat(rest.replace("Z", "+00:00")))
    if kind == KIND_CRON:
        parsed = parse_cron(rest)
        if isinstance(parsed, ScheduleError):
            raise ValueError(f"stored cron expression is invalid: {rest!r}")
        return Schedule(KIND_CRON, cron=rest)
    parts = rest.split(" ")
    hour, minute = (int(value) for value in parts[-1].split(":"))
    if kind == KIND_DAILY:
        return Schedule(KIND_DAILY, hour=hour, minute=minute)
    if kind == KIND_WEEKLY:
        days = tuple(int(value) for value in parts[0].split(","))
        return Schedule(KIND_WEEKLY, hour=hour, minute=minute, weekdays=days)
    if kind == KIND_MONTHLY:
        return Schedule(KIND_MONTHLY, hour=hour, minute=minute, day_of_month=int(parts[0]))
    raise ValueError(f"unknown schedule {spec!r}")


# ---------------------------------------------------------------------------- cron

_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_CRON_NAMES = {
    3: {
        "jan": 1,
        "feb": 2,
        "mar": 3,
        "apr": 4,
        "may": 5,
        "jun": 6,
        "jul": 7,
        "aug": 8,
        "sep": 9,
        "oct": 10,
        "nov": 11,
        "dec": 12,
    },
    4: {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6},
}


def _cron_field(text: str, index: int) -> frozenset[int] | None:
    low, high = _CRON_RANGES[index]
    names = _CRON_NAMES.get(index, {})
    values: set[int] = set()
    for part in text.split(","):
        match = re.fullmatch(r"(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:/(\d+))?", part.lower())
        if not match:
            return None
        base, step_text = match.group(1), match.group(2)
        step = int(step_text) if step_text else 1
        if step < 1:
            return None
        if base == "*":
            start, end = low, high
        else:
            bounds = []
            for piece in base.split("-"):
                if piece.isdigit():
                    bounds.append(int(piece))
                elif piece in names:
                    bounds.append(names[piece])
                else:
                    return None
            start, end = bounds[0], bounds[-1]
            if step_text and len(bounds) == 1:
                end = high
        if not (low <= start <= high and low <= end <= high and start <= end):
            return None
        values.update(range(start, end + 1, step))
    return frozenset(values)


def parse_cron(expression: str) -> CronSpec | ScheduleError:
    """Parse ``minute hour day-of-month month day-of-week`` (``*``, lists, ranges, steps,
    English month and day names)."""
    fields = expression.split()
    if len(fields) != 5:
        return ScheduleError(ERROR_CRON, expression.strip())
    parsed = []
    for index, text in enumerate(fields):
        values = _cron_field(text, index)
        if values is None:
            return ScheduleError(ERROR_CRON_FIELD, text)
        parsed.append(values)
    minutes, hours, days, months, cron_weekdays = parsed
    # cron: 0 and 7 are Sunday, 1 Monday; ours: 0 Monday ... 6 Sunday.
    weekdays = frozenset((value - 1) % 7 for value in cron_weekdays)
    return CronSpec(
        minutes,
        hours,
        days,
        months,
        weekdays,
        days_restricted=fields[2] != "*",
        weekdays_restricted=fields[4] != "*",
    )


# ---------------------------------------------------------------------------- occurrences


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _day_times(schedule: Schedule, day: date, cron: CronSpec | None) -> list[time]:
    """Wall-clock times at which ``schedule`` fires on the Paris date ``day``."""
    if schedule.kind == KIND_DAILY:
        return [time(schedule.hour, schedule.minute)]
    if schedule.kind == KIND_WEEKLY:
        if day.weekday() in schedule.weekdays:
            return [time(schedule.hour, schedule.minute)]
        return []
    if schedule.kind == KIND_MONTHLY:
        target = min(schedule.day_of_month, _last_day(day.year, day.month))
        return [time(schedule.hour, schedule.minute)] if day.day == target else []
    assert cron is not None
    if not cron.matches_day(day):
        return []
    return [time(hour, minute) for hour in sorted(cron.hours) for minute in sorted(cron.minutes)]


def occurrences(
    schedule: Schedule, after: datetime, until: datetime, limit: int = MAX_ENUMERATED
) -> list[datetime]:
    """Firing times (aware UTC) in ``(after, until]``, oldest first, at most ``limit``."""
    if schedule.kind == KIND_ONCE:
        assert schedule.at is not None
        return [schedule.at] if after < schedule.at <= until else []
    cron = None
    if schedule.kind == KIND_CRON:
        parsed = parse_cron(schedule.cron or "")
        if isinstance(parsed, ScheduleError):
            raise ValueError(f"invalid cron expression {schedule.cron!r}")
        cron = parsed
    found: list[datetime] = []
    seen: set[datetime] = set()
    day = after.astimezone(PARIS).date()
    last_day = until.astimezone(PARIS).date()
    while day <= last_day and len(found) < limit:
        for wall in _day_times(schedule, day, cron):
            moment = local_to_utc(day, wall)
            # Two wall times in a spring gap map to the same instant: fire once.
            if after < moment <= until and moment not in seen:
                seen.add(moment)
                found.append(moment)
                if len(found) >= limit:
                    break
        day += timedelta(days=1)
    return sorted(found)


def next_occurrence(schedule: Schedule, after: datetime) -> datetime | None:
    """The first firing strictly after ``after``; None if there is none (past one-off,
    impossible cron)."""
    if schedule.kind == KIND_ONCE:
        assert schedule.at is not None
        return schedule.at if schedule.at > after else None
    horizon = after + timedelta(days=CRON_HORIZON_DAYS if schedule.kind == KIND_CRON else 62)
    found = occurrences(schedule, after, horizon, limit=1)
    return found[0] if found else None


@dataclass(frozen=True)
class DueFirings:
    """What to do now: ``post`` (scheduled_for, late) and ``skip`` (missed beyond grace,
    or superseded by a later occurrence)."""

    post: list[tuple[datetime, bool]]
    skip: list[datetime]
    truncated: bool = False


def due_firings(
    schedule: Schedule,
    last_fired: datetime,
    now: datetime,
    grace: timedelta,
    *,
    expires_at: datetime | None = None,
    tolerance: timedelta = timedelta(minutes=2),
) -> DueFirings:
    """Occurrences after ``last_fired`` (the last one handled, or the alert's start) and
    up to ``now``.

    The latest occurrence no older than ``grace`` is posted, ``late`` when it is more
    than ``tolerance`` behind; every other one is skipped. Occurrences at or after
    ``expires_at`` do not count.
    """
    until = now if expires_at is None else min(now, expires_at - timedelta(microseconds=1))
    missed = occurrences(schedule, last_fired, until)
    truncated = len(missed) >= MAX_ENUMERATED
    post: list[tuple[datetime, bool]] = []
    skip: list[datetime] = []
    for index, moment in enumerate(missed):
        is_latest = index == len(missed) - 1
        if is_latest and now - moment <= grace:
            post.append((moment, now - moment > tolerance))
        else:
            skip.append(moment)
    return DueFirings(post, skip, truncated)


# ---------------------------------------------------------------------------- French phrases


_TIME = re.compile(r"(?<![0-9])(?:a\s+)?(\d{1,2})\s*(?:h|:)\s*(\d{2})?(?![0-9])")
_PARTS = {"matin": (8, 0), "midi": (12, 0), "soir": (20, 0)}
_DAILY = re.compile(r"^(?:tous\s+les\s+jours|chaque\s+jour|quotidien(?:nement)?)\b(.*)$")
_WEEKLY = re.compile(
    r"^(?:tous\s+les|chaque)\s+((?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)s?"
    r"(?:\s*,\s*|\s+et\s+|\s+)?)+)(.*)$"
)
_WEEKDAYS_ONLY = re.compile(r"^(?:tous\s+les\s+jours\s+de\s+la\s+semaine|en\s+semaine)\b(.*)$")
_MONTHLY = re.compile(
    r"^(?:chaque|tous\s+les)\s+(\d{1,2})\s*(?:er|e|eme)?\s+(?:du\s+mois|de\s+chaque\s+mois)(.*)$"
    r"|^(?:le\s+)?(\d{1,2})\s*(?:er|e|eme)?\s+de\s+chaque\s+mois(.*)$"
)
_CRON_PREFIX = re.compile(r"^cron\s*:?\s*(.+)$")
# "dans 20 secondes": a drill or a test a few seconds ahead (the date parser counts minutes).
_IN_SECONDS = re.compile(r"^dans\s+(\d{1,4})\s*(?:s|sec|secs|secondes?)\.?$")


def _clock(rest: str, words: str) -> tuple[int, int] | ScheduleError:
    match = _TIME.search(rest)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour > 23 or minute > 59:
            return ScheduleError(ERROR_INVALID_TIME, re.sub(r"^a\s+", "", match.group(0).strip()))
        return hour, minute
    for part, value in _PARTS.items():
        if re.search(rf"\b{part}\b", rest):
            return value
    return DEFAULT_RECURRENCE_TIME


def parse_schedule(text: str, now: datetime) -> Schedule | ScheduleError:
    """A French "when": "maintenant", "dans 20 secondes", "demain 8h", "le 3 décembre à 18h", "tous les lundis
    à 8h", "chaque 1er du mois à 9h", "tous les jours à 18h", "cron: 0 8 * * 1"."""
    words = text.strip()
    folded = fold(words).strip()
    if not folded:
        return ScheduleError(ERROR_NOT_UNDERSTOOD, words)
    cron_match = _CRON_PREFIX.match(folded)
    if cron_match:
        parsed = parse_cron(cron_match.group(1))
        if isinstance(parsed, ScheduleError):
            return parsed
        if next_occurrence(Schedule(KIND_CRON, cron=cron_match.group(1).strip()), now) is None:
            return ScheduleError(ERROR_CRON_FIELD, cron_match.group(1).strip())
        return Schedule(KIND_CRON, cron=" ".join(cron_match.group(1).split()))
    match = _WEEKDAYS_ONLY.match(folded)
    if match:
        clock = _clock(match.group(1), words)
        if isinstance(clock, ScheduleError):
            return clock
        return Schedule(KIND_WEEKLY, hour=clock[0], minute=clock[1], weekdays=(0, 1, 2, 3, 4))
    match = _DAILY.match(folded)
    if match:
        clock = _clock(match.group(1), words)
        if isinstance(clock, ScheduleError):
            return clock
        return Schedule(KIND_DAILY, hour=clock[0], minute=clock[1])
    match = _MONTHLY.match(folded)
    if match:
        day = int(match.group(1) or match.group(3))
        rest = match.group(2) if match.group(1) else match.group(4)
        if not 1 <= day <= 31:
            return ScheduleError(ERROR_DAY_OF_MONTH, str(day))
        clock = _clock(rest or "", words)
        if isinstance(clock, ScheduleError):
            return clock
        return Schedule(KIND_MONTHLY, hour=clock[0], minute=clock[1], day_of_month=day)
    match = _WEEKLY.match(folded)
    if match:
        days = sorted(
            {
                WEEKDAYS[name]
                for name in re.findall(
                    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche", match.group(1)
                )
            }
        )
        clock = _clock(match.group(2), words)
        if isinstance(clock, ScheduleError):
            return clock
        return Schedule(KIND_WEEKLY, hour=clock[0], minute=clock[1], weekdays=tuple(days))
    match = _IN_SECONDS.match(folded)
    if match:
        return Schedule(KIND_ONCE, at=now + timedelta(seconds=int(match.group(1))))
    if re.search(r"\b(?:hier|avant[\s-]hier)\b", folded):
        return ScheduleError(ERROR_IN_THE_PAST, words)
    moment = parse_moment(words, now)
    if isinstance(moment, MomentError):
        return ScheduleError(moment.message_id, moment.detail)
    assert isinstance(moment, Moment)
    # "maintenant" is now; a moment a few seconds old (parsing time) is still now.
    if moment.at < now - timedelta(minutes=1):
        return ScheduleError(ERROR_IN_THE_PAST, moment.matched)
    return Schedule(KIND_ONCE, at=max(moment.at, now))


def parse_until(text: str, now: datetime) -> datetime | ScheduleError:
    """The end of an alert: "15 décembre" / "jusqu'au 15 décembre" -> the end of that day
    (exclusive bound, Paris midnight); "15 décembre 18h" -> that moment."""
    folded = fold(text).strip()
    phrase = folded if folded.startswith("jusqu") else f"jusqu'au {text.strip()}"
    moment = parse_moment(text, now)
    if isinstance(moment, Moment) and moment.precision in ("time", "exact", "part_of_day"):
        end = moment.at
    else:
        period = parse_period(phrase, now)
        if isinstance(period, MomentError):
            return ScheduleError(period.message_id, period.detail)
        end = period.end
    if end <= now:
        return ScheduleError(ERROR_IN_THE_PAST, text.strip())
    return end


def paris_wall_clock(moment: datetime) -> tuple[date, time]:
    local = moment.astimezone(PARIS)
    return local.date(), local.time()


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
