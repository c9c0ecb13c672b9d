"""The reminder before each duty, and the coordination's notice when a duty has nobody;
run by the scheduler.

Each notice is recorded (``duty_notices``) in the transaction that queues its message:
sent once, across restarts too. The reminder goes at the person's time or the territory's
(:mod:`cpts_bot.features.rota.reminders.duty_reminder_policy`), never in the quiet hours. A duty whose
professional is on leave has nobody: the coordination is told instead, at the same
moment, in the quiet hours too when the duty begins before they end.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cpts_bot.core.messages import Reply
from cpts_bot.core.times import PARIS
from cpts_bot.features.cover.followup_service import follow_up_cover
from cpts_bot.features.dispatch.context_service import profession_name
from cpts_bot.features.rota import repository as rota_repo
from cpts_bot.features.rota.duty_rota import Duty, duties_between, on_leave_during
from cpts_bot.features.rota.gaps_service import send_gaps_summary
from cpts_bot.features.rota.reminders import duty_notice_repository as notices
from cpts_bot.features.rota.reminders.duty_notice_texts_service import (
    day_word,
    hours,
    tell_coordination,
    what_and_where,
)
from cpts_bot.features.rota.reminders.duty_reminder_policy import (
    LOOK_AHEAD,
    PersonalChoice,
    may_send,
    reminder_at,
)
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context, ProfessionalLookup


class DutyReminders:
    """The scheduler's job: every reminder and « nobody » notice due now."""

    def __init__(self, directory: ProfessionalLookup) -> None:
        self.directory = directory

    async def run_due(self, context: Context) -> int:
        """Send what is due at ``context.now``; the number of notices sent. The cover
        follow-up and the weekly summary run even when reminders are off."""
        deps = context.with_directory(self.directory)
        sent = await _remind_all(deps) if context.config.duty_reminders.enabled else 0
        return sent + await follow_up_cover(deps) + await send_gaps_summary(deps)


async def _remind_all(deps: Context) -> int:
    """The reminders of the coming duties, and the « nobody » notices."""
    now = deps.now
    calendar = deps.config.territory.holiday_calendar()
    rota = await rota_repo.load_rota(deps.db, now - timedelta(days=1), now + LOOK_AHEAD, calendar)
    chosen = await notices.choices(deps.db)
    sent = 0
    for duty in duties_between(rota, now, now + LOOK_AHEAD):
        if on_leave_during(rota.leaves, duty.user_id, duty.start, duty.end):
            sent += await _nobody(deps, duty)
        else:
            sent += await _remind(deps, duty, chosen.get(duty.user_id))
    return sent


async def _remind(deps: Context, duty: Duty, choice: PersonalChoice | None) -> int:
    config = deps.config
    if choice is not None and not choice.enabled:
        return 0
    due = reminder_at(duty.start, config.duty_reminders, config.quiet_hours, choice)
    if not may_send(deps.now, due, duty.start, config.quiet_hours):
        return 0
    if not await notices.record_notice(
        deps.db, notices.DUTY_REMINDER, duty.user_id, duty.profession, duty.start, deps.now
    ):
        return 0
    translator = await deps.translator_for(duty.user_id)
    text = translator.gettext(
        "Reminder: you are on duty {day} {hours} ({what}).",
        day=day_word(duty.start, deps.now, translator),
        hours=hours(duty, translator),
        what=what_and_where(duty, deps, translator),
    )
    await deps.outbox.send_direct(duty.user_id, Reply(text), notice=False)
    return 1


async def _nobody(deps: Context, duty: Duty) -> int:
    config = deps.config
    if not config.duty_reminders.tell_coordination_when_nobody:
        return 0
    quiet = config.quiet_hours
    due = reminder_at(duty.start, config.duty_reminders, quiet)
    begins_in_quiet = duty.start <= quiet.ends_after(deps.now)
    if not (due <= deps.now < duty.start) or (quiet.contains(deps.now) and not begins_in_quiet):
        return 0
    if not await notices.record_notice(
        deps.db, notices.UNCOVERED, duty.user_id, duty.profession, duty.start, deps.now
    ):
        return 0
    await tell_coordination(deps, await nobody_text(deps, duty, deps.now))
    return 1


async def nobody_text(deps: Context, duty: Duty, now: datetime) -> str:
    """« Personne pour la garde de demain 20 h – 8 h (IDE, Hyères) : Anne TEST est en
    congé. Pour la confier : « garde du 24/12 IDE Hyères : nom ». »"""
    translator = Translator(deps.config.language)
    places = [deps.places.name(code) for code in sorted(duty.communes)]
    return translator.gettext(
        "Nobody for the duty {day} {hours} ({what}): {name} is on leave. To give it to "
        "someone: « garde du {date} {profession}{place} : name ».",
        day=day_word(duty.start, now, translator),
        hours=hours(duty, translator),
        what=what_and_where(duty, deps, translator),
        name=await deps.display_name(duty.user_id),
        date=duty.start.astimezone(PARIS).strftime("%d/%m"),
        profession=profession_name(duty.profession, translator),
        place=f" {places[0]}" if places else "",
    )
