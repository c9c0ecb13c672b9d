"""The life of a request for cover (a swap), as one transition table.

A professional on duty asks for someone to take their shift: the request is ``open``
while it is offered to the free colleagues; the first accept makes it ``taken`` (and
hands the duty over, in the same transaction); the requester may cancel it; nobody
accepting by its deadline makes it ``expired``. A decline changes nothing but the
record. Moves that are not in the table raise :class:`~cpts_bot.core.state_table.IllegalTransition`.

The database applies a transition with one conditional update (``... WHERE state =
:from_state``), so that of two racing accepts only one wins.
"""

from __future__ import annotations

from enum import StrEnum

from cpts_bot.core.offers import OfferRules
from cpts_bot.core.state_table import StateTable


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


S = SwapState
E = SwapEvent

# The states and events every offer moves by (the usual names).
OFFER: OfferRules[SwapState, SwapEvent] = OfferRules.named(S, E)

# (state before, event) -> state after. ``None`` is "no request yet". A request for
# cover is an offer and nothing more: created open; accepted: taken; declined: open;
# expired; cancelled.
TABLE: StateTable[SwapState, SwapEvent] = StateTable("swap", OFFER.lifecycle())

ENDED_STATES = frozenset({S.TAKEN, S.CANCELLED, S.EXPIRED})
