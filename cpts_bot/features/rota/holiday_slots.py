"""Which days a weekly slot runs: its weekday, and what public holidays change.

"dimanches et jours fériés" (often "DJF") is a Sunday slot that also runs on every public
holiday; "jours fériés" (or "férié") runs on public holidays only, whatever their weekday;
"lundi sauf fériés" runs on Mondays that are not public holidays. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cpts_bot.core.french_datetime import WEEKDAYS
from cpts_bot.core.public_holidays import HolidayCalendar
from cpts_bot.core.text_normalizer import fold


class HolidayRule(StrEnum):
    """What public holidays do to a weekly slot."""

    WEEKDAY = "weekday"  # the weekday, holiday or not
    ALSO = "also"  # the weekday, and every public holiday ("dimanches et jours fériés")
    ONLY = "only"  # public holidays only, on any weekday ("jours fériés")
    EXCEPT = "except"  # the weekday unless it is a public holiday ("lundi sauf fériés")


# With ONLY, the weekday is not used; slots are stored with this one.
HOLIDAYS_ONLY_WEEKDAY = 6


@dataclass(frozen=True)
class SlotDays:
    weekday: int
    rule: HolidayRule = HolidayRule.WEEKDAY


def runs_on(weekday: int, rule: HolidayRule, day: date, calendar: HolidayCalendar) -> bool:
    """Whether a slot of ``weekday`` under ``rule`` starts on ``day`` (Paris date)."""
    if rule is HolidayRule.WEEKDAY:
        return day.weekday() == weekday
    holiday = calendar.is_holiday(day)
    if rule is HolidayRule.ONLY:
        return holiday
    if rule is HolidayRule.ALSO:
        return holiday or day.weekday() == weekday
    return day.weekday() == weekday and not holiday


_WEEKDAY = r"(?P<wd>" + "|".join(WEEKDAYS) + r")s?\.?"
_HOLIDAYS = r"(?:les\s+)?(?:jours?\s+)?feries?"
_ALSO = re.compile(
    rf"(?<![a-z])(?:(?:les|chaque|tous\s+les)\s+)?{_WEEKDAY}\s*(?:et|,|/|\+)\s*{_HOLIDAYS}(?![a-z])"
)
_EXCEPT = re.compile(
    rf"(?<![a-z]){_WEEKDAY}\s*(?:,\s*)?(?:sauf|hors|excepte|non)\s+{_HOLIDAYS}(?![a-z])"
)
_DJF = re.compile(r"(?<![a-z])djf(?![a-z])")
_ONLY = re.compile(rf"(?<![a-z])(?:(?:chaque|tous\s+les|le|un)\s+)?{_HOLIDAYS}(?![a-z])")
_PLAIN = re.compile(rf"^\s*{_WEEKDAY}\s*$")


@dataclass(frozen=True)
class FoundDays:
    """Days named in a text, and where (``start``, ``end``: the span in the text)."""

    days: SlotDays
    start: int
    end: int


def find_slot_days(text: str) -> FoundDays | None:
    """Days said with their holidays in ``text`` ("dimanches et jours fériés", "DJF",
    "jours fériés", "lundi sauf fériés"); None when no holiday is mentioned (a bare
    weekday is the caller's to read)."""
    folded = fold(text, keep_positions=True)
    for pattern, rule in ((_EXCEPT, HolidayRule.EXCEPT), (_ALSO, HolidayRule.ALSO)):
        match = pattern.search(folded)
        if match:
            days = SlotDays(WEEKDAYS[match.group("wd")], rule)
            return FoundDays(days, match.start(), match.end())
    match = _DJF.search(folded)
    if match:
        return FoundDays(SlotDays(6, HolidayRule.ALSO), match.start(), match.end())
    match = _ONLY.search(folded)
    if match:
        days = SlotDays(HOLIDAYS_ONLY_WEEKDAY, HolidayRule.ONLY)
        return FoundDays(days, match.start(), match.end())
    return None


def parse_slot_days(text: str) -> SlotDays | None:
    """A rota file's day column: "lundi", "dimanches et jours fériés", "jours fériés",
    "férié", "DJF", "lundi sauf fériés"; None when it is none of these."""
    found = find_slot_days(text)
    if found is not None:
        rest = fold(text[: found.start] + text[found.end :], keep_positions=True).strip(" .,;")
        return found.days if not rest else None
    plain = _PLAIN.match(fold(text, keep_positions=True))
    return SlotDays(WEEKDAYS[plain.group("wd")]) if plain else None
