"""A recipient on a server that cannot be reached, over the real Synapse.

A dispatch, then a request for cover, go to colleagues and to
``@…:unreachable.invalid`` (a name that never resolves). The other nurses get it, and another user's question is answered, while the
unreachable delivery is still failing; the bot makes one direct chat for that member
whatever its retries; past its bound (30 s here) the delivery stops, the coordination is
told once, and ``cpts-bot status`` turns unhealthy; cancelling the dispatch drops the
offer; ``cpts-bot outbox list`` shows a stuck row and ``cpts-bot outbox drop ID``
removes it.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cpts_bot.core.times import PARIS
from cpts_bot.devtools.matrix_user import MatrixUser
from tests.integration.test_dispatch_synapse import (
    DIRECTORY_HEADER,
    bot_says,
    run_cli,
    wait_broadcast,
)
from tests.integration.test_tracking_synapse import set_coordination_room

pytestmark = pytest.mark.synapse

UNREACHABLE = "@nurse:unreachable.invalid"
REQUEST = "déclenchement IDE domicile Lyon 8 maintenant pansement post-op, patient d'accord"
STUCK = "Je n'arrive pas à joindre @nurse:unreachable.invalid"


def nurse_line(index: int, first_name: str, matrix_id: str) -> str:
    return (
        f"professional,1990000020{index},,,TEST,{first_name},60,Infirmier,,,,,"
        f"{index + 1} rue Laënnec,69008,69388,Lyon 8e,,04 78 00 20 0{index},wound_care,,,"
        f"{matrix_id},1"
    )


def cli(bot: Any, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cpts_bot", "--rooms-file", str(bot.rooms_file), *arguments],
        env=bot.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def rooms_per_person(synapse: Any, bot_id: str) -> Counter[str]:
    """How many rooms the bot created with each person in them (or invited); "" for
    rooms nobody else is in (an invitation that failed)."""
    connection = sqlite3.connect(Path(synapse.directory) / "homeserver.db", timeout=10)
    try:
        rows = connection.execute(
            "SELECT r.room_id, m.user_id FROM rooms r LEFT JOIN room_memberships m"
            " ON m.room_id = r.room_id AND m.user_id != ? WHERE r.creator = ?",
            (bot_id, bot_id),
        ).fetchall()
    finally:
        connection.close()
    people: dict[str, set[str]] = {}
    for room_id, user_id in rows:
        people.setdefault(room_id, set()).add(user_id or "")
    return Counter(person for members in people.values() for person in members)


def unreachable_rows(bot: Any) -> list[str]:
    listed = cli(bot, "outbox", "list")
    assert listed.returncode == 0, listed.stderr
    return [line for line in listed.stdout.splitlines() if UNREACHABLE in line]


async def eventually(check: Any, timeout: float = 90) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = await asyncio.to_thread(check)
        if found:
            return found
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.5)


async def test_an_unreachable_recipient_holds_up_nobody_and_is_set_aside_once(
    users: Any, make_bot: Any, synapse: Any, tmp_path: Path
) -> None:
    coordinator = await users.client("coord")
    gp = await users.client("gp")
    nurses: list[MatrixUser] = list(
        await asyncio.gather(*(users.client(f"ide{index}") for index in range(2)))
    )
    bot = make_bot(
        coordinators=[coordinator.user_id],
        allowed=[gp.user_id, *(nurse.user_id for nurse in nurses), UNREACHABLE],
        dispatch={"expire_after_seconds": 3600, "check_every_seconds": 1, "escalation": []},
    )
    bot.env["CPTS_DELIVERY_STUCK_MINUTES"] = "0.5"
    lines = [
        nurse_line(i, name, n.user_id)
        for i, (name, n) in enumerate(zip(["Alice", "Bruno"], nurses, strict=True))
    ]
    lines.append(nurse_line(2, "Xavier", UNREACHABLE))
    (tmp_path / "directory.csv").write_text("\n".join([DIRECTORY_HEADER, *lines]) + "\n", "utf-8")
    run_cli(bot, "import", "directory", str(tmp_path / "directory.csv"))
    coordination = await coordinator.create_encrypted_room([bot.user_id], direct=False)
    await set_coordination_room(bot, coordinator, coordination)
    bot.start()
    await coordinator.wait_joined(coordination, bot.user_id)
    room = await coordinator.create_encrypted_room([bot.user_id])
    await coordinator.wait_joined(room, bot.user_id)
    gp_room = await gp.create_encrypted_room([bot.user_id])
    await gp.wait_joined(gp_room, bot.user_id)

    # 1. The reachable nurses get the offer, and another user's question is answered,
    # while the delivery to the unreachable one keeps failing.
    created = await coordinator.wait_reply(await coordinator.send(room, REQUEST), timeout=60)
    assert created.body.startswith("Déclenchement n°1 envoyé à 3 professionnels"), created.body
    await asyncio.gather(*(wait_broadcast(nurse, bot.user_id, 1) for nurse in nurses))
    answer = await gp.wait_reply(await gp.send(gp_room, "une infirmière à Lyon 8 ?"), timeout=60)
    assert "Alice" in answer.body or "TEST" in answer.body, answer.body
    waiting = await asyncio.to_thread(unreachable_rows, bot)
    assert waiting and "STUCK" not in waiting[0], waiting  # still being retried

    # 2. Past its bound: set aside, the coordination told once, status unhealthy.
    await coordinator.wait_for(bot_says(bot.user_id, STUCK), timeout=120)
    stuck = await eventually(lambda: [r for r in unreachable_rows(bot) if "STUCK" in r])
    row_id = int(stuck[0].split()[0])
    status = await asyncio.to_thread(cli, bot, "status")
    assert status.returncode == 1 and f"delivery stuck: outbox row {row_id}" in status.stdout
    assert max(rooms_per_person(synapse, bot.user_id).values()) == 1  # one for that member

    # 3. Cancelling the dispatch drops its offer: status healthy again.
    await coordinator.send(room, "annuler 1")
    await coordinator.wait_for(bot_says(bot.user_id, "Déclenchement n°1 annulé"))
    await eventually(lambda: not unreachable_rows(bot))
    assert (await asyncio.to_thread(cli, bot, "status")).returncode == 0

    # 4. A second dispatch: the operator drops the failing row by hand.
    await coordinator.send(room, REQUEST.replace("post-op", "n°2"))
    await asyncio.gather(*(wait_broadcast(nurse, bot.user_id, 2) for nurse in nurses))
    second = await eventually(lambda: unreachable_rows(bot))
    dropped = await asyncio.to_thread(cli, bot, "outbox", "drop", second[0].split()[0])
    assert dropped.returncode == 0, dropped.stderr
    assert not await asyncio.to_thread(unreachable_rows, bot)

    # Told once in all, one room for that member in all.
    await asyncio.sleep(2)
    assert len(bot_says(bot.user_id, STUCK)(coordinator)) == 1
    assert max(rooms_per_person(synapse, bot.user_id).values()) == 1
    assert not re.search(r"Traceback", bot.log_text()), bot.log_text()[-3000:]


async def test_an_unreachable_colleague_in_a_request_for_cover_holds_up_nobody(
    users: Any, make_bot: Any, synapse: Any, tmp_path: Path
) -> None:
    coordinator, alice, bruno = [await users.client(n) for n in ("coord", "alice", "bruno")]
    bot = make_bot(
        coordinators=[coordinator.user_id], allowed=[alice.user_id, bruno.user_id, UNREACHABLE]
    )
    lines = [nurse_line(0, "Alice", alice.user_id), nurse_line(1, "Bruno", bruno.user_id)]
    lines.append(nurse_line(2, "Xavier", UNREACHABLE))
    (tmp_path / "directory.csv").write_text("\n".join([DIRECTORY_HEADER, *lines]) + "\n", "utf-8")
    tomorrow = datetime.now(PARIS) + timedelta(days=1)
    (tmp_path / "rota.csv").write_text(
        "type;matrix_id;name;profession;communes;day;start;end;from;until\n"
        f"garde;{alice.user_id};;IDE;69388;{tomorrow:%d/%m/%Y};20:00;08:00;;\n",
        "utf-8",
    )
    run_cli(bot, "import", "directory", str(tmp_path / "directory.csv"))
    run_cli(bot, "import-rota", str(tmp_path / "rota.csv"))
    bot.start()
    room = await alice.create_encrypted_room([bot.user_id])
    await alice.wait_joined(room, bot.user_id)

    asked = await alice.send(room, "Je cherche un remplaçant pour ma garde de demain")
    created = await alice.wait_reply(asked, timeout=60)
    assert created.body.startswith("Demande de remplacement n°1 envoyée à 2 collègues"), (
        created.body
    )
    offer = (await bruno.wait_for(bot_says(bot.user_id, "Remplacement n°1 "), timeout=60))[0]
    waiting = await asyncio.to_thread(unreachable_rows, bot)
    assert waiting and "STUCK" not in waiting[0], waiting  # still failing meanwhile
    answer = await alice.wait_reply(await alice.send(room, "mes gardes"), timeout=60)
    assert "20:00–08:00" in answer.body

    # Bruno takes it: the request is over, its offer to the unreachable one is dropped.
    await bruno.send(offer.room_id, "je prends", reply_to=offer.event_id)
    await bruno.wait_for(bot_says(bot.user_id, "La garde est à vous"))
    await eventually(lambda: not unreachable_rows(bot))
    # One room per person at most, and one for Xavier (nobody else in it).
    assert max(rooms_per_person(synapse, bot.user_id).values()) == 1
