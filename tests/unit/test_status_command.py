"""``cpts-bot status``: healthy and unhealthy states, read while the bot writes."""

from __future__ import annotations

import argparse
import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cpts_bot.cli import build_parser
from cpts_bot.core.messages import Reply
from cpts_bot.core.times import to_iso
from cpts_bot.storage import bot_status
from cpts_bot.storage import core_repository as repo
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


async def running_bot(data_dir: Path, last_sync: datetime) -> Database:
    """A data directory as the running bot leaves it: credentials, status, one sync."""
    database = await Database.open(data_dir / "cpts-bot.sqlite")
    (data_dir / "credentials.json").write_text(json.dumps({"device_id": "DEV"}))
    async with database.transaction() as db:
        await bot_status.record(
            db,
            {
                bot_status.DEVICE_ID: "BOTDEVICE",
                bot_status.USER_ID: "@cpts-bot:hs",
                bot_status.CROSS_SIGNING: "device signed, master key abc",
            },
            last_sync,
        )
    rooms = json.dumps(["!a:hs", "!b:hs", "!c:hs"])
    status = {bot_status.LAST_SYNC_AT: to_iso(last_sync), bot_status.ROOMS_JOINED: rooms}
    await repo.store_batch(database, [], "token", last_sync, status)
    return database


async def status(data_dir: Path, *extra: str) -> int:
    args = build_parser().parse_args(["status", "--data-dir", str(data_dir), *extra])
    return await asyncio.to_thread(args.handler, args, NOW)


async def test_healthy_while_the_bot_holds_a_write_transaction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = await running_bot(tmp_path, NOW - timedelta(seconds=20))
    try:
        async with database.transaction():  # the bot is writing: status must not wait
            assert await status(tmp_path) == 0
    finally:
        await database.close()
    out = capsys.readouterr().out
    assert "health:        healthy" in out
    assert "BOTDEVICE (@cpts-bot:hs)" in out
    assert "device signed, master key abc" in out
    assert "rooms joined:  3" in out
    assert "inbox:         0 waiting" in out and "outbox:        0 unsent" in out
    assert "(20 s ago)" in out


async def test_a_stale_sync_is_unhealthy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = await running_bot(tmp_path, NOW - timedelta(minutes=12))
    await database.close()
    assert await status(tmp_path) == 1
    assert "problem:       last sync 12 min ago (more than 5 min)" in capsys.readouterr().out
    assert await status(tmp_path, "--max-sync-minutes", "15") == 0


async def test_a_stuck_outbox_is_unhealthy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = await running_bot(tmp_path, NOW - timedelta(seconds=5))
    try:
        async with database.transaction() as db:
            await OutboxWriter(db, NOW - timedelta(minutes=30)).send("!a:hs", Reply("x"))
        assert await status(tmp_path) == 1
    finally:
        await database.close()
    out = capsys.readouterr().out
    assert "outbox:        1 unsent" in out
    assert "outbox stuck: oldest row waiting for 30 min" in out


async def test_not_set_up(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert await status(tmp_path) == 2
    assert "no credentials.json" in capsys.readouterr().out
    (tmp_path / "credentials.json").write_text("{}")
    assert await status(tmp_path) == 2
    assert "no database" in capsys.readouterr().out
    (tmp_path / "cpts-bot.sqlite").write_bytes(b"this is not a database" * 100)
    assert await status(tmp_path) == 2
    assert "database unreadable" in capsys.readouterr().out


async def test_never_synced_is_unhealthy(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "cpts-bot.sqlite")
    await database.close()
    (tmp_path / "credentials.json").write_text("{}")
    assert await status(tmp_path) == 1


def test_status_is_a_command() -> None:
    args = build_parser().parse_args(["status"])
    assert isinstance(args, argparse.Namespace) and args.max_sync_minutes == 5


async def test_the_data_directory_comes_from_the_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = await running_bot(tmp_path / "bot-data", NOW - timedelta(seconds=3))
    await database.close()
    (tmp_path / "settings.env").write_text(f"CPTS_DATA_DIR={tmp_path / 'bot-data'}\n")
    monkeypatch.delenv("CPTS_DATA_DIR", raising=False)
    args = build_parser().parse_args(["--env-file", str(tmp_path / "settings.env"), "status"])
    assert await asyncio.to_thread(args.handler, args, NOW) == 0
