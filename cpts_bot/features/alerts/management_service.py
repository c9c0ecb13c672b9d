"""The coordination's alert use cases: draft, confirm or drop, pause, resume, cancel,
change. Every status change goes through the transition table; expected refusals
(no such alert, already over) are outcome values for the chat feature to word."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import aiosqlite

from cpts_bot.features.alerts import firing_repository as firings
from cpts_bot.features.alerts import repository as repo
from cpts_bot.features.alerts.models import Alert, AlertFields
from cpts_bot.features.alerts.phrases import AlertCommandKind, DraftAnswer
from cpts_bot.features.alerts.states import (
    OVER_STATES,
    TABLE,
    AlertEvent,
    AlertState,
)

EVENTS = {
    AlertCommandKind.PAUSE: AlertEvent.PAUSE,
    AlertCommandKind.RESUME: AlertEvent.RESUME,
    AlertCommandKind.CANCEL: AlertEvent.CANCEL,
    AlertCommandKind.EDIT: AlertEvent.EDIT,
}


class Outcome(StrEnum):
    DONE = "done"
    NOT_FOUND = "not_found"
    ALREADY_OVER = "already_over"
    ALREADY_PAUSED = "already_paused"
    NOT_PAUSED = "not_paused"


@dataclass(frozen=True)
class Managed:
    outcome: Outcome
    alert: Alert | None = None  # as it is now (after the change, when there was one)


async def draft_alert(
    db: aiosqlite.Connection, fields: AlertFields, author: str, room_id: str, now: datetime
) -> Alert:
    """Store ``fields`` as ``author``'s draft in ``room_id`` (their earlier one dropped)."""
    alert = await repo.get_alert(db, await repo.create_draft(db, fields, author, room_id, now))
    assert alert is not None
    return alert


async def pending_draft(
    db: aiosqlite.Connection, author: str, room_id: str, now: datetime
) -> Alert | None:
    """``author``'s draft waiting for their « oui » in ``room_id``, if any."""
    return await repo.pending_draft(db, author, room_id, now)


async def answer_draft(
    db: aiosqlite.Connection, author: str, room_id: str, now: datetime, answer: DraftAnswer
) -> Alert | None:
    """« oui » / « non » to ``author``'s pending draft in ``room_id``; None if none waits."""
    draft = await repo.pending_draft(db, author, room_id, now)
    if draft is None:
        return None
    event = AlertEvent.DROP if answer is DraftAnswer.DROP else AlertEvent.CONFIRM
    if await repo.apply_event(db, draft, event, author, now) is None:
        return None  # answered meanwhile (a lost race): nothing waits any more
    if event is AlertEvent.DROP:
        return draft
    if draft.schedule.kind == "once" and draft.schedule.at and draft.schedule.at < now:
        # A one-off "maintenant" alert confirmed later is posted at confirmation.
        await repo.post_now_from(db, draft.id, now)
    return draft


def _refusal(alert: Alert, event: AlertEvent) -> Outcome | None:
    """Why ``event`` cannot happen to ``alert`` now, or None if it can."""
    if event in TABLE.allowed_events(alert.status):
        return None
    if event is AlertEvent.PAUSE and alert.status is AlertState.PAUSED:
        return Outcome.ALREADY_PAUSED
    if alert.status in OVER_STATES:
        return Outcome.ALREADY_OVER
    return Outcome.NOT_PAUSED


async def manage(
    db: aiosqlite.Connection,
    alert_id: int,
    kind: AlertCommandKind,
    actor: str,
    now: datetime,
    changes: AlertFields | None = None,
) -> Managed:
    """Pause, resume, cancel or change (``changes``) alert ``alert_id``."""
    alert = await repo.get_alert(db, alert_id)
    if alert is None or alert.status is AlertState.DRAFT:
        return Managed(Outcome.NOT_FOUND)
    event = EVENTS[kind]
    refused = _refusal(alert, event)
    if refused is not None:
        return Managed(refused, alert)
    if event is AlertEvent.EDIT:
        assert changes is not None
        await repo.update_fields(db, alert, changes, actor, now)
        if changes.schedule is not None and AlertEvent.REACTIVATE in TABLE.allowed_events(
            alert.status
        ):
            await repo.apply_event(db, alert, AlertEvent.REACTIVATE, actor, now)
    elif await repo.apply_event(db, alert, event, actor, now) is None:
        # Changed meanwhile (a lost race): say why from what is stored now.
        return await manage(db, alert_id, kind, actor, now, changes)
    return Managed(Outcome.DONE, await repo.get_alert(db, alert_id))


# What « alerte 3 », « alertes » and an acknowledgement read.
get_alert = repo.get_alert
alert_history = repo.alert_history
alerts_in_force = repo.alerts_in_force
latest_firing = firings.latest_firing
