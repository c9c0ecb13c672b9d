"""The duty rota and leave in SQLite. Every function runs in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

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


def _slot_from_row(row: aiosqlite.Row) -> WeeklySlot:
    return WeeklySlot(
        user_id=row["user_id"],
        profession=row["profession"],
        communes=_communes(row["communes"]),
        weekday=row["weekday"],
        start=time.fromisoformat(row["start_time"]),
        end=time.fromisoformat(row["end_time"]),
        valid_from=date.fromisoformat(row["valid_from"]) if row["valid_from"] else None,
        valid_until=date.fromisoformat(row["valid_until"]) if row["valid_until"] else None,
        slot_id=row["id"],
        name=row["name"],
        holidays=HolidayRule(row["holidays"]),
    )


def _shift_from_row(row: aiosqlite.Row) -> OneOffShift:
    return OneOffShift(
        user_id=row["user_id"],
        profession=row["profession"],
        communes=_communes(row["communes"]),
        start=from_iso(row["starts_at"]),
        end=from_iso(row["ends_at"]),
        shift_id=row["id"],
        name=row["name"],
    )


def _leave_from_row(row: aiosqlite.Row) -> Leave:
    return Leave(row["user_id"], from_iso(row["starts_at"]), from_iso(row["ends_at"]), row["id"])


async def add_slot(
    db: aiosqlite.Connection, slot: WeeklySlot, source: str, created_by: str, now: datetime
) -> int:
    cursor = await db.execute(
        "INSERT INTO duty_slots (user_id, name, profession, communes, weekday, start_time,"
        " end_time, valid_from, valid_until, source, created_by, created_at, holidays)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            slot.user_id,
            slot.name,
            slot.profession,
            _communes_text(slot.communes),
            slot.weekday,
            slot.start.strftime("%H:%M"),
            slot.end.strftime("%H:%M"),
            slot.valid_from.isoformat() if slot.valid_from else None,
            slot.valid_until.isoformat() if slot.valid_until else None,
            source,
            created_by,
            to_iso(now),
            slot.holidays.value,
        ),
    )
    return int(cursor.lastrowid or 0)


async def add_shift(
    db: aiosqlite.Connection, shift: OneOffShift, source: str, created_by: str, now: datetime
) -> int:
    cursor = await db.execute(
        "INSERT INTO duty_shifts (user_id, name, profession, communes, starts_at, ends_at,"
        " source, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            shift.user_id,
            shift.name,
            shift.profession,
            _communes_text(shift.communes),
            to_iso(shift.start),
            to_iso(shift.end),
            source,
            created_by,
            to_iso(now),
        ),
    )
    return int(cursor.lastrowid or 0)


async def add_leave(
    db: aiosqlite.Connection, leave: Leave, source: str, created_by: str, now: datetime
) -> int:
    cursor = await db.execute(
        "INSERT INTO leaves (user_id, starts_at, ends_at, source, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (leave.user_id, to_iso(leave.start), to_iso(leave.end), source, created_by, to_iso(now)),
    )
    return int(cursor.lastrowid or 0)


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
    async with db.execute(
        "SELECT * FROM duty_shifts WHERE ends_at > ? AND starts_at < ? ORDER BY starts_at",
        (to_iso(start), to_iso(end)),
    ) as cursor:
        shifts = tuple(_shift_from_row(row) for row in await cursor.fetchall())
    async with db.execute(
        "SELECT * FROM leaves WHERE ends_at > ? AND starts_at < ? ORDER BY starts_at",
        (to_iso(start), to_iso(end)),
    ) as cursor:
        leaves = tuple(_leave_from_row(row) for row in await cursor.fetchall())
    return Rota(slots, shifts, leaves, await handovers_between(db, start, end), calendar)


async def handovers_between(
    db: aiosqlite.Connection, start: datetime, end: datetime
) -> tuple[Handover, ...]:
    """The handovers of duties overlapping [start, end), in the order they were made."""
    async with db.execute(
        "SELECT * FROM duty_handovers WHERE ends_at > ? AND starts_at < ? ORDER BY id",
        (to_iso(start), to_iso(end)),
    ) as cursor:
        rows = list(await cursor.fetchall())
    return tuple(
        Handover(
            row["from_user"],
            row["to_user"],
            row["profession"],
            from_iso(row["starts_at"]),
            from_iso(row["ends_at"]),
        )
        for row in rows
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
