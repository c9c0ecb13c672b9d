"""What a language's date and time grammar is made of, for the one moment reader
(:mod:`cpts_bot.core.french_datetime`): the patterns that find each kind of token, and
the tables that turn their words into the same concepts (a weekday's number, a month's
number, a part of the day, a day's offset from today). « samedi nuit » and « saturday
night » are then read by the same rules. Pure data."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Grammar:
    """One language's moment words.

    ``patterns``: (kind, pattern) in the order they are tried, on folded text; kinds are
    now, relative, date, weekday, relday, part and time, with the named groups the reader
    reads (``wd``, ``rd``, ``part``, ``this``, ``d``, ``m``, ``y``, ``h``, ``mi``,
    ``ampm``, ``n``, ``unit``, ``extra``, ``half``, ``quarter``). ``gap``: what may stand
    between two tokens of one moment (« demain à 8h », « tomorrow at 8am »).
    """

    patterns: tuple[tuple[str, re.Pattern[str]], ...]
    gap: re.Pattern[str]
    weekdays: dict[str, int]  # word -> 0 (Monday) .. 6
    months: dict[str, int]  # word -> 1 .. 12
    month_names: tuple[str, ...]  # 1 .. 12 -> the month in errors ("31 November")
    numbers: dict[str, int]  # number words of relative times ("dans deux heures")
    parts: dict[str, str]  # a part of the day's word, without spaces -> its French name
    reldays: dict[str, int]  # a relative day's words, without spaces -> days from today
    week_units: tuple[str, ...]  # first letters of the week unit ("semaines", "weeks")
