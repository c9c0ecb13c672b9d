"""The declared commands published as room state (MSC4391) on the real Synapse."""

from __future__ import annotations

import asyncio

import pytest
from nio import RoomGetStateEventResponse, RoomGetStateResponse

from cpts_bot.chat.command_descriptions import EVENT_TYPE, state_key

pytestmark = pytest.mark.synapse


async def test_commands_are_room_state_where_the_bot_may_set_state(users, make_bot):
    coordinator = await users.client("coord")
    bot = make_bot(coordinators=[coordinator.user_id], allowed=[])
    bot.start()
    room = await coordinator.create_encrypted_room(
        [bot.user_id], direct=False, moderators=[bot.user_id]
    )
    await coordinator.wait_joined(room, bot.user_id)
    assert coordinator.client is not None
    expected = {"aide", "fait", "relancer", "statut", "confiance", "rapport", "mes declenchements"}
    published: dict[str, dict] = {}
    async with asyncio.timeout(30):
        while not expected <= set(published):
            await asyncio.sleep(0.3)
            state = await coordinator.client.room_get_state(room)
            assert isinstance(state, RoomGetStateResponse)
            published = {
                event["content"]["command"]: event
                for event in state.events
                if event["type"] == EVENT_TYPE and event["sender"] == bot.user_id
            }
    done = await coordinator.client.room_get_state_event(
        room, EVENT_TYPE, state_key("fait", bot.user_id)
    )
    assert isinstance(done, RoomGetStateEventResponse)
    assert done.content["command"] == "fait"
    assert done.content["description"] == {"m.text": [{"body": "le soin est fait"}]}
    assert done.content["parameters"][0]["schema"] == {
        "schema_type": "primitive",
        "type": "integer",
    }
    assert "annuaire" not in published and "bonjour" not in published
    for command, event in published.items():
        assert event["state_key"] == state_key(command, bot.user_id)
    # A client's slash command (its text fallback) is understood like the typed words.
    question = await coordinator.send(
        room, "/aide", extra={"m.mentions": {"user_ids": [bot.user_id]}}
    )
    assert "Voici ce que je sais faire" in (await coordinator.wait_reply(question)).body
    bot.stop()
