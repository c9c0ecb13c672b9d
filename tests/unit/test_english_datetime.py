"""English time phrases: table-driven, with a fixed clock, read by the same rules as the
French ones (a bare time already past is tomorrow, « saturday night » starts on Saturday)."""

from __future__ import annotations

import re

import pytest

from cpts_bot.core.english_datetime import parse_english_moment, parse_moment_in
from cpts_bot.core.french_datetime import (
    ERROR_INVALID_DATE,
    ERROR_INVALID_TIME,
    ERROR_NOT_FOUND,
    Moment,
    MomentError,
    parse_moment,
)
from cpts_bot.i18n import Translator
from tests.unit.test_french_datetime import NOW, paris  # Monday 23 November 2026, 15:00

# What each phrase means on the Paris clock, and how precise it is (the phrase is all the
# moment's words).
MOMENTS = """
now                       | 2026-11-23 15:00 | exact
right now                 | 2026-11-23 15:00 | exact
tonight                   | 2026-11-23 22:00 | part_of_day
tonight 8pm               | 2026-11-23 20:00 | time
tonight at 8              | 2026-11-23 20:00 | time
tonight 2am               | 2026-11-24 02:00 | time
this evening              | 2026-11-23 20:00 | part_of_day
this evening at 7         | 2026-11-23 19:00 | time
this afternoon            | 2026-11-23 14:00 | part_of_day  (said: today's, even past)
this morning              | 2026-11-23 08:00 | part_of_day
tomorrow                  | 2026-11-24 00:00 | day
tomorrow 9am              | 2026-11-24 09:00 | time
Tomorrow at 9 A.M.        | 2026-11-24 09:00 | time
tomorrow morning          | 2026-11-24 08:00 | part_of_day
tomorrow afternoon        | 2026-11-24 14:00 | part_of_day
the day after tomorrow    | 2026-11-25 00:00 | day
8pm tonight               | 2026-11-23 20:00 | time
9am tomorrow              | 2026-11-24 09:00 | time
tomorrow in the morning   | 2026-11-24 08:00 | part_of_day
around 7 tonight          | 2026-11-23 19:00 | time
Thursday at noon          | 2026-11-26 12:00 | time
at 16:30                  | 2026-11-23 16:30 | time
at 14:30                  | 2026-11-24 14:30 | time
8:30pm                    | 2026-11-23 20:30 | time
at 10am                   | 2026-11-24 10:00 | time  (past today: tomorrow)
noon                      | 2026-11-24 12:00 | time
tomorrow at noon          | 2026-11-24 12:00 | time
midnight                  | 2026-11-24 00:00 | time
12am                      | 2026-11-24 00:00 | time
12pm                      | 2026-11-24 12:00 | time
saturday night            | 2026-11-28 22:00 | part_of_day
on Saturday night at 11pm | 2026-11-28 23:00 | time
monday                    | 2026-11-30 00:00 | day
next wednesday 6pm        | 2026-11-25 18:00 | time
friday evening            | 2026-11-27 20:00 | part_of_day
in 2 hours                | 2026-11-23 17:00 | exact
in an hour                | 2026-11-23 16:00 | exact
in half an hour           | 2026-11-23 15:30 | exact
in ten minutes            | 2026-11-23 15:10 | exact
in two days               | 2026-11-25 15:00 | exact
in 1 week                 | 2026-11-30 15:00 | exact
on 3 December at 6pm      | 2026-12-03 18:00 | time
December 3rd, 6pm         | 2026-12-03 18:00 | time
the 1st of January        | 2027-01-01 00:00 | day
3/12 at 18:00             | 2026-12-03 18:00 | time
8 o'clock tomorrow        | 2026-11-24 08:00 | time
"""
TABLE = {
    text.strip(): (local.strip(), precision.split()[0])
    for text, local, precision in (line.split("|") for line in MOMENTS.strip().splitlines())
}


@pytest.mark.parametrize("text", TABLE)
def test_english_moments(text: str) -> None:
    local, precision = TABLE[text]
    moment = parse_english_moment(f"need a nurse {text} for a dressing", NOW)
    assert isinstance(moment, Moment), moment
    expected = paris(*(int(part) for part in re.split("[- :]", local)))
    assert (moment.at, moment.precision, moment.matched) == (expected, precision, text)


@pytest.mark.parametrize(
    ("english", "french"),
    [
        ("tonight 8pm", "ce soir 20h"),
        ("this evening", "ce soir"),
        ("tomorrow 9am", "demain 9h"),
        ("tomorrow morning", "demain matin"),
        ("saturday night", "samedi nuit"),
        ("in 2 hours", "dans 2 heures"),
        ("noon", "midi"),
        ("monday 2pm", "lundi 14h"),
        ("on 3 December", "le 3 décembre"),
    ],
)
def test_an_english_moment_is_the_french_one(english: str, french: str) -> None:
    read_english, read_french = parse_english_moment(english, NOW), parse_moment(french, NOW)
    assert isinstance(read_english, Moment) and isinstance(read_french, Moment)
    assert (read_english.at, read_english.precision) == (read_french.at, read_french.precision)


@pytest.mark.parametrize(
    ("text", "message_id", "said"),
    [
        (
            "a dressing, no hurry",
            ERROR_NOT_FOUND,
            "No date or time found in “a dressing, no hurry”.",
        ),
        ("13pm", ERROR_INVALID_TIME, "13pm is not a valid time."),
        ("tomorrow at 25:00", ERROR_INVALID_TIME, "at 25:00 is not a valid time."),
        ("on 31 November", ERROR_INVALID_DATE, "There is no 31 November."),
        ("February 30th", ERROR_INVALID_DATE, "There is no 30 February."),
    ],
)
def test_bad_english_times_get_a_clear_english_error(text: str, message_id: str, said: str) -> None:
    error = parse_english_moment(text, NOW)
    assert isinstance(error, MomentError) and error.message_id == message_id
    assert error.render(Translator("en")) == said


def test_the_reading_that_covers_more_words_wins() -> None:
    # « 8:30pm » read in French would be 8:30, « demain 20h » in English today's 20h.
    for language in ("en", "fr"):
        english = parse_moment_in(language, "tonight 8:30pm", NOW)
        assert isinstance(english, Moment) and english.at == paris(2026, 11, 23, 20, 30)
        french = parse_moment_in(language, "demain 20h", NOW)
        assert french == parse_moment("demain 20h", NOW)
    french = parse_moment_in("fr", "tomorrow 9am", NOW)
    assert isinstance(french, Moment) and french.at == paris(2026, 11, 24, 9, 0)
    nothing = parse_moment_in("en", "a dressing", NOW)
    assert isinstance(nothing, MomentError) and nothing.message_id == ERROR_NOT_FOUND
