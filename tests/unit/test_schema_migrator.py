from pathlib import Path

import aiosqlite
import pytest

from cpts_bot.storage import schema_migrator
from cpts_bot.storage.database import Database
from cpts_bot.storage.schema_migrator import MigrationError, apply_migrations, discover_migrations


async def test_all_migrations_apply_and_are_recorded(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    rows = await database.fetch_all("SELECT version FROM schema_version ORDER BY version")
    assert rows[0][0] == 1
    await database.close()
    # Reopening applies nothing new.
    connection = await aiosqlite.connect(tmp_path / "bot.sqlite", isolation_level=None)
    assert await apply_migrations(connection) == []
    await connection.close()


async def test_a_failing_migration_leaves_nothing_half_written(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_first.sql").write_text("CREATE TABLE a (x INTEGER);")
    (folder / "0002_broken.sql").write_text(
        "CREATE TABLE b (x INTEGER);\nINSERT INTO nope VALUES (1);"
    )
    connection = await aiosqlite.connect(tmp_path / "db.sqlite", isolation_level=None)
    with pytest.raises(MigrationError, match="0002_broken"):
        await apply_migrations(connection, folder)
    async with connection.execute("SELECT name FROM sqlite_master WHERE name = 'b'") as cursor:
        assert await cursor.fetchone() is None
    async with connection.execute("SELECT version FROM schema_version") as cursor:
        assert [row[0] for row in await cursor.fetchall()] == [1]
    await connection.close()


async def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_first.sql").write_text("CREATE TABLE a (x INTEGER);")
    connection = await aiosqlite.connect(tmp_path / "db.sqlite", isolation_level=None)
    await apply_migrations(connection, folder)
    await connection.execute(
        "INSERT INTO schema_version VALUES (7, 'future', '2030-01-01T00:00:00Z')"
    )
    with pytest.raises(MigrationError, match="newer than this cpts-bot knows"):
        await apply_migrations(connection, folder)
    await connection.close()


async def test_misnamed_migration_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "1_first.sql").write_text("SELECT 1;")
    connection = await aiosqlite.connect(":memory:", isolation_level=None)
    with pytest.raises(MigrationError, match=r"NNNN_name\.sql"):
        await apply_migrations(connection, folder)
    await connection.close()


def test_the_shipped_migrations_are_the_top_level_migrations_folder() -> None:
    top_level = Path(__file__).resolve().parents[2] / "migrations"
    shipped = discover_migrations()
    assert [f"{m.version:04d}_{m.name}.sql" for m in shipped] == sorted(
        path.name for path in top_level.glob("*.sql")
    )
    assert shipped[0].version == 1


@pytest.mark.parametrize("create", [True, False], ids=["empty folder", "no folder"])
async def test_no_migration_is_an_error_and_creates_no_database(
    tmp_path: Path, create: bool
) -> None:
    folder = tmp_path / "migrations"
    if create:
        folder.mkdir()
        (folder / "README.txt").write_text("not a migration")
    with pytest.raises(MigrationError, match="no migration found"):
        await Database.open(tmp_path / "data" / "bot.sqlite", folder)
    assert not (tmp_path / "data" / "bot.sqlite").exists()


def test_an_install_without_the_migrations_package_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(schema_migrator, "MIGRATIONS_PACKAGE", "cpts_bot.no_such_migrations")
    with pytest.raises(MigrationError, match="installed without its migrations"):
        discover_migrations()
