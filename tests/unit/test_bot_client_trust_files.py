"""A trust file with a device's line repeated (written before a device was marked only
when its mark changed) is written back with one line per device at start: a device
blacklisted afterwards stays blacklisted after the next restart."""

from __future__ import annotations

from pathlib import Path

from nio import AsyncClient
from nio.crypto import OlmDevice

from cpts_bot.matrix.bot_client import drop_repeated_marks
from tests.unit.nio_store_support import stored_client

BOT = "@cpts-bot:hs"
ALICE = "@alice:hs"


def started(store: Path) -> AsyncClient:
    client = stored_client(store, BOT, AsyncClient)  # loads the trust files
    client.device_store.add(OlmDevice(ALICE, "PHONE", {"ed25519": "edkey", "curve25519": "cv"}))
    return client


def phone(client: AsyncClient) -> OlmDevice:
    [device] = client.device_store.active_user_devices(ALICE)
    return device


def trusted_lines(store: Path) -> list[str]:
    text = next(store.glob("*.trusted_devices")).read_text()
    return [line for line in text.splitlines() if line.startswith(f"{ALICE} PHONE ")]


async def test_repeated_marks_are_dropped_and_a_blacklisting_survives_a_restart(
    tmp_path: Path,
) -> None:
    client = started(tmp_path)
    client.verify_device(phone(client))
    client.olm.store.trust_db.add(  # type: ignore[union-attr]
        next(iter(client.olm.store.trust_db))  # type: ignore[union-attr]
    )  # what nio's store did at each verification before
    assert len(trusted_lines(tmp_path)) == 2
    await client.close()

    client = started(tmp_path)
    assert drop_repeated_marks(client.olm.store) == 1  # type: ignore[union-attr]
    assert len(trusted_lines(tmp_path)) == 1
    assert drop_repeated_marks(client.olm.store) == 0  # type: ignore[union-attr]
    client.blacklist_device(phone(client))
    await client.close()

    client = started(tmp_path)
    assert trusted_lines(tmp_path) == []
    store = client.olm.store  # type: ignore[union-attr]
    assert not store.is_device_verified(phone(client))  # as nio reads it at the next load
    assert store.is_device_blacklisted(phone(client))
    await client.close()
