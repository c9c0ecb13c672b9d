"""A modern client that excludes insecure devices talks with the bot, both ways.

The client (matrix-js-sdk 37.5 with its Rust crypto, in "only signed devices" mode, as
Element behaves from 2026) exchanges messages with a cross-signed bot; the same test with
cross-signing disabled fails, which proves the test can tell the difference.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient, AsyncClientConfig, LoginResponse

from cpts_bot.devtools.synapse import SynapseServer
from cpts_bot.matrix.cross_signing import (
    ensure_cross_signed,
    query_identities,
    restore_cross_signing,
)
from cpts_bot.matrix.sender_trust import SenderTrustGate
from cpts_bot.settings import BotSettings, RoomsConfig, TrustPolicy
from cpts_bot.storage.database import Database
from tests.integration.conftest import Users
from tests.integration.js_client import JsClient, ensure_js_client
from tests.integration.nio_echo_bot import EchoBot

pytestmark = [pytest.mark.synapse, pytest.mark.node]


@pytest.fixture(scope="session")
def js_ready() -> None:
    problem = ensure_js_client()
    if problem:
        pytest.skip(problem)


@dataclass
class Scene:
    bot: EchoBot
    js: JsClient
    room_id: str
    js_device: str
    user_id: str


async def _scene(
    server: SynapseServer,
    users: Users,
    tmp_path: Path,
    cross_signing: bool,
    js_cross_signed: bool = True,
    isolation: str = "only-signed",
) -> AsyncIterator[Scene]:
    bot_id, bot_password = users.create("bot")
    user_id, user_password = users.create("doctor")
    data_dir = tmp_path / "bot"
    (data_dir / "store").mkdir(parents=True)
    client = AsyncClient(
        server.url,
        bot_id,
        store_path=str(data_dir / "store"),
        config=AsyncClientConfig(encryption_enabled=True),
    )
    assert isinstance(await client.login(bot_password, device_name="cpts-bot"), LoginResponse)
    settings = BotSettings(
        homeserver=server.url,
        user_id=bot_id,
        password=bot_password,
        data_dir=data_dir,
        cross_signing=cross_signing,
    )
    await ensure_cross_signed(client, settings, data_dir)
    database = await Database.open(data_dir / "bot.sqlite")
    config = RoomsConfig.model_validate(
        {
            "territory": {"name": "T", "communes": [{"insee": "69001", "name": "A"}]},
            "coordinators": [user_id],
        }
    )
    gate = SenderTrustGate(database, TrustPolicy.CROSS_SIGNED_ONLY, config, bot_id)
    bot = EchoBot(client, gate, database=database)
    bot.start()
    js = await JsClient.start(
        server.url,
        user_id,
        user_password,
        invite=bot_id,
        cross_sign=js_cross_signed,
        isolation=isolation,
    )
    try:
        ready = await js.expect(lambda line: line["type"] == "ready")
        await js.command(cmd="wait_member", user_id=bot_id)
        await js.expect(lambda line: line["type"] == "joined")
        yield Scene(bot, js, ready["room_id"], ready["device_id"], user_id)
    finally:
        await js.close()
        await bot.stop()
        await database.close()


@pytest.fixture
async def signed_scene(
    synapse: SynapseServer, users: Users, tmp_path: Path, js_ready: None
) -> AsyncIterator[Scene]:
    async for scene in _scene(synapse, users, tmp_path, cross_signing=True):
        yield scene


@pytest.fixture
async def unsigned_scene(
    synapse: SynapseServer, users: Users, tmp_path: Path, js_ready: None
) -> AsyncIterator[Scene]:
    async for scene in _scene(synapse, users, tmp_path, cross_signing=False):
        yield scene


@pytest.fixture
async def unsigned_user_scene(
    synapse: SynapseServer, users: Users, tmp_path: Path, js_ready: None
) -> AsyncIterator[Scene]:
    async for scene in _scene(
        synapse, users, tmp_path, cross_signing=True, js_cross_signed=False, isolation="all"
    ):
        yield scene


def _from_bot(scene: Scene, line: dict) -> bool:
    return line["type"] == "message" and line["sender"] == scene.bot.client.user_id


async def test_cross_signed_bot_talks_with_an_only_signed_devices_client(
    signed_scene: Scene,
) -> None:
    scene = signed_scene
    for text in ("bonjour", "deuxième message é€"):
        await scene.js.command(cmd="send", text=text)
        reply = await scene.js.expect(
            lambda line, text=text: _from_bot(scene, line) and line["body"] == f"echo: {text}"
        )
        assert reply["decrypted"] is True
        assert reply["shield"] == "NONE", reply  # no warning: the bot's device is signed
    heard = [(r.body, r.trusted, r.device_id) for r in scene.bot.received]
    assert heard == [
        ("bonjour", True, scene.js_device),
        ("deuxième message é€", True, scene.js_device),
    ]
    assert scene.bot.undecryptable == []


async def test_unsigned_bot_is_shut_out_by_the_same_client(unsigned_scene: Scene) -> None:
    scene = unsigned_scene
    await scene.js.command(cmd="send", text="bonjour")
    await scene.js.expect(lambda line: line["type"] == "sent")
    # The client withholds the room key from the unsigned device: the bot cannot read it.
    await scene.bot.wait_for(lambda: len(scene.bot.undecryptable) >= 1)
    assert scene.bot.received == []
    # And what the unsigned bot says is refused by the client.
    await scene.bot.say(scene.room_id, "message du bot")
    line = await scene.js.expect(lambda line: _from_bot(scene, line))
    assert line["decrypted"] is False, line
    assert line["failure"] == "UNSIGNED_SENDER_DEVICE", line


async def test_messages_from_a_device_its_owner_did_not_sign_are_ignored(
    unsigned_user_scene: Scene,
) -> None:
    scene = unsigned_user_scene
    await scene.js.command(cmd="send", text="bonjour")
    await scene.bot.wait_for(lambda: len(scene.bot.received) >= 1)
    heard = scene.bot.received[0]
    assert (heard.body, heard.device_id, heard.trusted) == ("bonjour", scene.js_device, False)
    # The sender is told why, once, in their direct chat (queued in the outbox, in French).
    rows = await scene.bot.database.fetch_all("SELECT action, target, payload FROM outbox")
    assert len(rows) == 1 and rows[0]["action"] == "direct_message"
    assert rows[0]["target"] == scene.user_id
    assert "n'a pas été lu" in rows[0]["payload"]
    # And the untrusted device gets no room key: it cannot read what the bot says.
    await scene.bot.say(scene.room_id, "réservé aux sessions vérifiées")
    line = await scene.js.expect(lambda line: _from_bot(scene, line))
    assert line["decrypted"] is False, line
    assert line["failure"] == "MEGOLM_UNKNOWN_INBOUND_SESSION_ID", line  # no key shared


async def test_real_bot_answers_an_only_signed_devices_client(
    synapse: SynapseServer, users: Users, make_bot: Any, js_ready: None
) -> None:
    user_id, password = users.create("doctor")
    bot = make_bot(coordinators=[user_id], allowed=[])
    bot.start()
    js = await JsClient.start(synapse.url, user_id, password, invite=bot.user_id)
    try:
        await js.expect(lambda line: line["type"] == "ready")
        await js.command(cmd="wait_member", user_id=bot.user_id)
        await js.expect(lambda line: line["type"] == "joined")
        await js.command(cmd="send", text="aide")
        reply = await js.expect(
            lambda line: line["type"] == "message" and line["sender"] == bot.user_id,
            seconds=30,
        )
        assert reply["decrypted"] is True, reply
        assert reply["shield"] == "NONE", reply
        assert "Voici ce que je sais faire" in reply["body"]
    finally:
        await js.close()
        bot.stop()


async def test_restore_reads_the_secret_storage_a_js_sdk_client_wrote(
    synapse: SynapseServer, users: Users, tmp_path: Path, js_ready: None
) -> None:
    """An account whose cross-signing was set up from Element-like clients: the bot
    restores the keys with that client's recovery key and signs its own device."""
    user_id, password = users.create("bot")
    js = await JsClient.start(synapse.url, user_id, password, secret_storage=True)
    try:
        recovery = await js.expect(lambda line: line["type"] == "recovery_key")
        await js.expect(lambda line: line["type"] == "ready")
    finally:
        await js.close()
    data_dir = tmp_path / "bot"
    (data_dir / "store").mkdir(parents=True)
    client = AsyncClient(
        synapse.url,
        user_id,
        store_path=str(data_dir / "store"),
        config=AsyncClientConfig(encryption_enabled=True),
    )
    try:
        assert isinstance(await client.login(password), LoginResponse)
        seeds = await restore_cross_signing(client, data_dir, recovery["key"])
        server = (await query_identities(client, [user_id]))[user_id]
        assert seeds.master.public_key == server.master_public_key
        settings = BotSettings(
            homeserver=synapse.url, user_id=user_id, password=password, data_dir=data_dir
        )
        status = await ensure_cross_signed(client, settings, data_dir)
        assert status.signed_device and not status.created_identity
        assert status.recovery_key is None  # the existing secret storage is kept
        server = (await query_identities(client, [user_id]))[user_id]
        assert server.device_is_cross_signed(client.device_id)
    finally:
        await client.close()
