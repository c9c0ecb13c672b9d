"""Import the duty rota and leave from a CSV file (format: docs/rota-csv.md).

All or nothing: a file with any invalid line imports nothing and every problem of every
line is listed with its line number. A file with no rota line (a header alone) is refused:
it would wipe the whole rota. A valid file replaces what the previous CSV import wrote;
what was set by chat is kept. Times are Paris wall-clock times, stored as UTC.

``cpts-bot import-rota FILE.csv [--check]`` (see :func:`register_cli`); exit codes as
every import (``import_outcome.py``): 0 imported, 2 nothing imported.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from cpts_bot.command_settings import local_settings_of
from cpts_bot.core.errors import InputFileError
from cpts_bot.core.french_datetime import WEEKDAYS, local_midnight, local_to_utc
from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.profession_words import profession_code
from cpts_bot.core.text_normalizer import fold
from cpts_bot.features.rota.duty_rota import Leave, OneOffShift, WeeklySlot
from cpts_bot.features.rota.holiday_slots import SlotDays, parse_slot_days
from cpts_bot.features.rota.repository import ImportCounts, replace_imported
from cpts_bot.importers.import_outcome import (
    ALL_IMPORTED,
    NOTHING_IMPORTED,
    RowError,
    RowProblems,
    nothing_imported,
    territory_of,
)
from cpts_bot.importers.rota_csv_checks import file_conflicts
from cpts_bot.settings import MATRIX_USER_ID
from cpts_bot.storage.database import Database, with_database
from cpts_bot.storage.schema_migrator import MigrationError

COLUMNS = (
    "type",
    "matrix_id",
    "name",
    "profession",
    "communes",
    "day",
    "start",
    "end",
    "from",
    "until",
)
REQUIRED_COLUMNS = ("type", "matrix_id")
TYPES = {
    "hebdo": "weekly",
    "hebdomadaire": "weekly",
    "weekly": "weekly",
    "garde": "shift",
    "astreinte": "shift",
    "permanence": "shift",
    "shift": "shift",
    "ponctuel": "shift",
    "ponctuelle": "shift",
    "conge": "leave",
    "conges": "leave",
    "absence": "leave",
    "leave": "leave",
}
IMPORTED_BY = "csv-import"


class RotaCsvError(InputFileError):
    """The file cannot be imported; ``problems`` lists each one (with its line)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class RotaFile:
    slots: list[WeeklySlot] = field(default_factory=list)
    shifts: list[OneOffShift] = field(default_factory=list)
    leaves: list[Leave] = field(default_factory=list)
    line_of: dict[int, int] = field(default_factory=dict)  # id(item) -> its line


def _time(text: str, column: str) -> time:
    match = re.fullmatch(r"(\d{1,2})\s*[h:]\s*(\d{2})?", text.strip().lower())
    if not match:
        raise RowError(f"{column}: {text!r} is not a time such as 20:00 or 8h30")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        raise RowError(f"{column}: {text!r} is not a valid time")
    return time(hour % 24, minute)


def _date(text: str, column: str) -> date:
    text = text.strip()
    try:
        match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
        if match:
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        return date.fromisoformat(text)
    except ValueError:
        raise RowError(
            f"{column}: {text!r} is not a date such as 24/12/2026 or 2026-12-24"
        ) from None


def _optional_date(text: str, column: str) -> date | None:
    return _date(text, column) if text.strip() else None


def _weekday(text: str) -> SlotDays:
    key = fold(text.strip(), keep_positions=True).rstrip("s")
    if key in WEEKDAYS:
        return SlotDays(WEEKDAYS[key])
    if key.isdigit() and 1 <= int(key) <= 7:
        return SlotDays(int(key) - 1)
    days = parse_slot_days(text)
    if days is not None:
        return days
    raise RowError(
        f"day: {text!r} is not a weekday (lundi ... dimanche, or 1-7) nor public holidays"
        " (dimanches et jours fériés, jours fériés, lundi sauf fériés)"
    )


