"""Swaps over the real Synapse: a nurse on duty asks for cover in her encrypted chat
with the bot, her free colleagues get the offer in theirs, one takes it with « je
prends », the rota changes, both are told, the other's offer is edited, the coordination
room sees it, and a late 👍 (sent in clear, as Element Web does) is told it is taken."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cpts_bot.core.times import PARIS
from cpts_bot.devtools.matrix_user import MatrixUser, Received
from tests.integration.test_dispatch_synapse import DIRECTORY_HEADER, run_cli
from tests.integration.test_tracking_synapse import set_coordination_room

pytestmark = pytest.mark.synapse
NAMES = ["Anne", "Bruno", "Chloé"]


def directory_csv(nurses: list[MatrixUser]) -> str:
    lines = [DIRECTORY_HEADER]
    for index, (nurse, first_name) in enumerate(zip(nurses, NAMES, strict=True)):
        fields = ["professional", f"1990000020{index}", "", "", "TEST", first_name, "60"]
        fields += ["Infirmier", "", "", "", "", f"{index + 1} rue Laënnec", "69008", "69388"]
        fields += ["Lyon 8e", "", f"04 78 00 20 0{index}", "", "", "", nurse.user_id, "1"]
        lines.append(",".join(fields))
    return "\n".join(lines) + "\n"


def bot_says(bot_id: str, *words: str, room: str | None = None) -> Callable[..., list[Received]]:
    def predicate(user: MatrixUser) -> list[Received]:
        return [
            item
            for item in user.from_user(bot_id, room)
            if all(word in item.body for word in words)
        ]

    return predicate


def offer_of(user: MatrixUser, bot_id: str) -> list[Received]:
    return [
        item
        for item in user.from_user(bot_id)
        if item.body.startswith("Remplacement n°1 ") and "m.new_content" not in item.content
    ]


async def test_a_colleague_takes_the_duty_and_everyone_sees_it(
    users: Any, make_bot: Any, tmp_path: Path
) -> None:
    coordinator = await users.client("coord")
    anne, bruno, chloe = await asyncio.gather(
        *(users.client(n) for n in ("anne", "bruno", "chloe"))
    )
    bot = make_bot(
        coordinators=[coordinator.user_id],
        allowed=[anne.user_id, bruno.user_id, chloe.user_id],
    )
    tomorrow = datetime.now(PARIS) + timedelta(days=1)
    (tmp_path / "directory.csv").write_text(directory_csv([anne, bruno, chloe]), "utf-8")
    (tmp_path / "rota.csv").write_text(
        "type;matrix_id;name;profession;communes;day;start;end;from;until\n"
        f"garde;{anne.user_id};;IDE;69388;{tomorrow:%d/%m/%Y};20:00;08:00;;\n",
        "utf-8",
    )
    run_cli(bot, "import", "directory", str(tmp_path / "directory.csv"))
    run_cli(bot, "import-rota", str(tmp_path / "rota.csv"))
    coordination = await coordinator.create_encrypted_room([bot.user_id], direct=False)
    await set_coordination_room(bot, coordinator, coordination)
    bot.start()
    await coordinator.wait_joined(coordination, bot.user_id)
    room = await anne.create_encrypted_room([bot.user_id])
    await anne.wait_joined(room, bot.user_id)

    # 1. Anne asks; her two free colleagues get the offer, decrypted, in their own chats.
    request = await anne.send(room, "Je cherche un remplaçant pour ma garde de demain")
    created = await anne.wait_reply(request, timeout=60)
    assert created.body.startswith(
        "Demande de remplacement n°1 envoyée à 2 collègues libres : IDE, Lyon 8e"
    ), created.body
    offers = await asyncio.gather(
        *(nurse.wait_for(lambda me: offer_of(me, bot.user_id), 60) for nurse in (bruno, chloe))
    )
    bruno_offer, chloe_offer = offers[0][0], offers[1][0]
    assert bruno_offer.decrypted and chloe_offer.decrypted
    assert "Anne TEST cherche quelqu'un pour sa garde" in chloe_offer.body

    # 2. Chloé takes it: she is told, Anne is told (with Chloé's phone), Bruno's offer is
    # edited, the coordination room sees it.
    await chloe.send(chloe_offer.room_id, "je prends", reply_to=chloe_offer.event_id)
    await chloe.wait_for(bot_says(bot.user_id, "La garde est à vous", "Le planning est à jour"))
    told = await anne.wait_for(bot_says(bot.user_id, "prend votre garde", "Chloé TEST"))
    assert "04 78 00 20 02" in told[0].body
    seen = await coordinator.wait_for(
        bot_says(bot.user_id, "Remplacement n°1 : Chloé TEST remplace Anne TEST", room=coordination)
    )
    assert seen[0].decrypted
    await bruno.wait_for(bot_says(bot.user_id, "[Garde prise par Chloé TEST]"))

    # 3. The rota changed: the night is Chloé's, no longer Anne's.
    ask = await chloe.send(chloe_offer.room_id, "mes gardes")
    assert "20:00–08:00" in (await chloe.wait_reply(ask)).body
    ask = await anne.send(room, "mes gardes")
    assert "20:00–08:00" not in (await anne.wait_reply(ask)).body

    # 4. Bruno's 👍 comes late, in clear (as Element Web sends reactions): he is told.
    await bruno.react(bruno_offer.room_id, bruno_offer.event_id, "👍")
    await bruno.wait_for(bot_says(bot.user_id, "Cette garde a déjà été prise par Chloé TEST"))
    assert anne.undecryptable == [] and bruno.undecryptable == [] and chloe.undecryptable == []
    assert bot.stop() == 0


async def test_taking_a_duty_that_overlaps_ones_own_is_refused(
    users: Any, make_bot: Any, tmp_path: Path
) -> None:
    """Bruno is offered Anne's night, then the coordination puts him on duty that
    evening: his « je prends » is refused with the overlap named, the night stays
    Anne's, and Chloé can still take it."""
    coordinator = await users.client("coord")
    anne, bruno, chloe = await asyncio.gather(
        *(users.client(n) for n in ("anne", "bruno", "chloe"))
    )
    bot = make_bot(
        coordinators=[coordinator.user_id],
        allowed=[anne.user_id, bruno.user_id, chloe.user_id],
    )
    tomorrow = datetime.now(PARIS) + timedelta(days=1)
    (tmp_path / "directory.csv").write_text(directory_csv([anne, bruno, chloe]), "utf-8")
    (tmp_path / "rota.csv").write_text(
        "type;matrix_id;name;profession;communes;day;start;end;from;until\n"
        f"garde;{anne.user_id};;IDE;69388;{tomorrow:%d/%m/%Y};20:00;08:00;;\n",
        "utf-8",
    )
    run_cli(bot, "import", "directory", str(tmp_path / "directory.csv"))
    run_cli(bot, "import-rota", str(tmp_path / "rota.csv"))
    bot.start()
    room = await anne.create_encrypted_room([bot.user_id])
    desk = await coordinator.create_encrypted_room([bot.user_id])
    await asyncio.gather(
        anne.wait_joined(room, bot.user_id), coordinator.wait_joined(desk, bot.user_id)
    )

    request = await anne.send(room, "Je cherche un remplaçant pour ma garde de demain")
    created = await anne.wait_reply(request, timeout=60)
    assert "envoyée à 2 collègues libres" in created.body, created.body
    offers = await asyncio.gather(
        *(nurse.wait_for(lambda me: offer_of(me, bot.user_id), 60) for nurse in (bruno, chloe))
    )
    bruno_offer, chloe_offer = offers[0][0], offers[1][0]

    # The coordination puts Bruno on duty from 22 h to 23 h tomorrow.
    setting = await coordinator.send(
        desk, f"garde {bruno.user_id} IDE Lyon 8 {tomorrow:%d/%m} 22h-23h"
    )
    assert (await coordinator.wait_reply(setting, timeout=60)).body.startswith("Garde enregistrée")

    await bruno.send(bruno_offer.room_id, "je prends", reply_to=bruno_offer.event_id)
    refused = await bruno.wait_for(bot_says(bot.user_id, "Vous ne pouvez pas prendre"))
    assert "vous êtes déjà de garde à ce moment-là" in refused[0].body, refused[0].body
    assert "22 h – 23 h" in refused[0].body and "Rien n'a été changé" in refused[0].body
    ask = await anne.send(room, "mes gardes")
    assert "20:00–08:00" in (await anne.wait_reply(ask)).body

    await chloe.send(chloe_offer.room_id, "je prends", reply_to=chloe_offer.event_id)
    await chloe.wait_for(bot_says(bot.user_id, "La garde est à vous"))
    assert all("La garde est à vous" not in item.body for item in bruno.from_user(bot.user_id))
    assert bot.stop() == 0
