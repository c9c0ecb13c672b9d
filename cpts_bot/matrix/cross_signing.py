"""The bot's cross-signing identity: its device signed by its own master key.

Clients that exclude insecure devices (MSC4153) share room keys only with devices their
owner cross-signed and hide what other devices send. matrix-nio has no cross-signing,
so the bot does it at every start, before its first sync (:func:`ensure_cross_signed`):

- master and self-signing seeds live in ``cross_signing.json`` in the data directory
  (mode 0600) and, encrypted under a recovery key shown once to the operator, in the
  account's secret storage, so that a redeployed bot can sign its new device;
- the device keys are signed exactly as the homeserver holds them;
- a master key on the server that the bot cannot use is never silently replaced: the
  start is refused with the command to run (:class:`CrossSigningError`).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from nio import AsyncClient, KeysUploadResponse

from cpts_bot.core.errors import CptsBotError
from cpts_bot.matrix import secret_storage
from cpts_bot.matrix.nio_responses import checked
from cpts_bot.matrix.signed_json import (
    SigningKey,
    build_master_key,
    build_self_signing_key,
    cross_signing_public_key,
    sign_json,
    verify_device_chain,
)
from cpts_bot.settings import BotSettings

logger = logging.getLogger(__name__)

SEEDS_FILE = "cross_signing.json"
RECOVERY_KEY_FILE = "recovery-key.txt"
CLIENT_API = "/_matrix/client/v3"


class CrossSigningError(CptsBotError):
    """The bot cannot (or must not) cross-sign its device; the message says what to do."""


class CrossSigningApprovalNeeded(CrossSigningError):
    """The homeserver wants user-interactive auth the bot cannot give (no password)."""

    def __init__(self, user_id: str, answer: dict[str, Any]) -> None:
        super().__init__(
            f"The homeserver asks for approval to change the cross-signing keys of {user_id}."
        )
        self.user_id = user_id
        self.answer = answer


class CryptoStoreLostError(CrossSigningError):
    """The local crypto store does not hold the keys the server has for this device."""


@dataclass(frozen=True)
class CrossSigningSeeds:
    """The private halves of the bot's master and self-signing keys."""

    user_id: str
    master: SigningKey
    self_signing: SigningKey


@dataclass(frozen=True)
class UserIdentity:
    """One user's keys as ``keys/query`` returns them."""

    user_id: str
    master_key: dict[str, Any] | None = None
    self_signing_key: dict[str, Any] | None = None
    devices: dict[str, dict[str, Any]] = field(default_factory=dict)
    _chains: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    @property
    def master_public_key(self) -> str | None:
        return cross_signing_public_key(self.master_key, "master")

    @property
    def self_signing_public_key(self) -> str | None:
        return cross_signing_public_key(self.self_signing_key, "self_signing")

    def device_is_cross_signed(self, device_id: str) -> bool:
        """Every signature device -> self-signing -> master checks out (memoised: the
        object never changes)."""
        if device_id not in self._chains:
            self._chains[device_id] = verify_device_chain(
                self.user_id,
                self.devices.get(device_id),
                self.self_signing_key,
                self.master_key,
            ).valid
        return self._chains[device_id]


@dataclass(frozen=True)
class CrossSigningStatus:
    """What :func:`ensure_cross_signed` found and did."""

    enabled: bool
    master_key: str | None = None
    device_id: str | None = None
    created_identity: bool = False
    signed_device: bool = False
    recovery_key: str | None = None  # only when just created: show it once
    waiting_for: str | None = None  # an approval only a person can give (token login)


# --- homeserver calls -------------------------------------------------------------------


class HomeserverError(CrossSigningError):
    """The homeserver refused a cross-signing request."""

    def __init__(self, what: str, status: int, body: dict[str, Any]) -> None:
        detail = body.get("error") or body.get("errcode") or json.dumps(body)[:200]
        super().__init__(f"{what}: HTTP {status}: {detail}")
        self.status = status
        self.body = body


