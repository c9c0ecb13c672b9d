"""Stuck deliveries are visible and removable: ``cpts-bot outbox list`` shows them,
``cpts-bot outbox drop ID`` removes one, ``cpts-bot status`` is unhealthy as soon as a
row is set aside; offers of a request that ended are dropped unsent; the coordination
is told once per destination."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cpts_bot.cli import build_parser
from cpts_bot.core.messages import Reply
from cpts_bot.core.times import to_iso
from cpts_bot.features.dispatch.broadcast_service import KIND_BROADCAST, KIND_DETAILS, correlation
from cpts_bot.services.delivery_reports import report_stuck
from cpts_bot.storage import outbox_delivery as delivery
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter
from tests.unit.command_support import COORDINATION_ROOM, make_config
from tests.unit.test_status_command import NOW, running_bot

NURSE = "@x:unreachable.invalid"


async def stuck_row(database: Database) -> int:
    async with database.transaction() as db:
        await OutboxWriter(db, NOW - timedelta(minutes=2)).send_direct(NURSE, Reply("offer"))
    row = (await delivery.open_rows(database))[0]
    await delivery.record_retry(database, row.id, "unreachable", NOW, NOW + timedelta(minutes=1))
    async with database.transaction() as db:
        await delivery.set_aside(db, row.id, NOW)
    return row.id


def run(*words: str) -> int:
    args = build_parser().parse_args(list(words))
    return int(args.handler(*([args, NOW] if words[0] == "status" else [args])))


async def test_listed_unhealthy_and_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = await running_bot(tmp_path, NOW - timedelta(seconds=5))
    row_id = await stuck_row(database)
    await database.close()
    assert await asyncio.to_thread(run, "status", "--data-dir", str(tmp_path)) == 1
    out = capsys.readouterr().out
    assert f"delivery stuck: outbox row {row_id} to {NURSE}" in out
    assert await asyncio.to_thread(run, "outbox", "--data-dir", str(tmp_path), "list") == 0
    out = capsys.readouterr().out
    assert "1 unsent" in out and f"{row_id:>6} direct_message {NURSE}" in out
    assert "STUCK since" in out and "unreachable" in out
    assert await asyncio.to_thread(run, "outbox", "--data-dir", str(tmp_path), "drop", "999") == 1
    assert "no unsent outbox row 999" in capsys.readouterr().err
    drop = ("outbox", "--data-dir", str(tmp_path), "drop", str(row_id))
    assert await asyncio.to_thread(run, *drop) == 0
    assert await asyncio.to_thread(run, "status", "--data-dir", str(tmp_path)) == 0
    database = await Database.open(tmp_path / "cpts-bot.sqlite")
    assert await delivery.open_rows(database) == []
    row = await database.fetch_one(
        "SELECT payload, closed_reason FROM outbox WHERE id = ?", (row_id,)
    )
    assert tuple(row) == ("{}", "dropped")  # never sent, its text erased
    await database.close()


async def test_offers_of_an_ended_dispatch_are_dropped_not_its_details(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    async with database.transaction() as db:
        for dispatch_id, state in ((1, "open"), (2, "cancelled"), (3, "taken")):
            await db.execute(
                "INSERT INTO dispatches (id, state, requester, request_room, profession,"
                " communes, needed_at, needed_precision, what, expires_at, created_at,"
                " updated_at) VALUES (?, ?, '@gp:hs', '!r:hs', '60', '', ?, 'day', 'x', ?, ?, ?)",
                (dispatch_id, state, *[to_iso(NOW)] * 4),
            )
        outbox = OutboxWriter(db, NOW)
        for dispatch_id in (1, 2, 3):
            mark = correlation(dispatch_id, KIND_BROADCAST, NURSE)
            await outbox.send_direct(NURSE, Reply(f"offer {dispatch_id}"), correlation=mark)
        details = correlation(3, KIND_DETAILS, "@winner:hs")
        await outbox.send_direct("@winner:hs", Reply("details"), correlation=details)
    async with database.transaction() as db:
        assert await delivery.drop_offers_of_ended_requests(db, NOW) == 2
    left = [row.correlation for row in await delivery.open_rows(database)]
    assert left == [correlation(1, KIND_BROADCAST, NURSE), details]
    await database.close()


async def test_the_coordination_is_told_once_per_destination(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    config = make_config()
    for row_id in (7, 8):
        async with database.transaction() as db:
            await report_stuck(config, db, NURSE, row_id, timedelta(minutes=15), NOW)
    told = [row for row in await delivery.open_rows(database) if row.target == COORDINATION_ROOM]
    assert len(told) == 1
    text = await database.fetch_one("SELECT payload FROM outbox WHERE id = ?", (told[0].id,))
    assert "Je n'arrive pas à joindre @x:unreachable.invalid depuis 15 min" in text[0]
    assert "cpts-bot outbox drop 7" in text[0]
    await database.close()


def test_answers_are_queued_before_bulk(tmp_path: Path) -> None:
    async def scenario() -> list[str]:
        database = await Database.open(tmp_path / "bot.sqlite")
        async with database.transaction() as db:
            await OutboxWriter(db, NOW).send("!duty:hs", Reply("offer"))
            await OutboxWriter(db, NOW, reply_to_event="$q", reply_room="!dm:hs").reply(
                Reply("answer")
            )
        rows = await delivery.due_rows(database, datetime.now(UTC), 10)
        await database.close()
        return [row.target for row in rows]

    assert asyncio.run(scenario()) == ["!dm:hs", "!duty:hs"]
