"""English time phrases: table-driven, with a fixed clock, read by the same rules as the
French ones (a bare time already past is tomorrow, « saturday night » starts on Saturday)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cpts_bot.core.english_datetime import parse_english_moment
from cpts_bot.core.french_datetime import (
    ERROR_INVALID_DATE,
    ERROR_INVALID_TIME,
    ERROR_NOT_FOUND,
    Moment,
    MomentError,
    parse_moment,
)
from cpts_bot.core.times import PARIS
from cpts_bot.features.dispatch.english_request import parse_moment_in
from cpts_bot.i18n import Translator

# Monday 23 November 2026, 15:00 in Paris (winter time, UTC+1).
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=PARIS).astimezone(UTC)


def paris(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=PARIS).astimezone(UTC)


MOMENTS = [
    ("now", paris(2026, 11, 23, 15, 0), "exact", "now"),
    ("right now", paris(2026, 11, 23, 15, 0), "exact", "right now"),
    ("tonight", paris(2026, 11, 23, 22, 0), "part_of_day", "tonight"),
    ("tonight 8pm", paris(2026, 11, 23, 20, 0), "time", "tonight 8pm"),
    ("tonight at 8", paris(2026, 11, 23, 20, 0), "time", "tonight at 8"),
    ("tonight 2am", paris(2026, 11, 24, 2, 0), "time", "tonight 2am"),
    ("this evening", paris(2026, 11, 23, 20, 0), "part_of_day", "this evening"),
    ("this evening at 7", paris(2026, 11, 23, 19, 0), "time", "this evening at 7"),
    ("tomorrow", paris(2026, 11, 24, 0, 0), "day", "tomorrow"),
    ("tomorrow 9am", paris(2026, 11, 24, 9, 0), "time", "tomorrow 9am"),
    ("Tomorrow at 9 A.M.", paris(2026, 11, 24, 9, 0), "time", "Tomorrow at 9 A.M."),
    ("tomorrow morning", paris(2026, 11, 24, 8, 0), "part_of_day", "tomorrow morning"),
    ("tomorrow afternoon", paris(2026, 11, 24, 14, 0), "part_of_day", "tomorrow afternoon"),
    ("the day after tomorrow", paris(2026, 11, 25, 0, 0), "day", "the day after tomorrow"),
    ("at 16:30", paris(2026, 11, 23, 16, 30), "time", "at 16:30"),
    ("at 14:30", paris(2026, 11, 24, 14, 30), "time", "at 14:30"),
    ("8:30pm", paris(2026, 11, 23, 20, 30), "time", "8:30pm"),
    ("at 10am", paris(2026, 11, 24, 10, 0), "time", "at 10am"),  # past today: tomorrow
    ("noon", paris(2026, 11, 24, 12, 0), "time", "noon"),
    ("tomorrow at noon", paris(2026, 11, 24, 12, 0), "time", "tomorrow at noon"),
    ("midnight", paris(2026, 11, 24, 0, 0), "time", "midnight"),
    ("12am", paris(2026, 11, 24, 0, 0), "time", "12am"),
    ("12pm", paris(2026, 11, 24, 12, 0), "time", "12pm"),
    ("saturday night", paris(2026, 11, 28, 22, 0), "part_of_day", "saturday night"),
    ("on Saturday night at 11pm", paris(2026, 11, 28, 23, 0), "time", "on Saturday night at 11pm"),
    ("monday", paris(2026, 11, 30, 0, 0), "day", "monday"),
    ("next wednesday 6pm", paris(2026, 11, 25, 18, 0), "time", "next wednesday 6pm"),
    ("friday evening", paris(2026, 11, 27, 20, 0), "part_of_day", "friday evening"),
    ("in 2 hours", paris(2026, 11, 23, 17, 0), "exact", "in 2 hours"),
    ("in an hour", paris(2026, 11, 23, 16, 0), "exact", "in an hour"),
    ("in half an hour", paris(2026, 11, 23, 15, 30), "exact", "in half an hour"),
    ("in ten minutes", paris(2026, 11, 23, 15, 10), "exact", "in ten minutes"),
    ("in two days", paris(2026, 11, 25, 15, 0), "exact", "in two days"),
    ("in 1 week", paris(2026, 11, 30, 15, 0), "exact", "in 1 week"),
    ("on 3 December at 6pm", paris(2026, 12, 3, 18, 0), "time", "on 3 December at 6pm"),
    ("December 3rd, 6pm", paris(2026, 12, 3, 18, 0), "time", "December 3rd, 6pm"),
    ("the 1st of January", paris(2027, 1, 1, 0, 0), "day", "the 1st of January"),
    ("3/12 at 18:00", paris(2026, 12, 3, 18, 0), "time", "3/12 at 18:00"),
    ("8 o'clock tomorrow", paris(2026, 11, 24, 8, 0), "time", "8 o'clock tomorrow"),
]


@pytest.mark.parametrize(("text", "expected", "precision", "matched"), MOMENTS)
def test_english_moments(text: str, expected: datetime, precision: str, matched: str) -> None:
    moment = parse_english_moment(f"need a nurse {text} for a dressing", NOW)
    assert isinstance(moment, Moment), moment
    assert (moment.at, moment.precision, moment.matched) == (expected, precision, matched)


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
