"""Operations over the real Synapse: the start-up warning about missing room powers, the
recovery key file, ``cpts-bot status`` while the bot runs, private files, and sent
messages erased from the outbox."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import stat
import subprocess
import sys
from typing import Any

import pytest

from cpts_bot.storage.file_modes import loose_paths

pytestmark = pytest.mark.synapse

WARNING = "Voici ce que je ne peux pas faire, salon par salon"


async def sent_rows(bot: Any, event_id: str) -> list[tuple[str, str, str]]:
    """The outbox rows marked sent, once ``event_id`` is among them."""
    for _ in range(100):
        with sqlite3.connect(f"file:{bot.data_dir / 'cpts-bot.sqlite'}?mode=ro", uri=True) as db:
            rows = db.execute(
                "SELECT payload, room_id, event_id FROM outbox WHERE sent_at IS NOT NULL"
            ).fetchall()
        if any(row[2] == event_id for row in rows):
            return rows
        await asyncio.sleep(0.1)
    raise AssertionError(f"{event_id} never marked sent: {rows}")


def status(bot: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cpts_bot", "status"],
        env=bot.env,
        capture_output=True,
        text=True,
        check=False,
    )


async def test_start_up_warns_of_missing_powers_and_status_reports_health(
    users: Any, make_bot: Any
) -> None:
    coordinator = await users.client("coordinator")
    bot = make_bot(coordinators=[coordinator.user_id], allowed=[])
    coordination = await coordinator.create_encrypted_room([bot.user_id], direct=False)
    # The bot is a moderator in the alerts room, a plain member in the duty room.
    alerts = await coordinator.create_encrypted_room(
        [bot.user_id], direct=False, moderators=[bot.user_id]
    )
    duty = await coordinator.create_encrypted_room([bot.user_id], direct=False)
    bot.rooms_file.write_text(
        bot.rooms_file.read_text("utf-8")
        + f"rooms:\n  coordination: '{coordination}'\n  alerts: ['{alerts}']\n"
        f"  duty:\n    IDE: '{duty}'\n",
        "utf-8",
    )
    bot.start()
    for room in (coordination, alerts, duty):
        await coordinator.wait_joined(room, bot.user_id)

    def warnings(me: Any) -> list[Any]:
        return [item for item in me.from_user(bot.user_id, coordination) if WARNING in item.body]

    warning = (await coordinator.wait_for(warnings, timeout=60))[0]
    assert warning.decrypted
    lines = warning.body.splitlines()
    assert lines[1:] == [
        f"• {duty} : mentionner @room (alertes et déclenchements urgents),"
        " épingler des messages (alertes en vigueur), supprimer des messages"
    ], warning.body
    assert alerts not in warning.body

    # The recovery key: a 0600 file whose path is logged; the key is not in the log.
    key_file = bot.data_dir / "recovery-key.txt"
    key = key_file.read_text("utf-8").strip()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert str(key_file) in bot.log_text() and key not in bot.log_text()

    # Everything in the data directory is private, while the bot runs.
    assert loose_paths(bot.data_dir) == []

    # The warning was sent: its text is no longer in the outbox, its room and event are
    # (the row is marked sent just after the homeserver answered: wait for it).
    rows = await sent_rows(bot, warning.event_id)
    assert all(payload == "{}" for payload, _room, _event in rows)
    assert (coordination, warning.event_id) in [(room, event) for _p, room, event in rows]

    # `cpts-bot status` while the bot runs: healthy, with its device and rooms.
    result = status(bot)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "health:        healthy" in result.stdout
    assert "rooms joined:  3" in result.stdout
    assert "device signed, master key" in result.stdout
    # The operator's view: the homeserver's version without admin rights, the token.
    assert re.search(r"^homeserver: +http://\S+, Synapse.*\d", result.stdout, re.M), result.stdout
    assert f"token:         accepted for {bot.user_id}" in result.stdout
    assert bot.stop() == 0
    # Stopped: still readable, and healthy for a few minutes (the last sync is recent).
    assert status(bot).returncode == 0
