"""cpts-bot import rpps FILE and cpts-bot import directory FILE.csv.

:func:`register_cli` adds the ``import`` command to the main parser's subparsers. The
territory's communes come from the rooms file and the database is the bot's, both
resolved like every command's (``--rooms-file``, ``CPTS_*``, ``.env``: see
``command_settings.py``). Exit codes: ``import_outcome.py`` (0 all imported, 1 some rows
rejected, 2 nothing imported).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cpts_bot.command_settings import local_settings_of
from cpts_bot.core.places.commune_parts import allowed_postal_codes, commune_parts
from cpts_bot.core.vocabulary_extension import VocabularyFileError, load_cpts_vocabulary
from cpts_bot.core.vocabulary_loader import Vocabulary
from cpts_bot.importers.directory_csv import DirectoryCsvError, import_directory_csv
from cpts_bot.importers.extract_columns import ExtractFormatError
from cpts_bot.importers.import_outcome import (
    EXIT_CODES_HELP,
    NOTHING_IMPORTED,
    nothing_imported,
    report_rejected,
    territory_of,
)
from cpts_bot.importers.rpps_extract import import_rpps_extract
from cpts_bot.importers.shrink_guard import DEFAULT_MAX_SHRINK, ShrinkRefusedError
from cpts_bot.settings import ConfigError, load_rooms_config
from cpts_bot.storage.database import Database, with_database
from cpts_bot.storage.schema_migrator import MigrationError

# What an import run gives: its summary lines, how many rows it imported and rejected.
Imported = tuple[list[str], int, int]


def register_cli(subparsers: Any) -> None:
    """Add ``import rpps FILE`` and ``import directory FILE`` to ``subparsers``."""
    parser = subparsers.add_parser(
        "import", help="import the national extract or the CPTS directory file"
    )
    kinds = parser.add_subparsers(dest="import_kind", metavar="{rpps,directory}", required=True)
    rpps = kinds.add_parser(
        "rpps",
        help="import the national extract (PS_LibreAcces_Personne_activite, .zip or .txt)"
        " for the territory's communes",
        epilog=EXIT_CODES_HELP,
    )
    rpps.add_argument("file", type=Path)
    rpps.add_argument("--no-progress", action="store_true", help="no progress bar")
    rpps.add_argument(
        "--savoir-faire",
        type=Path,
        default=None,
        help="the separate PS_LibreAcces_SavoirFaire file of newer extractions,"
        " when it is not inside the zip",
    )
    _shrink_options(rpps)
    rpps.set_defaults(handler=run_import_rpps)
    directory = kinds.add_parser(
        "directory",
        help="import the CPTS directory CSV (see docs/directory-csv.md)",
        epilog=EXIT_CODES_HELP,
    )
    directory.add_argument("file", type=Path)
    directory.add_argument(
        "--vocabulary",
        type=Path,
        default=None,
        help="the CPTS's vocabulary file (default: vocabulary_file of the rooms file)",
    )
    _shrink_options(directory)
    directory.set_defaults(handler=run_import_directory)


def _shrink_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-shrink",
        action="store_true",
        help="import even when it marks more than --max-shrink of the directory's active"
        " professionals inactive (refused by default: a truncated or wrong file)",
    )
    parser.add_argument(
        "--max-shrink",
        type=_percent,
        default=DEFAULT_MAX_SHRINK,
        metavar="PERCENT",
        help=f"the largest share marked inactive without --allow-shrink"
        f" (default {DEFAULT_MAX_SHRINK * 100:.0f}%%)",
    )


def _percent(text: str) -> float:
    try:
        value = float(text.strip().removesuffix("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage (e.g. 20)") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"{text!r} is not between 0 and 100")
    return value / 100


def _max_shrink(args: argparse.Namespace) -> float | None:
    return None if args.allow_shrink else args.max_shrink


def _vocabulary(args: argparse.Namespace, rooms_file: Path) -> Vocabulary:
    """The shipped vocabulary, extended with the CPTS's file when there is one."""
    path = getattr(args, "vocabulary", None)
    if path is None and rooms_file.exists():
        try:
            path = load_rooms_config(rooms_file).vocabulary_file
        except ConfigError:
            path = None
    return load_cpts_vocabulary(path)


def run_import_rpps(args: argparse.Namespace) -> int:
    """Handler of ``import rpps``: returns the exit code."""
    settings = local_settings_of(args)
    territory = territory_of(settings.rooms_file)
    if territory is None:
        return NOTHING_IMPORTED
    communes = [commune.insee for commune in territory.communes]
    parts = allowed_postal_codes(commune_parts(territory.communes))
    show_progress = not args.no_progress and sys.stderr.isatty()

    async def run(database: Database) -> Imported:
        summary = await import_rpps_extract(
            database,
            args.file,
            communes,
            datetime.now(UTC),
            show_progress,
            args.savoir_faire,
            _max_shrink(args),
            parts,
        )
        return summary.lines(), summary.professionals_in_file, len(summary.rejected)

    heading = f"national extract {args.file.name} imported for {territory.name}:"
    return _import_and_report(settings.database_path, run, ExtractFormatError, heading)


def run_import_directory(args: argparse.Namespace) -> int:
    """Handler of ``import directory``: returns the exit code."""
    settings = local_settings_of(args)
    try:
        vocabulary = _vocabulary(args, settings.rooms_file)
    except VocabularyFileError as error:
        return nothing_imported(str(error))

    async def run(database: Database) -> Imported:
        summary = await import_directory_csv(
            database,
            args.file,
            datetime.now(UTC),
            vocabulary=vocabulary,
            max_shrink=_max_shrink(args),
        )
        rejected = len(summary.rejected)
        return summary.lines(), summary.rows - rejected, rejected

    heading = f"directory {args.file.name}:"
    return _import_and_report(settings.database_path, run, DirectoryCsvError, heading)


def _import_and_report(
    database_path: Path,
    run: Callable[[Database], Awaitable[Imported]],
    file_error: type[Exception],
    heading: str,
) -> int:
    """Run the import on the database; print ``heading`` and its summary, or why nothing
    was imported; return the exit code."""
    try:
        lines, imported, rejected = asyncio.run(with_database(database_path, run))
    except (file_error, ShrinkRefusedError, MigrationError, OSError) as error:
        return nothing_imported(str(error))
    print(heading)
    print("\n".join(lines))
    return report_rejected(rejected, imported)
