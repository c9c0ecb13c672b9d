"""Declared commands: the bot's own declarations are sound, routing ignores declaration
order, the audience is enforced once, and help is generated from the declarations."""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from command_support import (
    COORDINATOR,
    GP,
    context_for,
    direct,
    make_config,
    replies,
    router_for,
    say,
)

from cpts_bot.chat.command_checks import problems, sample_message
from cpts_bot.chat.command_dispatch import run_declared
from cpts_bot.chat.commands import (
    Audience,
    Command,
    CommandCall,
    CommandRegistry,
    Pattern,
    Topic,
    literal_length,
)
from cpts_bot.storage.database import Database


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await Database.open(tmp_path / "bot.sqlite")
    yield db
    await db.close()


# ------------------------------------------------------------------ the bot's own declarations


@pytest.mark.parametrize("language", ["fr", "en"])
async def test_the_bots_declarations_have_no_problem(database: Database, language: str) -> None:
    router = router_for(database, make_config())
    context = context_for(None, make_config(), language)
    assert problems(router.commands, context) == []


def test_a_command_without_help_text_is_a_problem() -> None:
    silent = Command("muet", Pattern(re.compile(r"^muet$")), _noop, "", (), Topic.GENERAL)
    found = problems(CommandRegistry([silent]), context_for(None, make_config()))
    assert "muet: no help text" in found and "muet: no example" in found


def test_two_declarations_claiming_the_same_phrase_is_a_problem() -> None:
    first = Command(
        "statut", Pattern(re.compile(r"^statut\s+(\d+)$")), _noop, "x", ("statut 4",), Topic.DUTY
    )
    second = Command(
        "etat",
        Pattern(re.compile(r"^(?:etat|statut)\s+(\d+)$")),
        _noop,
        "y",
        ("etat 4",),
        Topic.DUTY,
    )
    found = problems(CommandRegistry([first, second]), context_for(None, make_config()))
    assert found == ["« statut 4 » is claimed by statut and by etat"]


def test_an_example_its_own_phrase_does_not_understand_is_a_problem() -> None:
    wrong = Command(
        "fait", Pattern(re.compile(r"^fait\s+(\d+)$")), _noop, "x", ("fini 4",), Topic.DUTY
    )
    found = problems(CommandRegistry([wrong]), context_for(None, make_config()))
    assert found == ["fait: its example « fini 4 » is not understood by it"]


def test_specificity_counts_the_fixed_words_not_the_captured_values() -> None:
    match = re.compile(r"^annuler\s+conge\s+(\d+)$").match("annuler conge 12345")
    assert match is not None and literal_length(match) == len("annuler conge ")


async def test_routing_does_not_depend_on_declaration_order(database: Database) -> None:
    config = make_config()
    router = router_for(database, config)
    context = context_for(None, config)
    declared = list(router.commands.commands)
    expected = {}
    for command in declared:
        for example in command.examples:
            message = sample_message(
                example.format(commune="Val-Témoin", other_commune="Val-Témoin"), command, context
            )
            expected[message.body] = (message, command.name)
    for seed in range(5):
        shuffled = declared[:]
        random.Random(seed).shuffle(shuffled)
        registry = CommandRegistry(shuffled)
        for body, (message, name) in expected.items():
            chosen = registry.candidates(message, context)[0][0]
            assert chosen.name == name, (seed, body)


# ------------------------------------------------------------------ the audience, once


async def test_the_audience_is_enforced_once_with_one_text(database: Database) -> None:
    router = router_for(database, make_config())
    for body in ("rapport novembre", f"confiance {GP}"):
        answer = await say(database, router, body)
        assert answer.startswith("Désolé : « ") and "est réservé à la coordination" in answer
    reserved = [c for c in router.commands.commands if c.audience is Audience.COORDINATOR]
    assert {"rapport", "confiance"} <= {command.name for command in reserved}


async def test_a_professional_command_refuses_who_has_no_card(database: Database) -> None:
    calls: list[str] = []

    async def handler(call: CommandCall) -> None:
        calls.append(call.message.sender)

    card_only = Command(
        "ma-fiche-test",
        Pattern(re.compile(r"^ma fiche test$")),
        handler,
        "x",
        ("ma fiche test",),
        Topic.DIRECTORY,
        audience=Audience.PROFESSIONAL,
    )
    registry = CommandRegistry([card_only])
    async with database.transaction() as db:
        context = context_for(db, make_config())
        assert await run_declared(registry, direct("ma fiche test"), context)
        assert await run_declared(registry, direct("ma fiche test", COORDINATOR), context)
    assert calls == [COORDINATOR]
    assert "réservé aux professionnels de l'annuaire" in (await replies(database))[0]


