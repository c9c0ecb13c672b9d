"""Deadlines: the pure due_steps, and the scheduler's service over a real SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cpts_bot.chat.command_dispatch import Routes, route_message
from cpts_bot.core.times import PARIS
from cpts_bot.features.dispatch.chat import DispatchFeature
from cpts_bot.features.dispatch.escalation_service import run_due_dispatch_steps, run_due_steps_in
from cpts_bot.features.dispatch.models import Dispatch, DueKind, DueStep, due_steps
from cpts_bot.features.dispatch.policy import DispatchPolicy, EscalationAction, policy_from_config
from cpts_bot.features.dispatch.states import DispatchState
from cpts_bot.storage.database import Database
from tests.unit.dispatch_support import (
    CARQUEIRANNE,
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
)

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=PARIS).astimezone(UTC)
ALICE, BOB, CARLA, DAN = (f"@{n}:cpts.test" for n in ("alice", "bob", "carla", "dan"))


def dispatch(
    id: int, state: DispatchState, expires: int, next_step: int | None, step: int = 0
) -> Dispatch:
    return Dispatch(
        id=id,
        state=state,
        requester=COORDINATOR,
        request_room="!r:cpts.test",
        profession="60",
        communes=(HYERES,),
        needed_at=NOW,
        needed_precision="time",
        what="soin",
        expires_at=NOW + timedelta(minutes=expires),
        created_at=NOW,
        updated_at=NOW,
        step_index=step,
        next_step_at=NOW + timedelta(minutes=next_step) if next_step is not None else None,
    )


def test_due_steps_table() -> None:
    later = NOW + timedelta(minutes=30)
    dispatches = [
        dispatch(1, DispatchState.OPEN, expires=60, next_step=10, step=0),  # escalate
        dispatch(2, DispatchState.OPEN, expires=20, next_step=10, step=1),  # expire first
        dispatch(3, DispatchState.OPEN, expires=60, next_step=40),  # not yet
        dispatch(4, DispatchState.TAKEN, expires=10, next_step=10),  # taken: nothing
        dispatch(5, DispatchState.EXPIRED, expires=10, next_step=None),
        dispatch(6, DispatchState.OPEN, expires=60, next_step=None),  # chain finished
        dispatch(7, DispatchState.OPEN, expires=30, next_step=5),  # expiry exactly now
    ]
    assert due_steps(dispatches, later) == [
        DueStep(1, DueKind.ESCALATE, 0, NOW + timedelta(minutes=10)),
        DueStep(2, DueKind.EXPIRE, 1, NOW + timedelta(minutes=20)),
        DueStep(7, DueKind.EXPIRE, 0, NOW + timedelta(minutes=30)),
    ]
    assert due_steps(dispatches, NOW) == []


def test_policy_defaults_and_validation() -> None:
    policy = DispatchPolicy()
    assert [step.action for step in policy.escalation] == [
        EscalationAction.WIDEN_TO_NEIGHBOURS,
        EscalationAction.ALL_PROFESSION,
        EscalationAction.NOTIFY_COORDINATION,
    ]
    assert policy.step(3) is None
    config = make_config(
        dispatch={
            "expire_after_minutes": 15,
            "escalation": [{"after_minutes": 5, "action": "all_profession"}],
        }
    )
    assert policy_from_config(config).expire_after_minutes == 15
    with pytest.raises(ValueError, match=r"extra|Extra"):
        DispatchPolicy.model_validate({"expire_after": 3})
    with pytest.raises(ValueError, match="action"):
        DispatchPolicy.model_validate({"escalation": [{"after_minutes": 5, "action": "pray"}]})


@pytest.fixture
async def database(tmp_path: Path):
    db = await Database.open(tmp_path / "bot.sqlite")
    yield db
    await db.close()


DIRECTORY = FakeDirectory(
    [
        professional(ALICE, "60", HYERES),
        professional(BOB, "60", HYERES),
        professional(CARLA, "60", LA_CRAU),
        professional("@cathy:cpts.test", "60", CARQUEIRANNE),
        professional(DAN, "60", TOULON),
    ]
)


async def test_escalation_chain_then_expiry_survives_a_restart(tmp_path: Path) -> None:
    config = make_config(rooms={"coordination": "!coordination:cpts.test"})
    feature = DispatchFeature(DIRECTORY)
    database = await Database.open(tmp_path / "bot.sqlite")
    server = FakeHomeserver(database)
    request = message(
        COORDINATOR, "déclenchement IDE Hyères ce soir 20h pansement, patient d'accord", NOW
    )
    async with database.transaction() as db:
        await route_message(Routes.of(feature), request, context_for(db, config, NOW, request))
    first = {s.target for s in await server.flush(NOW) if s.action == "direct_message"}
    assert first == {ALICE, BOB}
    runtime = (database, config, DIRECTORY)

    assert await run_due_dispatch_steps(*runtime, NOW + timedelta(minutes=9)) == []
    done = await run_due_dispatch_steps(*runtime, NOW + timedelta(minutes=10))
    assert [step.kind for step in done] == [DueKind.ESCALATE]
    widened = {s.target for s in await server.flush(NOW) if s.action == "direct_message"}
    assert widened == {CARLA, "@cathy:cpts.test"}  # the neighbours of Hyères

    # Restart: a new process reads the same database; nothing is done twice.
    await database.close()
    database = await Database.open(tmp_path / "bot.sqlite")
    server.database = database
    runtime = (database, config, DIRECTORY)
    assert await run_due_dispatch_steps(*runtime, NOW + timedelta(minutes=15)) == []

    await run_due_dispatch_steps(*runtime, NOW + timedelta(minutes=20))
    everyone = {s.target for s in await server.flush(NOW) if s.action == "direct_message"}
    assert everyone == {DAN}
    await run_due_dispatch_steps(*runtime, NOW + timedelta(minutes=30))
    coordination = await server.flush(NOW)
    assert [s.target for s in coordination] == ["!coordination:cpts.test"]
    assert "Personne n'a accepté le déclenchement n°1 après 30 min (5 sollicités)" in (
        coordination[0].text
    )
    assert await run_due_dispatch_steps(*runtime, NOW + timedelta(minutes=59)) == []
    expired = await run_due_dispatch_steps(*runtime, NOW + timedelta(minutes=60))
    assert [step.kind for step in expired] == [DueKind.EXPIRE]
    sent = await server.flush(NOW)
    to_requester = [s.text for s in sent if s.target == COORDINATOR]
    assert len(to_requester) == 1 and to_requester[0].startswith("Déclenchement n°1 expiré")
    assert {s.payload["replaces"] for s in sent if s.action == "edit"}  # broadcasts marked
    assert await run_due_dispatch_steps(*runtime, NOW + timedelta(hours=5)) == []
    events = await database.fetch_all(
        "SELECT event, actor, note FROM dispatch_transitions ORDER BY id"
    )
    assert [tuple(row) for row in events] == [
        ("create", COORDINATOR, ""),
        ("escalate", "system", "widen_to_neighbours"),
        ("escalate", "system", "all_profession"),
        ("escalate", "system", "notify_coordination"),
        ("expire", "system", ""),
    ]
    await database.close()


async def test_an_accept_before_the_deadline_stops_the_chain(database: Database) -> None:
    config = make_config()
    feature = DispatchFeature(DIRECTORY)
    server = FakeHomeserver(database)
    request = message(
        COORDINATOR, "déclenchement IDE Hyères ce soir 20h pansement, patient d'accord", NOW
    )
    async with database.transaction() as db:
        await route_message(Routes.of(feature), request, context_for(db, config, NOW, request))
    sent = {s.target: s for s in await server.flush(NOW) if s.action == "direct_message"}
    accept = message(
        ALICE, "dispo", NOW, room=sent[ALICE].room_id, reply_to=sent[ALICE].event_id, is_direct=True
    )
    async with database.transaction() as db:
        await route_message(Routes.of(feature), accept, context_for(db, config, NOW, accept))
    runtime = (database, config, DIRECTORY)
    assert await run_due_dispatch_steps(*runtime, NOW + timedelta(hours=2)) == []


async def test_when_everyone_declines_the_next_step_comes_at_once(database: Database) -> None:
    config = make_config()
    feature = DispatchFeature(DIRECTORY)
    server = FakeHomeserver(database)
    request = message(
        COORDINATOR, "déclenchement IDE Hyères ce soir 20h pansement, patient d'accord", NOW
    )
    async with database.transaction() as db:
        await route_message(Routes.of(feature), request, context_for(db, config, NOW, request))
    sent = {s.target: s for s in await server.flush(NOW) if s.action == "direct_message"}
    runtime = (database, config, DIRECTORY)
    for user in (ALICE, BOB):
        decline = message(
            user,
            "pas dispo",
            NOW,
            room=sent[user].room_id,
            reply_to=sent[user].event_id,
            is_direct=True,
        )
        async with database.transaction() as db:
            await route_message(Routes.of(feature), decline, context_for(db, config, NOW, decline))
        if user == ALICE:
            assert await run_due_dispatch_steps(*runtime, NOW + timedelta(minutes=1)) == []
    assert len(await run_due_dispatch_steps(*runtime, NOW + timedelta(minutes=1))) == 1
    noted = [
        s.target
        for s in await server.flush(NOW)
        if s.text == "C'est noté, merci (déclenchement n°1)."
    ]
    assert sorted(noted) == [sent[ALICE].room_id, sent[BOB].room_id]


async def test_the_periodic_job_runs_due_steps_in_its_transaction(database: Database) -> None:
    config = make_config()
    feature = DispatchFeature(DIRECTORY)
    server = FakeHomeserver(database)
    request = message(
        COORDINATOR, "déclenchement IDE Hyères ce soir 20h pansement, patient d'accord", NOW
    )
    async with database.transaction() as db:
        await route_message(Routes.of(feature), request, context_for(db, config, NOW, request))
    await server.flush(NOW)
    later = NOW + timedelta(minutes=10)
    async with database.transaction() as db:
        await feature.run_due_steps(context_for(db, config, later, None))
    widened = {s.target for s in await server.flush(later) if s.action == "direct_message"}
    assert widened == {CARLA, "@cathy:cpts.test"}
    async with database.transaction() as db:
        await feature.run_due_steps(context_for(db, config, later, None))
    assert await server.flush(later) == []


async def test_run_due_steps_in_a_job_context(database: Database) -> None:
    config = make_config()
    feature = DispatchFeature(DIRECTORY)
    server = FakeHomeserver(database)
    request = message(
        COORDINATOR, "déclenchement IDE Hyères ce soir 20h pansement, patient d'accord", NOW
    )
    async with database.transaction() as db:
        await route_message(Routes.of(feature), request, context_for(db, config, NOW, request))
    await server.flush(NOW)
    later = NOW + timedelta(minutes=61)
    async with database.transaction() as db:
        context = context_for(db, config, later, None).with_directory(DIRECTORY)
        done = await run_due_steps_in(context)
    assert [step.kind for step in done] == [DueKind.EXPIRE]


def test_dispatch_figures() -> None:
    from cpts_bot.features.dispatch.models import dispatch_figures

    taken = dispatch(1, DispatchState.TAKEN, expires=60, next_step=None)
    slow = dispatch(2, DispatchState.TAKEN, expires=60, next_step=None)
    expired = dispatch(3, DispatchState.EXPIRED, expires=60, next_step=None)
    at = lambda minutes: NOW + timedelta(minutes=minutes)  # noqa: E731
    transitions = [
        (1, "create", at(0)),
        (1, "accept", at(2)),
        (1, "hand_back", at(5)),
        (1, "accept", at(9)),
        (2, "create", at(0)),
        (2, "escalate", at(10)),
        (2, "accept", at(12)),
        (3, "create", at(0)),
        (3, "escalate", at(10)),
        (3, "escalate", at(20)),
        (3, "expire", at(60)),
        (99, "accept", at(1)),  # not in the period
    ]
    figures = dispatch_figures([taken, slow, expired], transitions)
    assert figures.created == 3
    assert figures.by_state == {"taken": 2, "expired": 1}
    assert figures.by_profession == {"60": 3}
    assert figures.taken_within_minutes_median == 7.0  # (2 + 12) / 2
    assert figures.taken_within_minutes_max == 12.0
    assert (figures.escalated, figures.handed_back) == (2, 1)
    assert dispatch_figures([], []).taken_within_minutes_median is None


async def test_figures_read_from_the_database(database: Database) -> None:
    from cpts_bot.features.dispatch import repository as repo

    config = make_config()
    feature = DispatchFeature(DIRECTORY)
    server = FakeHomeserver(database)
    request = message(
        COORDINATOR, "déclenchement IDE Hyères ce soir 20h pansement, patient d'accord", NOW
    )
    async with database.transaction() as db:
        await route_message(Routes.of(feature), request, context_for(db, config, NOW, request))
    sent = {s.target: s for s in await server.flush(NOW) if s.action == "direct_message"}
    later = NOW + timedelta(minutes=4)
    accept = message(BOB, "je prends", later, room=sent[BOB].room_id, reply_to=sent[BOB].event_id)
    async with database.transaction() as db:
        await route_message(Routes.of(feature), accept, context_for(db, config, later, accept))
        figures = await repo.figures(db, NOW - timedelta(days=1), NOW + timedelta(days=1))
        empty = await repo.figures(db, NOW + timedelta(days=1), NOW + timedelta(days=2))
    assert (figures.created, figures.by_state, figures.taken_within_minutes_median) == (
        1,
        {"taken": 1},
        4.0,
    )
    assert empty.created == 0


def test_seconds_are_used_instead_of_minutes_when_given() -> None:
    policy = DispatchPolicy.model_validate(
        {
            "expire_after_minutes": 30,
            "expire_after_seconds": 20,
            "check_every_seconds": 1,
            "escalation": [
                {"after_seconds": 5, "action": "all_profession"},
                {"after_minutes": 2, "action": "notify_coordination"},
            ],
        }
    )
    assert policy.expire_after == timedelta(seconds=20)
    assert [step.delay for step in policy.escalation] == [
        timedelta(seconds=5),
        timedelta(minutes=2),
    ]
    assert policy.check_every_seconds == 1
    assert DispatchPolicy().expire_after == timedelta(minutes=60)
    assert DispatchPolicy().check_every_seconds == 15
    with pytest.raises(ValueError, match="after_minutes"):
        DispatchPolicy.model_validate({"escalation": [{"action": "all_profession"}]})
