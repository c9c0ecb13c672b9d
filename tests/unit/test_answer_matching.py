"""An answer is matched to what it answers, or to nothing, whatever the crash point.

The homeserver below accepts sends (the person sees the offer and may answer it) and
the outbox records them later, as after a kill between a send and its record: the
recorded event id is the one the homeserver gave (same transaction id, same event). The
answers go through the real router, the dispatch feature and SQLite."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cpts_bot.core.answer_matching import (
    MAX_WAITING,
    WAIT_LIMIT,
    AnswerFacts,
    Parent,
    may_take_pending,
    must_wait,
    strongest,
)
from cpts_bot.core.messages import KIND_MESSAGE, KIND_REACTION
from cpts_bot.core.times import PARIS, to_iso
from cpts_bot.features.dispatch import repository as dispatches
from cpts_bot.features.dispatch.chat import DispatchFeature
from cpts_bot.features.dispatch.escalation_service import on_sent
from cpts_bot.inbox.command_router import CommandRouter
from cpts_bot.storage import core_repository as repo
from cpts_bot.storage.database import Database
from tests.unit.dispatch_support import (
    COORDINATOR,
    HYERES,
    FakeDirectory,
    make_config,
    professional,
)

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=PARIS).astimezone(UTC)
ALICE, BOB = "@alice:cpts.test", "@bob:cpts.test"
NURSES = (ALICE, BOB)
PATIENTS = {1: "Mme Aubépine", 2: "M. Bergamote"}
COORD_ROOM = "!coord:cpts.test"
TAKEN_NOWHERE = "Votre réponse ne correspond à aucune demande ouverte"

# --------------------------------------------------------------------- pure decision

parents = st.sampled_from(list(Parent))
moments = st.integers(min_value=0, max_value=3 * int(WAIT_LIMIT.total_seconds()))


@given(parents, st.booleans(), st.one_of(st.none(), moments), st.integers(0, 200), moments)
def test_only_an_unknown_event_with_an_unrecorded_send_waits_and_never_for_ever(
    parent: Parent, unrecorded: bool, since: int | None, count: int, elapsed: int
) -> None:
    start = NOW - timedelta(seconds=since) if since is not None else None
    facts = AnswerFacts(parent, unrecorded, start, count)
    waits = must_wait(facts, NOW)
    if waits:
        assert parent is Parent.UNKNOWN and unrecorded
        assert start is not None or count < MAX_WAITING
    # However long the send stays unrecorded, the wait ends after WAIT_LIMIT.
    begun = start or NOW
    later = begun + WAIT_LIMIT + timedelta(seconds=elapsed)
    assert not must_wait(AnswerFacts(parent, unrecorded, begun, count), later)


@given(st.lists(parents, max_size=3))
def test_an_answer_to_anything_but_nothing_or_a_plain_message_never_takes_a_pending_request(
    answered: list[Parent],
) -> None:
    parent = strongest(answered)
    if any(p in (Parent.UNKNOWN, Parent.FOREIGN, Parent.BOT_CORRELATED) for p in answered):
        assert not may_take_pending(parent)
    if not answered:
        assert may_take_pending(parent)


# ------------------------------------------------------------- flow over crash points


@dataclass
class Accepted:
    row_id: int
    txn_id: str
    action: str
    target: str
    room_id: str
    event_id: str
    correlation: str | None
    text: str


@dataclass
class CrashingHomeserver:
    """Accepts the outbox's sends (event id fixed by the transaction id, as a homeserver
    deduplicates a resend) and lets the test choose when the outbox records each."""

    database: Database
    accepted: dict[str, Accepted] = field(default_factory=dict)
    recorded: set[str] = field(default_factory=set)

    async def accept(self) -> list[Accepted]:
        rows = await self.database.fetch_all(
            "SELECT * FROM outbox WHERE sent_at IS NULL ORDER BY id"
        )
        new = []
        for row in rows:
            if row["txn_id"] in self.accepted:
                continue
            target = row["target"]
            room = f"!dm-{target}" if row["action"] == "direct_message" else target
            item = Accepted(
                row["id"],
                row["txn_id"],
                row["action"],
                target,
                room,
                "$ev-" + row["txn_id"],
                row["correlation"],
                json.loads(row["payload"]).get("text", ""),
            )
            self.accepted[row["txn_id"]] = item
            new.append(item)
        return new

    async def record(self, item: Accepted) -> None:
        if item.txn_id in self.recorded:
            return
        async with self.database.transaction() as db:
            await repo.mark_sent(db, item.row_id, item.event_id, NOW, item.room_id)
            if item.correlation and item.correlation.startswith("dispatch:"):
                await on_sent(db, item.correlation, item.room_id, item.event_id, NOW)
        self.recorded.add(item.txn_id)

    async def record_all(self) -> None:
        for item in await self.accept():
            await self.record(item)
        for item in list(self.accepted.values()):
            await self.record(item)

    def to(self, user: str) -> list[str]:
        return [a.text for a in self.accepted.values() if a.room_id == f"!dm-{user}"]


class Bot:
    def __init__(self, database: Database) -> None:
        directory = FakeDirectory([professional(n, "60", HYERES) for n in NURSES])
        self.clock = [NOW]
        self.router = CommandRouter(
            database,
            make_config(),
            "@bot:cpts.test",
            [DispatchFeature(directory)],
            on_outbox=lambda: None,
            clock=lambda: self.clock[0],
        )
        self.database = database
        self.count = 0
        self.dying = False  # killed once the next event is stored, before it is handled

    async def receive(self, sender: str, room: str, kind: str, payload: dict[str, Any]) -> str:
        self.count += 1
        event_id = f"$in{self.count}"
        payload = {"timestamp": to_iso(self.clock[0]), **payload}
        item = repo.InboxItem(event_id, room, sender, kind, payload)
        await repo.store_batch(self.database, [item], f"t{self.count}", self.clock[0])
        if not self.dying:
            await self.router.drain()
        return event_id

    async def say(self, sender: str, room: str, body: str, reply_to: str | None = None) -> str:
        payload = {"body": body, "reply_to": reply_to, "is_direct": room != COORD_ROOM}
        return await self.receive(sender, room, KIND_MESSAGE, payload)

    async def react(self, sender: str, room: str, key: str, reacts_to: str) -> str:
        return await self.receive(sender, room, KIND_REACTION, {"key": key, "reacts_to": reacts_to})


async def two_dispatches(bot: Bot, server: CrashingHomeserver) -> dict[tuple[int, str], Accepted]:
    """Dispatches 1 and 2, each offered to both nurses: the offers accepted by the
    homeserver (seen by the nurses), none recorded yet."""
    for number, patient in PATIENTS.items():
        await bot.say(
            COORDINATOR,
            COORD_ROOM,
            f"déclenchement IDE domicile Hyères ce soir 20h pansement {number}, patient d'accord\n"
            f"patient : {patient}, 3 rue des Lilas, 06 12 34 56 78",
        )
    offers = {}
    for item in await server.accept():
        if item.correlation and item.action == "direct_message":
            number = int(item.correlation.split(":")[1])
            offers[(number, item.target)] = item
    assert set(offers) == {(d, n) for d in PATIENTS for n in NURSES}
    return offers


@pytest.fixture
async def database(tmp_path: Path):
    database = await Database.open(tmp_path / "bot.sqlite")
    yield database
    await database.close()


answer_plans = st.lists(
    st.tuples(
        st.sampled_from(sorted(PATIENTS)),
        st.sampled_from(NURSES),
        st.sampled_from(["reply", "reaction", "decline"]),
    ),
    unique_by=lambda plan: plan[:2],
    min_size=1,
    max_size=4,
)
# Per offer (dispatch, nurse): after how many answers the outbox records it (0: before
# any answer, i.e. the crash came after the record; more: the bot was killed between the
# homeserver's acceptance and the record, and the answers came meanwhile).
record_points = st.fixed_dictionaries({(d, n): st.integers(0, 4) for d in PATIENTS for n in NURSES})


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(answer_plans, record_points, st.sets(st.integers(1, 4)))
async def test_every_accept_goes_to_the_request_it_answers_whatever_the_crash_point(
    tmp_path_factory: pytest.TempPathFactory, plans, points, restarts
) -> None:
    database = await Database.open(tmp_path_factory.mktemp("crash") / "bot.sqlite")
    try:
        await run_crash_scenario(database, plans, points, restarts)
    finally:
        await database.close()


async def run_crash_scenario(database: Database, plans, points, restarts=frozenset()) -> None:
    """``restarts``: after which answers the bot is killed and started again (a new
    router over the same database: what waited in memory is gone, what is in SQLite
    stays), e.g. between an offer's record and the handling of its answer."""
    bot, server = Bot(database), CrashingHomeserver(database)
    offers = await two_dispatches(bot, server)
    for key, offer in offers.items():
        if points[key] == 0:
            await server.record(offer)
    for index, (number, nurse, how) in enumerate(plans, start=1):
        offer = offers[(number, nurse)]
        bot.dying = index in restarts
        if how == "reaction":
            await bot.react(nurse, offer.room_id, "👍", offer.event_id)
        else:
            body = "je prends" if how == "reply" else "pas dispo"
            await bot.say(nurse, offer.room_id, body, reply_to=offer.event_id)
        if index in restarts:
            bot = Bot(database)  # the answer is stored, not handled: kill -9, restart
            bot.count = 100 * index
            await bot.router.drain()
        for key, other in offers.items():
            if points[key] == index:
                await server.record(other)
                await bot.router.drain()
        await server.accept()
    await server.record_all()  # the restart: every send recorded
    await bot.router.drain()
    await server.accept()

    assert await repo.pending_inbox(database) == [], "no answer left waiting"
    accepted_by = {
        d: {n for (dd, n, how) in plans if dd == d and how != "decline"} for d in PATIENTS
    }
    async with database.transaction() as db:
        taken = {d: (await dispatches.get(db, d)).taken_by for d in PATIENTS}
    for number, takers in accepted_by.items():
        if takers:
            assert taken[number] in takers, (number, taken, plans, points)
        else:
            assert taken[number] is None, (number, taken, plans, points)
    for nurse in NURSES:
        texts = server.to(nurse)
        for number, patient in PATIENTS.items():
            got = any(patient in text for text in texts)
            assert got == (taken[number] == nurse), (nurse, number, texts)
        assert not any("Plusieurs" in t for t in texts), texts


