"""``cpts-bot restore-cross-signing`` and ``reset-cross-signing`` against a real Synapse."""

from __future__ import annotations

import asyncio
import io
import secrets
from pathlib import Path

import pytest

from cpts_bot import cli
from cpts_bot.devtools.synapse import SynapseServer
from cpts_bot.matrix.client_factory import create_client
from cpts_bot.matrix.cross_signing import (
    CrossSigningStatus,
    UserIdentity,
    ensure_cross_signed,
    query_identities,
)
from cpts_bot.settings import load_bot_settings

pytestmark = pytest.mark.synapse


def _use(
    monkeypatch: pytest.MonkeyPatch,
    synapse: SynapseServer,
    user_id: str,
    password: str,
    data_dir: Path,
) -> None:
    monkeypatch.setenv("CPTS_HOMESERVER", synapse.url)
    monkeypatch.setenv("CPTS_USER_ID", user_id)
    monkeypatch.setenv("CPTS_PASSWORD", password)
    monkeypatch.setenv("CPTS_DATA_DIR", str(data_dir))


def _start_bot() -> CrossSigningStatus:
    """What the bot does at start: log in (or restore), then cross-sign."""

    async def run() -> CrossSigningStatus:
        settings = load_bot_settings()
        client = await create_client(settings)
        try:
            return await ensure_cross_signed(client, settings, settings.data_dir)
        finally:
            await client.close()

    return asyncio.run(run())


def _identity(
    synapse: SynapseServer, user_id: str, password: str, data_dir: Path
) -> tuple[UserIdentity, str]:
    async def run() -> tuple[UserIdentity, str]:
        settings = load_bot_settings()
        client = await create_client(settings)
        try:
            return (await query_identities(client, [user_id]))[user_id], client.device_id
        finally:
            await client.close()

    return asyncio.run(run())


def _command(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin + "\n"))
    return cli.main(argv)


def test_restore_then_reset_from_the_command_line(
    synapse: SynapseServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    password = secrets.token_urlsafe(12)
    user_id = synapse.register(f"bot-{secrets.token_hex(4)}", password)
    first_dir = tmp_path / "first"
    _use(monkeypatch, synapse, user_id, password, first_dir)
    created = _start_bot()
    assert created.recovery_key

    # A new machine: the start is refused until the identity is restored.
    second_dir = tmp_path / "second"
    _use(monkeypatch, synapse, user_id, password, second_dir)
    with pytest.raises(Exception, match="restore-cross-signing"):
        _start_bot()
    assert _command(monkeypatch, ["restore-cross-signing"], "EsTc aaaa bbbb") == 1
    assert "error:" in capsys.readouterr().err
    assert _command(monkeypatch, ["restore-cross-signing"], created.recovery_key) == 0
    assert "restored" in capsys.readouterr().out
    identity, device_id = _identity(synapse, user_id, password, second_dir)
    assert identity.master_public_key == created.master_key
    assert identity.device_is_cross_signed(device_id)
    assert _start_bot().master_key == created.master_key

    # Reset: a wrong password fails, the right one replaces the identity.
    assert _command(monkeypatch, ["reset-cross-signing", "--yes"], "wrong-password") == 1
    capsys.readouterr()
    assert _start_bot().master_key == created.master_key  # nothing changed
    assert _command(monkeypatch, ["reset-cross-signing", "--yes"], password) == 0
    out = capsys.readouterr().out
    assert "recovery key" in out.lower()
    identity, device_id = _identity(synapse, user_id, password, second_dir)
    assert identity.master_public_key not in (None, created.master_key)
    assert identity.device_is_cross_signed(device_id)
    # The first machine's keys are now the old identity: refused, not silently replaced.
    _use(monkeypatch, synapse, user_id, password, first_dir)
    with pytest.raises(Exception, match="not the ones the homeserver has"):
        _start_bot()
