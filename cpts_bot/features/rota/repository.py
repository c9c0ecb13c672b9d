"""The duty rota and leave in SQLite. Every function runs in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import aiosqlite

from cpts_bot.core.public_holidays import GENERAL_CALENDAR, HolidayCalendar
from cpts_bot.core.times import from_iso, to_iso
from cpts_bot.features.rota.duty_rota import Handover, Leave, OneOffShift, Rota, WeeklySlot
from cpts_bot.features.rota.holiday_slots import HolidayRule

SOURCE_CSV = "csv"
SOURCE_CHAT = "chat"


def _communes_text(communes: Iterable[str]) -> str:
    return ",".join(sorted(communes))


def _communes(text: str) -> frozenset[str]:
    return frozenset(part for part in text.split(",") if part)


def _duty_fields(row: aiosqlite.Row) -> dict[str, Any]:
    """What a weekly slot and a one-off shift both hold: who, under which name, which
    profession, which communes."""
    return {
        "user_id": row["user_id"],
        "name": row["name"],
        "profession": row["profession"],
        "communes": _communes(row["communes"]),
    }


def _slot_from_row(row: aiosqlite.Row) -> WeeklySlot:
    return WeeklySlot(
        **_duty_fields(row),
        weekday=row["weekday"],
        start=time.fromisoformat(row["start_time"]),
        end=time.fromisoformat(row["end_time"]),
        valid_from=date.fromisoformat(row["valid_from"]) if row["valid_from"] else None,
        valid_until=date.fromisoformat(row["valid_until"]) if row["valid_until"] else None,
        slot_id=row["id"],
        holidays=HolidayRule(row["holidays"]),
    )


def _shift_from_row(row: aiosqlite.Row) -> OneOffShift:
    start, end = from_iso(row["starts_at"]), from_iso(row["ends_at"])
    return OneOffShift(**_duty_fields(row), start=start, end=end, shift_id=row["id"])


def _leave_from_row(row: aiosqlite.Row) -> Leave:
    return Leave(row["user_id"], from_iso(row["starts_at"]), from_iso(row["ends_at"]), row["id"])


async def _insert(
    db: aiosqlite.Connection,
    table: str,
    values: dict[str, Any],
    source: str,
    created_by: str,
    now: datetime,
) -> int:
    """One row of ``table`` (a slot, a shift, a leave) with where it came from (the CSV
    import or the chat), who wrote it and when; its id."""
    row = {**values, "source": source, "created_by": created_by, "created_at": to_iso(now)}
    marks = ", ".join("?" for _ in row)
    cursor = await db.execute(
        f"INSERT INTO {table} ({', '.join(row)}) VALUES ({marks})", tuple(row.values())
    )
    return int(cursor.lastrowid or 0)


def _duty_values(item: WeeklySlot | OneOffShift) -> dict[str, Any]:
    return {
        "user_id": item.user_id,
        "name": item.name,
        "profession": item.profession,
        "communes": _communes_text(item.communes),
    }


async def add_slot(
    db: aiosqlite.Connection, slot: WeeklySlot, source: str, created_by: str, now: datetime
) -> int:
    values = _duty_values(slot) | {
        "weekday": slot.weekday,
        "start_time": slot.start.strftime("%H:%M"),
        "end_time": slot.end.strftime("%H:%M"),
        "valid_from": slot.valid_from.isoformat() if slot.valid_from else None,
        "valid_until": slot.valid_until.isoformat() if slot.valid_until else None,
        "holidays": slot.holidays.value,
    }
    return await _insert(db, "duty_slots", values, source, created_by, now)


async def add_shift(
    db: aiosqlite.Connection, shift: OneOffShift, source: str, created_by: str, now: datetime
) -> int:
    values = _duty_values(shift) | {"starts_at": to_iso(shift.start), "ends_at": to_iso(shift.end)}
    return await _insert(db, "duty_shifts", values, source, created_by, now)


async def add_leave(
    db: aiosqlite.Connection, leave: Leave, source: str, created_by: str, now: datetime
) -> int:
    values = {
        "user_id": leave.user_id,
        "starts_at": to_iso(leave.start),
        "ends_at": to_iso(leave.end),
    }
    return await _insert(db, "leaves", values, source, created_by, now)


async def delete_leave(db: aiosqlite.Connection, leave_id: int, user_id: str) -> bool:
    """Delete ``user_id``'s leave ``leave_id``; False if there is none such."""
    cursor = await db.execute(
        "DELETE FROM leaves WHERE id = ? AND user_id = ?", (leave_id, user_id)
    )
    return cursor.rowcount == 1


