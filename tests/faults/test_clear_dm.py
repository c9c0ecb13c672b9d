"""Patient data only in encrypted rooms, checked at every send.

A member opens an UNENCRYPTED direct chat with the bot (``is_direct``): the bot answers
there with a one-line refusal only, opens an encrypted chat with her, and the dispatch
offer and, once she accepts, the patient's details go there. Then the homeserver's own
database is read: no ``m.room.message`` from the bot holds a word of the patient."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.crash_points import events_sent_by, request, territory
from tests.integration.test_dispatch_synapse import bot_says, wait_broadcast

pytestmark = pytest.mark.synapse

PATIENT = "Mme Zéphyrine Quenouille, 9 impasse des Glycines, 06 98 76 54 32"
PATIENT_WORDS = ("Zéphyrine", "Quenouille", "Glycines", "06 98 76 54 32")


async def test_a_hostile_unencrypted_direct_chat_never_carries_patient_data(
    synapse, users, make_bot, tmp_path: Path
) -> None:
    scene = await territory(users, make_bot, tmp_path)
    bot, coordinator = scene.bot, scene.coordinator
    hostile = scene.nurses[0]
    clear_room = await hostile.create_encrypted_room([bot.user_id], direct=True, encrypted=False)
    await hostile.wait_joined(clear_room, bot.user_id)
    refusal = await hostile.wait_reply(await hostile.send(clear_room, "bonjour"), timeout=60)
    assert not refusal.decrypted and "chiffrés de bout en bout" in refusal.body
    assert "\n" not in refusal.body.strip(), "one line"
    # The bot opens (or keeps) an encrypted chat with her.
    opened = await hostile.wait_for(
        lambda me: [i for i in bot_says(bot.user_id, "Voici notre")(me) if i.room_id != clear_room],
        timeout=60,
    )
    secret_room = opened[0].room_id
    assert opened[0].decrypted

    created = await coordinator.wait_reply(
        await coordinator.send(scene.room, request(1, PATIENT)), timeout=60
    )
    assert created.body.startswith("Déclenchement n°1 envoyé"), created.body
    offer = await wait_broadcast(hostile, bot.user_id, 1)
    assert offer.room_id == secret_room and offer.decrypted
    # An accept said in the clear chat is refused, and takes nothing.
    await hostile.wait_reply(await hostile.send(clear_room, "je prends"), timeout=60)
    await hostile.send(offer.room_id, "je prends", reply_to=offer.event_id)
    details = await hostile.wait_for(bot_says(bot.user_id, "Le déclenchement n°1 est pour vous"))
    assert details[0].room_id == secret_room and details[0].decrypted
    assert "Quenouille" in details[0].body
    await coordinator.wait_for(bot_says(bot.user_id, "Déclenchement n°1 pris par"))

    in_clear = [item for item in hostile.from_user(bot.user_id) if item.room_id == clear_room]
    assert all(not item.decrypted for item in in_clear) and len(in_clear) == 2, in_clear
    stored = events_sent_by(synapse, bot.user_id)
    assert any(kind == "m.room.encrypted" and room == secret_room for kind, room, _ in stored)
    plain = [event for kind, _, event in stored if kind == "m.room.message"]
    assert plain, "the refusals, in clear"
    for event in plain:
        text = str(event)
        assert not any(word in text for word in PATIENT_WORDS), event
        assert "Déclenchement" not in text, event
