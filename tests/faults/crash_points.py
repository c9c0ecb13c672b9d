"""What the trust scenarios share: a territory with three nurses on duty, a coordinator
in an encrypted chat with the bot, and the homeserver's own record of what the bot sent."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cpts_bot.core.times import PARIS
from cpts_bot.devtools.matrix_user import MatrixUser
from cpts_bot.devtools.synapse import SynapseServer
from tests.integration.test_dispatch_synapse import directory_csv, rota_csv, run_cli

# Long enough that nothing escalates or expires while a scenario runs.
QUIET_POLICY = {"expire_after_seconds": 3600, "check_every_seconds": 5, "escalation": []}


def request(number: int, patient: str) -> str:
    return (
        f"déclenchement IDE domicile Lyon 8 maintenant pansement n{number}, patient d'accord"
        f"\npatient : {patient}"
    )


@dataclass
class Territory:
    bot: object
    coordinator: MatrixUser
    room: str
    nurses: list[MatrixUser]  # the three on duty


async def territory(users: object, make_bot: object, tmp_path: Path) -> Territory:
    """A coordinator, five nurses of whom three are on duty now, the bot started."""
    coordinator = await users.client("coord")
    nurses = list(await asyncio.gather(*(users.client(f"ide{i}") for i in range(5))))
    bot = make_bot(
        coordinators=[coordinator.user_id],
        allowed=[nurse.user_id for nurse in nurses],
        dispatch=QUIET_POLICY,
    )
    (tmp_path / "directory.csv").write_text(directory_csv(nurses), "utf-8")
    (tmp_path / "rota.csv").write_text(rota_csv(nurses, datetime.now(PARIS)), "utf-8")
    run_cli(bot, "import", "directory", str(tmp_path / "directory.csv"))
    run_cli(bot, "import-rota", str(tmp_path / "rota.csv"))
    bot.start()
    room = await coordinator.create_encrypted_room([bot.user_id])
    await coordinator.wait_joined(room, bot.user_id)
    return Territory(bot, coordinator, room, nurses[:3])


def events_sent_by(synapse: SynapseServer, user_id: str) -> list[tuple[str, str, dict]]:
    """(type, room, event JSON) of every event the homeserver stored from ``user_id``."""
    database = synapse.directory / "homeserver.db"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT e.type, e.room_id, j.json FROM events e"
            " JOIN event_json j ON j.event_id = e.event_id WHERE e.sender = ?",
            (user_id,),
        ).fetchall()
    return [(kind, room, json.loads(text)) for kind, room, text in rows]
