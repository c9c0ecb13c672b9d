"""The duty rota's use cases, as the chat asks for them: who is on duty, one's duties and
leave, a leave declared or removed (by its owner, or by a coordinator), a one-off duty
or a weekly slot set by a coordinator (with the conflicts it creates), and a person's
duties as a calendar file in their direct chat. The chat renders what these return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cpts_bot.core.public_holidays import HolidayCalendar
from cpts_bot.features.rota import repository as repo
from cpts_bot.features.rota.checks_service import warnings_for
from cpts_bot.features.rota.duty_rota import (
    Duty,
    Leave,
    OneOffShift,
    Rota,
    WeeklySlot,
    duties_of,
    on_duty_at,
    on_duty_during,
)
from cpts_bot.features.rota.phrases import RotaCommand
from cpts_bot.services.context import Context
from cpts_bot.storage.outbox_media import queue_direct_file

CHECKED_WEEKS = 8  # a weekly duty set by chat is checked against leave and other duties


def calendar_of(context: Context) -> HolidayCalendar:
    return context.config.territory.holiday_calendar()


async def rota_between(
    context: Context, start: datetime, end: datetime, calendar: HolidayCalendar
) -> Rota:
    return await repo.load_rota(context.db, start, end, calendar)


@dataclass(frozen=True)
class OnDuty:
    """Who is on duty as asked: ``has_rota`` False when the rota holds nothing of the
    profession asked at all; the duties in time order, with their people's names."""

    has_rota: bool
    duties: list[Duty]
    names: dict[str, str]


async def on_duty(context: Context, command: RotaCommand) -> OnDuty:
    """« qui est de garde ce soir à Hyères ? »: the duties at the moment (or during the
    period) asked, of the profession and communes asked."""
    assert command.moment is not None
    at = command.moment.at
    start, end = (command.period.start, command.period.end) if command.period else (at, at)
    rota = await rota_between(
        context, start - timedelta(days=1), end + timedelta(days=1), calendar_of(context)
    )
    if not any(
        command.profession is None or item.profession == command.profession
        for item in (*rota.slots, *rota.shifts)
    ):
        return OnDuty(False, [], {})
    found: list[Duty] = []
    for commune in command.communes or (None,):
        if command.period is not None:
            duties = on_duty_during(rota, start, end, command.profession, commune)
        else:
            duties = on_duty_at(rota, at, command.profession, commune)
        found.extend(duty for duty in duties if duty not in found)
    found.sort(key=lambda d: (d.start, d.user_id))
    names = {d.user_id: d.name or await context.display_name(d.user_id) for d in found}
    return OnDuty(True, found, names)


@dataclass(frozen=True)
class MyDuties:
    """A person's duties in [start, end) and their leave from now on."""

    duties: list[Duty]
    leaves: list[Leave]
    start: datetime
    end: datetime


async def duties_and_leave(
    context: Context, user_id: str, start: datetime, end: datetime
) -> MyDuties:
    """``user_id``'s duties in [start, end) and their leave from now on."""
    rota = await rota_between(context, start - timedelta(days=1), end, calendar_of(context))
    leaves = await leaves_of(context, user_id)
    return MyDuties(duties_of(rota, user_id, start, end), leaves, start, end)


async def leaves_of(context: Context, user_id: str) -> list[Leave]:
    """``user_id``'s leave from now on."""
    return await repo.leaves_of(context.db, user_id, context.now)


@dataclass(frozen=True)
class LeaveRecorded:
    """A leave recorded: its number, and the duties it leaves with nobody."""

    leave_id: int
    clashes: list[Duty]


async def declare_leave(context: Context, leave: Leave, by: str) -> LeaveRecorded:
    """Record ``leave`` (said by chat by ``by``); the duties planned during it."""
    leave_id = await repo.add_leave(context.db, leave, repo.SOURCE_CHAT, by, context.now)
    rota = await rota_between(context, leave.start, leave.end, calendar_of(context))
    planned = Rota(rota.slots, rota.shifts, handovers=rota.handovers, calendar=rota.calendar)
    return LeaveRecorded(leave_id, duties_of(planned, leave.user_id, leave.start, leave.end))


async def remove_leave(context: Context, leave_id: int, by: str) -> bool:
    """« annuler congé 3 »: its owner removes it, and so may a coordinator."""
    deleted = await repo.delete_leave(context.db, leave_id, by)
    if not deleted and context.is_coordinator(by):
        owner = await repo.leave_owner(context.db, leave_id)
        if owner is not None:
            deleted = await repo.delete_leave(context.db, leave_id, owner)
    return deleted


async def set_shift(context: Context, shift: OneOffShift, by: str) -> list[str]:
    """Record a one-off duty set by ``by``; the warnings of the conflicts it creates."""
    await repo.add_shift(context.db, shift, repo.SOURCE_CHAT, by, context.now)
    end = shift.end + timedelta(seconds=1)
    return await warnings_for(context, shift.user_id, shift.start, end, context.translator)


async def set_slot(context: Context, slot: WeeklySlot, by: str) -> list[str]:
    """Record a weekly duty set by ``by``; the warnings of the conflicts it creates in
    the coming weeks."""
    await repo.add_slot(context.db, slot, repo.SOURCE_CHAT, by, context.now)
    ahead = context.now + timedelta(days=CHECKED_WEEKS * 7)
    return await warnings_for(context, slot.user_id, context.now, ahead, context.translator)


async def send_calendar_file(
    context: Context, user_id: str, filename: str, data: bytes, mimetype: str, caption: str
) -> str:
    """Queue ``data`` for ``user_id``'s direct chat in the current transaction; its txn id."""
    return await queue_direct_file(context.outbox, user_id, filename, data, mimetype, caption)
