"""The life of a request for a médecin traitant, as one transition table.

A patient without a GP is registered ``waiting``; while waiting, the request is offered
to GPs with room (each offer, decline, expiry and escalation is recorded but leaves it
waiting); the first GP who accepts makes it ``placed``; the referrer or a coordinator may
cancel it. Moves that are not in the table raise :class:`IllegalTransition`.

The database applies a transition with one conditional update (``... WHERE state =
:from_state``), so that two GPs accepting the same request cannot both win.
"""

from __future__ import annotations

from enum import StrEnum

from cpts_bot.domain.errors import StateError


class RequestState(StrEnum):
    WAITING = "waiting"
    PLACED = "placed"
    CANCELLED = "cancelled"


class RequestEvent(StrEnum):
    REGISTER = "register"
    OFFER = "offer"
    DECLINE = "decline"
    OFFER_EXPIRE = "offer_expire"
    ESCALATE = "escalate"
    ACCEPT = "accept"
    CANCEL = "cancel"


class IllegalTransition(StateError):
    """``event`` is not allowed in ``state``."""

    def __init__(self, state: RequestState | None, event: RequestEvent) -> None:
        super().__init__(f"cannot {event.value} a request that is {state or 'new'}")
        self.state = state
        self.event = event


S = RequestState
E = RequestEvent

# (state before, event) -> state after. ``None`` is "no request yet".
TRANSITIONS: dict[tuple[RequestState | None, RequestEvent], RequestState] = {
    (None, E.REGISTER): S.WAITING,
    (S.WAITING, E.OFFER): S.WAITING,
    (S.WAITING, E.DECLINE): S.WAITING,
    (S.WAITING, E.OFFER_EXPIRE): S.WAITING,
    (S.WAITING, E.ESCALATE): S.WAITING,
    (S.WAITING, E.ACCEPT): S.PLACED,
    (S.WAITING, E.CANCEL): S.CANCELLED,
}

TERMINAL_STATES = frozenset({S.PLACED, S.CANCELLED})


def next_state(state: RequestState | None, event: RequestEvent) -> RequestState:
    """The state after ``event`` in ``state``; raise :class:`IllegalTransition` if not allowed."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition(state, event) from None


def allowed_events(state: RequestState | None) -> frozenset[RequestEvent]:
    """The events ``state`` accepts."""
    return frozenset(event for (before, event) in TRANSITIONS if before == state)
