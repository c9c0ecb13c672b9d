"""The English words of a dispatch request, beside the French ones of ``phrases.py``.

"need a nurse at home tonight 8pm in Vénissieux for a dressing, patient agrees" and
"urgent physio tomorrow morning Lyon 8, bronchiolitis" are requests: they start with
« need », « request », « care request » or « urgent » and name a profession (so that « I
need cover for my shift » stays a request for cover). The profession, the care's
activity words and the communes are the vocabulary's own (its terms are French and
English); the time is read with the words of both languages, the reading that covers
more words winning. Pure: text in, values out."""

from __future__ import annotations

import re
from datetime import datetime

from cpts_bot.core.english_datetime import ENGLISH
from cpts_bot.core.french_datetime import (
    ERROR_NOT_FOUND,
    FRENCH,
    MomentError,
    MomentResult,
    parse_moment,
)
from cpts_bot.core.profession_words import find_profession

# The opening of an English request; « urgent » is left to be read as the urgency.
ENGLISH_TRIGGER = (
    r"^\s*(?P<english>(?:(?:i|we)\s+)?(?:urgently\s+)?(?:need(?:ed)?|request(?:\s+for)?"
    r"|care\s+request|new\s+request)(?![a-z])\s*:?\s*|(?=urgent(?:ly)?(?![a-z])))"
)
# Its words as the router's triggers (every English request holds one of them).
ENGLISH_OPENING = r"^\s*(?:(?:i|we)\s+)?(?:urgent|need|request|care\s+request|new\s+request)"
ENGLISH_URGENT = r"urgently|emergency|as\s+soon\s+as\s+possible"
# Words left around the care once the rest is read: « need a … at home … for a dressing ».
ENGLISH_FILLER_START = r"need(?:ed)?|please|for|an?|the|some|to|with|and"
ENGLISH_FILLER_END = r"for|in|at|on|to|with|and|please|by|around"
# A word that only leads into a place or a time (« in Vénissieux », « at 8pm »).
_LEAD_IN = re.compile(r"(?<![a-z])(?:in|at|on|near|around|by|for)\s+$")


def names_a_profession(text: str) -> bool:
    """Does the request's first line name a profession (« need a nurse … »)?"""
    return find_profession(text.split("\n", 1)[0]) is not None


def lead_in_start(folded: str, start: int) -> int:
    """Where the piece at ``start`` begins with the English word leading into it."""
    match = _LEAD_IN.search(folded[:start])
    return match.start() if match else start


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
