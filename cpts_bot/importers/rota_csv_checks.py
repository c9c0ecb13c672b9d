"""The rota file's conflicts, flagged at import with their line: a duty during the
person's leave, two duties of one person that overlap, a person the directory does not
know, a profession that is not the person's in the directory. The file is imported all
the same (the coordination may be about to fix the directory); each is printed as a
warning, with ``--check`` too."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from cpts_bot.core.profession_words import profession_label
from cpts_bot.core.public_holidays import HolidayCalendar
from cpts_bot.core.times import PARIS
from cpts_bot.features.directory.repository import DirectoryRepository
from cpts_bot.features.rota.conflicts import Conflict, ConflictKind, first_of_each, rota_conflicts
from cpts_bot.features.rota.duty_rota import Duty, Rota, WeeklySlot, slot_occurrences
from cpts_bot.storage.database import Database

CHECKED_DAYS = 91  # the coming three months


class ParsedRota(Protocol):
    slots: list[WeeklySlot]
    shifts: list
    leaves: list
    line_of: dict[int, int]


def _line(parsed: ParsedRota, duty: Duty, calendar: HolidayCalendar) -> int | None:
    for shift in parsed.shifts:
        if (shift.user_id, shift.profession, shift.start) == (
            duty.user_id,
            duty.profession,
            duty.start,
        ):
            return parsed.line_of.get(id(shift))
    for slot in parsed.slots:
        if (slot.user_id, slot.profession) == (duty.user_id, duty.profession) and duty in (
            slot_occurrences(slot, duty.start, duty.end, calendar)
        ):
            return parsed.line_of.get(id(slot))
    return None


def _when(duty: Duty) -> str:
    local = duty.start.astimezone(PARIS)
    return f"{local:%a %d/%m/%Y %H:%M}"


def describe(parsed: ParsedRota, conflict: Conflict, calendar: HolidayCalendar) -> str:
    duty = conflict.duty
    line = _line(parsed, duty, calendar)
    where = f"line {line}: " if line else ""
    what = f"{where}{duty.user_id}: duty {_when(duty)}"
    if conflict.kind is ConflictKind.ON_LEAVE:
        leaves = [
            parsed.line_of.get(id(leave))
            for leave in parsed.leaves
            if leave.user_id == duty.user_id and leave.overlaps(duty.start, duty.end)
        ]
        found = ", ".join(f"line {n}" for n in leaves if n)
        return f"{what} falls during their leave" + (f" ({found})" if found else "")
    if conflict.kind is ConflictKind.OVERLAP and conflict.other is not None:
        other_line = _line(parsed, conflict.other, calendar)
        other = f" (line {other_line})" if other_line else ""
        return f"{what} overlaps their duty {_when(conflict.other)}{other}"
    if conflict.kind is ConflictKind.UNKNOWN_PERSON:
        return f"{what}: no card in the directory has this Matrix ID"
    profession = profession_label(conflict.profession or "", "en")
    asked = profession_label(duty.profession, "en")
    return f"{what} as {asked}, but the directory says {profession}"


async def file_conflicts(
    database: Database, parsed: ParsedRota, calendar: HolidayCalendar, now: datetime
) -> list[str]:
    """Every conflict of the file's duties in the coming three months, in words."""
    rota = Rota(tuple(parsed.slots), tuple(parsed.shifts), tuple(parsed.leaves), calendar=calendar)
    people = {item.user_id for item in (*parsed.slots, *parsed.shifts)}
    async with database.transaction() as db:
        repository = DirectoryRepository(db)
        directory = {}
        for user_id in sorted(people):
            professional = await repository.find_by_matrix_id(user_id)
            if professional is not None:
                directory[user_id] = professional.profession_code or None
    found = rota_conflicts(rota, now, now + timedelta(days=CHECKED_DAYS), directory)
    return [describe(parsed, conflict, calendar) for conflict in first_of_each(found)]
