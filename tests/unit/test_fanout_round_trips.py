"""A fan-out's work on the database does not grow with the number of people asked: the
professionals asked, their recipients' rows and their outbox rows are read and written
together, and the outbox's lanes read the direct chats once (docs/benchmarks.md, dispatch
fan-out). Each statement is a round trip to the database thread, on the bot's one event
loop, while the homeserver waits for the next send."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cpts_bot.app import build_features
from cpts_bot.core.messages import Reply
from cpts_bot.features.directory.repository import DirectoryRepository
from cpts_bot.features.dispatch import repository as dispatch_repo
from cpts_bot.features.dispatch.models import DispatchRequest
from cpts_bot.inbox.command_router import CommandRouter
from cpts_bot.matrix.matrix_chat_gateway import MatrixChatGateway
from cpts_bot.storage import core_repository as repo
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter
from tests.unit.dispatch_support import COORDINATOR, HYERES, FakeHomeserver, make_config
from tests.unit.medecin_traitant_support import add_professional
from tests.unit.test_outbox_lanes import FakeClient, FakeRoom, running, stopped, until
from tests.unit.test_reply_round_trips import round_trips

NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
REQUEST = "déclenchement IDE domicile Hyères maintenant pansement, patient d'accord"


def nurses(count: int) -> list[str]:
    return [f"@ide{index:03d}:cpts.test" for index in range(count)]


async def fan_out_statements(tmp_path: Path, count: int) -> tuple[list[str], list[str]]:
    """The statements of a dispatch to ``count`` nurses, from the request to the rows
    queued; then those of the first nurse's « je prends », to the others' edits queued."""
    database = await Database.open(tmp_path / f"bot-{count}.sqlite")
    try:
        async with database.transaction() as db:
            for user in nurses(count):
                await add_professional(db, user, HYERES, NOW, profession="60")
        config = make_config()
        chat = build_features(database, config).chat
        router = CommandRouter(database, config, "@bot:cpts.test", chat, lambda: None)
        payload = {"body": REQUEST, "timestamp": NOW.isoformat(), "is_direct": False}
        row = repo.InboxRow("$request", "!coord:cpts.test", COORDINATOR, "message", payload, 0)
        with round_trips() as asked:
            assert await router._handle_row(row)
        sent = await FakeHomeserver(database).flush(NOW)
        offers = [item for item in sent if item.action == "direct_message"]
        assert sorted(offer.target for offer in offers) == nurses(count)
        assert all(offer.correlation.endswith(f":broadcast:{offer.target}") for offer in offers)
        taker = offers[0]
        payload = {
            "body": "je prends",
            "timestamp": NOW.isoformat(),
            "is_direct": True,
            "reply_to": taker.event_id,
        }
        row = repo.InboxRow("$accept", taker.room_id, taker.target, "message", payload, 0)
        with round_trips() as accepted:
            assert await router._handle_row(row)
        edits = await database.fetch_all("SELECT target FROM outbox WHERE action = 'edit'")
        assert len(edits) == count  # the taker's own broadcast too
        return asked, accepted
    finally:
        await database.close()


async def test_a_dispatch_and_its_accept_take_as_many_statements_for_forty_as_for_three(
    tmp_path: Path,
) -> None:
    """Before, each professional asked was read apart (8 queries of 3 round trips), then
    recorded and queued apart: 13 round trips more for each one."""
    few_asked, few_accepted = await fan_out_statements(tmp_path, 3)
    many_asked, many_accepted = await fan_out_statements(tmp_path, 40)
    assert len(many_asked) == len(few_asked), (len(few_asked), len(many_asked))
    assert len(many_accepted) == len(few_accepted), (len(few_accepted), len(many_accepted))


async def test_professionals_are_read_together_in_the_order_asked(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    try:
        async with database.transaction() as db:
            keys = [
                await add_professional(db, user, HYERES, NOW, profession="60") for user in nurses(4)
            ]
            repository = DirectoryRepository(db)
            wanted = [keys[2], "unknown", keys[0], keys[3]]
            found = await repository.get_professionals(wanted)
            assert [professional.key for professional in found] == [keys[2], keys[0], keys[3]]
            for professional in found:
                assert professional == await repository.get_professional(professional.key)
            assert await repository.get_professionals([]) == []
    finally:
        await database.close()


async def test_recipients_already_asked_are_not_asked_again(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    try:
        async with database.transaction() as db:
            request = DispatchRequest(
                requester=COORDINATOR,
                request_room="!coord:cpts.test",
                profession="60",
                communes=(HYERES,),
                needed_at=NOW,
                needed_precision="time",
                what="pansement",
                expires_at=NOW + timedelta(hours=1),
            )
            dispatch = await dispatch_repo.create(db, request, NOW)
            assert await dispatch_repo.add_recipients(db, dispatch.id, ["@a:hs"], 0, NOW)
            added = await dispatch_repo.add_recipients(
                db, dispatch.id, ["@b:hs", "@a:hs", "@c:hs", "@b:hs"], 1, NOW
            )
            assert added == ["@b:hs", "@c:hs"]
            rows = await db.execute_fetchall(
                "SELECT user_id, step_index FROM dispatch_recipients ORDER BY user_id"
            )
            assert [tuple(row) for row in rows] == [("@a:hs", 0), ("@b:hs", 1), ("@c:hs", 1)]
    finally:
        await database.close()


async def test_the_lanes_of_a_fan_out_read_the_direct_chats_once(tmp_path: Path) -> None:
    """Before, each direct message looked its chat up twice (its lane, then its send)."""
    database = await Database.open(tmp_path / "bot.sqlite")
    client = FakeClient()
    users = nurses(30)
    async with database.transaction() as db:
        outbox = OutboxWriter(db, NOW)
        for index, user in enumerate(users):
            room_id = f"!direct-{index}:hs"
            client.rooms[room_id] = FakeRoom()
            client.rooms[room_id].add_member(user)
            await repo.save_direct_room(db, user, room_id, NOW)
        await outbox.send_direct_each(
            [(user, Reply(f"offre pour {user}"), f"dispatch:1:broadcast:{user}") for user in users]
        )
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    with round_trips() as calls:
        stop, task = await running(gateway)
        await until(lambda: _all_sent(database))
        await asyncio.sleep(0.1)
    lookups = [sql for sql in calls if "FROM direct_rooms" in sql]
    assert len(lookups) <= 2, lookups  # the first turn, and the turn after the lanes end
    assert sorted(room for room, _, _ in client.sent) == sorted(
        f"!direct-{index}:hs" for index in range(30)
    )
    await stopped(stop, task, database)


async def _all_sent(database: Database) -> bool:
    row = await database.fetch_one("SELECT count(*) FROM outbox WHERE sent_at IS NULL")
    return row is not None and row[0] == 0
