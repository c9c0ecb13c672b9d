"""The weekly « trous dans le planning » summary to the coordination: the coming seven
days' duties with nobody (their professional on leave) and the rota's other conflicts
(two duties that overlap, a person the directory does not know, a profession that is
not the person's). Sent once a week (``duty_reminders.gaps_weekday`` at ``gaps_at``,
Paris time), recorded like every duty notice, never in the quiet hours."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from cpts_bot.core.french_datetime import local_to_utc
from cpts_bot.core.times import PARIS
from cpts_bot.features.rota.checks_service import conflict_text, conflicts_between
from cpts_bot.features.rota.conflicts import first_of_each
from cpts_bot.features.rota.reminders import duty_notice_repository as notices
from cpts_bot.features.rota.reminders.duty_notice_texts_service import tell_coordination
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context

WINDOW = timedelta(days=7)
LATE = timedelta(hours=24)  # a summary missed by more than this waits for next week's
LISTED = 30


def last_due(now: datetime, weekday: int, at_time: time) -> datetime:
    """The latest weekly moment (``weekday`` at ``at_time``, Paris) not after ``now``."""
    today = now.astimezone(PARIS).date()
    day = today - timedelta(days=(today.weekday() - weekday) % 7)
    due = local_to_utc(day, at_time)
    return due if due <= now else local_to_utc(day - timedelta(days=7), at_time)


async def send_gaps_summary(deps: Context) -> int:
    """Send this week's summary if it is due and not sent yet; 1 when sent."""
    policy = deps.config.duty_reminders
    if policy.gaps_weekday is None or deps.config.quiet_hours.contains(deps.now):
        return 0
    due = last_due(deps.now, policy.gaps_weekday, policy.gaps_at)
    if deps.now - due > LATE:
        return 0
    if not await notices.record_notice(deps.db, notices.GAPS, "", "", due, deps.now):
        return 0
    await tell_coordination(deps, await gaps_text(deps))
    return 1


async def gaps_text(deps: Context) -> str:
    translator = Translator(deps.config.language)
    found = first_of_each(await conflicts_between(deps, deps.now, deps.now + WINDOW))
    if not found:
        return translator.gettext("Gaps in the rota, next 7 days: none.")
    lines = [
        translator.ngettext(
            "Gaps in the rota, next 7 days: {count} problem",
            "Gaps in the rota, next 7 days: {count} problems",
            len(found),
        )
    ]
    lines += [f"• {await conflict_text(deps, c, translator)}" for c in found[:LISTED]]
    if len(found) > LISTED:
        lines.append(f"• … (+{len(found) - LISTED})")
    lines.append(
        translator.gettext("To give a duty with nobody: « garde du 24/12 nuit IDE Hyères : name ».")
    )
    return "\n".join(lines)
