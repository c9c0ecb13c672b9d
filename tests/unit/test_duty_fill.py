"""A coordinator fills a duty with nobody by chat (« garde du 24/12 nuit IDE Hyères :
Mme Martin »): the duty of a professional on leave is handed over; with no duty in the
rota then, a one-off duty is added; a duty someone does is left to the override."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cpts_bot.chat.command_dispatch import Declared, Routes, route_message
from cpts_bot.core.times import PARIS
from cpts_bot.features.cover.chat import ShiftSwapFeature
from cpts_bot.features.rota import repository as rota_repository
from cpts_bot.features.rota.chat import RotaFeature
from cpts_bot.features.rota.duty_fill_commands import duty_fill_commands
from cpts_bot.features.rota.duty_rota import Leave, OneOffShift
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

DURAND, MARTIN = "@durand:cpts.test", "@martin:cpts.test"
DIRECTORY = FakeDirectory([professional(DURAND, "60", HYERES), professional(MARTIN, "60", HYERES)])
ROUTES = Routes.of(
    Declared(duty_fill_commands(DIRECTORY)), RotaFeature(DIRECTORY), ShiftSwapFeature(DIRECTORY)
)
CONFIG = make_config()
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=PARIS).astimezone(UTC)


def paris(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=PARIS).astimezone(UTC)


@pytest.fixture
async def database(tmp_path: Path):
    database = await Database.open(tmp_path / "bot.sqlite")
    yield database
    await database.close()


async def say(database: Database, sender: str, text: str) -> list[Sent]:
    msg = message(sender, text, NOW)
    async with database.transaction() as db:
        assert await route_message(ROUTES, msg, context_for(db, CONFIG, NOW, msg))
    return await FakeHomeserver(database).flush(NOW)


async def night_of_durand_on_leave(database: Database) -> None:
    async with database.transaction() as db:
        shift = OneOffShift(DURAND, "60", frozenset({HYERES}), paris(12, 24, 20), paris(12, 25, 8))
        await rota_repository.add_shift(db, shift, "csv", COORDINATOR, NOW)
        leave = Leave(DURAND, paris(12, 20, 0), paris(12, 28, 0))
        await rota_repository.add_leave(db, leave, "chat", DURAND, NOW)


async def test_the_night_of_a_professional_on_leave_goes_to_the_one_named(database) -> None:
    await night_of_durand_on_leave(database)
    answer, told = await say(database, COORDINATOR, "garde du 24/12 nuit IDE Hyères : Mme Martin")
    assert answer.text == (
        "Planning mis à jour : Martin est de garde le jeu. 24 déc. 20 h – 8 h (IDE, Hyères)."
    )
    assert told.target == MARTIN
    assert (
        told.text
        == "La coordination vous confie la garde le jeu. 24 déc. 20 h – 8 h (IDE, Hyères)."
    )
    [mine] = await say(database, MARTIN, "mes gardes du 24/12")
    assert "20:00–08:00" in mine.text
    # The same phrase again: the duty is Martin's now, the override is the way.
    [again] = await say(database, COORDINATOR, "garde du 24/12 nuit IDE Hyères : Durand")
    assert again.text == (
        "Martin assure cette garde : pour la confier à quelqu'un d'autre, « garde du 24/12 : "
        "nom remplace Martin »."
    )


async def test_an_empty_slot_becomes_a_duty_of_the_one_named(database) -> None:
    answer, _told = await say(database, COORDINATOR, "garde du 26/12 nuit IDE Hyères : Martin")
    assert answer.text.startswith("Planning mis à jour : Martin est de garde le sam. 26 déc. 20 h")
    [who] = await say(database, DURAND, "qui est de garde le 26/12 à 23h à Hyères ?")
    assert "Martin (IDE) 20:00–08:00" in who.text


async def test_what_cannot_be_filled_is_said(database) -> None:
    [answer] = await say(database, COORDINATOR, "garde du 26/12 nuit : Martin")
    assert answer.text.startswith("Quelle profession ?")
    [answer] = await say(database, COORDINATOR, "garde du 26/12 IDE : Martin")
    assert answer.text.startswith("Le planning n'a pas de telle garde ce jour-là")
    [answer] = await say(database, COORDINATOR, "garde du 26/12 nuit IDE : Mme Dupont")
    assert answer.text.startswith("Je ne trouve personne du nom de « Dupont » (IDE)")
    [refused] = await say(database, MARTIN, "garde du 26/12 nuit IDE : Martin")
    assert refused.text == "Désolé : « garde-a-pourvoir » est réservé à la coordination."


async def test_a_fill_that_would_clash_is_refused_and_nothing_written(database) -> None:
    """The one named is on leave then, or on duty then: refused with the conflict named."""
    await night_of_durand_on_leave(database)
    [refused] = await say(database, COORDINATOR, "garde du 26/12 nuit IDE Hyères : Durand")
    assert refused.text == (
        "Refusé : Durand : garde sam. 26 déc. 20 h – 8 h (IDE, Hyères) pendant son congé. "
        "Rien n'a été changé."
    )
    async with database.transaction() as db:
        shift = OneOffShift(MARTIN, "60", frozenset({HYERES}), paris(12, 25, 6), paris(12, 25, 9))
        await rota_repository.add_shift(db, shift, "csv", COORDINATOR, NOW)
    [refused] = await say(database, COORDINATOR, "garde du 24/12 nuit IDE Hyères : Martin")
    assert refused.text == (
        "Refusé : Martin : garde jeu. 24 déc. 20 h – 8 h (IDE, Hyères) en même temps que sa "
        "garde du ven. 25 déc. 6 h. Rien n'a été changé."
    )
    async with database.transaction() as db:
        rota = await rota_repository.load_rota(db, paris(12, 23, 0), paris(12, 28, 0))
    assert not rota.handovers
    assert [s.user_id for s in rota.shifts] == [DURAND, MARTIN]
