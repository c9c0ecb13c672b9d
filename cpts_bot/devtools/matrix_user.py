"""A real Matrix user client (matrix-nio, its own E2EE store) for the demo, the terminal
chat and the tests: it keeps syncing and records what it receives, decrypted."""

from __future__ import annotations

import asyncio
import contextlib
import io
import mimetypes
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nio import (
    Api,
    AsyncClient,
    AsyncClientConfig,
    InviteMemberEvent,
    LoginResponse,
    MegolmEvent,
    RoomCreateResponse,
    RoomEncryptedFile,
    RoomMessageFile,
    RoomMessageNotice,
    RoomMessageText,
    RoomSendResponse,
    SyncResponse,
    UploadResponse,
)
from nio.api import RoomPreset

from cpts_bot.matrix.key_hygiene import share_keys

# What is recorded: texts, notices and files (their body is the file name).
MESSAGES = (RoomMessageText, RoomMessageNotice, RoomMessageFile, RoomEncryptedFile)
ENCRYPTION_STATE: dict[str, Any] = {
    "type": "m.room.encryption",
    "state_key": "",
    "content": {"algorithm": "m.megolm.v1.aes-sha2"},
}


@dataclass
class Received:
    event_id: str
    room_id: str
    sender: str
    body: str
    msgtype: str
    formatted_body: str | None
    reply_to: str | None
    content: dict[str, Any]
    decrypted: bool


