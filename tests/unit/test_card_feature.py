import json
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

import cpts_bot.features.card.chat as card_feature_module
from cpts_bot.chat.command_dispatch import Routes, route_message
from cpts_bot.core.messages import IncomingMessage
from cpts_bot.features.card.chat import CardFeature
from cpts_bot.features.directory.card import Card, ModalityDeclaration
from cpts_bot.features.directory.models import Modality, PracticeSite
from cpts_bot.features.directory.repository import SOURCE_CPTS, DirectoryRepository, NationalRecord
from cpts_bot.i18n import Translator
from cpts_bot.i18n.translator import LOCALES_DIR
from cpts_bot.services.context import Context
from cpts_bot.settings import RoomsConfig
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
BOT = "@cpts-bot:example.org"
COORDINATOR = "@coord:example.org"
CONFIG = RoomsConfig.model_validate(
    {
        "territory": {"name": "CPTS Lyon 8", "communes": [{"insee": "69388", "name": "Lyon 8e"}]},
        "coordinators": [COORDINATOR],
    }
)


def record(key: str, last: str, first: str) -> NationalRecord:
    return NationalRecord(
        key=key,
        rpps=key[1:] if key.startswith("8") else None,
        title="",
        last_name=last,
        first_name=first,
        profession_code="60",
        profession_label="Infirmier",
        sites=(PracticeSite("69388", "Lyon 8e", "69008", "1 rue A"),),
    )


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "bot.sqlite")
    async with db.transaction() as connection:
        repository = DirectoryRepository(connection)
        await repository.upsert_national(
            [
                record("810000000001", "MARTIN", "Claire"),
                record("810000000002", "DURAND", "Paul"),
                record("810000000003", "DURAND", "Anne"),
            ],
            SOURCE_CPTS,
            NOW,
        )
        await repository.save_card(
            "810000000001", Card(matrix_id="@claire:example.org"), "test", NOW
        )
    yield db
    await db.close()


async def say(
    database: Database,
    sender: str,
    body: str,
    *,
    language: str = "fr",
    is_direct: bool = True,
    mentions_bot: bool = False,
    feature: CardFeature | None = None,
) -> tuple[bool, list[str]]:
    message = IncomingMessage(
        event_id="$e1",
        room_id="!dm:example.org",
        sender=sender,
        body=body,
        timestamp=NOW,
        is_direct=is_direct,
        mentions_bot=mentions_bot,
    )
    async with database.transaction() as connection:
        before = (await (await connection.execute("SELECT count(*) FROM outbox")).fetchone())[0]
        context = Context(
            db=connection,
            now=NOW,
            outbox=OutboxWriter(
                connection, NOW, reply_to_event="$e1", reply_room="!dm:example.org"
            ),
            config=CONFIG,
            translator=Translator(language),
            bot_user_id=BOT,
        )
        handled = await route_message(Routes.of(feature or CardFeature()), message, context)
        cursor = await connection.execute("SELECT payload FROM outbox WHERE id > ?", (before,))
        replies = [json.loads(row[0])["text"] for row in await cursor.fetchall()]
    return handled, replies


async def card(database: Database, key: str) -> Card:
    async with database.transaction() as connection:
        return await DirectoryRepository(connection).load_card(key)


async def test_own_update_is_applied_confirmed_and_logged(database: Database) -> None:
    handled, replies = await say(
        database, "@claire:example.org", "je fais des visites à domicile le mardi"
    )
    assert handled
    assert replies == ["Votre fiche est mise à jour :\n• visites à domicile : oui (le mardi)"]
    assert (await card(database, "810000000001")).modalities == {
        Modality.HOME_VISITS: ModalityDeclaration(True, "le mardi")
    }
    async with database.transaction() as connection:
        history = await DirectoryRepository(connection).card_history("810000000001")
    assert (history[-1].changed_by, history[-1].changed_at, history[-1].field) == (
        "@claire:example.org",
        NOW,
        "modality:home_visits",
    )


async def test_no_more_new_patients_then_nothing_to_change(database: Database) -> None:
    await say(database, "@claire:example.org", "je ne prends plus de nouveaux patients")
    _, replies = await say(
        database, "@claire:example.org", "je ne prends plus de nouveaux patients"
    )
    assert replies == ["Rien à changer : la fiche l’indiquait déjà."]
    assert not (await card(database, "810000000001")).modalities[Modality.NEW_PATIENTS].available


async def test_activities_phone_and_english(database: Database) -> None:
    changed: list[str] = []
    feature = CardFeature(
        resolve_activity=lambda words: (
            ("wound_care", "plaies complexes") if "plaie" in words else None
        ),
        on_card_changed=changed.append,
    )
    _, replies = await say(
        database,
        "@claire:example.org",
        "ajoute activité: plaies complexes\nmon téléphone 0478000001",
        language="en",
        feature=feature,
    )
    assert replies == [
        "Your card is updated:\n• phone: 04 78 00 00 01\n• activity added: complex wound care"
    ]
    assert changed == ["810000000001"]
    _, replies = await say(
        database, "@claire:example.org", "retire activité plaies", feature=feature
    )
    assert replies == [
        "Votre fiche est mise à jour :\n• activité retirée : plaies et pansements complexes"
    ]
    _, replies = await say(
        database, "@claire:example.org", "retire activité escarres", feature=feature
    )
    assert replies == ["L’activité « escarres » n’était pas sur la fiche."]


