"""The outbox sender: rows of one room in order, rooms side by side, each row sent once
with its own transaction id; a failure holds back its room only."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from nio import RoomSendError, RoomSendResponse

from cpts_bot.domain.messages import Reply
from cpts_bot.matrix.matrix_chat_gateway import SENDS_AT_ONCE, MatrixChatGateway, SendFailed
from cpts_bot.storage import core_repository as repo
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter

ROOMS = [f"!room{index}:hs" for index in range(40)]


class FakeClient:
    """Accepts sends after a short delay, the way a homeserver answers; counts how many
    are in flight at once. A room listed in ``failing`` refuses its first send."""

    should_query_keys = False
    olm = None

    def __init__(self, failing: set[str] | None = None) -> None:
        self.rooms = {room: SimpleNamespace(encrypted=True) for room in ROOMS}
        self.sent: list[tuple[str, str, str]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.failing = set(failing or ())

    async def room_send(self, room_id: str, event_type: str, content: dict[str, Any], **kw: Any):
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.01)
            if room_id in self.failing:
                self.failing.discard(room_id)
                return RoomSendError("try later", "M_LIMIT_EXCEEDED")
            self.sent.append((room_id, content["body"], kw["tx_id"]))
            return RoomSendResponse(f"$e{len(self.sent)}", room_id)
        finally:
            self.in_flight -= 1


async def queue(database: Database) -> None:
    async with database.transaction() as db:
        outbox = OutboxWriter(db, datetime.now(UTC))
        for number in range(3):
            for room in ROOMS:
                await outbox.send(room, Reply(f"{room} #{number}"))


async def test_rooms_side_by_side_each_room_in_order(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    client = FakeClient()
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    await queue(database)
    await gateway._send_in_lanes(await repo.unsent_outbox(database, 500), asyncio.Event())
    assert len(client.sent) == 3 * len(ROOMS)
    for room in ROOMS:
        assert [body for target, body, _ in client.sent if target == room] == [
            f"{room} #0",
            f"{room} #1",
            f"{room} #2",
        ]
    assert 1 < client.most_in_flight <= SENDS_AT_ONCE
    assert len({txn for _, _, txn in client.sent}) == len(client.sent)
    assert await repo.unsent_outbox(database) == []
    await database.close()


async def test_a_failure_holds_back_its_room_only(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    client = FakeClient(failing={ROOMS[0]})
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    await queue(database)
    stop = asyncio.Event()
    try:
        await gateway._send_in_lanes(await repo.unsent_outbox(database, 500), stop)
        raise AssertionError("the failure was not raised")
    except SendFailed as error:
        assert error.transient
    waiting = await repo.unsent_outbox(database, 500)
    assert [row.target for row in waiting] == [ROOMS[0]] * 3  # the others all went out
    await gateway._send_in_lanes(waiting, stop)
    first_room = [body for target, body, _ in client.sent if target == ROOMS[0]]
    assert first_room == [f"{ROOMS[0]} #0", f"{ROOMS[0]} #1", f"{ROOMS[0]} #2"]
    assert await repo.unsent_outbox(database) == []
    await database.close()
