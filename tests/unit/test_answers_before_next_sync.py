"""The answers to what a sync brought go out before the next long poll: the sync loop
waits for the router to have handled what it stored and for the outbox to have sent the
answers (bulk sends do not hold it), never longer than a bound."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from nio import SyncResponse

from cpts_bot import app
from cpts_bot.core.messages import Reply
from cpts_bot.matrix.matrix_chat_gateway import MatrixChatGateway
from cpts_bot.matrix.sync_loop import SyncLoop
from cpts_bot.storage import outbox_delivery as delivery
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter
from tests.unit.command_support import make_config, router_for
from tests.unit.test_outbox_lanes import ROOMS, FakeClient, _all_sent, queue, until


class SyncingClient:
    """Answers each long poll at once with an empty sync; records when each was asked."""

    user_id = "@bot:hs"
    should_upload_keys = should_query_keys = should_claim_keys = False

    def __init__(self) -> None:
        self.rooms: dict[str, Any] = {}
        self.next_batch = ""
        self.polls: list[str] = []

    async def sync(self, **kwargs: Any) -> SyncResponse:
        self.polls.append(str(kwargs.get("since")))
        await asyncio.sleep(0)
        batch = f"t{len(self.polls)}"
        return SyncResponse.from_dict({"next_batch": batch, "rooms": {}})

    async def send_to_device_messages(self) -> None:
        return None


async def test_the_next_long_poll_waits_for_the_answers(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    client = SyncingClient()
    answers_sent = asyncio.Event()
    settled: list[int] = []

    async def settle() -> None:
        await answers_sent.wait()
        settled.append(len(client.polls))

    loop = SyncLoop(client, database, lambda _: True, lambda: None, settle=settle)  # type: ignore[arg-type]
    stop = asyncio.Event()
    task = asyncio.create_task(loop.run(stop))
    for _ in range(20):
        await asyncio.sleep(0.01)
    # The first sync is not held (the outbox starts after it); the next one's answers are.
    assert client.polls == ["None", "t1"]
    answers_sent.set()
    for _ in range(20):
        await asyncio.sleep(0.01)
    stop.set()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert len(client.polls) > 3 and client.polls[2] == "t2"
    assert settled[:2] == [2, 3]  # every long poll after the answers of the one before
    await database.close()


@pytest.mark.parametrize("room", [ROOMS[39], ROOMS[0]], ids=["own room", "busy room"])
async def test_answers_out_once_the_answer_is_sent_not_the_bulk(tmp_path: Path, room: str) -> None:
    """Bulk sends to 39 rooms, 16 at a time: the answer, in a room of its own or behind
    its room's bulk sends, is out before ``answers_out`` is set, the bulk not all sent."""
    database = await Database.open(tmp_path / "bot.sqlite")
    client = FakeClient()
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    stop = asyncio.Event()
    task = asyncio.create_task(gateway.run(stop))
    await queue(database, ROOMS[:39], copies=5)
    for _ in range(5):
        await asyncio.sleep(0.01)  # the bulk lanes are running
    async with database.transaction() as db:
        outbox = OutboxWriter(db, datetime.now(UTC), reply_to_event="$q", reply_room=room)
        await outbox.reply(Reply("the answer"))
    gateway.wake()
    assert not gateway.answers_out.is_set()
    await asyncio.wait_for(gateway.answers_out.wait(), 5)
    assert "the answer" in [body for _, body, _ in client.sent]
    assert len(client.sent) < 5 * 39  # the bulk sends did not hold it up
    stop.set()
    await task
    await database.close()


async def test_the_router_is_idle_once_what_was_stored_is_handled(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    router = router_for(database, make_config())
    stop = asyncio.Event()
    task = asyncio.create_task(router.run(stop))
    await asyncio.wait_for(router.idle.wait(), 5)
    router.wake()
    assert not router.idle.is_set()
    await asyncio.wait_for(router.idle.wait(), 5)
    stop.set()
    await task
    await database.close()


async def test_the_wait_for_the_answers_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app, "ANSWERS_SENT_AT_MOST_S", 0.05)
    router, gateway = _Flags(), _Flags()
    router.idle.set()  # handled, but the answer never goes out (e.g. a slow homeserver)
    started = asyncio.get_running_loop().time()
    await app.answers_sent(router, gateway)  # type: ignore[arg-type]
    assert asyncio.get_running_loop().time() - started < 1


class _Flags:
    def __init__(self) -> None:
        self.idle = asyncio.Event()
        self.answers_out = asyncio.Event()


async def test_a_fan_out_reads_each_row_once_not_at_every_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each lane's end brings a turn of the outbox loop; rows being sent are not read
    again (a fan-out to N read its rows about N times over)."""
    database = await Database.open(tmp_path / "bot.sqlite")
    client = FakeClient()
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    read: list[int] = []
    due_rows = delivery.due_rows

    async def counted(*args: Any, **kwargs: Any) -> Any:
        rows = await due_rows(*args, **kwargs)
        read.extend(row.id for row in rows)
        return rows

    monkeypatch.setattr(delivery, "due_rows", counted)
    await queue(database, ROOMS, copies=1)
    stop = asyncio.Event()
    task = asyncio.create_task(gateway.run(stop))
    await until(lambda: _all_sent(database))
    stop.set()
    await task
    assert len(client.sent) == len(ROOMS)
    assert len(read) <= 2 * len(ROOMS), len(read)  # once, or twice in the turn's two looks
    await database.close()


class StaggeredClient(FakeClient):
    """Each room's send takes a little longer than the one before: lanes end one by one."""

    async def room_send(self, room_id: str, *args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0.003 * ROOMS.index(room_id) % 0.05)
        return await super().room_send(room_id, *args, **kwargs)


async def test_lanes_ending_together_share_one_turn(tmp_path: Path) -> None:
    """A fan-out's lanes end within a few milliseconds of each other: the outbox looks
    again once for many of them, not once each (each look is several queries)."""
    database = await Database.open(tmp_path / "bot.sqlite")
    client = StaggeredClient()
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    turns = 0
    turn = gateway._turn

    async def counted(*args: Any) -> None:
        nonlocal turns
        turns += 1
        await turn(*args)

    gateway._turn = counted  # type: ignore[method-assign]
    await queue(database, ROOMS, copies=1)
    stop = asyncio.Event()
    task = asyncio.create_task(gateway.run(stop))
    await until(lambda: _all_sent(database))
    stop.set()
    await task
    assert len(client.sent) == len(ROOMS)
    assert turns <= len(ROOMS) // 4, turns
    await database.close()
