"""The pure rules of swaps: the state table (exhaustively), which duty a phrase means,
who is free to take it, names, and handovers applied to the rota."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

import pytest

from cpts_bot.core.french_datetime import local_to_utc
from cpts_bot.core.state_table import IllegalTransition
from cpts_bot.core.times import PARIS
from cpts_bot.features.cover.models import (
    AlreadyStarted,
    NoDuty,
    SeveralDuties,
    SwapWhen,
    default_deadline,
    free_colleagues,
    match_name,
    pick_duty,
)
from cpts_bot.features.cover.states import (
    ENDED_STATES,
    TABLE,
    SwapEvent,
    SwapState,
)
from cpts_bot.features.rota.duty_rota import (
    Duty,
    Handover,
    Leave,
    OneOffShift,
    Rota,
    WeeklySlot,
    duties_of,
    on_duty_at,
)

S, E = SwapState, SwapEvent
EXPECTED = {
    (None, E.CREATE): S.OPEN,
    (S.OPEN, E.ACCEPT): S.TAKEN,
    (S.OPEN, E.DECLINE): S.OPEN,
    (S.OPEN, E.CANCEL): S.CANCELLED,
    (S.OPEN, E.EXPIRE): S.EXPIRED,
}
NOW = datetime(2026, 12, 1, 11, 0, tzinfo=PARIS).astimezone(UTC)
A, B, C, D = (f"@{n}:cpts.test" for n in ("a", "b", "c", "d"))


def at(day: int, hour: int, month: int = 12) -> datetime:
    return local_to_utc(date(2026, month, day), time(hour))


def duty(user: str, start: datetime, hours: int = 12, profession: str = "60") -> Duty:
    return Duty(user, profession, frozenset(), start, start + timedelta(hours=hours))


def day(number: int) -> SwapWhen:
    return SwapWhen(at(number, 0), at(number + 1, 0), "day", f"{number}/12")


# ------------------------------------------------------------------------ state table


def test_the_table_is_exactly_the_documented_one() -> None:
    assert TABLE.transitions == EXPECTED


@pytest.mark.parametrize(("state", "event"), list(itertools.product([None, *SwapState], SwapEvent)))
def test_every_move_is_the_table_or_raises(state: SwapState | None, event: SwapEvent) -> None:
    if (state, event) in EXPECTED:
        assert TABLE.next_state(state, event) == EXPECTED[(state, event)]
        assert event in TABLE.allowed_events(state)
    else:
        with pytest.raises(IllegalTransition):
            TABLE.next_state(state, event)
        assert event not in TABLE.allowed_events(state)


def test_ended_requests_accept_nothing() -> None:
    for state in ENDED_STATES:
        assert TABLE.allowed_events(state) == frozenset()


# --------------------------------------------------------------------- the duty meant


def test_a_day_means_the_duty_starting_that_day() -> None:
    night_before = duty(A, at(23, 20))  # 23/12 20h -> 24/12 8h
    night = duty(A, at(24, 20))
    assert pick_duty([night_before, night], day(24), NOW) == night


def test_a_day_with_only_a_running_duty_means_that_one() -> None:
    night_before = duty(A, at(23, 20))
    assert pick_duty([night_before], day(24), NOW) == night_before


def test_an_hour_means_the_duty_starting_then_else_the_one_running() -> None:
    morning, evening = duty(A, at(24, 8), 4), duty(A, at(24, 20))
    when = SwapWhen(at(24, 20), at(24, 20) + timedelta(minutes=1), "time")
    assert pick_duty([morning, evening], when, NOW) == evening
    when = SwapWhen(at(24, 10), at(24, 10) + timedelta(minutes=1), "time")
    assert pick_duty([morning, evening], when, NOW) == morning


def test_no_duty_several_duties_or_a_started_one_are_said() -> None:
    morning, evening = duty(A, at(24, 8), 4), duty(A, at(24, 20))
    assert pick_duty([], day(24), NOW) == NoDuty()
    assert pick_duty([morning, evening], day(24), NOW) == SeveralDuties((morning, evening))
    started = duty(A, NOW - timedelta(hours=1))
    today = SwapWhen(NOW - timedelta(hours=11), NOW + timedelta(hours=13), "day")
    assert pick_duty([started], today, NOW) == AlreadyStarted(started)


def test_the_deadline_is_the_start_or_sooner() -> None:
    start = NOW + timedelta(days=3)
    assert default_deadline(start, NOW, None) == start
    assert default_deadline(start, NOW, timedelta(hours=12)) == NOW + timedelta(hours=12)
    assert default_deadline(start, NOW, timedelta(days=5)) == start


# --------------------------------------------------------------------- who is free


def test_free_colleagues_are_not_on_leave_not_on_duty_and_not_the_requester() -> None:
    start, end = at(24, 20), at(25, 8)
    rota = Rota(
        shifts=(
            OneOffShift(A, "60", frozenset(), start, end),
            # C is on duty (another profession too counts) overlapping the end.
            OneOffShift(C, "70", frozenset(), at(25, 7), at(25, 12)),
        ),
        leaves=(Leave(D, at(25, 0), at(26, 0)),),  # D is away for part of the night
    )
    assert free_colleagues(rota, [A, B, C, D, B], start, end, A) == [B]
    # The duty right after (back to back) does not overlap.
    later = Rota(shifts=(OneOffShift(C, "60", frozenset(), end, end + timedelta(hours=4)),))
    assert free_colleagues(later, [B, C], start, end, A) == [B, C]


def test_a_weekly_slot_makes_one_busy() -> None:
    thursday = WeeklySlot(B, "60", frozenset(), 3, time(18), time(22))  # 24/12 is a Thursday
    rota = Rota(slots=(thursday,))
    assert free_colleagues(rota, [B, C], at(24, 20), at(25, 8), A) == [C]


def test_names_match_whole_words_whatever_the_accents() -> None:
    names = {A: "Anne MARTIN", B: "Bruno Martinez", C: "Chloé Durand-Léger", D: ""}
    assert match_name("martin", names) == [A]
    assert match_name("Mme Léger", names) == []  # the civility is the phrase's to drop
    assert match_name("leger", names) == [C]
    assert match_name("chloe durand", names) == [C]
    assert match_name("", names) == []


# ------------------------------------------------------------------------ handovers


def test_a_handover_gives_the_duty_to_the_replacement_in_the_rota() -> None:
    slot = WeeklySlot(A, "60", frozenset({"83069"}), 3, time(20), time(8), name="Anne")
    occurrence = at(24, 20)
    rota = Rota(slots=(slot,), handovers=(Handover(A, B, "60", occurrence, at(25, 8)),))
    assert [d.user_id for d in on_duty_at(rota, at(24, 23))] == [B]
    assert duties_of(rota, A, at(24, 0), at(26, 0)) == []
    # Only that week: the next Thursday is still A's.
    assert [d.user_id for d in on_duty_at(rota, at(31, 23))] == [A]
    # Another profession's duty at the same time is not handed over.
    other = Rota(slots=(slot,), handovers=(Handover(A, B, "70", occurrence, at(25, 8)),))
    assert [d.user_id for d in on_duty_at(other, at(24, 23))] == [A]


def test_handovers_chain_in_the_order_they_were_made() -> None:
    start, end = at(24, 20), at(25, 8)
    rota = Rota(
        shifts=(OneOffShift(A, "60", frozenset(), start, end),),
        handovers=(Handover(A, B, "60", start, end), Handover(B, C, "60", start, end)),
    )
    assert [d.user_id for d in on_duty_at(rota, at(24, 23))] == [C]
