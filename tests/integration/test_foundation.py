"""The foundation against the real Synapse: invites, help, exactly once, restarts."""

from __future__ import annotations

import asyncio
import json

import pytest

pytestmark = pytest.mark.synapse


async def gp_in_direct_chat(users, make_bot):
    """A GP (also coordinator) in an encrypted direct chat with a freshly started bot."""
    gp = await users.client("gp")
    bot = make_bot(coordinators=[gp.user_id], allowed=[])
    bot.start()
    room = await gp.create_encrypted_room([bot.user_id])
    await gp.wait_joined(room, bot.user_id)
    return gp, bot, room


async def test_help_in_encrypted_direct_chat_is_an_encrypted_notice_reply(users, make_bot):
    gp, bot, room = await gp_in_direct_chat(users, make_bot)
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


async def test_invite_from_allowed_user_accepted_and_from_stranger_refused(users, make_bot):
    coordinator = await users.client("coord")
    stranger = await users.client("stranger")
    bot = make_bot(coordinators=[coordinator.user_id], allowed=[])
    bot.start()
    allowed_room = await coordinator.create_encrypted_room([bot.user_id], direct=False)
    await coordinator.wait_joined(allowed_room, bot.user_id)
    refused_room = await stranger.create_encrypted_room([bot.user_id])
    assert stranger.client is not None
    async with asyncio.timeout(20):
        while True:
            members = await stranger.client.room_get_state_event(
                refused_room, "m.room.member", bot.user_id
            )
            if getattr(members, "content", {}).get("membership") == "leave":
                break
            await asyncio.sleep(0.2)
    bot.stop()


async def test_stranger_in_a_shared_room_gets_a_refusal_and_no_data(users, make_bot):
    coordinator = await users.client("coord")
    stranger = await users.client("stranger")
    bot = make_bot(coordinators=[coordinator.user_id], allowed=[])
    bot.start()
    room = await coordinator.create_encrypted_room([bot.user_id, stranger.user_id], direct=False)
    await coordinator.wait_joined(room, bot.user_id)
    await coordinator.wait_joined(room, stranger.user_id)
    assert stranger.client is not None
    async with asyncio.timeout(20):
        while True:  # its own sync must have seen the join before it can send there
            if room in stranger.client.rooms:
                break
            await asyncio.sleep(0.2)
    question = await stranger.send(room, "aide", extra={"m.mentions": {"user_ids": [bot.user_id]}})
    reply = await stranger.wait_reply(question)
    assert "réservé aux membres" in reply.body
    assert "Voici ce que je sais faire" not in reply.body
    bot.stop()


async def test_unencrypted_room_gets_no_directory_data(users, make_bot):
    gp = await users.client("gp")
    bot = make_bot(coordinators=[gp.user_id], allowed=[])
    bot.start()
    room = await gp.create_encrypted_room([bot.user_id], encrypted=False)
    await gp.wait_joined(room, bot.user_id)
    question = await gp.send(room, "aide")
    reply = await gp.wait_reply(question)
    assert not reply.decrypted
    assert "chiffrés de bout en bout" in reply.body
    assert "Voici ce que je sais faire" not in reply.body
    bot.stop()


async def test_language_switch_is_remembered_across_restart(users, make_bot):
    gp, bot, room = await gp_in_direct_chat(users, make_bot)
    switch = await gp.send(room, "language en")
    assert "from now on" in (await gp.wait_reply(switch)).body
    bot.stop()
    bot.start()
    question = await gp.send(room, "help")
    help_text = (await gp.wait_reply(question)).body
    assert "Here is what I can do" in help_text
    # No French example in the English help, unless its line says it is written in French.
    assert "« my card »" in help_text and "« talk to the coordination »" in help_text
    assert "« ma fiche »" not in help_text and "parler à la coordination" not in help_text
    for line in help_text.splitlines():
        if "déclenchement" in line or "kiné à domicile" in line:
            assert "(written in French)" in line, line
    back = await gp.send(room, "langue fr")
    assert "désormais en français" in (await gp.wait_reply(back)).body
    bot.stop()


async def test_reply_fallback_is_ignored_and_edits_are_not_new_questions(users, make_bot):
    gp, bot, room = await gp_in_direct_chat(users, make_bot)
    first = await gp.send(room, "aide")
    answer = await gp.wait_reply(first)
    quoted = f"> <{bot.user_id}> Voici ce que je sais faire\n\naide"
    reply_question = await gp.send(room, quoted, reply_to=answer.event_id)
    assert "Voici ce que je sais faire" in (await gp.wait_reply(reply_question)).body
    await gp.send(
        room,
        "* aide",
        extra={
            "m.new_content": {"msgtype": "m.text", "body": "aide"},
            "m.relates_to": {"rel_type": "m.replace", "event_id": first},
        },
    )
    marker = await gp.send(room, "langue fr")
    await gp.wait_reply(marker)
    bot_messages = gp.from_user(bot.user_id, room)
    assert len(bot_messages) == 3, [message.body[:40] for message in bot_messages]
    bot.stop()


