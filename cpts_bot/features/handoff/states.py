"""The life of a hand-off (a request passed to a person of the coordination), as one
transition table.

A hand-off is ``asked`` when it is recorded and its post is queued for the coordination
room; ``posted`` once the homeserver gave that post an event id (coordinators can answer
it only then, in its thread or as a reply); ``answered`` with the first answer relayed to
the person who asked. Later answers are relayed too: ``answered`` stays ``answered``.
There is no expiry and no cancellation: a request nobody answered stays ``posted`` and the
monthly report counts it as unanswered. Moves that are not in the table raise
:class:`~cpts_bot.core.state_table.IllegalTransition`.

The database applies a transition with a conditional update on the column that makes
the state (``coordination_event_id IS NULL``, ``answered_at IS NULL``), so that two
answers racing for the first answer cannot both be first.
"""

from __future__ import annotations

from enum import StrEnum

from cpts_bot.core.state_table import StateTable


class HandoffState(StrEnum):
    ASKED = "asked"
    POSTED = "posted"
    ANSWERED = "answered"


class HandoffEvent(StrEnum):
    CREATE = "create"
    POST = "post"  # the post in the coordination room was sent
    ANSWER = "answer"  # a coordinator answered in its thread (or as a reply)


S = HandoffState
E = HandoffEvent

# (state before, event) -> state after. ``None`` is "no hand-off yet".
TABLE: StateTable[HandoffState, HandoffEvent] = StateTable(
    "hand-off",
    {
        (None, E.CREATE): S.ASKED,
        (S.ASKED, E.POST): S.POSTED,
        (S.POSTED, E.ANSWER): S.ANSWERED,
        (S.ANSWERED, E.ANSWER): S.ANSWERED,
    },
)


def state_of(coordination_event_id: str | None, answered_at: object | None) -> HandoffState:
    """The state a stored hand-off is in, read from the columns that make it."""
    if answered_at is not None:
        return S.ANSWERED
    return S.POSTED if coordination_event_id is not None else S.ASKED
