"""A 👍 as Element Web sends it: matrix-js-sdk (37.5, Rust crypto, the library of Element
Web) leaves ``m.reaction`` unencrypted even in encrypted rooms. The bot accepts it from an
allowed member: the dispatch is taken, the alert acknowledged.

The nurse is the js-sdk client (cross-signed, "only signed devices" mode); the coordinator
a matrix-nio client; the bot the real process.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cpts_bot.core.times import PARIS
from cpts_bot.devtools.matrix_user import MatrixUser
from tests.integration.js_client import JsClient, ensure_js_client
from tests.integration.test_alerts_synapse import bot_database, create_alert, group_room
from tests.integration.test_dispatch_synapse import DIRECTORY_HEADER, bot_says, run_cli

pytestmark = [pytest.mark.synapse, pytest.mark.node]

REQUEST = (
    "déclenchement IDE domicile Lyon 8 maintenant pansement post-op, patient d'accord\n"
    "patient : Mme D., 3 rue des Lilas, 06 12 34 56 78"
)


@pytest.fixture(scope="session")
def js_ready() -> None:
    problem = ensure_js_client()
    if problem:
        pytest.skip(problem)


def one_nurse(nurse_id: str, tmp_path: Path) -> tuple[Path, Path]:
    """A directory card and a duty slot now for the nurse."""
    card = (
        "professional,19900000100,,Mme,TEST,Alice,60,Infirmier,,,,,1 rue Laënnec,69008,"
        f"69388,Lyon 8e,,04 78 00 10 00,wound_care,,,{nurse_id},1"
    )
    directory = tmp_path / "directory.csv"
    directory.write_text(f"{DIRECTORY_HEADER}\n{card}\n", "utf-8")
    start = datetime.now(PARIS) - timedelta(hours=1)
    end = datetime.now(PARIS) + timedelta(hours=3)
    rota = tmp_path / "rota.csv"
    rota.write_text(
        "type;matrix_id;name;profession;communes;day;start;end;from;until\n"
        f"garde;{nurse_id};;IDE;69388;{start:%d/%m/%Y};{start:%H:%M};{end:%H:%M};;\n",
        "utf-8",
    )
    return directory, rota


def from_bot(bot_id: str, room: str | None, pattern: str) -> Callable[[dict[str, Any]], bool]:
    def matches(line: dict[str, Any]) -> bool:
        return (
            line["type"] == "message"
            and line["sender"] == bot_id
            and (room is None or line["room_id"] == room)
            and bool(line["body"])
            and re.search(pattern, line["body"]) is not None
        )

    return matches


async def react_in_clear(js: JsClient, room_id: str, event_id: str) -> None:
    await js.command(cmd="react", room_id=room_id, event_id=event_id, key="👍")
    reacted = await js.expect(lambda line: line["type"] == "reacted")
    # As Element Web sends it: the homeserver holds a clear m.reaction, not an
    # m.room.encrypted event.
    assert reacted["wire_type"] == "m.reaction", reacted


async def test_a_clear_thumbs_up_takes_a_dispatch_and_acknowledges_an_alert(
    users, make_bot, tmp_path: Path, js_ready: None
) -> None:
    coordinator: MatrixUser = await users.client("coord")
    nurse_id, nurse_password = users.create("ide")
    js = await JsClient.start(users.synapse.url, nurse_id, nurse_password, accept_invites=True)
    try:
        await js.expect(lambda line: line["type"] == "ready")
        bot = make_bot(coordinators=[coordinator.user_id], allowed=[nurse_id])
        alerts_room = await group_room(
            coordinator, [bot.user_id, nurse_id], moderators=[bot.user_id]
        )
        bot.rooms_file.write_text(
            bot.rooms_file.read_text("utf-8") + f"rooms:\n  alerts: ['{alerts_room}']\n",
            "utf-8",
        )
        directory, rota = one_nurse(nurse_id, tmp_path)
        run_cli(bot, "import", "directory", str(directory))
        run_cli(bot, "import-rota", str(rota))
        bot.start()
        for member in (bot.user_id, nurse_id):
            await coordinator.wait_joined(alerts_room, member)
        direct = await coordinator.create_encrypted_room([bot.user_id])
        await coordinator.wait_joined(direct, bot.user_id)

        # The dispatch: a 👍 sent in clear on the broadcast takes it.
        created = await coordinator.wait_reply(await coordinator.send(direct, REQUEST))
        assert created.body.startswith("Déclenchement n°1 envoyé à 1 professionnel"), created.body
        offer = await js.expect(from_bot(bot.user_id, None, r"^Déclenchement n°1 "))
        assert offer["decrypted"] and offer["shield"] == "NONE", offer
        await react_in_clear(js, offer["room_id"], offer["event_id"])
        details = await js.expect(from_bot(bot.user_id, None, "Le déclenchement n°1 est pour vous"))
        assert "3 rue des Lilas" in details["body"]
        await coordinator.wait_for(bot_says(bot.user_id, "Déclenchement n°1 pris par"))

        # The alert: a 👍 sent in clear in the shared, encrypted alerts room acknowledges.
        number = await create_alert(coordinator, direct, "alerte important: Rupture de stock")
        post = await js.expect(from_bot(bot.user_id, alerts_room, f"Alerte n° {number}"))
        await react_in_clear(js, alerts_room, post["event_id"])
        for _ in range(100):
            with bot_database(bot) as db:
                readers = list(db.execute("SELECT user_id, via FROM alert_acknowledgements"))
            if readers:
                break
            await asyncio.sleep(0.2)
        assert readers == [(nurse_id, "reaction")]
        # Nothing was said in the shared room about the reaction.
        assert [
            item.body
            for item in coordinator.from_user(bot.user_id, alerts_room)
            if "Alerte n°" not in item.body
        ] == []
    finally:
        await js.close()
