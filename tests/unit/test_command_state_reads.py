"""Command descriptions: each room's state is read once (not once per command), every
request waits its turn after the deliveries, and only what differs is put."""

from __future__ import annotations

from typing import Any

import pytest
from nio import RoomGetStateError, RoomGetStateResponse, RoomPutStateError, RoomPutStateResponse

from cpts_bot.core.errors import MatrixError
from cpts_bot.matrix.command_state import CommandStatePublisher, publish_in_room

TYPE = "org.matrix.msc4391.command_description"
DESCRIPTIONS = [(f"cmd{index}", {"command": f"cmd{index}"}) for index in range(25)]


class Homeserver:
    def __init__(self, state: dict[str, dict[str, Any]], readable: bool = True) -> None:
        self.state = state
        self.readable = readable
        self.requests: list[str] = []
        self.refuse_puts = False
        self.rooms = {"!a:hs": object(), "!b:hs": object()}

    async def room_get_state(self, room_id: str) -> Any:
        self.requests.append(f"read {room_id}")
        if not self.readable:
            return RoomGetStateError("no", "M_FORBIDDEN")
        events = [
            {"type": TYPE, "state_key": key, "content": content}
            for key, content in self.state.items()
        ]
        events.append({"type": "m.room.create", "state_key": "", "content": {}})
        return RoomGetStateResponse(events, room_id)

    async def room_put_state(
        self, room_id: str, event_type: str, content: dict[str, Any], state_key: str
    ) -> Any:
        self.requests.append(f"put {state_key}")
        if self.refuse_puts:
            return RoomPutStateError("user_level (0) < send_level (50)", "M_FORBIDDEN")
        self.state[state_key] = content
        return RoomPutStateResponse("$e", room_id)


async def test_a_room_with_every_description_costs_one_read() -> None:
    server = Homeserver(dict(DESCRIPTIONS))
    turns: list[int] = []

    async def wait_turn() -> None:
        turns.append(len(server.requests))

    assert await publish_in_room(server, "!a:hs", TYPE, DESCRIPTIONS, wait_turn) == 0  # type: ignore[arg-type]
    assert server.requests == ["read !a:hs"]
    assert turns == [0], "the read waits its turn too"


async def test_only_what_differs_is_put_each_after_its_turn() -> None:
    state = dict(DESCRIPTIONS)
    state["cmd3"] = {"command": "old"}
    del state["cmd7"]
    server = Homeserver(state)
    turns: list[int] = []

    async def wait_turn() -> None:
        turns.append(len(server.requests))

    assert await publish_in_room(server, "!a:hs", TYPE, DESCRIPTIONS, wait_turn) == 2  # type: ignore[arg-type]
    assert server.requests == ["read !a:hs", "put cmd3", "put cmd7"]
    assert turns == [0, 1, 2]
    assert server.state == dict(DESCRIPTIONS)


async def test_unreadable_state_puts_everything_and_a_refusal_is_raised() -> None:
    server = Homeserver({}, readable=False)
    server.refuse_puts = True
    with pytest.raises(MatrixError, match="send_level"):
        await publish_in_room(server, "!a:hs", TYPE, DESCRIPTIONS)  # type: ignore[arg-type]
    assert server.requests == ["read !a:hs", "put cmd0"]


async def test_the_publisher_reads_each_room_once_per_run() -> None:
    server = Homeserver(dict(DESCRIPTIONS))
    publisher = CommandStatePublisher(server, TYPE, DESCRIPTIONS)  # type: ignore[arg-type]
    await publisher.publish_new_rooms()
    await publisher.publish_new_rooms()
    assert server.requests == ["read !a:hs", "read !b:hs"]
