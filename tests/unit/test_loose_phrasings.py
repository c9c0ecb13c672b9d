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

from cpts_bot.chat.command_dispatch import heard_places
from cpts_bot.inbox.command_router import CommandRouter
from cpts_bot.storage.database import Database

DATA = Path(__file__).parent / "data" / "loose_phrasings.yaml"
COMMUNES = {"commune": "Saint-Exemple-sur-Mer", "other_commune": "Val-Témoin"}
SENDERS = {"coordinator": COORDINATOR, "gp": GP}

# Phrasings not understood yet (each must start passing before it leaves this list).
NOT_YET: set[str] = set()


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
