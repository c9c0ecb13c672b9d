"""Readers answer an alert: a reaction or a reply to its post acknowledges it, « plus
tard » (or 💤) postpones their reminder; the coordination asks who has read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import aiosqlite

from cpts_bot.core.messages import Reply
from cpts_bot.features.alerts import firing_repository as firings
from cpts_bot.features.alerts import repository as repo
from cpts_bot.features.alerts.audience_service import RoomMembers, people_in
from cpts_bot.features.alerts.models import ACKNOWLEDGED_LEVELS
from cpts_bot.features.alerts.posting_service import CORRELATION_PREFIX
from cpts_bot.features.alerts.rendering_service import format_moment
from cpts_bot.features.alerts.snooze import DEFAULT_SNOOZE, snoozed_until
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context
from cpts_bot.storage.core_repository import language_of


async def on_sent(db: aiosqlite.Connection, correlation: str, room_id: str, event_id: str) -> bool:
    """Record the event id of a sent alert post; False if ``correlation`` is not ours."""
    if not correlation.startswith(CORRELATION_PREFIX):
        return False
    firing_text, _, room = correlation.removeprefix(CORRELATION_PREFIX).partition(":")
    try:
        firing_id = int(firing_text)
    except ValueError:
        return False
    await firings.set_post_event(db, firing_id, room or room_id, event_id)
    return True


async def firing_answered(
    context: Context, room_id: str, parents: tuple[str | None, ...]
) -> int | None:
    """The posting whose post one of ``parents`` (reply, thread root) is, if any."""
    for parent in parents:
        if parent:
            firing_id = await firings.firing_of_event(context.db, room_id, parent)
            if firing_id is not None:
                return firing_id
    return None


async def acknowledge(
    context: Context, firing_id: int, user_id: str, at: datetime, via: str
) -> bool:
    """Record ``user_id``'s acknowledgement (the first one counts); True if new."""
    return await firings.acknowledge(context.db, firing_id, user_id, at, via)


@dataclass(frozen=True)
class Snoozed:
    """« plus tard » recorded: the alert's number and when the reader is reminded."""

    alert_id: int
    remind_at: datetime


async def snooze(
    context: Context, firing_id: int, user_id: str, default: timedelta = DEFAULT_SNOOZE
) -> Snoozed | None:
    """Postpone ``user_id``'s reminder of ``firing_id``; None when the alert asks for no
    acknowledgement (an information: there is nothing to remind)."""
    db, now = context.db, context.now
    alert_id = await firings.alert_of_firing(db, firing_id)
    alert = await repo.get_alert(db, alert_id) if alert_id is not None else None
    if alert is None or alert.level not in ACKNOWLEDGED_LEVELS:
        return None
    remind_at = snoozed_until(now, alert.reminder_minutes, default)
    await firings.snooze(db, firing_id, user_id, now, remind_at)
    return Snoozed(alert.id, remind_at)


async def tell_snoozed(context: Context, user_id: str, snoozed: Snoozed) -> None:
    """Tell the reader, in their direct chat (not in the shared room), when they will be
    reminded."""
    language = await language_of(context.db, user_id) or context.config.language
    translator = Translator(language)
    text = translator.gettext(
        "⏰ Noted: I will remind you of alert no. {number} on {when}, unless you"
        " acknowledge it before (react to it or reply to it).",
        number=snoozed.alert_id,
        when=format_moment(snoozed.remind_at, translator),
    )
    await context.outbox.send_direct(user_id, Reply(text))


@dataclass(frozen=True)
class AcknowledgementReport:
    firing_id: int
    fired_at: datetime
    acknowledged: list[tuple[str, datetime]]
    pending: list[str]
    members_known: bool


async def acknowledgement_report(
    context: Context, firing_id: int, members: RoomMembers | None, exclude: str | None = None
) -> AcknowledgementReport:
    """Who acknowledged firing ``firing_id`` and which members of its rooms did not (the
    bot and ``exclude``, the alert's author, left out)."""
    db, bot_user_id = context.db, context.bot_user_id
    acknowledged = await firings.acknowledgements(db, firing_id)
    pending: list[str] = []
    if members is not None:
        rooms = await firings.post_rooms(db, firing_id)
        everyone = await people_in(rooms, members, without=(bot_user_id, exclude))
        pending = sorted(everyone - {user for user, _ in acknowledged})
    return AcknowledgementReport(
        firing_id,
        await firings.fired_at(db, firing_id),
        acknowledged,
        pending,
        members is not None,
    )
