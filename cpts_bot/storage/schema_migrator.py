"""Apply ``migrations/NNNN_name.sql`` in order, each in one transaction with its version row.

Landed migration files are never edited: a change is a new file. A database that has a
version this code does not know (a newer release wrote it) is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationError(Exception):
    """The schema cannot be brought up to date; the message says why."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def discover_migrations(folder: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Read the migration files, sorted by version; reject misnamed or duplicate ones."""
    migrations: dict[int, Migration] = {}
    for path in sorted(folder.glob("*.sql")):
        match = FILE_NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_name.sql")
        version = int(match.group(1))
        if version in migrations:
            raise MigrationError(f"{path.name}: version {version} appears twice")
        migrations[version] = Migration(version, match.group(2), path.read_text("utf-8"))
    return [migrations[version] for version in sorted(migrations)]


async def applied_versions(connection: aiosqlite.Connection) -> set[int]:
    await connection.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    async with connection.execute("SELECT version FROM schema_version") as cursor:
        return {row[0] for row in await cursor.fetchall()}


async def apply_migrations(
    connection: aiosqlite.Connection, folder: Path = MIGRATIONS_DIR
) -> list[int]:
    """Apply every migration not yet applied; return the versions applied now."""
    known = discover_migrations(folder)
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