async def call_homeserver(
    client: AsyncClient, method: str, path: str, body: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any]]:
    """One authenticated client-server API request through nio's HTTP session."""
    headers = {"Content-Type": "application/json"}
    if client.access_token:
        headers["Authorization"] = f"Bearer {client.access_token}"
    data = json.dumps(body, ensure_ascii=False) if body is not None else None
    response = await client.send(method, path, data, headers)
    try:
        payload = await response.json(content_type=None)
    except (ValueError, UnicodeDecodeError):
        payload = {}
    finally:
        response.release()
    return response.status, payload if isinstance(payload, dict) else {}


async def query_identities(client: AsyncClient, user_ids: list[str]) -> dict[str, UserIdentity]:
    """``keys/query`` for ``user_ids``: master, self-signing and device keys of each."""
    status, body = await call_homeserver(
        client,
        "POST",
        f"{CLIENT_API}/keys/query",
        {"device_keys": {user_id: [] for user_id in user_ids}},
    )
    if status != 200:
        raise HomeserverError("keys/query", status, body)
    identities = {}
    for user_id in user_ids:
        devices = body.get("device_keys", {}).get(user_id) or {}
        identities[user_id] = UserIdentity(
            user_id=user_id,
            master_key=body.get("master_keys", {}).get(user_id),
            self_signing_key=body.get("self_signing_keys", {}).get(user_id),
            devices={k: v for k, v in devices.items() if isinstance(v, dict)},
        )
    return identities


async def upload_cross_signing_keys(
    client: AsyncClient, seeds: CrossSigningSeeds, password: str | None
) -> None:
    """``keys/device_signing/upload``; answers a user-interactive auth challenge with the
    password (a first upload usually needs none; replacing keys always does)."""
    body: dict[str, Any] = {
        "master_key": build_master_key(seeds.user_id, seeds.master),
        "self_signing_key": build_self_signing_key(seeds.user_id, seeds.self_signing, seeds.master),
    }
    path = f"{CLIENT_API}/keys/device_signing/upload"
    status, answer = await call_homeserver(client, "POST", path, body)
    if status == 401 and "session" in answer:
        if not password:
            raise CrossSigningApprovalNeeded(seeds.user_id, answer)
        body["auth"] = {
            "type": "m.login.password",
            "identifier": {"type": "m.id.user", "user": seeds.user_id},
            "password": password,
            "session": answer["session"],
        }
        status, answer = await call_homeserver(client, "POST", path, body)
    if status != 200:
        raise HomeserverError("keys/device_signing/upload", status, answer)


async def sign_device(
    client: AsyncClient, seeds: CrossSigningSeeds, device_keys: dict[str, Any]
) -> None:
    """Sign ``device_keys`` (exactly as the server holds them) with the self-signing key."""
    signable = {
        k: device_keys[k]
        for k in ("user_id", "device_id", "algorithms", "keys")
        if k in device_keys
    }
    signable["signatures"] = device_keys.get("signatures", {})
    signed = sign_json(signable, seeds.user_id, seeds.self_signing)
    status, answer = await call_homeserver(
        client,
        "POST",
        f"{CLIENT_API}/keys/signatures/upload",
        {seeds.user_id: {device_keys["device_id"]: signed}},
    )
    if status != 200:
        raise HomeserverError("keys/signatures/upload", status, answer)
    if answer.get("failures"):
        raise CrossSigningError(
            f"the homeserver refused the device signature: {json.dumps(answer['failures'])}"
        )


async def get_account_data(client: AsyncClient, event_type: str) -> dict[str, Any] | None:
    path = f"{CLIENT_API}/user/{quote(client.user_id, safe='')}/account_data/{event_type}"
    status, body = await call_homeserver(client, "GET", path)
    if status == 404:
        return None
    if status != 200:
        raise HomeserverError(f"account data {event_type}", status, body)
    return body


async def put_account_data(client: AsyncClient, event_type: str, content: dict[str, Any]) -> None:
    path = f"{CLIENT_API}/user/{quote(client.user_id, safe='')}/account_data/{event_type}"
    status, body = await call_homeserver(client, "PUT", path, content)
    if status != 200:
        raise HomeserverError(f"account data {event_type}", status, body)


