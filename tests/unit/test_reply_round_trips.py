"""What stands between a question and its answer, counted: each statement is a round trip
to the database thread (about 40 µs idle, more on a busy machine), on every reply's path
(docs/benchmarks.md, reply latency). These counts only go down."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite.core
import pytest
from nio import UploadFilterError, UploadFilterResponse

from cpts_bot.app import build_features
from cpts_bot.features.reports.tracking_repository import TrackedRequest, record_request
from cpts_bot.inbox.command_router import CommandRouter
from cpts_bot.inbox.known_languages import KnownLanguages
from cpts_bot.matrix import sync_filters
from cpts_bot.matrix.matrix_chat_gateway import MatrixChatGateway
from cpts_bot.matrix.sync_loop import STATUS_EVERY, SyncLoop
from cpts_bot.storage import bot_status
from cpts_bot.storage import core_repository as repo
from cpts_bot.storage.database import Database
from tests.unit.dispatch_support import HYERES
from tests.unit.medecin_traitant_support import add_professional, mt_config
from tests.unit.test_outbox_lanes import FakeClient

NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
KINE = "@kine:cpts.test"


@contextmanager
def round_trips() -> Iterator[list[str]]:
    """The names of the calls made on the database thread meanwhile."""
    calls: list[str] = []
    original = aiosqlite.core.Connection._execute

    async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(args[0] if args and isinstance(args[0], str) else getattr(fn, "__name__", ""))
        return await original(self, fn, *args, **kwargs)

    aiosqlite.core.Connection._execute = counted  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        aiosqlite.core.Connection._execute = original  # type: ignore[method-assign]


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "bot.sqlite")
    yield database
    await database.close()


def inbox_row(body: str, number: int) -> repo.InboxRow:
    payload = {"body": body, "timestamp": NOW.isoformat(), "is_direct": True}
    return repo.InboxRow(f"$q{number}", f"!dm-{KINE}", KINE, "message", payload, 0)


async def test_a_directory_question_is_answered_in_eight_round_trips(database: Database) -> None:
    """Begin, claim the event (which leaves the inbox), the asker's draft, the tracking
    row (with their profession and its first event), the answer, commit: 6 (11 before
    the event was claimed in one statement, the asker's language kept in memory and the
    tracking row read the profession itself)."""
    async with database.transaction() as db:
        await add_professional(db, KINE, HYERES, NOW, profession="70")
    config = mt_config()
    router = CommandRouter(
        database, config, "@bot:cpts.test", build_features(database, config).chat, lambda: None
    )
    await router._handle_row(inbox_row("bonjour", 0))
    with round_trips() as calls:
        assert await router._handle_row(inbox_row("kiné à domicile Hyères", 1))
    assert len(calls) <= 6, calls
    [tracked] = await database.fetch_all("SELECT * FROM tracked_requests")
    assert tracked["requester_profession"] == "70"


async def test_one_message_of_a_sync_is_stored_in_four_round_trips(database: Database) -> None:
    """Begin, the row (unless handled already, in the same statement), the token, commit
    (7 with the separate check, its cursor's fetch and close)."""
    item = repo.InboxItem("$m1", "!room", "@gp:hs", "message", {"body": "aide"})
    with round_trips() as calls:
        assert await repo.store_batch(database, [item], "t1", NOW) == 1
    assert len(calls) <= 4, calls
    async with database.transaction() as db:
        await repo.claim(db, "$m2", "!room", NOW)
    again = repo.InboxItem("$m2", "!room", "@gp:hs", "message", {"body": "aide"})
    assert await repo.store_batch(database, [again], "t2", NOW) == 0  # handled already


async def test_a_claimed_event_is_handled_once(database: Database) -> None:
    async with database.transaction() as db:
        assert await repo.claim(db, "$m1", "!room", NOW)
        assert not await repo.claim(db, "$m1", "!room", NOW)


async def test_a_tracked_request_gets_its_first_event_with_it(database: Database) -> None:
    request = TrackedRequest(
        requested_at=NOW, kind="question", category="orientation", outcome="answered"
    )
    async with database.transaction() as db:
        request_id = await record_request(db, request, requester="@nobody:hs")
    [event] = await database.fetch_all("SELECT * FROM tracked_request_events")
    assert (event["request_id"], event["outcome"]) == (request_id, "answered")
    [row] = await database.fetch_all("SELECT requester_profession FROM tracked_requests")
    assert row[0] is None  # no card for that user


class Rooms:
    def __init__(self) -> None:
        self.rooms = {"!a": object()}
        self.user_id = "@bot:hs"


def test_the_sync_time_is_written_every_ten_seconds_and_the_rooms_when_they_change() -> None:
    client = Rooms()
    loop = SyncLoop(client, None, lambda _: True, lambda: None)  # type: ignore[arg-type]

    def written(news: dict[str, str], at: datetime) -> dict[str, str]:
        loop._status.update(news)
        if bot_status.LAST_SYNC_AT in news:
            loop._status_at = at
        return news

    first = written(loop._status_news(NOW), NOW)
    assert set(first) == {bot_status.LAST_SYNC_AT, bot_status.ROOMS_JOINED}
    assert written(loop._status_news(NOW + timedelta(seconds=3)), NOW) == {}
    later = NOW + STATUS_EVERY
    assert set(written(loop._status_news(later), later)) == {bot_status.LAST_SYNC_AT}
    client.rooms = {"!a": object(), "!b": object()}
    soon = later + timedelta(seconds=1)
    assert set(written(loop._status_news(soon), soon)) == {
        bot_status.LAST_SYNC_AT,
        bot_status.ROOMS_JOINED,
    }


class FilterClient:
    def __init__(self, response: Any) -> None:
        self.response = response
        self.uploaded: list[dict[str, Any]] = []

    async def upload_filter(self, **parts: Any) -> Any:
        self.uploaded.append(parts)
        await asyncio.sleep(0)
        if isinstance(self.response, Exception):
            raise self.response
        return self.response


async def test_the_sync_filter_is_uploaded_once_and_named() -> None:
    client = FilterClient(UploadFilterResponse("7"))
    assert await sync_filters.uploaded_filter(client) == "7"  # type: ignore[arg-type]
    assert client.uploaded == [
        {"room": sync_filters.SYNC_FILTER["room"], "presence": {"not_types": ["*"]}}
    ]


@pytest.mark.parametrize(
    "response", [UploadFilterError("M_UNKNOWN"), OSError("unreachable")], ids=["refused", "down"]
)
async def test_a_filter_the_homeserver_did_not_take_is_sent_inline(response: Any) -> None:
    client = FilterClient(response)
    assert await sync_filters.uploaded_filter(client) == sync_filters.SYNC_FILTER  # type: ignore[arg-type]


async def test_a_language_is_read_again_after_a_choice_or_a_rollback(database: Database) -> None:
    known = KnownLanguages(database)
    with round_trips() as calls:
        assert await known.of(database.connection, KINE) is None
        assert await known.of(database.connection, KINE) is None
    assert len(calls) == 1
    async with database.transaction() as db:
        await repo.set_language(db, KINE, "en", NOW)
    assert await known.of(database.connection, KINE) == "en"
    with pytest.raises(RuntimeError):
        async with database.transaction() as db:
            await db.execute("DELETE FROM user_preferences")
            assert await known.of(db, KINE) == "en"  # kept: nothing written through set_language
            raise RuntimeError("undone")
    with round_trips() as calls:
        assert await known.of(database.connection, KINE) == "en"
    assert len(calls) == 1  # read again after the rollback


async def test_an_outbox_turn_with_no_ended_offer_takes_no_write_lock(database: Database) -> None:
    """After each send the outbox looks for offers of requests now over: one read, and
    a write transaction only when there is one (the next person's answer would wait)."""
    gateway = MatrixChatGateway(FakeClient(), database)  # type: ignore[arg-type]
    with round_trips() as calls:
        await gateway._look_after(NOW)
    assert not [sql for sql in calls if sql.startswith("BEGIN")], calls
    assert len(calls) <= 3, calls
