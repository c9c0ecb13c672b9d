"""Posting alerts on their schedule: the periodic job of territorial alerts.

The scheduler calls :func:`run_due_alerts` every few seconds inside one transaction:
each occurrence is recorded in ``alert_firings`` under a unique (alert, scheduled_for)
key together with its outbox rows, so an occurrence is posted at most once, and one
missed while the bot was down is posted late (within the grace period) or skipped and
reported to the coordination, never dropped silently. Then alerts past their end expire,
posts are pinned and unpinned, and readers who have not acknowledged are reminded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cpts_bot.core.messages import Reply
from cpts_bot.core.times import to_iso
from cpts_bot.features.alerts import firing_repository as firings
from cpts_bot.features.alerts import repository as repo
from cpts_bot.features.alerts.audience_service import RoomMembers, audience_rooms, people_in
from cpts_bot.features.alerts.models import SCHEDULER, Alert
from cpts_bot.features.alerts.pins_service import pin_and_unpin
from cpts_bot.features.alerts.reminders_service import remind
from cpts_bot.features.alerts.rendering_service import alert_post, format_moment
from cpts_bot.features.alerts.run_service import AlertSettings, Run, RunSummary
from cpts_bot.features.alerts.schedule import due_firings, next_occurrence
from cpts_bot.features.alerts.states import EXPIRING_STATES, AlertEvent, AlertState
from cpts_bot.features.reports.tracking_repository import (
    KIND_ALERT,
    OUTCOME_POSTED,
    TrackedRequest,
    record_request,
)
from cpts_bot.i18n import Translator

CORRELATION_PREFIX = "alert:"


async def _post_firing(run: Run, alert: Alert, scheduled_for: datetime, late: bool) -> bool:
    firing_id = await firings.record_firing(
        run.db, alert.id, scheduled_for, run.now, alert.level, posted=True, late=late
    )
    if firing_id is None:
        return False  # already handled: never twice
    post = alert_post(
        alert, Translator(run.config.language), late_since=scheduled_for if late else None
    )
    rooms = audience_rooms(alert.audience, run.config)
    for room in rooms:
        await run.outbox.send(
            room,
            post,
            notice=alert.level == "info",
            correlation=f"{CORRELATION_PREFIX}{firing_id}:{room}",
        )
        await firings.record_post(run.db, firing_id, room)
    if run.members is not None:
        people = await people_in(rooms, run.members, without=(alert.created_by, run.bot_user_id))
        await firings.set_targeted(run.db, firing_id, len(people))
    await record_request(
        run.db,
        TrackedRequest(
            requested_at=scheduled_for,
            kind=KIND_ALERT,
            category="alert",
            outcome=OUTCOME_POSTED,
            answered_at=run.now,
            summary=f"alert {alert.id} {alert.level}",
        ),
    )
    return True


async def _report_skipped(run: Run, alert: Alert, skipped: list[datetime]) -> None:
    translator = Translator(run.config.language)
    _ = translator.gettext
    times = ", ".join(format_moment(moment, translator) for moment in skipped[-5:])
    text = _(
        "⚠️ Alert no. {number} was not posted at {times}: the bot was stopped longer "
        "than the grace period. « {text} »",
        number=alert.id,
        times=times,
        text=alert.text,
    )
    if len(skipped) > 5:
        text += "\n" + translator.ngettext(
            "({count} occurrence missed in all)",
            "({count} occurrences missed in all)",
            len(skipped),
        )
    target = run.config.rooms.coordination
    if target:
        await run.outbox.send(target, Reply(text))
    else:
        await run.outbox.send_direct(alert.created_by, Reply(text))


async def _skip(run: Run, alert: Alert, moments: list[datetime]) -> None:
    for moment in moments:
        if await firings.record_firing(
            run.db, alert.id, moment, run.now, alert.level, posted=False
        ):
            run.summary.skipped.append((alert.id, moment))
    if moments:
        detail = ", ".join(to_iso(moment) for moment in moments[-20:])
        await repo.record_change(run.db, alert.id, run.now, SCHEDULER, "skipped", detail)
        await _report_skipped(run, alert, moments)


async def _post_due(run: Run, alert: Alert) -> None:
    """Post (or skip) what ``alert`` owes at ``run.now``; finish it when nothing is left."""
    anchor = alert.last_scheduled_for or alert.starts_at
    due = due_firings(
        alert.schedule,
        anchor,
        run.now,
        run.settings.grace,
        expires_at=alert.expires_at,
        tolerance=run.settings.check_every,
    )
    handled = [*due.skip, *(moment for moment, _ in due.post)]
    await _skip(run, alert, due.skip)
    for moment, late in due.post:
        if await _post_firing(run, alert, moment, late):
            run.summary.posted.append((alert.id, moment, late))
            action = "posted_late" if late else "posted"
            await repo.record_change(run.db, alert.id, run.now, SCHEDULER, action, to_iso(moment))
    if not handled:
        return
    await repo.set_last_scheduled(run.db, alert.id, max(handled))
    if alert.expires_at is not None and run.now >= alert.expires_at:
        return  # expired below, with paused and finished ones
    if not alert.schedule.recurring or next_occurrence(alert.schedule, max(handled)) is None:
        await repo.apply_event(run.db, alert, AlertEvent.FINISH, SCHEDULER, run.now)


async def run_due_alerts(
    context: Any,
    now: datetime,
    *,
    members: RoomMembers | None = None,
    settings: AlertSettings | None = None,
    bot_user_id: str | None = None,
) -> RunSummary:
    """Post what is due, skip (and report) what is too late, expire, pin, unpin, remind.

    ``context`` needs ``db`` (open transaction), ``outbox`` (an OutboxWriter on it) and
    ``config``. Call it every few seconds; it is idempotent.
    """
    run = Run(
        context.db,
        context.outbox,
        context.config,
        now,
        settings or AlertSettings(),
        members,
        bot_user_id,
        RunSummary(),
    )
    for alert in await repo.alerts_with_status(run.db, (AlertState.ACTIVE,)):
        await _post_due(run, alert)
    for alert in await repo.alerts_with_status(run.db, EXPIRING_STATES):
        if alert.expires_at is not None and now >= alert.expires_at:
            if await repo.apply_event(run.db, alert, AlertEvent.EXPIRE, SCHEDULER, now):
                run.summary.expired.append(alert.id)
    await pin_and_unpin(run)
    if members is not None:
        await remind(run, members)
    return run.summary
