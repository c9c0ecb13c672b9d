"""Managing alerts goes through the state table: what each status refuses, in French."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cpts_bot.features.alerts.chat import AlertsFeature
from tests.unit.alerts_reports_support import open_database
from tests.unit.test_alerts_feature import MEMBERS, Chat


@pytest.fixture
async def chat(tmp_path: Path) -> AsyncIterator[Chat]:
    database = await open_database(tmp_path)
    yield Chat(database, AlertsFeature(members=MEMBERS))
    await database.close()


async def text_of(chat: Chat, body: str) -> str:
    (reply,) = await chat.say(body)
    return reply["payload"]["text"]


async def status(chat: Chat) -> str:
    return (await chat.database.fetch_one("SELECT status FROM alerts WHERE id = 1"))["status"]


async def test_what_each_status_refuses(chat: Chat) -> None:
    await chat.say("alerte important: Point hebdo | quand: tous les lundis à 8h")
    # A draft is nobody's business but its author's « oui ».
    assert await text_of(chat, "pause alerte 1") == "Il n'y a pas d'alerte n° 1."
    assert await text_of(chat, "modifier alerte 1 texte: x") == "Il n'y a pas d'alerte n° 1."
    await chat.say("oui")
    assert await text_of(chat, "reprendre alerte 1") == "L'alerte n° 1 n'est pas suspendue."
    assert await text_of(chat, "pause alerte 1") == "Alerte n° 1 suspendue."
    assert await text_of(chat, "pause alerte 1") == "L'alerte n° 1 est déjà suspendue."
    # A paused alert may be changed: it stays paused.
    changed = await text_of(chat, "modifier alerte 1 texte: Point du lundi")
    assert changed.startswith("Alerte n° 1 modifiée :") and await status(chat) == "paused"
    assert (await text_of(chat, "annuler alerte 1")).startswith("Alerte n° 1 annulée")
    # Cancelled is the end: nothing moves it, not even a change.
    for body in ("reprendre alerte 1", "annuler alerte 1", "modifier alerte 1 texte: x"):
        assert await text_of(chat, body) == "L'alerte n° 1 est déjà terminée (annulée).", body
    assert await status(chat) == "cancelled"
    history = await chat.database.fetch_all("SELECT action FROM alert_changes ORDER BY id")
    assert [row["action"] for row in history] == [
        "drafted",
        "confirmed",
        "paused",
        "edited",
        "cancelled",
    ]


async def test_an_unknown_alert_is_named_before_its_fields_are_read(chat: Chat) -> None:
    assert await text_of(chat, "modifier alerte 99 bla") == "Il n'y a pas d'alerte n° 99."
    assert await text_of(chat, "qui a lu l'alerte 99 ?") == "Il n'y a pas d'alerte n° 99."
