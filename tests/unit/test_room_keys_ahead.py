"""A direct chat whose person has joined gets its room key shared ahead of need (once),
so that the first dispatch sent there later goes out as in a chat already used; a key
not shared is no failure (the first send shares it as usual)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from nio import LocalProtocolError, ShareGroupSessionError, ShareGroupSessionResponse

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
        self.member_lists: list[str] = []

    async def joined_members(self, room_id: str) -> None:
        self.member_lists.append(room_id)
        self.rooms[room_id].members_synced = True

    async def keys_query(self) -> None:
        return None

    async def share_group_session(self, room_id: str, **kwargs: Any) -> Any:
        self.shares.append(room_id)
        if self.refuse:
            return ShareGroupSessionError("server unreachable", "M_UNKNOWN")
        self.olm.shared.add(room_id)
        return ShareGroupSessionResponse(room_id, {("@a:hs", "DEVICE")})


async def joined(gateway: MatrixChatGateway, client: KeySharingClient, user_id: str) -> str:
    """A direct chat opened for ``user_id``, who has joined it."""
    room_id = await gateway.direct_room(user_id)
    client.rooms[room_id].invited_users.pop(user_id, None)
    return room_id


async def test_a_joined_chat_gets_its_room_key_once(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    client = KeySharingClient()
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    room_a = await joined(gateway, client, "@a:hs")
    await gateway.direct_room("@b:hs")  # invited, not joined: nio would drop its key
    assert await gateway.share_keys_ahead() == 1
    assert client.shares == [room_a] and client.member_lists == [room_a]
    assert await gateway.share_keys_ahead() == 0  # shared already
    room_b = await joined(gateway, client, "@b:hs")
    assert await gateway.share_keys_ahead() == 1
    assert client.shares == [room_a, room_b]
    await database.close()


async def test_a_key_not_shared_ahead_is_no_failure(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    client = KeySharingClient(refuse=True)
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    room_id = await joined(gateway, client, "@a:hs")
    assert await gateway.share_keys_ahead() == 0
    assert client.shares == [room_id]
    assert await gateway.direct_room("@a:hs") == room_id
    await database.close()


async def test_a_room_whose_key_a_send_is_sharing_is_left_to_it(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    client = KeySharingClient()
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    room_id = await joined(gateway, client, "@a:hs")
    client.sharing_session = {room_id: object()}  # type: ignore[attr-defined]
    assert await gateway.share_keys_ahead() == 0
    assert client.shares == []  # no second share at once ("Already sharing", a claim)
    client.sharing_session = {}  # type: ignore[attr-defined]
    assert await gateway.share_keys_ahead() == 1
    await database.close()


async def test_a_share_begun_by_a_send_meanwhile_is_no_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    client = KeySharingClient()
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    room_id = await joined(gateway, client, "@a:hs")

    async def already(room: str, **kwargs: Any) -> Any:  # the send's share came first
        raise LocalProtocolError(f"Already sharing a group session for {room}")

    client.share_group_session = already  # type: ignore[method-assign]
    with caplog.at_level(logging.WARNING):
        assert await gateway.share_keys_ahead() == 0
    assert "room key not shared ahead" not in caplog.text

    async def other(room: str, **kwargs: Any) -> Any:
        raise LocalProtocolError(f"No such room with id {room}")

    client.share_group_session = other  # type: ignore[method-assign]
    with caplog.at_level(logging.WARNING):
        assert await gateway.share_keys_ahead() == 0
    assert "room key not shared ahead" in caplog.text and room_id
    await database.close()
