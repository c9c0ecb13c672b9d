"""Places in directory questions, over the real Synapse: a place outside the territory is
answered as such with the hand-off, a place inside is named as understood."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_tracking_synapse import (
    bot_messages,
    import_sample_directory,
    sample_territory,
    set_coordination_room,
)

pytestmark = pytest.mark.synapse


async def test_a_place_outside_the_territory_is_answered_as_such_then_handed_off(
    users: Any, make_bot: Any, tmp_path: Any
) -> None:
    coordinator = await users.client("coordinator")
    gp = await users.client("gp")
    territory = sample_territory()
    bot = make_bot(coordinators=[coordinator.user_id], allowed=[gp.user_id], territory=territory)
    import_sample_directory(bot, tmp_path, gp.user_id)
    coordination = await coordinator.create_encrypted_room([bot.user_id], direct=False)
    await set_coordination_room(bot, coordinator, coordination)
    bot.start()
    await coordinator.wait_joined(coordination, bot.user_id)
    room = await gp.create_encrypted_room([bot.user_id])
    await gp.wait_joined(room, bot.user_id)

    question = await gp.send(room, "une infirmière à domicile à Aubagne ?")
    lines = (await gp.wait_reply(question)).body.splitlines()
    assert lines[0] == f"Aubagne n'est pas dans le territoire de la {territory['name']}."
    assert lines[-1] == "Écrivez « coordination » pour transmettre votre demande à l'équipe."
    assert len(lines) == 3  # no list of the territory's nurses instead

    ask = await gp.send(room, "coordination")
    assert (await gp.wait_reply(ask)).body.startswith("Transmis à la coordination")
    [post] = await coordinator.wait_for(
        bot_messages(coordinator, bot, coordination, "une infirmière à domicile à Aubagne")
    )
    assert post.decrypted

    inside = await gp.send(room, "un kiné à Lyon ?")
    first_line = (await gp.wait_reply(inside)).body.splitlines()[0]
    assert "Lyon (3e, 7e et 8e)" in first_line
    assert bot.stop() == 0
