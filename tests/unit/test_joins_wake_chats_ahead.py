"""A member joining the chat opened for them wakes the loop of chats opened ahead: the
welcome and the room key come within seconds of the join, not at the next minute."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from nio import MatrixRoom, RoomMemberEvent

from cpts_bot.matrix.direct_chats_ahead import DirectChatsAhead
from cpts_bot.matrix.event_listener import joins
from cpts_bot.matrix.sync_loop import SyncLoop
from cpts_bot.storage.database import Database

BOT = "@cpts-bot:hs"
ROOM = "!chat:hs"


def member(user_id: str, membership: str, before: str | None = None, index: int = 0) -> Any:
    source: dict[str, Any] = {
        "type": "m.room.member",
        "event_id": f"$m{index}",
        "sender": user_id,
        "state_key": user_id,
        "origin_server_ts": 1_700_000_000_000 + index,
        "room_id": ROOM,
        "content": {"membership": membership, "displayname": "Mme Martin"},
    }
    if before is not None:
        source["unsigned"] = {"prev_content": {"membership": before}}
    event = RoomMemberEvent.from_dict(source)
    assert isinstance(event, RoomMemberEvent)
    return event


def test_a_join_is_someone_else_entering_the_room() -> None:
    assert joins(member("@ide:hs", "join", before="invite"), BOT)
    assert joins(member("@ide:hs", "join"), BOT)
    assert not joins(member(BOT, "join", before="invite"), BOT), "the bot's own join"
    assert not joins(member("@ide:hs", "join", before="join"), BOT), "a new display name"
    assert not joins(member("@ide:hs", "leave", before="join"), BOT)
    assert not joins(member("@ide:hs", "invite"), BOT)


class Client:
    user_id = BOT

    def __init__(self) -> None:
        self.rooms = {ROOM: MatrixRoom(ROOM, BOT)}


def sync_with(events: list[Any], batch: str) -> Any:
    timeline = SimpleNamespace(events=events, limited=False, prev_batch="p")
    return SimpleNamespace(
        next_batch=batch,
        rooms=SimpleNamespace(invite={}, join={ROOM: SimpleNamespace(timeline=timeline)}),
    )


async def test_the_sync_loop_tells_of_a_join_once_per_sync(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    told: list[str] = []
    loop = SyncLoop(
        Client(),  # type: ignore[arg-type]
        database,
        lambda _: True,
        lambda: None,
        on_member_joined=lambda: told.append("joined"),
    )
    try:
        joined_twice = [member("@a:hs", "join", "invite", 1), member("@b:hs", "join", "invite", 2)]
        await loop._handle(sync_with(joined_twice, "t1"), first_sync=False, since="t0")
        assert told == ["joined"]
        renamed = [member("@a:hs", "join", "join", 3), member(BOT, "join", "invite", 4)]
        await loop._handle(sync_with(renamed, "t2"), first_sync=False, since="t1")
        assert told == ["joined"], "a name change or the bot's own join wakes nothing"
    finally:
        await database.close()


async def test_a_nudge_runs_the_next_round_before_the_period(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    rounds = asyncio.Queue[int]()
    count = 0

    async def welcome() -> int:
        nonlocal count
        count += 1
        rounds.put_nowait(count)
        return 0

    async def no_wait(_: float) -> None:
        return None

    async def no_room(user_id: str) -> str:
        raise AssertionError("no member to open a chat for")

    ahead = DirectChatsAhead(
        database, no_room, no_wait, lambda _: True, every_seconds=3600.0, welcome=welcome
    )
    ready, stop = asyncio.Event(), asyncio.Event()
    ready.set()
    task = asyncio.create_task(ahead.run(ready, stop))
    try:
        assert await asyncio.wait_for(rounds.get(), 5) == 1  # the round at start
        await asyncio.sleep(0.05)
        assert rounds.empty(), "nothing before the period without a nudge"
        ahead.nudge()
        assert await asyncio.wait_for(rounds.get(), 5) == 2
        stop.set()
        await asyncio.wait_for(task, 5)
    finally:
        task.cancel()
        await database.close()
