"""``cpts-bot import rpps FILE`` and ``cpts-bot import directory FILE.csv``.

:func:`register_cli` adds the ``import`` command to the main parser's subparsers. The
territory's communes come from ``args.rooms_file`` (else ``CPTS_ROOMS_FILE``, else
``rooms.yaml``); the database is ``cpts-bot.sqlite`` in ``args.data_dir`` (else
``CPTS_DATA_DIR``, else ``data``), where the bot keeps it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cpts_bot.domain.vocabulary_extension import VocabularyFileError, load_cpts_vocabulary
from cpts_bot.domain.vocabulary_loader import Vocabulary
from cpts_bot.importers.directory_csv import DirectoryCsvError, import_directory_csv
from cpts_bot.importers.extract_columns import ExtractFormatError
from cpts_bot.importers.rpps_extract import import_rpps_extract
from cpts_bot.settings import ConfigError, load_rooms_config
from cpts_bot.storage.database import Database
from cpts_bot.storage.schema_migrator import MigrationError

DATABASE_NAME = "cpts-bot.sqlite"
EXIT_OK = 0
EXIT_FAILED = 1
EXIT_ROWS_REJECTED = 2


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
    rpps.set_defaults(handler=run_import_rpps)
    directory = kinds.add_parser(
        "directory", help="import the CPTS directory CSV (see docs/directory-csv.md)"
    )
    directory.add_argument("file", type=Path)
    directory.add_argument(
        "--vocabulary",
        type=Path,
        default=None,
        help="the CPTS's vocabulary file (default: vocabulary_file of the rooms file)",
    )
    directory.set_defaults(handler=run_import_directory)


def _database_path(args: argparse.Namespace) -> Path:
    data_dir = getattr(args, "data_dir", None) or os.environ.get("CPTS_DATA_DIR") or "data"
    return Path(data_dir) / DATABASE_NAME


def _rooms_file(args: argparse.Namespace) -> Path:
    return Path(
        getattr(args, "rooms_file", None) or os.environ.get("CPTS_ROOMS_FILE") or "rooms.yaml"
    )


def _vocabulary(args: argparse.Namespace) -> Vocabulary:
    """The shipped vocabulary, extended with the CPTS's file when there is one."""
    path = getattr(args, "vocabulary", None)
    if path is None and _rooms_file(args).exists():
        try:
            path = load_rooms_config(_rooms_file(args)).vocabulary_file
        except ConfigError:
            path = None
    return load_cpts_vocabulary(path)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_FAILED


def run_import_rpps(args: argparse.Namespace) -> int:
    """Handler of ``import rpps``: returns the exit code."""
    try:
        config = load_rooms_config(_rooms_file(args))
    except ConfigError as error:
        return _fail(f"cannot read the territory's communes:\n{error}")
    communes = [commune.insee for commune in config.territory.communes]
    show_progress = not args.no_progress and sys.stderr.isatty()

    async def run() -> list[str]:
        database = await Database.open(_database_path(args))
        try:
            summary = await import_rpps_extract(
                database, args.file, communes, datetime.now(UTC), show_progress, args.savoir_faire
            )
        finally:
            await database.close()
        return summary.lines()

    try:
        lines = asyncio.run(run())
    except (ExtractFormatError, MigrationError, OSError) as error:
        return _fail(f"{error}\nnothing was imported")
    print(f"national extract {args.file.name} imported for {config.territory.name}:")
    print("\n".join(lines))
    return EXIT_OK


def run_import_directory(args: argparse.Namespace) -> int:
    """Handler of ``import directory``: 0 when every row was imported, 2 when some were not."""

    try:
        vocabulary = _vocabulary(args)
    except VocabularyFileError as error:
        return _fail(f"{error}\nnothing was imported")

    async def run() -> tuple[list[str], int]:
        database = await Database.open(_database_path(args))
        try:
            summary = await import_directory_csv(
                database, args.file, datetime.now(UTC), vocabulary=vocabulary
            )
        finally:
            await database.close()
        return summary.lines(), len(summary.rejected)

    try:
        lines, rejected = asyncio.run(run())
    except (DirectoryCsvError, MigrationError, OSError) as error:
        return _fail(f"{error}\nnothing was imported")
    print(f"directory {args.file.name} imported:")
    print("\n".join(lines))
    if rejected:
        print(
            f"warning: {rejected} row(s) rejected (see above); the others were imported",
            file=sys.stderr,
        )
        return EXIT_ROWS_REJECTED
    return EXIT_OK