def _communes(text: str, places: PlaceIndex) -> frozenset[str]:
    codes = set()
    for part in re.split(r"[|;]", text):
        part = part.strip()
        if not part:
            continue
        if part in places.places:
            codes.add(part)
            continue
        found = places.find(part)
        if not found:
            raise RowError(f"communes: {part!r} is not a commune of the territory")
        codes.update(place.code for place in found)
    return frozenset(codes)


def _parse_line(row: dict[str, str], places: PlaceIndex, into: RotaFile) -> None:
    """Check every column of one line; raise one RowError listing all its problems."""
    problems = RowProblems()
    kind = TYPES.get(fold(row.get("type", "").strip(), keep_positions=True))
    if kind is None:
        problems.add(f"type: {row.get('type', '')!r} is not hebdo, garde or conge")
    user = row.get("matrix_id", "").strip()
    if not MATRIX_USER_ID.match(user):
        problems.add(f"matrix_id: {user!r} is not a Matrix ID such as @name:example.org")
    if kind is None:  # which other columns matter depends on the type
        problems.raise_if_any()
    if kind == "leave":
        leave = _leave(row, user, problems)
        problems.raise_if_any()
        assert leave is not None
        into.leaves.append(leave)
        return
    profession = profession_code(row.get("profession", ""))
    if profession is None:
        problems.add(f"profession: {row.get('profession', '')!r} is not a known profession")
    communes = problems.check(lambda: _communes(row.get("communes", ""), places), frozenset())
    start = problems.check(lambda: _time(row.get("start", ""), "start"), time())
    end = problems.check(lambda: _time(row.get("end", ""), "end"), time())
    if kind == "weekly":
        valid_from = problems.check(lambda: _optional_date(row.get("from", ""), "from"), None)
        valid_until = problems.check(lambda: _optional_date(row.get("until", ""), "until"), None)
        days = problems.check(lambda: _weekday(row.get("day", "")), SlotDays(0))
        problems.raise_if_any()
        assert profession is not None
        into.slots.append(
            WeeklySlot(
                user,
                profession,
                communes,
                days.weekday,
                start,
                end,
                valid_from,
                valid_until,
                name=row.get("name", "").strip(),
                holidays=days.rule,
            )
        )
        return
    day = problems.check(lambda: _date(row.get("day", ""), "day"), None)
    problems.raise_if_any()
    assert profession is not None and day is not None
    begins = local_to_utc(day, start)
    ends = local_to_utc(day + timedelta(days=0 if end > start else 1), end)
    name = row.get("name", "").strip()
    into.shifts.append(OneOffShift(user, profession, communes, begins, ends, name=name))


def _leave(row: dict[str, str], user: str, problems: RowProblems) -> Leave | None:
    first = problems.check(lambda: _date(row.get("from", ""), "from"), None)
    last = problems.check(lambda: _date(row.get("until", "") or row.get("from", ""), "until"), None)
    if first is None or last is None:
        return None
    if last < first:
        problems.add("until: the leave ends before it starts")
        return None
    return Leave(user, local_midnight(first), local_midnight(last + timedelta(days=1)))


def _note_line(result: RotaFile, line_number: int) -> None:
    """The line of the item a line added (for conflicts named with their line)."""
    for item in (*result.slots[-1:], *result.shifts[-1:], *result.leaves[-1:]):
        result.line_of.setdefault(id(item), line_number)


