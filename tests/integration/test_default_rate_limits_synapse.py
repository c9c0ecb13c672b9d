"""A dispatch under Synapse's DEFAULT rate limits (a homeserver whose admin lifted
nothing): 10 rooms at once, then about one a minute; 10 messages, then one every 5 s.

Twelve nurses the bot never talked to, their chats not opened ahead (so that the
offers' room creations and sends are refused and retried as the question comes): each
gets the offer exactly once; the coordinator's confirmation and a bystander's directory
answer come while offers are still queued, and the answer overtakes the offers queued
before it (the homeserver's next free turn is the answer's: at most one offer, the one
under way when the question came, goes first; without this, the answer lost ten rounds
to the offers' retries); the coordination room is told once that deliveries are slowed
down. No timed assertion beyond generous timeouts: the figures are measured by
``bench/bench_dispatch_default_limits.py``.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cpts_bot.devtools.synapse import SynapseServer, synapse_python
from tests.integration.test_dispatch_synapse import DIRECTORY_HEADER, bot_says, broadcasts, run_cli
from tests.integration.test_tracking_synapse import set_coordination_room

pytestmark = pytest.mark.synapse

NURSES = 12
REQUEST = "déclenchement IDE domicile Lyon 8 maintenant pansement post-op, patient d'accord"
SLOWED = "envois ralentis par le serveur"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SynapseServer]:
    """This module's own homeserver, with Synapse's default rate limits."""
    python = (
        Path(os.environ["CPTS_SYNAPSE_PYTHON"])
        if os.environ.get("CPTS_SYNAPSE_PYTHON")
        else synapse_python(Path(os.environ.get("CPTS_STATE_DIR", REPO / ".cpts")))
    )
    server = SynapseServer.configure(
        python, tmp_path_factory.mktemp("synapse-default-limits"), default_rate_limits=True
    )
    server.start()
    yield server
    server.stop()


def nurse_line(index: int, matrix_id: str) -> str:
    return (
        f"professional,19900000{index:03d},,,TEST,Nurse{index},60,Infirmier,,,,,"
        f"{index + 1} rue Laënnec,69008,69388,Lyon 8e,,04 78 00 30 {index:02d},wound_care,,,"
        f"{matrix_id},1"
    )


def queued_offers(bot: Any) -> int:
    listed = subprocess.run(
        [sys.executable, "-m", "cpts_bot", "--rooms-file", str(bot.rooms_file), "outbox", "list"],
        env=bot.env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return sum("dispatch:1:broadcast" in line for line in listed.stdout.splitlines())


async def test_a_dispatch_to_twelve_new_people_under_default_limits(
    users: Any, make_bot: Any, tmp_path: Path
) -> None:
    coordinator = await users.client("coord")
    gp = await users.client("gp")
    nurses = [await users.client(f"ide{index}") for index in range(NURSES)]
    bot = make_bot(
        coordinators=[coordinator.user_id],
        allowed=[gp.user_id, *(nurse.user_id for nurse in nurses)],
        dispatch={"expire_after_seconds": 3600, "check_every_seconds": 5, "escalation": []},
    )
    bot.env["CPTS_PREPARE_DIRECT_CHATS"] = "false"  # every offer waits for its room
    lines = [nurse_line(index, nurse.user_id) for index, nurse in enumerate(nurses)]
    (tmp_path / "directory.csv").write_text("\n".join([DIRECTORY_HEADER, *lines]) + "\n", "utf-8")
    run_cli(bot, "import", "directory", str(tmp_path / "directory.csv"))
    coordination = await coordinator.create_encrypted_room([bot.user_id], direct=False)
    await set_coordination_room(bot, coordinator, coordination)
    bot.start()
    await coordinator.wait_joined(coordination, bot.user_id)
    room = await coordinator.create_encrypted_room([bot.user_id])
    gp_room = await gp.create_encrypted_room([bot.user_id])
    await coordinator.wait_joined(room, bot.user_id)
    await gp.wait_joined(gp_room, bot.user_id)
    await gp.wait_reply(await gp.send(gp_room, "bonjour"), timeout=60)  # an existing chat

    created = await coordinator.wait_reply(await coordinator.send(room, REQUEST), timeout=120)
    assert created.body.startswith(f"Déclenchement n°1 envoyé à {NURSES} professionnels")
    waiting = await asyncio.to_thread(queued_offers, bot)
    assert waiting > 0  # offers still queued
    # The question comes as in the bench, once the first sends and room creations of
    # the offers are being refused and retried (not a bound: a scenario's moment).
    await asyncio.sleep(5)
    answer = await gp.wait_reply(await gp.send(gp_room, "une infirmière à Lyon 8 ?"), timeout=120)
    assert "Nurse" in answer.body, answer.body
    left = await asyncio.to_thread(queued_offers, bot)
    # Before the offers queued before it: the one under way, and one while listing.
    assert waiting - left <= 2, (waiting, left)

    for nurse in nurses:
        await nurse.wait_for(lambda me: broadcasts(me, bot.user_id, 1), timeout=600)
    await coordinator.wait_for(bot_says(bot.user_id, SLOWED), timeout=60)
    await asyncio.sleep(5)
    for nurse in nurses:
        assert len(broadcasts(nurse, bot.user_id, 1)) == 1, nurse.user_id
    assert len(bot_says(bot.user_id, SLOWED)(coordinator)) == 1
    assert await asyncio.to_thread(queued_offers, bot) == 0