async def leave_owner(db: aiosqlite.Connection, leave_id: int) -> str | None:
    """Whose leave ``leave_id`` is (None: no such leave)."""
    async with db.execute("SELECT user_id FROM leaves WHERE id = ?", (leave_id,)) as cursor:
        row = await cursor.fetchone()
    return None if row is None else str(row["user_id"])


async def leaves_of(db: aiosqlite.Connection, user_id: str, after: datetime) -> list[Leave]:
    """``user_id``'s leave that is not over at ``after``, soonest first."""
    async with db.execute(
        "SELECT * FROM leaves WHERE user_id = ? AND ends_at > ? ORDER BY starts_at",
        (user_id, to_iso(after)),
    ) as cursor:
        return [_leave_from_row(row) for row in await cursor.fetchall()]


async def load_rota(
    db: aiosqlite.Connection,
    start: datetime,
    end: datetime,
    calendar: HolidayCalendar = GENERAL_CALENDAR,
) -> Rota:
    """Every weekly slot, and the shifts and leave overlapping [start, end); the slots
    that follow public holidays follow ``calendar`` (the territory's)."""
    async with db.execute("SELECT * FROM duty_slots ORDER BY id") as cursor:
        slots = tuple(_slot_from_row(row) for row in await cursor.fetchall())
    shifts = tuple(map(_shift_from_row, await _overlapping(db, "duty_shifts", start, end)))
    leaves = tuple(map(_leave_from_row, await _overlapping(db, "leaves", start, end)))
    return Rota(slots, shifts, leaves, await handovers_between(db, start, end), calendar)


async def _overlapping(
    db: aiosqlite.Connection, table: str, start: datetime, end: datetime, order: str = "starts_at"
) -> list[aiosqlite.Row]:
    """The rows of ``table`` (shifts, leave, handovers) overlapping [start, end)."""
    async with db.execute(
        f"SELECT * FROM {table} WHERE ends_at > ? AND starts_at < ? ORDER BY {order}",
        (to_iso(start), to_iso(end)),
    ) as cursor:
        return list(await cursor.fetchall())


async def handovers_between(
    db: aiosqlite.Connection, start: datetime, end: datetime
) -> tuple[Handover, ...]:
    """The handovers of duties overlapping [start, end), in the order they were made."""
    return tuple(
        Handover(
            row["from_user"],
            row["to_user"],
            row["profession"],
            from_iso(row["starts_at"]),
            from_iso(row["ends_at"]),
        )
        for row in await _overlapping(db, "duty_handovers", start, end, order="id")
    )


@dataclass(frozen=True)
class ImportCounts:
    slots: int
    shifts: int
    leaves: int


async def replace_imported(
    db: aiosqlite.Connection,
    slots: Iterable[WeeklySlot],
    shifts: Iterable[OneOffShift],
    leaves: Iterable[Leave],
    created_by: str,
    now: datetime,
) -> ImportCounts:
    """Replace everything a previous CSV import wrote (what was set by chat is kept)."""
    for table in ("duty_slots", "duty_shifts", "leaves"):
        await db.execute(f"DELETE FROM {table} WHERE source = ?", (SOURCE_CSV,))
    counts = [0, 0, 0]
    for slot in slots:
        await add_slot(db, slot, SOURCE_CSV, created_by, now)
        counts[0] += 1
    for shift in shifts:
        await add_shift(db, shift, SOURCE_CSV, created_by, now)
        counts[1] += 1
    for leave in leaves:
        await add_leave(db, leave, SOURCE_CSV, created_by, now)
        counts[2] += 1
    return ImportCounts(*counts)


async def rota_name(db: aiosqlite.Connection, user_id: str) -> str | None:
    """The name the rota gives ``user_id`` (a weekly slot or a shift), if any."""
    async with db.execute(
        "SELECT name FROM duty_slots WHERE user_id = ? AND name != ''"
        " UNION ALL SELECT name FROM duty_shifts WHERE user_id = ? AND name != '' LIMIT 1",
        (user_id, user_id),
    ) as cursor:
        row = await cursor.fetchone()
    return str(row["name"]) if row else None