async def test_an_answer_to_a_send_never_recorded_is_told_after_the_wait(database) -> None:
    """The send it answers stays unrecorded (a stuck delivery): the answer waits at most
    WAIT_LIMIT, then is told it matches nothing; the other dispatch is not taken."""
    bot, server = Bot(database), CrashingHomeserver(database)
    offers = await two_dispatches(bot, server)
    await server.record(offers[(2, ALICE)])
    first = offers[(1, ALICE)]
    await bot.say(ALICE, first.room_id, "je prends", reply_to=first.event_id)
    assert len(await repo.pending_inbox(database)) == 1, "it waits"
    bot.clock[0] = NOW + WAIT_LIMIT + timedelta(seconds=1)
    await bot.router.drain()
    await server.accept()
    assert await repo.pending_inbox(database) == []
    assert any(TAKEN_NOWHERE in text for text in server.to(ALICE))
    async with database.transaction() as db:
        assert (await dispatches.get(db, 2)).taken_by is None
        assert (await dispatches.get(db, 1)).taken_by is None


async def test_a_thumbs_up_on_a_send_never_recorded_is_told_after_the_wait(database) -> None:
    bot, server = Bot(database), CrashingHomeserver(database)
    offers = await two_dispatches(bot, server)
    first = offers[(1, ALICE)]
    await repo.save_direct_room(database, ALICE, first.room_id, NOW)
    await bot.react(ALICE, first.room_id, "👍", first.event_id)
    assert len(await repo.pending_inbox(database)) == 1, "it waits"
    bot.clock[0] = NOW + WAIT_LIMIT + timedelta(seconds=1)
    await bot.router.drain()
    await server.accept()
    assert await repo.pending_inbox(database) == []
    assert any(TAKEN_NOWHERE in text for text in server.to(ALICE))
    async with database.transaction() as db:
        assert (await dispatches.get(db, 1)).taken_by is None


