"""Recovery keys and m.secret_storage.v1.aes-hmac-sha2."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpts_bot.matrix.secret_storage import (
    SecretStorageError,
    base58_decode,
    base58_encode,
    build_secret_bundle,
    decode_recovery_key,
    decrypt_secret,
    encode_recovery_key,
    encrypt_secret,
    key_description,
    key_matches_description,
    read_secret,
)

KEY = bytes(range(32))


def test_recovery_key_format() -> None:
    text = encode_recovery_key(KEY)
    groups = text.split(" ")
    assert all(len(group) == 4 for group in groups[:-1])
    assert len("".join(groups)) == 48
    assert text.startswith("Es")  # what 0x8B 0x01 looks like in base58
    assert decode_recovery_key(text) == KEY
    assert decode_recovery_key(text.replace(" ", "")) == KEY
    assert decode_recovery_key("  " + text.replace(" ", "\n") + " ") == KEY


@given(st.binary(min_size=32, max_size=32))
def test_recovery_key_round_trip(key: bytes) -> None:
    assert decode_recovery_key(encode_recovery_key(key)) == key


def test_recovery_key_typo_is_caught() -> None:
    text = encode_recovery_key(KEY).replace(" ", "")
    position = 20
    replacement = "2" if text[position] != "2" else "3"
    typo = text[:position] + replacement + text[position + 1 :]
    with pytest.raises(SecretStorageError):
        decode_recovery_key(typo)
    with pytest.raises(SecretStorageError):
        decode_recovery_key(text[:-1])
    with pytest.raises(SecretStorageError):
        decode_recovery_key(text[:10] + "0" + text[11:])  # "0" is not base58


def test_base58_known_values() -> None:
    assert base58_encode(b"hello world") == "StV1DL6CwTryKyV"
    assert base58_decode("StV1DL6CwTryKyV") == b"hello world"
    assert base58_encode(b"\0\0\x01") == "112"
    assert base58_decode("112") == b"\0\0\x01"


def test_encrypt_decrypt_round_trip_and_wrong_key() -> None:
    encrypted = encrypt_secret(KEY, "m.cross_signing.master", "c2VlZA")
    assert set(encrypted) == {"iv", "ciphertext", "mac"}
    assert base64.b64decode(encrypted["iv"])[8] & 0x80 == 0
    assert decrypt_secret(KEY, "m.cross_signing.master", encrypted) == "c2VlZA"
    with pytest.raises(SecretStorageError):
        decrypt_secret(bytes(32), "m.cross_signing.master", encrypted)
    # The secret's name is bound in: moved under another name, it does not decrypt.
    with pytest.raises(SecretStorageError):
        decrypt_secret(KEY, "m.cross_signing.self_signing", encrypted)
    tampered = dict(encrypted)
    raw = bytearray(base64.b64decode(encrypted["ciphertext"]))
    raw[0] ^= 1
    tampered["ciphertext"] = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(SecretStorageError):
        decrypt_secret(KEY, "m.cross_signing.master", tampered)


@given(st.text(max_size=80))
def test_encrypt_decrypt_any_text(secret: str) -> None:
    assert decrypt_secret(KEY, "name", encrypt_secret(KEY, "name", secret)) == secret


def test_fixed_iv_is_deterministic_and_bound_to_the_name() -> None:
    iv = bytes(16)
    first = encrypt_secret(KEY, "n", "secret", iv=iv)
    assert first == encrypt_secret(KEY, "n", "secret", iv=iv)
    assert first != encrypt_secret(KEY, "m", "secret", iv=iv)
    assert len(base64.b64decode(first["ciphertext"])) == len("secret")
    assert len(base64.b64decode(first["mac"])) == 32


def test_key_description_proves_the_key() -> None:
    description = key_description(KEY)
    assert description["algorithm"] == "m.secret_storage.v1.aes-hmac-sha2"
    assert key_matches_description(KEY, description)
    assert not key_matches_description(bytes(32), description)
    assert not key_matches_description(KEY, {**description, "algorithm": "other"})
    assert not key_matches_description(KEY, {"algorithm": description["algorithm"]})


def test_bundle_holds_default_key_description_and_secrets() -> None:
    bundle = build_secret_bundle(KEY, {"m.cross_signing.master": "AAA"}, key_id="kid")
    events = bundle.events
    assert events["m.secret_storage.default_key"] == {"key": "kid"}
    assert key_matches_description(KEY, events["m.secret_storage.key.kid"])
    assert (
        read_secret(KEY, "kid", "m.cross_signing.master", events["m.cross_signing.master"]) == "AAA"
    )
    assert list(events)[-1] == "m.secret_storage.default_key"
    with pytest.raises(SecretStorageError):
        read_secret(KEY, "other", "m.cross_signing.master", events["m.cross_signing.master"])


# Produced by matrix-js-sdk 37.5.0 (calculateKeyCheck, encryptAESSecretStorageItem,
# encodeRecoveryKey) for the key bytes 0..31 and an all-zero IV: an independent
# implementation of the same recipe.
JS_KEY_CHECK = {
    "iv": "AAAAAAAAAAAAAAAAAAAAAA==",
    "mac": "Gv+0yDqPNdj9zSgvL1FUew0ODALBHY/PO5cLnkGX55w=",
}
JS_MASTER_SECRET = {
    "iv": "AAAAAAAAAAAAAAAAAAAAAA==",
    "ciphertext": "bJ1n109pPcVz1ac+Up9bEkIjr/4GO6KlGUIoPfqf",
    "mac": "Aw1A8uFmEi5v7IHS5I6tX6BNcz/6F7BqLDrkhKv3/EA=",
}
JS_RECOVERY_KEY = "EsSz ykH7 LCZx 7Cae cmKD wcmY JRXi Ybtu 8iQ3 t8Ez nRwK pUY1"


def test_interoperates_with_matrix_js_sdk() -> None:
    assert encode_recovery_key(KEY) == JS_RECOVERY_KEY
    assert decode_recovery_key(JS_RECOVERY_KEY) == KEY
    assert key_matches_description(
        KEY, {"algorithm": "m.secret_storage.v1.aes-hmac-sha2", **JS_KEY_CHECK}
    )
    assert decrypt_secret(KEY, "m.cross_signing.master", JS_MASTER_SECRET) == (
        "c2VlZC1vZi10aGUtbWFzdGVyLWtleQ"
    )
    assert (
        encrypt_secret(
            KEY, "m.cross_signing.master", "c2VlZC1vZi10aGUtbWFzdGVyLWtleQ", iv=bytes(16)
        )
        == JS_MASTER_SECRET
    )
