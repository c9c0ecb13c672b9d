"""English date and time phrases, read by the one moment reader with English words:
"tonight 8pm", "tomorrow at 9am", "at 14:30", "this evening", "saturday night", "in 2
hours", "noon", "on 3 December at 6pm". Pure: the clock is ``now``.

The rules are those of :mod:`cpts_bot.core.french_datetime` (Paris wall clock, a bare
time already past means tomorrow, a weekday is the next one); the words map onto the
same concepts: "tonight" is this night (22h, "tonight 8pm" 20h), "evening" is « soir »
(20h), "saturday night" the night that starts on Saturday. "8pm", "8 p.m.", "8:30pm",
"20:30", "8h30" and "at 8" are times; "12am" is midnight, "12pm" noon.
"""

from __future__ import annotations

import re
from datetime import datetime

from cpts_bot.core.datetime_grammar import Grammar
from cpts_bot.core.french_datetime import MomentResult, parse_moment

MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sept": 9,
    "sep": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
MONTH_NAMES = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "forty-five": 45,
    "fifty": 50,
}
# The parts of the day, by their French names (the concepts the reader knows).
PARTS = {
    "morning": "matin",
    "noon": "midi",
    "midday": "midi",
    "lunchtime": "midi",
    "afternoon": "apres-midi",
    "evening": "soir",
    "night": "nuit",
    "overnight": "nuit",
    "midnight": "minuit",
}

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY_ALT = "|".join(WEEKDAYS)
_NUMBER_ALT = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
_PART_ALT = "|".join(sorted(PARTS, key=len, reverse=True))
_B = r"(?<![a-z0-9])"
_E = r"(?![a-z0-9])"
_ORDINAL = r"(?:st|nd|rd|th)?"

_NOW = re.compile(
    _B + r"(?:right\s+now|now|immediately|straight\s+away|right\s+away|as\s+soon\s+as\s+possible"
    r"|asap)" + _E
)
_RELATIVE = re.compile(
    _B + r"in\s+(?:"
    r"(?P<half>half\s+an\s+hour|a\s+half[\s-]hour)"
    r"|(?P<quarter>a\s+quarter\s+of\s+an\s+hour|a\s+quarter[\s-]hour)"
    rf"|(?P<n>\d{{1,4}}|{_NUMBER_ALT})\s*"
    r"(?P<unit>hours?|hrs?|h|minutes?|mins?|days?|weeks?)"
    r"(?:\s*(?P<extra>\d{1,2})(?:\s*mins?)?)?"
    r")" + _E
)
_DATE_DAY_MONTH = re.compile(
    _B + r"(?:on\s+)?(?:(?:" + _WEEKDAY_ALT + r")\s+)?(?:the\s+)?"
    r"(?P<d>\d{1,2})" + _ORDINAL + r"\s+(?:of\s+)?(?P<m>" + _MONTH_ALT + r")\.?"
    r"(?:,?\s+(?P<y>\d{4}))?" + _E
)
_DATE_MONTH_DAY = re.compile(
    _B + r"(?:on\s+)?(?:(?:" + _WEEKDAY_ALT + r"),?\s+)?(?P<m>" + _MONTH_ALT + r")\.?\s+"
    r"(?:the\s+)?(?P<d>\d{1,2})" + _ORDINAL + r"(?:,?\s+(?P<y>\d{4}))?" + _E
)
# Day first, as written in France (3/12 is 3 December).
_DATE_NUMERIC = re.compile(
    _B + r"(?:on\s+)?(?P<d>\d{1,2})/(?P<m>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?" + _E
)
_WEEKDAY = re.compile(
    _B + r"(?:(?:on|this|next)\s+)?(?P<wd>" + _WEEKDAY_ALT + r")(?:\s+(?P<next>next))?" + _E
)
_RELATIVE_DAY = re.compile(_B + r"(?P<rd>(?:the\s+)?day\s+after\s+tomorrow|tomorrow|today)" + _E)
_PART = re.compile(
    _B + r"(?:(?:in\s+the|at|this)\s+)?(?:(?P<this>this|to(?=night))\s*)?"
    r"(?P<part>" + _PART_ALT + r")" + _E
)
_AT = r"(?:(?:at|around|about|by|for|from)\s+)?"
_TIMES = (
    # 8pm, 8 p.m., 8:30pm, 8.30 am
    _B + _AT + r"(?P<h>\d{1,2})(?:[:.h](?P<mi>\d{2}))?\s?(?P<ampm>a\.?m\.?|p\.?m\.?)(?![a-z0-9])",
    # 20:30, 8h30, 20h
    _B + _AT + r"(?P<h>\d{1,2})(?::|h)(?P<mi>\d{2})?" + _E,
    # 8 o'clock, at 8
    _B + _AT + r"(?P<h>\d{1,2})(?P<mi>)\s+o'?\s?clock" + _E,
    _B + r"(?:at|around|about|by)\s+(?P<h>\d{1,2})(?P<mi>)(?![0-9:/.a-z])",
)
_GAP = re.compile(r"^(?:[\s,]|(?<![a-z])(?:at|on|the|of|around|by|for|from|in)(?![a-z]))*$")

ENGLISH = Grammar(
    patterns=(
        ("now", _NOW),
        ("relative", _RELATIVE),
        ("date", _DATE_DAY_MONTH),
        ("date", _DATE_MONTH_DAY),
        ("date", _DATE_NUMERIC),
        ("weekday", _WEEKDAY),
        ("relday", _RELATIVE_DAY),
        ("part", _PART),
        *(("time", re.compile(pattern)) for pattern in _TIMES),
    ),
    gap=_GAP,
    weekdays=WEEKDAYS,
    months=MONTHS,
    month_names=MONTH_NAMES,
    numbers=NUMBER_WORDS,
    parts=PARTS,
    reldays={"dayaftertomorrow": 2, "thedayaftertomorrow": 2, "tomorrow": 1},
    week_units=("w",),
)


def parse_english_moment(text: str, now: datetime) -> MomentResult:
    """The first moment said in English in ``text``, aware UTC, or a MomentError."""
    return parse_moment(text, now, ENGLISH)
