"""Log in once, then restore the same device and access token at every start.

A new device at every start would lose the crypto identity and the room keys; the
credentials file (mode 0600, in the data directory) and the crypto store next to it are
what keeps the bot the same device. The bot never logs out on shutdown.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from nio import AsyncClient, AsyncClientConfig, LoginResponse, WhoamiResponse

from cpts_bot.core.errors import ConfigurationError
from cpts_bot.matrix.bot_client import BotClient, drop_repeated_marks
from cpts_bot.matrix.cross_signing import check_crypto_store_at_start
from cpts_bot.matrix.token_login import raise_if_refused
from cpts_bot.settings import BotSettings

log = logging.getLogger(__name__)

CREDENTIALS_FILE = "credentials.json"
CRYPTO_STORE_DIR = "crypto-store"


class LoginError(ConfigurationError):
    """The bot could not log in; the message says what to check."""


@dataclass(frozen=True)
class Credentials:
    user_id: str
    device_id: str
    access_token: str
    homeserver: str


def client_config() -> AsyncClientConfig:
    """Retry forever on 429 (honouring ``retry_after_ms``) and on connection errors,
    waiting at most 5 s between attempts so that the bot comes back quickly."""
    return AsyncClientConfig(
        encryption_enabled=True,
        store_sync_tokens=False,
        max_limit_exceeded=None,
        max_timeouts=None,
        max_timeout_retry_wait_time=5,
        request_timeout=60,
    )


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def load_credentials(data_dir: Path) -> Credentials | None:
    path = data_dir / CREDENTIALS_FILE
    if not path.exists():
        return None
    data = json.loads(path.read_text("utf-8"))
    return Credentials(data["user_id"], data["device_id"], data["access_token"], data["homeserver"])


def save_credentials(data_dir: Path, credentials: Credentials) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    _write_private(data_dir / CREDENTIALS_FILE, json.dumps(credentials.__dict__))


async def create_client(settings: BotSettings) -> AsyncClient:
    """A logged-in client with its crypto store loaded and its device keys uploaded."""
    data_dir = settings.data_dir
    store = data_dir / CRYPTO_STORE_DIR
    store.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    client = BotClient(
        settings.homeserver, settings.user_id, store_path=str(store), config=client_config()
    )
    try:
        await _log_in(client, settings)
        drop_repeated_marks(client.store)  # loaded by the login, before any send
    except BaseException:  # a refusal, or a stop while the homeserver is unreachable
        await client.close()
        raise
    return client


async def _log_in(client: AsyncClient, settings: BotSettings) -> None:
    data_dir = settings.data_dir
    saved = load_credentials(data_dir)
    if settings.access_token and saved and saved.access_token != settings.access_token:
        saved = None  # a new token (the old one expired or was revoked) replaces it
    if saved and saved.user_id == settings.user_id and saved.homeserver == settings.homeserver:
        client.restore_login(saved.user_id, saved.device_id, saved.access_token)
        await _check_token(client)
        log.info("restored session", extra={"device_id": saved.device_id})
        # Before any key upload: afterwards a lost crypto store can no longer be seen.
        await check_crypto_store_at_start(client)
    elif settings.access_token:
        client.access_token = settings.access_token
        whoami = await client.whoami()
        raise_if_refused(settings.user_id, whoami)
        if not isinstance(whoami, WhoamiResponse) or not whoami.device_id:
            raise LoginError(f"the access token was refused: {whoami}")
        client.restore_login(whoami.user_id, whoami.device_id, settings.access_token)
        save_credentials(
            data_dir,
            Credentials(
                whoami.user_id, whoami.device_id, settings.access_token, settings.homeserver
            ),
        )
    else:
        response = await client.login(settings.password or "", device_name=settings.device_name)
        if not isinstance(response, LoginResponse):
            raise LoginError(f"login as {settings.user_id} failed: {response}")
        save_credentials(
            data_dir,
            Credentials(
                response.user_id, response.device_id, response.access_token, settings.homeserver
            ),
        )
        log.info("logged in with a new device", extra={"device_id": response.device_id})
    if client.should_upload_keys:
        await client.keys_upload()


async def _check_token(client: AsyncClient) -> None:
    """A saved token the homeserver no longer accepts ends the start with one line."""
    raise_if_refused(client.user_id, await client.whoami())
