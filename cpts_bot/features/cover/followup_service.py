"""Requests for cover that do not die quietly, run by the scheduler beside the duty
reminders: a colleague asked who has not answered is reminded once,
``duty_reminders.swap_reminder_hours`` after being asked; the coordination is told once
when a duty is still uncovered ``swap_uncovered_hours`` before it starts. Both are duty
notices (recorded once), the colleagues' reminders never in the quiet hours."""

from __future__ import annotations

from datetime import timedelta

from cpts_bot.core.messages import Reply
from cpts_bot.features.cover.followup_repository import OpenCover, open_requests
from cpts_bot.features.rota.duty_rota import Duty
from cpts_bot.features.rota.reminders import duty_notice_repository as notices
from cpts_bot.features.rota.reminders.duty_notice_texts_service import (
    day_word,
    hours,
    tell_coordination,
    what_and_where,
)
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context


async def follow_up_cover(deps: Context) -> int:
    """Send the reminders and notices due now; how many."""
    policy = deps.config.duty_reminders
    sent = 0
    for cover in await open_requests(deps.db):
        if cover.starts_at <= deps.now:
            continue
        if policy.swap_reminder_hours is not None:
            sent += await _remind_silent(deps, cover, timedelta(hours=policy.swap_reminder_hours))
        if policy.swap_uncovered_hours is not None:
            before = timedelta(hours=policy.swap_uncovered_hours)
            sent += await _tell_uncovered(deps, cover, before)
    return sent


def _duty(cover: OpenCover) -> Duty:
    return Duty(cover.requester, cover.profession, cover.communes, cover.starts_at, cover.ends_at)


async def _about(deps: Context, cover: OpenCover, translator: Translator) -> dict[str, object]:
    """What both notices say of the uncovered duty: whose, when, what and where."""
    duty = _duty(cover)
    return {
        "name": await deps.display_name(cover.requester),
        "day": day_word(duty.start, deps.now, translator),
        "hours": hours(duty, translator),
        "what": what_and_where(duty, deps, translator),
        "id": cover.swap_id,
    }


async def _remind_silent(deps: Context, cover: OpenCover, after: timedelta) -> int:
    if deps.config.quiet_hours.contains(deps.now):
        return 0
    sent = 0
    for colleague, asked_at in cover.silent:
        if asked_at + after > deps.now or not await notices.record_notice(
            deps.db, notices.SWAP_REMINDER, colleague, cover.profession, cover.starts_at, deps.now
        ):
            continue
        translator = await deps.translator_for(colleague)
        text = translator.gettext(
            "Reminder: {name} still looks for someone for their duty {day} {hours} ({what}), "
            "request no. {id}. « je prends » takes it; « pas dispo » if you cannot.",
            **await _about(deps, cover, translator),
        )
        await deps.outbox.send_direct(colleague, Reply(text), notice=False)
        sent += 1
    return sent


async def _tell_uncovered(deps: Context, cover: OpenCover, before: timedelta) -> int:
    if deps.now < cover.starts_at - before:
        return 0
    quiet = deps.config.quiet_hours
    if quiet.contains(deps.now) and cover.starts_at > quiet.ends_after(deps.now):
        return 0
    if not await notices.record_notice(
        deps.db,
        notices.SWAP_UNCOVERED,
        cover.requester,
        cover.profession,
        cover.starts_at,
        deps.now,
    ):
        return 0
    translator = Translator(deps.config.language)
    text = translator.gettext(
        "Still uncovered: {name}'s duty {day} {hours} ({what}), request for cover no. {id}, "
        "nobody has taken it. « garde du {date} : name remplace {name} » gives it to someone.",
        **await _about(deps, cover, translator),
        date=translator.format_datetime(cover.starts_at, "dd/MM"),
    )
    await tell_coordination(deps, text)
    return 1
