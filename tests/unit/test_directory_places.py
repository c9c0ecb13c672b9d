"""Places in directory questions and answers: what was understood is said, a place outside
the territory is answered as such, a new question does not inherit the previous place."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from directory_fixtures import index, territory

from cpts_bot.core.messages import IncomingMessage
from cpts_bot.core.places.index import PlaceIndex
from cpts_bot.core.vocabulary_loader import load_vocabulary
from cpts_bot.features.directory.chat import DirectoryFeature, StaticIndexProvider
from cpts_bot.features.directory.professional_matcher import search
from cpts_bot.features.directory.query_parser import (
    ConversationContext,
    Intent,
    Lexicon,
    parse_query,
)
from cpts_bot.features.directory.replies import DirectoryReplies
from cpts_bot.i18n import Translator
from cpts_bot.services.context import Context
from cpts_bot.settings import Rooms, RoomsConfig, Sector, Territory
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ROOM = "!dm:cpts.example"
DOCTOR = "@dr.house:cpts.example"


def sectored_territory() -> Territory:
    """The test territory with a sector."""
    base = territory()
    east = Sector(name="Secteur est", aliases=["l'est lyonnais"], communes=["69259", "69029"])
    return Territory(name="CPTS Lyon Sud-Est", communes=base.communes, sectors=[east])


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    terr = sectored_territory()
    return Lexicon.build(
        load_vocabulary(), PlaceIndex.build(terr.communes, terr.sectors, terr.name)
    )


def test_places_outside_the_territory_are_kept_not_dropped(lexicon: Lexicon) -> None:
    query = parse_query("une infirmière à Villeurbanne", lexicon).query
    assert query.intent == Intent.FIND
    assert query.places == frozenset()
    assert [mention.name for mention in query.outside_places] == ["Villeurbanne"]


def test_former_commune_and_sector_resolve_to_the_territorys_communes(lexicon: Lexicon) -> None:
    assert parse_query("kiné à Béon", lexicon).query.places == {"01138"}
    assert parse_query("IDE secteur est", lexicon).query.places == {"69259", "69029"}
    assert parse_query("IDE sur la CPTS", lexicon).query.places == {
        commune.insee for commune in territory().communes
    }


def test_a_complete_new_question_does_not_inherit_the_previous_place(lexicon: Lexicon) -> None:
    first = parse_query("kiné à Bron", lexicon)
    second = parse_query(
        "un infirmier pour pansements et prise de sang à domicile", lexicon, first.context
    )
    assert second.query.places == frozenset()
    assert not second.query.follow_up


def test_follow_ups_keep_the_place(lexicon: Lexicon) -> None:
    first = parse_query("kiné à Bron", lexicon)
    second = parse_query("et à domicile ?", lexicon, first.context)
    assert second.query.places == {"69029"}
    assert second.query.professions == first.query.professions
    third = parse_query("et les infirmiers ?", lexicon, second.context)
    assert third.query.places == {"69029"}


def test_a_follow_up_to_a_place_outside(lexicon: Lexicon) -> None:
    first = parse_query("kiné à Bron", lexicon)
    second = parse_query("et à Villeurbanne ?", lexicon, first.context)
    assert second.query.places == frozenset()
    assert second.query.outside_places
    assert second.query.professions == first.query.professions


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("kiné à Béon", "Culoz-Béon (Béon)"),
        ("kiné à Lyon", "Lyon (3e, 7e et 8e)"),
        ("kiné secteur est", "Secteur est"),
        ("kiné aux Minguettes", "Vénissieux (Minguettes)"),
        ("kiné 69500", "69500 (Bron)"),
        ("kiné à Bron", "Bron"),
    ],
)
def test_the_reply_names_the_place_understood(lexicon: Lexicon, text: str, shown: str) -> None:
    query = parse_query(text, lexicon).query
    replies = DirectoryReplies(lexicon.vocabulary, lexicon.places, Translator("fr"))
    assert replies.criteria(query).endswith(shown)


def test_a_search_about_a_place_outside_finds_nobody_and_widens_nothing(
    lexicon: Lexicon,
) -> None:
    query = parse_query("un infirmier à Villeurbanne", lexicon).query
    result = search(index(), query, lexicon.vocabulary, lexicon.places)
    assert (result.total, result.matches, result.relaxations) == (0, (), ())
    inside = parse_query("un infirmier à Bron ou Villeurbanne", lexicon).query
    assert search(index(), inside, lexicon.vocabulary, lexicon.places).total > 0


# The chat feature ----------------------------------------------------------------------


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "x.sqlite")
    yield db
    await db.close()


async def ask(database: Database, feature: DirectoryFeature, body: str, number: int) -> dict:
    message = IncomingMessage(
        event_id=f"$event{number}",
        room_id=ROOM,
        sender=DOCTOR,
        body=body,
        timestamp=START,
        is_direct=True,
        mentions_bot=False,
    )
    config = RoomsConfig(
        territory=sectored_territory(),
        coordinators=["@coord:cpts.example"],
        rooms=Rooms(coordination="#coordination:cpts.example"),
    )
    async with database.transaction() as connection:
        outbox = OutboxWriter(connection, START, reply_to_event=message.event_id, reply_room=ROOM)
        context = Context(
            db=connection,
            now=START,
            outbox=outbox,
            config=config,
            translator=Translator("fr"),
            bot_user_id="@bot:cpts.example",
        )
        assert await feature.handle_message(message, context)
        cursor = await connection.execute("SELECT payload FROM outbox ORDER BY id DESC LIMIT 1")
        row = await cursor.fetchone()
    return json.loads(row["payload"])


async def test_a_place_outside_gets_a_clear_answer_and_the_hand_off_offer(
    database: Database,
) -> None:
    feature = DirectoryFeature(StaticIndexProvider(index()))
    reply = await ask(database, feature, "une infirmière à Villeurbanne ?", 1)
    lines = reply["text"].splitlines()
    assert lines[0] == "Villeurbanne n'est pas dans le territoire de la CPTS Lyon Sud-Est."
    assert "coordination" in lines[-1]
    # Never the territory's list instead.
    assert not any(line[:2] in ("1.", "2.") for line in lines)


async def test_inside_and_outside_answer_for_the_inside_and_say_so(database: Database) -> None:
    feature = DirectoryFeature(StaticIndexProvider(index()))
    reply = await ask(database, feature, "infirmier à Bron ou à Villeurbanne", 1)
    first, second = reply["text"].splitlines()[:2]
    assert first == (
        "Villeurbanne n'est pas dans le territoire de la CPTS Lyon Sud-Est. "
        "Réponse pour Bron seulement :"
    )
    assert "Bron" in second


async def test_a_new_question_in_chat_starts_fresh(database: Database) -> None:
    feature = DirectoryFeature(StaticIndexProvider(index()))
    await ask(database, feature, "kiné à Bron", 1)
    reply = await ask(database, feature, "infirmier pour pansements et injections", 2)
    assert "Bron" not in reply["text"].splitlines()[0]
    context: ConversationContext = feature.conversation(DOCTOR, ROOM, START)
    assert context.last_query is not None and context.last_query.places == frozenset()


def test_the_outside_line_in_english_and_for_several_places(lexicon: Lexicon) -> None:
    from cpts_bot.chat.place_labels import outside_line

    query = parse_query("nurse in Villeurbanne or in Nantes", lexicon).query
    line = outside_line(query, lexicon.places, Translator("en"))
    assert line == "Villeurbanne and Nantes are not in the territory of the CPTS Lyon Sud-Est."
    french = outside_line(query, lexicon.places, Translator("fr"))
    assert french == (
        "Villeurbanne et Nantes ne sont pas dans le territoire de la CPTS Lyon Sud-Est."
    )
