"""Consent before sharing (L1110-4): a request carries « patient informé et d'accord »
(asked for when missing if the CPTS wants it, recorded with the request); the broadcast
says commune, care and time only, the identity moving to the details the taker alone
reads; a refusal keeps no details."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cpts_bot.chat.command_dispatch import Routes, route_message
from cpts_bot.core.times import PARIS
from cpts_bot.features.dispatch.chat import DispatchFeature
from cpts_bot.features.dispatch.consent.consent_repository import consent_of
from cpts_bot.features.dispatch.phrases import parse_request
from cpts_bot.services.context import places_for
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
CONFIG = make_config(dispatch={"ask_consent": True})
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


class Desk:
    def __init__(self, database: Database) -> None:
        self.database = database
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
            context = context_for(db, CONFIG, NOW, incoming)
            await route_message(Routes.of(self.feature), incoming, context)
        return await self.server.flush(NOW + timedelta(seconds=1))

    async def consent(self) -> bool | None:
        async with self.database.transaction() as db:
            return await consent_of(db, 1)


REQUEST = (
    "déclenchement IDE Hyères ce soir 20h pansement Mme Durand 12 rue des Lilas 06 12 34 56 78"
)


async def test_consent_is_asked_recorded_and_the_details_go_to_the_taker_only(
    tmp_path: Path,
) -> None:
    desk = Desk(await Database.open(tmp_path / "bot.sqlite"))
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
    await desk.database.close()


async def test_without_consent_only_the_anonymous_request_goes(tmp_path: Path) -> None:
    desk = Desk(await Database.open(tmp_path / "bot.sqlite"))
    await desk.say(COORDINATOR, REQUEST)
    sent = await desk.say(COORDINATOR, "non")
    assert await desk.consent() is False
    [created] = [s for s in sent if s.target == "!coord:cpts.test"]
    assert "Sans l'accord du patient, seule la demande anonyme" in created.text
    offers = [s for s in sent if s.target in (ALICE, BOB)]
    taken = await desk.say(BOB, "je prends", reply_to=offers[0])
    everything = "\n".join(s.text for s in [*sent, *taken])
    assert not any(word in everything for word in IDENTITY), everything
    await desk.database.close()
