"""The duty rota as the chat reads and changes it: the rota over a period, one's leave,
a leave, a one-off duty or a weekly slot added by chat, a leave removed (by its owner, or
by a coordinator), a person's duties as a calendar file in their direct chat."""

from __future__ import annotations

from datetime import datetime

from cpts_bot.core.public_holidays import HolidayCalendar
from cpts_bot.features.rota import repository as repo
from cpts_bot.features.rota.duty_rota import Leave, OneOffShift, Rota, WeeklySlot
from cpts_bot.services.context import Context
from cpts_bot.storage.outbox_media import queue_direct_file


async def rota_between(
    context: Context, start: datetime, end: datetime, calendar: HolidayCalendar
) -> Rota:
    return await repo.load_rota(context.db, start, end, calendar)


async def leaves_of(context: Context, user_id: str) -> list[Leave]:
    """``user_id``'s leave from now on."""
    return await repo.leaves_of(context.db, user_id, context.now)


async def add_leave(context: Context, leave: Leave, by: str) -> int:
    """Record ``leave`` (said by chat by ``by``); its number."""
    return await repo.add_leave(context.db, leave, repo.SOURCE_CHAT, by, context.now)


async def remove_leave(context: Context, leave_id: int, by: str) -> bool:
    """« annuler congé 3 »: its owner removes it, and so may a coordinator."""
    deleted = await repo.delete_leave(context.db, leave_id, by)
    if not deleted and context.is_coordinator(by):
        owner = await repo.leave_owner(context.db, leave_id)
        if owner is not None:
            deleted = await repo.delete_leave(context.db, leave_id, owner)
    return deleted


async def add_shift(context: Context, shift: OneOffShift, by: str) -> None:
    await repo.add_shift(context.db, shift, repo.SOURCE_CHAT, by, context.now)


async def add_slot(context: Context, slot: WeeklySlot, by: str) -> None:
    await repo.add_slot(context.db, slot, repo.SOURCE_CHAT, by, context.now)


async def send_calendar_file(
    context: Context, user_id: str, filename: str, data: bytes, mimetype: str, caption: str
) -> str:
    """Queue ``data`` for ``user_id``'s direct chat in the current transaction; its txn id."""
    return await queue_direct_file(context.outbox, user_id, filename, data, mimetype, caption)
