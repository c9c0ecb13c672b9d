"""One-time-key claims one at a time: a second claim for a device waits for the one in
flight and asks only for what is still missing. Two claims at once for one device can
pick the same one-time key on Synapse with PostgreSQL, and the one that loses comes back
empty: nio would then share a room key without that device, for good."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from nio import KeysClaimResponse
from nio.crypto import OlmDevice
from nio.crypto.sessions import OlmAccount, OutboundSession

from cpts_bot.matrix.bot_client import BotClient, still_to_claim
from tests.unit.nio_store_support import stored_client

BOT = "@cpts-bot:hs"
ALICE = "@alice:hs"


def bot(store: Path) -> BotClient:
    return stored_client(store, BOT, BotClient)


def device_of(client: BotClient, device_id: str) -> tuple[OlmDevice, OlmAccount]:
    """A device of Alice's known to the bot, with the account holding its keys."""
    account = OlmAccount()
    keys = account.identity_keys
    device = OlmDevice(
        ALICE, device_id, {"ed25519": keys["ed25519"], "curve25519": keys["curve25519"]}
    )
    client.device_store.add(device)
    return device, account


def session_with(client: BotClient, device: OlmDevice, account: OlmAccount) -> None:
    """What nio does on a claim's answer: an Olm session with the device."""
    account.generate_one_time_keys(1)
    one_time_key = next(iter(account.one_time_keys["curve25519"].values()))
    session = OutboundSession(client.olm.account, device.curve25519, one_time_key)  # type: ignore[union-attr]
    client.olm.session_store.add(device.curve25519, session)  # type: ignore[union-attr]


async def test_a_second_claim_waits_and_asks_only_for_what_is_missing(tmp_path: Path) -> None:
    client = bot(tmp_path)
    phone, phone_account = device_of(client, "PHONE")
    laptop, _ = device_of(client, "LAPTOP")
    asked: list[dict[str, list[str]]] = []
    in_flight = 0
    most = 0

    async def homeserver(response_class: Any, method: str, path: str, data: Any) -> Any:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.05)
        in_flight -= 1
        asked.append(data_devices(data))
        session_with(client, phone, phone_account)  # the claim gave a key for the phone
        return KeysClaimResponse({}, {})

    client._send = homeserver  # type: ignore[method-assign]
    first, second = await asyncio.gather(
        client.keys_claim({ALICE: ["PHONE"]}),
        client.keys_claim({ALICE: ["PHONE", "LAPTOP"]}),
    )
    assert isinstance(first, KeysClaimResponse) and isinstance(second, KeysClaimResponse)
    assert most == 1, "never two claims at once"
    assert asked == [{ALICE: ["PHONE"]}, {ALICE: ["LAPTOP"]}]
    assert await client.keys_claim({ALICE: ["PHONE"]}) == KeysClaimResponse({}, {})
    assert len(asked) == 2, "nothing left to claim: no request"
    assert laptop.id == "LAPTOP"
    await client.close()


def data_devices(data: str) -> dict[str, list[str]]:
    import json

    wanted = json.loads(data)["one_time_keys"]
    return {user: sorted(devices) for user, devices in wanted.items()}


async def test_wedged_and_unknown_devices_are_still_claimed(tmp_path: Path) -> None:
    client = bot(tmp_path)
    phone, account = device_of(client, "PHONE")
    session_with(client, phone, account)
    olm = client.olm
    assert still_to_claim(olm, {ALICE: ["PHONE", "NEW"]}) == {ALICE: ["NEW"]}
    olm.wedged_devices.append(phone)  # type: ignore[union-attr]
    assert still_to_claim(olm, {ALICE: ["PHONE"]}) == {ALICE: ["PHONE"]}
    await client.close()
