"""Every feature understands phone French: the loose phrasings of
``data/loose_phrasings.yaml`` (written apart from the phrase code) each reach the
command they ask for, through the bot's own declarations and routing order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from command_support import COORDINATOR, GP, context_for, direct, make_config, router_for

from cpts_bot.chat.command_router import CommandRouter
from cpts_bot.chat.commands import heard_places
from cpts_bot.storage.database import Database

DATA = Path(__file__).parent / "data" / "loose_phrasings.yaml"
COMMUNES = {"commune": "Saint-Exemple-sur-Mer", "other_commune": "Val-Témoin"}
SENDERS = {"coordinator": COORDINATOR, "gp": GP}

# Phrasings not understood yet (each must start passing before it leaves this list).
NOT_YET: set[str] = {
    "je cherche qqn pour me remplacer le 24",
    "ki peut me remplacer samedi soir ?",
    "jcherche un remplacant pr ma garde du 24/12",
    "qqn peut me remplacer dem1 ?",
    "je peux plus y aller pour le 3 desolee",
    "je ne peux plus assurer ma garde du 3",
    "jpeux plus faire le 24/12",
    "je ne pourrai pas assurer la garde du 3",
    "desolee je peux pas etre de garde le 3",
    "je peux plus assurer demain soir",
    "envoie une alerte canicule a tout le monde demain 8h",
    "envoie une alerte canicule à tous demain à 8h",
    "alerte canicule pour tous demain 8h",
    "alerte canicule a tt le monde dem1 8h",
    "envoyer alerte grippe a tous les ide demain 9h",
    "nvelle alerte",
    "nouvelle alerte svp",
    "créer une alerte",
    "mes alertes",
    "les alertes",
    "mes déclenchements svp",
    "mes declenchements en cours",
    "je peux plus assurer le 42 desole",
    "desistement 42",
    "pt sans mt 80 ans {commune}",
    "j'ai un patient sans medecin traitant a {commune}, 60 ans",
    "patient ss MT {commune} 70 ans",
    "je peux prendre 2 nvx patients",
    "jpeux prendre 5 nouveaux patients",
    "ma fiche svp",
    "parler a qqn de la coordination",
}


def _cases() -> list[Any]:
    cases = []
    for command, phrasings in yaml.safe_load(DATA.read_text(encoding="utf-8")).items():
        for entry in phrasings:
            if isinstance(entry, str):
                entry = {"text": entry}
            text = entry["text"].format(**COMMUNES)
            marks = (
                [pytest.mark.xfail(strict=True, reason="not understood yet")]
                if entry["text"] in NOT_YET
                else []
            )
            sender = SENDERS[entry.get("sender", "gp")]
            cases.append(pytest.param(text, sender, command, id=text, marks=marks))
    return cases


@pytest.fixture(scope="module")
async def router(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[CommandRouter]:
    database = await Database.open(tmp_path_factory.mktemp("loose") / "bot.sqlite")
    yield router_for(database, make_config())
    await database.close()


def chosen(router: CommandRouter, text: str, sender: str) -> str | None:
    """The command the router gives ``text`` to first (a declared phrase, else free text)."""
    config = make_config()
    message = direct(text, sender)
    context = context_for(None, config)
    places = heard_places(message, config.rooms.coordination)
    for free_text in (False, True):
        heard = router.commands.heard(message, context, places, free_text)
        if heard:
            return heard[0][0].name
    return None


@pytest.mark.parametrize(("text", "sender", "command"), _cases())
async def test_a_loose_phrasing_reaches_its_command(
    router: CommandRouter, text: str, sender: str, command: str
) -> None:
    assert chosen(router, text, sender) == command


def test_every_feature_has_loose_phrasings() -> None:
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    assert all(len(phrasings) >= 4 for phrasings in data.values())
    assert {"gardes", "remplacement", "alerte", "declenchement", "annuaire"} <= set(data)
