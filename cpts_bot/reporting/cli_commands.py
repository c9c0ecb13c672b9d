"""Command-line commands of the tracking table: ``retention``, ``export``, ``report``.

``register_cli(subparsers)`` adds them to the main parser; each sets ``handler`` (a
function ``args -> exit code``) with ``set_defaults``. The database and the rooms file
are resolved like every command's (``command_settings.py``); ``--db`` overrides the
database.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import aiosqlite

from cpts_bot.command_settings import local_settings_of
from cpts_bot.core.public_holidays import GENERAL_CALENDAR, HolidayCalendar
from cpts_bot.features.medecin_traitant import repository as medecin_traitant_repository
from cpts_bot.features.medecin_traitant.figures import MedecinTraitantFigures
from cpts_bot.features.reports.monthly_stats import Month
from cpts_bot.features.reports.tracking_repository import export_rows_between
from cpts_bot.i18n import Translator
from cpts_bot.reporting import medecin_traitant_report
from cpts_bot.reporting.export import Labels, write_csv, write_report_files, write_xlsx
from cpts_bot.reporting.monthly_report import build_monthly_report
from cpts_bot.settings import ConfigError, Territory, TrackingConfig, load_rooms_config
from cpts_bot.storage.database import Database, with_database
from cpts_bot.storage.retention_repository import RetentionReport, apply_retention, report_lines

DEFAULT_RETENTION_DAYS = TrackingConfig().retention_days

T = TypeVar("T")


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _database_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="the bot's SQLite database (default: the bot's, in CPTS_DATA_DIR)",
    )


def database_path(args: argparse.Namespace) -> Path:
    """``--db``, else the bot's database in its data directory (as ``cpts-bot run``)."""
    if getattr(args, "db", None):
        return Path(args.db)
    return local_settings_of(args).database_path


def rooms_file(args: argparse.Namespace) -> Path:
    """The rooms file, resolved as every command resolves it."""
    return local_settings_of(args).rooms_file


def configured_retention_days(args: argparse.Namespace) -> int:
    """``tracking.retention_days`` of the rooms file; the default when there is no file.

    Raise :class:`ConfigError` when the file exists but is not valid.
    """
    path = rooms_file(args)
    if not path.exists():
        return TrackingConfig().retention_days
    return load_rooms_config(path).tracking.retention_days


def _configured_territory(args: argparse.Namespace) -> Territory | None:
    path = rooms_file(args)
    if not path.exists():
        return None
    try:
        return load_rooms_config(path).territory
    except ConfigError:
        return None


def configured_commune_names(args: argparse.Namespace) -> dict[str, str] | None:
    """The territory's commune names (INSEE code -> name) from the rooms file, when there
    is a valid one; the report then names communes instead of giving their codes."""
    territory = _configured_territory(args)
    if territory is None:
        return None
    return {commune.insee: commune.name for commune in territory.communes}


def configured_holidays(args: argparse.Namespace) -> HolidayCalendar:
    """The territory's public holidays from the rooms file (the general French ones
    without a valid one)."""
    territory = _configured_territory(args)
    return territory.holiday_calendar() if territory else GENERAL_CALENDAR


