"""A hand-off as the services see it (pure: no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cpts_bot.features.handoff.states import HandoffState, state_of

CORRELATION_PREFIX = "handoff:"
QUOTE_MAX = 600  # characters of the request quoted in the coordination room


@dataclass(frozen=True)
class Handoff:
    """A request handed to the coordination."""

    id: int
    request_id: int | None
    requester: str
    origin_room_id: str
    origin_event_id: str | None
    coordination_room_id: str
    coordination_event_id: str | None
    answered_at: datetime | None
    answer_count: int = 0

    @property
    def state(self) -> HandoffState:
        return state_of(self.coordination_event_id, self.answered_at)

    @property
    def correlation(self) -> str:
        """The outbox correlation of its post in the coordination room."""
        return f"{CORRELATION_PREFIX}{self.id}"


def handoff_id_of(correlation: str) -> int | None:
    """The hand-off a correlation ``handoff:<id>`` is about; None if it is not one."""
    if not correlation.startswith(CORRELATION_PREFIX):
        return None
    number = correlation.removeprefix(CORRELATION_PREFIX)
    return int(number) if number.isdigit() else None


def quoted(question: str) -> str:
    """The request as quoted in the coordination room (at most :data:`QUOTE_MAX`)."""
    return question.strip()[:QUOTE_MAX]
