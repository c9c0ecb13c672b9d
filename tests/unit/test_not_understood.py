"""« Pas compris » always helps: the closest declared commands from their examples, the
first commands of the help when nothing is close, and a pointer for the pharmacy on
duty (3237). Loose phrasings, written apart from the phrase code."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from command_support import make_config, router_for, say

from cpts_bot.storage.database import Database

BARE = "Je n'ai pas compris. Écrivez « aide » pour voir ce que je sais faire."

# message as typed -> a suggestion the reply must offer
CLOSE = {
    "qui et de gard ce soir": "qui est de garde ce soir",
    "mes declenchemnts": "mes déclenchements",
    "relancé la demande 4": "relancer 42",
}
LOOSE = [
    "blabla zorglub",
    "je peux plus y aller pour le 3 desolee",
    "envoie une alerte canicule a tout le monde demain 8h",
    "t la ?",
]


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "bot.sqlite")
    yield db
    await db.close()


@pytest.mark.parametrize(("text", "offered"), sorted(CLOSE.items()))
async def test_the_closest_declared_command_is_offered(
    database: Database, text: str, offered: str
) -> None:
    reply = await say(database, router_for(database, make_config()), text)
    assert reply.startswith("Je n'ai pas compris. Vouliez-vous dire :"), reply
    assert offered in reply


@pytest.mark.parametrize("text", LOOSE)
async def test_never_a_bare_not_understood(database: Database, text: str) -> None:
    reply = await say(database, router_for(database, make_config()), text)
    assert reply != BARE
    assert "allergologue" not in reply  # « y aller » is no allergologist


async def test_nothing_close_gives_the_first_commands_as_examples(database: Database) -> None:
    reply = await say(database, router_for(database, make_config()), "blabla zorglub")
    assert reply.startswith("Je n'ai pas compris. Par exemple : « ")
    assert "qui est de garde" in reply


@pytest.mark.parametrize(
    "text", ["pharmacie de garde ce soir", "une pharma ouverte dimanche ?", "officine de garde"]
)
async def test_the_pharmacy_on_duty_gets_the_3237_pointer(database: Database, text: str) -> None:
    reply = await say(database, router_for(database, make_config()), text)
    assert "3237" in reply, reply


async def test_a_long_message_with_plus_is_no_request_for_more(database: Database) -> None:
    reply = await say(database, router_for(database, make_config()), "je peux plus y aller lundi")
    assert not reply.startswith("Rien à poursuivre")
