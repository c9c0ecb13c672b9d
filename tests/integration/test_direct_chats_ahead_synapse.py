"""Direct chats opened ahead of need, over the real Synapse: at start, the bot opens an
encrypted direct chat with each member of the directory it may talk to (one each), and
with a member added while it runs, and shares each chat's room key once its member has
joined, with a welcome in each; the first dispatch then goes to those chats, with no
room created at dispatch time."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_dispatch_synapse import (
    DIRECTORY_HEADER,
    WELCOME,
    run_cli,
    wait_broadcast,
)

pytestmark = pytest.mark.synapse

REQUEST = "déclenchement IDE domicile Lyon 8 maintenant pansement post-op, patient d'accord"


def nurse_line(index: int, matrix_id: str) -> str:
    return (
        f"professional,1990000040{index},,,TEST,Nurse{index},60,Infirmier,,,,,"
        f"{index + 1} rue Laënnec,69008,69388,Lyon 8e,,04 78 00 40 0{index},wound_care,,,"
        f"{matrix_id},1"
    )


def rooms_created_by(synapse: Any, bot_id: str) -> set[str]:
    connection = sqlite3.connect(Path(synapse.directory) / "homeserver.db", timeout=10)
    try:
        rows = connection.execute("SELECT room_id FROM rooms WHERE creator = ?", (bot_id,))
        return {row[0] for row in rows}
    finally:
        connection.close()


async def joined_with(user: Any, bot_id: str, timeout: float = 90) -> str:
    """The room ``user`` shares with the bot, once they have joined it."""
    async with asyncio.timeout(timeout):
        while True:
            for room_id, room in user.client.rooms.items():
                if bot_id in room.users and user.user_id in room.users and room.encrypted:
                    return room_id
            await asyncio.sleep(0.2)


async def holds_room_key(user: Any, room_id: str, timeout: float = 150) -> bool:
    """Whether ``user``'s device received a Megolm key for ``room_id`` (no message needed)."""
    async with asyncio.timeout(timeout):
        while True:
            sessions = user.client.olm.inbound_group_store
            if any(session.room_id == room_id for session in sessions):
                return True
            await asyncio.sleep(0.2)


async def test_direct_chats_are_opened_at_start_and_when_a_member_is_added(
    users: Any, make_bot: Any, synapse: Any, tmp_path: Path
) -> None:
    coordinator = await users.client("coord")
    nurses = [await users.client(f"ide{index}") for index in range(3)]
    bot = make_bot(
        coordinators=[coordinator.user_id],
        allowed=[nurse.user_id for nurse in nurses],
        dispatch={"expire_after_seconds": 3600, "escalation": []},
    )
    csv = tmp_path / "directory.csv"
    lines = [nurse_line(index, nurse.user_id) for index, nurse in enumerate(nurses[:2])]
    csv.write_text("\n".join([DIRECTORY_HEADER, *lines]) + "\n", "utf-8")
    run_cli(bot, "import", "directory", str(csv))
    bot.start()
    ahead = [await joined_with(nurse, bot.user_id) for nurse in nurses[:2]]
    assert rooms_created_by(synapse, bot.user_id) == set(ahead)
    # Once joined, their room keys too, before anything is sent there: the first
    # dispatch goes out as in a chat already used.
    assert all(
        [await holds_room_key(nurse, room) for nurse, room in zip(nurses[:2], ahead, strict=True)]
    )

    # A member added while the bot runs gets theirs within a minute or so.
    lines.append(nurse_line(2, nurses[2].user_id))
    csv.write_text("\n".join([DIRECTORY_HEADER, *lines]) + "\n", "utf-8")
    run_cli(bot, "import", "directory", str(csv))
    ahead.append(await joined_with(nurses[2], bot.user_id, timeout=150))
    # Their join wakes the bot: the welcome comes within seconds, well before the
    # minute after which the bot would have looked again by itself.
    await nurses[2].wait_for(
        lambda user: [
            item for item in user.from_user(bot.user_id, ahead[2]) if item.body.startswith(WELCOME)
        ],
        timeout=30,
    )

    room = await coordinator.create_encrypted_room([bot.user_id])
    await coordinator.wait_joined(room, bot.user_id)
    created = await coordinator.wait_reply(await coordinator.send(room, REQUEST), timeout=60)
    assert created.body.startswith("Déclenchement n°1 envoyé à 3 professionnels"), created.body
    offers = await asyncio.gather(*(wait_broadcast(nurse, bot.user_id, 1) for nurse in nurses))
    assert [offer.room_id for offer in offers] == ahead  # the chats opened ahead
    assert all(offer.decrypted for offer in offers)
    assert rooms_created_by(synapse, bot.user_id) == set(ahead)  # none at dispatch time
    # Each chat had one welcome once its member joined, before the dispatch.
    for nurse, room_id in zip(nurses, ahead, strict=True):
        said = [item.body for item in nurse.from_user(bot.user_id, room_id)]
        welcomes = [body.startswith(WELCOME) for body in said]
        count = welcomes.count(True)
        assert welcomes[:1] == [True] and count == 1, said
        assert said[1].startswith("Déclenchement n°1 "), said
