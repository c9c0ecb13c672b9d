"""Usual professional first, over a real SQLite: asked alone, the others after the delay
(or at once when they decline), nobody else when they take it, and a name the bot cannot
place asked again without losing the request."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cpts_bot.chat.command_dispatch import Routes, route_message
from cpts_bot.core.times import PARIS
from cpts_bot.features.directory.models import PracticeSite, Professional
from cpts_bot.features.dispatch import repository as repo
from cpts_bot.features.dispatch.chat import DispatchFeature
from cpts_bot.features.dispatch.escalation_service import run_due_dispatch_steps
from cpts_bot.features.dispatch.models import DueKind
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.database import Database
from tests.unit.dispatch_support import (
    COORDINATOR,
    HYERES,
    LA_CRAU,
    TOULON,
    FakeDirectory,
    FakeHomeserver,
    Sent,
    context_for,
    make_config,
    message,
    professional,
)

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=PARIS).astimezone(UTC)
ALICE, BOB, CARLA = (f"@{n}:cpts.test" for n in ("alice", "bob", "carla"))
MARTIN_A, MARTIN_C = "@amartin:cpts.test", "@cmartin:cpts.test"


def martin(user: str, first: str, commune: str) -> Professional:
    return Professional(
        key=f"cpts:{user}",
        last_name="Martin",
        first_name=first,
        profession_code="60",
        sites=(PracticeSite(commune, commune),),
        matrix_id=user,
    )


DIRECTORY = FakeDirectory(
    [
        professional(ALICE, "60", HYERES),
        professional(BOB, "60", HYERES),
        professional(CARLA, "60", LA_CRAU),
        martin(MARTIN_A, "Anne", TOULON),
        martin(MARTIN_C, "Chloé", LA_CRAU),
    ]
)
REQUEST = (
    "déclenchement IDE Hyères ce soir 20h pansement, patient d'accord, "
    "son IDE habituelle est Mme Carla"
)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "bot.sqlite")
    yield db
    await db.close()


class Desk:
    def __init__(self, database: Database, config: RoomsConfig | None = None) -> None:
        self.database = database
        self.config = config or make_config()
        self.feature = DispatchFeature(DIRECTORY)
        self.server = FakeHomeserver(database)

    async def say(
        self, sender: str, text: str, at: datetime = NOW, reply_to: Sent | None = None
    ) -> list[Sent]:
        incoming = message(
            sender,
            text,
            at,
            room=reply_to.room_id if reply_to else "!coord:cpts.test",
            reply_to=reply_to.event_id if reply_to else None,
            is_direct=reply_to is not None,
        )
        async with self.database.transaction() as db:
            context = context_for(db, self.config, at, incoming)
            await route_message(Routes.of(self.feature), incoming, context)
        return await self.server.flush(at)

    async def tick(self, at: datetime) -> list[Sent]:
        runtime = (self.database, self.config, DIRECTORY)
        await run_due_dispatch_steps(*runtime, at)
        return await self.server.flush(at)


def asked(sent: list[Sent]) -> set[str]:
    """Who received the request itself (« Déclenchement n°1 — … », urgent or not)."""
    return {
        s.target
        for s in sent
        if s.action == "direct_message" and "clenchement n°1 —" in s.text.split("\n")[0]
    }


async def test_the_usual_professional_is_asked_alone_then_the_others(
    database: Database, tmp_path: Path
) -> None:
    desk = Desk(database)
    sent = await desk.say(COORDINATOR, REQUEST)
    assert asked(sent) == {CARLA}  # although she practises in La Crau, not in Hyères
    to_carla = next(s.text for s in sent if s.target == CARLA)
    assert to_carla.endswith(
        "Vous suivez habituellement ce patient : la demande vous est faite en "
        "premier ; aux autres dans 30 min si ce n'est pas pris d'ici là."
    )
    confirmation = next(s.text for s in sent if s.target == "!coord:cpts.test")
    assert (
        "Demandé d'abord à Carla, qui suit habituellement ce patient ; aux autres dans 30 min"
        in confirmation
    )
    assert await desk.tick(NOW + timedelta(minutes=29)) == []
    # A restart between the two: the deadline is in the database.
    await database.close()
    desk.database = desk.server.database = await Database.open(tmp_path / "bot.sqlite")
    assert asked(await desk.tick(NOW + timedelta(minutes=30))) == {ALICE, BOB}
    assert await desk.tick(NOW + timedelta(minutes=31)) == []
    async with desk.database.transaction() as db:
        figures = await repo.figures(db, NOW - timedelta(days=1), NOW + timedelta(days=1))
    assert figures.escalated == 0  # asking the others after the usual is the normal course
    # The configured chain follows, from the widening on.
    runtime = (desk.database, desk.config, DIRECTORY)
    done = await run_due_dispatch_steps(*runtime, NOW + timedelta(minutes=40))
    assert [step.kind for step in done] == [DueKind.ESCALATE]
    notes = await desk.database.fetch_all(
        "SELECT note FROM dispatch_transitions WHERE event = 'escalate' ORDER BY id"
    )
    assert [row[0] for row in notes] == ["widen_from_usual", "widen_to_neighbours"]
    async with desk.database.transaction() as db:
        figures = await repo.figures(db, NOW - timedelta(days=1), NOW + timedelta(days=1))
    assert figures.escalated == 1  # by the neighbours' step
    expiry = await desk.database.fetch_all("SELECT expires_at, created_at FROM dispatches")
    assert datetime.fromisoformat(expiry[0][0]) - NOW == timedelta(minutes=90)
    await desk.database.close()


async def test_when_the_usual_professional_takes_it_nobody_else_is_asked(
    database: Database,
) -> None:
    desk = Desk(database)
    broadcast = next(s for s in await desk.say(COORDINATOR, REQUEST) if s.target == CARLA)
    taken = await desk.say(CARLA, "je prends", NOW + timedelta(minutes=5), reply_to=broadcast)
    assert any("est pour vous" in s.text for s in taken if s.target == CARLA)
    for minutes in (30, 60, 120, 240):
        assert asked(await desk.tick(NOW + timedelta(minutes=minutes))) == set()
    rows = await database.fetch_all("SELECT user_id FROM dispatch_recipients")
    assert [row[0] for row in rows] == [CARLA]
    [status] = await desk.say(COORDINATOR, "statut 1", NOW + timedelta(hours=5))
    assert "Professionnel habituel (demandé d'abord) : Carla." in status.text


async def test_when_the_usual_professional_declines_the_others_are_asked_at_once(
    database: Database,
) -> None:
    desk = Desk(database)
    broadcast = next(s for s in await desk.say(COORDINATOR, REQUEST) if s.target == CARLA)
    declined = await desk.say(CARLA, "pas dispo", NOW + timedelta(minutes=2), reply_to=broadcast)
    assert asked(declined) == {ALICE, BOB}


async def test_an_urgent_request_waits_less_for_the_usual_professional(
    database: Database,
) -> None:
    desk = Desk(database)
    await desk.say(COORDINATOR, REQUEST.replace("pansement", "pansement urgent"))
    assert await desk.tick(NOW + timedelta(minutes=9)) == []
    assert asked(await desk.tick(NOW + timedelta(minutes=10))) == {ALICE, BOB}


async def test_usual_first_delays_come_from_rooms_yaml(database: Database) -> None:
    config = make_config(dispatch={"usual_first_seconds": 5, "usual_first_urgent_seconds": 2})
    desk = Desk(database, config)
    await desk.say(COORDINATOR, REQUEST)
    assert await desk.tick(NOW + timedelta(seconds=4)) == []
    assert asked(await desk.tick(NOW + timedelta(seconds=5))) == {ALICE, BOB}


async def test_an_ambiguous_name_is_asked_again_and_nothing_is_lost(database: Database) -> None:
    desk = Desk(database)
    request = REQUEST.replace("Mme Carla", "Mme Martin") + "\npatient : M. D., 3 rue des Lilas"
    sent = await desk.say(COORDINATOR, request)
    assert asked(sent) == set()
    [question] = [s.text for s in sent]
    assert question.startswith("« Mme Martin » peut désigner plusieurs personnes (IDE) : ")
    assert "Anne Martin (Toulon)" in question and "Chloé Martin (La Crau)" in question
    sent = await desk.say(COORDINATOR, "Chloé Martin", NOW + timedelta(minutes=1))
    assert asked(sent) == {MARTIN_C}
    rows = await database.fetch_all("SELECT usual_professional, details, what FROM dispatches")
    assert tuple(rows[0]) == (MARTIN_C, "M. D., 3 rue des Lilas", "pansement")


async def test_an_unknown_name_can_be_dropped_with_personne(database: Database) -> None:
    desk = Desk(database)
    sent = await desk.say(COORDINATOR, REQUEST.replace("Mme Carla", "Mme Lefebvre"))
    assert [s.text for s in sent] == [
        "Je ne trouve pas « Mme Lefebvre » dans l'annuaire (IDE joignable ici). Répondez par "
        "son nom, son identifiant Matrix ou son numéro RPPS, ou « personne » pour demander à tous."
    ]
    sent = await desk.say(COORDINATOR, "Mme Lefebre", NOW + timedelta(minutes=1))
    assert next(s.text for s in sent).startswith("Je ne trouve pas « Mme Lefebre »")
    sent = await desk.say(COORDINATOR, "personne", NOW + timedelta(minutes=2))
    assert asked(sent) == {ALICE, BOB}
    rows = await database.fetch_all("SELECT usual_professional FROM dispatches")
    assert [row[0] for row in rows] == [None]


async def test_a_usual_professional_on_leave_is_not_waited_for(database: Database) -> None:
    desk = Desk(database)
    await database.execute(
        "INSERT INTO leaves (user_id, starts_at, ends_at, source, created_by, created_at)"
        " VALUES (?, ?, ?, 'chat', ?, ?)",
        (
            CARLA,
            (NOW - timedelta(days=1)).isoformat(),
            (NOW + timedelta(days=3)).isoformat(),
            CARLA,
            NOW.isoformat(),
        ),
    )
    sent = await desk.say(COORDINATOR, REQUEST)
    assert asked(sent) == {ALICE, BOB}
    confirmation = next(s.text for s in sent if s.target == "!coord:cpts.test")
    assert "Carla est en congé : la demande part à tous." in confirmation


async def test_handed_back_by_the_usual_professional_the_others_are_asked_next(
    database: Database,
) -> None:
    desk = Desk(database)
    broadcast = next(s for s in await desk.say(COORDINATOR, REQUEST) if s.target == CARLA)
    await desk.say(CARLA, "je prends", NOW + timedelta(minutes=2), reply_to=broadcast)
    handed_back = await desk.say(CARLA, "je ne peux plus 1", NOW + timedelta(minutes=5))
    assert asked(handed_back) == set()
    # The next look at deadlines, long before the usual professional's 30 minutes.
    assert asked(await desk.tick(NOW + timedelta(minutes=5, seconds=15))) == {ALICE, BOB}


async def test_a_relaunch_asks_everyone_asked_before_at_once(database: Database) -> None:
    desk = Desk(database)
    await desk.say(COORDINATOR, REQUEST)
    await desk.tick(NOW + timedelta(minutes=30))  # the others
    await desk.tick(NOW + timedelta(minutes=90))  # expired
    relaunched = await desk.say(COORDINATOR, "relancer 1", NOW + timedelta(minutes=95))
    assert asked(relaunched) == {ALICE, BOB, CARLA}
    rows = await database.fetch_all("SELECT step_index FROM dispatches")
    assert [row[0] for row in rows] == [1]  # the chain goes on after the usual's turn