async def test_a_reply_to_a_foreign_or_unknown_event_takes_nothing(database) -> None:
    """Without any crash: « je prends » in reply to an event that is not the bot's (or
    does not exist) is told so, never given to the one dispatch waiting for her."""
    bot, server = Bot(database), CrashingHomeserver(database)
    await bot.say(
        COORDINATOR,
        COORD_ROOM,
        "déclenchement IDE domicile Hyères ce soir 20h pansement, patient d'accord\n"
        "patient : Mme Aubépine, 3 rue des Lilas, 06 12 34 56 78",
    )
    await server.record_all()
    room = f"!dm-{ALICE}"
    own = await bot.say(ALICE, room, "bonjour")
    await server.record_all()
    await bot.say(ALICE, room, "je prends", reply_to=own)
    await server.record_all()
    await bot.say(ALICE, room, "je prends", reply_to="$does-not-exist")
    await server.record_all()
    assert sum(TAKEN_NOWHERE in text for text in server.to(ALICE)) == 2
    async with database.transaction() as db:
        assert (await dispatches.get(db, 1)).taken_by is None
    # Not a reply: the one dispatch waiting for her is hers to take, as before.
    await bot.say(ALICE, room, "je prends")
    async with database.transaction() as db:
        assert (await dispatches.get(db, 1)).taken_by == ALICE
