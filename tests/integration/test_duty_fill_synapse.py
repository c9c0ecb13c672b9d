"""A duty with nobody filled by chat, and a request for cover that leaves out whom the
directory does not know, over the real Synapse: Bruno's night falls in his leave, the
coordinator writes « garde du … nuit IDE : Anne », the rota changes and Anne (who never
wrote to the bot) is told in an encrypted direct chat; Chloé asks for cover, Zoé (on the
rota, without a card) is not asked, and Chloé is told so in one line."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cpts_bot.core.times import PARIS
from tests.integration.test_dispatch_synapse import run_cli
from tests.integration.test_shift_swaps_synapse import bot_says, directory_csv, offer_of

pytestmark = pytest.mark.synapse


async def test_a_coordinator_fills_a_duty_with_nobody_and_cover_skips_the_unknown(
    users: Any, make_bot: Any, tmp_path: Path
) -> None:
    coordinator = await users.client("coord")
    anne, bruno, chloe = await asyncio.gather(
        *(users.client(n) for n in ("anne", "bruno", "chloe"))
    )
    zoe = "@zoe" + anne.user_id[anne.user_id.index(":") :]  # on the rota only
    bot = make_bot(
        coordinators=[coordinator.user_id],
        allowed=[anne.user_id, bruno.user_id, chloe.user_id],
    )
    today = datetime.now(PARIS).date()
    night, later = today + timedelta(days=1), today + timedelta(days=4)
    (tmp_path / "directory.csv").write_text(directory_csv([anne, bruno, chloe]), "utf-8")
    (tmp_path / "rota.csv").write_text(
        "type;matrix_id;name;profession;communes;day;start;end;from;until\n"
        f"garde;{bruno.user_id};;IDE;69388;{night:%d/%m/%Y};20:00;08:00;;\n"
        f"conge;{bruno.user_id};;;;;;;{night:%d/%m/%Y};{night + timedelta(days=1):%d/%m/%Y}\n"
        f"garde;{chloe.user_id};;IDE;69388;{later:%d/%m/%Y};08:00;20:00;;\n"
        f"garde;{zoe};Zoé FAURE;IDE;69388;{later + timedelta(days=1):%d/%m/%Y};08:00;20:00;;\n",
        "utf-8",
    )
    run_cli(bot, "import", "directory", str(tmp_path / "directory.csv"))
    run_cli(bot, "import-rota", str(tmp_path / "rota.csv"))
    bot.start()
    desk = await coordinator.create_encrypted_room([bot.user_id])
    await coordinator.wait_joined(desk, bot.user_id)

    # 1. Bruno is on leave: his night has nobody; the coordinator gives it to Anne.
    fill = await coordinator.send(desk, f"garde du {night:%d/%m} nuit IDE : Anne")
    answer = await coordinator.wait_reply(fill, timeout=60)
    assert answer.decrypted and answer.body == (
        "Planning mis à jour : Anne TEST est de garde demain 20 h – 8 h "
        "(IDE, Lyon 8e Arrondissement)."
    ), answer.body
    [told] = await anne.wait_for(bot_says(bot.user_id, "La coordination vous confie la garde"), 60)
    assert told.decrypted and "20 h – 8 h" in told.body
    room = await anne.create_encrypted_room([bot.user_id])
    await anne.wait_joined(room, bot.user_id)
    ask = await anne.send(room, f"mes gardes du {night:%d/%m}")
    assert "20:00–08:00" in (await anne.wait_reply(ask, timeout=60)).body

    # 2. Chloé asks for cover: Anne and Bruno are asked, Zoé (no card) is not.
    mine = await chloe.create_encrypted_room([bot.user_id])
    await chloe.wait_joined(mine, bot.user_id)
    request = await chloe.send(mine, f"Je cherche un remplaçant pour ma garde du {later:%d/%m}")
    created = await chloe.wait_reply(request, timeout=60)
    assert created.body.startswith("Demande de remplacement n°1 envoyée à 2 collègues libres")
    assert created.body.endswith(
        "1 collègue du planning n'a pas été sollicité : l'annuaire de la CPTS ne le connaît "
        "pas (la coordination peut ajouter sa fiche)."
    ), created.body
    await asyncio.gather(
        *(nurse.wait_for(lambda me: offer_of(me, bot.user_id), 60) for nurse in (anne, bruno))
    )
    assert (
        anne.undecryptable == [] and chloe.undecryptable == [] and coordinator.undecryptable == []
    )
    assert bot.stop() == 0
