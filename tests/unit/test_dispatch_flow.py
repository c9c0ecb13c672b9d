"""Dispatch requests end to end over a real SQLite: create, broadcast, accept, escalate."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cpts_bot.chat.dispatch_feature import DispatchFeature
from cpts_bot.domain.times import PARIS
from cpts_bot.storage import dispatch_repository as repo
from tests.unit.dispatch_support import (
    COORDINATOR,
    HYERES,
    LA_CRAU,
    TOULON,
    FakeDirectory,
    FakeHomeserver,
    context_for,
    make_config,
    message,
    professional,
    reaction,
)

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=PARIS).astimezone(UTC)
ALICE, BOB, CARLA, DAN, EVE = (f"@{n}:cpts.test" for n in ("alice", "bob", "carla", "dan", "eve"))


def directory() -> FakeDirectory:
    return FakeDirectory([
        professional(ALICE, "60", HYERES, phone="04 94 00 00 01"),
        professional(BOB, "60", HYERES),
        professional(CARLA, "60", LA_CRAU),
        professional(DAN, "60", TOULON),
        professional(EVE, "70", HYERES),
        professional("@dr:cpts.test", "10", HYERES, phone="04 94 11 11 11"),
    ])


@pytest.fixture
async def env(tmp_path: Path):
    from tests.unit.dispatch_support import open_database
    database = await open_database(tmp_path)
    yield database
    await database.close()


async def say(database, feature, config, msg, now=NOW) -> bool:
    async with database.transaction() as db:
        return await feature.handle_message(msg, context_for(db, config, now, msg))


async def react(database, feature, config, event, now=NOW) -> bool:
    async with database.transaction() as db:
        return await feature.handle_reaction(event, context_for(db, config, now, event))


async def test_dispatch_in_one_message_first_accept_wins(env) -> None:
    config = make_config()
    feature = DispatchFeature(directory())
    server = FakeHomeserver(env)
    request = message(COORDINATOR, "déclenchement IDE domicile Hyères ce soir 20h pansement "
                      "post-op\npatient: Mme Durand, 3 rue des Lilas, 06 12 34 56 78", NOW)
    assert await say(env, feature, config, request)
    sent = await server.flush(NOW)
    broadcasts = {s.target: s for s in sent if s.action == "direct_message"}
    assert set(broadcasts) == {ALICE, BOB}
    for item in broadcasts.values():
        assert "Durand" not in item.text and "Lilas" not in item.text
        assert "pansement post-op" in item.text
        assert "lun. 23 nov. 20:00" in item.text
    confirmation = next(s for s in sent if s.action == "message")
    assert confirmation.text.startswith("Déclenchement n°1 envoyé à 2 professionnels")
    # Bob replies "je prends", then Alice reacts 👍: Bob wins, Alice is told it is taken.
    assert await say(env, feature, config, message(
        BOB, "ok je prends", NOW, room=broadcasts[BOB].room_id,
        reply_to=broadcasts[BOB].event_id, is_direct=True))
    assert await react(env, feature, config, reaction(ALICE, "👍", broadcasts[ALICE].event_id, NOW))
    sent = await server.flush(NOW)
    to_bob = [s for s in sent if s.target == BOB]
    assert any("Durand" in s.text and "coord" in s.text for s in to_bob)
    to_coord = [s for s in sent if s.target == COORDINATOR]
    assert any("pris par" in s.text and "Bob" in s.text for s in to_coord)
    to_alice = [s.text for s in sent if s.target == ALICE]
    assert any("pris par Bob" in text for text in to_alice)
    assert any("Déjà pris par Bob" in text for text in to_alice)
    edits = [s for s in sent if s.action == "edit"]
    assert {s.payload["replaces"] for s in edits} >= {broadcasts[ALICE].event_id}
    async with env.transaction() as db:
        dispatch = await repo.get(db, 1)
        events = [row["event"] for row in await repo.transitions(db, 1)]
    assert dispatch is not None and dispatch.taken_by == BOB and dispatch.state == "taken"
    assert events == ["create", "accept"]

