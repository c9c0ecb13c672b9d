"""An answer is matched to what it answers, or to nothing — across a kill -9 between a send
and its record.

Dispatch n°1 is offered to the three nurses on duty and left open. The bot is then told
(``CPTS_FAULT_EXIT_AFTER_SEND``) to die like kill -9 right after the homeserver accepts
the first offer of n°2, before the outbox records it. While it is down, those who got
that offer accept it (a reply, a 👍). On restart the outbox sends the row again with the
same transaction id; the answers, which name an event the bot does not know yet, wait
for that record and then go to n°2: never to n°1, which also waits for them, never
« Plusieurs déclenchements attendent ». One winner, who alone gets n°2's patient."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest

from cpts_bot.devtools.matrix_user import MatrixUser, Received
from cpts_bot.matrix.matrix_chat_gateway import FAULT_EXIT_AFTER_SEND
from tests.faults.crash_points import request, territory
from tests.integration.test_dispatch_synapse import NAMES, bot_says, broadcasts, wait_broadcast

pytestmark = pytest.mark.synapse

FIRST = "Mme Aubépine Ajonc, 1 allée des Ajoncs, 06 11 11 11 11"
SECOND = "M. Basile Bergamote, 2 rue des Bleuets, 06 22 22 22 22"


def wait_exit(bot: object, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while bot.process.poll() is None:
        assert time.monotonic() < deadline, "the bot never reached the fault point"
        time.sleep(0.1)
    code = bot.process.returncode
    bot.process = None
    return code


async def offers_seen(nurses: list[MatrixUser], bot_id: str) -> list[tuple[int, Received]]:
    """Which nurses got n°2's offer before the bot died (a moment for it to arrive)."""
    await asyncio.sleep(3)
    return [
        (index, broadcasts(nurse, bot_id, 2)[0])
        for index, nurse in enumerate(nurses)
        if broadcasts(nurse, bot_id, 2)
    ]


async def test_accepts_sent_while_the_offer_is_unrecorded_go_to_that_request(
    users, make_bot, tmp_path: Path
) -> None:
    scene = await territory(users, make_bot, tmp_path)
    bot, coordinator, nurses = scene.bot, scene.coordinator, scene.nurses
    await coordinator.send(scene.room, request(1, FIRST))
    await asyncio.gather(*(wait_broadcast(nurse, bot.user_id, 1) for nurse in nurses))
    await coordinator.wait_for(bot_says(bot.user_id, "Déclenchement n°1 envoyé"), timeout=60)
    assert bot.stop() == 0

    bot.env[FAULT_EXIT_AFTER_SEND] = "dispatch:2:broadcast:"
    bot.start()
    await coordinator.send(scene.room, request(2, SECOND))
    assert wait_exit(bot) == 137, "killed between the send and its record"
    seen = await offers_seen(nurses, bot.user_id)
    assert seen, "the homeserver accepted at least one offer before the kill"
    answered = []
    for order, (index, offer) in enumerate(seen):
        if order % 2 == 0:
            await nurses[index].send(offer.room_id, "je prends", reply_to=offer.event_id)
        else:
            await nurses[index].react(offer.room_id, offer.event_id, "👍", encrypted=True)
        answered.append(index)

    del bot.env[FAULT_EXIT_AFTER_SEND]
    bot.start()
    told = await coordinator.wait_for(
        bot_says(bot.user_id, "Déclenchement n°2 pris par"), timeout=90
    )
    winners = [index for index in answered if NAMES[index] in told[0].body]
    assert len(winners) == 1, (told[0].body, answered)
    winner = nurses[winners[0]]
    details = await winner.wait_for(bot_says(bot.user_id, "Le déclenchement n°2 est pour vous"))
    assert "Bergamote" in details[0].body and details[0].decrypted
    for index in answered:
        if index != winners[0]:
            await nurses[index].wait_for(bot_says(bot.user_id, "Déjà pris par", NAMES[winners[0]]))
    # Those whose offer went out after the restart accept too: told it is taken.
    for index, nurse in enumerate(nurses):
        if index not in answered:
            offer = await wait_broadcast(nurse, bot.user_id, 2)
            await nurse.send(offer.room_id, "je prends", reply_to=offer.event_id)
            await nurse.wait_for(bot_says(bot.user_id, "Déjà pris par", NAMES[winners[0]]))

    assert len(bot_says(bot.user_id, "Déclenchement n°2 pris par")(coordinator)) == 1
    assert not bot_says(bot.user_id, "Déclenchement n°1 pris par")(coordinator)
    for nurse in nurses:
        assert not bot_says(bot.user_id, "Ajonc")(nurse), "nobody took n°1"
        assert not bot_says(bot.user_id, "Plusieurs")(nurse)
        assert not bot_says(bot.user_id, "ne correspond à aucune demande")(nurse)
        assert len(bot_says(bot.user_id, "Bergamote")(nurse)) == (nurse is winner)
    assert bot.stop() == 0
    with sqlite3.connect(bot.data_dir / "cpts-bot.sqlite") as database:
        taken = dict(database.execute("SELECT id, taken_by FROM dispatches").fetchall())
        waiting = database.execute("SELECT COUNT(*) FROM answer_waits").fetchone()[0]
    assert taken == {1: None, 2: winner.user_id}
    assert waiting == 0