@dataclass
class MatrixUser:
    """Logs in as a user, keeps syncing, records what it receives (decrypted)."""

    homeserver: str
    user_id: str
    password: str
    store_dir: Path
    client: AsyncClient | None = None
    received: list[Received] = field(default_factory=list)
    undecryptable: list[str] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None
    _new: asyncio.Event = field(default_factory=asyncio.Event)
    auto_join: bool = True
    device_name: str = "cpts-test-client"
    device_id: str | None = None
    access_token: str | None = None
    # Called with each message as it is recorded (the terminal chat prints it).
    listeners: list[Callable[[Received], None]] = field(default_factory=list)

    async def start(self) -> MatrixUser:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        config = AsyncClientConfig(
            encryption_enabled=True, store_sync_tokens=False, max_timeout_retry_wait_time=2
        )
        self.client = AsyncClient(
            self.homeserver, self.user_id, store_path=str(self.store_dir), config=config
        )
        if self.device_id and self.access_token:
            self.client.restore_login(self.user_id, self.device_id, self.access_token)
        else:
            response = await self.client.login(self.password, device_name=self.device_name)
            if not isinstance(response, LoginResponse):
                raise RuntimeError(f"login as {self.user_id} failed: {response}")
            self.device_id, self.access_token = response.device_id, response.access_token
        if self.client.should_upload_keys:
            await self.client.keys_upload()
        await self._sync_once(full_state=True)
        self._task = asyncio.create_task(self._loop())
        return self

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
        if self.client:
            await self.client.close()

    async def _loop(self) -> None:
        while True:
            try:
                await self._sync_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                await asyncio.sleep(0.5)

    async def _sync_once(self, full_state: bool = False) -> None:
        assert self.client is not None
        response = await self.client.sync(timeout=1000, full_state=full_state)
        if not isinstance(response, SyncResponse):
            await asyncio.sleep(0.5)
            return
        for room_id, info in response.rooms.invite.items():
            if self.auto_join and any(
                isinstance(event, InviteMemberEvent) for event in info.invite_state
            ):
                await self.client.join(room_id)
        for room_id, info in response.rooms.join.items():
            for event in info.timeline.events:
                if getattr(event, "sender", None) == self.user_id:
                    continue
                if isinstance(event, MESSAGES):
                    content = event.source.get("content", {})
                    relates = content.get("m.relates_to") or {}
                    self._record(
                        Received(
                            event.event_id,
                            room_id,
                            event.sender,
                            event.body,
                            content.get("msgtype", ""),
                            content.get("formatted_body"),
                            (relates.get("m.in_reply_to") or {}).get("event_id"),
                            content,
                            bool(getattr(event, "decrypted", False)),
                        )
                    )
                elif isinstance(event, MegolmEvent):
                    self.undecryptable.append(event.event_id)
                    self._new.set()
        await share_keys(self.client)

    def _record(self, item: Received) -> None:
        self.received.append(item)
        self._new.set()
        for listener in self.listeners:
            listener(item)

    async def create_encrypted_room(
        self,
        invite: list[str],
        direct: bool = True,
        encrypted: bool = True,
        moderators: list[str] | None = None,
    ) -> str:
        """Create a private room inviting ``invite``; ``moderators`` get power 50 (they
        may pin)."""
        assert self.client is not None
        response = await self.client.room_create(
            is_direct=direct,
            invite=invite,
            preset=RoomPreset.private_chat,
            initial_state=[ENCRYPTION_STATE] if encrypted else [],
            # Recent room versions keep the creator out of "users" (creators outrank all).
            power_level_override=(
                {"users": {user: 50 for user in moderators}} if moderators else None
            ),
        )
        assert isinstance(response, RoomCreateResponse), response
        return response.room_id

    async def wait_joined(self, room_id: str, user_id: str, timeout: float = 20) -> None:
        """Wait until ``user_id`` has joined ``room_id`` (as seen by this client)."""
        assert self.client is not None
        async with asyncio.timeout(timeout):
            while True:
                response = await self.client.joined_members(room_id)
                members = [member.user_id for member in getattr(response, "members", [])]
                if user_id in members:
                    return
                await asyncio.sleep(0.2)

    async def send(
        self,
        room_id: str,
        body: str,
        reply_to: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        assert self.client is not None
        content: dict[str, Any] = {"msgtype": "m.text", "body": body}
        if reply_to:
            content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
        if extra:
            content.update(extra)
        await self._wait_room_known(room_id)
        await self._wait_member_devices(room_id)
        response = await self.client.room_send(
            room_id, "m.room.message", content, ignore_unverified_devices=True
        )
        assert isinstance(response, RoomSendResponse), response
        return response.event_id

    async def _wait_room_known(self, room_id: str, timeout: float = 20) -> None:
        """A room just joined is known to nio only after the sync that reports the join:
        sending earlier fails with "No such room"."""
        assert self.client is not None
        async with asyncio.timeout(timeout):
            while True:
                if room_id in self.client.rooms:
                    return
                await asyncio.sleep(0.1)

    async def _wait_member_devices(self, room_id: str, timeout: float = 10) -> None:
        """Know a device of every member before sending in an encrypted room.

        A member who joined a moment ago may not have its device keys known yet (its
        device list change comes in a later sync): the room key would then go to nobody
        of theirs, and they could never read this message. Query until each member has a
        device; after ``timeout``, send anyway (a member may really have none)."""
        client = self.client
        assert client is not None
        room = client.rooms.get(room_id)
        if room is None or not room.encrypted:
            if client.should_query_keys:
                await client.keys_query()
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                while True:
                    missing = [
                        user
                        for user in room.users
                        if user != client.user_id
                        and not list(client.device_store.active_user_devices(user))
                    ]
                    if missing and client.olm is not None:
                        client.olm.users_for_key_query.update(missing)
                    if client.should_query_keys:
                        await client.keys_query()
                    if not missing:
                        return
                    await asyncio.sleep(0.2)

    async def send_file(self, room_id: str, name: str, data: bytes) -> str:
        """Upload ``data`` (encrypted in an encrypted room), send it as the file ``name``."""
        assert self.client is not None
        mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        await self._wait_room_known(room_id)
        encrypted = self.client.rooms[room_id].encrypted
        uploaded, keys = await self.client.upload(
            io.BytesIO(data), mimetype, name, encrypt=encrypted, filesize=len(data)
        )
        assert isinstance(uploaded, UploadResponse), uploaded
        content: dict[str, Any] = {
            "msgtype": "m.file",
            "body": name,
            "info": {"size": len(data), "mimetype": mimetype},
        }
        if encrypted and keys:
            content["file"] = {"url": uploaded.content_uri, **keys}
        else:
            content["url"] = uploaded.content_uri
        await self._wait_member_devices(room_id)
        response = await self.client.room_send(
            room_id, "m.room.message", content, ignore_unverified_devices=True
        )
        assert isinstance(response, RoomSendResponse), response
        return response.event_id

    async def react(self, room_id: str, event_id: str, key: str, encrypted: bool = False) -> str:
        """React to ``event_id``. matrix-nio sends reactions in clear; ``encrypted`` sends
        it encrypted in an encrypted room, as Element does."""
        assert self.client is not None
        client = self.client
        content: dict[str, Any] = {
            "m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": key}
        }
        event_type = "m.reaction"
        room = client.rooms.get(room_id)
        if encrypted and room is not None and room.encrypted:
            if client.should_query_keys:
                await client.keys_query()
            if not room.members_synced:
                await client.joined_members(room_id)
            assert client.olm is not None
            if client.olm.should_share_group_session(room_id):
                await client.share_group_session(room_id, ignore_unverified_devices=True)
            event_type, content = client.encrypt(room_id, event_type, content)
            # room_send would encrypt it a second time: send it as it is.
            method, path, data = Api.room_send(
                client.access_token, room_id, event_type, content, str(uuid.uuid4())
            )
            response = await client._send(RoomSendResponse, method, path, data, (room_id,))
        else:
            response = await client.room_send(
                room_id, event_type, content, ignore_unverified_devices=True
            )
        assert isinstance(response, RoomSendResponse), response
        return response.event_id

    def replies_to(self, event_id: str) -> list[Received]:
        return [item for item in self.received if item.reply_to == event_id]

    def from_user(self, user_id: str, room_id: str | None = None) -> list[Received]:
        return [
            item
            for item in self.received
            if item.sender == user_id and (room_id is None or item.room_id == room_id)
        ]

    async def wait_for(self, predicate: Any, timeout: float = 30) -> list[Received]:
        """Wait until ``predicate(self)`` returns a non-empty list, and return it."""
        async with asyncio.timeout(timeout):
            while True:
                self._new.clear()
                found = predicate(self)
                if found:
                    return found
                try:
                    await asyncio.wait_for(self._new.wait(), 1.0)
                except TimeoutError:
                    pass

    async def wait_reply(self, event_id: str, timeout: float = 30) -> Received:
        found = await self.wait_for(lambda me: me.replies_to(event_id), timeout)
        return found[0]
