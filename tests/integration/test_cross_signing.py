"""The bot's cross-signing identity against a real Synapse."""

from __future__ import annotations

import logging
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from nio import AsyncClient, AsyncClientConfig, LoginResponse

from cpts_bot.devtools.synapse import SynapseServer
from cpts_bot.matrix import cross_signing
from cpts_bot.matrix.cross_signing import (
    CrossSigningError,
    CryptoStoreLostError,
    ensure_cross_signed,
    query_identities,
)
from cpts_bot.matrix.secret_storage import SecretStorageError
from cpts_bot.matrix.signed_json import verify_device_chain
from cpts_bot.settings import BotSettings
from tests.integration.conftest import Users

pytestmark = pytest.mark.synapse


def _settings(
    server: SynapseServer, user_id: str, password: str, data_dir: Path, enabled: bool = True
) -> BotSettings:
    return BotSettings(
        homeserver=server.url,
        user_id=user_id,
        password=password,
        data_dir=data_dir,
        cross_signing=enabled,
    )


async def _login(server: SynapseServer, user_id: str, password: str, data_dir: Path) -> AsyncClient:
    store = data_dir / "store"
    store.mkdir(parents=True, exist_ok=True)
    client = AsyncClient(
        server.url,
        user_id,
        store_path=str(store),
        config=AsyncClientConfig(encryption_enabled=True),
    )
    response = await client.login(password, device_name="cpts-bot-test")
    assert isinstance(response, LoginResponse), response
    return client


async def _restore(
    server: SynapseServer, user_id: str, device_id: str, token: str, data_dir: Path
) -> AsyncClient:
    store = data_dir / "store"
    store.mkdir(parents=True, exist_ok=True)
    client = AsyncClient(
        server.url,
        user_id,
        store_path=str(store),
        config=AsyncClientConfig(encryption_enabled=True),
    )
    client.restore_login(user_id, device_id, token)
    return client


@pytest.fixture
async def observer(
    synapse: SynapseServer, users: Users, tmp_path: Path
) -> AsyncIterator[AsyncClient]:
    """Another user, who checks the bot's keys from the outside."""
    user_id, password = users.create("observer")
    client = await _login(synapse, user_id, password, tmp_path / "observer")
    yield client
    await client.close()


