"""The bot run with an access token alone (no password), as on a homeserver with the
Matrix Authentication Service: it answers; an approval it cannot give is one clear line
and the bot keeps answering; a revoked token stops it with one clear line, no retries."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from nio import AsyncClient, LoginResponse

from cpts_bot.matrix.client_factory import client_config
from cpts_bot.matrix.cross_signing import new_seeds, query_identities, upload_cross_signing_keys

pytestmark = pytest.mark.synapse

REFUSED = "refuses the access token of"


def _call(url: str, path: str, body: dict[str, object], token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        url + path, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def issue_token(synapse, user_id: str, password: str) -> str:
    """A token for a new device of ``user_id``, as an administrator issues one."""
    login = _call(
        synapse.url,
        "/_matrix/client/v3/login",
        {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": user_id},
            "password": password,
            "initial_device_display_name": "cpts-bot (issued token)",
        },
    )
    return str(login["access_token"])


def token_only_bot(make_bot, synapse, coordinator: str):
    """A bot whose environment holds an access token (from a login made elsewhere) and no
    password; returns the bot and its password (for the test)."""
    bot = make_bot(coordinators=[coordinator], allowed=[])
    password = bot.env.pop("CPTS_PASSWORD")
    bot.env["CPTS_ACCESS_TOKEN"] = issue_token(synapse, bot.user_id, password)
    return bot, password


def status_text(bot) -> str:
    """What `cpts-bot status` prints for this bot."""
    return subprocess.run(
        [sys.executable, "-m", "cpts_bot", "status"],
        env=bot.env,
        capture_output=True,
        text=True,
        check=False,
    ).stdout


async def _answers_aide(gp, bot) -> None:
    room = await gp.create_encrypted_room([bot.user_id])
    await gp.wait_joined(room, bot.user_id)
    reply = await gp.wait_reply(await gp.send(room, "aide"), timeout=60)
    assert reply.decrypted and "Voici ce que je sais faire" in reply.body


async def test_a_token_alone_runs_the_bot_and_a_revoked_token_stops_it_once(
    users, make_bot, synapse
) -> None:
    gp = await users.client("gp")
    bot, password = token_only_bot(make_bot, synapse, gp.user_id)
    bot.start()
    assert "is cross-signed" in bot.log_text()
    await _answers_aide(gp, bot)

    # Revoked from elsewhere while the bot runs (an admin, the account page, a logout).
    _call(synapse.url, "/_matrix/client/v3/logout", {}, token=bot.env["CPTS_ACCESS_TOKEN"])
    assert bot.process is not None
    code = bot.process.wait(90)
    log = bot.log_text()
    assert code == 2, log[-2000:]
    assert log.count(REFUSED) == 1, log[-3000:]
    assert "mas-cli manage issue-compatibility-token" in log
    assert "sync error" not in log and "sync failed" not in log, log[-3000:]

    # Started again on the same, revoked token: the same line at once, no loop.
    bot.process = None
    started = time.monotonic()
    bot.start(wait_ready=False)
    assert bot.process is not None
    assert bot.process.wait(60) == 2
    assert time.monotonic() - started < 60
    assert bot.log_text().count(REFUSED) == 2

    # A new token replaces the saved one: a new device, signed with the saved identity.
    bot.process = None
    bot.env["CPTS_ACCESS_TOKEN"] = issue_token(synapse, bot.user_id, password)
    bot.start()
    assert bot.log_text().count("is cross-signed") == 2
    await _answers_aide(gp, bot)
    assert bot.stop() == 0


async def test_keys_that_need_an_approval_leave_one_line_and_a_working_bot(
    users, make_bot, synapse, tmp_path: Path
) -> None:
    gp = await users.client("gp")
    bot, password = token_only_bot(make_bot, synapse, gp.user_id)
    # Another session of the bot's account set up cross-signing first (keys exist).
    other = AsyncClient(synapse.url, bot.user_id, config=client_config())
    other_store = tmp_path / "other-session"
    other_store.mkdir()
    other.store_path = str(other_store)
    try:
        assert isinstance(await other.login(password), LoginResponse)
        existing = new_seeds(bot.user_id)
        await upload_cross_signing_keys(other, existing, password)
        bot.start()
        log = bot.log_text()
        assert log.count("asks for the password of") == 1, log[-3000:]
        assert "set CPTS_PASSWORD for one start" in log
        assert "clients that exclude unverified devices will not talk to the bot" in log
        await _answers_aide(gp, bot)
        shown = status_text(bot)
        assert "cross-signing: device not signed: The homeserver asks for the password" in shown
        # Nothing replaced without the approval.
        seen = (await query_identities(other, [bot.user_id]))[bot.user_id]
        assert seen.master_public_key == existing.master.public_key
    finally:
        await other.close()
    assert bot.stop() == 0
