"""The SQLite database through aiosqlite: one connection, explicit transactions.

SQLite has a single writer; the bot serialises its write transactions with one lock so
that a handler's reads and writes (and the replies it queues in the outbox) commit
together or not at all.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from cpts_bot.storage.file_modes import create_private_file, restrict_database_files
from cpts_bot.storage.schema_migrator import apply_known_migrations, discover_migrations

T = TypeVar("T")


class Database:
    """An open database. Use :meth:`open`; write inside :meth:`transaction`."""

    def __init__(self, connection: aiosqlite.Connection, path: Path | None = None) -> None:
        self._connection = connection
        self.path = path  # None for an in-memory database
        self._write_lock = asyncio.Lock()
        self.rollbacks = 0  # so far: what was read from an unfinished transaction may be gone

    @classmethod
    async def open(cls, path: Path | str, migrations_dir: Traversable | None = None) -> Database:
        """Open (creating if needed) and migrate the database at ``path``.

        The migrations (default: those shipped with cpts-bot) are read first: without
        them no database file is created (:class:`MigrationError`).
        """
        migrations = discover_migrations(migrations_dir)
        on_disk = str(path) != ":memory:"
        if on_disk:
            Path(path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Created 0600 before SQLite opens it: its -wal and -shm inherit the mode.
            create_private_file(Path(path))
        connection = await aiosqlite.connect(str(path), isolation_level=None)
        connection.row_factory = aiosqlite.Row
        try:
            # Erased text is overwritten with zeros, not left in free pages.
            await connection.execute("PRAGMA secure_delete = ON")
            await connection.execute("PRAGMA foreign_keys = ON")
            await connection.execute("PRAGMA journal_mode = WAL")
            await connection.execute("PRAGMA synchronous = NORMAL")
            await connection.execute("PRAGMA busy_timeout = 5000")
            await apply_known_migrations(connection, migrations)
        except BaseException:
            await connection.close()
            raise
        if on_disk:
            restrict_database_files(Path(path))
        return cls(connection, Path(path) if on_disk else None)

    @property
    def connection(self) -> aiosqlite.Connection:
        """The connection, for reads outside a write transaction."""
        return self._connection

    async def close(self) -> None:
        await self._connection.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction: committed on success, rolled back on any exception."""
        async with self._write_lock:
            await self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self.rollbacks += 1
                await self._connection.execute("ROLLBACK")
                raise
            else:
                await self._connection.execute("COMMIT")

    async def checkpoint(self) -> bool:
        """Copy the write-ahead log into the database file and truncate it to zero bytes,
        so that erased text does not linger in old log frames. False when a reader kept
        the log busy (the next checkpoint will do it)."""
        async with self._write_lock:
            async with self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
                row = await cursor.fetchone()
        return row is None or row[0] == 0

    # Reads make one round trip to the database thread: a cursor's fetch and close would
    # be two more, each about 40 µs on a reply's path (docs/benchmarks.md).
    async def fetch_all(self, sql: str, parameters: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        return list(await self._connection.execute_fetchall(sql, tuple(parameters)))

    async def fetch_one(self, sql: str, parameters: Iterable[Any] = ()) -> aiosqlite.Row | None:
        """The first row ``sql`` selects (meant for queries of one row at most)."""
        return next(iter(await self._connection.execute_fetchall(sql, tuple(parameters))), None)

    async def execute(self, sql: str, parameters: Iterable[Any] = ()) -> None:
        """Run one statement in its own transaction."""
        async with self.transaction() as connection:
            await connection.execute(sql, tuple(parameters))


async def with_database(path: Path, work: Callable[[Database], Awaitable[T]]) -> T:
    """Open (and migrate) the database at ``path``, run ``work`` on it, close it: a
    command's one use of the database."""
    database = await Database.open(path)
    try:
        return await work(database)
    finally:
        await database.close()


@contextmanager
def read_only(path: Path) -> Iterator[sqlite3.Connection]:
    """The database at ``path`` opened read-only with the standard library (``mode=ro``,
    ``query_only``), for the command line beside a running bot: in WAL mode a reader never
    blocks the bot's writer, and nothing is migrated or written. Raises
    :class:`sqlite3.Error` when it cannot be opened or read."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    try:
        connection.execute("PRAGMA query_only = ON")
        yield connection
    finally:
        connection.close()


async def upsert(db: aiosqlite.Connection, table: str, key: str, values: dict[str, Any]) -> None:
    """Write one row of ``table`` (its ``key`` column among ``values``): added, or the
    row with that key updated (one person's settings, one per person)."""
    columns = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    updates = ", ".join(f"{column} = excluded.{column}" for column in values if column != key)
    await db.execute(
        f"INSERT INTO {table} ({columns}) VALUES ({marks})"
        f" ON CONFLICT ({key}) DO UPDATE SET {updates}",
        tuple(values.values()),
    )


async def select_one(
    db: aiosqlite.Connection,
    sql: str,
    parameters: Iterable[Any],
    model: Callable[[aiosqlite.Row], T],
) -> T | None:
    """The first row ``sql`` selects, as ``model`` makes it; None when there is none
    (meant for queries of one row at most: one round trip, see :meth:`Database.fetch_one`)."""
    row = next(iter(await db.execute_fetchall(sql, tuple(parameters))), None)
    return model(row) if row is not None else None


async def select_all(
    db: aiosqlite.Connection,
    sql: str,
    parameters: Iterable[Any],
    model: Callable[[aiosqlite.Row], T],
) -> list[T]:
    """Every row ``sql`` selects, in its order, as ``model`` makes it."""
    return [model(row) for row in await db.execute_fetchall(sql, tuple(parameters))]


async def changed_one(db: aiosqlite.Connection, sql: str, parameters: Iterable[Any]) -> bool:
    """Run ``sql`` (a conditional UPDATE, an INSERT OR IGNORE): True when it changed a row,
    False when its condition held for none (someone else was first)."""
    cursor = await db.execute(sql, tuple(parameters))
    return cursor.rowcount == 1
