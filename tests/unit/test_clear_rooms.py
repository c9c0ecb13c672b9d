"""Nothing but a refusal goes to a room that is not encrypted, checked on the bot's own
room state just before each send; a direct chat that is not encrypted is never used."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nio import MatrixRoom, RoomCreateResponse, RoomSendResponse

from cpts_bot.core.messages import Reply
from cpts_bot.matrix.matrix_chat_gateway import MatrixChatGateway, SendFailed
from cpts_bot.storage import core_repository as repo
from cpts_bot.storage import outbox_delivery as delivery
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter

BOT, NURSE = "@bot:hs", "@nurse:hs"
CLEAR, SECRET = "!clear:hs", "!secret:hs"


class FakeClient:
    should_query_keys = False
    olm = None
    user_id = BOT

    def __init__(self) -> None:
        self.rooms = {
            CLEAR: MatrixRoom(CLEAR, BOT, encrypted=False),
            SECRET: MatrixRoom(SECRET, BOT, encrypted=True),
        }
        self.encrypted_rooms = {SECRET}
        self.sent: list[tuple[str, str]] = []
        self.created = 0

    async def room_send(self, room_id: str, event_type: str, content: dict[str, Any], **kw: Any):
        self.sent.append((room_id, content.get("body", "")))
        return RoomSendResponse(f"$e{len(self.sent)}", room_id)

    def add_response_callback(self, *args: Any) -> None:
        return None

    async def room_create(self, **kw: Any) -> RoomCreateResponse:
        self.created += 1
        return RoomCreateResponse(f"!new{self.created}:hs")


async def send_all(gateway: MatrixChatGateway, database: Database) -> SendFailed | None:
    """One pass over every unsent row (whatever its retry time), each lane to its end:
    a failure is recorded on its row and holds back that lane only."""
    running: dict[str, asyncio.Task[None]] = {}
    await gateway._start_lanes(await repo.unsent_outbox(database, 500), running, asyncio.Event())
    await asyncio.gather(*list(running.values()))
    return None


async def test_only_a_refusal_goes_out_in_clear_and_never_the_rest(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    client = FakeClient()
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    async with database.transaction() as db:
        outbox = OutboxWriter(db, datetime.now(UTC), reply_to_event="$q", reply_room=CLEAR)
        await outbox.reply(Reply("refusal"), clear=True)
        await outbox.send(CLEAR, Reply("Mme Aubépine, 3 rue des Lilas"))
        await outbox.send(SECRET, Reply("Mme Aubépine, in the encrypted room"))
    for _ in range(3):  # refused each time, then given up: never sent in clear
        error = await send_all(gateway, database)
        assert error is None or not error.transient
    assert (CLEAR, "refusal") in client.sent
    assert (SECRET, "Mme Aubépine, in the encrypted room") in client.sent
    assert not any("Lilas" in body for _, body in client.sent)
    assert await repo.unsent_outbox(database) == []
    await database.close()


async def test_an_unencrypted_direct_chat_is_replaced_by_an_encrypted_one(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    client = FakeClient()
    client.rooms[CLEAR].add_member(NURSE, None, None)
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    await repo.save_direct_room(database, NURSE, CLEAR, datetime.now(UTC))
    async with database.transaction() as db:
        await OutboxWriter(db, datetime.now(UTC)).send_direct(NURSE, Reply("offer"))
    assert await send_all(gateway, database) is None
    assert client.created == 1
    assert client.sent == [("!new1:hs", "offer")]
    assert await delivery.direct_room(database, NURSE) == ("!new1:hs", True)
    await database.close()
