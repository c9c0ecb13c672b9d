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

French phrases are read in :mod:`cpts_bot.features.alerts.schedule_words`, cron expressions in
:mod:`cpts_bot.features.alerts.cron`.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from cpts_bot.core.french_datetime import local_to_utc
from cpts_bot.core.times import PARIS, to_iso
from cpts_bot.features.alerts.cron import CronSpec, ScheduleError, parse_cron

KIND_ONCE = "once"
KIND_DAILY = "daily"
KIND_WEEKLY = "weekly"
KIND_MONTHLY = "monthly"
KIND_CRON = "cron"

# Error message ids (English, translated by the alerts catalog); ``{detail}`` is filled.
ERROR_DAY_OF_MONTH = "There is no day {detail} in a month."
ERROR_IN_THE_PAST = "This moment is already past: {detail}."
ERROR_NOT_UNDERSTOOD = "When? I do not understand « {detail} »."

MAX_ENUMERATED = 1000
# "chaque 1er du mois" without an hour fires at 8h (echoed back for confirmation).
DEFAULT_RECURRENCE_TIME = (8, 0)
# A cron expression that cannot match (e.g. 30 February) is found out within this horizon.
CRON_HORIZON_DAYS = 5 * 366


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


def paris_wall_clock(moment: datetime) -> tuple[date, time]:
    local = moment.astimezone(PARIS)
    return local.date(), local.time()


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
