"""The life of a request for cover (a swap), as one transition table.

A professional on duty asks for someone to take their shift: the request is ``open``
while it is offered to the free colleagues; the first accept makes it ``taken`` (and
hands the duty over, in the same transaction); the requester may cancel it; nobody
accepting by its deadline makes it ``expired``. A decline changes nothing but the
record. Moves that are not in the table raise :class:`IllegalSwapTransition`.

The database applies a transition with one conditional update (``... WHERE state =
:from_state``), so that of two racing accepts only one wins.
"""

from __future__ import annotations

from enum import StrEnum

from cpts_bot.domain.errors import StateError


class SwapState(StrEnum):
    OPEN = "open"
    TAKEN = "taken"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class SwapEvent(StrEnum):
    CREATE = "create"
    ACCEPT = "accept"
    DECLINE = "decline"
    CANCEL = "cancel"
    EXPIRE = "expire"


class IllegalSwapTransition(StateError):
    """``event`` is not allowed in ``state``."""

    def __init__(self, state: SwapState | None, event: SwapEvent) -> None:
        super().__init__(f"cannot {event.value} a swap that is {state or 'new'}")
        self.state = state
        self.event = event


S = SwapState
E = SwapEvent

# (state before, event) -> state after. ``None`` is "no request yet".
TRANSITIONS: dict[tuple[SwapState | None, SwapEvent], SwapState] = {
    (None, E.CREATE): S.OPEN,
    (S.OPEN, E.ACCEPT): S.TAKEN,
    (S.OPEN, E.DECLINE): S.OPEN,
    (S.OPEN, E.CANCEL): S.CANCELLED,
    (S.OPEN, E.EXPIRE): S.EXPIRED,
}

ENDED_STATES = frozenset({S.TAKEN, S.CANCELLED, S.EXPIRED})


def next_swap_state(state: SwapState | None, event: SwapEvent) -> SwapState:
    """The state after ``event`` in ``state``; raise :class:`IllegalSwapTransition`."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalSwapTransition(state, event) from None


def allowed_swap_events(state: SwapState | None) -> frozenset[SwapEvent]:
    """The events ``state`` accepts."""
    return frozenset(event for (before, event) in TRANSITIONS if before == state)
