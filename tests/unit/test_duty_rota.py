"""Who is on duty: weekly slots in Paris wall-clock time across DST, shifts, leave."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from cpts_bot.core.times import PARIS
from cpts_bot.features.rota.duty_rota import (
    Leave,
    OneOffShift,
    Rota,
    WeeklySlot,
    duties_of,
    is_on_leave,
    on_duty_at,
    on_duty_during,
    slot_occurrences,
)

HYERES, LA_CRAU = "83069", "83047"
ALICE, BOB = "@alice:hs", "@bob:hs"


def paris(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=PARIS).astimezone(UTC)


def users(duties) -> list[str]:
    return [duty.user_id for duty in duties]


# Sunday evening slot 18h-22h: the last Sundays of March and October 2026 are DST days.
SUNDAY_EVENING = WeeklySlot(ALICE, "60", frozenset({HYERES}), 6, time(18), time(22))
# Saturday night 20h-8h runs into Sunday, across the change of time.
SATURDAY_NIGHT = WeeklySlot(BOB, "60", frozenset(), 5, time(20), time(8))


@pytest.mark.parametrize(
    ("day", "utc_start", "utc_end"),
    [
        ((2026, 3, 22), (2026, 3, 22, 17), (2026, 3, 22, 21)),  # winter time, UTC+1
        ((2026, 3, 29), (2026, 3, 29, 16), (2026, 3, 29, 20)),  # DST starts that morning
        ((2026, 10, 25), (2026, 10, 25, 17), (2026, 10, 25, 21)),  # DST ended that morning
        ((2026, 7, 5), (2026, 7, 5, 16), (2026, 7, 5, 20)),  # summer time, UTC+2
    ],
)
def test_weekly_slot_keeps_the_paris_wall_clock(day, utc_start, utc_end) -> None:
    start = paris(*day, 0)
    occurrences = slot_occurrences(SUNDAY_EVENING, start, start + timedelta(days=1))
    assert [(d.start, d.end) for d in occurrences] == [
        (datetime(*utc_start, tzinfo=UTC), datetime(*utc_end, tzinfo=UTC))
    ]
    assert users(on_duty_at(Rota((SUNDAY_EVENING,)), paris(*day, 21, 59))) == [ALICE]
    assert on_duty_at(Rota((SUNDAY_EVENING,)), paris(*day, 22, 0)) == []
    assert on_duty_at(Rota((SUNDAY_EVENING,)), paris(*day, 17, 59)) == []


@pytest.mark.parametrize(
    ("saturday", "hours"), [((2026, 3, 28), 11), ((2026, 10, 24), 13), ((2026, 11, 7), 12)]
)
def test_overnight_slot_across_dst_lasts_what_the_clock_says(saturday, hours) -> None:
    start = paris(*saturday, 12)
    occurrence = slot_occurrences(SATURDAY_NIGHT, start, start + timedelta(hours=12))[0]
    assert occurrence.start == paris(*saturday, 20)
    assert occurrence.end - occurrence.start == timedelta(hours=hours)
    sunday = date(*saturday) + timedelta(days=1)
    assert users(
        on_duty_at(Rota((SATURDAY_NIGHT,)), paris(sunday.year, sunday.month, sunday.day, 7, 59))
    ) == [BOB]


def test_the_night_slot_started_yesterday_is_found_this_morning() -> None:
    rota = Rota((SATURDAY_NIGHT,))
    assert users(on_duty_at(rota, paris(2026, 11, 8, 3, 0))) == [BOB]
    assert on_duty_at(rota, paris(2026, 11, 8, 8, 0)) == []


def test_filters_profession_and_commune_and_empty_means_whole_territory() -> None:
    kine = WeeklySlot("@kine:hs", "70", frozenset({HYERES}), 6, time(18), time(22))
    rota = Rota((SUNDAY_EVENING, kine, SATURDAY_NIGHT))
    at = paris(2026, 11, 8, 19)
    assert users(on_duty_at(rota, at, "60", HYERES)) == [ALICE]
    assert users(on_duty_at(rota, at, "60", LA_CRAU)) == []
    assert users(on_duty_at(rota, at, "70")) == ["@kine:hs"]
    assert users(on_duty_at(rota, paris(2026, 11, 8, 2), "60", LA_CRAU)) == [BOB]


def test_validity_dates_bound_a_weekly_slot() -> None:
    slot = WeeklySlot(
        ALICE,
        "60",
        frozenset(),
        6,
        time(18),
        time(22),
        valid_from=date(2026, 11, 8),
        valid_until=date(2026, 11, 15),
    )
    rota = Rota((slot,))
    assert on_duty_at(rota, paris(2026, 11, 1, 19)) == []
    assert users(on_duty_at(rota, paris(2026, 11, 8, 19))) == [ALICE]
    assert users(on_duty_at(rota, paris(2026, 11, 15, 19))) == [ALICE]
    assert on_duty_at(rota, paris(2026, 11, 22, 19)) == []


def test_one_off_shift_and_leave_exclusion() -> None:
    shift = OneOffShift(
        BOB, "60", frozenset({HYERES}), paris(2026, 12, 24, 20), paris(2026, 12, 25, 8)
    )
    leave = Leave(ALICE, paris(2026, 12, 20), paris(2026, 12, 28))
    rota = Rota((SUNDAY_EVENING,), (shift,), (leave,))
    assert users(on_duty_at(rota, paris(2026, 12, 24, 23))) == [BOB]
    # Alice's Sunday 27 December slot falls in her leave: she is not on duty.
    assert on_duty_at(rota, paris(2026, 12, 27, 19)) == []
    assert users(on_duty_at(rota, paris(2027, 1, 3, 19))) == [ALICE]
    assert is_on_leave(rota.leaves, ALICE, paris(2026, 12, 27, 23, 59))
    assert not is_on_leave(rota.leaves, ALICE, paris(2026, 12, 28))
    assert not is_on_leave(rota.leaves, BOB, paris(2026, 12, 27))
    assert duties_of(rota, ALICE, paris(2026, 12, 19), paris(2027, 1, 4)) == [
        duty
        for duty in duties_of(Rota((SUNDAY_EVENING,)), ALICE, paris(2027, 1, 3), paris(2027, 1, 4))
    ]


def test_on_duty_during_a_period() -> None:
    rota = Rota((SUNDAY_EVENING, SATURDAY_NIGHT))
    evening = on_duty_during(rota, paris(2026, 11, 8, 18), paris(2026, 11, 9))
    assert sorted(users(evening)) == [ALICE]
    weekend = on_duty_during(rota, paris(2026, 11, 7), paris(2026, 11, 9))
    assert sorted(users(weekend)) == [ALICE, BOB]


def test_invalid_values_are_refused() -> None:
    with pytest.raises(ValueError, match="weekday"):
        WeeklySlot(ALICE, "60", frozenset(), 7, time(8), time(9))
    with pytest.raises(ValueError, match="end after"):
        OneOffShift(ALICE, "60", frozenset(), paris(2026, 1, 1), paris(2026, 1, 1))
