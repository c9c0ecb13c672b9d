"""Alert schedules: French phrases, Paris time across DST, short months, cron, grace."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cpts_bot.features.alerts.cron import ERROR_CRON, ERROR_CRON_FIELD, ScheduleError, parse_cron
from cpts_bot.features.alerts.schedule import (
    ERROR_DAY_OF_MONTH,
    ERROR_IN_THE_PAST,
    KIND_CRON,
    KIND_DAILY,
    KIND_MONTHLY,
    KIND_WEEKLY,
    Schedule,
    due_firings,
    next_occurrence,
    occurrences,
    schedule_from_spec,
)
from cpts_bot.features.alerts.schedule_words import parse_schedule, parse_until

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # Monday 23 November 2026, 11:00 Paris


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("maintenant", Schedule("once", at=NOW)),
        ("dans 20 secondes", Schedule("once", at=NOW + timedelta(seconds=20))),
        ("dans 1 seconde", Schedule("once", at=NOW + timedelta(seconds=1))),
        ("Dans 90 s", Schedule("once", at=NOW + timedelta(seconds=90))),
        ("dans 1 min", Schedule("once", at=NOW + timedelta(minutes=1))),
        ("demain 8h", Schedule("once", at=paris(2026, 11, 24, 8, 0))),
        ("le 3 décembre à 18h", Schedule("once", at=paris(2026, 12, 3, 18, 0))),
        ("tous les lundis à 8h", Schedule(KIND_WEEKLY, hour=8, weekdays=(0,))),
        (
            "Tous les lundis et jeudis à 8h30",
            Schedule(KIND_WEEKLY, hour=8, minute=30, weekdays=(0, 3)),
        ),
        ("chaque 1er du mois", Schedule(KIND_MONTHLY, hour=8, day_of_month=1)),
        ("chaque 1er du mois à 9h", Schedule(KIND_MONTHLY, hour=9, day_of_month=1)),
        ("le 31 de chaque mois à 18h", Schedule(KIND_MONTHLY, hour=18, day_of_month=31)),
        ("tous les jours à 18h", Schedule(KIND_DAILY, hour=18)),
        (
            "tous les jours de la semaine à 7h45",
            Schedule(KIND_WEEKLY, hour=7, minute=45, weekdays=(0, 1, 2, 3, 4)),
        ),
        ("cron: 0 8 * * 1", Schedule(KIND_CRON, cron="0 8 * * 1")),
        ("cron 0  8 * * mon-fri", Schedule(KIND_CRON, cron="0 8 * * mon-fri")),
    ],
)
def test_french_phrases(words: str, expected: Schedule) -> None:
    assert parse_schedule(words, NOW) == expected
    assert schedule_from_spec(expected.spec) == expected


@pytest.mark.parametrize(
    ("words", "message_id", "detail"),
    [
        ("cron: 0 8 * *", ERROR_CRON, "0 8 * *"),
        ("cron: 0 25 * * *", ERROR_CRON_FIELD, "25"),
        ("cron: 0 8 * * lundi", ERROR_CRON_FIELD, "lundi"),
        ("cron: 0 8 30 2 *", ERROR_CRON_FIELD, "0 8 30 2 *"),  # never fires
        ("chaque 32 du mois à 8h", ERROR_DAY_OF_MONTH, "32"),
        ("hier à 8h", ERROR_IN_THE_PAST, "hier à 8h"),
        ("31 novembre 8h", "There is no {detail}.", "31 novembre"),
        ("quand tu veux", "No date or time found in “{detail}”.", "quand tu veux"),
        ("tous les jours à 25h", "{detail} is not a valid time.", "25h"),
    ],
)
def test_invalid_input_gets_a_precise_error(words: str, message_id: str, detail: str) -> None:
    assert parse_schedule(words, NOW) == ScheduleError(message_id, detail)


def test_until_is_the_end_of_the_day_or_the_moment() -> None:
    assert parse_until("15 décembre", NOW) == paris(2026, 12, 16, 0, 0)
    assert parse_until("jusqu'au 15 décembre", NOW) == paris(2026, 12, 16, 0, 0)
    assert parse_until("15 décembre 18h", NOW) == paris(2026, 12, 15, 18, 0)
    assert isinstance(parse_until("31 novembre", NOW), ScheduleError)


def test_weekly_time_is_paris_wall_clock_in_winter_and_summer() -> None:
    weekly = Schedule(KIND_WEEKLY, hour=8, weekdays=(0,))
    found = occurrences(weekly, datetime(2027, 3, 20, tzinfo=UTC), datetime(2027, 4, 6, tzinfo=UTC))
    assert found == [
        datetime(2027, 3, 22, 7, 0, tzinfo=UTC),  # CET, UTC+1
        datetime(2027, 3, 29, 6, 0, tzinfo=UTC),  # CEST, UTC+2
        datetime(2027, 4, 5, 6, 0, tzinfo=UTC),
    ]


def test_a_time_skipped_in_spring_fires_after_the_gap_and_a_repeated_one_once() -> None:
    daily = Schedule(KIND_DAILY, hour=2, minute=30)
    spring = occurrences(daily, paris(2027, 3, 27, 12, 0), paris(2027, 3, 29, 12, 0))
    assert spring == [
        datetime(2027, 3, 28, 1, 30, tzinfo=UTC),  # 03:30 CEST: no 02:30
        datetime(2027, 3, 29, 0, 30, tzinfo=UTC),
    ]
    autumn = occurrences(daily, paris(2026, 10, 24, 12, 0), paris(2026, 10, 26, 12, 0))
    assert autumn == [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # the first 02:30 (CEST)
        datetime(2026, 10, 26, 1, 30, tzinfo=UTC),
    ]
    cron = Schedule(KIND_CRON, cron="30 2 * * *")
    assert occurrences(cron, paris(2027, 3, 27, 12, 0), paris(2027, 3, 29, 12, 0)) == spring
    assert occurrences(cron, paris(2026, 10, 24, 12, 0), paris(2026, 10, 26, 12, 0)) == autumn


def test_the_31st_falls_on_the_last_day_of_short_months_but_not_in_cron() -> None:
    monthly = Schedule(KIND_MONTHLY, hour=9, day_of_month=31)
    found = occurrences(monthly, paris(2026, 11, 1, 0, 0), paris(2028, 3, 1, 0, 0))
    days = [moment.astimezone(PARIS).date() for moment in found]
    assert days[:4] == [
        date(2026, 11, 30),
        date(2026, 12, 31),
        date(2027, 1, 31),
        date(2027, 2, 28),
    ]
    assert date(2028, 2, 29) in days and len(days) == 16
    assert all(moment.astimezone(PARIS).hour == 9 for moment in found)
    cron = Schedule(KIND_CRON, cron="0 9 31 * *")
    cron_days = [
        m.astimezone(PARIS).date()
        for m in occurrences(cron, paris(2026, 11, 1, 0, 0), paris(2027, 3, 1, 0, 0))
    ]
    assert cron_days == [date(2026, 12, 31), date(2027, 1, 31)]


def test_next_occurrence() -> None:
    assert next_occurrence(Schedule("once", at=NOW), NOW) is None
    assert next_occurrence(Schedule(KIND_DAILY, hour=18), NOW) == paris(2026, 11, 23, 18, 0)
    # cron: day of month OR weekday when both are given.
    both = Schedule(KIND_CRON, cron="0 8 1 * 5")
    assert next_occurrence(both, NOW) == paris(2026, 11, 27, 8, 0)  # Friday before the 1st


def brute_force_cron(expression: str, start: datetime, end: datetime) -> list[datetime]:
    """Every UTC minute in (start, end] whose Paris wall time matches, by plain checks."""
    minute_f, hour_f, day_f, month_f, weekday_f = expression.split()

    def allowed(field: str, value: int) -> bool:
        if field == "*":
            return True
        return value in {int(part) for part in field.split(",")}

    found = []
    moment = start.replace(second=0, microsecond=0) + timedelta(minutes=1)
    while moment <= end:
        local = moment.astimezone(PARIS)
        cron_weekday = (local.weekday() + 1) % 7
        day_ok = allowed(day_f, local.day)
        weekday_ok = allowed(weekday_f, cron_weekday)
        if day_f != "*" and weekday_f != "*":
            days_match = day_ok or weekday_ok
        else:
            days_match = day_ok and weekday_ok
        if (
            allowed(minute_f, local.minute)
            and allowed(hour_f, local.hour)
            and allowed(month_f, local.month)
            and days_match
        ):
            found.append(moment)
        moment += timedelta(minutes=1)
    return found


def field(values: list[int]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.just("*"),
        st.lists(st.sampled_from(values), min_size=1, max_size=3, unique=True).map(
            lambda items: ",".join(map(str, sorted(items)))
        ),
    )


@settings(max_examples=25, deadline=None)
@given(
    minute=field([0, 15, 30, 45]),
    hour=field(list(range(24))),
    day=field(list(range(1, 32))),
    weekday=field(list(range(7))),
    start_day=st.integers(min_value=0, max_value=20),
)
def test_cron_matcher_agrees_with_brute_force(
    minute: str, hour: str, day: str, weekday: str, start_day: int
) -> None:
    # Two winter weeks (no DST change inside): the matcher must equal a minute scan.
    expression = f"{minute} {hour} {day} * {weekday}"
    assert not isinstance(parse_cron(expression), ScheduleError)
    start = datetime(2027, 1, 1, tzinfo=UTC) + timedelta(days=start_day)
    end = start + timedelta(days=5)
    schedule = Schedule(KIND_CRON, cron=expression)
    assert occurrences(schedule, start, end, limit=100_000) == brute_force_cron(
        expression, start, end
    )


def test_cron_steps_ranges_and_names() -> None:
    spec = parse_cron("*/15 8-10 * jan,jul sun")
    assert not isinstance(spec, ScheduleError)
    assert spec.minutes == {0, 15, 30, 45} and spec.hours == {8, 9, 10}
    assert spec.months == {1, 7} and spec.weekdays == {6}
    assert parse_cron("0 8 * * 7") == parse_cron("0 8 * * 0")


DAILY_8 = Schedule(KIND_DAILY, hour=8)
GRACE = timedelta(minutes=30)


def test_on_time_late_and_too_late() -> None:
    yesterday = paris(2026, 11, 22, 8, 0)
    today = paris(2026, 11, 23, 8, 0)
    on_time = due_firings(DAILY_8, yesterday, today + timedelta(seconds=5), GRACE)
    assert (on_time.post, on_time.skip) == ([(today, False)], [])
    late = due_firings(DAILY_8, yesterday, today + timedelta(minutes=20), GRACE)
    assert (late.post, late.skip) == ([(today, True)], [])
    too_late = due_firings(DAILY_8, yesterday, today + timedelta(minutes=31), GRACE)
    assert (too_late.post, too_late.skip) == ([], [today])
    nothing = due_firings(DAILY_8, today, today + timedelta(hours=3), GRACE)
    assert (nothing.post, nothing.skip) == ([], [])


def test_after_days_down_only_the_latest_within_grace_is_posted() -> None:
    last = paris(2026, 11, 19, 8, 0)
    now = paris(2026, 11, 23, 8, 10)
    due = due_firings(DAILY_8, last, now, GRACE)
    assert due.post == [(paris(2026, 11, 23, 8, 0), True)]
    assert due.skip == [paris(2026, 11, d, 8, 0) for d in (20, 21, 22)]


def test_occurrences_at_or_after_expiry_do_not_count() -> None:
    last = paris(2026, 11, 21, 8, 0)
    due = due_firings(
        DAILY_8, last, paris(2026, 11, 23, 8, 1), GRACE, expires_at=paris(2026, 11, 23, 8, 0)
    )
    assert (due.post, due.skip) == ([], [paris(2026, 11, 22, 8, 0)])


@settings(max_examples=60, deadline=None)
@given(
    ticks=st.lists(st.integers(min_value=1, max_value=6 * 3600), min_size=1, max_size=40),
    grace_minutes=st.integers(min_value=1, max_value=120),
)
def test_with_any_clock_each_occurrence_is_handled_exactly_once(
    ticks: list[int], grace_minutes: int
) -> None:
    """Running at arbitrary times: every occurrence is posted or skipped once, none lost."""
    schedule = Schedule(KIND_CRON, cron="0 8,12,18 * * *")
    start = paris(2026, 11, 20, 0, 0)
    now = start
    last = start
    handled: list[datetime] = []
    for tick in ticks:
        now += timedelta(seconds=tick)
        due = due_firings(schedule, last, now, timedelta(minutes=grace_minutes))
        moments = [*due.skip, *(moment for moment, _ in due.post)]
        for moment, late in due.post:
            assert now - moment <= timedelta(minutes=grace_minutes)
            assert late == (now - moment > timedelta(minutes=2))
        handled.extend(moments)
        if moments:
            last = max(moments)
    assert sorted(handled) == handled == occurrences(schedule, start, now)
