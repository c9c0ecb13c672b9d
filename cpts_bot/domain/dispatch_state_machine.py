"""The life of a dispatch request, as one transition table.

Everything that can change a dispatch's state lives here. A dispatch is ``open`` while
it is broadcast and waits for someone; the first accept makes it ``taken``; nobody
accepting before its deadline makes it ``expired``; the requester may cancel it. A
professional who took it and can no longer go hands it back: it is ``open`` again. A
taken dispatch not marked done by its due time is reminded (it stays ``taken``).
Moves that are not in the table raise :class:`IllegalTransition`.

The database applies a transition with one conditional update (``... WHERE state =
:from_state``) so that two accepts racing for the same dispatch cannot both win.
"""

from __future__ import annotations

from enum import StrEnum

from cpts_bot.domain.errors import StateError


class DispatchState(StrEnum):
    OPEN = "open"
    TAKEN = "taken"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class DispatchEvent(StrEnum):
    CREATE = "create"
    ACCEPT = "accept"
    DECLINE = "decline"
    ESCALATE = "escalate"
    EXPIRE = "expire"
    CANCEL = "cancel"
    HAND_BACK = "hand_back"
    COMPLETE = "complete"
    RELAUNCH = "relaunch"
    REMIND = "remind"


class IllegalTransition(StateError):
    """``event`` is not allowed in ``state``."""

    def __init__(self, state: DispatchState | None, event: DispatchEvent) -> None:
        super().__init__(f"cannot {event.value} a dispatch that is {state or 'new'}")
        self.state = state
        self.event = event


S = DispatchState
E = DispatchEvent

# (state before, event) -> state after. ``None`` is "no dispatch yet".
TRANSITIONS: dict[tuple[DispatchState | None, DispatchEvent], DispatchState] = {
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

TERMINAL_STATES = frozenset({S.CANCELLED, S.COMPLETED})


def next_state(state: DispatchState | None, event: DispatchEvent) -> DispatchState:
    """The state after ``event`` in ``state``; raise :class:`IllegalTransition` if not allowed."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise IllegalTransition(state, event) from None


def allowed_events(state: DispatchState | None) -> frozenset[DispatchEvent]:
    """The events ``state`` accepts."""
    return frozenset(event for (before, event) in TRANSITIONS if before == state)
