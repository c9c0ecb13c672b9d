"""The transition table, exhaustively: every allowed move, and every other one raises."""

from __future__ import annotations

import itertools

import pytest

from cpts_bot.core.state_table import IllegalTransition
from cpts_bot.features.dispatch.states import (
    TABLE,
    TERMINAL_STATES,
    DispatchEvent,
    DispatchState,
)

S, E = DispatchState, DispatchEvent

EXPECTED = {
    (None, E.CREATE): S.OPEN,
    (S.OPEN, E.ACCEPT): S.TAKEN,
    (S.OPEN, E.DECLINE): S.OPEN,
    (S.OPEN, E.ESCALATE): S.OPEN,
    (S.OPEN, E.EXPIRE): S.EXPIRED,
    (S.OPEN, E.CANCEL): S.CANCELLED,
    (S.TAKEN, E.HAND_BACK): S.OPEN,
    (S.TAKEN, E.CANCEL): S.CANCELLED,
    (S.TAKEN, E.COMPLETE): S.COMPLETED,
    (S.TAKEN, E.REMIND): S.TAKEN,
    (S.EXPIRED, E.RELAUNCH): S.OPEN,
}

ALL_PAIRS = list(itertools.product([None, *DispatchState], DispatchEvent))


def test_the_table_is_exactly_the_documented_one() -> None:
    assert TABLE.transitions == EXPECTED


@pytest.mark.parametrize(("state", "event"), list(EXPECTED))
def test_every_allowed_transition(state: DispatchState | None, event: DispatchEvent) -> None:
    assert TABLE.next_state(state, event) is EXPECTED[(state, event)]
    assert event in TABLE.allowed_events(state)


@pytest.mark.parametrize(("state", "event"), [pair for pair in ALL_PAIRS if pair not in EXPECTED])
def test_every_other_transition_raises(state: DispatchState | None, event: DispatchEvent) -> None:
    with pytest.raises(IllegalTransition) as raised:
        TABLE.next_state(state, event)
    assert raised.value.state == state and raised.value.event == event
    assert event not in TABLE.allowed_events(state)


def test_terminal_states_accept_nothing() -> None:
    for state in TERMINAL_STATES:
        assert TABLE.allowed_events(state) == frozenset()


def test_a_taken_dispatch_cannot_be_taken_again() -> None:
    with pytest.raises(IllegalTransition, match="cannot accept a dispatch that is taken"):
        TABLE.next_state(S.TAKEN, E.ACCEPT)


def test_every_state_is_reachable_from_creation() -> None:
    reached: set[DispatchState | None] = {None}
    frontier: list[DispatchState | None] = [None]
    while frontier:
        state = frontier.pop()
        for event in TABLE.allowed_events(state):
            after = TABLE.next_state(state, event)
            if after not in reached:
                reached.add(after)
                frontier.append(after)
    assert reached == {None, *DispatchState}


def test_only_a_taken_dispatch_is_reminded() -> None:
    assert TABLE.next_state(S.TAKEN, E.REMIND) is S.TAKEN
    for state in (S.OPEN, S.EXPIRED, S.CANCELLED, S.COMPLETED):
        with pytest.raises(IllegalTransition, match="cannot remind"):
            TABLE.next_state(state, E.REMIND)
