"""A directory question is a question: no feature takes it without its own phrase.

« Patient sans MT : un généraliste de Marseille qui prend encore de nouveaux patients ? »
asks for a GP; registering a patient needs the registration phrase and no question."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from command_support import context_for, make_config, router_for

from cpts_bot.chat.command_checks import sample_message
from cpts_bot.features.medecin_traitant.phrases import is_registration
from cpts_bot.storage.database import Database

QUESTIONS = [
    "Patient sans MT : un généraliste de Marseille qui prend encore de nouveaux patients ?",
    "patiente sans médecin traitant, quel MG accepte encore des patients à Bron ?",
    "patient sans MT, connaissez-vous un généraliste qui prend des nouveaux patients ?",
    "patient sans médecin traitant : combien de généralistes prennent encore des patients ?",
]
REGISTRATIONS = [
    "patient sans médecin traitant, 78 ans, ALD diabète, Vénissieux",
    "patiente sans MT, 45 ans, Bron, enceinte",
]


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "bot.sqlite")
    yield db
    await db.close()


@pytest.mark.parametrize("text", QUESTIONS)
def test_a_question_for_a_gp_is_not_a_registration(text: str) -> None:
    assert not is_registration(text)


@pytest.mark.parametrize("text", REGISTRATIONS)
def test_a_registration_is_still_one(text: str) -> None:
    assert is_registration(text)


@pytest.mark.parametrize("text", QUESTIONS)
async def test_the_directory_answers_the_question(database: Database, text: str) -> None:
    config = make_config()
    router = router_for(database, config)
    context = context_for(None, config)
    command = next(c for c in router.commands.commands if c.name == "patient sans medecin traitant")
    message = sample_message(text, command, context)
    chosen = [c.name for c, _ in router.commands.candidates(message, context)]
    assert "patient sans medecin traitant" not in chosen, chosen
