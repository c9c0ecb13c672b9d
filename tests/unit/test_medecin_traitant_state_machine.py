"""The request's transition table, every pair of (state, event) checked."""

from __future__ import annotations

import itertools

import pytest

from cpts_bot.core.state_table import IllegalTransition
from cpts_bot.features.medecin_traitant.states import (
    TABLE,
    TERMINAL_STATES,
    RequestEvent,
    RequestState,
)

S, E = RequestState, RequestEvent
EXPECTED = {
    (None, E.REGISTER): S.WAITING,
    (S.WAITING, E.OFFER): S.WAITING,
    (S.WAITING, E.DECLINE): S.WAITING,
    (S.WAITING, E.OFFER_EXPIRE): S.WAITING,
    (S.WAITING, E.ESCALATE): S.WAITING,
    (S.WAITING, E.ACCEPT): S.PLACED,
    (S.WAITING, E.CANCEL): S.CANCELLED,
}


@pytest.mark.parametrize(("state", "event"), list(itertools.product([None, *S], E)))
def test_every_pair(state: RequestState | None, event: RequestEvent) -> None:
    if (state, event) in EXPECTED:
        assert TABLE.next_state(state, event) is EXPECTED[(state, event)]
    else:
        with pytest.raises(IllegalTransition):
            TABLE.next_state(state, event)


def test_table_is_the_expected_one_and_terminal_states_accept_nothing() -> None:
    assert TABLE.transitions == EXPECTED
    for state in TERMINAL_STATES:
        assert TABLE.allowed_events(state) == frozenset()
    assert TABLE.allowed_events(S.WAITING) == frozenset(E) - {E.REGISTER}
