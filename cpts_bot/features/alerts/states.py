"""The life of a territorial alert, as one transition table.

An alert is a ``draft`` until its author confirms it (``active``) or drops it
(``cancelled``; a newer draft of theirs in the same room supersedes it the same way). An
active alert is posted on its schedule; it may be ``paused`` and resumed. A one-off alert
(or a recurring one with no occurrence left) is ``finished`` once posted: it stays in
force, pinned, until it ends. Its end date makes it ``expired``; the coordination may
cancel it before. Changing the schedule of a finished or expired alert makes it active
again. Moves that are not in the table raise :class:`~cpts_bot.core.state_table.IllegalTransition`.

The stored ``status`` column holds the state's value; the repository applies a
transition with one conditional update (``... WHERE status = :from_state``).
"""

from __future__ import annotations

from enum import StrEnum

from cpts_bot.core.state_table import StateTable


class AlertState(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    FINISHED = "finished"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class AlertEvent(StrEnum):
    DRAFT = "draft"  # the author describes it
    CONFIRM = "confirm"  # « oui »
    DROP = "drop"  # « non », or a newer draft supersedes it
    PAUSE = "pause"
    RESUME = "resume"
    EDIT = "edit"  # fields change, the state does not
    REACTIVATE = "reactivate"  # a new schedule for an alert that had ended
    FINISH = "finish"  # nothing left to post
    EXPIRE = "expire"  # its end date has come
    CANCEL = "cancel"


S = AlertState
E = AlertEvent

# (state before, event) -> state after. ``None`` is "no alert yet".
TABLE: StateTable[AlertState, AlertEvent] = StateTable(
    "alert",
    {
        (None, E.DRAFT): S.DRAFT,
        (S.DRAFT, E.CONFIRM): S.ACTIVE,
        (S.DRAFT, E.DROP): S.CANCELLED,
        (S.ACTIVE, E.PAUSE): S.PAUSED,
        (S.ACTIVE, E.EDIT): S.ACTIVE,
        (S.ACTIVE, E.FINISH): S.FINISHED,
        (S.ACTIVE, E.EXPIRE): S.EXPIRED,
        (S.ACTIVE, E.CANCEL): S.CANCELLED,
        (S.PAUSED, E.RESUME): S.ACTIVE,
        (S.PAUSED, E.EDIT): S.PAUSED,
        (S.PAUSED, E.EXPIRE): S.EXPIRED,
        (S.PAUSED, E.CANCEL): S.CANCELLED,
        (S.FINISHED, E.EDIT): S.FINISHED,
        (S.FINISHED, E.REACTIVATE): S.ACTIVE,
        (S.FINISHED, E.EXPIRE): S.EXPIRED,
        (S.FINISHED, E.CANCEL): S.CANCELLED,
        (S.EXPIRED, E.EDIT): S.EXPIRED,
        (S.EXPIRED, E.REACTIVATE): S.ACTIVE,
    },
)

TERMINAL_STATES = frozenset({S.CANCELLED})
# Listed by « alertes »: what may still be posted.
IN_FORCE_STATES = (S.ACTIVE, S.PAUSED)
# What the scheduler looks at for the end date.
EXPIRING_STATES = (S.ACTIVE, S.PAUSED, S.FINISHED)
# An alert in these states is over: pause, resume and the like are refused.
OVER_STATES = frozenset({S.FINISHED, S.EXPIRED, S.CANCELLED})

# What each event is recorded as in the alert's history (``alert_changes.action``).
HISTORY_ACTIONS: dict[AlertEvent, str] = {
    E.DRAFT: "drafted",
    E.CONFIRM: "confirmed",
    E.DROP: "dropped",
    E.PAUSE: "paused",
    E.RESUME: "resumed",
    E.EDIT: "edited",
    E.REACTIVATE: "reactivated",
    E.FINISH: "finished",
    E.EXPIRE: "expired",
    E.CANCEL: "cancelled",
}


def restarts_schedule(event: AlertEvent) -> bool:
    """Whether occurrences before the event are not owed (confirmation, resumption)."""
    return event in (E.CONFIRM, E.RESUME)
