"""Routing never depends on the order features are listed in.

The same conversation (a patient registered for a médecin traitant, a GP offered that
patient and asked for a dispatch at once, a guided dispatch request dropped and resumed,
a hand-off, a nurse asked to cover a duty and to take a dispatch at once, a directory
question) is routed through the bot's own features listed in
several orders; every answer must be the same, word for word, to the same person.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from cpts_bot.app import build_features
from cpts_bot.core.french_datetime import local_to_utc
from cpts_bot.core.times import PARIS
from cpts_bot.features.rota import repository as rota_repository
from cpts_bot.features.rota.duty_rota import OneOffShift
from cpts_bot.inbox.command_router import CommandRouter
from cpts_bot.storage.database import Database
from tests.unit.dispatch_support import HYERES, TOULON, context_for, message
from tests.unit.medecin_traitant_support import (
    COORDINATION_ROOM,
    GP_A,
    GP_B,
    NURSE,
    PHARMACIST,
    add_professional,
    mt_config,
)

NOW = datetime(2026, 11, 10, 10, 0, tzinfo=PARIS).astimezone(UTC)
COORDINATOR = "@coord:cpts.test"
NURSE_B = "@nurse.b:cpts.test"
BOT = "@bot:cpts.test"
# No feature routes itself any more: every message goes to a follow-up, a pending
# exchange or a declared command.
STILL_ROUTING_ITSELF: set[str] = set()

CONVERSATION = [
    (PHARMACIST, "patient sans médecin traitant, 45 ans, Hyères, vu à la pharmacie"),
    (PHARMACIST, "coordonnées 1 : Mme D., 06 12 34 56 78"),
    (GP_A, "je peux prendre 1 nouveau patient"),
    (COORDINATOR, "déclenchement médecin domicile Hyères ce soir 20h visite, patient d'accord"),
    (GP_A, "ok"),  # one dispatch and one offer wait: which?
    (GP_B, "ok"),  # only the dispatch waits: taken
    (COORDINATOR, "déclenchement IDE"),
    (COORDINATOR, "annuler"),
    (COORDINATOR, "déclenchement kiné domicile"),
    (COORDINATOR, "liste d'attente"),  # a declared command, even during the draft
    (COORDINATOR, "Toulon"),  # the draft goes on
    (GP_A, "non"),  # the dispatch is taken: only the offer waits
    (PHARMACIST, "je veux parler à la coordination"),
    (NURSE, "Je cherche un remplaçant pour ma garde du 24/12"),
    (COORDINATOR, "déclenchement IDE domicile Hyères ce soir 20h pansement, patient d'accord"),
    (NURSE_B, "je prends"),  # a request for cover and a dispatch wait: which?
    (NURSE, "kiné à domicile Hyères"),
    (PHARMACIST, "bla bla"),
]


async def conversation(folder: Path, order: list[int]) -> list[tuple[str, str, str]]:
    """Every message of :data:`CONVERSATION`, routed with the features in ``order``;
    what the bot queued, as (person who spoke, target, text)."""
    database = await Database.open(folder / f"bot-{'-'.join(map(str, order))}.sqlite")
    try:
        async with database.transaction() as db:
            await add_professional(db, GP_A, HYERES, NOW, phone="04 94 00 00 0A")
            await add_professional(db, GP_B, HYERES, NOW, phone="04 94 00 00 0B")
            await add_professional(db, PHARMACIST, HYERES, NOW, profession="21")
            await add_professional(db, NURSE, TOULON, NOW, profession="60")
            await add_professional(db, "@kine:cpts.test", HYERES, NOW, profession="70")
            await add_professional(db, NURSE_B, HYERES, NOW, profession="60")
            start = local_to_utc(date(2026, 12, 24), time(20))
            shift = OneOffShift(
                NURSE, "60", frozenset({HYERES}), start, start + timedelta(hours=12)
            )
            await rota_repository.add_shift(db, shift, rota_repository.SOURCE_CSV, "csv", NOW)
        config = mt_config()
        chat = build_features(database, config).chat
        router = CommandRouter(database, config, BOT, [chat[i] for i in order], lambda: None)
        said: list[tuple[str, str, str]] = []
        for sender, body in CONVERSATION:
            event = message(sender, body, NOW, room=f"!dm-{sender}", is_direct=True)
            before = len(said)
            async with database.transaction() as db:
                await router._handle_message(event, context_for(db, config, NOW, event))
            rows = await database.fetch_all("SELECT target, payload FROM outbox ORDER BY id")
            for row in rows[before:]:
                said.append((sender, row["target"], _text(row["payload"])))
        return said
    finally:
        await database.close()


def _text(payload: str) -> str:
    return str(json.loads(payload).get("text", ""))


def _answers_to(said: list[tuple[str, str, str]], sender: str) -> list[str]:
    return [text for who, target, text in said if who == sender and target == f"!dm-{sender}"]


async def test_answers_do_not_depend_on_the_order_of_the_features(tmp_path: Path) -> None:
    count = len(build_features(await Database.open(tmp_path / "probe.sqlite"), mt_config()).chat)
    orders = [list(range(count)), list(reversed(range(count)))]
    shuffler = random.Random(12)
    for _ in range(4):
        order = list(range(count))
        shuffler.shuffle(order)
        orders.append(order)
    reference = await conversation(tmp_path, orders[0])
    for order in orders[1:]:
        assert await conversation(tmp_path, order) == reference, order

    # The conversation went where each message belongs.
    gp_a = _answers_to(reference, GP_A)
    assert any(text.startswith("Plusieurs demandes attendent votre réponse") for text in gp_a)
    assert "déclenchement n° 1" in next(t for t in gp_a if t.startswith("Plusieurs"))
    (nurse_b,) = _answers_to(reference, NURSE_B)
    assert "demande de remplacement n° 1, déclenchement n° 2" in nurse_b
    coordinator = "\n".join(_answers_to(reference, COORDINATOR))
    assert "Demande de déclenchement abandonnée." in coordinator
    assert "1 patient en attente de médecin traitant" in coordinator
    pharmacist = "\n".join(_answers_to(reference, PHARMACIST))
    assert "Transmis à la coordination" in pharmacist
    assert "Je n'ai pas compris" in pharmacist
    assert any(target == COORDINATION_ROOM for _who, target, _text in reference)


async def test_no_feature_routes_itself(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "bot.sqlite")
    try:
        chat = build_features(database, mt_config()).chat
    finally:
        await database.close()
    routing_itself = {f.name for f in chat if hasattr(f, "handle_message")}
    assert routing_itself == STILL_ROUTING_ITSELF
