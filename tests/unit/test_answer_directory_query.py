"""The directory chat feature over a real SQLite database and the outbox."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from directory_fixtures import index, territory

from cpts_bot.core.messages import IncomingMessage
from cpts_bot.features.directory.chat import DirectoryFeature, StaticIndexProvider
from cpts_bot.features.directory.professional_matcher import DirectoryIndex
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ROOM = "!dm:cpts.example"
DOCTOR = "@dr.house:cpts.example"


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "x.sqlite")
    yield db
    await db.close()


def config() -> RoomsConfig:
    return RoomsConfig(territory=territory(), coordinators=["@coord:cpts.example"])


class Chat:
    """Send messages to the feature as the Matrix adapter would, one transaction each."""

    def __init__(self, database: Database, feature: DirectoryFeature, language: str = "fr"):
        self.database = database
        self.feature = feature
        self.translator = Translator(language)
        self.count = 0

    async def say(
        self,
        body: str,
        *,
        at: datetime = START,
        direct: bool = True,
        mentions_bot: bool = False,
        sender: str = DOCTOR,
    ) -> bool:
        self.count += 1
        message = IncomingMessage(
            event_id=f"$event{self.count}",
            room_id=ROOM,
            sender=sender,
            body=body,
            timestamp=at,
            is_direct=direct,
            mentions_bot=mentions_bot,
        )
        async with self.database.transaction() as connection:
            outbox = OutboxWriter(connection, at, reply_to_event=message.event_id, reply_room=ROOM)
            context = Context(
                db=connection,
                now=at,
                outbox=outbox,
                config=config(),
                translator=self.translator,
                bot_user_id="@bot:cpts.example",
            )
            return await self.feature.handle_message(message, context)

    async def replies(self) -> list[dict]:
        async with self.database.transaction() as connection:
            cursor = await connection.execute(
                "SELECT action, target, payload FROM outbox ORDER BY id"
            )
            rows = await cursor.fetchall()
        result = []
        for row in rows:
            payload = json.loads(row["payload"])
            payload["action"], payload["target"] = row["action"], row["target"]
            result.append(payload)
        return result


def feature() -> DirectoryFeature:
    return DirectoryFeature(StaticIndexProvider(index()))


async def test_question_answered_in_the_outbox(database: Database) -> None:
    chat = Chat(database, feature())
    assert await chat.say("kiné respi à domicile lyon 8")
    [reply] = await chat.replies()
    assert reply["action"] == "message"
    assert reply["target"] == ROOM
    assert reply["in_reply_to"] == "$event1"
    assert reply["notice"] is True
    assert reply["text"].startswith("1 masseur-kinésithérapeute pour")
    assert "matrix.to/#/@marie.durand:cpts.example" in reply["html"]


async def test_follow_ups_use_the_remembered_context(database: Database) -> None:
    chat = Chat(database, feature())
    await chat.say("infirmier")
    await chat.say("plus")
    await chat.say("et à Vénissieux plutôt ?")
    first, second, third = await chat.replies()
    assert "4 de plus" in first["text"]
    assert second["text"].splitlines()[1].startswith("6. ")
    assert third["text"].startswith("1 infirmier pour Vénissieux")


async def test_clarification_then_choice(database: Database) -> None:
    chat = Chat(database, feature())
    await chat.say("ortho à Bron")
    (answer,) = await chat.replies()
    assert "« ortho » compris comme : orthophoniste, orthoptiste." in answer["text"]


async def test_context_expires(database: Database) -> None:
    directory = feature()
    chat = Chat(database, directory)
    await chat.say("infirmier")
    later = START + timedelta(hours=2)
    assert await chat.say("plus", at=later)
    _, reply = await chat.replies()
    assert reply["text"].startswith("Rien à poursuivre")


async def test_contexts_are_per_user(database: Database) -> None:
    chat = Chat(database, feature())
    await chat.say("infirmier")
    await chat.say("plus", sender="@other:cpts.example")
    _, reply = await chat.replies()
    assert reply["text"].startswith("Rien à poursuivre")


async def test_other_messages_are_left_to_other_features(database: Database) -> None:
    chat = Chat(database, feature())
    assert not await chat.say("bonjour tout le monde")
    assert not await chat.say("qui est de garde ce soir ?")
    assert not await chat.say("déclenchement IDE à Bron")
    assert not await chat.say("aide")
    assert await chat.replies() == []


async def test_group_rooms_need_a_mention(database: Database) -> None:
    chat = Chat(database, feature())
    assert not await chat.say("kiné à Bron", direct=False)
    assert await chat.say("kiné à Bron", direct=False, mentions_bot=True)
    assert len(await chat.replies()) == 1


async def test_english_and_help(database: Database) -> None:
    chat = Chat(database, feature(), language="en")
    await chat.say("combien de kinés à Bron")
    await chat.say("aide annuaire")
    count, help_reply = await chat.replies()
    assert count["text"].startswith("1 professional for physiotherapist, Bron.")
    assert help_reply["text"].startswith("Ask me who does what, where")


async def test_the_index_provider_is_asked_each_time(database: Database) -> None:
    provider = StaticIndexProvider(DirectoryIndex.build([]))
    chat = Chat(database, DirectoryFeature(provider))
    await chat.say("kiné Bron")
    provider.replace(index())
    await chat.say("kiné Bron")
    empty, full = await chat.replies()
    assert empty["text"].startswith("Personne dans l'annuaire")
    assert full["text"].startswith("1 masseur-kinésithérapeute")


def test_help_lines() -> None:
    lines = feature().help_lines(Translator("fr"), is_coordinator=False)
    assert lines == [
        "Annuaire : « kiné respi à domicile Lyon 8 », « combien d'IDE à Bron ? », puis « plus »"
    ]


async def test_a_name_alone_is_a_question_about_that_person(database: Database) -> None:
    """« Marie Durand » with no other word: the person of the directory, not « Je n'ai
    pas compris »; words that name nobody are still left to the others."""
    chat = Chat(database, feature())
    assert await chat.say("Marie Durand")
    assert not await chat.say("il pleut des cordes")
    [reply] = await chat.replies()
    assert "Marie" in reply["text"].splitlines()[0] or "DURAND" in reply["text"].upper()
    assert "matrix.to/#/@marie.durand:cpts.example" in reply["html"]


async def test_nobody_of_that_name_is_said_plainly(database: Database) -> None:
    """A name nobody has: not « Personne dans l'annuaire pour tout l'annuaire »."""
    chat = Chat(database, feature())
    assert await chat.say("Mme Zorglub")
    [reply] = await chat.replies()
    assert reply["text"].splitlines()[0] == "Personne dans l'annuaire ne correspond à ces mots."
    assert "tout l'annuaire" not in reply["text"]
    assert "zorglub" in reply["text"].lower()
