"""Composition root: builds every layer and runs the bot until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass, field
from typing import Any

from nio import AsyncClient, MegolmEvent

from cpts_bot.chat.command_router import CommandRouter
from cpts_bot.chat.feature import ChatFeature
from cpts_bot.matrix.client_factory import create_client
from cpts_bot.matrix.matrix_chat_gateway import MatrixChatGateway
from cpts_bot.matrix.sync_loop import SyncLoop
from cpts_bot.settings import BotSettings, RoomsConfig
from cpts_bot.storage import core_repository as repo
from cpts_bot.storage.database import Database

log = logging.getLogger("cpts_bot")

DATABASE_FILE = "cpts-bot.sqlite"


def build_features(database: Database, config: RoomsConfig) -> list[ChatFeature]:
    """The chat features, in the order they are tried."""
    return []


@dataclass
class BotApp:
    """The running bot: database, Matrix client, sync loop, router, outbox sender."""

    settings: BotSettings
    config: RoomsConfig
    database: Database | None = None
    client: AsyncClient | None = None
    stop_event: asyncio.Event = field(default_factory=asyncio.Event)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    router: CommandRouter | None = None
    gateway: MatrixChatGateway | None = None

    async def run(self) -> None:
        """Run until :meth:`stop` (or a signal) and leave the device logged in."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.database = await Database.open(self.settings.data_dir / DATABASE_FILE)
        try:
            self.client = await create_client(self.settings)
            await self._serve(self.client, self.database)
        finally:
            if self.client is not None:
                await self.client.close()
            await self.database.close()
            log.info("stopped")

    async def _serve(self, client: AsyncClient, database: Database) -> None:
        gateway = MatrixChatGateway(client, database)
        features = build_features(database, self.config)
        router = CommandRouter(
            database, self.config, client.user_id, features, on_outbox=gateway.wake,
            decryptor=lambda row: _decrypt(client, row), typing=lambda room, on: _typing(
                client, room, on),
        )
        self.router, self.gateway = router, gateway
        sync = SyncLoop(client, database, may_invite=self.config.is_allowed,
                        on_events=router.wake, on_first_sync=self._on_ready)
        tasks = [
            asyncio.create_task(sync.run(self.stop_event), name="sync"),
            asyncio.create_task(router.run(self.stop_event), name="router"),
            asyncio.create_task(gateway.run(self.stop_event), name="outbox"),
        ]
        stopper = asyncio.create_task(self.stop_event.wait())
        done, _ = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
        self.stop_event.set()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for task in done:
            if task is not stopper and task.exception():
                raise task.exception()  # type: ignore[misc]

    def _on_ready(self) -> None:
        assert self.client is not None
        log.info("ready: logged in, synced, listening",
                 extra={"user_id": self.client.user_id, "device_id": self.client.device_id,
                        "rooms": len(self.client.rooms)})
        self.ready.set()

    def stop(self) -> None:
        self.stop_event.set()


async def _decrypt(client: AsyncClient, row: repo.InboxRow) -> dict[str, Any] | None:
    """Retry decrypting an event stored undecryptable; the message payload or None."""
    from cpts_bot.matrix.event_listener import to_inbox_item

    source = dict(row.payload["source"])
    source.setdefault("room_id", row.room_id)
    event = MegolmEvent.from_dict(source)
    if not isinstance(event, MegolmEvent):
        return None
    event.room_id = row.room_id
    try:
        decrypted = client.decrypt_event(event)
    except Exception:
        return None
    room = client.rooms.get(row.room_id)
    if room is None:
        return None
    item = to_inbox_item(decrypted, room, client.user_id)
    return item.payload if item is not None and item.kind == "message" else None


async def _typing(client: AsyncClient, room_id: str, on: bool) -> None:
    with contextlib.suppress(Exception):
        await client.room_typing(room_id, on, timeout=15000)


async def run_bot(settings: BotSettings, config: RoomsConfig) -> None:
    """Run the bot with SIGTERM/SIGINT handled as a clean stop (no logout)."""
    app = BotApp(settings, config)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, app.stop)
    await app.run()