async def test_messages_sent_while_down_are_answered_once_after_restart(users, make_bot):
    gp, bot, room = await gp_in_direct_chat(users, make_bot)
    before = await gp.send(room, "aide")
    await gp.wait_reply(before)
    device = json.loads((bot.data_dir / "credentials.json").read_text())["device_id"]
    assert bot.stop() == 0
    assert "stopped" in bot.log_text()
    while_down = [await gp.send(room, "aide") for _ in range(3)]
    bot.start()
    for event_id in while_down:
        await gp.wait_reply(event_id)
    assert json.loads((bot.data_dir / "credentials.json").read_text())["device_id"] == device
    assert "restored session" in bot.log_text(), "the same device must be reused"
    assert bot.log_text().count("logged in with a new device") == 1
    await asyncio.sleep(3)
    replies = gp.from_user(bot.user_id, room)
    assert len(replies) == 4
    assert sorted(reply.reply_to for reply in replies) == sorted([before, *while_down])
    bot.stop()


async def test_kill_9_in_a_burst_of_20_answers_each_exactly_once(users, make_bot):
    gp, bot, room = await gp_in_direct_chat(users, make_bot)
    sent: list[str] = []
    for index in range(20):
        sent.append(await gp.send(room, "aide"))
        if index == 9:
            await gp.wait_reply(sent[3])
            bot.kill9()
    bot.start()
    for event_id in sent:
        await gp.wait_reply(event_id, timeout=60)
    await asyncio.sleep(3)
    replies = gp.from_user(bot.user_id, room)
    targets = [reply.reply_to for reply in replies]
    assert sorted(targets) == sorted(sent), "every message answered exactly once"
    bot.stop()


async def test_bot_recovers_after_the_homeserver_was_down_10_seconds(users, make_bot, synapse):
    gp, bot, room = await gp_in_direct_chat(users, make_bot)
    first = await gp.send(room, "aide")
    await gp.wait_reply(first)
    synapse.stop()
    await asyncio.sleep(10)
    assert bot.process is not None and bot.process.poll() is None, "the bot must not crash"
    synapse.start()
    question = await gp.send(room, "aide")
    reply = await gp.wait_reply(question, timeout=60)
    assert reply.decrypted
    assert bot.process is not None and bot.process.poll() is None
    bot.stop()


async def test_rate_limited_replies_are_retried_after_retry_after_ms(users, make_bot, synapse):
    gp = await users.client("gp")
    bot = make_bot(coordinators=[gp.user_id], allowed=[])
    admin_id, admin_password = users.create("admin", admin=True)
    login = await _login(synapse.url, admin_id, admin_password)
    await _post_json(
        f"{synapse.url}/_synapse/admin/v1/users/{bot.user_id}/override_ratelimit",
        {"messages_per_second": 1, "burst_count": 1},
        login,
    )
    bot.start()
    room = await gp.create_encrypted_room([bot.user_id])
    await gp.wait_joined(room, bot.user_id)
    burst = [await gp.send(room, "aide") for _ in range(5)]
    for event_id in burst:
        await gp.wait_reply(event_id, timeout=60)
    assert "ratelimited" in bot.log_text(), "the homeserver should have answered 429"
    assert len(gp.from_user(bot.user_id, room)) == 5
    bot.stop()


async def _login(homeserver: str, user_id: str, password: str) -> str:
    response = await _post_json(
        f"{homeserver}/_matrix/client/v3/login",
        {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": user_id},
            "password": password,
        },
        None,
    )
    return str(response["access_token"])


async def _post_json(url: str, body: dict, token: str | None) -> dict:
    import aiohttp

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=body, headers=headers) as response,
    ):
        assert response.status == 200, await response.text()
        return await response.json()


async def test_messages_from_before_the_bot_joined_are_not_answered(users, make_bot):
    gp = await users.client("gp")
    bot = make_bot(coordinators=[gp.user_id], allowed=[])
    bot.start()
    # Unencrypted, so that the bot could read the old message if it did not drop it.
    room = await gp.create_encrypted_room([], direct=False, encrypted=False)
    old = await gp.send(room, "aide")
    assert gp.client is not None
    await gp.client.room_invite(room, bot.user_id)
    await gp.wait_joined(room, bot.user_id)
    new = await gp.send(room, "aide", extra={"m.mentions": {"user_ids": [bot.user_id]}})
    await gp.wait_reply(new)
    await asyncio.sleep(2)
    assert gp.replies_to(old) == []
    bot.stop()