def register_cli(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``retention``, ``export`` and ``report`` to the cpts-bot command line."""
    retention = subparsers.add_parser(
        "retention",
        help="empty every typed text older than the retention period (report per table)",
        description="Without --apply, only count what would be emptied (dry run).",
    )
    retention.add_argument(
        "--days",
        type=int,
        default=None,
        help="keep free text this many days (default: tracking.retention_days of the"
        f" rooms file, else {DEFAULT_RETENTION_DAYS})",
    )
    retention.add_argument("--apply", action="store_true", help="empty them (not a dry run)")
    _database_argument(retention)
    retention.set_defaults(handler=run_retention)

    export = subparsers.add_parser("export", help="export the tracking table of one month")
    export.add_argument("what", choices=["requests", "medecin-traitant"])
    export.add_argument("--month", type=_month, required=True, help="e.g. 2026-11")
    export.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    export.add_argument("--out", type=Path, help="output file (default: requests-MONTH.EXT)")
    export.add_argument("--language", choices=["fr", "en"], default="fr", help="of the labels")
    _database_argument(export)
    export.set_defaults(handler=run_export)

    report = subparsers.add_parser("report", help="write a month's report (Markdown, HTML, PNG)")
    report.add_argument("--month", type=_month, required=True, help="e.g. 2026-11")
    report.add_argument("--out", type=Path, required=True, help="output folder")
    report.add_argument("--language", choices=["fr", "en"], default="fr")
    _database_argument(report)
    report.set_defaults(handler=run_report)


def _read(args: argparse.Namespace, reader: Callable[[aiosqlite.Connection], Awaitable[T]]) -> T:
    """Run ``reader`` in one transaction on the database of ``args``."""

    async def in_transaction(database: Database) -> T:
        async with database.transaction() as db:
            return await reader(db)

    return asyncio.run(with_database(database_path(args), in_transaction))


def _require_database(args: argparse.Namespace) -> bool:
    path = database_path(args)
    if not path.exists():
        print(f"error: no database at {path} (use --db)", file=sys.stderr)
        return False
    return True


def run_retention(args: argparse.Namespace, now: datetime | None = None) -> int:
    """``cpts-bot retention [--apply] [--days N]``."""
    days = args.days
    if days is None:
        try:
            days = configured_retention_days(args)
        except ConfigError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    if days < 1:
        print("error: --days must be at least 1", file=sys.stderr)
        return 2
    if not _require_database(args):
        return 1

    async def retain(database: Database) -> RetentionReport:
        async with database.transaction() as db:
            report = await apply_retention(db, now or datetime.now(UTC), days, apply=args.apply)
        if args.apply:
            await database.checkpoint()
        return report

    report = asyncio.run(with_database(database_path(args), retain))
    verb = "emptied" if args.apply else "would empty (dry run, use --apply)"
    print(f"retention {days} days, before {report.cutoff:%Y-%m-%d %H:%M} UTC: {verb}")
    print("\n".join(report_lines(report)))
    return 0


def run_export(args: argparse.Namespace) -> int:
    """``cpts-bot export requests --month 2026-11 --format csv|xlsx [--out FILE]``."""
    if not _require_database(args):
        return 1
    month: Month = args.month
    out: Path = args.out or Path(f"{args.what}-{month.label}.{args.format}")
    if args.what == "medecin-traitant":
        return run_medecin_traitant_export(args, month, out)

    async def read(
        db: aiosqlite.Connection,
    ) -> tuple[list[tuple[object, ...]], MedecinTraitantFigures]:
        rows = await export_rows_between(db, month.start_utc(), month.end_utc())
        return rows, await _desk_figures(db, month)

    rows, desk = _read(args, read)
    labels = Labels(Translator(args.language), configured_commune_names(args) or {})
    if args.format == "csv":
        write_csv(rows, out, labels)
    else:
        # The workbook carries the médecin-traitant section as a second sheet.
        table = medecin_traitant_report.export_table(desk, configured_commune_names(args))
        write_xlsx(rows, out, labels, more_sheets=[("medecin-traitant", table)])
    print(f"{len(rows)} requests written to {out}")
    return 0


def run_medecin_traitant_export(args: argparse.Namespace, month: Month, out: Path) -> int:
    """``cpts-bot export medecin-traitant --month 2026-11``: the desk's figures."""
    figures = _read(args, lambda db: _desk_figures(db, month))
    table = medecin_traitant_report.export_table(figures, configured_commune_names(args))
    if args.format == "csv":
        medecin_traitant_report.write_csv(table, out)
    else:
        medecin_traitant_report.write_xlsx(table, out, month)
    print(f"{len(table) - 1} médecin-traitant rows written to {out}")
    return 0


async def _desk_figures(db: aiosqlite.Connection, month: Month) -> MedecinTraitantFigures:
    return await medecin_traitant_repository.figures(db, month.start_utc(), month.end_utc())


def run_report(args: argparse.Namespace) -> int:
    """``cpts-bot report --month 2026-11 --out DIR``."""
    if not _require_database(args):
        return 1
    month: Month = args.month
    report = _read(
        args,
        lambda db: build_monthly_report(
            db,
            month,
            Translator(args.language),
            commune_names=configured_commune_names(args),
            holidays=configured_holidays(args),
        ),
    )
    for path in write_report_files(report, args.out):
        print(path)
    return 0
