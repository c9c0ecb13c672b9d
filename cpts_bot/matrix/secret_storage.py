"""Secret storage (``m.secret_storage.v1.aes-hmac-sha2``) and recovery keys, without I/O.

Secrets are kept in the account data of the bot's user, encrypted with AES-256-CTR and
authenticated with HMAC-SHA-256 under keys derived (HKDF-SHA-256, the secret's name as
info) from a 32-byte recovery key. The recovery key is shown to the operator as base58
of ``0x8B 0x01 + key + parity``, in groups of four characters.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from Crypto.Cipher import AES
from Crypto.Hash import SHA256
from Crypto.Protocol.KDF import HKDF

from cpts_bot.core.errors import CptsBotError

ALGORITHM = "m.secret_storage.v1.aes-hmac-sha2"
DEFAULT_KEY_EVENT = "m.secret_storage.default_key"
KEY_EVENT_PREFIX = "m.secret_storage.key."
MASTER_SECRET = "m.cross_signing.master"
SELF_SIGNING_SECRET = "m.cross_signing.self_signing"

RECOVERY_KEY_PREFIX = bytes([0x8B, 0x01])
KEY_LENGTH = 32
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class SecretStorageError(CptsBotError):
    """A recovery key or an encrypted secret is invalid (wrong key, corrupt data)."""


def base58_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_BASE58[remainder])
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + "".join(reversed(digits))


def base58_decode(text: str) -> bytes:
    number = 0
    for char in text:
        index = _BASE58.find(char)
        if index < 0:
            raise SecretStorageError(f"character {char!r} cannot appear in a recovery key")
        number = number * 58 + index
    leading_zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * leading_zeros + body


def generate_recovery_key() -> bytes:
    return secrets.token_bytes(KEY_LENGTH)


def encode_recovery_key(key: bytes) -> str:
    """The recovery key as the operator writes it down: ``EsTc 5rr1 …``."""
    if len(key) != KEY_LENGTH:
        raise ValueError("a recovery key has 32 bytes")
    data = RECOVERY_KEY_PREFIX + key
    parity = 0
    for byte in data:
        parity ^= byte
    encoded = base58_encode(data + bytes([parity]))
    return " ".join(encoded[i : i + 4] for i in range(0, len(encoded), 4))


def decode_recovery_key(text: str) -> bytes:
    """The 32-byte key from its written form (spaces ignored); checks prefix and parity."""
    data = base58_decode("".join(text.split()))
    if len(data) != len(RECOVERY_KEY_PREFIX) + KEY_LENGTH + 1:
        raise SecretStorageError("a recovery key has 48 characters (12 groups of 4)")
    parity = 0
    for byte in data:
        parity ^= byte
    if parity != 0:
        raise SecretStorageError("this recovery key has a typo (parity check failed)")
    if not data.startswith(RECOVERY_KEY_PREFIX):
        raise SecretStorageError("this is not a recovery key (wrong prefix)")
    return data[len(RECOVERY_KEY_PREFIX) : -1]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    stripped = text.strip().rstrip("=")
    try:
        return base64.b64decode(stripped + "=" * (-len(stripped) % 4), validate=True)
    except ValueError as error:
        raise SecretStorageError(f"invalid base64 in secret storage: {error}") from None


def _derive(key: bytes, name: str) -> tuple[bytes, bytes]:
    material = HKDF(key, 64, bytes(32), SHA256, context=name.encode("utf-8"))
    assert isinstance(material, bytes)
    return material[:32], material[32:]


def encrypt_secret(key: bytes, name: str, secret: str, iv: bytes | None = None) -> dict[str, str]:
    """Encrypt ``secret`` (text) stored under ``name``: ``{"iv", "ciphertext", "mac"}``."""
    aes_key, hmac_key = _derive(key, name)
    if iv is None:
        iv = bytearray(secrets.token_bytes(16))
        iv[8] &= 0x7F  # spec: bit 63 cleared so that the counter cannot overflow
        iv = bytes(iv)
    cipher = AES.new(aes_key, AES.MODE_CTR, nonce=b"", initial_value=iv)
    ciphertext = cipher.encrypt(secret.encode("utf-8"))
    mac = hmac.new(hmac_key, ciphertext, sha256).digest()
    return {"iv": _b64(iv), "ciphertext": _b64(ciphertext), "mac": _b64(mac)}


def decrypt_secret(key: bytes, name: str, encrypted: dict[str, Any]) -> str:
    """Decrypt what :func:`encrypt_secret` produced; raise on a wrong key or tampering."""
    try:
        iv = _unb64(encrypted["iv"])
        ciphertext = _unb64(encrypted["ciphertext"])
        mac = _unb64(encrypted["mac"])
    except (KeyError, TypeError, AttributeError):
        raise SecretStorageError("malformed encrypted secret") from None
    aes_key, hmac_key = _derive(key, name)
    expected = hmac.new(hmac_key, ciphertext, sha256).digest()
    if not hmac.compare_digest(expected, mac):
        raise SecretStorageError("wrong recovery key (or altered secret)")
    cipher = AES.new(aes_key, AES.MODE_CTR, nonce=b"", initial_value=iv)
    try:
        return cipher.decrypt(ciphertext).decode("utf-8")
    except UnicodeDecodeError:
        raise SecretStorageError("the decrypted secret is not text") from None


def key_description(key: bytes, name: str = "") -> dict[str, Any]:
    """Content of ``m.secret_storage.key.<id>``: iv and mac of 32 zero bytes prove the key."""
    check = encrypt_secret(key, "", "\0" * 32)
    content: dict[str, Any] = {"algorithm": ALGORITHM, "iv": check["iv"], "mac": check["mac"]}
    if name:
        content["name"] = name
    return content


def key_matches_description(key: bytes, description: dict[str, Any]) -> bool:
    """True when ``key`` is the one ``description`` (with iv and mac) was made with."""
    if description.get("algorithm") != ALGORITHM:
        return False
    iv, mac = description.get("iv"), description.get("mac")
    if not isinstance(iv, str) or not isinstance(mac, str):
        return False
    try:
        check = encrypt_secret(key, "", "\0" * 32, iv=_unb64(iv))
        return hmac.compare_digest(_unb64(check["mac"]), _unb64(mac))
    except SecretStorageError:
        return False


def new_key_id() -> str:
    return secrets.token_urlsafe(24).replace("-", "a").replace("_", "b")


@dataclass(frozen=True)
class SecretBundle:
    """Account data to write: the key description, the default key and each secret."""

    key_id: str
    events: dict[str, dict[str, Any]]


def build_secret_bundle(
    key: bytes, secrets_by_name: dict[str, str], key_id: str | None = None
) -> SecretBundle:
    """Everything to put in account data to store ``secrets_by_name`` under ``key``."""
    key_id = key_id or new_key_id()
    events: dict[str, dict[str, Any]] = {
        KEY_EVENT_PREFIX + key_id: key_description(key, "cpts-bot recovery key"),
    }
    for name, secret in secrets_by_name.items():
        events[name] = {"encrypted": {key_id: encrypt_secret(key, name, secret)}}
    events[DEFAULT_KEY_EVENT] = {"key": key_id}
    return SecretBundle(key_id, events)


def read_secret(key: bytes, key_id: str, name: str, content: dict[str, Any] | None) -> str:
    """The secret ``name`` from its account data ``content``, encrypted under ``key_id``."""
    encrypted = (content or {}).get("encrypted", {}).get(key_id)
    if not isinstance(encrypted, dict):
        raise SecretStorageError(f"{name} is not stored under the default recovery key")
    return decrypt_secret(key, name, encrypted)
