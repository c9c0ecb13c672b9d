"""The médecin-traitant desk over the real Synapse: a pharmacist registers two patients,
two GPs declare room, the priority patient is offered and placed first; both GPs accept
it at the same moment and only one wins; the other takes the second patient; contact
details reach only the GP who accepted; the coordination's waiting list and monthly
report count it."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import pytest

from cpts_bot.core.times import PARIS
from cpts_bot.devtools.matrix_user import MatrixUser, Received
from tests.integration.test_dispatch_synapse import DIRECTORY_HEADER, bot_says, run_cli

pytestmark = pytest.mark.synapse

FIRST = "patient sans médecin traitant, 45 ans, Lyon 8, vu à la pharmacie"
SECOND = (
    "patient sans médecin traitant, 78 ans, ALD diabète, Lyon 8, vu à la pharmacie\n"
    "coordonnées : M. Durand, 06 11 22 33 44"
)


def directory_csv(rows: list[tuple[MatrixUser, str, str, str]]) -> str:
    """(user, last name, profession code, phone) -> the CPTS directory CSV."""
    lines = [DIRECTORY_HEADER]
    for index, (user, last_name, profession, phone) in enumerate(rows):
        lines.append(
            ",".join(
                [
                    "professional",
                    f"1990000020{index}",
                    "",
                    "Dr" if profession == "10" else "",
                    last_name,
                    "Test",
                    profession,
                    "Médecin" if profession == "10" else "Pharmacien",
                    "",
                    "",
                    "",
                    "",
                    f"{index + 1} avenue des Frères Lumière",
                    "69008",
                    "69388",
                    "Lyon 8e",
                    "",
                    phone,
                    "",
                    "",
                    "",
                    user.user_id,
                    "1",
                ]
            )
        )
    return "\n".join(lines) + "\n"


def offers(user: MatrixUser, bot_id: str, number: int) -> list[Received]:
    return [
        item
        for item in user.from_user(bot_id)
        if item.body.startswith(f"Médecin traitant — demande n°{number} ")
        and "m.new_content" not in item.content
    ]


async def wait_offer(user: MatrixUser, bot_id: str, number: int) -> Received:
    found = await user.wait_for(lambda me: offers(me, bot_id, number), timeout=60)
    return found[0]


async def test_priority_patient_placed_first_race_has_one_winner_and_report_counts(
    users, make_bot, tmp_path: Path
) -> None:
    coordinator = await users.client("coord")
    pharmacist, alpha, bravo = await asyncio.gather(
        users.client("pharma"), users.client("alpha"), users.client("bravo")
    )
    bot = make_bot(
        coordinators=[coordinator.user_id],
        allowed=[pharmacist.user_id, alpha.user_id, bravo.user_id],
        medecin_traitant={"check_every_seconds": 1},
    )
    csv = directory_csv(
        [
            (pharmacist, "Officine", "21", "04 78 00 20 00"),
            (alpha, "Alpha", "10", "04 78 00 20 01"),
            (bravo, "Bravo", "10", "04 78 00 20 02"),
        ]
    )
    (tmp_path / "directory.csv").write_text(csv, "utf-8")
    run_cli(bot, "import", "directory", str(tmp_path / "directory.csv"))
    bot.start()
    rooms = {}
    for user in (coordinator, pharmacist, alpha, bravo):
        rooms[user.user_id] = await user.create_encrypted_room([bot.user_id])
    for user in (coordinator, pharmacist, alpha, bravo):
        await user.wait_joined(rooms[user.user_id], bot.user_id)

    # 1. The pharmacist registers two patients; nobody has room yet.
    pharma_room = rooms[pharmacist.user_id]
    first = await pharmacist.wait_reply(await pharmacist.send(pharma_room, FIRST), timeout=60)
    assert first.body.startswith("Demande médecin traitant n°1 enregistrée : 40 à 59 ans, Lyon")
    second = await pharmacist.wait_reply(await pharmacist.send(pharma_room, SECOND), timeout=60)
    assert "n°2 enregistrée : 70 à 79 ans" in second.body and "prioritaire : ALD" in second.body
    assert second.decrypted

    # 2. Two GPs declare room: each is offered the priority patient (registered second).
    declared = await alpha.wait_reply(
        await alpha.send(rooms[alpha.user_id], "je peux prendre 1 nouveau patient"), timeout=60
    )
    assert declared.body.startswith("C'est noté : 1 nouveau patient"), declared.body
    await bravo.send(rooms[bravo.user_id], "je peux prendre 2 nouveaux patients ce mois-ci")
    offer_a, offer_b = await asyncio.gather(
        wait_offer(alpha, bot.user_id, 2), wait_offer(bravo, bot.user_id, 2)
    )
    for offer in (offer_a, offer_b):
        assert offer.decrypted
        assert "Durand" not in offer.body and "diabète" not in offer.body
    assert offers(alpha, bot.user_id, 1) == [] and offers(bravo, bot.user_id, 1) == []

    # 3. Both accept at the same moment (a reply and a reaction): exactly one wins.
    await asyncio.gather(
        alpha.send(offer_a.room_id, "je prends", reply_to=offer_a.event_id),
        bravo.react(offer_b.room_id, offer_b.event_id, "👍", encrypted=True),
    )
    told = await pharmacist.wait_for(bot_says(bot.user_id, "Demande médecin traitant n°2 :"))
    winner_name = "Alpha" if "Alpha" in told[0].body else "Bravo"
    winner, loser = (alpha, bravo) if winner_name == "Alpha" else (bravo, alpha)
    assert "accepte d'être le médecin traitant" in told[0].body
    assert "04 78 00 20 0" in told[0].body
    details = await winner.wait_for(bot_says(bot.user_id, "vous êtes le médecin traitant"))
    assert "M. Durand, 06 11 22 33 44" in details[0].body and "Officine" in details[0].body
    await loser.wait_for(bot_says(bot.user_id, "n°2 a", "acceptée par un confrère"))
    assert not bot_says(bot.user_id, "Durand")(loser)

    # 4. The one who lost is offered the other patient, and takes it.
    next_offer = await wait_offer(loser, bot.user_id, 1)
    await loser.send(next_offer.room_id, "je prends", reply_to=next_offer.event_id)
    await pharmacist.wait_for(bot_says(bot.user_id, "Demande médecin traitant n°1 :"))
    await loser.wait_for(bot_says(bot.user_id, "n°1 : vous êtes le médecin traitant"))
    assert len(bot_says(bot.user_id, "accepte d'être le médecin traitant")(pharmacist)) == 2
    assert not bot_says(bot.user_id, "Durand")(coordinator)

    # 5. The coordination sees an empty waiting list, and the month's report counts it.
    coord_room = rooms[coordinator.user_id]
    empty = await coordinator.wait_reply(await coordinator.send(coord_room, "liste d'attente"))
    assert empty.body == "Personne n'attend de médecin traitant."
    month = datetime.now(PARIS).strftime("%Y-%m")
    asked = await coordinator.send(coord_room, f"rapport {month}")
    report = await coordinator.wait_reply(asked, timeout=60)
    assert "Médecin traitant : 2 demandes reçues, 2 placées, 0 en attente" in report.body
    assert "ALD 1/1/0" in report.body
    assert "Places déclarées par les médecins : 3 (par 2 médecins), placements : 2" in report.body
    for user in (pharmacist, alpha, bravo, coordinator):
        assert user.undecryptable == []
    bot.stop()
