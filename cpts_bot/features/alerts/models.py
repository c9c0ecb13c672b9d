"""What a territorial alert is, as the pure core sees it (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cpts_bot.core.user_error import UserError
from cpts_bot.features.alerts.schedule import Schedule
from cpts_bot.features.alerts.states import AlertState

LEVELS = ("info", "important", "urgent")
# Levels that ask their readers to acknowledge (and remind those who did not).
ACKNOWLEDGED_LEVELS = ("important", "urgent")
MARKERS = {"urgent": "🔴", "important": "🟠", "info": ""}
# Who acted in the history when nobody did: the periodic job.
SCHEDULER = "scheduler"


@dataclass(frozen=True)
class Alert:
    id: int
    text: str
    level: str
    audience: list[str]
    schedule: Schedule
    schedule_words: str
    starts_at: datetime
    expires_at: datetime | None
    reminder_minutes: int | None
    status: AlertState
    last_scheduled_for: datetime | None
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class AlertFields:
    """What a message set (creation) or changes (« modifier alerte 12 ... »)."""

    text: str | None = None
    level: str | None = None
    audience: list[str] | None = None
    schedule: Schedule | None = None
    schedule_words: str | None = None
    expires_at: datetime | None = None
    reminder_minutes: int | None = None


class Gettext(Protocol):
    def gettext(self, message: str, /, **values: object) -> str: ...


# A precise error for the user: the one user-error type, rendered at the edge.
Problem = UserError


def problem(message_id: str, values: dict[str, object]) -> UserError:
    """The error ``message_id`` with its ``values`` (``detail`` among them, if any)."""
    detail = str(values.get("detail", ""))
    others = tuple((key, str(value)) for key, value in values.items() if key != "detail")
    return UserError(message_id, detail, others)
