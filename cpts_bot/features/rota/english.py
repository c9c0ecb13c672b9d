"""English rota phrases said the French way, for the French rota reader: « who is on
call tonight in Hyères » -> « qui est de garde ce soir in Hyères », « my shifts » ->
« mes gardes », « away from 12 to 20 December » -> « absente du 12 au 20 decembre »,
« shift @a:hs nurse Hyères every monday 6pm-8pm » -> « garde @a:hs nurse Hyères chaque
lundi 18h-20h ». Works on folded text (lower case, no accents). Pure."""

from __future__ import annotations

import re

# The days and parts of days, said in French for the French date reader (the rota's
# phrases and the requests for cover read them alike).
ENGLISH_DAY_WORDS = {
    "today": "aujourd'hui",
    "tonight": "ce soir",
    "tomorrow": "demain",
    "monday": "lundi",
    "tuesday": "mardi",
    "wednesday": "mercredi",
    "thursday": "jeudi",
    "friday": "vendredi",
    "saturday": "samedi",
    "sunday": "dimanche",
    "morning": "matin",
    "afternoon": "apres-midi",
    "evening": "soir",
    "night": "nuit",
}

# Longest phrases first: each is replaced once, left to right, as whole words.
ENGLISH_PHRASES = {
    "who is on call": "qui est de garde",
    "who's on call": "qui est de garde",
    "who is on duty": "qui est de garde",
    "who's on duty": "qui est de garde",
    "on call": "de garde",
    "on duty": "de garde",
    "my on-call shifts": "mes gardes",
    "my shifts": "mes gardes",
    "my shift": "mes gardes",
    "my duties": "mes gardes",
    "my rota": "mes gardes",
    "my schedule": "mes gardes",
    "my leave": "mes conges",
    "my holidays": "mes conges",
    "my absences": "mes absences",
    "cancel leave": "annuler conge",
    "delete leave": "annuler conge",
    "i am away": "absente",
    "i'm away": "absente",
    "i will be away": "absente",
    "away": "absente",
    "on leave": "en conges",
    "on holiday": "en conges",
    "public holidays": "jours feries",
    "public holiday": "jour ferie",
    "next public holiday": "prochain jour ferie",
    "sundays and": "dimanches et",
    "saturdays and": "samedis et",
    "every": "chaque",
    "this evening": "ce soir",
    "this morning": "ce matin",
    "this afternoon": "cet apres-midi",
    **ENGLISH_DAY_WORDS,
    "from": "du",
    "to": "au",
    "until": "au",
    "on": "le",
    "at": "a",
    "calendar": "calendrier",
    "mondays": "lundis",
    "sundays": "dimanches",
    "saturdays": "samedis",
    "january": "janvier",
    "february": "fevrier",
    "march": "mars",
    "april": "avril",
    "may": "mai",
    "june": "juin",
    "july": "juillet",
    "august": "aout",
    "september": "septembre",
    "october": "octobre",
    "november": "novembre",
    "december": "decembre",
}
_WORDS = re.compile(
    r"(?<![a-z'])("
    + "|".join(re.escape(p) for p in sorted(ENGLISH_PHRASES, key=len, reverse=True))
    + r")(?![a-z'])"
)
_CLOCK = re.compile(r"(?<![0-9:])(\d{1,2})(?::(\d{2}))?\s*(am|pm)(?![a-z])")
_ENGLISH_MARKS = re.compile(
    r"(?<![a-z])(?:who|my|on call|on duty|away|on leave|cancel|shift|duty|leave|every|tonight"
    r"|tomorrow|today|am|pm)(?![a-z])"
)


def _clock(match: re.Match[str]) -> str:
    hour, minutes, half = int(match.group(1)), match.group(2), match.group(3)
    hour = hour % 12 + (12 if half == "pm" else 0)
    return f"{hour}h{minutes or ''}"


def looks_english(folded: str) -> bool:
    return _ENGLISH_MARKS.search(folded) is not None


SETTING = re.compile(r"^(?:add\s+)?(shift|duty|on[\s-]call|leave)(?=\s+@)")


def english_to_french(folded: str) -> str:
    """``folded`` with its English rota words in French (other words unchanged)."""
    text = SETTING.sub(lambda m: "conge" if m.group(1) == "leave" else "garde", folded)
    text = _CLOCK.sub(_clock, text)
    return _WORDS.sub(lambda match: ENGLISH_PHRASES[match.group(1)], text)
