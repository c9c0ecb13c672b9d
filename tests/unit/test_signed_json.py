"""Canonical JSON, Ed25519 signatures and the cross-signing chain."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cpts_bot.matrix.signed_json import (
    SigningKey,
    build_master_key,
    build_self_signing_key,
    canonical_json,
    cross_signing_public_key,
    decode_base64,
    encode_base64,
    sign_json,
    verify_device_chain,
    verify_json_signature,
)

USER = "@bot:example.org"

# RFC 8032, section 7.1, test 1: a known seed, its public key and signature of "".
RFC_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC_SIGNATURE = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
    "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)


def test_canonical_json_sorts_keys_compacts_and_keeps_utf8() -> None:
    value = {"b": 1, "a": {"d": [1, 2], "c": "é€😀"}, "": None}
    assert canonical_json(value) == '{"":null,"a":{"c":"é€😀","d":[1,2]},"b":1}'.encode()


def test_canonical_json_matches_the_spec_example() -> None:
    # From the Matrix specification's canonical JSON examples.
    assert canonical_json({"one": 1, "two": "Two"}) == b'{"one":1,"two":"Two"}'
    assert canonical_json({"a": "日本語"}) == '{"a":"日本語"}'.encode()


def test_base64_is_unpadded_and_decoding_accepts_both() -> None:
    assert encode_base64(b"\x00\x01") == "AAE"
    assert decode_base64("AAE") == decode_base64("AAE=") == b"\x00\x01"
    with pytest.raises(ValueError):
        decode_base64("A!E")


@given(st.binary(min_size=0, max_size=64))
def test_base64_round_trip(data: bytes) -> None:
    assert decode_base64(encode_base64(data)) == data
    assert "=" not in encode_base64(data)


def test_ed25519_matches_rfc_8032_vector() -> None:
    key = SigningKey(RFC_SEED)
    assert decode_base64(key.public_key) == RFC_PUBLIC
    assert decode_base64(key.sign_bytes(b"")) == RFC_SIGNATURE
    assert key.key_id == "ed25519:" + encode_base64(RFC_PUBLIC)
    assert RFC_SEED.hex() not in repr(key) and key.seed_base64 not in repr(key)


def test_signature_verifies_and_ignores_signatures_and_unsigned() -> None:
    key = SigningKey.generate()
    obj = {"user_id": USER, "keys": {"x": "y"}, "unsigned": {"note": 1}}
    signed = sign_json(obj, USER, key)
    assert verify_json_signature(signed, USER, key.key_id, key.public_key)
    signed["unsigned"] = {"changed": True}
    assert verify_json_signature(signed, USER, key.key_id, key.public_key)
    # A second signature leaves the first one valid.
    other = SigningKey.generate()
    both = sign_json(signed, USER, other)
    assert verify_json_signature(both, USER, key.key_id, key.public_key)
    assert verify_json_signature(both, USER, other.key_id, other.public_key)


def test_tampered_object_or_signature_fails() -> None:
    key = SigningKey.generate()
    signed = sign_json({"user_id": USER, "keys": {"a": "b"}}, USER, key)
    tampered = copy.deepcopy(signed)
    tampered["keys"]["a"] = "c"
    assert not verify_json_signature(tampered, USER, key.key_id, key.public_key)
    bad_signature = copy.deepcopy(signed)
    raw = bytearray(decode_base64(signed["signatures"][USER][key.key_id]))
    raw[0] ^= 1
    bad_signature["signatures"][USER][key.key_id] = encode_base64(bytes(raw))
    assert not verify_json_signature(bad_signature, USER, key.key_id, key.public_key)
    other = SigningKey.generate()
    assert not verify_json_signature(signed, USER, key.key_id, other.public_key)
    assert not verify_json_signature(signed, "@else:example.org", key.key_id, key.public_key)
    assert not verify_json_signature(signed, USER, key.key_id, "not-a-key")


def test_master_and_self_signing_key_objects() -> None:
    master, ssk = SigningKey.generate(), SigningKey.generate()
    master_obj = build_master_key(USER, master)
    assert master_obj == {
        "user_id": USER,
        "usage": ["master"],
        "keys": {master.key_id: master.public_key},
    }
    assert "=" not in master.key_id
    ssk_obj = build_self_signing_key(USER, ssk, master)
    assert ssk_obj["usage"] == ["self_signing"]
    assert ssk_obj["keys"] == {ssk.key_id: ssk.public_key}
    assert list(ssk_obj["signatures"][USER]) == [master.key_id]
    assert verify_json_signature(ssk_obj, USER, master.key_id, master.public_key)
    assert cross_signing_public_key(master_obj, "master") == master.public_key
    assert cross_signing_public_key(master_obj, "self_signing") is None
    assert cross_signing_public_key(ssk_obj, "self_signing") == ssk.public_key


def _device(user_id: str, device_id: str, key: SigningKey) -> dict:
    obj = {
        "user_id": user_id,
        "device_id": device_id,
        "algorithms": ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"],
        "keys": {f"ed25519:{device_id}": key.public_key, f"curve25519:{device_id}": "curve"},
    }
    return sign_json(obj, user_id, key, key_id=f"ed25519:{device_id}")


def test_device_chain_valid_only_with_every_signature() -> None:
    master, ssk, device_key = (SigningKey.generate() for _ in range(3))
    master_obj = build_master_key(USER, master)
    ssk_obj = build_self_signing_key(USER, ssk, master)
    device = _device(USER, "DEV", device_key)
    assert verify_device_chain(USER, device, ssk_obj, master_obj).reason == (
        "device not signed by its owner"
    )
    signed_device = sign_json(device, USER, ssk)
    check = verify_device_chain(USER, signed_device, ssk_obj, master_obj)
    assert check.valid and check.master_key == master.public_key

    # The self-signing key signed by another master key: broken.
    forged_ssk = build_self_signing_key(USER, ssk, SigningKey.generate())
    assert not verify_device_chain(USER, signed_device, forged_ssk, master_obj).valid
    # A signature by another self-signing key: broken.
    intruder = SigningKey.generate()
    intruder_ssk = build_self_signing_key(USER, intruder, master)
    assert not verify_device_chain(USER, signed_device, intruder_ssk, master_obj).valid
    # The device keys altered after signing: broken.
    altered = copy.deepcopy(signed_device)
    altered["keys"]["curve25519:DEV"] = "other"
    assert not verify_device_chain(USER, altered, ssk_obj, master_obj).valid
    # A signature merely present but invalid: broken.
    fake = copy.deepcopy(device)
    fake["signatures"][USER][ssk.key_id] = encode_base64(bytes(64))
    assert not verify_device_chain(USER, fake, ssk_obj, master_obj).valid
    # Keys of another user.
    assert not verify_device_chain("@else:example.org", signed_device, ssk_obj, master_obj).valid
    assert not verify_device_chain(USER, signed_device, ssk_obj, None).valid
    assert not verify_device_chain(USER, None, ssk_obj, master_obj).valid
