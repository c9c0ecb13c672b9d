"""Reminders of important and urgent alerts: once per posting, after the alert's delay,
by direct message to the members of its rooms who have not acknowledged; a reader who
said « plus tard » is reminded on their own, when their snooze ends (see
:mod:`cpts_bot.features.alerts.snooze`)."""

from __future__ import annotations

from datetime import timedelta

from cpts_bot.core.messages import Reply
from cpts_bot.features.alerts import firing_repository as firings
from cpts_bot.features.alerts import repository as repo
from cpts_bot.features.alerts.audience_service import RoomMembers, people_in
from cpts_bot.features.alerts.models import Alert
from cpts_bot.features.alerts.rendering_service import reminder_text
from cpts_bot.features.alerts.run_service import Run
from cpts_bot.features.alerts.snooze import due_snoozes, round_recipients
from cpts_bot.i18n import Translator

REMINDER_CORRELATION_PREFIX = "alert-reminder:"


async def _send_reminder(run: Run, alert: Alert, firing_id: int, user: str) -> None:
    text = reminder_text(alert, Translator(run.config.language))
    await run.outbox.send_direct(
        user, Reply(text), correlation=f"{REMINDER_CORRELATION_PREFIX}{firing_id}"
    )
    run.summary.reminded += 1


async def pending_readers(
    run: Run, firing_id: int, alert: Alert, members: RoomMembers
) -> list[str]:
    """Members of the posting's rooms who have not acknowledged (nor wrote it)."""
    rooms = await firings.post_rooms(run.db, firing_id)
    everyone = await people_in(rooms, members, without=(run.bot_user_id, alert.created_by))
    done = {user for user, _at in await firings.acknowledgements(run.db, firing_id)}
    return sorted(everyone - done)


async def _remind_rounds(run: Run, members: RoomMembers) -> None:
    for due in await firings.rounds_not_reminded(run.db):
        if due.fired_at + timedelta(minutes=due.reminder_minutes) > run.now:
            continue
        alert = await repo.get_alert(run.db, due.alert_id)
        assert alert is not None
        if _quiet(run, alert):
            continue  # after the quiet hours
        pending = await pending_readers(run, due.firing_id, alert, members)
        snoozes = await firings.snoozes_of(run.db, due.firing_id)
        for user in round_recipients(pending, snoozes):
            await _send_reminder(run, alert, due.firing_id, user)
        await firings.mark_round_reminded(run.db, due.firing_id, run.now)


def _quiet(run: Run, alert: Alert | None = None) -> bool:
    """In the quiet hours only an urgent alert reminds anyone."""
    urgent = alert is not None and alert.level == "urgent"
    return not urgent and run.config.quiet_hours.contains(run.now)


async def _remind_snoozed(run: Run) -> None:
    if _quiet(run):
        return  # « plus tard » ends after the quiet hours
    due = await firings.open_snoozes(run.db, run.now)
    acknowledged = {
        snooze.firing_id: {u for u, _ in await firings.acknowledgements(run.db, snooze.firing_id)}
        for snooze in due
    }
    remind, forget = due_snoozes(due, acknowledged, run.now)
    for snooze in remind:
        alert_id = await firings.alert_of_firing(run.db, snooze.firing_id)
        alert = await repo.get_alert(run.db, alert_id) if alert_id else None
        if alert is not None:
            await _send_reminder(run, alert, snooze.firing_id, snooze.user_id)
    for snooze in [*remind, *forget]:
        await firings.mark_snooze_done(run.db, snooze.firing_id, snooze.user_id, run.now)


async def remind(run: Run, members: RoomMembers) -> None:
    """Send the reminders due at ``run.now``: rounds first, then ended snoozes."""
    await _remind_rounds(run, members)
    await _remind_snoozed(run)
