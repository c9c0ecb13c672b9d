"""Cross-signing with a token alone: keys that exist and that the bot cannot use are
replaced only once the homeserver lets it (a person approved the reset); until then one
warning and an unsigned device. With a password, the refusal stays as it was."""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from cpts_bot.matrix import cross_signing as cs
from cpts_bot.matrix import token_login
from cpts_bot.settings import BotSettings

BOT = "@bot:hs"
DEVICE = "BOTDEVICE"
RESET_URL = "https://auth.example.org/account/?action=org.matrix.cross_signing_reset"


class FakeHomeserver:
    """The account's cross-signing keys as the homeserver holds them."""

    def __init__(self, approved: bool) -> None:
        self.master = cs.new_seeds(BOT)  # made by another session
        self.approved = approved
        self.uploads: list[str | None] = []
        self.secret_storage_writes = 0
        self.signed = False

    def identity(self) -> Any:
        return SimpleNamespace(
            master_public_key=self.master.master.public_key,
            self_signing_public_key=self.master.self_signing.public_key,
            devices={DEVICE: {"device_id": DEVICE}},
            master_key={},
            self_signing_key={},
            device_is_cross_signed=lambda device_id: self.signed,
        )

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        async def query(client: Any, users: list[str]) -> dict[str, Any]:
            return {BOT: self.identity()}

        async def upload(client: Any, seeds: Any, password: str | None) -> None:
            self.uploads.append(password)
            if not (self.approved or password):
                raise cs.CrossSigningApprovalNeeded(
                    BOT,
                    {
                        "session": "dummy",
                        "flows": [{"stages": ["m.oauth"]}],
                        "params": {"m.oauth": {"url": RESET_URL}},
                    },
                )
            self.master = seeds

        async def nothing(*args: Any) -> None:
            return None

        async def existing_storage(client: Any, event_type: str) -> dict[str, Any]:
            return {"key": "of the old identity"}

        async def store(client: Any, seeds: Any) -> str:
            self.secret_storage_writes += 1
            return "RECOVERY KEY"

        async def sign(client: Any, seeds: Any, device_keys: Any) -> None:
            self.signed = True

        monkeypatch.setattr(cs, "query_identities", query)
        monkeypatch.setattr(cs, "check_crypto_store", nothing)
        monkeypatch.setattr(cs, "upload_cross_signing_keys", upload)
        monkeypatch.setattr(cs, "get_account_data", existing_storage)
        monkeypatch.setattr(cs, "store_in_secret_storage", store)
        monkeypatch.setattr(cs, "sign_device", sign)
        monkeypatch.setattr(
            cs, "verify_device_chain", lambda *args: SimpleNamespace(valid=True, reason="")
        )


def settings(data_dir: Path, password: str | None) -> BotSettings:
    return BotSettings(
        homeserver="http://127.0.0.1:9",
        user_id=BOT,
        password=password,
        access_token=None if password else "mct_token",
        data_dir=data_dir,
    )


CLIENT = SimpleNamespace(user_id=BOT, device_id=DEVICE)


async def test_an_approved_reset_replaces_the_identity_and_signs_the_device(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    server = FakeHomeserver(approved=True)
    server.install(monkeypatch)
    old = server.master.master.public_key
    status = await cs.ensure_cross_signed(CLIENT, settings(tmp_path, None), tmp_path)  # type: ignore[arg-type]
    assert server.uploads == [None]
    assert status.master_key == server.master.master.public_key != old
    saved = cs.load_seeds(tmp_path, BOT)
    assert saved is not None and saved.master.public_key == status.master_key
    # The new keys go to secret storage even though the old identity had one.
    assert server.secret_storage_writes == 1 and status.recovery_key == "RECOVERY KEY"
    assert status.signed_device and status.waiting_for is None


async def test_without_approval_one_line_says_where_and_nothing_is_replaced(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = FakeHomeserver(approved=False)
    server.install(monkeypatch)
    old = server.master.master.public_key
    caplog.set_level(logging.WARNING)
    status = await token_login.cross_sign_or_warn(CLIENT, settings(tmp_path, None), tmp_path)  # type: ignore[arg-type]
    assert server.master.master.public_key == old
    assert cs.load_seeds(tmp_path, BOT) is None, "keys the server refused are not kept"
    assert status.waiting_for and RESET_URL in status.waiting_for
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and f"open {RESET_URL} signed in as {BOT}" in warnings[0]


async def test_with_a_password_keys_it_cannot_use_are_still_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    server = FakeHomeserver(approved=True)
    server.install(monkeypatch)
    with pytest.raises(cs.CrossSigningError, match="restore-cross-signing"):
        await cs.ensure_cross_signed(CLIENT, settings(tmp_path, "secret"), tmp_path)  # type: ignore[arg-type]
    assert server.uploads == []
