"""French time phrases: table-driven, with a fixed clock, across both DST changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cpts_bot.core.french_datetime import (
    ERROR_END_BEFORE_START,
    ERROR_INVALID_DATE,
    ERROR_INVALID_TIME,
    ERROR_NOT_FOUND,
    Moment,
    MomentError,
    Period,
    local_to_utc,
    parse_moment,
    parse_period,
)
from cpts_bot.core.times import PARIS

# Monday 23 November 2026, 15:00 in Paris (winter time, UTC+1).
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=PARIS).astimezone(UTC)


def paris(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=PARIS).astimezone(UTC)


MOMENTS = [
    ("maintenant", paris(2026, 11, 23, 15, 0), "exact", "maintenant"),
    ("ce soir", paris(2026, 11, 23, 20, 0), "part_of_day", "ce soir"),
    ("ce soir 20h", paris(2026, 11, 23, 20, 0), "time", "ce soir 20h"),
    ("ce soir 8h", paris(2026, 11, 23, 20, 0), "time", "ce soir 8h"),
    ("demain", paris(2026, 11, 24, 0, 0), "day", "demain"),
    ("demain matin", paris(2026, 11, 24, 8, 0), "part_of_day", "demain matin"),
    ("demain 8h", paris(2026, 11, 24, 8, 0), "time", "demain 8h"),
    ("demain à 8h30", paris(2026, 11, 24, 8, 30), "time", "demain à 8h30"),
    ("Demain A 8H30", paris(2026, 11, 24, 8, 30), "time", "Demain A 8H30"),
    ("après-demain", paris(2026, 11, 25, 0, 0), "day", "après-demain"),
    ("apres demain 9h", paris(2026, 11, 25, 9, 0), "time", "apres demain 9h"),
    ("lundi", paris(2026, 11, 30, 0, 0), "day", "lundi"),
    ("mercredi", paris(2026, 11, 25, 0, 0), "day", "mercredi"),
    ("lundi prochain 14h", paris(2026, 11, 30, 14, 0), "time", "lundi prochain 14h"),
    ("vendredi soir", paris(2026, 11, 27, 20, 0), "part_of_day", "vendredi soir"),
    ("le 3 décembre à 18h", paris(2026, 12, 3, 18, 0), "time", "le 3 décembre à 18h"),
    ("3/12 18h", paris(2026, 12, 3, 18, 0), "time", "3/12 18h"),
    ("le 3 décembre 2026", paris(2026, 12, 3, 0, 0), "day", "le 3 décembre 2026"),
    ("le 1er janvier", paris(2027, 1, 1, 0, 0), "day", "le 1er janvier"),
    ("le 10 novembre", paris(2027, 11, 10, 0, 0), "day", "le 10 novembre"),
    ("3/12/27 9h", paris(2027, 12, 3, 9, 0), "time", "3/12/27 9h"),
    ("dans 2 heures", paris(2026, 11, 23, 17, 0), "exact", "dans 2 heures"),
    ("dans 10 min", paris(2026, 11, 23, 15, 10), "exact", "dans 10 min"),
    ("dans 1h30", paris(2026, 11, 23, 16, 30), "exact", "dans 1h30"),
    ("dans une demi-heure", paris(2026, 11, 23, 15, 30), "exact", "dans une demi-heure"),
    ("dans deux jours", paris(2026, 11, 25, 15, 0), "exact", "dans deux jours"),
    ("à 20h", paris(2026, 11, 23, 20, 0), "time", "à 20h"),
    ("20h30", paris(2026, 11, 23, 20, 30), "time", "20h30"),
    ("20:30", paris(2026, 11, 23, 20, 30), "time", "20:30"),
    ("à 10h", paris(2026, 11, 24, 10, 0), "time", "à 10h"),  # past today: tomorrow
    ("midi", paris(2026, 11, 24, 12, 0), "time", "midi"),
    ("demain midi", paris(2026, 11, 24, 12, 0), "time", "demain midi"),
    ("ce matin", paris(2026, 11, 23, 8, 0), "part_of_day", "ce matin"),  # explicit: today
    ("minuit", paris(2026, 11, 24, 0, 0), "time", "minuit"),
    ("cette nuit 2h", paris(2026, 11, 24, 2, 0), "time", "cette nuit 2h"),
    (
        "déclenchement IDE domicile Hyères ce soir 20h pansement post-op",
        paris(2026, 11, 23, 20, 0),
        "time",
        "ce soir 20h",
    ),
    ("qui est de garde ce soir à Hyères ?", paris(2026, 11, 23, 20, 0), "part_of_day", "ce soir"),
    ("IDE d'astreinte demain matin ?", paris(2026, 11, 24, 8, 0), "part_of_day", "demain matin"),
    ("kiné 3 patients demain 9h", paris(2026, 11, 24, 9, 0), "time", "demain 9h"),
]


@pytest.mark.parametrize(("text", "expected", "precision", "matched"), MOMENTS)
def test_moments(text: str, expected: datetime, precision: str, matched: str) -> None:
    result = parse_moment(text, NOW)
    assert result == Moment(expected, precision, matched)
    assert result.at.tzinfo is UTC


ERRORS = [
    ("31 novembre", ERROR_INVALID_DATE, "31 novembre"),
    ("le 30 février à 9h", ERROR_INVALID_DATE, "30 février"),
    ("29/02/2027", ERROR_INVALID_DATE, "29 février 2027"),
    ("le 3/13", ERROR_INVALID_DATE, "3/13"),
    ("25h", ERROR_INVALID_TIME, "25h"),
    ("demain 18h75", ERROR_INVALID_TIME, "18h75"),
    ("3 hôpitaux", ERROR_NOT_FOUND, "3 hôpitaux"),
    ("pansement", ERROR_NOT_FOUND, "pansement"),
]


@pytest.mark.parametrize(("text", "message_id", "detail"), ERRORS)
def test_errors_are_precise(text: str, message_id: str, detail: str) -> None:
    assert parse_moment(text, NOW) == MomentError(message_id, detail)


def test_29_february_without_year_is_the_next_leap_year() -> None:
    assert parse_moment("29 février", NOW) == Moment(paris(2028, 2, 29, 0, 0), "day", "29 février")


PERIODS = [
    ("du 12 au 20 décembre", (2026, 12, 12), (2026, 12, 21), "du 12 au 20 décembre"),
    ("absente du 12 au 20 décembre", (2026, 12, 12), (2026, 12, 21), "du 12 au 20 décembre"),
    ("du 12/12 au 3/1", (2026, 12, 12), (2027, 1, 4), "du 12/12 au 3/1"),
    ("du 12 décembre au 3 janvier", (2026, 12, 12), (2027, 1, 4), "du 12 décembre au 3 janvier"),
    ("demain", (2026, 11, 24), (2026, 11, 25), "demain"),
    ("en congés demain", (2026, 11, 24), (2026, 11, 25), "demain"),
    ("cette semaine", (2026, 11, 23), (2026, 11, 30), "cette semaine"),
    ("la semaine prochaine", (2026, 11, 30), (2026, 12, 7), "la semaine prochaine"),
    ("ce week-end", (2026, 11, 28), (2026, 11, 30), "ce week-end"),
    ("du lundi au mercredi", (2026, 11, 30), (2026, 12, 3), "du lundi au mercredi"),
    ("le 5/12", (2026, 12, 5), (2026, 12, 6), "le 5/12"),
]


@pytest.mark.parametrize(("text", "start", "end", "matched"), PERIODS)
def test_periods(
    text: str, start: tuple[int, int, int], end: tuple[int, int, int], matched: str
) -> None:
    assert parse_period(text, NOW) == Period(paris(*start), paris(*end), matched)


def test_period_until() -> None:
    assert parse_period("jusqu'au 20 décembre", NOW) == Period(
        NOW, paris(2026, 12, 21), "jusqu'au 20 décembre"
    )


def test_period_part_of_day() -> None:
    assert parse_period("demain matin", NOW) == Period(
        paris(2026, 11, 24, 6), paris(2026, 11, 24, 12), "demain matin"
    )
    assert parse_period("ce soir", NOW) == Period(
        paris(2026, 11, 23, 18), paris(2026, 11, 24), "ce soir"
    )


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("du 20 au 12 décembre", MomentError(ERROR_END_BEFORE_START, "du 20 au 12 décembre")),
        ("du 31 novembre au 3 décembre", MomentError(ERROR_INVALID_DATE, "31 novembre")),
        ("rien", MomentError(ERROR_NOT_FOUND, "rien")),
    ],
)
def test_period_errors(text: str, error: MomentError) -> None:
    assert parse_period(text, NOW) == error


def test_spring_forward_moves_a_skipped_time_forward() -> None:
    # 29 March 2026: 02:00 -> 03:00 in Paris. 02:30 does not exist: read as 03:30 CEST.
    now = paris(2026, 3, 28, 12, 0)
    result = parse_moment("demain 2h30", now)
    assert isinstance(result, Moment)
    assert result.at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert result.at.astimezone(PARIS).hour == 3


def test_fall_back_takes_the_first_of_a_repeated_time() -> None:
    # 25 October 2026: 03:00 -> 02:00. 02:30 happens twice: the summer-time one (00:30 UTC).
    now = paris(2026, 10, 24, 12, 0)
    result = parse_moment("demain 2h30", now)
    assert isinstance(result, Moment)
    assert result.at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_days_across_dst_keep_the_wall_clock() -> None:
    now = paris(2026, 3, 28, 20, 0)  # winter time, UTC+1
    result = parse_moment("dans 2 jours", now)
    assert isinstance(result, Moment)
    assert result.at.astimezone(PARIS).hour == 20
    assert result.at == datetime(2026, 3, 30, 18, 0, tzinfo=UTC)
    # A period over the short day lasts 23 hours.
    period = parse_period("demain", now)
    assert isinstance(period, Period)
    assert (period.end - period.start).total_seconds() == 23 * 3600


def test_local_to_utc_is_deterministic_around_both_changes() -> None:
    from datetime import date, time

    assert local_to_utc(date(2026, 3, 29), time(2, 0)) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert local_to_utc(date(2026, 10, 25), time(2, 0)) == datetime(2026, 10, 25, 0, 0, tzinfo=UTC)
    assert local_to_utc(date(2026, 10, 25), time(3, 0)) == datetime(2026, 10, 25, 2, 0, tzinfo=UTC)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        parse_moment("demain", datetime(2026, 1, 1))
