"""A minimal matrix-nio bot for the end-to-end encryption tests: it answers "echo: …".

It uses the bot's real building blocks (cross-signing at start, the senders' trust gate,
room keys shared only with trusted devices, the retry of undecryptable events) without
the rest of the application.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from nio import (
    AsyncClient,
    InviteMemberEvent,
    MatrixRoom,
    MegolmEvent,
    RoomMessageText,
    RoomSendResponse,
    SyncResponse,
)

from cpts_bot.matrix.key_hygiene import UndecryptableEvents
from cpts_bot.matrix.sender_trust import (
    SenderTrustGate,
    authenticated_device_id,
    send_to_trusted_devices,
)
from cpts_bot.storage.database import Database


@dataclass
class Received:
    sender: str
    body: str
    device_id: str | None
    trusted: bool


@dataclass
class EchoBot:
    client: AsyncClient
    gate: SenderTrustGate
    database: Database | None = None
    received: list[Received] = field(default_factory=list)
    undecryptable: list[str] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    _pending: UndecryptableEvents = field(default_factory=UndecryptableEvents)
    _task: asyncio.Task | None = None

    def start(self) -> None:
        self.client.add_event_callback(self._on_invite, InviteMemberEvent)
        self.client.add_event_callback(self._on_text, RoomMessageText)
        self.client.add_event_callback(self._on_undecryptable, MegolmEvent)
        self.client.add_response_callback(self._on_sync, SyncResponse)
        self._task = asyncio.create_task(self.client.sync_forever(timeout=300, full_state=True))

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.client.close()  # never logout: the device and its keys stay

    async def _on_invite(self, room: MatrixRoom, event: InviteMemberEvent) -> None:
        if event.state_key == self.client.user_id and event.membership == "invite":
            await self.client.join(room.room_id)

    async def _on_undecryptable(self, room: MatrixRoom, event: MegolmEvent) -> None:
        self.undecryptable.append(event.event_id)
        self._pending.add(event, room.room_id, datetime.now(UTC))
        self.changed.set()

    async def _on_sync(self, response: SyncResponse) -> None:
        self.gate.forget(response.device_list.changed)
        for event in await self._pending.retry(self.client, datetime.now(UTC)):
            room = self.client.rooms.get(event.room_id)
            if room is not None and isinstance(event, RoomMessageText):
                await self._on_text(room, event)

    async def _on_text(self, room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender == self.client.user_id:
            return
        now = datetime.now(UTC)
        device_id = authenticated_device_id(self.client, event)
        decision = await self.gate.check(
            self.client,
            event.sender,
            device_id,
            room_id=room.room_id,
            event_id=event.event_id,
            now=now,
        )
        self.received.append(Received(event.sender, event.body, device_id, decision.trusted))
        self.changed.set()
        if decision.trusted:
            await self.say(room.room_id, "echo: " + event.body)

    async def say(self, room_id: str, text: str) -> None:
        response = await send_to_trusted_devices(
            self.client,
            self.gate,
            room_id,
            "m.room.message",
            {"msgtype": "m.text", "body": text},
            tx_id=None,
            now=datetime.now(UTC),
        )
        assert isinstance(response, RoomSendResponse), response

    async def wait_for(self, predicate: Callable[[], bool], seconds: float = 30) -> None:
        async def loop() -> None:
            while not predicate():
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(loop(), seconds)
