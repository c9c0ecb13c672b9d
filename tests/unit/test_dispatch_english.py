"""Dispatch in English: the help of an English reader lists the English answer and
command words (« I'll take it », « done 42 » …), and those words do what the French ones
do; the dispatch messages an English reader gets quote the English words."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from command_support import COORDINATOR, GP, context_for, direct, make_config, replies, router_for

from cpts_bot.chat.command_dispatch import Routes, route_message
from cpts_bot.core.offers import Answer, classify_answer
from cpts_bot.core.times import PARIS
from cpts_bot.features.dispatch.chat import DispatchFeature
from cpts_bot.features.dispatch.command_phrases import parse_command
from cpts_bot.features.dispatch.consent.patient_consent import consent_answer
from cpts_bot.i18n import Translator
from cpts_bot.storage.core_repository import set_language
from cpts_bot.storage.database import Database
from tests.unit import dispatch_support as support

ENGLISH = {
    "je prends": "I'll take it",
    "pas dispo": "not available",
    "mes déclenchements": "my dispatches",
    "fait 42": "done 42",
    "je ne peux plus 42": "I can no longer go 42",
    "statut 42": "status 42",
    "relancer 42": "relaunch 42",
    "annuler 42": "cancel 42",
}


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "bot.sqlite")
    yield db
    await db.close()


async def help_in_english(database: Database, sender: str) -> str:
    router = router_for(database, make_config())
    async with database.transaction() as db:
        await router._handle_message(
            direct("help duty", sender), context_for(db, make_config(), "en")
        )
    return (await replies(database))[-1]


@pytest.mark.parametrize("sender", [GP, COORDINATOR])
async def test_the_english_help_lists_english_dispatch_words(
    database: Database, sender: str
) -> None:
    text = await help_in_english(database, sender)
    for french, english in ENGLISH.items():
        if sender == GP and english in ("relaunch 42", "cancel 42"):
            continue  # a coordinator's or requester's words; both are shown to them
        assert f"« {english} »" in text, (english, text)
        assert f"« {french} »" not in text, (french, text)
    assert Translator("en").gettext("je prends") == "I'll take it"


def test_the_english_words_mean_what_the_french_ones_mean() -> None:
    for french, english in ENGLISH.items():
        if french in ("je prends", "pas dispo"):
            assert classify_answer(english) is classify_answer(french) is not None, english
        else:
            assert parse_command(english) == parse_command(french) is not None, english
    assert classify_answer("I can no longer go") is Answer.HAND_BACK
    assert classify_answer("sorry, I can no longer go") is Answer.HAND_BACK
    assert parse_command("cancel") == parse_command("annuler")
    assert consent_answer("yes") is consent_answer("oui") is True  # the consent question
    assert consent_answer("no") is consent_answer("non") is False


ALICE = "@alice:cpts.test"
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=PARIS).astimezone(UTC)


async def test_an_english_nurse_takes_hands_back_and_is_told_in_english_words(
    database: Database,
) -> None:
    config = support.make_config()
    directory = support.FakeDirectory([support.professional(ALICE, "60", support.HYERES)])
    feature, server = DispatchFeature(directory), support.FakeHomeserver(database)

    async def say(sender: str, text: str, reply_to: support.Sent | None = None) -> list:
        incoming = support.message(
            sender,
            text,
            NOW,
            room=reply_to.room_id if reply_to else "!coord:cpts.test",
            reply_to=reply_to.event_id if reply_to else None,
            is_direct=reply_to is not None,
        )
        async with database.transaction() as db:
            context = support.context_for(db, config, NOW, incoming)
            await route_message(Routes.of(feature), incoming, context)
        return await server.flush(NOW + timedelta(seconds=1))

    async with database.transaction() as db:
        await set_language(db, ALICE, "en", NOW)
    sent = await say(
        COORDINATOR, "déclenchement IDE Hyères ce soir 20h pansement, patient d'accord"
    )
    [offer] = [s for s in sent if s.target == ALICE]
    assert "“I'll take it”" in offer.text and "“not available”" in offer.text, offer.text
    taken = await say(ALICE, "I'll take it", reply_to=offer)
    [details] = [s for s in taken if s.target == ALICE]
    assert details.text.startswith("Dispatch no. 1 is yours"), details.text
    assert "reply “I can no longer go”" in details.text, details.text
    handed = await say(ALICE, "I can no longer go", reply_to=details)
    assert any(s.text == "Understood: dispatch no. 1 is offered again." for s in handed), handed


async def test_the_english_help_names_its_topics_in_english(database: Database) -> None:
    router = router_for(database, make_config())
    async with database.transaction() as db:
        await router._handle_message(direct("help"), context_for(db, make_config(), "en"))
        await router._handle_message(direct("blah blah"), context_for(db, make_config(), "en"))
    short_help, not_understood = (await replies(database))[-2:]
    assert "« help directory » · « help duty » · « help alerts » · « help coordination »" in (
        short_help
    )
    assert "« aide" not in short_help, short_help
    assert "“help”" in not_understood and "aide" not in not_understood, not_understood
