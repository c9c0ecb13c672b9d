"""The English help: every example shown is English, or its line says the request is
written in French; the card and the hand-off have English forms the bot understands."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from command_support import COORDINATOR, GP, context_for, direct, make_config, replies, router_for

from cpts_bot.features.card.update_parser import parse_card_command
from cpts_bot.features.handoff.phrases import asks_for_a_person
from cpts_bot.storage.database import Database

FRENCH_WORDS = re.compile(
    r"\b(?:ma|mon|mes|je|à|la|le|les|de|des|du|aide|fiche|parler|déclenchement|annuler"
    r"|alerte|alertes|ce|soir|demain|qui|combien|territoire|bonjour|merci|coordonnées)\b",
    re.IGNORECASE,
)
ASKED = ("help", "help directory", "help duty", "help alerts", "help coordination", "help other")


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "bot.sqlite")
    yield db
    await db.close()


async def english_help(database: Database, sender: str) -> list[str]:
    router = router_for(database, make_config())
    for words in ASKED:
        async with database.transaction() as db:
            await router._handle_message(
                direct(words, sender), context_for(db, make_config(), "en")
            )
    return await replies(database)


def french_only_lines(answers: list[str]) -> list[str]:
    """Help lines with a French example and no note that it is written in French."""
    offenders = []
    for line in (line for answer in answers for line in answer.splitlines()):
        examples = re.findall(r"« ([^»]*) »", line)
        french = [example for example in examples if FRENCH_WORDS.search(example)]
        if french and "(written in French)" not in line and "langue en" not in line:
            offenders.append(line)
    return offenders


@pytest.mark.parametrize("sender", [GP, COORDINATOR])
async def test_the_english_help_has_no_unmarked_french_example(
    database: Database, sender: str
) -> None:
    answers = await english_help(database, sender)
    assert len(answers) == len(ASKED)
    assert french_only_lines(answers) == []
    text = "\n".join(answers)
    assert "« my card »" in text and "« ma fiche »" not in text
    assert "« talk to the coordination »" in text and "« parler à la coordination »" not in text
    assert "« hello »" in text and "« thanks! »" in text
    if sender == COORDINATOR:  # dispatch requests are shown to coordinators, in English
        requests = [line for line in text.splitlines() if "« need a nurse at home in " in line]
        assert requests and all("French" not in line for line in requests), text


def test_a_french_example_without_its_note_is_an_offender() -> None:
    line = "• « déclenchement IDE domicile Lyon ce soir » — ask the professionals on duty"
    assert french_only_lines([line]) == [line]
    assert french_only_lines([line + " (written in French)"]) == []


def test_the_english_card_and_hand_off_forms_are_understood() -> None:
    assert parse_card_command("my card") == parse_card_command("ma fiche") is not None
    assert parse_card_command("my profile") == parse_card_command("ma fiche")
    assert parse_card_command("my phone 04 78 00 00 00") == parse_card_command(
        "mon téléphone 04 78 00 00 00"
    )
    assert asks_for_a_person("talk to the coordination") and asks_for_a_person("talk to a human")
