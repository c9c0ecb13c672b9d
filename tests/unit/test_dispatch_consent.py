"""Consent before sharing (L1110-4): a request carries « patient informé et d'accord »
(asked for when missing, by default; recorded with the request); the broadcast says
commune, care and time only, the identity moving to the details the taker alone reads; a
refusal keeps no details; an urgent request goes out anonymised at once and its details
wait for the answer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cpts_bot.chat.command_dispatch import Routes, route_message
from cpts_bot.core.times import PARIS
from cpts_bot.features.dispatch.chat import DispatchFeature
from cpts_bot.features.dispatch.consent.consent_repository import consent_of
from cpts_bot.features.dispatch.phrases import parse_request
from cpts_bot.services.context import places_for
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.database import Database
from tests.unit.dispatch_support import (
    COORDINATOR,
    HYERES,
    FakeDirectory,
    FakeHomeserver,
    Sent,
    context_for,
    make_config,
    message,
    professional,
)

ALICE, BOB = "@alice:cpts.test", "@bob:cpts.test"
DIRECTORY = FakeDirectory([professional(ALICE, "60", HYERES), professional(BOB, "60", HYERES)])
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=PARIS).astimezone(UTC)
CONFIG = make_config()  # the default: the consent is asked for when unsaid
IDENTITY = ("Durand", "Lilas", "06 12 34 56 78")


def test_the_request_says_consent_and_its_care_words_lose_the_identity() -> None:
    fields = parse_request(
        "déclenchement IDE Hyères ce soir 20h pansement Mme Durand 12 rue des Lilas "
        "06 12 34 56 78, patient informé et d'accord",
        NOW,
        places_for(CONFIG),
    )
    assert fields.consent is True
    assert fields.what == "pansement"
    assert fields.details == "06 12 34 56 78, 12 rue des Lilas, Mme Durand"
    assert (
        parse_request(
            "déclenchement IDE Hyères ce soir pansement, sans son accord", NOW, places_for(CONFIG)
        ).consent
        is False
    )


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """Closed even when a test fails (an open one would keep the run from ending)."""
    db = await Database.open(tmp_path / "bot.sqlite")
    yield db
    await db.close()


class Desk:
    def __init__(self, database: Database, config: RoomsConfig = CONFIG) -> None:
        self.database = database
        self.config = config
        self.server = FakeHomeserver(database)
        self.feature = DispatchFeature(DIRECTORY)

    async def say(self, sender: str, text: str, reply_to: Sent | None = None) -> list[Sent]:
        incoming = message(
            sender,
            text,
            NOW,
            room=reply_to.room_id if reply_to else "!coord:cpts.test",
            reply_to=reply_to.event_id if reply_to else None,
            is_direct=reply_to is not None,
        )
        async with self.database.transaction() as db:
            context = context_for(db, self.config, NOW, incoming)
            await route_message(Routes.of(self.feature), incoming, context)
        return await self.server.flush(NOW + timedelta(seconds=1))

    async def consent(self) -> bool | None:
        async with self.database.transaction() as db:
            return await consent_of(db, 1)

    async def dispatches(self) -> int:
        async with self.database.transaction() as db:
            async with db.execute("SELECT count(*) FROM dispatches") as cursor:
                return int((await cursor.fetchone())[0])


REQUEST = (
    "déclenchement IDE Hyères ce soir 20h pansement Mme Durand 12 rue des Lilas 06 12 34 56 78"
)


async def test_consent_is_asked_recorded_and_the_details_go_to_the_taker_only(
    database: Database,
) -> None:
    desk = Desk(database)
    [question] = await desk.say(COORDINATOR, REQUEST)
    assert question.text == (
        "Le patient est-il informé et d'accord pour que sa prise en charge soit partagée avec "
        "les professionnels sollicités ? (oui / non)"
    )
    sent = await desk.say(COORDINATOR, "oui")
    assert await desk.consent() is True
    offers = [s for s in sent if s.target in (ALICE, BOB)]
    assert len(offers) == 2
    for offer in offers:
        assert "pansement" in offer.text and "Hyères" in offer.text
        assert not any(word in offer.text for word in IDENTITY), offer.text
    taken = await desk.say(ALICE, "je prends", reply_to=offers[0])
    details = "\n".join(s.text for s in taken if s.target == ALICE)
    assert all(word in details for word in IDENTITY), details


async def test_without_consent_only_the_anonymous_request_goes(database: Database) -> None:
    desk = Desk(database)
    await desk.say(COORDINATOR, REQUEST)
    sent = await desk.say(COORDINATOR, "non")
    assert await desk.consent() is False
    [created] = [s for s in sent if s.target == "!coord:cpts.test"]
    assert "Sans l'accord du patient, seule la demande anonyme" in created.text
    offers = [s for s in sent if s.target in (ALICE, BOB)]
    taken = await desk.say(BOB, "je prends", reply_to=offers[0])
    everything = "\n".join(s.text for s in [*sent, *taken])
    assert not any(word in everything for word in IDENTITY), everything


def offers_in(sent: list[Sent]) -> list[Sent]:
    return [s for s in sent if s.target in (ALICE, BOB)]


async def test_a_cpts_may_turn_the_question_off(database: Database) -> None:
    config = make_config(dispatch={"ask_consent": False})
    desk = Desk(database, config)
    sent = await desk.say(COORDINATOR, REQUEST)
    assert len(offers_in(sent)) == 2
    assert await desk.consent() is None  # unsaid, and recorded so


URGENT = (
    "déclenchement urgent IDE Hyères maintenant pansement Mme Durand 12 rue des Lilas "
    "06 12 34 56 78"
)


async def test_an_urgent_request_goes_at_once_and_its_details_wait_for_the_consent(
    database: Database,
) -> None:
    desk = Desk(database)
    sent = await desk.say(COORDINATOR, URGENT)
    offers = offers_in(sent)
    assert len(offers) == 2  # not delayed by the question
    [created] = [s for s in sent if s.target == "!coord:cpts.test"]
    assert "la demande anonyme (commune, soin, heure) est partie tout de suite" in created.text
    assert "(oui / non)" in created.text
    taken = await desk.say(ALICE, "je prends", reply_to=offers[0])
    everything = "\n".join(s.text for s in [*sent, *taken])
    assert not any(word in everything for word in IDENTITY), everything
    assert await desk.consent() is None
    agreed = await desk.say(COORDINATOR, "oui")
    assert await desk.consent() is True
    [details] = [s for s in agreed if s.target == ALICE]
    assert all(word in details.text for word in IDENTITY), details.text
    [note] = [s for s in agreed if s.target == "!coord:cpts.test"]
    assert note.text.startswith("C'est noté : le patient est d'accord. Les détails ont été envoyés")
    assert await desk.dispatches() == 1  # the answer sent nothing new


async def test_an_urgent_request_agreed_before_it_is_taken_gives_the_taker_the_details(
    database: Database,
) -> None:
    desk = Desk(database)
    offers = offers_in(await desk.say(COORDINATOR, URGENT))
    not_an_answer = await desk.say(COORDINATOR, "je ne sais pas encore")
    assert [s.text for s in not_an_answer][-1].startswith("Le patient est-il informé")
    agreed = await desk.say(COORDINATOR, "oui, il est d'accord")
    assert "Les détails iront à qui prendra le déclenchement n°1." in agreed[-1].text
    taken = await desk.say(BOB, "je prends", reply_to=offers[1])
    details = "\n".join(s.text for s in taken if s.target == BOB)
    assert all(word in details for word in IDENTITY), details
    assert await desk.dispatches() == 1


async def test_an_urgent_request_refused_stays_anonymous(database: Database) -> None:
    desk = Desk(database)
    sent = await desk.say(COORDINATOR, URGENT)
    refused = await desk.say(COORDINATOR, "non")
    assert await desk.consent() is False
    assert "le déclenchement n°1 reste anonyme" in refused[-1].text
    taken = await desk.say(ALICE, "je prends", reply_to=offers_in(sent)[0])
    everything = "\n".join(s.text for s in [*sent, *refused, *taken])
    assert not any(word in everything for word in IDENTITY), everything
    async with desk.database.transaction() as db:
        async with db.execute("SELECT fields FROM dispatch_drafts") as cursor:
            assert await cursor.fetchall() == []  # the held details are gone too


async def test_an_urgent_request_without_details_says_only_that_the_patient_agrees(
    database: Database,
) -> None:
    desk = Desk(database)
    sent = await desk.say(COORDINATOR, "déclenchement urgent IDE Hyères maintenant perfusion")
    assert len(offers_in(sent)) == 2
    agreed = await desk.say(COORDINATOR, "oui")
    assert [s.text for s in agreed] == ["C'est noté : le patient est d'accord (déclenchement n°1)."]
    assert await desk.consent() is True
