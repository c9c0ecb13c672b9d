"""A dispatch request as the core sees it, and which of its deadlines are due."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cpts_bot.domain.dispatch_state_machine import DispatchState


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
    urgent: bool = False
    widened_communes: tuple[str, ...] = ()
    taken_by: str | None = None
    taken_at: datetime | None = None
    step_index: int = 0
    next_step_at: datetime | None = None

    @property
    def reference(self) -> str:
        """What people type to name it ("statut 42")."""
        return str(self.id)

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
