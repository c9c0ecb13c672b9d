"""The patient's consent over the real Synapse, with the default settings: a request that
does not say it gets the question and nothing is sent; « oui » sends the anonymous
request (commune, care, time) and the details go to the one who takes it. An urgent
request goes out at once, anonymised, and its details follow the « oui »."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.integration.test_dispatch_synapse import (
    besides_welcome,
    bot_says,
    directory_csv,
    run_cli,
    wait_broadcast,
)

pytestmark = pytest.mark.synapse

IDENTITY = ("Durand", "12 rue des Lilas", "06 12 34 56 78")
REQUEST = (
    "déclenchement IDE domicile Lyon 8 maintenant pansement Mme Durand 12 rue des Lilas "
    "06 12 34 56 78"
)
URGENT = REQUEST.replace("déclenchement", "déclenchement urgent").replace("pansement", "perfusion")
POLICY = {"check_every_seconds": 1, "expire_after_seconds": 600}


async def test_the_consent_is_asked_then_the_anonymous_request_goes_and_the_taker_gets_details(
    users, make_bot, tmp_path: Path
) -> None:
    coordinator = await users.client("coord")
    nurses = list(await asyncio.gather(*(users.client(f"ide{i}") for i in range(5))))
    alice = nurses[0]
    bot = make_bot(
        coordinators=[coordinator.user_id],
        allowed=[nurse.user_id for nurse in nurses],
        dispatch=POLICY,
    )
    (tmp_path / "directory.csv").write_text(directory_csv(nurses), "utf-8")
    run_cli(bot, "import", "directory", str(tmp_path / "directory.csv"))
    bot.start()
    room = await coordinator.create_encrypted_room([bot.user_id])
    await coordinator.wait_joined(room, bot.user_id)

    # 1. Consent unsaid: the question, and nothing sent to anyone.
    question = await coordinator.wait_reply(await coordinator.send(room, REQUEST), timeout=60)
    assert question.body.startswith("Le patient est-il informé et d'accord"), question.body
    assert besides_welcome(alice, bot.user_id) == []

    # 2. « oui »: the anonymous request goes; the taker alone gets the details.
    await coordinator.send(room, "oui")
    created = await coordinator.wait_for(bot_says(bot.user_id, "Déclenchement n°1 envoyé à"))
    assert created[0].room_id == room
    offer = await wait_broadcast(alice, bot.user_id, 1)
    assert offer.decrypted and "pansement" in offer.body
    assert not any(word in offer.body for word in IDENTITY), offer.body
    await alice.send(offer.room_id, "je prends", reply_to=offer.event_id)
    details = await alice.wait_for(bot_says(bot.user_id, "Le déclenchement n°1 est pour vous"))
    assert all(word in details[0].body for word in IDENTITY), details[0].body

    # 3. Urgent: sent at once, anonymised; the details follow the « oui » to the taker.
    await coordinator.send(room, URGENT)
    [offer, *_] = await alice.wait_for(bot_says(bot.user_id, "URGENT déclenchement n°2"), 60)
    assert not any(word in offer.body for word in IDENTITY), offer.body
    await coordinator.wait_for(bot_says(bot.user_id, "Déclenchement n°2 envoyé à", "(oui / non)"))
    await alice.send(offer.room_id, "je prends", reply_to=offer.event_id)
    await alice.wait_for(bot_says(bot.user_id, "Le déclenchement n°2 est pour vous"))
    await coordinator.send(room, "oui")
    later = await alice.wait_for(bot_says(bot.user_id, "Déclenchement n°2 : le patient a donné"))
    assert all(word in later[0].body for word in IDENTITY), later[0].body