# ------------------------------------------------------------------ help for a phone


async def test_aide_is_short_and_names_communes_of_the_territory(database: Database) -> None:
    router = router_for(database, make_config("Port-Imaginaire"))
    answer = await say(database, router, "aide")
    lines = answer.splitlines()
    assert len(lines) < 12, answer
    assert "Voici ce que je sais faire" in lines[0]
    assert sum(line.startswith("• ") for line in lines) == 5
    assert "« aide gardes »" in answer and "« aide annuaire »" in answer
    assert "langue en" in answer


async def test_coordinators_see_their_commands_and_others_do_not(database: Database) -> None:
    router = router_for(database, make_config())
    for topic in ("coordination", "gardes", "alertes", "annuaire"):
        gp = await say(database, router, f"aide {topic}")
        coordinator = await say(database, router, f"aide {topic}", COORDINATOR)
        assert len(coordinator) >= len(gp)
    gp = await say(database, router, "aide coordination")
    coordinator = await say(database, router, "aide coordination", COORDINATOR)
    assert "rapport novembre" in coordinator and "rapport" not in gp
    assert "confiance" in coordinator and "confiance" not in gp


async def test_greetings_and_thanks_get_a_short_human_answer(database: Database) -> None:
    router = router_for(database, make_config("Port-Imaginaire"))
    hello = await say(database, router, "Bonjour !")
    assert hello.startswith("Bonjour") and "Port-Imaginaire" in hello
    assert len(hello.splitlines()) == 1
    thanks = await say(database, router, "merci !")
    assert thanks.startswith("Avec plaisir") and len(thanks.splitlines()) == 1
    assert "compris" not in await say(database, router, "Merci beaucoup")


async def _noop(call: CommandCall) -> None:
    return None


async def test_fait_and_relancer_are_in_the_help(database: Database) -> None:
    router = router_for(database, make_config())
    duty = await say(database, router, "aide gardes")
    assert "« fait 42 »" in duty and "« relancer 42 »" in duty
    assert "« mes déclenchements »" in duty


async def test_the_duty_help_answers_to_the_words_people_use(database: Database) -> None:
    router = router_for(database, make_config())
    duty = await say(database, router, "aide gardes")
    for words in ("aide déclenchement", "aide remplacement", "aide congés", "aide planning"):
        assert await say(database, router, words) == duty, words


async def test_the_short_help_fits_each_person(database: Database) -> None:
    router = router_for(database, make_config())
    gp = (await say(database, router, "aide")).splitlines()
    coordinator = (await say(database, router, "aide", COORDINATOR)).splitlines()
    assert "kiné à domicile" in gp[1] and "qui est de garde" in gp[2]
    assert any("je prends" in line for line in gp[1:6])
    assert any("déclenchement IDE domicile" in line for line in coordinator[1:6])
    assert not any("déclenchement IDE domicile" in line for line in gp)


async def test_an_answer_when_nothing_waits_says_so(database: Database) -> None:
    """« je prends » to a dispatch taken meanwhile is not « not understood »."""
    router = router_for(database, make_config())
    for words in ("je prends", "ok", "pas dispo", "non"):
        answer = await say(database, router, words)
        assert answer.startswith("Rien n'attend votre réponse en ce moment"), (words, answer)
    assert (await say(database, router, "bla bla")).startswith("Je n'ai pas compris")


async def test_je_prends_is_one_line_of_the_duty_help(database: Database) -> None:
    """« je prends » takes a dispatch and a colleague's duty: said once, not two lines."""
    router = router_for(database, make_config())
    duty = (await say(database, router, "aide gardes")).splitlines()
    taking = [line for line in duty if line.startswith("• « je prends »")]
    assert len(taking) == 1, duty
    assert "prendre un déclenchement" in taking[0]
    assert "aussi la garde d'un collègue : répondez à sa demande de remplacement" in taking[0]
    from cpts_bot.i18n import Translator

    english = Translator("en").gettext("{first}; {then}", first="a", then="b")
    assert english == "a; b"  # no French space before « ; » in English