# --- the seeds file ----------------------------------------------------------------------


def seeds_path(data_dir: Path) -> Path:
    return Path(data_dir) / SEEDS_FILE


def load_seeds(data_dir: Path, user_id: str) -> CrossSigningSeeds | None:
    """The saved seeds, or None when there are none (or they belong to another user)."""
    path = seeds_path(data_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, OSError) as error:
        raise CrossSigningError(
            f"{path} is unreadable ({error}); restore it from a backup "
            "or run `cpts-bot restore-cross-signing`"
        ) from None
    if data.get("user_id") != user_id:
        raise CrossSigningError(
            f"{path} holds the keys of {data.get('user_id')!r}, not of {user_id}"
        )
    try:
        return CrossSigningSeeds(
            user_id,
            SigningKey.from_base64(data["master"]),
            SigningKey.from_base64(data["self_signing"]),
        )
    except (KeyError, ValueError):
        raise CrossSigningError(
            f"{path} is damaged; run `cpts-bot restore-cross-signing`"
        ) from None


def save_seeds(data_dir: Path, seeds: CrossSigningSeeds) -> None:
    """Write the seeds atomically, readable by the bot's user only (mode 0600)."""
    path = seeds_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    content = json.dumps(
        {
            "user_id": seeds.user_id,
            "master": seeds.master.seed_base64,
            "self_signing": seeds.self_signing.seed_base64,
            "master_public": seeds.master.public_key,
        },
        indent=2,
    )
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, content.encode("utf-8"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    os.replace(temporary, path)


def write_recovery_key(data_dir: Path, recovery_key: str) -> Path:
    """Write ``recovery_key`` once, mode 0600, to a new file of ``data_dir``; an existing
    file (a key the operator has not collected yet) is never overwritten: the new key
    goes to ``recovery-key-2.txt`` and so on. Return the file's path."""
    data_dir.mkdir(parents=True, exist_ok=True)
    for number in range(1, 1000):
        suffix = "" if number == 1 else f"-{number}"
        path = data_dir / RECOVERY_KEY_FILE.replace(".txt", f"{suffix}.txt")
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(recovery_key + "\n")
        return path
    raise CrossSigningError(f"too many recovery key files in {data_dir}: collect them")


def new_seeds(user_id: str) -> CrossSigningSeeds:
    return CrossSigningSeeds(user_id, SigningKey.generate(), SigningKey.generate())


# --- secret storage ---------------------------------------------------------------------


async def store_in_secret_storage(client: AsyncClient, seeds: CrossSigningSeeds) -> str:
    """Encrypt the seeds into account data under a new recovery key; return that key
    in its written form (show it once; it is not kept anywhere)."""
    key = secret_storage.generate_recovery_key()
    bundle = secret_storage.build_secret_bundle(
        key,
        {
            secret_storage.MASTER_SECRET: seeds.master.seed_base64,
            secret_storage.SELF_SIGNING_SECRET: seeds.self_signing.seed_base64,
        },
    )
    # The default key goes last: a reader never finds a default key without its secrets.
    for event_type, content in bundle.events.items():
        await put_account_data(client, event_type, content)
    return secret_storage.encode_recovery_key(key)


async def load_from_secret_storage(client: AsyncClient, recovery_key: str) -> CrossSigningSeeds:
    """The seeds stored in account data, decrypted with the operator's ``recovery_key``."""
    key = secret_storage.decode_recovery_key(recovery_key)
    default = await get_account_data(client, secret_storage.DEFAULT_KEY_EVENT)
    key_id = (default or {}).get("key")
    if not isinstance(key_id, str):
        raise CrossSigningError("this account has no secret storage: nothing to restore")
    description = await get_account_data(client, secret_storage.KEY_EVENT_PREFIX + key_id)
    if not description or not secret_storage.key_matches_description(key, description):
        raise secret_storage.SecretStorageError("this recovery key is not the account's")
    seeds = {}
    for name in (secret_storage.MASTER_SECRET, secret_storage.SELF_SIGNING_SECRET):
        content = await get_account_data(client, name)
        seeds[name] = secret_storage.read_secret(key, key_id, name, content)
    return CrossSigningSeeds(
        client.user_id,
        SigningKey.from_base64(seeds[secret_storage.MASTER_SECRET]),
        SigningKey.from_base64(seeds[secret_storage.SELF_SIGNING_SECRET]),
    )


# --- start-up ---------------------------------------------------------------------------


async def check_crypto_store(client: AsyncClient, identity: UserIdentity) -> None:
    """Refuse to go on when the server knows this device with other keys than ours: the
    local crypto store was lost or replaced, and uploading would fail or fork the device."""
    if client.olm is None or client.device_id is None:
        raise CrossSigningError("the crypto store is not loaded (matrix-nio[e2e] missing?)")
    server_device = identity.devices.get(client.device_id)
    if server_device is None:
        return
    local = client.olm.account.identity_keys
    keys = server_device.get("keys", {})
    if (
        keys.get(f"ed25519:{client.device_id}") != local["ed25519"]
        or keys.get(f"curve25519:{client.device_id}") != local["curve25519"]
    ):
        raise CryptoStoreLostError(
            f"The homeserver knows device {client.device_id} with other keys than the local "
            "crypto store: the store was lost or replaced. Messages encrypted for the old "
            "keys cannot be read any more. Restore the data directory from a backup, or "
            "delete the saved login so that the bot logs in as a new device (it will "
            "cross-sign it with its saved identity)."
        )


async def check_crypto_store_at_start(client: AsyncClient) -> None:
    """Call right after restoring a saved login and BEFORE any ``keys_upload``: raise
    :class:`CryptoStoreLostError` when the server knows this device with other keys.

    Synapse replaces the device keys on upload (only the one-time keys clash), so once
    ``keys_upload`` has run the loss can no longer be seen, and every client sees the
    device's keys change under the same device id."""
    identity = (await query_identities(client, [client.user_id]))[client.user_id]
    await check_crypto_store(client, identity)


async def _ensure_device_keys_uploaded(client: AsyncClient) -> None:
    if client.should_upload_keys:
        checked(await client.keys_upload(), KeysUploadResponse, "uploading the device keys")


def _mismatch_message(user_id: str, has_seeds: bool) -> str:
    reason = (
        "the keys saved in the data directory are not the ones the homeserver has"
        if has_seeds
        else "the data directory holds no cross-signing keys"
    )
    return (
        f"{user_id} already has a cross-signing identity on the homeserver, but {reason}. "
        "The bot will not replace it silently (users would see its identity change). "
        "Run `cpts-bot restore-cross-signing` with the recovery key shown when the identity "
        "was created, or `cpts-bot reset-cross-signing` (asks for the bot's password) to "
        "replace the identity; coordinators will then be warned of the change."
    )


async def ensure_cross_signed(
    client: AsyncClient, settings: BotSettings, data_dir: Path
) -> CrossSigningStatus:
    """Make the bot's device cross-signed; idempotent, call at every start before syncing.

    The client must be logged in (or restored) with its crypto store loaded. Creates the
    identity when the account has none; reuses saved seeds matching the server's master
    key; signs a new device; refuses (:class:`CrossSigningError`) when the server has a
    master key the bot cannot use, or the crypto store was lost.
    """
    if not settings.cross_signing:
        return CrossSigningStatus(enabled=False, device_id=client.device_id)
    user_id = client.user_id
    identity = (await query_identities(client, [user_id]))[user_id]
    await check_crypto_store(client, identity)
    if client.device_id not in identity.devices:
        await _ensure_device_keys_uploaded(client)
        identity = (await query_identities(client, [user_id]))[user_id]
    seeds = load_seeds(data_dir, user_id)
    created = False
    replaced: CrossSigningSeeds | None = None
    recovery_key = None
    if identity.master_public_key is None:
        if seeds is None:
            seeds = new_seeds(user_id)
            created = True
        # Saved before the upload: a crash after it must not lose keys the server holds.
        save_seeds(data_dir, seeds)
        await upload_cross_signing_keys(client, seeds, settings.password)
    elif seeds is None or seeds.master.public_key != identity.master_public_key:
        if settings.password:
            raise CrossSigningError(_mismatch_message(user_id, seeds is not None))
        # Token login (MAS): a replacement goes through only once a person approved it
        # on the homeserver's side; until then, CrossSigningApprovalNeeded.
        seeds = replaced = new_seeds(user_id)
        await upload_cross_signing_keys(client, seeds, None)
        save_seeds(data_dir, seeds)
    elif identity.self_signing_public_key != seeds.self_signing.public_key:
        await upload_cross_signing_keys(client, seeds, settings.password)
    if replaced or await get_account_data(client, secret_storage.DEFAULT_KEY_EVENT) is None:
        # Also after a crash between the key upload and this point.
        recovery_key = await store_in_secret_storage(client, seeds)
        key_file = write_recovery_key(data_dir, recovery_key)
        # The path only: logs are collected and kept elsewhere, the key must not be.
        logger.warning(
            "Cross-signing keys of %s saved in secret storage. The RECOVERY KEY is in %s "
            "(mode 0600): copy it somewhere offline, then delete the file. It restores the "
            "bot's identity on a new machine.",
            user_id,
            key_file,
        )
    identity = (await query_identities(client, [user_id]))[user_id]
    signed = False
    if not identity.device_is_cross_signed(client.device_id):
        device_keys = identity.devices.get(client.device_id)
        if device_keys is None:
            raise CrossSigningError(f"device {client.device_id} has no keys on the server")
        await sign_device(client, seeds, device_keys)
        signed = True
        identity = (await query_identities(client, [user_id]))[user_id]
        check = verify_device_chain(
            user_id,
            identity.devices.get(client.device_id),
            identity.self_signing_key,
            identity.master_key,
        )
        if not check.valid:
            raise CrossSigningError(f"the device signature did not hold: {check.reason}")
    logger.info(
        "Device %s of %s is cross-signed (master key %s)",
        client.device_id,
        user_id,
        identity.master_public_key,
    )
    return CrossSigningStatus(
        enabled=True,
        master_key=identity.master_public_key,
        device_id=client.device_id,
        created_identity=created,
        signed_device=signed,
        recovery_key=recovery_key,
    )


async def reset_cross_signing(
    client: AsyncClient, data_dir: Path, password: str
) -> CrossSigningStatus:
    """Replace the account's cross-signing identity (password auth), sign this device,
    store the new seeds locally and in secret storage. Returns the new recovery key."""
    user_id = client.user_id
    identity = (await query_identities(client, [user_id]))[user_id]
    await check_crypto_store(client, identity)
    if client.device_id not in identity.devices:
        await _ensure_device_keys_uploaded(client)
    seeds = new_seeds(user_id)
    # Saved only once the server took them: a refused password changes nothing.
    await upload_cross_signing_keys(client, seeds, password)
    save_seeds(data_dir, seeds)
    identity = (await query_identities(client, [user_id]))[user_id]
    await sign_device(client, seeds, identity.devices[client.device_id])
    recovery_key = await store_in_secret_storage(client, seeds)
    return CrossSigningStatus(
        enabled=True,
        master_key=seeds.master.public_key,
        device_id=client.device_id,
        created_identity=True,
        signed_device=True,
        recovery_key=recovery_key,
    )


async def restore_cross_signing(
    client: AsyncClient, data_dir: Path, recovery_key: str
) -> CrossSigningSeeds:
    """Fetch the seeds from secret storage with ``recovery_key`` and save them in
    ``data_dir``; the next start signs the device with them."""
    user_id = client.user_id
    seeds = await load_from_secret_storage(client, recovery_key)
    identity = (await query_identities(client, [user_id]))[user_id]
    if identity.master_public_key != seeds.master.public_key:
        raise CrossSigningError(
            "the secret storage holds keys that are not the account's current identity; "
            "run `cpts-bot reset-cross-signing` instead"
        )
    save_seeds(data_dir, seeds)
    return seeds
