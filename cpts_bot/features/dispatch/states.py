"""The life of a dispatch request, as one transition table.

Everything that can change a dispatch's state lives here. A dispatch is ``open`` while
it is broadcast and waits for someone; the first accept makes it ``taken``; nobody
accepting before its deadline makes it ``expired``; the requester may cancel it. A
professional who took it and can no longer go hands it back: it is ``open`` again. A
taken dispatch not marked done by its due time is reminded (it stays ``taken``).
Moves that are not in the table raise :class:`~cpts_bot.core.state_table.IllegalTransition`.

The database applies a transition with one conditional update (``... WHERE state =
:from_state``) so that two accepts racing for the same dispatch cannot both win.
"""

from __future__ import annotations

from enum import StrEnum

from cpts_bot.core.state_table import StateTable


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


S = DispatchState
E = DispatchEvent

# (state before, event) -> state after. ``None`` is "no dispatch yet".
TABLE: StateTable[DispatchState, DispatchEvent] = StateTable(
    "dispatch",
    {
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
    },
)
TRANSITIONS = TABLE.transitions
next_state = TABLE.next_state
allowed_events = TABLE.allowed_events

TERMINAL_STATES = frozenset({S.CANCELLED, S.COMPLETED})
