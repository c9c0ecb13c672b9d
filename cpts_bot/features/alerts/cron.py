"""5-field cron expressions for alerts (``0 8 * * 1``): parsing, and the error value every
schedule reader returns (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from cpts_bot.core.user_error import UserError

# Error message ids (English, translated by the alerts catalog); ``{detail}`` is filled.
ERROR_CRON = (
    "Invalid cron expression « {detail} »: five fields expected (minute hour day month weekday)."
)
ERROR_CRON_FIELD = "Invalid cron field « {detail} »."


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
