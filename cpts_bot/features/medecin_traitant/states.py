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

from cpts_bot.core.offers import TAKEN, OfferRules
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

# The states and events every offer moves by. A GP's offer expiring leaves the request
# waiting (it is offered to the next GP); a too-late GP was told by the win itself.
OFFER: OfferRules[RequestState, RequestEvent] = OfferRules.named(
    S,
    E,
    open=S.WAITING,
    won=S.PLACED,
    expired=S.WAITING,
    create=E.REGISTER,
    expire=E.OFFER_EXPIRE,
    late=TAKEN,
)

# (state before, event) -> state after. ``None`` is "no request yet". An offer's
# lifecycle (registered: waiting; accepted: placed; declined or its offer expired:
# waiting; cancelled), and:
TABLE: StateTable[RequestState, RequestEvent] = StateTable(
    "request",
    {
        **OFFER.lifecycle(),
        (S.WAITING, E.OFFER): S.WAITING,
        (S.WAITING, E.ESCALATE): S.WAITING,
    },
)

TERMINAL_STATES = frozenset({S.PLACED, S.CANCELLED})
