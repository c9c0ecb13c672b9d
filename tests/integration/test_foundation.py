"""The foundation against the real Synapse: invites, help, exactly once, restarts."""

from __future__ import annotations

import asyncio

import pytest

pytestmark = pytest.mark.synapse


async def test_help_in_encrypted_direct_chat_is_an_encrypted_notice_reply(users, make_bot):
    gp = await users.client("gp")
    bot = make_bot(coordinators=[gp.user_id], allowed=[])
    bot.start()
    room = await gp.create_encrypted_room([bot.user_id])
    await gp.wait_joined(room, bot.user_id)
    question = await gp.send(room, "aide")
    reply = await gp.wait_reply(question)
    assert reply.decrypted, "the reply must arrive encrypted"
    assert reply.msgtype == "m.notice"
    assert reply.sender == bot.user_id
    assert "Voici ce que je sais faire" in reply.body
    assert reply.formatted_body and "<ul>" in reply.formatted_body
    assert "langue en" in reply.body
    assert "content" not in bot.log_text() or "aide" not in bot.log_text()
    bot.stop()
