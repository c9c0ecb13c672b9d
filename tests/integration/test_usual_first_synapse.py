"""Usual professional first, and reminders, over the real Synapse.

A coordinator and three nurses of the test territory, each a separate E2EE client, all
in the directory with their Matrix IDs. The request names Chloé as the patient's usual
nurse: she alone is asked; Alice and Bruno only once ``usual_first_seconds`` have
passed. Alice takes it and does not mark it done: she is reminded once, then the
coordinator is told.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from tests.integration.test_dispatch_synapse import (
    bot_says,
    broadcasts,
    directory_csv,
    run_cli,
    wait_broadcast,
)

pytestmark = pytest.mark.synapse

USUAL_FIRST_SECONDS = 8
POLICY = {
    "check_every_seconds": 1,
    "usual_first_seconds": USUAL_FIRST_SECONDS,
    "usual_first_urgent_seconds": 2,
    "expire_after_seconds": 600,
    "escalation": [{"after_seconds": 600, "action": "notify_coordination"}],
    "reminders": {"done_within_seconds": 3, "coordination_after_seconds": 3},
}
REQUEST = (
    "déclenchement IDE domicile Lyon 8 maintenant pansement post-op, patient d'accord\n"
    "IDE habituelle : Chloé TEST\npatient : Mme D., 3 rue des Lilas"
)


async def test_the_usual_nurse_is_asked_alone_then_the_others_then_reminders(
    users, make_bot, tmp_path: Path
) -> None:
    coordinator = await users.client("coord")
    nurses = list(await asyncio.gather(*(users.client(f"ide{i}") for i in range(5))))
    alice, bruno, chloe = nurses[:3]
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

    # 1. Chloé alone is asked, in her encrypted direct chat.
    sent_at = time.monotonic()
    created = await coordinator.wait_reply(await coordinator.send(room, REQUEST), timeout=60)
    assert created.body.startswith("Déclenchement n°1 envoyé à 1 professionnel"), created.body
    assert "Demandé d'abord à Chloé TEST, qui suit habituellement ce patient" in created.body
    first = await wait_broadcast(chloe, bot.user_id, 1)
    assert first.decrypted and "pansement post-op" in first.body
    # The details line naming her is not broadcast; she is told she is asked first.
    assert "IDE habituelle" not in first.body and "Chloé TEST" not in first.body, first.body
    assert "Vous suivez habituellement ce patient" in first.body, first.body
    others = [alice, bruno, *nurses[3:]]
    assert all(broadcasts(nurse, bot.user_id, 1) == [] for nurse in others)

    # 2. The others are asked once the usual nurse's time has passed, not before.
    await asyncio.sleep(max(0.0, sent_at + USUAL_FIRST_SECONDS / 2 - time.monotonic()))
    assert all(broadcasts(nurse, bot.user_id, 1) == [] for nurse in others)
    widened = await asyncio.gather(*(wait_broadcast(nurse, bot.user_id, 1) for nurse in others))
    assert time.monotonic() - sent_at >= USUAL_FIRST_SECONDS
    assert all(message.decrypted for message in widened)
    assert len(broadcasts(chloe, bot.user_id, 1)) == 1  # not asked twice

    # 3. Alice takes it and does not mark it done: she is reminded once, then the
    # coordinator is told (no coordination room: in their direct chat).
    await alice.send(widened[0].room_id, "je prends", reply_to=widened[0].event_id)
    await alice.wait_for(bot_says(bot.user_id, "Le déclenchement n°1 est pour vous"))
    reminder = await alice.wait_for(bot_says(bot.user_id, "Rappel : le déclenchement n°1"))
    assert "« fait 1 »" in reminder[0].body and reminder[0].decrypted
    told = await coordinator.wait_for(
        bot_says(bot.user_id, "n'est toujours pas noté comme réalisé malgré un rappel"), timeout=30
    )
    assert "Alice TEST" in told[0].body
    await asyncio.sleep(3)
    assert len(bot_says(bot.user_id, "Rappel : le déclenchement n°1")(alice)) == 1
    assert len(bot_says(bot.user_id, "toujours pas noté comme réalisé")(coordinator)) == 1
    await alice.send(widened[0].room_id, "fait 1")
    await alice.wait_for(bot_says(bot.user_id, "Déclenchement n°1 noté comme réalisé"))

    assert bot.stop() == 0
