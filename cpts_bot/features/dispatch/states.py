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

from cpts_bot.core.offers import OfferRules
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

# The states and events every offer moves by (the usual names).
OFFER: OfferRules[DispatchState, DispatchEvent] = OfferRules.named(S, E)

# (state before, event) -> state after. ``None`` is "no dispatch yet". An offer's
# lifecycle (created open; accepted: taken; declined: open; expired; cancelled), and:
TABLE: StateTable[DispatchState, DispatchEvent] = StateTable(
    "dispatch",
    {
        **OFFER.lifecycle(),
        (S.OPEN, E.ESCALATE): S.OPEN,
        (S.TAKEN, E.HAND_BACK): S.OPEN,
        (S.TAKEN, E.CANCEL): S.CANCELLED,
        (S.TAKEN, E.COMPLETE): S.COMPLETED,
        (S.TAKEN, E.REMIND): S.TAKEN,
        (S.EXPIRED, E.RELAUNCH): S.OPEN,
    },
)

TERMINAL_STATES = frozenset({S.CANCELLED, S.COMPLETED})
