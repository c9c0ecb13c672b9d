"""When a taken dispatch not marked done is reminded. Pure: dispatches and a time in.

A taken dispatch is due at its time plus ``done_within`` (or that long after it was
taken, if later); a request for a whole day (« demain ») at ``whole_day_due_hour`` that
day, Paris time. Past its due time, the taker is reminded once (step 0 -> 1); past
``coordination_after`` more, the coordination is told (step 1 -> 2); then nothing.
``reminder_step`` is in the database: what was sent is never sent again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from enum import StrEnum

from cpts_bot.core.french_datetime import PRECISION_DAY
from cpts_bot.core.times import PARIS
from cpts_bot.features.dispatch.models import Dispatch
from cpts_bot.features.dispatch.policy import ReminderPolicy
from cpts_bot.features.dispatch.states import DispatchState


class ReminderKind(StrEnum):
    TAKER = "taker"  # the one who took it, in their direct chat
    COORDINATION = "coordination"  # the coordination room

    @property
    def step(self) -> int:
        """The ``reminder_step`` a dispatch is at when this reminder is owed."""
        return 0 if self is ReminderKind.TAKER else 1


LAST_STEP = 2  # both reminders sent


@dataclass(frozen=True)
class DueReminder:
    dispatch_id: int
    kind: ReminderKind
    due_at: datetime


def care_due_at(dispatch: Dispatch, policy: ReminderPolicy) -> datetime | None:
    """When the care of a taken ``dispatch`` should be done (None if not taken)."""
    if dispatch.state is not DispatchState.TAKEN or dispatch.taken_at is None:
        return None
    if dispatch.needed_precision == PRECISION_DAY:
        day = dispatch.needed_at.astimezone(PARIS).date()
        local = datetime.combine(day, time(policy.whole_day_due_hour), tzinfo=PARIS)
        planned = local.astimezone(dispatch.needed_at.tzinfo)
        return max(planned, dispatch.taken_at + policy.done_within)
    return max(dispatch.needed_at, dispatch.taken_at) + policy.done_within


def next_reminder(dispatch: Dispatch, policy: ReminderPolicy) -> DueReminder | None:
    """The next reminder ``dispatch`` will owe, and when (None: none left)."""
    due = care_due_at(dispatch, policy)
    if due is None or not policy.enabled or dispatch.reminder_step >= LAST_STEP:
        return None
    if dispatch.reminder_step == ReminderKind.TAKER.step:
        return DueReminder(dispatch.id, ReminderKind.TAKER, due)
    return DueReminder(dispatch.id, ReminderKind.COORDINATION, due + policy.coordination_after)


def due_reminders(
    dispatches: Iterable[Dispatch], now: datetime, policy: ReminderPolicy
) -> list[DueReminder]:
    """The reminders owed at ``now``: at most one per dispatch, oldest first."""
    due = []
    for dispatch in dispatches:
        owed = next_reminder(dispatch, policy)
        if owed is not None and owed.due_at <= now:
            due.append(owed)
    return sorted(due, key=lambda reminder: (reminder.due_at, reminder.dispatch_id))
