"""A direct chat opened ahead of need gets its room key shared at once, so that the first
dispatch sent there later goes out as in a chat already used; a failure to share is not
a failure to open (the first send shares the key as usual)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nio import ShareGroupSessionError, ShareGroupSessionResponse

from cpts_bot.matrix.matrix_chat_gateway import MatrixChatGateway
from cpts_bot.storage.database import Database
from tests.unit.test_outbox_lanes import FakeClient


class FakeOlm:
    def __init__(self) -> None:
        self.shared: set[str] = set()

    def update_tracked_users(self, room: Any) -> None:
        return None

    def should_share_group_session(self, room_id: str) -> bool:
        return room_id not in self.shared


class KeySharingClient(FakeClient):
    should_query_keys = False

    def __init__(self, refuse: bool = False) -> None:
        super().__init__()
        self.olm = FakeOlm()  # type: ignore[assignment]
        self.refuse = refuse
        self.shares: list[str] = []

    async def keys_query(self) -> None:
        return None

    async def share_group_session(self, room_id: str, **kwargs: Any) -> Any:
        self.shares.append(room_id)
        if self.refuse:
            return ShareGroupSessionError("server unreachable", "M_UNKNOWN")
        self.olm.shared.add(room_id)
        return ShareGroupSessionResponse(room_id, {("@a:hs", "DEVICE")})


async def test_the_room_key_is_shared_when_the_chat_is_opened_ahead(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    client = KeySharingClient()
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    room_id = await gateway.open_direct_room_ahead("@a:hs")
    assert client.shares == [room_id]
    assert await gateway.open_direct_room_ahead("@a:hs") == room_id
    assert client.shares == [room_id] and client.created == 1  # shared once, one room
    await gateway.direct_room("@b:hs")  # opened at need: the first send shares it
    assert client.shares == [room_id]
    await database.close()


async def test_a_key_not_shared_ahead_leaves_the_chat_open(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    client = KeySharingClient(refuse=True)
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    room_id = await gateway.open_direct_room_ahead("@a:hs")
    assert client.shares == [room_id]
    assert await gateway.direct_room("@a:hs") == room_id
    await database.close()
