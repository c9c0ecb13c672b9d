"""A minimal matrix-nio echo bot: the floor a reply can approach on a homeserver.

Usage: python bench/echo_bot.py HOMESERVER USER_ID PASSWORD STORE_DIR
Joins every invite; answers every text message with an encrypted m.notice reply.
"""

from __future__ import annotations

import asyncio
import os
import sys

from nio import AsyncClient, AsyncClientConfig, InviteMemberEvent, MatrixRoom, RoomMessageText


async def main(homeserver: str, user_id: str, password: str, store: str) -> None:
    os.makedirs(store, exist_ok=True)
    client = AsyncClient(
        homeserver,
        user_id,
        store_path=store,
        config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False),
    )
    await client.login(password, device_name="echo")
    if client.should_upload_keys:
        await client.keys_upload()
    await client.sync(timeout=0, full_state=True)

    async def on_message(room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender == client.user_id:
            return
        await client.room_send(
            room.room_id,
            "m.room.message",
            {
                "msgtype": "m.notice",
                "body": event.body,
                "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}},
            },
            ignore_unverified_devices=True,
        )

    async def on_invite(room: MatrixRoom, event: InviteMemberEvent) -> None:
        if event.state_key == client.user_id and event.membership == "invite":
            await client.join(room.room_id)

    client.add_event_callback(on_message, RoomMessageText)  # type: ignore[arg-type]
    client.add_event_callback(on_invite, InviteMemberEvent)  # type: ignore[arg-type]
    print("echo bot ready", flush=True)
    await client.sync_forever(timeout=30000)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
