"""The rota by chat, over a real SQLite: queries, my duties, leave, coordinators' shifts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cpts_bot.chat.command_dispatch import Routes, route_message
from cpts_bot.core.times import PARIS
from cpts_bot.features.rota import repository as rota_repository
from cpts_bot.features.rota.chat import RotaFeature
from cpts_bot.storage.database import Database
from tests.unit.dispatch_support import (
    COORDINATOR,
    FakeDirectory,
    FakeHomeserver,
    context_for,
    make_config,
    message,
    professional,
)

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=PARIS).astimezone(UTC)  # Monday
ALICE, BOB = "@alice:cpts.test", "@bob:cpts.test"
CONFIG = make_config()
FEATURE = RotaFeature(
    FakeDirectory([professional(ALICE, "60", "83069"), professional(BOB, "70", "83069")])
)


@pytest.fixture
async def env(tmp_path: Path):
    database = await Database.open(tmp_path / "bot.sqlite")
    yield database, FakeHomeserver(database)
    await database.close()


async def ask(env, sender: str, text: str, now: datetime = NOW) -> str | None:
    database, server = env
    msg = message(sender, text, now)
    async with database.transaction() as db:
        context = context_for(db, CONFIG, now, msg)
        handled = await route_message(Routes.of(FEATURE), msg, context)
    sent = await server.flush(now)
    if not handled:
        assert sent == []
        return None
    assert len(sent) == 1 and sent[0].payload["in_reply_to"] == msg.event_id
    return sent[0].text


async def test_coordinator_sets_the_rota_and_anyone_asks_who_is_on_duty(env) -> None:
    assert await ask(
        env, COORDINATOR, "garde @alice:cpts.test IDE Hyères chaque lundi 18h-22h"
    ) == ("Garde hebdomadaire enregistrée : Alice, IDE, Hyères, les lundis 18:00–22:00.")
    assert await ask(env, COORDINATOR, "astreinte @bob:cpts.test kiné Hyères 24/12 20h-8h") == (
        "Garde enregistrée : Bob, kiné, Hyères, du jeu. 24 déc. 20:00 au ven. 25 déc. 08:00"
    )
    answer = await ask(env, BOB, "qui est de garde ce soir à Hyères ?")
    assert answer == (
        "De garde du lun. 23 nov. 18:00 au mar. 24 nov. 00:00 (Hyères) :\n"
        "• Alice (IDE) 18:00–22:00 — @alice:cpts.test"
    )
    assert await ask(env, BOB, "IDE d'astreinte demain matin ?") == (
        "Aucun IDE de garde du mar. 24 nov. 06:00 au mar. 24 nov. 12:00 (tout le territoire)."
    )
    assert "Bob (kiné) 20:00–08:00" in await ask(env, ALICE, "kiné de garde le 24/12 à 23h")
    # A profession with no rota at all is left to other features (the directory).
    assert await ask(env, ALICE, "pharmacie de garde à Hyères ?") is None


async def test_only_coordinators_set_the_rota(env) -> None:
    assert await ask(env, ALICE, "garde @alice:cpts.test IDE Hyères 24/12 20h-8h") == (
        "Désolé : « garde » est réservé à la coordination."
    )
    assert await ask(env, ALICE, "congé @bob:cpts.test demain") == (
        "Seuls les coordinateurs peuvent modifier le planning ou les congés d'une autre personne."
    )
    assert await ask(env, COORDINATOR, "garde @alice:cpts.test Hyères 20h-8h") == (
        "Indiquez la profession (ex. IDE, kiné, médecin)."
    )


async def test_leave_is_declared_listed_cancelled_and_excludes_duty(env) -> None:
    await ask(env, COORDINATOR, "garde @alice:cpts.test IDE Hyères chaque lundi 18h-22h")
    answer = await ask(env, ALICE, "absente du 30 novembre au 2 décembre")
    assert answer.splitlines()[0] == (
        "Congé enregistré du lun. 30 nov. au mer. 2 déc. : aucun déclenchement ne vous sera "
        "envoyé pendant cette période."
    )
    assert answer.splitlines()[1] == (
        "Attention : vous avez 1 garde pendant ce congé (lun. 30 nov. 18:00) ; « je cherche "
        "un remplaçant pour ma garde du 30/11 » vous trouve un remplaçant, sinon prévenez la "
        "coordination."
    )
    assert await ask(env, BOB, "qui est de garde lundi prochain 19h à Hyères") == (
        "Personne de garde lun. 30 nov. 19:00 (Hyères)."
    )
    assert (await ask(env, ALICE, "mes congés")).splitlines()[1] == (
        "• 1 — du lun. 30 nov. au mer. 2 déc."
    )
    mine = await ask(env, ALICE, "mes gardes")
    # Two weeks ahead; Monday 30 November is during leave.
    assert mine.splitlines() == [
        "Vos gardes :",
        "• lun. 23 nov. 18:00–22:00 IDE Hyères",
        "Congés : du lun. 30 nov. au mer. 2 déc.",
    ]
    assert await ask(env, BOB, "annuler congé 1") == "Vous n'avez pas de congé n°1."
    assert await ask(env, ALICE, "annuler congé 1") == "Congé 1 supprimé."
    assert "Alice" in await ask(env, BOB, "qui est de garde lundi prochain 19h à Hyères")


async def test_leave_phrases_and_errors(env) -> None:
    assert (await ask(env, ALICE, "en congés demain")).startswith(
        "Congé enregistré le mar. 24 nov."
    )
    assert await ask(env, ALICE, "je suis absente") == (
        "Indiquez les dates, par ex. « du 12 au 20 décembre » ou « demain »."
    )
    assert await ask(env, ALICE, "absent du 31 novembre au 3 décembre") == (
        "Le 31 novembre n'existe pas."
    )
    assert await ask(env, ALICE, "le patient était absent hier soir au cabinet") is None
    database, _server = env
    async with database.transaction() as db:
        leaves = await rota_repository.leaves_of(db, ALICE, NOW)
    assert [(leave.start, leave.end) for leave in leaves] == [
        (datetime(2026, 11, 24, tzinfo=PARIS), datetime(2026, 11, 25, tzinfo=PARIS))
    ]


async def test_coordinator_records_someone_elses_leave(env) -> None:
    assert await ask(env, COORDINATOR, "congé @bob:cpts.test du 12 au 20 décembre") == (
        "Congé enregistré pour Bob du sam. 12 déc. au dim. 20 déc.\n"
        "« annuler congé 1 » pour le supprimer."
    )
    later = NOW + timedelta(days=20)
    assert "du sam. 12 déc. au dim. 20 déc." in await ask(env, BOB, "mes gardes", later)


async def test_a_date_that_does_not_exist_is_said_never_answered_for_now(env) -> None:
    await ask(env, COORDINATOR, "garde @alice:cpts.test IDE Hyères chaque lundi 00h-00h")
    assert await ask(env, BOB, "qui est de garde le 31/02 à Hyères ?") == (
        "Le 31 février n'existe pas."
    )
    assert await ask(env, BOB, "IDE de garde le 32/12 ?") == "Le 32 décembre n'existe pas."
    assert await ask(env, ALICE, "mes gardes du 31/02") == "Le 31 février n'existe pas."
    # Words with no date at all still mean now.
    assert (await ask(env, BOB, "qui est de garde à Hyères ?") or "").startswith("De garde")


async def test_mes_gardes_stays_short_enough_for_a_phone(env) -> None:
    for day in ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"):
        await ask(env, COORDINATOR, f"garde @alice:cpts.test IDE Hyères chaque {day} 8h-20h")
    answer = await ask(env, ALICE, "mes gardes")
    lines = answer.splitlines()
    assert lines[0] == "Vos gardes :" and len(lines) == 12, answer
    assert lines[-1] == (
        "… et 5 autres : « mes gardes calendrier » les donne toutes dans un fichier."
    )
    database, server = env
    msg = message(ALICE, "mes gardes calendrier", NOW)
    async with database.transaction() as db:
        await route_message(Routes.of(FEATURE), msg, context_for(db, CONFIG, NOW, msg))
    sent = await server.flush(NOW)
    text = next(s.text for s in sent if s.action != "direct_file")
    assert "… et 81 autres, toutes dans le fichier calendrier." in text.splitlines(), text
    assert len(text.splitlines()) <= 13


async def test_a_leave_over_many_duties_says_how_many(env) -> None:
    await ask(env, COORDINATOR, "garde @alice:cpts.test IDE Hyères chaque lundi 18h-22h")
    answer = await ask(env, COORDINATOR, "congé @alice:cpts.test du 1 au 31 décembre")
    assert answer.splitlines()[1] == (
        "Attention : Alice a 4 gardes pendant ce congé "
        "(lun. 7 déc. 18:00, lun. 14 déc. 18:00, lun. 21 déc. 18:00, …)."
    )