def parse_rota_csv(text: str, places: PlaceIndex) -> RotaFile:
    """Read the whole file; raise :class:`RotaCsvError` listing every problem."""
    text = text.lstrip("\ufeff")
    first_line = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [fold(name or "", keep_positions=True).strip() for name in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise RotaCsvError(
            [
                f"line 1: missing column(s): {', '.join(missing)}"
                f" (expected: {delimiter.join(COLUMNS)})"
            ]
        )
    unknown = [column for column in header if column and column not in COLUMNS]
    if unknown:
        raise RotaCsvError([f"line 1: unknown column(s): {', '.join(unknown)}"])
    result = RotaFile()
    problems = []
    for line_number, raw in enumerate(reader, start=2):
        row = {
            fold(key or "", keep_positions=True).strip(): (value or "")
            for key, value in raw.items()
        }
        if not any(value.strip() for value in row.values()):
            continue
        try:
            _parse_line(row, places, result)
        except ValueError as error:
            problems.append(f"line {line_number}: {error}")
        _note_line(result, line_number)
    if problems:
        raise RotaCsvError(problems)
    if not (result.slots or result.shifts or result.leaves):
        raise RotaCsvError(
            [
                "the file has a header but no rota line: an empty file would wipe the whole"
                " rota, so it is refused (to clear the rota, remove its lines by chat)"
            ]
        )
    return result


def read_rota_text(path: Path) -> str:
    """The file's text; :class:`RotaCsvError` when it is not UTF-8."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RotaCsvError([f"{path.name}: not UTF-8 text (save the file as CSV UTF-8)"]) from None


async def import_rota_csv(
    database: Database, path: Path, places: PlaceIndex, now: datetime
) -> ImportCounts:
    """Parse ``path`` and, if it is valid, replace the previously imported rota with it."""
    # A rota file is small; read it off the event loop all the same.
    text = await asyncio.to_thread(read_rota_text, path)
    parsed = parse_rota_csv(text, places)
    async with database.transaction() as db:
        return await replace_imported(
            db, parsed.slots, parsed.shifts, parsed.leaves, IMPORTED_BY, now
        )


# ----------------------------------------------------------------------------- CLI


def register_cli(subparsers: Any) -> None:
    """Add ``import-rota FILE.csv [--check]`` to the main parser's ``subparsers``."""
    parser = subparsers.add_parser(
        "import-rota",
        help="import the duty rota and leave (see docs/rota-csv.md)",
        epilog="all or nothing: exit code 0 imported (or valid with --check), 2 nothing imported",
    )
    parser.add_argument("file", type=Path)
    parser.add_argument("--check", action="store_true", help="check the file, import nothing")
    parser.set_defaults(handler=run_import_rota)


def run_import_rota(args: argparse.Namespace) -> int:
    """Handler of ``import-rota``: 0 when imported (or valid with --check), 2 otherwise."""
    settings = local_settings_of(args)
    territory = territory_of(settings.rooms_file)
    if territory is None:
        return NOTHING_IMPORTED
    places = PlaceIndex.from_territory(territory)
    calendar = territory.holiday_calendar()

    async def conflicts(database: Database) -> list[str]:
        parsed = parse_rota_csv(read_rota_text(args.file), places)
        return await file_conflicts(database, parsed, calendar, datetime.now(UTC))

    try:
        if args.check:
            parsed = parse_rota_csv(read_rota_text(args.file), places)
            print(
                f"{args.file.name} is valid: {len(parsed.slots)} weekly slot(s),"
                f" {len(parsed.shifts)} shift(s), {len(parsed.leaves)} leave period(s)"
            )
            if settings.database_path.exists():
                _warn(asyncio.run(with_database(settings.database_path, conflicts)))
            return ALL_IMPORTED

        async def run(database: Database) -> ImportCounts:
            return await import_rota_csv(database, args.file, places, datetime.now(UTC))

        counts = asyncio.run(with_database(settings.database_path, run))
        _warn(asyncio.run(with_database(settings.database_path, conflicts)))
    except (RotaCsvError, MigrationError, OSError) as error:
        return nothing_imported(str(error))
    print(
        f"rota {args.file.name} imported: {counts.slots} weekly slot(s), {counts.shifts}"
        f" shift(s), {counts.leaves} leave period(s); the previous import was replaced"
    )
    return ALL_IMPORTED


def _warn(conflicts: list[str]) -> None:
    """Conflicts do not stop an import: each is printed, with its line."""
    for conflict in conflicts:
        print(f"warning: {conflict}")
