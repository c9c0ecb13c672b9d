"""The life of a request for a médecin traitant, as one transition table.

A patient without a GP is registered ``waiting``; while waiting, the request is offered
to GPs with room (each offer, decline, expiry and escalation is recorded but leaves it
waiting); the first GP who accepts makes it ``placed``; the referrer or a coordinator may
cancel it. Moves that are not in the table raise :class:`~cpts_bot.core.state_table.IllegalTransition`.

The database applies a transition with one conditional update (``... WHERE state =
:from_state``), so that two GPs accepting the same request cannot both win.
"""

from __future__ import annotations

from enum import StrEnum

from cpts_bot.core.state_table import StateTable


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


S = RequestState
E = RequestEvent

# (state before, event) -> state after. ``None`` is "no request yet".
TABLE: StateTable[RequestState, RequestEvent] = StateTable(
    "request",
    {
        (None, E.REGISTER): S.WAITING,
        (S.WAITING, E.OFFER): S.WAITING,
        (S.WAITING, E.DECLINE): S.WAITING,
        (S.WAITING, E.OFFER_EXPIRE): S.WAITING,
        (S.WAITING, E.ESCALATE): S.WAITING,
        (S.WAITING, E.ACCEPT): S.PLACED,
        (S.WAITING, E.CANCEL): S.CANCELLED,
    },
)
TRANSITIONS = TABLE.transitions
next_state = TABLE.next_state
allowed_events = TABLE.allowed_events

TERMINAL_STATES = frozenset({S.PLACED, S.CANCELLED})
