"""A limited sync timeline is back-filled from ``prev_batch`` down to the last sync, oldest
first, stopping at an event the bot already has: nothing skipped, nothing twice."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from nio import RoomMessagesError, RoomMessagesResponse, RoomMessageText

from cpts_bot.matrix import backfill
from cpts_bot.matrix.backfill import missed_events
from cpts_bot.matrix.sync_loop import SyncLoop
from cpts_bot.storage import core_repository as repo
from cpts_bot.storage.database import Database

ROOM = "!room:hs"


def message(index: int) -> RoomMessageText:
    event = RoomMessageText.from_dict(
        {
            "type": "m.room.message",
            "event_id": f"$e{index}",
            "sender": "@gp:hs",
            "origin_server_ts": 1_700_000_000_000 + index,
            "room_id": ROOM,
            "content": {"msgtype": "m.text", "body": f"question {index}"},
        }
    )
    assert isinstance(event, RoomMessageText)
    return event


class FakeHomeserver:
    """A room of ``count`` events; token ``tN`` is the position before event N."""

    def __init__(self, count: int, failures: int = 0) -> None:
        self.events = [message(index) for index in range(count)]
        self.calls: list[tuple[str, str | None, int]] = []
        self.failures = failures

    async def room_messages(
        self,
        room_id: str,
        start: str,
        end: str | None = None,
        direction: Any = None,
        limit: int = 10,
        message_filter: Any = None,
    ) -> RoomMessagesResponse | RoomMessagesError:
        self.calls.append((start, end, limit))
        if self.failures:
            self.failures -= 1
            return RoomMessagesError("try later")
        position = int(start[1:])
        floor = int(end[1:]) if end else 0
        low = max(floor, position - limit)
        chunk = self.events[low:position][::-1]
        return RoomMessagesResponse(room_id, chunk, start, f"t{low}" if chunk else None)


def no_event_known(event_id: str) -> Any:
    async def answer() -> bool:
        return False

    return answer()


async def test_a_300_event_backlog_is_read_back_to_the_last_sync_in_order() -> None:
    server = FakeHomeserver(400)
    # Last sync ended before event 50; this sync returned events 300..399 (limited).
    events = await missed_events(server, ROOM, "t300", "t50", no_event_known)  # type: ignore[arg-type]
    assert [event.event_id for event in events] == [f"$e{i}" for i in range(50, 300)]
    # Pages of 100 back to the previous sync, then one empty page at its end.
    assert [call[0] for call in server.calls] == ["t300", "t200", "t100", "t50"]
    assert all(call[1] == "t50" for call in server.calls)


async def test_back_fill_stops_at_the_first_event_the_bot_already_has() -> None:
    server = FakeHomeserver(400)

    async def known(event_id: str) -> bool:
        return int(event_id[2:]) < 180

    events = await missed_events(server, ROOM, "t300", "t0", known)  # type: ignore[arg-type]
    assert [event.event_id for event in events] == [f"$e{i}" for i in range(180, 300)]
    assert len(server.calls) == 2


async def test_no_back_fill_without_a_previous_sync_or_prev_batch() -> None:
    server = FakeHomeserver(10)
    assert await missed_events(server, ROOM, "t5", None, no_event_known) == []  # type: ignore[arg-type]
    assert await missed_events(server, ROOM, None, "t0", no_event_known) == []  # type: ignore[arg-type]
    assert server.calls == []


async def test_a_failing_page_is_retried(monkeypatch: Any) -> None:
    async def no_sleep(_: float) -> None:
        return None

    monkeypatch.setattr(backfill.asyncio, "sleep", no_sleep)
    server = FakeHomeserver(20, failures=2)
    events = await missed_events(server, ROOM, "t20", "t0", no_event_known)  # type: ignore[arg-type]
    assert len(events) == 20


def timeline(events: list[Any], limited: bool, prev_batch: str) -> Any:
    return SimpleNamespace(
        timeline=SimpleNamespace(events=events, limited=limited, prev_batch=prev_batch)
    )


async def test_the_sync_loop_puts_missed_events_before_the_timeline(tmp_path: Path) -> None:
    server = FakeHomeserver(250)
    database = await Database.open(tmp_path / "bot.db")
    try:
        # Events 0..9 were handled in an earlier run; the inbox holds them.
        items = [repo.InboxItem(f"$e{i}", ROOM, "@gp:hs", "message", {}) for i in range(10)]
        await repo.store_batch(database, items, "t10", repo_now())
        loop = SyncLoop(server, database, lambda _: True, lambda: None)  # type: ignore[arg-type]
        info = timeline(server.events[150:], limited=True, prev_batch="t150")
        events = await loop._timeline(ROOM, info, since="t0")
        assert [event.event_id for event in events] == [f"$e{i}" for i in range(10, 250)]
        quiet = timeline(server.events[245:], limited=False, prev_batch="t245")
        calls = len(server.calls)
        assert len(await loop._timeline(ROOM, quiet, since="t245")) == 5
        assert len(server.calls) == calls, "a timeline that is not limited needs no back-fill"
    finally:
        await database.close()


async def test_the_inbox_stores_an_event_once(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.db")
    try:
        item = repo.InboxItem("$same", ROOM, "@gp:hs", "message", {"body": "aide"})
        assert await repo.store_batch(database, [item], "t1", repo_now()) == 1
        assert await repo.store_batch(database, [item], "t2", repo_now()) == 0
        assert await repo.knows_event(database, "$same")
        assert not await repo.knows_event(database, "$other")
    finally:
        await database.close()


def repo_now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)
