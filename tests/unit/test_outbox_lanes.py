"""The outbox sender: rows of one room in order, rooms side by side, each row sent once
with its own transaction id; a failing destination backs off on its own and never holds
up another; answers go before bulk sends while the homeserver throttles; a row failing
beyond its bound is set aside and reported once; one direct chat per person."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from nio import (
    RoomCreateError,
    RoomCreateResponse,
    RoomPutStateError,
    RoomPutStateResponse,
    RoomSendError,
    RoomSendResponse,
)

from cpts_bot.core.delivery_policy import PRIORITY_ANSWER, PRIORITY_BULK
from cpts_bot.core.messages import Reply
from cpts_bot.matrix.delivery_throttle import BULK_SLOTS, IDLE_SECONDS, Throttle
from cpts_bot.matrix.direct_chats_ahead import DirectChatsAhead
from cpts_bot.matrix.matrix_chat_gateway import MatrixChatGateway
from cpts_bot.storage import core_repository as repo
from cpts_bot.storage import outbox_delivery as delivery
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter

ROOMS = [f"!room{index}:hs" for index in range(40)]


class FakeRoom:
    def __init__(self) -> None:
        self.users: dict[str, object] = {}
        self.encrypted = True

    def add_member(self, user_id: str, *args: Any, **kwargs: Any) -> None:
        self.users[user_id] = object()


class FakeClient:
    """Accepts sends after a short delay, the way a homeserver answers; counts how many
    are in flight at once. A room in ``failing`` refuses its sends (``failures`` times,
    or always); a user in ``unreachable`` cannot be invited."""

    should_query_keys = False
    olm = None
    user_id = "@bot:hs"

    def __init__(self, failing: dict[str, int] | None = None) -> None:
        self.rooms: dict[str, Any] = {room: FakeRoom() for room in ROOMS}
        self.encrypted_rooms: set[str] = set()
        self.sent: list[tuple[str, str, str]] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.failing = dict(failing or {})
        self.unreachable: set[str] = set()
        self.created = 0
        self.invites: list[str] = []
        self.callbacks: list[Callable[[Any], Any]] = []

    def add_response_callback(self, callback: Callable[[Any], Any], _filter: Any) -> None:
        self.callbacks.append(callback)

    async def room_send(self, room_id: str, event_type: str, content: dict[str, Any], **kw: Any):
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.01)
            if self.failing.get(room_id, 0) > 0:
                self.failing[room_id] -= 1
                return RoomSendError("server unreachable", "M_UNKNOWN")
            self.sent.append((room_id, content["body"], kw["tx_id"]))
            return RoomSendResponse(f"$e{len(self.sent)}", room_id)
        finally:
            self.in_flight -= 1

    async def room_create(self, **kwargs: Any) -> RoomCreateResponse:
        self.created += 1
        self.created_with = kwargs
        # A person of another server is invited apart, so that a failure keeps the room.
        self.invites.extend(kwargs.get("invite", []))
        assert all(user.endswith(":hs") for user in kwargs.get("invite", []))
        return RoomCreateResponse(f"!direct{self.created}:hs")

    async def room_put_state(self, room_id: str, event_type: str, content: Any, state_key: str):
        self.invites.append(state_key)
        if state_key in self.unreachable:
            return RoomPutStateError("Failed to reach the server", "M_UNKNOWN")
        return RoomPutStateResponse("$invite", room_id)


async def queue(database: Database, rooms: list[str] = ROOMS, copies: int = 3) -> None:
    async with database.transaction() as db:
        outbox = OutboxWriter(db, datetime.now(UTC))
        for number in range(copies):
            for room in rooms:
                await outbox.send(room, Reply(f"{room} #{number}"))


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def running(gateway: MatrixChatGateway) -> tuple[asyncio.Event, asyncio.Task[None]]:
    stop = asyncio.Event()
    return stop, asyncio.create_task(gateway.run(stop))


async def stopped(stop: asyncio.Event, task: asyncio.Task[None], database: Database) -> None:
    stop.set()
    await task
    await database.close()


async def test_rooms_side_by_side_each_room_in_order(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    client = FakeClient()
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    await queue(database)
    stop, task = await running(gateway)
    await until(lambda: _all_sent(database))
    assert len(client.sent) == 3 * len(ROOMS)
    for room in ROOMS:
        assert [body for target, body, _ in client.sent if target == room] == [
            f"{room} #0",
            f"{room} #1",
            f"{room} #2",
        ]
    assert 1 < client.most_in_flight <= BULK_SLOTS
    assert len({txn for _, _, txn in client.sent}) == len(client.sent)
    await stopped(stop, task, database)


async def _all_sent(database: Database) -> bool:
    return await repo.unsent_outbox(database) == []


async def test_a_failing_destination_backs_off_alone(tmp_path: Path) -> None:
    """A room that keeps failing is tried again on its own schedule (not in a loop),
    its rows keep their order, and a later answer elsewhere goes out meanwhile."""
    database = await Database.open(tmp_path / "bot.sqlite")
    client = FakeClient(failing={ROOMS[0]: 10**6})
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    await queue(database, ROOMS[:5])
    stop, task = await running(gateway)
    await until(lambda: _unsent_targets(database, {ROOMS[0]}))
    async with database.transaction() as db:
        later = OutboxWriter(db, datetime.now(UTC), reply_to_event="$q", reply_room=ROOMS[7])
        await later.reply(Reply("the answer"))
    gateway.wake()
    await until(lambda: _sent_body(client, "the answer"))
    rows = [row for row in await delivery.open_rows(database)]
    assert [row.target for row in rows] == [ROOMS[0]] * 3
    assert rows[0].attempts <= 2 and rows[0].retry_at is not None  # backing off
    assert all(row.retry_at is not None for row in rows)  # the lane waits as one
    assert not any(target == ROOMS[0] for target, _, _ in client.sent)
    await stopped(stop, task, database)


async def _unsent_targets(database: Database, targets: set[str]) -> bool:
    return {row.target for row in await repo.unsent_outbox(database, 500)} == targets


async def _sent_body(client: FakeClient, body: str) -> bool:
    return any(text == body for _, text, _ in client.sent)


async def test_a_row_failing_beyond_its_bound_is_set_aside_and_reported_once(
    tmp_path: Path,
) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    client = FakeClient(failing={ROOMS[0]: 10**6})
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    told: list[tuple[str, int]] = []

    async def on_stuck(db: Any, destination: str, row_id: int, bound: Any, now: Any) -> None:
        told.append((destination, row_id))

    gateway.when_stuck(on_stuck, timedelta(0))
    await queue(database, ROOMS[:1], copies=1)
    stop, task = await running(gateway)
    await until(lambda: _stuck_count(database, 1))
    attempts = (await delivery.open_rows(database))[0].attempts
    await asyncio.sleep(0.3)
    rows = await delivery.open_rows(database)
    assert rows[0].attempts == attempts == 1  # no more attempts once set aside
    assert told == [(ROOMS[0], rows[0].id)]
    assert await delivery.due_rows(database, datetime.now(UTC), 10) == []
    await stopped(stop, task, database)


async def test_a_destination_delivered_again_is_reported_again_next_time(
    tmp_path: Path,
) -> None:
    """Its stuck report (« stuck:<destination> ») is forgotten once a row that had failed
    is delivered to it, so that a later episode is told again."""
    database = await Database.open(tmp_path / "bot.sqlite")
    client = FakeClient(failing={ROOMS[0]: 1})
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    subject = delivery.stuck_subject(ROOMS[0])
    async with database.transaction() as db:
        assert await delivery.mark_reported(db, subject, datetime.now(UTC))
    await queue(database, ROOMS[:1], copies=1)
    stop, task = await running(gateway)
    await until(lambda: _all_sent(database))
    # The report is forgotten just after the row is marked sent, outside its transaction.
    await until(lambda: _not_reported(database, subject))
    async with database.transaction() as db:
        assert await delivery.mark_reported(db, subject, datetime.now(UTC))
    await stopped(stop, task, database)


async def _not_reported(database: Database, subject: str) -> bool:
    query = "SELECT 1 FROM delivery_reports WHERE subject = ?"
    return await database.fetch_one(query, (subject,)) is None


async def _stuck_count(database: Database, count: int) -> bool:
    return sum(row.stuck_at is not None for row in await delivery.open_rows(database)) == count


async def test_while_throttled_answers_go_before_bulk_sends(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    client = FakeClient()
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    # The homeserver answered 429 with retry_after_ms: bulk sends wait for it.
    limited = RoomSendError("Too many requests", "M_LIMIT_EXCEEDED", retry_after_ms=1500)
    for callback in client.callbacks:
        result = callback(limited)
        if inspect.isawaitable(result):
            await result
    await queue(database, ROOMS[:5], copies=1)
    async with database.transaction() as db:
        answer = OutboxWriter(db, datetime.now(UTC), reply_to_event="$q", reply_room=ROOMS[9])
        await answer.reply(Reply("the answer"))
    stop, task = await running(gateway)
    await until(lambda: _sent_body(client, "the answer"))
    assert [body for _, body, _ in client.sent] == ["the answer"]
    await until(lambda: _all_sent(database))  # bulk follows once the wait is over
    await stopped(stop, task, database)


async def test_one_direct_chat_per_person_whatever_the_retries(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    client = FakeClient()
    client.unreachable.add("@x:unreachable.invalid")
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    gateway.when_stuck(_ignore, timedelta(hours=1))
    async with database.transaction() as db:
        await OutboxWriter(db, datetime.now(UTC)).send_direct(
            "@x:unreachable.invalid", Reply("offer")
        )
    stop, task = await running(gateway)
    await until(lambda: _invites(client, 2), timeout=15)  # tried again (2 s later)
    assert client.created == 1
    await stopped(stop, task, database)


async def _ignore(*args: Any) -> None:
    return None


async def _invites(client: FakeClient, count: int) -> bool:
    return len(client.invites) >= count


async def test_a_room_creation_limit_is_told_but_does_not_hold_back_messages() -> None:
    throttle = Throttle(clock=lambda: 100.0)
    throttle.observe(RoomCreateError("slow down", "M_LIMIT_EXCEEDED", retry_after_ms=60_000))
    assert throttle.throttled() and throttle.seconds_per_send() == 60
    async with asyncio.timeout(1), throttle.slot(PRIORITY_BULK):
        pass  # a message to an existing room goes at once
    throttle.observe(RoomSendError("slow down", "M_LIMIT_EXCEEDED", retry_after_ms=60_000))
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.2), throttle.slot(PRIORITY_BULK):
            pass
    async with asyncio.timeout(1), throttle.slot(PRIORITY_ANSWER):
        pass  # an answer never waits


async def test_background_writes_wait_until_the_homeserver_has_refused_nothing_for_a_while() -> (
    None
):
    now = [100.0]
    throttle = Throttle(clock=lambda: now[0])
    async with asyncio.timeout(1):
        await throttle.quiet(30)  # nothing refused: at once
    throttle.observe(RoomPutStateError("slow down", "M_LIMIT_EXCEEDED", retry_after_ms=4000))
    waiting = asyncio.create_task(throttle.quiet(30))
    await asyncio.sleep(0.1)
    assert not waiting.done()
    now[0] += 31
    async with asyncio.timeout(3):
        await waiting


async def test_direct_chats_are_opened_ahead_one_each_and_a_failure_is_not_retried(
    tmp_path: Path,
) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    client = FakeClient()
    client.unreachable.add("@c:unreachable.invalid")
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    members = ["@a:hs", "@b:hs", "@c:unreachable.invalid", "@not-allowed:elsewhere"]
    async with database.transaction() as db:
        for index, member in enumerate(members):
            await db.execute(
                "INSERT INTO directory_professionals (key, rpps, last_name, first_name,"
                " profession_code, profession_label, source, active, created_at, updated_at)"
                " VALUES (?, ?, 'X', 'Y', '60', 'Infirmier', 'cpts', 1, '', '')",
                (f"k{index}", f"1{index}"),
            )
            await db.execute(
                "INSERT INTO directory_cards (professional_key, matrix_id, updated_at,"
                " updated_by) VALUES (?, ?, '', 'test')",
                (f"k{index}", member),
            )
    ahead = DirectChatsAhead(
        database, gateway.direct_room, gateway.throttle.quiet, lambda user: "elsewhere" not in user
    )
    assert await ahead.open_missing(asyncio.Event()) == 2
    assert client.created == 3 and client.invites == members[:3]
    assert await ahead.open_missing(asyncio.Event()) == 0  # nothing new, nothing retried
    assert client.created == 3 and len(client.invites) == 3
    await database.close()


async def test_two_needs_of_the_same_chat_at_once_open_one_room(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    client = FakeClient()
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    rooms = await asyncio.gather(*(gateway.direct_room("@a:hs") for _ in range(3)))
    assert len(set(rooms)) == 1 and client.created == 1
    await database.close()


async def test_while_throttled_one_bulk_request_at_a_time() -> None:
    now = [100.0]
    throttle = Throttle(clock=lambda: now[0])
    throttle.observe(RoomCreateError("slow down", "M_LIMIT_EXCEEDED", retry_after_ms=1000))
    inside: list[int] = []
    most = 0

    async def bulk() -> None:
        nonlocal most
        async with throttle.slot(PRIORITY_BULK):
            inside.append(1)
            most = max(most, len(inside))
            await asyncio.sleep(0.01)
            inside.pop()

    await asyncio.gather(*(bulk() for _ in range(5)))
    assert most == 1
    now[0] += 120  # a quiet minute later: side by side again
    most = 0
    await asyncio.gather(*(bulk() for _ in range(5)))
    assert most > 1 and throttle.throttled() is False


async def test_background_writes_wait_for_the_deliveries_in_flight_and_a_moment_after() -> None:
    """Command descriptions and chats opened ahead go between fan-outs, not inside one."""
    now = [100.0]
    throttle = Throttle(clock=lambda: now[0])
    sending = asyncio.Event()
    done = asyncio.Event()

    async def deliver() -> None:
        async with throttle.slot(PRIORITY_BULK):
            sending.set()
            await done.wait()

    delivery = asyncio.create_task(deliver())
    await sending.wait()
    waiting = asyncio.create_task(throttle.quiet(30))
    await asyncio.sleep(0.05)
    assert not waiting.done()  # a send in flight
    done.set()
    await delivery
    await asyncio.sleep(0.05)
    assert not waiting.done()  # it has just ended
    now[0] += IDLE_SECONDS
    async with asyncio.timeout(3):
        await waiting


async def test_a_direct_chat_is_created_with_its_state_in_the_one_request(tmp_path: Path) -> None:
    """The command descriptions come with the room's creation: no state put later,
    each of which made the chat's next message slower on the homeserver."""
    database = await Database.open(tmp_path / "bot.sqlite")
    client = FakeClient()
    gateway = MatrixChatGateway(client, database)  # type: ignore[arg-type]
    described = {"type": "m.bot.command", "state_key": "aide", "content": {"command": "aide"}}
    gateway.direct_room_state = [described]
    room_id = await gateway._create_direct_room("@new:hs")
    assert room_id == "!direct1:hs"
    state = client.created_with["initial_state"]
    assert [event["type"] for event in state] == ["m.room.encryption", "m.bot.command"]
    assert state[1] == described
    await database.close()