async def test_activities_are_resolved_against_the_vocabulary(database: Database) -> None:
    _, replies = await say(
        database, "@claire:example.org", "ajoute activité : kiné respi\najoute activité hypnose"
    )
    assert replies == [
        "Votre fiche est mise à jour :\n• activité ajoutée : hypnose\n"
        "• activité ajoutée : kiné respiratoire"
    ]
    assert (await card(database, "810000000001")).activities == {
        "respiratory_physio": "kiné respiratoire",
        "hypnosis": "hypnose",  # a concept of the care vocabulary too
    }
    _, replies = await say(database, "@claire:example.org", "retire activité Hypnose")
    assert replies == ["Votre fiche est mise à jour :\n• activité retirée : hypnose"]


async def test_bad_phone_is_refused_in_french(database: Database) -> None:
    _, replies = await say(database, "@claire:example.org", "mon téléphone 12")
    assert replies == ["« 12 » n’est pas un numéro de téléphone (ex. 04 78 00 00 00)."]
    assert (await card(database, "810000000001")).phone is None


async def test_sender_not_in_directory_is_refused(database: Database) -> None:
    handled, replies = await say(database, "@stranger:example.org", "ma fiche")
    assert handled
    assert replies[0].startswith("Vous n’êtes pas dans l’annuaire de la CPTS")
    assert "@stranger:example.org" in replies[0]


async def test_only_coordinators_edit_other_cards(database: Database) -> None:
    _, replies = await say(
        database, "@claire:example.org", "pour Paul Durand : je ne prends plus de nouveaux patients"
    )
    assert replies == [
        "Seule la coordination peut voir ou modifier la fiche d’un autre professionnel."
    ]
    assert (await card(database, "810000000002")).modalities == {}


async def test_coordinator_edits_by_name_rpps_or_matrix_id(database: Database) -> None:
    _, replies = await say(
        database, COORDINATOR, "pour Paul Durand : je ne prends plus de nouveaux patients"
    )
    assert replies == ["Fiche mise à jour — Paul DURAND :\n• nouveaux patients : non"]
    await say(database, COORDINATOR, "fiche 10000000003 : je fais de la téléconsultation")
    assert Modality.TELECONSULTATION in (await card(database, "810000000003")).modalities
    await say(database, COORDINATOR, "fiche de @claire:example.org : je parle anglais")
    assert (await card(database, "810000000001")).languages == {"en"}
    async with database.transaction() as connection:
        history = await DirectoryRepository(connection).card_history("810000000002")
    assert history[-1].changed_by == COORDINATOR


async def test_coordinator_ambiguous_or_unknown_name(database: Database) -> None:
    _, replies = await say(database, COORDINATOR, "pour Durand : je fais des visites à domicile")
    assert replies[0].startswith("Plusieurs fiches correspondent à « Durand » :")
    assert "Anne DURAND" in replies[0] and "Paul DURAND" in replies[0]
    _, replies = await say(database, COORDINATOR, "pour Dr Nobody : je fais des visites à domicile")
    assert replies == ["Aucune fiche trouvée pour « Dr Nobody »."]


async def test_show_card(database: Database) -> None:
    await say(database, "@claire:example.org", "je fais des visites à domicile le mardi")
    _, replies = await say(database, "@claire:example.org", "ma fiche")
    lines = replies[0].splitlines()
    assert lines[0] == "Fiche — Claire MARTIN"
    assert "Infirmier" in lines
    assert "Modalités : visites à domicile : oui (le mardi)" in lines
    assert "Identifiant Matrix : @claire:example.org" in lines


async def test_room_messages_need_a_mention(database: Database) -> None:
    handled, replies = await say(database, "@claire:example.org", "ma fiche", is_direct=False)
    assert not handled and replies == []
    handled, replies = await say(
        database, "@claire:example.org", "cpts-bot: ma fiche", is_direct=False, mentions_bot=True
    )
    assert handled and replies[0].startswith("Fiche — Claire MARTIN")
    handled, replies = await say(
        database, "@claire:example.org", "CPTS Bot: ma fiche", is_direct=False, mentions_bot=True
    )
    assert handled and replies[0].startswith("Fiche — Claire MARTIN")


async def test_other_messages_are_left_to_other_features(database: Database) -> None:
    handled, replies = await say(database, "@claire:example.org", "kiné respi à Bron ?")
    assert not handled and replies == []


def test_every_message_has_french_and_english_translations() -> None:
    chat = Path(card_feature_module.__file__)
    ids = {
        message
        for source in (chat, chat.with_name("replies.py"))
        for _, message, _, _ in extract_from_file("python", str(source))
    }
    for language in ("fr", "en"):
        with (LOCALES_DIR / language / "LC_MESSAGES" / "card.po").open("rb") as handle:
            catalog = read_po(handle, locale=language)
        translated = {m.id for m in catalog if m.id and m.string}
        assert ids <= translated, ids - translated


async def test_the_card_shows_declared_words_as_written(database: Database) -> None:
    async with database.transaction() as connection:
        repository = DirectoryRepository(connection)
        stored = await repository.load_card("810000000001")
        await repository.save_card(
            "810000000001",
            replace(stored, declared=("plaies complexes", "TROD angine")),
            "import:directory.csv",
            NOW,
        )
    _, replies = await say(database, "@claire:example.org", "ma fiche")
    assert any(
        line.startswith("Activités") and "plaies complexes, TROD angine" in line
        for line in replies[0].splitlines()
    )


def test_a_card_title_never_says_de_before_a_vowel() -> None:
    """« Fiche de Émilie SIMON » is wrong French; the title needs no « de »."""
    from cpts_bot.i18n import Translator

    french = Translator("fr")
    assert french.gettext("Card of {name}", name="Émilie SIMON") == "Fiche — Émilie SIMON"
    assert french.gettext("Card of {name} updated:", name="Anne LEROY") == (
        "Fiche mise à jour — Anne LEROY :"
    )