async def test_identity_created_and_chain_verified_by_another_client(
    synapse: SynapseServer,
    users: Users,
    tmp_path: Path,
    observer: AsyncClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    user_id, password = users.create("bot")
    data_dir = tmp_path / "bot"
    bot = await _login(synapse, user_id, password, data_dir)
    caplog.set_level(logging.DEBUG)
    try:
        status = await ensure_cross_signed(
            bot, _settings(synapse, user_id, password, data_dir), data_dir
        )
    finally:
        await bot.close()
    assert status.created_identity and status.signed_device
    assert status.recovery_key and len(status.recovery_key.replace(" ", "")) == 48
    seeds_file = data_dir / "cross_signing.json"
    assert stat.S_IMODE(seeds_file.stat().st_mode) == 0o600
    # The recovery key is in a 0600 file whose path is logged; the key itself never is.
    key_file = data_dir / "recovery-key.txt"
    assert key_file.read_text("utf-8").strip() == status.recovery_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert str(key_file) in logged
    assert status.recovery_key not in logged
    assert status.recovery_key.replace(" ", "") not in logged.replace(" ", "")

    seen = (await query_identities(observer, [user_id]))[user_id]
    check = verify_device_chain(
        user_id, seen.devices[bot.device_id], seen.self_signing_key, seen.master_key
    )
    assert check.valid, check.reason
    assert check.master_key == status.master_key
    assert "=" not in next(iter(seen.master_key["keys"]))


async def test_disabled_cross_signing_leaves_the_device_unsigned(
    synapse: SynapseServer, users: Users, tmp_path: Path, observer: AsyncClient
) -> None:
    user_id, password = users.create("bot")
    data_dir = tmp_path / "bot"
    bot = await _login(synapse, user_id, password, data_dir)
    try:
        status = await ensure_cross_signed(
            bot, _settings(synapse, user_id, password, data_dir, enabled=False), data_dir
        )
    finally:
        await bot.close()
    assert not status.enabled
    seen = (await query_identities(observer, [user_id]))[user_id]
    assert seen.master_key is None
    assert not seen.device_is_cross_signed(bot.device_id)


async def test_restart_new_device_lost_seeds_restore_and_reset(
    synapse: SynapseServer, users: Users, tmp_path: Path, observer: AsyncClient
) -> None:
    user_id, password = users.create("bot")
    data_dir = tmp_path / "bot"
    settings = _settings(synapse, user_id, password, data_dir)
    bot = await _login(synapse, user_id, password, data_dir)
    first = await ensure_cross_signed(bot, settings, data_dir)
    device_id, token = bot.device_id, bot.access_token
    await bot.close()

    key_file = data_dir / "recovery-key.txt"
    written = (key_file.read_text("utf-8"), key_file.stat().st_mtime_ns)

    # Restart with the same store and login: same identity, nothing to do.
    bot = await _restore(synapse, user_id, device_id, token, data_dir)
    again = await ensure_cross_signed(bot, settings, data_dir)
    await bot.close()
    assert again.master_key == first.master_key
    assert not again.created_identity and not again.signed_device and not again.recovery_key
    # The recovery key file is not written again.
    assert (key_file.read_text("utf-8"), key_file.stat().st_mtime_ns) == written
    assert sorted(path.name for path in data_dir.glob("recovery-key*")) == ["recovery-key.txt"]

    # The crypto store lost but the saved login kept: refused, clearly.
    lost_dir = tmp_path / "lost-store"
    cross_signing.save_seeds(lost_dir, cross_signing.load_seeds(data_dir, user_id))
    bot = await _restore(synapse, user_id, device_id, token, lost_dir)
    with pytest.raises(CryptoStoreLostError, match="crypto store"):
        await cross_signing.check_crypto_store_at_start(bot)
    with pytest.raises(CryptoStoreLostError, match="crypto store"):
        await ensure_cross_signed(bot, settings, lost_dir)
    await bot.close()

    # A new device with the saved seeds: signed with the same identity.
    bot = await _login(synapse, user_id, password, data_dir)
    second_device = await ensure_cross_signed(bot, settings, data_dir)
    await bot.close()
    assert second_device.signed_device and not second_device.created_identity
    assert second_device.master_key == first.master_key
    seen = (await query_identities(observer, [user_id]))[user_id]
    assert seen.device_is_cross_signed(bot.device_id)

    # A fresh data directory while the server has the identity: a clear refusal.
    fresh = tmp_path / "fresh"
    bot = await _login(synapse, user_id, password, fresh)
    with pytest.raises(CrossSigningError, match="restore-cross-signing") as refusal:
        await ensure_cross_signed(bot, _settings(synapse, user_id, password, fresh), fresh)
    assert "reset-cross-signing" in str(refusal.value)
    seen = (await query_identities(observer, [user_id]))[user_id]
    assert seen.master_public_key == first.master_key  # nothing was replaced

    # Restore with a wrong recovery key fails; with the right one, the start succeeds.
    from cpts_bot.matrix.secret_storage import encode_recovery_key

    with pytest.raises(SecretStorageError):
        await cross_signing.restore_cross_signing(bot, fresh, encode_recovery_key(bytes(32)))
    assert first.recovery_key is not None
    await cross_signing.restore_cross_signing(bot, fresh, first.recovery_key)
    restored = await ensure_cross_signed(bot, _settings(synapse, user_id, password, fresh), fresh)
    assert restored.master_key == first.master_key and restored.signed_device

    # Reset: a new identity (password auth), and the old data directory is refused.
    reset = await cross_signing.reset_cross_signing(bot, fresh, password)
    await bot.close()
    assert reset.master_key != first.master_key and reset.recovery_key
    seen = (await query_identities(observer, [user_id]))[user_id]
    assert seen.master_public_key == reset.master_key
    assert seen.device_is_cross_signed(bot.device_id)
    assert not seen.device_is_cross_signed(device_id)  # signed by the old identity
    bot = await _restore(synapse, user_id, device_id, token, data_dir)
    with pytest.raises(CrossSigningError, match="not the ones the homeserver has"):
        await ensure_cross_signed(bot, settings, data_dir)
    await bot.close()
