"""The outbox's fan-out over the real Synapse: a batch of first messages to people the
sender has no chat with yet opens their encrypted direct chats, claims every
recipient's one-time keys in one request (not one per chat), and each recipient reads
their message (encrypted for them although the chat was just created)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cpts_bot.core.messages import Reply
from cpts_bot.matrix.matrix_chat_gateway import MatrixChatGateway
from cpts_bot.storage import core_repository as repo
from cpts_bot.storage.database import Database
from cpts_bot.storage.outbox import OutboxWriter

pytestmark = pytest.mark.synapse


async def test_first_messages_to_three_open_their_chats_with_one_key_claim(
    users: Any, tmp_path: Path
) -> None:
    sender = await users.client("sender")
    recipients = list(await asyncio.gather(*(users.client(f"pro{i}") for i in range(3))))
    client = sender.client
    assert client is not None
    claims: list[dict[str, list[str]]] = []
    claim = client.keys_claim

    async def counting_claim(user_set: dict[str, list[str]]) -> Any:
        claims.append(user_set)
        return await claim(user_set)

    client.keys_claim = counting_claim  # type: ignore[method-assign]
    database = await Database.open(tmp_path / "bot.sqlite")
    try:
        async with database.transaction() as db:
            outbox = OutboxWriter(db, datetime.now(UTC))
            for index, recipient in enumerate(recipients):
                await outbox.send_direct(recipient.user_id, Reply(f"Bonjour n°{index}"))
        gateway = MatrixChatGateway(client, database)
        stop = asyncio.Event()
        sending = asyncio.create_task(gateway.run(stop))
        for _ in range(600):  # at most a minute
            if not await repo.unsent_outbox(database):
                break
            await asyncio.sleep(0.1)
        stop.set()
        await sending
        assert await repo.unsent_outbox(database) == []
        for index, recipient in enumerate(recipients):
            received = await recipient.wait_for(
                lambda me, index=index: [
                    item
                    for item in me.from_user(sender.user_id)
                    if item.body == f"Bonjour n°{index}"
                ],
                timeout=60,
            )
            assert received[0].decrypted
        assert len(claims) == 1, claims
        assert set(claims[0]) == {recipient.user_id for recipient in recipients}
    finally:
        await database.close()
