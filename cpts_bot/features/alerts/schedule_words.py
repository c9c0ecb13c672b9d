"""French "when" phrases of alerts, read into schedules (pure: the clock is passed in).

"maintenant", "dans 20 secondes", "demain 8h", "le 3 décembre à 18h", "tous les lundis à
8h", "chaque 1er du mois à 9h", "tous les jours à 18h", "cron: 0 8 * * 1"; and the end of
an alert, "jusqu'au 15 décembre".
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from cpts_bot.core.french_datetime import (
    ERROR_INVALID_TIME,
    WEEKDAYS,
    Moment,
    MomentError,
    parse_moment,
    parse_period,
)
from cpts_bot.core.text_normalizer import fold
from cpts_bot.features.alerts.cron import ERROR_CRON_FIELD, ScheduleError, parse_cron
from cpts_bot.features.alerts.schedule import (
    DEFAULT_RECURRENCE_TIME,
    ERROR_DAY_OF_MONTH,
    ERROR_IN_THE_PAST,
    ERROR_NOT_UNDERSTOOD,
    KIND_CRON,
    KIND_DAILY,
    KIND_MONTHLY,
    KIND_ONCE,
    KIND_WEEKLY,
    Schedule,
    next_occurrence,
)

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


def _cron(expression: str, now: datetime) -> Schedule | ScheduleError:
    parsed = parse_cron(expression)
    if isinstance(parsed, ScheduleError):
        return parsed
    if next_occurrence(Schedule(KIND_CRON, cron=expression.strip()), now) is None:
        return ScheduleError(ERROR_CRON_FIELD, expression.strip())
    return Schedule(KIND_CRON, cron=" ".join(expression.split()))


def _at_clock(kind: str, rest: str, words: str, **values: object) -> Schedule | ScheduleError:
    clock = _clock(rest, words)
    if isinstance(clock, ScheduleError):
        return clock
    return Schedule(kind, hour=clock[0], minute=clock[1], **values)  # type: ignore[arg-type]


def _recurring(folded: str, words: str, now: datetime) -> Schedule | ScheduleError | None:
    """A recurring "when" (cron, weekdays, daily, monthly, weekly), or None."""
    if match := _CRON_PREFIX.match(folded):
        return _cron(match.group(1), now)
    if match := _WEEKDAYS_ONLY.match(folded):
        return _at_clock(KIND_WEEKLY, match.group(1), words, weekdays=(0, 1, 2, 3, 4))
    if match := _DAILY.match(folded):
        return _at_clock(KIND_DAILY, match.group(1), words)
    if match := _MONTHLY.match(folded):
        day = int(match.group(1) or match.group(3))
        rest = match.group(2) if match.group(1) else match.group(4)
        if not 1 <= day <= 31:
            return ScheduleError(ERROR_DAY_OF_MONTH, str(day))
        return _at_clock(KIND_MONTHLY, rest or "", words, day_of_month=day)
    if match := _WEEKLY.match(folded):
        names = re.findall(r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche", match.group(1))
        days = tuple(sorted({WEEKDAYS[name] for name in names}))
        return _at_clock(KIND_WEEKLY, match.group(2), words, weekdays=days)
    return None


def _one_off(folded: str, words: str, now: datetime) -> Schedule | ScheduleError:
    if match := _IN_SECONDS.match(folded):
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


def parse_schedule(text: str, now: datetime) -> Schedule | ScheduleError:
    """A French "when": "maintenant", "dans 20 secondes", "demain 8h", "le 3 décembre à
    18h", "tous les lundis à 8h", "chaque 1er du mois à 9h", "tous les jours à 18h",
    "cron: 0 8 * * 1"."""
    words = text.strip()
    folded = fold(words).strip()
    if not folded:
        return ScheduleError(ERROR_NOT_UNDERSTOOD, words)
    recurring = _recurring(folded, words, now)
    return recurring if recurring is not None else _one_off(folded, words, now)


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
