"""English date and time phrases, read by the one moment reader with English words:
"tonight 8pm", "tomorrow at 9am", "at 14:30", "this evening", "saturday night", "in 2
hours", "noon", "on 3 December at 6pm". Pure: the clock is ``now``.

The rules are those of :mod:`cpts_bot.core.french_datetime` (Paris wall clock, a bare
time already past means tomorrow, a weekday is the next one); the words map onto the
same concepts: "tonight" is this night (22h, "tonight 8pm" 20h), "evening" is « soir »
(20h), "saturday night" the night that starts on Saturday. "8pm", "8 p.m.", "8:30pm",
"20:30", "8h30" and "at 8" are times; "12am" is midnight, "12pm" noon.
``parse_moment_in`` reads a text with both languages' words (a request may mix them).
"""

from __future__ import annotations

import re
from datetime import datetime

from cpts_bot.core.datetime_grammar import Grammar
from cpts_bot.core.french_datetime import (
    ERROR_NOT_FOUND,
    FRENCH,
    MomentError,
    MomentResult,
    parse_moment,
)

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
_B = r"(?<![a-z0-9])"
_E = r"(?![a-z0-9])"
_ORDINAL = r"(?:st|nd|rd|th)?"
_PART_ALT = "|".join(sorted(PARTS, key=len, reverse=True))

_AT = r"(?:(?:at|around|about|by|for|from)\s+)?"
# (kind, words) in the order the reader tries them; each is matched as whole words.
_WORDS = (
    (
        "now",
        r"(?:right\s+now|now|immediately|(?:straight|right)\s+away|as\s+soon\s+as\s+possible|asap)",
    ),
    (
        "relative",
        r"in\s+(?:(?P<half>half\s+an\s+hour|a\s+half[\s-]hour)"
        r"|(?P<quarter>a\s+quarter\s+of\s+an\s+hour|a\s+quarter[\s-]hour)"
        rf"|(?P<n>\d{{1,4}}|{_NUMBER_ALT})\s*(?P<unit>hours?|hrs?|h|minutes?|mins?|days?|weeks?)"
        r"(?:\s*(?P<extra>\d{1,2})(?:\s*mins?)?)?)",
    ),
    # 3 December, the 3rd of December, Monday 3 Dec. 2026
    (
        "date",
        rf"(?:on\s+)?(?:(?:{_WEEKDAY_ALT})\s+)?(?:the\s+)?(?P<d>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?"
        rf"(?P<m>{_MONTH_ALT})\.?(?:,?\s+(?P<y>\d{{4}}))?",
    ),
    # December 3rd, Monday, Dec 3, 2026
    (
        "date",
        rf"(?:on\s+)?(?:(?:{_WEEKDAY_ALT}),?\s+)?(?P<m>{_MONTH_ALT})\.?\s+(?:the\s+)?"
        rf"(?P<d>\d{{1,2}}){_ORDINAL}(?:,?\s+(?P<y>\d{{4}}))?",
    ),
    # Day first, as written in France (3/12 is 3 December).
    ("date", r"(?:on\s+)?(?P<d>\d{1,2})/(?P<m>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?"),
    ("weekday", rf"(?:(?:on|this|next)\s+)?(?P<wd>{_WEEKDAY_ALT})(?:\s+(?P<next>next))?"),
    ("relday", r"(?P<rd>(?:the\s+)?day\s+after\s+tomorrow|tomorrow|today)"),
    # this morning (today's, even past), tonight (this night), in the afternoon
    ("part", rf"(?:(?:in\s+the|at)\s+)?(?:(?P<this>this|to(?=night))\s*)?(?P<part>{_PART_ALT})"),
    # 8pm, 8 p.m., 8:30pm, 8.30 am
    ("time", _AT + r"(?P<h>\d{1,2})(?:[:.h](?P<mi>\d{2}))?\s?(?P<ampm>a\.?m\.?|p\.?m\.?)"),
    ("time", _AT + r"(?P<h>\d{1,2})(?::|h)(?P<mi>\d{2})?"),  # 20:30, 8h30, 20h
    ("time", _AT + r"(?P<h>\d{1,2})(?P<mi>)\s+o'?\s?clock"),  # 8 o'clock
    ("time", r"(?:at|around|about|by)\s+(?P<h>\d{1,2})(?P<mi>)(?![0-9:/.])"),  # at 8
)
_GAP = re.compile(r"^(?:[\s,]|(?<![a-z])(?:at|on|the|of|around|by|for|from|in)(?![a-z]))*$")
_PATTERNS = tuple((kind, re.compile(_B + words + _E)) for kind, words in _WORDS)
_RELDAYS = {"dayaftertomorrow": 2, "thedayaftertomorrow": 2, "tomorrow": 1}
# In the order of Grammar's fields: patterns, gap, weekdays, months, month names,
# numbers, parts of the day, relative days, the week unit's first letter.
ENGLISH = Grammar(
    _PATTERNS, _GAP, WEEKDAYS, MONTHS, MONTH_NAMES, NUMBER_WORDS, PARTS, _RELDAYS, ("w",)
)


def parse_english_moment(text: str, now: datetime) -> MomentResult:
    """The first moment said in English in ``text``, aware UTC, or a MomentError."""
    return parse_moment(text, now, ENGLISH)


def _none_found(result: MomentResult) -> bool:
    return isinstance(result, MomentError) and result.message_id == ERROR_NOT_FOUND


def parse_moment_in(language: str, text: str, now: datetime) -> MomentResult:
    """The moment in ``text`` read with both languages' words: the reading that covers
    more words wins (« demain 20h » is French even from an English reader, « tonight
    8:30pm » English), the reader's language on a tie; "none found" only if neither
    found one."""
    grammars = (ENGLISH, FRENCH) if language == "en" else (FRENCH, ENGLISH)
    readings = [parse_moment(text, now, grammar) for grammar in grammars]
    found = [reading for reading in readings if not _none_found(reading)]
    return max(found, key=lambda reading: len(reading.matched)) if found else readings[0]
