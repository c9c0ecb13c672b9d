"""Reminders of a taken dispatch not marked done, run by the scheduler.

Past its due time (see :mod:`cpts_bot.features.dispatch.reminders`), the one who took it is
reminded once in their direct chat; later, the coordination room is told. The database
is the truth: each reminder moves ``reminder_step`` with a conditional update in the
transaction that queues the message, so it is sent once, across restarts too.
"""

from __future__ import annotations

from functools import partial

from cpts_bot.core.messages import Reply
from cpts_bot.features.dispatch import repository as repo
from cpts_bot.features.dispatch.broadcast_service import KIND_DETAILS, correlation
from cpts_bot.features.dispatch.context_service import format_moment, place_names, profession_name
from cpts_bot.features.dispatch.models import Dispatch
from cpts_bot.features.dispatch.reminders import (
    LAST_STEP,
    DueReminder,
    ReminderKind,
    due_reminders,
    next_reminder,
)
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import N_
from cpts_bot.services.context import Context
from cpts_bot.services.offer_service import tell, tell_coordination


async def run_due_reminders(deps: Context) -> list[DueReminder]:
    """Send every reminder due at ``deps.now`` (in the caller's transaction)."""
    policy = deps.policy.reminders
    if not policy.enabled:
        return []
    candidates = await repo.reminder_candidates(deps.db, LAST_STEP)
    sent = []
    for owed in due_reminders(candidates, deps.now, policy):
        if await send_reminder(deps, owed):
            sent.append(owed)
    return sent


async def send_reminder(deps: Context, owed: DueReminder) -> bool:
    """Send ``owed`` if it is still owed (re-read here); True if sent."""
    dispatch = await repo.get(deps.db, owed.dispatch_id)
    if dispatch is None:
        return False
    still = next_reminder(dispatch, deps.policy.reminders)
    if still is None or still.kind is not owed.kind or still.due_at > deps.now:
        return False
    if not dispatch.urgent and deps.config.quiet_hours.contains(deps.now):
        return False  # after the quiet hours
    moved = await repo.mark_reminded(deps.db, dispatch, owed.kind.step, owed.kind.value, deps.now)
    if moved is None:
        return False
    if owed.kind is ReminderKind.TAKER:
        await _remind_taker(deps, moved)
    else:
        await _tell_coordination(deps, moved)
    return True


def _summary(dispatch: Dispatch, deps: Context, translator: Translator) -> str:
    return ", ".join(
        [
            profession_name(dispatch.profession, translator),
            place_names(dispatch.all_communes, deps.places, translator),
            format_moment(dispatch.needed_at, dispatch.needed_precision, translator),
        ]
    )


async def _remind_taker(deps: Context, dispatch: Dispatch) -> None:
    taker = str(dispatch.taken_by)
    await tell(
        deps,
        taker,
        N_(
            "Reminder: dispatch no. {id} ({summary}) is not marked done. Once the care is "
            "given, send “fait {id}”; if you can no longer go, “je ne peux plus {id}”."
        ),
        ring=True,
        correlation=correlation(dispatch.id, KIND_DETAILS, taker),
        id=dispatch.id,
        summary=partial(_summary, dispatch, deps),
    )


async def _tell_coordination(deps: Context, dispatch: Dispatch) -> None:
    translator = Translator(deps.config.language)
    text = translator.gettext(
        "Dispatch no. {id} ({summary}), taken by {contact}, is still not marked done "
        "although they were reminded.",
        id=dispatch.id,
        summary=_summary(dispatch, deps, translator),
        contact=await deps.contact(str(dispatch.taken_by), translator),
    )
    await tell_coordination(deps, Reply(text))
