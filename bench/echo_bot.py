"""A minimal matrix-nio echo bot: the floor a reply can approach on a homeserver.

Usage: python bench/echo_bot.py HOMESERVER USER_ID PASSWORD STORE_DIR
Joins every invite; answers every text message with an encrypted m.notice reply, once.

It reads the timeline as the bot does: at most 100 events per room and sync, and a
``limited`` timeline (a burst, or a busy room) back-filled from ``prev_batch`` down to the
previous sync with room ``/messages``, so that a burst of messages is answered in full.
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

from nio import (
    AsyncClient,
    AsyncClientConfig,
    InviteMemberEvent,
    MessageDirection,
    RoomMessagesResponse,
    RoomMessageText,
    SyncResponse,
)

SYNC_FILTER = {"room": {"timeline": {"limit": 100}}, "presence": {"not_types": ["*"]}}


async def missed(client: AsyncClient, room_id: str, prev_batch: str, since: str) -> list[Any]:
    """The events between the previous sync (``since``) and ``prev_batch``, oldest first."""
    newest_first: list[Any] = []
    start = prev_batch
    while True:
        page = await client.room_messages(
            room_id, start=start, end=since, direction=MessageDirection.back, limit=100
        )
        if not isinstance(page, RoomMessagesResponse):
            print(f"back-fill of {room_id} failed: {page}", flush=True)
            break
        newest_first.extend(page.chunk)
        if not page.chunk or not page.end or page.end == start:
            break
        start = page.end
    return newest_first[::-1]


async def echo(client: AsyncClient, room_id: str, event: RoomMessageText) -> None:
    await client.room_send(
        room_id,
        "m.room.message",
        {
            "msgtype": "m.notice",
            "body": event.body,
            "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}},
        },
        ignore_unverified_devices=True,
    )


async def handle(client: AsyncClient, response: SyncResponse, since: str, done: set[str]) -> None:
    for room_id, invited in response.rooms.invite.items():
        if any(
            isinstance(event, InviteMemberEvent)
            and event.state_key == client.user_id
            and event.membership == "invite"
            for event in invited.invite_state
        ):
            await client.join(room_id)
    for room_id, info in response.rooms.join.items():
        events = list(info.timeline.events)
        if info.timeline.limited and info.timeline.prev_batch:
            events = await missed(client, room_id, info.timeline.prev_batch, since) + events
        for event in events:
            if (
                isinstance(event, RoomMessageText)
                and event.sender != client.user_id
                and event.event_id not in done
            ):
                done.add(event.event_id)
                await echo(client, room_id, event)


async def key_maintenance(client: AsyncClient) -> None:
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
    if client.should_claim_keys:
        await client.keys_claim(client.get_users_for_key_claiming())
    await client.send_to_device_messages()


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
    first = await client.sync(timeout=0, full_state=True)
    assert isinstance(first, SyncResponse), first
    since, done = first.next_batch, set()
    print("echo bot ready", flush=True)
    while True:
        response = await client.sync(timeout=30000, since=since, sync_filter=SYNC_FILTER)
        if not isinstance(response, SyncResponse):
            await asyncio.sleep(1)
            continue
        await handle(client, response, since, done)
        since = response.next_batch
        await key_maintenance(client)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
