"""Signed JSON and cross-signing key objects, without I/O.

Matrix signs JSON objects with Ed25519 over their canonical form (sorted keys, compact
separators, UTF-8 not ASCII-escaped) with the ``signatures`` and ``unsigned`` members
removed. Keys and signatures travel as unpadded base64; a key id is
``ed25519:<unpadded base64 public key>`` (matrix-rust-sdk drops padded ids silently).
"""

from __future__ import annotations

import base64
import copy
import json
import secrets
from dataclasses import dataclass
from typing import Any

from Crypto.Signature import eddsa

ED25519 = "ed25519"
SEED_LENGTH = 32


def canonical_json(value: Any) -> bytes:
    """The canonical JSON encoding of ``value`` as UTF-8 bytes."""
    return json.dumps(
        value, ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False
    ).encode("utf-8")


def encode_base64(data: bytes) -> str:
    """Unpadded standard base64."""
    return base64.b64encode(data).decode("ascii").rstrip("=")


def decode_base64(text: str) -> bytes:
    """Decode standard base64, padded or not (raises ``ValueError`` on bad input)."""
    stripped = text.strip().rstrip("=")
    try:
        return base64.b64decode(stripped + "=" * (-len(stripped) % 4), validate=True)
    except (ValueError, TypeError) as error:
        raise ValueError(f"invalid base64: {error}") from None


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 key pair known by its 32-byte private seed."""

    seed: bytes

    def __post_init__(self) -> None:
        if len(self.seed) != SEED_LENGTH:
            raise ValueError("an Ed25519 seed has 32 bytes")

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(secrets.token_bytes(SEED_LENGTH))

    @classmethod
    def from_base64(cls, text: str) -> SigningKey:
        return cls(decode_base64(text))

    @property
    def seed_base64(self) -> str:
        return encode_base64(self.seed)

    @property
    def public_key(self) -> str:
        """The public key, unpadded base64."""
        key = eddsa.import_private_key(self.seed)
        return encode_base64(key.public_key().export_key(format="raw"))

    @property
    def key_id(self) -> str:
        return f"{ED25519}:{self.public_key}"

    def sign_bytes(self, message: bytes) -> str:
        signer = eddsa.new(eddsa.import_private_key(self.seed), "rfc8032")
        return encode_base64(signer.sign(message))

    def __repr__(self) -> str:  # never print the seed
        return f"SigningKey({self.key_id})"


def signable_bytes(obj: dict[str, Any]) -> bytes:
    """What a signature covers: the object without ``signatures`` and ``unsigned``."""
    return canonical_json({k: v for k, v in obj.items() if k not in ("signatures", "unsigned")})


def sign_json(
    obj: dict[str, Any], signer_user_id: str, key: SigningKey, key_id: str | None = None
) -> dict[str, Any]:
    """A copy of ``obj`` with ``key``'s signature added under ``signer_user_id``.

    ``key_id`` defaults to ``ed25519:<public key>`` (cross-signing keys); a device signs
    as ``ed25519:<device id>``. Existing signatures are kept.
    """
    signed = copy.deepcopy(obj)
    signature = key.sign_bytes(signable_bytes(obj))
    signed.setdefault("signatures", {}).setdefault(signer_user_id, {})[key_id or key.key_id] = (
        signature
    )
    return signed


def verify_ed25519(public_key: str, message: bytes, signature: str) -> bool:
    """True when ``signature`` (unpadded base64) is ``public_key``'s over ``message``."""
    try:
        raw_key = decode_base64(public_key)
        raw_signature = decode_base64(signature)
        verifier = eddsa.new(eddsa.import_public_key(raw_key), "rfc8032")
        verifier.verify(message, raw_signature)
    except (ValueError, TypeError):
        return False
    return True


def verify_json_signature(
    obj: dict[str, Any], signer_user_id: str, key_id: str, public_key: str
) -> bool:
    """True when ``obj`` carries a valid signature by ``public_key`` as ``key_id``."""
    signature = obj.get("signatures", {}).get(signer_user_id, {}).get(key_id)
    if not isinstance(signature, str):
        return False
    return verify_ed25519(public_key, signable_bytes(obj), signature)


def build_master_key(user_id: str, master: SigningKey) -> dict[str, Any]:
    """The master key object for ``keys/device_signing/upload``."""
    return {"user_id": user_id, "usage": ["master"], "keys": {master.key_id: master.public_key}}


def build_self_signing_key(
    user_id: str, self_signing: SigningKey, master: SigningKey
) -> dict[str, Any]:
    """The self-signing key object, signed by the master key."""
    obj = {
        "user_id": user_id,
        "usage": ["self_signing"],
        "keys": {self_signing.key_id: self_signing.public_key},
    }
    return sign_json(obj, user_id, master)


def cross_signing_public_key(key_object: dict[str, Any] | None, usage: str) -> str | None:
    """The single Ed25519 public key of a cross-signing key object with ``usage``, or None."""
    if not isinstance(key_object, dict) or usage not in key_object.get("usage", []):
        return None
    keys = key_object.get("keys")
    if not isinstance(keys, dict) or len(keys) != 1:
        return None
    ((key_id, public_key),) = keys.items()
    if key_id != f"{ED25519}:{public_key}":
        return None
    return public_key if isinstance(public_key, str) else None


@dataclass(frozen=True)
class ChainCheck:
    """The result of checking device -> self-signing -> master; ``reason`` when broken."""

    valid: bool
    reason: str = ""
    master_key: str | None = None


def verify_device_chain(
    user_id: str,
    device_keys: dict[str, Any] | None,
    self_signing_key: dict[str, Any] | None,
    master_key: dict[str, Any] | None,
) -> ChainCheck:
    """Check every signature from ``device_keys`` up to ``master_key`` (all as queried)."""
    master_public = cross_signing_public_key(master_key, "master")
    if master_key is None or master_public is None:
        return ChainCheck(False, "no master key")
    if master_key.get("user_id") != user_id:
        return ChainCheck(False, "master key of another user")
    ssk_public = cross_signing_public_key(self_signing_key, "self_signing")
    if self_signing_key is None or ssk_public is None:
        return ChainCheck(False, "no self-signing key", master_public)
    if self_signing_key.get("user_id") != user_id:
        return ChainCheck(False, "self-signing key of another user", master_public)
    if not verify_json_signature(
        self_signing_key, user_id, f"{ED25519}:{master_public}", master_public
    ):
        return ChainCheck(False, "self-signing key not signed by the master key", master_public)
    if device_keys is None:
        return ChainCheck(False, "unknown device", master_public)
    device_id = device_keys.get("device_id")
    if device_keys.get("user_id") != user_id or not isinstance(device_id, str):
        return ChainCheck(False, "device of another user", master_public)
    device_public = device_keys.get("keys", {}).get(f"{ED25519}:{device_id}")
    if not isinstance(device_public, str) or not verify_json_signature(
        device_keys, user_id, f"{ED25519}:{device_id}", device_public
    ):
        return ChainCheck(False, "device keys not signed by the device", master_public)
    if not verify_json_signature(device_keys, user_id, f"{ED25519}:{ssk_public}", ssk_public):
        return ChainCheck(False, "device not signed by its owner", master_public)
    return ChainCheck(True, "", master_public)
