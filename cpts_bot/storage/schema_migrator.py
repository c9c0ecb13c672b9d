"""Apply the migrations ``NNNN_name.sql`` in order, each in one transaction with its version row.

The migration files live in the top-level ``migrations/`` folder of the source tree and
ship inside the package as ``cpts_bot.migrations``; they are read with importlib.resources,
so an installed cpts-bot finds them wherever it runs. Finding none is an error, never an
empty schema.

Landed migration files are never edited: a change is a new file. A database that has a
version this code does not know (a newer release wrote it) is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

import aiosqlite

from cpts_bot.core.errors import ConfigurationError

MIGRATIONS_PACKAGE = "cpts_bot.migrations"
FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(ConfigurationError):
    """The schema cannot be brought up to date; the message says why."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def shipped_migrations() -> Traversable:
    """The folder of migrations installed with cpts-bot (``cpts_bot.migrations``)."""
    try:
        return resources.files(MIGRATIONS_PACKAGE)
    except ModuleNotFoundError:
        raise MigrationError(
            f"this cpts-bot was installed without its migrations ({MIGRATIONS_PACKAGE} is"
            " missing): reinstall it from its wheel or with `pip install .`"
        ) from None


def discover_migrations(folder: Traversable | None = None) -> list[Migration]:
    """Read the migration files, sorted by version; reject misnamed or duplicate ones.

    ``folder`` defaults to the migrations shipped with cpts-bot. A folder without any
    migration raises :class:`MigrationError`: an empty schema is never what was meant.
    """
    folder = shipped_migrations() if folder is None else folder
    entries = list(folder.iterdir()) if folder.is_dir() else []
    migrations: dict[int, Migration] = {}
    for entry in sorted(entries, key=lambda item: item.name):
        if not entry.name.endswith(".sql"):
            continue
        match = FILE_NAME.match(entry.name)
        if not match:
            raise MigrationError(f"{entry.name}: migration files are named NNNN_name.sql")
        version = int(match.group(1))
        if version in migrations:
            raise MigrationError(f"{entry.name}: version {version} appears twice")
        migrations[version] = Migration(version, match.group(2), entry.read_text("utf-8"))
    if not migrations:
        raise MigrationError(
            f"no migration found in {folder}: this cpts-bot is incomplete, the database"
            " was not created (reinstall cpts-bot)"
        )
    return [migrations[version] for version in sorted(migrations)]


async def applied_versions(connection: aiosqlite.Connection) -> set[int]:
    await connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    async with connection.execute("SELECT version FROM schema_version") as cursor:
        return {row[0] for row in await cursor.fetchall()}


async def apply_migrations(
    connection: aiosqlite.Connection, folder: Traversable | None = None
) -> list[int]:
    """Apply every migration of ``folder`` (default: the shipped ones) not yet applied."""
    return await apply_known_migrations(connection, discover_migrations(folder))


async def apply_known_migrations(
    connection: aiosqlite.Connection, known: list[Migration]
) -> list[int]:
    """Apply every migration of ``known`` not yet applied; return the versions applied now."""
    done = await applied_versions(connection)
    unknown = sorted(done - {migration.version for migration in known})
    if unknown:
        raise MigrationError(
            f"the database has schema version {unknown[-1]}, newer than this cpts-bot knows "
            f"(latest {known[-1].version if known else 0}): upgrade cpts-bot, or restore a backup"
        )
    applied: list[int] = []
    for migration in known:
        if migration.version in done:
            continue
        script = (
            "BEGIN IMMEDIATE;\n"
            f"{migration.sql}\n;\n"
            "INSERT INTO schema_version (version, name, applied_at) VALUES "
            f"({migration.version}, '{migration.name}', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));\n"
            "COMMIT;"
        )
        try:
            await connection.executescript(script)
        except Exception as error:
            if connection.in_transaction:
                await connection.execute("ROLLBACK")
            raise MigrationError(
                f"migration {migration.version:04d}_{migration.name} failed: {error}"
            ) from error
        applied.append(migration.version)
    return applied
