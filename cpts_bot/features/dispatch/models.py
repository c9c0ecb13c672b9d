"""A dispatch request as the core sees it, and which of its deadlines are due."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cpts_bot.features.dispatch.states import DispatchState

# The outbox correlation of every message about a dispatch: ``dispatch:<id>:<kind>:<target>``.
CORRELATION_PREFIX = "dispatch:"


@dataclass(frozen=True)
class Dispatch:
    """One dispatch request. ``what`` is broadcast; ``details`` only go to the taker."""

    id: int
    state: DispatchState
    requester: str
    request_room: str
    profession: str
    communes: tuple[str, ...]
    needed_at: datetime
    needed_precision: str
    what: str
    expires_at: datetime
    created_at: datetime
    updated_at: datetime
    details: str = ""
    details_erased: bool = False  # there were details, erased when the dispatch ended
    urgent: bool = False
    widened_communes: tuple[str, ...] = ()
    taken_by: str | None = None
    taken_at: datetime | None = None
    step_index: int = 0
    next_step_at: datetime | None = None
    usual_professional: str | None = None  # asked alone first (Matrix id)
    reminder_step: int = 0  # reminders sent since it was taken (see dispatch_reminders)

    @property
    def reference(self) -> str:
        """What people type to name it ("statut 42")."""
        return str(self.id)

    @property
    def usual_phase(self) -> bool:
        """Only the usual professional has been asked so far."""
        return self.usual_professional is not None and self.step_index == 0

    @property
    def all_communes(self) -> tuple[str, ...]:
        return self.communes + tuple(c for c in self.widened_communes if c not in self.communes)


class DueKind(StrEnum):
    EXPIRE = "expire"
    ESCALATE = "escalate"


@dataclass(frozen=True)
class DueStep:
    """Something owed to an open dispatch now: expire it, or run escalation step
    ``step_index``. ``due_at`` is when it fell due."""

    dispatch_id: int
    kind: DueKind
    step_index: int
    due_at: datetime


def due_steps(dispatches: Iterable[Dispatch], now: datetime) -> list[DueStep]:
    """What is due at ``now`` for ``dispatches``: at most one step per open dispatch,
    expiry first (an expired dispatch is not escalated), oldest first."""
    due: list[DueStep] = []
    for dispatch in dispatches:
        if dispatch.state is not DispatchState.OPEN:
            continue
        if dispatch.expires_at <= now:
            due.append(
                DueStep(dispatch.id, DueKind.EXPIRE, dispatch.step_index, dispatch.expires_at)
            )
        elif dispatch.next_step_at is not None and dispatch.next_step_at <= now:
            due.append(
                DueStep(dispatch.id, DueKind.ESCALATE, dispatch.step_index, dispatch.next_step_at)
            )
    return sorted(due, key=lambda step: (step.due_at, step.dispatch_id))


@dataclass(frozen=True)
class DispatchFigures:
    """A period's dispatches: how many, how they ended, how fast they were taken."""

    created: int
    by_state: dict[str, int]
    by_profession: dict[str, int]
    taken_within_minutes_median: float | None
    taken_within_minutes_max: float | None
    escalated: int
    handed_back: int


def dispatch_figures(
    dispatches: Iterable[Dispatch], transitions: Iterable[tuple[int, str, datetime]]
) -> DispatchFigures:
    """Figures for ``dispatches`` (created in the period) from their ``transitions``
    ((dispatch id, event, at), in order): the time to the first accept, escalations and
    hand-backs count once per dispatch."""
    dispatches = list(dispatches)
    ids = {dispatch.id: dispatch for dispatch in dispatches}
    first_accept: dict[int, datetime] = {}
    escalated: set[int] = set()
    handed_back: set[int] = set()
    for dispatch_id, event, at in transitions:
        if dispatch_id not in ids:
            continue
        if event == "accept":
            first_accept.setdefault(dispatch_id, at)
        elif event == "escalate":
            escalated.add(dispatch_id)
        elif event == "hand_back":
            handed_back.add(dispatch_id)
    delays = sorted(
        (at - ids[dispatch_id].created_at).total_seconds() / 60
        for dispatch_id, at in first_accept.items()
    )
    median = None
    if delays:
        middle = len(delays) // 2
        median = delays[middle] if len(delays) % 2 else (delays[middle - 1] + delays[middle]) / 2
    by_state: dict[str, int] = {}
    by_profession: dict[str, int] = {}
    for dispatch in dispatches:
        by_state[dispatch.state.value] = by_state.get(dispatch.state.value, 0) + 1
        by_profession[dispatch.profession] = by_profession.get(dispatch.profession, 0) + 1
    return DispatchFigures(
        created=len(dispatches),
        by_state=by_state,
        by_profession=by_profession,
        taken_within_minutes_median=median,
        taken_within_minutes_max=delays[-1] if delays else None,
        escalated=len(escalated),
        handed_back=len(handed_back),
    )
